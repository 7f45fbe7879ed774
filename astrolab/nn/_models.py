"""Compact torch models for chapter 6: a dense network (MLP) and 1D / 2D convolutional networks.

Every constructor takes ``seed``: the initial weights are drawn inside ``torch.random.fork_rng``
from a generator seeded with it, so the same seed gives the same network and the global random
state of torch is left exactly as it was.
"""

from __future__ import annotations

import contextlib
import numbers

import torch
from torch import nn

__all__ = ["CNN1d", "CNN2d", "MLP", "count_parameters"]

_ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU, "silu": nn.SiLU}


@contextlib.contextmanager
def seeded(seed, device=None):
    """Run a block with torch's random generators seeded with ``seed``, then restore them.

    The CPU generator is always forked; the generator of ``device`` too when it is a CUDA device.
    Only these generators are seeded (``torch.manual_seed`` would also reseed every GPU).
    """
    seed = _check_seed(seed)
    device = torch.device(device) if device is not None else torch.device("cpu")
    cuda = device.type == "cuda"
    index = (device.index if device.index is not None else torch.cuda.current_device()) if cuda else None
    with torch.random.fork_rng(devices=[index] if cuda else []):
        torch.random.default_generator.manual_seed(seed)
        if cuda:
            with torch.cuda.device(index):
                torch.cuda.manual_seed(seed)
        yield


def _check_seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


# Largest layer width, channel count or class count accepted (a stated cap: 65 536 units already makes a layer
# of billions of weights against another wide one), and the largest input length or image side.
MAX_WIDTH = 2**16
MAX_INPUT = 2**20
MAX_IMAGE = 2**12


def _check_int(name, value, minimum=1, maximum=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be an integer in [{minimum}, {maximum}] (a layer this size would not fit in "
                         f"memory), got {value!r}")
    return int(value)


def _check_sizes(name, values, allow_empty=False, maximum=MAX_WIDTH):
    if isinstance(values, numbers.Integral) and not isinstance(values, bool):
        values = (values,)
    try:
        values = tuple(values)
    except TypeError:
        raise ValueError(f"{name} must be a sequence of positive integers, got {values!r}") from None
    if not allow_empty and not values:
        raise ValueError(f"{name} must hold at least one size, got {values!r}")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1 or v > maximum:
            raise ValueError(f"{name} must be a sequence of positive integers <= {maximum}, got {values!r}")
    return tuple(int(v) for v in values)


def _check_dropout(dropout):
    if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) or not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be a probability in [0, 1), got {dropout!r}")
    return float(dropout)


def _check_activation(activation):
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}")
    return _ACTIVATIONS[activation]


class MLP(nn.Module):
    """A fully connected network: ``Linear -> activation (-> Dropout)`` per hidden layer, then ``Linear``.

    Each hidden layer computes :math:`h = \\sigma(W x + b)`; the output layer is linear (no
    activation), so the network returns regression values or classification logits.

    Parameters
    ----------
    n_in, n_out : int
        Number of inputs and outputs.
    hidden : sequence of int, default (64, 64)
        Widths of the hidden layers; ``()`` gives a linear model.
    activation : {"relu", "tanh", "gelu", "silu"}, default "relu"
        Non-linearity after each hidden layer.
    dropout : float, default 0.0
        Dropout probability after each hidden activation (active in training mode only).
    seed : int, default 0
        Seed of the initial weights (PyTorch's default initialisation).

    Examples
    --------
    >>> import torch
    >>> net = MLP(3, 2, hidden=(8,), seed=1)
    >>> net(torch.zeros(5, 3)).shape
    torch.Size([5, 2])
    >>> count_parameters(net)  # (3*8 + 8) + (8*2 + 2)
    50
    """

    def __init__(self, n_in, n_out, *, hidden=(64, 64), activation="relu", dropout=0.0, seed=0):
        super().__init__()
        self.n_in = _check_int("n_in", n_in, maximum=MAX_INPUT)
        self.n_out = _check_int("n_out", n_out, maximum=MAX_WIDTH)
        self.hidden = _check_sizes("hidden", hidden, allow_empty=True)
        act = _check_activation(activation)
        self.activation = activation
        self.dropout = _check_dropout(dropout)
        layers = []
        widths = (self.n_in, *self.hidden)
        with seeded(seed):
            for a, b in zip(widths[:-1], widths[1:], strict=True):
                layers += [nn.Linear(a, b), act()]
                if self.dropout > 0:
                    layers.append(nn.Dropout(self.dropout))
            layers.append(nn.Linear(widths[-1], self.n_out))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        """Map ``x`` of shape ``(batch, n_in)`` (or ``(batch,)`` when ``n_in == 1``) to ``(batch, n_out)``."""
        if x.ndim == 1 and self.n_in == 1:
            x = x[:, None]
        if x.ndim != 2 or x.shape[1] != self.n_in:
            raise ValueError(f"MLP expects input of shape (batch, {self.n_in}), got {tuple(x.shape)}")
        return self.net(x)


