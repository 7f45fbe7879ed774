"""A small DCGAN (Radford, Metz & Chintala 2016): a generator and a discriminator that play a game.

The generator maps noise ``z ~ N(0, 1)`` to an image; the discriminator tells real images from
generated ones. They are trained in turn (Goodfellow et al. 2014): the discriminator to minimise the
binary cross-entropy of "real or fake", the generator to make the discriminator call its images real
(the *non-saturating* loss ``-log D(G(z))``).

Images live in ``[-1, 1]`` (the generator ends with ``tanh``): scale the data before training, e.g.
``x = 2 * image / scale - 1`` with ``scale`` the largest pixel value, and undo it on the samples with
``image = (x + 1) / 2 * scale``.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from astrolab.nn._autoencoder import _check_image_size
from astrolab.nn._models import MAX_WIDTH, _check_int, _check_sizes, seeded
from astrolab.nn._training import _resolve_device

__all__ = ["Discriminator", "GANHistory", "Generator", "train_gan"]


def _dcgan_init(module, generator):
    """DCGAN initialisation: conv weights ~ N(0, 0.02), batch-norm scales ~ N(1, 0.02), biases 0."""
    for m in module.modules():
        if isinstance(m, nn.Conv2d | nn.ConvTranspose2d | nn.Linear):
            with torch.no_grad():
                m.weight.copy_(torch.randn(m.weight.shape, generator=generator) * 0.02)
                if m.bias is not None:
                    m.bias.zero_()
        elif isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.weight.copy_(1 + torch.randn(m.weight.shape, generator=generator) * 0.02)
                m.bias.zero_()


class Generator(nn.Module):
    """DCGAN generator: noise ``(batch, latent_dim)`` -> images ``(batch, 1, H, W)`` in ``[-1, 1]``.

    A linear layer makes a ``channels[0]`` x s x s feature map (s = image_size / 2**len(channels)),
    then transposed convolutions (kernel 4, stride 2, batch norm, ReLU) double its size through
    ``channels``, and a last one gives one band with ``tanh``.

    Parameters
    ----------
    latent_dim : int, default 32
        Size of the noise vector ``z``.
    image_size : int, default 32
        Height and width of the images; divisible by ``2**len(channels)``.
    channels : sequence of int, default (64, 32, 16)
        Feature maps, from the smallest image to the largest.
    seed : int, default 0
        Seed of the initial weights (inside ``torch.random.fork_rng``).

    Examples
    --------
    >>> g = Generator(latent_dim=8, image_size=16, channels=(16, 8), seed=0)
    >>> images = g.sample(3, seed=1)
    >>> images.shape, bool(abs(images).max() <= 1)
    ((3, 16, 16), True)
    """

    def __init__(self, *, latent_dim=32, image_size=32, channels=(64, 32, 16), seed=0):
        super().__init__()
        channels = _check_sizes("channels", channels)
        self.image_size = _check_image_size(image_size, len(channels))
        self.latent_dim = _check_int("latent_dim", latent_dim, 1, maximum=MAX_WIDTH)
        self.channels = channels
        self.seed = _check_int("seed", seed, 0)
        small = self.image_size // 2 ** len(channels)
        with seeded(self.seed):
            self.net = self._build(channels, small)
            _dcgan_init(self.net, torch.Generator().manual_seed(self.seed))

    def _build(self, channels, small):
        layers = [nn.Linear(self.latent_dim, channels[0] * small * small, bias=False),
                  nn.Unflatten(1, (channels[0], small, small)), nn.BatchNorm2d(channels[0]), nn.ReLU()]
        for c_in, c_out in zip(channels[:-1], channels[1:], strict=True):
            layers += [nn.ConvTranspose2d(c_in, c_out, 4, stride=2, padding=1, bias=False),
                       nn.BatchNorm2d(c_out), nn.ReLU()]
        layers += [nn.ConvTranspose2d(channels[-1], 1, 4, stride=2, padding=1), nn.Tanh()]
        return nn.Sequential(*layers)

    def forward(self, z):
        """Images ``(batch, 1, H, W)`` in ``[-1, 1]`` from noise ``z`` of shape ``(batch, latent_dim)``."""
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"z must have shape (batch, {self.latent_dim}), got {tuple(z.shape)}")
        return self.net(z)

    def sample(self, n, *, seed=0):
        """``n`` generated images as a numpy array ``(n, H, W)`` in ``[-1, 1]``.

        The noise comes from a ``torch.Generator`` seeded with ``seed``; the network runs in
        evaluation mode (batch norm uses its running statistics) and is put back in the mode it was in.
        """
        n = _check_int("n", n, 1)
        seed = _check_int("seed", seed, 0)
        z = torch.randn(n, self.latent_dim, generator=torch.Generator().manual_seed(seed))
        was_training = self.training
        self.eval()
        try:
            with torch.no_grad():
                out = self(z.to(next(self.parameters()).device))
        finally:
            self.train(was_training)
        return out[:, 0].cpu().numpy()


class Discriminator(nn.Module):
    """DCGAN discriminator: images ``(batch, H, W)`` or ``(batch, 1, H, W)`` -> logits ``(batch,)``.

    Convolutions with kernel 4 and stride 2 (each halves the image) and leaky ReLUs (slope 0.2),
    batch norm after all but the first, then a linear layer to one logit; ``sigmoid(logit)`` is
    the probability that the image is real.

    Parameters
    ----------
    image_size : int, default 32
        Height and width of the images; divisible by ``2**len(channels)``.
    channels : sequence of int, default (16, 32, 64)
        Feature maps, from the largest image to the smallest.
    seed : int, default 0
        Seed of the initial weights (inside ``torch.random.fork_rng``).

    Examples
    --------
    >>> import torch
    >>> d = Discriminator(image_size=16, channels=(8, 16), seed=0)
    >>> d(torch.zeros(4, 16, 16)).shape
    torch.Size([4])
    """

    def __init__(self, *, image_size=32, channels=(16, 32, 64), seed=0):
        super().__init__()
        channels = _check_sizes("channels", channels)
        self.image_size = _check_image_size(image_size, len(channels))
        self.channels = channels
        self.seed = _check_int("seed", seed, 0)
        small = self.image_size // 2 ** len(channels)
        with seeded(self.seed):
            self.net = self._build(channels, small)
            _dcgan_init(self.net, torch.Generator().manual_seed(self.seed))

    @staticmethod
    def _build(channels, small):
        layers, c_in = [], 1
        for i, c in enumerate(channels):
            layers.append(nn.Conv2d(c_in, c, 4, stride=2, padding=1, bias=i == 0))
            if i > 0:
                layers.append(nn.BatchNorm2d(c))
            layers.append(nn.LeakyReLU(0.2))
            c_in = c
        layers += [nn.Flatten(), nn.Linear(channels[-1] * small * small, 1)]
        return nn.Sequential(*layers)

    def forward(self, x):
        """Logits ``(batch,)``: positive means "real"."""
        if x.ndim == 3:
            x = x.unsqueeze(1)
        if x.ndim != 4 or x.shape[1] != 1 or tuple(x.shape[2:]) != (self.image_size, self.image_size):
            raise ValueError(f"x must have shape (batch, {self.image_size}, {self.image_size}) or "
                             f"(batch, 1, {self.image_size}, {self.image_size}), got {tuple(x.shape)}")
        return self.net(x)[:, 0]


@dataclass
class GANHistory:
    """Per-epoch means of the losses and of the discriminator's outputs during :func:`train_gan`.

    Attributes
    ----------
    d_loss, g_loss : list of float
        Discriminator loss ``-log D(x) - log(1 - D(G(z)))`` and generator loss ``-log D(G(z))``.
    d_real, d_fake : list of float
        Mean ``D(x)`` on real images and ``D(G(z))`` on generated ones (before the generator step).
        At the game's equilibrium both are 1/2 and ``d_loss = 2 ln 2``, ``g_loss = ln 2``.
    """

    d_loss: list = field(default_factory=list)
    g_loss: list = field(default_factory=list)
    d_real: list = field(default_factory=list)
    d_fake: list = field(default_factory=list)

    def plot(self, axes=None):
        """Losses (left) and discriminator outputs (right) against epoch; returns the two axes."""
        import matplotlib.pyplot as plt

        if axes is None:
            _, axes = plt.subplots(1, 2, figsize=(10, 3.5))
        ax1, ax2 = axes
        epochs = np.arange(1, len(self.d_loss) + 1)
        ax1.plot(epochs, self.d_loss, "o-", label="discriminator")
        ax1.plot(epochs, self.g_loss, "s-", label="generator")
        ax1.axhline(2 * math.log(2), color="C0", ls=":", lw=1)
        ax1.axhline(math.log(2), color="C1", ls=":", lw=1)
        ax1.set(xlabel="epoch", ylabel="loss [nat]", title="GAN losses (dotted: equilibrium)")
        ax1.legend()
        ax2.plot(epochs, self.d_real, "o-", label="D(x), real")
        ax2.plot(epochs, self.d_fake, "s-", label="D(G(z)), generated")
        ax2.axhline(0.5, color="gray", ls=":", lw=1)
        ax2.set(xlabel="epoch", ylabel="discriminator output", ylim=(0, 1), title="What the discriminator says")
        ax2.legend()
        return axes


def train_gan(generator, discriminator, images, *, epochs=20, batch_size=64, lr=2e-4, betas=(0.5, 0.999),
              seed=0, device=None, progress=True):
    """Train a GAN with the DCGAN recipe: alternate Adam steps of the discriminator and the generator.

    For each mini-batch of real images ``x`` and noise ``z``: one step of the discriminator on
    ``BCE(D(x), 1) + BCE(D(G(z)), 0)``, then one step of the generator on the non-saturating loss
    ``BCE(D(G(z)), 1) = -log D(G(z))`` (Goodfellow et al. 2014), both with logits.

    Parameters
    ----------
    generator : Generator
    discriminator : Discriminator
        Trained in place (and moved to ``device``).
    images : array_like or Tensor, shape (n, H, W) or (n, 1, H, W)
        Real images, already scaled to ``[-1, 1]`` (the range of the generator's ``tanh``); see the
        module docstring for the scaling and its inverse.
    epochs : int, default 20
        Passes over the images.
    batch_size : int, default 64
        Images per step; incomplete last batches are dropped (batch norm needs full batches).
    lr : float, default 2e-4
        Adam learning rate of both networks (Radford et al. 2016).
    betas : tuple of two floats, default (0.5, 0.999)
        Adam's momentum coefficients; the DCGAN paper lowers the first from 0.9 to 0.5.
    seed : int, default 0
        Seed of the shuffling and the noise (``torch.Generator``); training runs inside
        ``torch.random.fork_rng``, so the global random state is left as it was.
    device : None, str or torch.device
        Where to train; None uses :func:`astrolab.device` (CUDA when present).
    progress : bool, default True
        Show a tqdm progress bar over epochs with the latest losses.

    Returns
    -------
    GANHistory
        Per-epoch mean losses and discriminator outputs.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.tanh(np.random.default_rng(0).normal(size=(16, 8, 8)))
    >>> g = Generator(latent_dim=4, image_size=8, channels=(8,))
    >>> d = Discriminator(image_size=8, channels=(8,))
    >>> h = train_gan(g, d, x, epochs=2, batch_size=8, device="cpu", progress=False)
    >>> len(h.d_loss), len(h.g_loss)
    (2, 2)
    """
    if not isinstance(generator, Generator):
        raise ValueError(f"generator must be an astrolab.nn.Generator, got {type(generator).__name__}")
    if not isinstance(discriminator, Discriminator):
        raise ValueError(f"discriminator must be an astrolab.nn.Discriminator, got {type(discriminator).__name__}")
    if generator.image_size != discriminator.image_size:
        raise ValueError(f"generator and discriminator must have the same image_size, got "
                         f"{generator.image_size} and {discriminator.image_size}")
    size = generator.image_size
    x = torch.as_tensor(np.asarray(images.detach().cpu() if torch.is_tensor(images) else images, dtype=np.float32))
    if x.ndim == 4 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 3 or tuple(x.shape[1:]) != (size, size):
        raise ValueError(f"images must have shape (n, {size}, {size}) or (n, 1, {size}, {size}), "
                         f"got {tuple(np.shape(images))}")
    if not torch.isfinite(x).all() or x.abs().max() > 1 + 1e-6:
        raise ValueError(f"images must be finite and scaled to [-1, 1], got values in "
                         f"[{float(x.min()):.3g}, {float(x.max()):.3g}]")
    epochs = _check_int("epochs", epochs, 1)
    batch_size = _check_int("batch_size", batch_size, 2)
    if batch_size > len(x):
        raise ValueError(f"batch_size must be at most the number of images ({len(x)}), got {batch_size}")
    if not isinstance(lr, numbers.Real) or not lr > 0:
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    try:
        b1, b2 = (float(b) for b in betas)
    except (TypeError, ValueError):
        raise ValueError(f"betas must be two numbers in [0, 1), got {betas!r}") from None
    if not (0 <= b1 < 1 and 0 <= b2 < 1):
        raise ValueError(f"betas must be two numbers in [0, 1), got {betas!r}")
    seed = _check_int("seed", seed, 0)
    dev = _resolve_device(device)

    history = GANHistory()
    n_batches = len(x) // batch_size
    with seeded(seed, dev):
        gen = torch.Generator().manual_seed(seed)
        G, D = generator.to(dev).train(), discriminator.to(dev).train()
        x = x.unsqueeze(1).to(dev)
        opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=(b1, b2))
        opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=(b1, b2))
        bce = nn.BCEWithLogitsLoss()
        ones = torch.ones(batch_size, device=dev)
        zeros = torch.zeros(batch_size, device=dev)
        epoch_iter = range(epochs)
        if progress:
            from tqdm.auto import tqdm

            epoch_iter = tqdm(epoch_iter, desc="GAN", unit="epoch")
        for _ in epoch_iter:
            sums = np.zeros(4)
            order = torch.randperm(len(x), generator=gen)
            for b in range(n_batches):
                real = x[order[b * batch_size:(b + 1) * batch_size].to(dev)]
                z = torch.randn(batch_size, G.latent_dim, generator=gen).to(dev)
                fake = G(z)
                # discriminator step: real -> 1, fake -> 0 (fake detached: G is not updated here)
                logit_real, logit_fake = D(real), D(fake.detach())
                loss_d = bce(logit_real, ones) + bce(logit_fake, zeros)
                opt_d.zero_grad()
                loss_d.backward()
                opt_d.step()
                # generator step, non-saturating loss: make D call the fakes real
                loss_g = bce(D(fake), ones)
                opt_g.zero_grad()
                loss_g.backward()
                opt_g.step()
                sums += [loss_d.item(), loss_g.item(), torch.sigmoid(logit_real).mean().item(),
                         torch.sigmoid(logit_fake).mean().item()]
            d_loss, g_loss, d_real, d_fake = sums / n_batches
            history.d_loss.append(float(d_loss))
            history.g_loss.append(float(g_loss))
            history.d_real.append(float(d_real))
            history.d_fake.append(float(d_fake))
            if progress:
                epoch_iter.set_postfix(d_loss=f"{d_loss:.3f}", g_loss=f"{g_loss:.3f}")
    return history
