"""Fixed convolution filters from the talk, applied with scipy and as a torch ``Conv2d`` layer.

A convolutional layer slides small kernels over the image and computes, at every position, the
weighted sum of the pixels under the kernel. Like every deep-learning library, torch computes
the cross-correlation :math:`(I \\star K)[i, j] = \\sum_{m,n} I[i+m, j+n] K[m, n]` (no flip of
the kernel), which :func:`filter_image` reproduces with :func:`scipy.ndimage.correlate`.
"""

from __future__ import annotations

import numpy as np

from astrolab._validation import as_float_array

__all__ = ["EXTRA_FILTERS", "SLIDE_FILTERS", "filter_image", "fixed_conv2d"]


def _edge_5x5():
    kernel = -np.ones((5, 5))
    kernel[1:4, 1:4] = 1.78
    return kernel


#: The filters shown in the talk's slide. ``edge_5x5``: -1 on the border and 1.78 in the 3x3
#: interior; its weights sum to 16 x (-1) + 9 x 1.78 = 0.02, almost zero, so a smooth (slowly
#: varying) component of the image almost vanishes and edges and small structures remain.
#: ``laplacian``: the 8-neighbour Laplacian of the slide, +8 in the centre and -1 around (sum 0;
#: positive on peaks). ``prewitt_vertical`` / ``prewitt_horizontal``: the slide's Prewitt derivatives
#: across x (responds to vertical edges, positive where the image brightens to the right) and across y.
SLIDE_FILTERS = {
    "edge_5x5": _edge_5x5(),
    "laplacian": np.array([[-1.0, -1.0, -1.0], [-1.0, 8.0, -1.0], [-1.0, -1.0, -1.0]]),
    "prewitt_vertical": np.array([[-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0]]),
    "prewitt_horizontal": np.array([[-1.0, -1.0, -1.0], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]),
}

#: Filters that are not on the slide but often met: the Sobel derivatives (Prewitt with the centre row
#: or column weighted twice, a little smoother), same sign convention as the Prewitt filters.
EXTRA_FILTERS = {
    "sobel_vertical": np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]),
    "sobel_horizontal": np.array([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]]),
}


def _check_kernel(kernel, name="kernel"):
    kernel = as_float_array("kernel", kernel)
    if kernel.ndim != 2 or kernel.shape[0] != kernel.shape[1] or kernel.shape[0] % 2 == 0:
        raise ValueError(f"{name} must be a square 2D array of odd size (3x3, 5x5, ...), got shape {kernel.shape}")
    if not np.all(np.isfinite(kernel)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return kernel


def filter_image(image, kernel):
    """Cross-correlate an image (or a stack of images) with a kernel: zero padding, same size.

    :math:`F[i, j] = \\sum_{m,n} I[i+m, j+n]\\,K[m, n]` with m, n running from -k//2 to k//2:
    what a ``torch.nn.Conv2d`` layer computes (see :func:`fixed_conv2d`). A true convolution
    flips the kernel, ``filter_image(image, kernel[::-1, ::-1])``; the two agree for symmetric
    kernels such as the Laplacian and ``edge_5x5``.

    Parameters
    ----------
    image : array_like, shape (ny, nx) or (n, ny, nx)
        One image or a stack of images (each filtered on its own).
    kernel : array_like, shape (k, k)
        Square kernel of odd size.

    Returns
    -------
    ndarray of float, the shape of ``image``

    Examples
    --------
    >>> image = np.zeros((5, 5)); image[2, 2] = 1.0
    >>> filter_image(image, SLIDE_FILTERS["laplacian"])[1:4, 1:4]
    array([[-1., -1., -1.],
           [-1.,  8., -1.],
           [-1., -1., -1.]])
    """
    from scipy import ndimage

    kernel = _check_kernel(kernel)
    image = as_float_array("image", image)
    if image.ndim not in (2, 3) or min(image.shape[-2:]) < 1:
        raise ValueError(f"image must be a 2D array (ny, nx) or a stack (n, ny, nx), got shape {image.shape}")
    weights = kernel if image.ndim == 2 else kernel[None]
    return ndimage.correlate(image, weights, mode="constant", cval=0.0)


def fixed_conv2d(kernels):
    """A ``torch.nn.Conv2d`` layer with fixed (not trained) weights: one output channel per kernel.

    Parameters
    ----------
    kernels : array_like, shape (k, k), or a sequence of such arrays of the same size
        The kernels; the layer maps 1 input channel to ``len(kernels)`` output channels with
        ``padding=k//2`` (same size as the input, zero padding) and no bias.

    Returns
    -------
    torch.nn.Conv2d
        With ``weight.requires_grad`` False. ``layer(x)`` with x of shape (n, 1, ny, nx) equals
        :func:`filter_image` with each kernel.

    Examples
    --------
    >>> layer = fixed_conv2d([SLIDE_FILTERS["prewitt_vertical"], SLIDE_FILTERS["prewitt_horizontal"]])
    >>> layer
    Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
    >>> layer.weight.requires_grad
    False
    """
    import torch

    if isinstance(kernels, np.ndarray) and kernels.ndim == 2:
        kernels = [kernels]
    elif (not isinstance(kernels, (list, tuple, np.ndarray)) or (isinstance(kernels, np.ndarray) and kernels.ndim == 0)
          or len(kernels) == 0):
        raise ValueError("kernels must be a 2D kernel or a non-empty sequence of kernels, "
                         f"got {type(kernels).__name__} {kernels!r}")
    elif len(kernels) and np.ndim(kernels[0]) == 1:  # a nested list that is one kernel
        kernels = [kernels]
    checked = [_check_kernel(k, f"kernels[{i}]") for i, k in enumerate(kernels)]
    sizes = {k.shape for k in checked}
    if len(sizes) != 1:
        raise ValueError(f"kernels must all have the same size, got shapes {sorted(sizes)}")
    size = checked[0].shape[0]
    with torch.random.fork_rng(devices=[]):  # the default initialisation must not advance the global RNG
        layer = torch.nn.Conv2d(1, len(checked), size, padding=size // 2, bias=False)
    with torch.no_grad():
        layer.weight.copy_(torch.as_tensor(np.stack(checked)[:, None], dtype=layer.weight.dtype))
    layer.weight.requires_grad_(False)
    return layer