class CNN2d(nn.Module):
    """A small image classifier: convolution blocks, then a dense head that returns logits.

    Each block is ``Conv2d (same padding) -> BatchNorm2d -> ReLU -> MaxPool2d(2)``, so the image
    shrinks by two per block while the number of channels grows. The head is
    ``Flatten -> Dropout -> Linear(., 64) -> ReLU -> Dropout -> Linear(64, n_classes)``.

    Parameters
    ----------
    n_classes : int
        Number of outputs (class logits; use 1 for a single regression value).
    in_channels : int, default 1
        Channels of the input images (1 for one band).
    image_size : int, default 32
        Height and width of the (square) input images; at least ``2 ** len(channels)``.
    channels : sequence of int, default (16, 32, 64)
        Output channels of the convolution blocks.
    kernel_size : int, default 3
        Odd size of the square convolution kernels.
    dropout : float, default 0.25
        Dropout probability in the head.
    seed : int, default 0
        Seed of the initial weights.

    Examples
    --------
    >>> import torch
    >>> net = CNN2d(4, image_size=16, channels=(4, 8), seed=0)
    >>> net(torch.zeros(2, 1, 16, 16)).shape
    torch.Size([2, 4])
    >>> net(torch.zeros(2, 16, 16)).shape  # a single band without the channel axis
    torch.Size([2, 4])
    """

    def __init__(self, n_classes, *, in_channels=1, image_size=32, channels=(16, 32, 64), kernel_size=3,
                 dropout=0.25, seed=0):
        super().__init__()
        self.n_classes = _check_int("n_classes", n_classes, maximum=MAX_WIDTH)
        self.in_channels = _check_int("in_channels", in_channels, maximum=MAX_WIDTH)
        self.channels = _check_sizes("channels", channels)
        self.image_size = _check_int("image_size", image_size, maximum=MAX_IMAGE)
        if self.image_size < 2 ** len(self.channels):
            raise ValueError(f"image_size must be at least 2**len(channels) = {2 ** len(self.channels)} "
                             f"for {len(self.channels)} pooling blocks, got {image_size!r}")
        self.kernel_size = _check_int("kernel_size", kernel_size, maximum=MAX_WIDTH)
        if self.kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd (for 'same' padding), got {kernel_size!r}")
        self.dropout = _check_dropout(dropout)
        side = self.image_size // 2 ** len(self.channels)
        with seeded(seed):
            blocks = []
            c_in = self.in_channels
            for c_out in self.channels:
                blocks += [nn.Conv2d(c_in, c_out, self.kernel_size, padding="same"), nn.BatchNorm2d(c_out),
                           nn.ReLU(), nn.MaxPool2d(2)]
                c_in = c_out
            self.features = nn.Sequential(*blocks)
            self.head = nn.Sequential(nn.Flatten(), nn.Dropout(self.dropout), nn.Linear(c_in * side * side, 64),
                                      nn.ReLU(), nn.Dropout(self.dropout), nn.Linear(64, self.n_classes))

    def forward(self, x):
        """Logits of shape ``(batch, n_classes)`` for images ``(batch, in_channels, H, W)`` or ``(batch, H, W)``."""
        if x.ndim == 3 and self.in_channels == 1:
            x = x[:, None]
        if x.ndim != 4 or x.shape[1:] != (self.in_channels, self.image_size, self.image_size):
            raise ValueError(f"CNN2d expects images of shape (batch, {self.in_channels}, {self.image_size}, "
                             f"{self.image_size}), got {tuple(x.shape)}")
        return self.head(self.features(x))


