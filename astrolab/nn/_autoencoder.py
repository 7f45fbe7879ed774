"""A small convolutional autoencoder: images -> a few latent numbers -> images.

The encoder is a map ``g: R^N -> R^M`` from ``N = image_size**2`` pixels to ``M = latent_dim``
numbers, the decoder a map back; trained to reproduce its input (Hinton & Salakhutdinov 2006), the
pair is a non-linear generalisation of PCA.
"""

from __future__ import annotations

from torch import nn

from astrolab.nn._models import MAX_IMAGE, MAX_WIDTH, _check_int, _check_sizes, seeded

__all__ = ["ConvAutoencoder"]


def _check_image_size(image_size, n_halvings):
    image_size = _check_int("image_size", image_size, 2**n_halvings, maximum=MAX_IMAGE)
    if image_size % 2**n_halvings:
        raise ValueError(f"image_size must be divisible by 2**len(channels) = {2**n_halvings}, got {image_size}")
    return image_size


class ConvAutoencoder(nn.Module):
    """Convolutional autoencoder for single-band square images.

    Encoder: ``len(channels)`` blocks of a 3x3 convolution with stride 2 (each halves the image)
    and a leaky ReLU (slope 0.1: plain ReLUs can die and freeze a small network), then a linear
    layer to ``latent_dim`` numbers. Decoder: the mirror image, a linear layer back to the smallest
    feature map, then transposed convolutions (kernel 4, stride 2) that double the size; the last
    layer is linear, so the output can take any value (subtract the mean image first, as PCA does,
    and the network only has to learn the differences).

    Parameters
    ----------
    image_size : int, default 32
        Height and width of the images; divisible by ``2**len(channels)``.
    latent_dim : int, default 8
        Size ``M`` of the code (the bottleneck).
    channels : sequence of int, default (16, 32)
        Feature maps of the encoder blocks (the decoder uses them in reverse).
    seed : int, default 0
        Seed of the initial weights (drawn inside ``torch.random.fork_rng``; the global random
        state is left as it was).

    Notes
    -----
    ``forward`` accepts ``(batch, H, W)`` or ``(batch, 1, H, W)`` and returns the same layout, so
    ``astrolab.nn.train(ae, (X, X), loss="mse")`` trains it whichever layout ``X`` has.

    Examples
    --------
    >>> import torch
    >>> ae = ConvAutoencoder(image_size=16, latent_dim=4, channels=(4, 8), seed=1)
    >>> x = torch.zeros(5, 16, 16)
    >>> ae(x).shape, ae.encode(x).shape, ae.decode(torch.zeros(2, 4)).shape
    (torch.Size([5, 16, 16]), torch.Size([5, 4]), torch.Size([2, 16, 16]))
    """

    def __init__(self, *, image_size=32, latent_dim=8, channels=(16, 32), seed=0):
        super().__init__()
        channels = _check_sizes("channels", channels)
        self.image_size = _check_image_size(image_size, len(channels))
        self.latent_dim = _check_int("latent_dim", latent_dim, 1, maximum=MAX_WIDTH)
        self.channels = channels
        self.seed = _check_int("seed", seed, 0)
        small = self.image_size // 2 ** len(channels)
        self._shape = (channels[-1], small, small)
        flat = channels[-1] * small * small
        with seeded(self.seed):
            enc, c_in = [], 1
            for c in channels:
                enc += [nn.Conv2d(c_in, c, 3, stride=2, padding=1), nn.LeakyReLU(0.1)]
                c_in = c
            self.encoder = nn.Sequential(*enc, nn.Flatten(), nn.Linear(flat, self.latent_dim))
            dec = [nn.Linear(self.latent_dim, flat), nn.LeakyReLU(0.1), nn.Unflatten(1, self._shape)]
            rev = channels[::-1]
            for c_in, c_out in zip(rev[:-1], rev[1:], strict=True):
                dec += [nn.ConvTranspose2d(c_in, c_out, 4, stride=2, padding=1), nn.LeakyReLU(0.1)]
            dec += [nn.ConvTranspose2d(rev[-1], 1, 4, stride=2, padding=1)]
            self.decoder = nn.Sequential(*dec)

    def _as_4d(self, x):
        if x.ndim == 3:
            x = x.unsqueeze(1)
        if x.ndim != 4 or x.shape[1] != 1 or tuple(x.shape[2:]) != (self.image_size, self.image_size):
            raise ValueError(f"x must have shape (batch, {self.image_size}, {self.image_size}) or "
                             f"(batch, 1, {self.image_size}, {self.image_size}), got {tuple(x.shape)}")
        return x

    def encode(self, x):
        """The code of each image: ``(batch, latent_dim)``; ``x`` is ``(batch, H, W)`` or ``(batch, 1, H, W)``."""
        return self.encoder(self._as_4d(x))

    def decode(self, z):
        """Images ``(batch, H, W)`` from codes ``z`` of shape ``(batch, latent_dim)``."""
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"z must have shape (batch, {self.latent_dim}), got {tuple(z.shape)}")
        return self.decoder(z).squeeze(1)

    def forward(self, x):
        """Reconstruct ``x``; the output has the layout of the input."""
        out = self.decode(self.encode(x))
        return out if x.ndim == 3 else out.unsqueeze(1)
