"""Linear operators for sparse modelling: a dense matrix, and the Fourier operator of an interferometer."""

from __future__ import annotations

import numpy as np

__all__ = ["FourierOperator", "MatrixOperator", "as_operator", "power_iteration"]


class MatrixOperator:
    """A dense (real or complex) matrix seen as an operator: ``matvec(x) = A @ x``, ``rmatvec(y) = A^H @ y``.

    Parameters
    ----------
    matrix : array_like, shape (n_data, n_params)

    Examples
    --------
    >>> op = MatrixOperator([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    >>> op.shape, op.matvec([1.0, 1.0]).tolist()
    ((3, 2), [3.0, 7.0, 11.0])
    """

    def __init__(self, matrix):
        matrix = np.asarray(matrix)
        if matrix.ndim != 2:
            raise ValueError(f"matrix must be 2-D, got shape {matrix.shape}")
        self.matrix = matrix
        self.shape = matrix.shape

    def matvec(self, x):
        return self.matrix @ np.asarray(x)

    def rmatvec(self, y):
        return self.matrix.conj().T @ np.asarray(y)


class FourierOperator:
    """Visibilities of a pixelated sky image at baselines (u, v): the measurement operator of an interferometer.

    For an image ``I`` of ``ny x nx`` pixels of angular size ``pixel_size`` (radians) centred on the
    phase centre, ``V_m = sum_{y,x} I[y, x] exp(-2 pi i (u_m l_x + v_m m_y))`` with direction cosines
    ``l`` (east, increasing to the left on the sky, i.e. decreasing with the image column) and ``m``
    (north). The sum is separable, so the operator stores two small matrices of phases
    (``n_vis x nx`` and ``n_vis x ny``) instead of the dense ``n_vis x nx ny`` one: the same cost, a
    fraction of the memory. ``rmatvec`` is the exact adjoint (the "dirty image" of the data).

    Parameters
    ----------
    u, v : array_like
        Baseline coordinates in wavelengths.
    image_shape : tuple of int
        ``(ny, nx)``.
    pixel_size : float
        Pixel size in radians.
    weights : array_like, optional
        Multiply each row (visibility) by a weight, e.g. ``1 / sigma`` to whiten the noise; the data
        must then be weighted alike.

    Examples
    --------
    >>> op = FourierOperator([0.0, 1e9], [0.0, 0.0], (8, 8), 5e-12)
    >>> image = np.zeros((8, 8)); image[4, 4] = 1.0   # a point at the phase centre
    >>> np.round(op.matvec(image.ravel()), 6).tolist()
    [(1+0j), (1+0j)]
    """

    def __init__(self, u, v, image_shape, pixel_size, weights=None):
        u = np.asarray(u, dtype=float).ravel()
        v = np.asarray(v, dtype=float).ravel()
        if u.shape != v.shape:
            raise ValueError(f"u and v must have the same length, got {u.size} and {v.size}")
        if not np.all(np.isfinite(u)) or not np.all(np.isfinite(v)):
            raise ValueError("u and v must be finite")
        if len(image_shape) != 2 or min(image_shape) < 2:
            raise ValueError(f"image_shape must be (ny, nx) with at least 2 pixels each, got {image_shape!r}")
        if not pixel_size > 0:
            raise ValueError(f"pixel_size must be a positive angle in radians, got {pixel_size!r}")
        ny, nx = (int(n) for n in image_shape)
        self.u, self.v, self.image_shape, self.pixel_size = u, v, (ny, nx), float(pixel_size)
        self.weights = None if weights is None else np.asarray(weights, dtype=float).ravel()
        if self.weights is not None and (self.weights.shape != u.shape or not np.all(np.isfinite(self.weights))):
            raise ValueError(f"weights must be {u.size} finite numbers, one per visibility")
        self.l = -(np.arange(nx) - nx // 2) * pixel_size  # east to the left
        self.m = (np.arange(ny) - ny // 2) * pixel_size
        self._ex = np.exp(-2j * np.pi * np.outer(u, self.l))  # (n_vis, nx)
        self._ey = np.exp(-2j * np.pi * np.outer(v, self.m))  # (n_vis, ny)
        self.shape = (u.size, nx * ny)

    def matvec(self, x):
        image = np.asarray(x).reshape(self.image_shape)
        partial = image @ self._ex.T  # (ny, n_vis): sum over x
        out = np.einsum("my,ym->m", self._ey, partial)
        return out if self.weights is None else out * self.weights

    def rmatvec(self, y):
        y = np.asarray(y)
        if self.weights is not None:
            y = y * self.weights
        return ((self._ey.conj() * y[:, None]).T @ self._ex.conj()).ravel()

    def subset(self, index):
        """The operator of a subset of the visibilities (for cross-validation)."""
        w = None if self.weights is None else self.weights[index]
        return FourierOperator(self.u[index], self.v[index], self.image_shape, self.pixel_size, weights=w)


def as_operator(A):
    """``A`` if it has ``matvec``, ``rmatvec`` and ``shape``; a :class:`MatrixOperator` for a 2-D array."""
    if all(hasattr(A, name) for name in ("matvec", "rmatvec", "shape")):
        return A
    return MatrixOperator(A)


def power_iteration(A, n_iter: int = 100, seed=0, tol: float = 1e-6):
    """Largest eigenvalue of ``Re(A^H A)`` (the Lipschitz constant of the least-squares gradient).

    Examples
    --------
    >>> round(power_iteration(np.diag([3.0, 1.0])), 6)
    9.0
    """
    A = as_operator(A)
    x = np.random.default_rng(seed).normal(size=A.shape[1])
    x /= np.linalg.norm(x)
    value = 0.0
    for _ in range(n_iter):
        y = np.real(A.rmatvec(A.matvec(x)))
        new = float(np.linalg.norm(y))
        if new == 0:
            return 0.0
        x = y / new
        if abs(new - value) <= tol * new:
            value = new
            break
        value = new
    return value