class CNN1d(nn.Module):
    """A 1D convolutional network for spectra and light curves.

    Each block is ``Conv1d (same padding) -> ReLU -> MaxPool1d(pool)``. With ``global_pool=True``
    the feature maps are averaged over all pixels (``AdaptiveAvgPool1d(1)``), so the head sees
    *what* was found, not *where*: a feature moved along the spectrum gives (nearly) the same
    output. With ``global_pool=False`` the maps are flattened and the head also learns positions.
    The head is ``Linear(., hidden) -> ReLU -> Dropout -> Linear(hidden, n_out)``.

    Parameters
    ----------
    n_out : int
        Number of outputs.
    n_pixels : int
        Length of the input spectra; at least ``pool ** len(channels)``.
    in_channels : int, default 1
        Channels per pixel (for example flux and its error).
    channels : sequence of int, default (16, 32, 32)
        Output channels of the convolution blocks.
    kernel_size : int, default 7
        Odd length of the convolution kernels.
    pool : int, default 2
        Max-pooling factor per block (1 for none).
    global_pool : bool, default True
        Average over positions (translation invariant head) or flatten (position-aware head).
    hidden : int, default 64
        Width of the dense hidden layer of the head.
    dropout : float, default 0.0
        Dropout probability in the head.
    seed : int, default 0
        Seed of the initial weights.

    Examples
    --------
    >>> import torch
    >>> net = CNN1d(3, n_pixels=64, channels=(4, 8), seed=0)
    >>> net(torch.zeros(5, 64)).shape
    torch.Size([5, 3])
    >>> CNN1d(3, n_pixels=64, channels=(4, 8), global_pool=False)(torch.zeros(5, 1, 64)).shape
    torch.Size([5, 3])
    """

    def __init__(self, n_out, *, n_pixels, in_channels=1, channels=(16, 32, 32), kernel_size=7, pool=2,
                 global_pool=True, hidden=64, dropout=0.0, seed=0):
        super().__init__()
        self.n_out = _check_int("n_out", n_out, maximum=MAX_WIDTH)
        self.n_pixels = _check_int("n_pixels", n_pixels, maximum=MAX_INPUT)
        self.in_channels = _check_int("in_channels", in_channels, maximum=MAX_WIDTH)
        self.channels = _check_sizes("channels", channels)
        self.kernel_size = _check_int("kernel_size", kernel_size, maximum=MAX_WIDTH)
        if self.kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd (for 'same' padding), got {kernel_size!r}")
        self.pool = _check_int("pool", pool, maximum=MAX_WIDTH)
        if self.n_pixels < self.pool ** len(self.channels):
            raise ValueError(f"n_pixels must be at least pool**len(channels) = {self.pool ** len(self.channels)}, "
                             f"got {n_pixels!r}")
        if not isinstance(global_pool, bool):
            raise ValueError(f"global_pool must be True or False, got {global_pool!r}")
        self.global_pool = global_pool
        self.hidden = _check_int("hidden", hidden, maximum=MAX_WIDTH)
        self.dropout = _check_dropout(dropout)
        length = self.n_pixels
        with seeded(seed):
            blocks = []
            c_in = self.in_channels
            for c_out in self.channels:
                blocks += [nn.Conv1d(c_in, c_out, self.kernel_size, padding="same"), nn.ReLU()]
                if self.pool > 1:
                    blocks.append(nn.MaxPool1d(self.pool))
                    length //= self.pool
                c_in = c_out
            self.features = nn.Sequential(*blocks)
            if global_pool:
                self.pooling = nn.Sequential(nn.AdaptiveAvgPool1d(1), nn.Flatten())
                n_features = c_in
            else:
                self.pooling = nn.Flatten()
                n_features = c_in * length
            self.head = nn.Sequential(nn.Linear(n_features, self.hidden), nn.ReLU(), nn.Dropout(self.dropout),
                                      nn.Linear(self.hidden, self.n_out))

    def forward(self, x):
        """Outputs ``(batch, n_out)`` for spectra ``(batch, n_pixels)`` or ``(batch, in_channels, n_pixels)``."""
        if x.ndim == 2 and self.in_channels == 1:
            x = x[:, None]
        if x.ndim != 3 or x.shape[1:] != (self.in_channels, self.n_pixels):
            raise ValueError(f"CNN1d expects input of shape (batch, {self.in_channels}, {self.n_pixels}), "
                             f"got {tuple(x.shape)}")
        return self.head(self.pooling(self.features(x)))


def count_parameters(model, trainable_only=True):
    """Number of parameters (weights and biases) of a torch model.

    Parameters
    ----------
    model : torch.nn.Module
    trainable_only : bool, default True
        Count only parameters with ``requires_grad`` (BatchNorm running statistics are buffers
        and never counted).

    Returns
    -------
    int

    Examples
    --------
    >>> count_parameters(MLP(1, 1, hidden=(32, 32)))  # (1*32 + 32) + (32*32 + 32) + (32*1 + 1)
    1153
    """
    if not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)
