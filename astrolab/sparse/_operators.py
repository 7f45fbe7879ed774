"""Linear operators for sparse modelling: a dense matrix, any operator, the largest eigenvalue of ``A^H A``.

The Fourier operator of an interferometer lives in :mod:`astrolab.interferometry` (re-exported here).
"""

from __future__ import annotations

import numpy as np

from astrolab._validation import check_real, check_rng
from astrolab.interferometry import FourierOperator

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
        if matrix.ndim != 2 or matrix.dtype.kind not in "biufc":
            raise ValueError(f"matrix must be a 2-D array of numbers, got {matrix.dtype} of shape {matrix.shape}")
        self.matrix = matrix
        self.shape = matrix.shape

    def matvec(self, x):
        return self.matrix @ np.asarray(x)

    def rmatvec(self, y):
        return self.matrix.conj().T @ np.asarray(y)


def as_operator(A):
    """``A`` if it has ``matvec``, ``rmatvec`` and ``shape``; a :class:`MatrixOperator` for a 2-D array."""
    if all(hasattr(A, name) for name in ("matvec", "rmatvec", "shape")):
        return A
    matrix = np.asarray(A) if not hasattr(A, "toarray") else A
    if not hasattr(A, "toarray") and (matrix.dtype.kind not in "biufc" or matrix.ndim != 2):
        raise ValueError(f"A must be a 2-D array of numbers or an operator with matvec, rmatvec and shape, "
                         f"got {type(A).__name__} of shape {np.shape(matrix)}")
    return MatrixOperator(A)


def power_iteration(A, n_iter: int = 100, seed=0, tol: float = 1e-6):
    """Largest eigenvalue of ``Re(A^H A)`` (the Lipschitz constant of the least-squares gradient).

    Examples
    --------
    >>> round(power_iteration(np.diag([3.0, 1.0])), 6)
    9.0
    """
    from astrolab._validation import check_int

    n_iter = check_int("n_iter", n_iter, min=1)
    tol = check_real("tol", tol, min=0)
    A = as_operator(A)
    x = check_rng("seed", seed).normal(size=A.shape[1])
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
