"""LSQR near the memory-bandwidth limit: PyTorch's multithreaded sparse CSR products and a torch LSQR loop.

One LSQR iteration (Paige & Saunders 1982) is one product ``A v``, one product ``A^T u``, and a dozen
vector operations. For a sparse ``A`` the two products read every stored entry once, so the
iteration cannot be faster than ``2 * (bytes of A) / (memory bandwidth)``. scipy reaches that bound
only partly: its CSR products run on one core, ``A^T u`` is a column-oriented (CSC) product whose
writes scatter, and scipy's ``lsqr`` makes temporary copies of every vector in every iteration.

Here the two products are PyTorch's sparse CSR matrix-vector products (``torch.addmv``; Intel MKL's
threaded kernel in the CPU wheels, cuSPARSE on a GPU), with a CSR copy of ``A^T`` stored once so that
both products are row-parallel, and the LSQR recurrences run on torch tensors, in place. We chose torch
because it is already a dependency of the course, is maintained, and runs the same code on a GPU
(``device=astrolab.device()``). The iteration is scipy's :func:`scipy.sparse.linalg.lsqr` line for line
(same stopping rules and ``istop`` codes, ``damp = 0``), so both return the same solution to rounding.

:class:`TorchCSROperator` is the product pair alone, as a scipy ``LinearOperator`` (usable with scipy's
``lsqr``, ``lsmr`` ...); :func:`lsqr_torch` is the whole solver. The bidiagonalisation is written
against a small "engine" interface (``start``, ``step``) so that the distributed solver of
:mod:`astrolab.sparse._distributed` reuses the same loop.
"""

from __future__ import annotations

import contextlib
import math
import time as _time
import warnings

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator
from sklearn.utils import Bunch

from astrolab._validation import as_float_array

__all__ = ["TorchCSROperator", "lsqr_torch"]

_EPS = float(np.finfo(np.float64).eps)


def _check_matrix(A, name="A"):
    if not sp.issparse(A):
        raise TypeError(f"{name} must be a scipy sparse matrix or array, got {type(A).__name__}")
    if A.ndim != 2 or min(A.shape) < 1:
        raise ValueError(f"{name} must be a non-empty 2-D sparse matrix, got shape {A.shape}")
    A = sp.csr_matrix(A, dtype=np.float64)
    if not np.all(np.isfinite(A.data)):
        raise ValueError(f"{name} must not contain NaN or infinite values")
    return A


def _check_rhs(b, n_rows, name="b"):
    b = as_float_array("b", b)
    if b.shape != (n_rows,):
        raise ValueError(f"{name} must be 1-D with one entry per row of A ({n_rows}), got shape {b.shape}")
    if not np.all(np.isfinite(b)):
        raise ValueError(f"{name} must not contain NaN or infinite values")
    return b


def _check_tolerances(atol, btol, conlim, iter_lim, n_cols):
    for name, value in (("atol", atol), ("btol", btol), ("conlim", conlim)):
        if not (isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool)
                and np.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    if iter_lim is None:
        return 2 * n_cols
    if isinstance(iter_lim, bool) or not isinstance(iter_lim, (int, np.integer)) or iter_lim < 1:
        raise ValueError(f"iter_lim must be a positive integer or None, got {iter_lim!r}")
    return int(iter_lim)


def _torch_device(device):
    import torch

    try:
        return torch.device("cpu" if device is None else device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(f"device must be None or a torch device such as 'cpu' or 'cuda', got {device!r}") from err


def _torch_csr(A: sp.csr_matrix, device):
    """The scipy CSR matrix as a torch sparse CSR tensor on ``device`` (int32 indices when they fit)."""
    import torch

    index_dtype = np.int32 if max(A.shape) < 2**31 - 1 and A.nnz < 2**31 - 1 else np.int64
    with warnings.catch_warnings():  # torch warns once that sparse CSR is a "beta" feature
        warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta", category=UserWarning)
        return torch.sparse_csr_tensor(torch.from_numpy(A.indptr.astype(index_dtype, copy=False)),
                                       torch.from_numpy(A.indices.astype(index_dtype, copy=False)),
                                       torch.from_numpy(np.ascontiguousarray(A.data)), size=A.shape,
                                       dtype=torch.float64, device=device, check_invariants=False)


@contextlib.contextmanager
def _threads(num_threads):
    import torch

    if num_threads is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(int(num_threads))
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _check_threads(num_threads):
    if num_threads is not None and (isinstance(num_threads, bool) or not isinstance(num_threads, (int, np.integer))
                                    or num_threads < 1):
        raise ValueError(f"num_threads must be a positive integer or None, got {num_threads!r}")


class _ProductPair:
    """``A v`` and ``A^T u`` for a float64 CSR ``A``: torch CSR for ``A`` and for the short columns of ``A^T``.

    ``A^T u`` as a CSR product of ``A^T`` gathers, for every column of ``A``, the entries of ``u`` in the
    rows where that column is non-zero. For a short column (a star: a few tens of observations, adjacent
    once the rows are sorted by star) that is a few cache lines; for a long one (an attitude knot,
    touched by thousands of observations all over ``u``) it is a random read per entry. So the long
    ("heavy") columns, those with more than ``max(64, 8 x median)`` entries, are summed the other way
    round, by one pass over their rows that scatters into a small, cached output (scipy's CSC
    product). On a GPU everything stays in torch.
    """

    def __init__(self, A: sp.csr_matrix, device):
        import torch

        self.torch, self.device = torch, device
        self.shape = A.shape
        self.A = _torch_csr(A, device)
        counts = np.bincount(A.indices, minlength=A.shape[1])
        heavy = counts > max(64, 8 * np.median(counts))
        if device.type != "cpu" or not heavy.any():
            heavy[:] = False
        self.light_idx, self.heavy_idx = np.flatnonzero(~heavy), np.flatnonzero(heavy)
        self.tail = heavy.any() and bool(np.all(heavy[self.light_idx.size:]))   # heavy columns are the last ones
        AT = A.T.tocsr()
        self.AT_light = _torch_csr(AT[self.light_idx] if heavy.any() else AT, device)
        self.A_heavy = A[:, self.heavy_idx].tocsr() if heavy.any() else None
        self.nbytes = 2 * (A.data.nbytes + A.indices.nbytes + A.indptr.nbytes)

    def matvec(self, v, u=None, beta=0.0):
        """``A v + beta u`` (torch tensors)."""
        if u is None:
            return self.A @ v
        return self.torch.addmv(u, self.A, v, beta=beta)

    def rmatvec(self, u):
        """``A^T u`` (torch tensor)."""
        torch = self.torch
        light = self.AT_light @ u
        if self.A_heavy is None:
            return light
        heavy = torch.from_numpy(self.A_heavy.T @ u.numpy())
        if self.tail:
            return torch.cat([light, heavy])
        out = torch.empty(self.shape[1], dtype=torch.float64)
        out[torch.from_numpy(self.light_idx)] = light
        out[torch.from_numpy(self.heavy_idx)] = heavy
        return out


class TorchCSROperator(LinearOperator):
    """A sparse matrix as a scipy ``LinearOperator`` whose products run in PyTorch's sparse CSR kernel.

    ``A`` and (the short columns of) ``A^T`` are stored in CSR, so that ``A x`` and ``A^T y`` are
    row-parallel gathers; the few long columns are summed by a scatter (see the module docstring).
    About twice the memory of ``A``.

    Parameters
    ----------
    A : scipy sparse matrix, shape (m, n)
        The matrix (converted to float64 CSR).
    device : str or torch.device, optional
        Where the products run (default CPU); e.g. ``astrolab.device()`` for a GPU when there is one.

    Examples
    --------
    >>> A = sp.csr_matrix(np.array([[1.0, 0.0, 2.0], [0.0, 3.0, 0.0]]))
    >>> op = TorchCSROperator(A)
    >>> op.matvec(np.ones(3)).tolist(), op.rmatvec(np.ones(2)).tolist()
    ([3.0, 3.0], [1.0, 3.0, 2.0])
    """

    def __init__(self, A, *, device=None):
        A = _check_matrix(A)
        self.device = _torch_device(device)
        self._pair = _ProductPair(A, self.device)
        self.nbytes = self._pair.nbytes
        super().__init__(dtype=np.float64, shape=A.shape)

    def _tensor(self, x):
        import torch

        return torch.from_numpy(np.ascontiguousarray(np.ravel(x), dtype=np.float64)).to(self.device)

    def _matvec(self, x):
        return self._pair.matvec(self._tensor(x)).cpu().numpy()

    def _rmatvec(self, y):
        return self._pair.rmatvec(self._tensor(y)).cpu().numpy()


class _TorchEngine:
    """Golub-Kahan bidiagonalisation steps with the rows held in one product pair (one machine)."""

    def __init__(self, A: sp.csr_matrix, b: np.ndarray, device):
        import torch

        self.torch, self.device = torch, device
        self.pair = _ProductPair(A, device)
        self.b = torch.from_numpy(b).to(device)
        self.u = None

    def zeros(self, n):
        return self.torch.zeros(n, dtype=self.torch.float64, device=self.device)

    def start(self):
        """``beta = |b|``, ``u = b / beta`` and ``A^T u`` (None when ``b = 0``)."""
        beta = float(self.torch.linalg.vector_norm(self.b))
        if beta == 0:
            return beta, None
        self.u = self.b / beta
        return beta, self.pair.rmatvec(self.u)

    def step(self, v, alpha):
        """``u <- A v - alpha u``; ``beta = |u|``; ``u <- u / beta``; return ``beta`` and ``A^T u``."""
        self.u = self.pair.matvec(v, self.u, -alpha)
        beta = float(self.torch.linalg.vector_norm(self.u))
        if beta == 0:
            return beta, None
        self.u.div_(beta)
        return beta, self.pair.rmatvec(self.u)


def _sym_ortho(a, b):
    """Stable Givens rotation, as in scipy's ``lsqr`` (``c``, ``s``, ``r`` with ``[c s; -s c] [a; b] = [r; 0]``)."""
    if b == 0:
        return math.copysign(1.0, a) if a != 0 else 0.0, 0.0, abs(a)
    if a == 0:
        return 0.0, math.copysign(1.0, b), abs(b)
    if abs(b) > abs(a):
        tau = a / b
        s = math.copysign(1.0, b) / math.sqrt(1 + tau * tau)
        return s * tau, s, b / s
    tau = b / a
    c = math.copysign(1.0, a) / math.sqrt(1 + tau * tau)
    return c, c * tau, a / c


def _lsqr_loop(engine, n, *, atol, btol, conlim, iter_lim, callback=None):
    """scipy's LSQR iteration (``damp = 0``) on torch vectors of length ``n``; products come from ``engine``.

    Returns ``x`` (torch, on the engine's device), ``istop``, ``itn``, ``r1norm``, ``anorm``, ``acond``,
    ``arnorm``, ``xnorm``.
    """
    import torch

    ctol = 1.0 / conlim if conlim > 0 else 0.0
    anorm = acond = ddnorm = xnorm = xxnorm = z = sn2 = 0.0
    cs2 = -1.0
    istop = itn = 0
    x = engine.zeros(n)
    beta, v = engine.start()
    bnorm = beta
    alpha = 0.0
    if v is not None:
        alpha = float(torch.linalg.vector_norm(v))
        if alpha > 0:
            v.div_(alpha)
    else:
        v = engine.zeros(n)
    w = v.clone()
    rhobar, phibar = alpha, beta
    rnorm = r1norm = beta
    arnorm = alpha * beta
    if arnorm == 0:
        return x, istop, itn, r1norm, anorm, acond, arnorm, xnorm
    while itn < iter_lim:
        itn += 1
        beta, r = engine.step(v, alpha)
        if beta > 0:
            anorm = math.sqrt(anorm**2 + alpha**2 + beta**2)
            v = torch.add(r, v, alpha=-beta)            # v <- A^T u - beta v
            alpha = float(torch.linalg.vector_norm(v))
            if alpha > 0:
                v.div_(alpha)
        cs, sn, rho = _sym_ortho(rhobar, beta)
        theta = sn * alpha
        rhobar = -cs * alpha
        phi = cs * phibar
        phibar = sn * phibar
        tau = sn * phi
        t1, t2 = phi / rho, -theta / rho
        x.add_(w, alpha=t1)
        ddnorm += (float(torch.linalg.vector_norm(w)) / abs(rho)) ** 2   # |w / rho|^2, before w is updated
        w.mul_(t2).add_(v)                              # w <- v + t2 w
        delta = sn2 * rho
        gambar = -cs2 * rho
        rhs = phi - delta * z
        zbar = rhs / gambar
        xnorm = math.sqrt(xxnorm + zbar**2)
        gamma = math.sqrt(gambar**2 + theta**2)
        cs2, sn2 = gambar / gamma, theta / gamma
        z = rhs / gamma
        xxnorm += z**2
        acond = anorm * math.sqrt(ddnorm)
        rnorm = abs(phibar)
        arnorm = alpha * abs(tau)
        r1norm = rnorm
        test1 = rnorm / bnorm
        test2 = arnorm / (anorm * rnorm + _EPS)
        test3 = 1 / (acond + _EPS)
        t1 = test1 / (1 + anorm * xnorm / bnorm)
        rtol = btol + atol * anorm * xnorm / bnorm
        if itn >= iter_lim:
            istop = 7
        if 1 + test3 <= 1:
            istop = 6
        if 1 + test2 <= 1:
            istop = 5
        if 1 + t1 <= 1:
            istop = 4
        if test3 <= ctol:
            istop = 3
        if test2 <= atol:
            istop = 2
        if test1 <= rtol:
            istop = 1
        if callback is not None:
            callback(itn)
        if istop != 0:
            break
    return x, istop, itn, r1norm, anorm, acond, arnorm, xnorm


def _result(x, istop, itn, r1norm, anorm, acond, arnorm, xnorm, elapsed, **extra):
    return Bunch(x=x.cpu().numpy(), istop=int(istop), n_iter=int(itn), r1norm=float(r1norm), anorm=float(anorm),
                 acond=float(acond), arnorm=float(arnorm), xnorm=float(xnorm), time=float(elapsed),
                 time_per_iter=float(elapsed / max(itn, 1)), **extra)


def lsqr_torch(A, b, *, atol: float = 1e-8, btol: float = 1e-8, conlim: float = 1e8, iter_lim: int | None = None,
               device=None, num_threads: int | None = None) -> Bunch:
    """Least squares ``min |A x - b|`` by LSQR with PyTorch's sparse CSR products, as scipy's ``lsqr`` does it.

    The same iteration, stopping rules and ``istop`` codes as :func:`scipy.sparse.linalg.lsqr` with
    ``damp = 0``; the products ``A v`` and ``A^T u`` use torch CSR copies of ``A`` and ``A^T`` (built
    once, before the clock starts) and the vectors are updated in place.

    Parameters
    ----------
    A : scipy sparse matrix, shape (m, n)
        The matrix (converted to float64 CSR).
    b : array_like, shape (m,)
        Right-hand side.
    atol, btol : float, default 1e-8
        Stopping tolerances, as in scipy's ``lsqr``.
    conlim : float, default 1e8
        Stop when the estimated condition number exceeds it (0: never).
    iter_lim : int, optional
        Iteration limit (default ``2 n``, as scipy).
    device : str or torch.device, optional
        Where to compute (default CPU); e.g. ``astrolab.device()``.
    num_threads : int, optional
        torch's intra-op threads for this call (default: torch's current setting).

    Returns
    -------
    Bunch
        ``x`` (numpy, shape (n,)), ``istop``, ``n_iter``, ``r1norm`` (``|b - A x|``), ``anorm``, ``acond``,
        ``arnorm``, ``xnorm`` (as scipy's), ``time`` (seconds in the iterations) and ``time_per_iter``.

    Examples
    --------
    >>> A = sp.random(50, 10, density=0.3, random_state=0, format="csr") + sp.eye(50, 10)
    >>> b = np.arange(50.0)
    >>> from scipy.sparse.linalg import lsqr
    >>> sol = lsqr_torch(A, b, atol=1e-12, btol=1e-12)
    >>> bool(np.allclose(sol.x, lsqr(A, b, atol=1e-12, btol=1e-12)[0], rtol=1e-10, atol=0))
    True
    """
    A = _check_matrix(A)
    b = _check_rhs(b, A.shape[0])
    iter_lim = _check_tolerances(atol, btol, conlim, iter_lim, A.shape[1])
    _check_threads(num_threads)
    device = _torch_device(device)
    with _threads(num_threads):
        engine = _TorchEngine(A, b, device)
        start = _time.perf_counter()
        out = _lsqr_loop(engine, A.shape[1], atol=atol, btol=btol, conlim=conlim, iter_lim=iter_lim)
        elapsed = _time.perf_counter() - start
    return _result(*out, elapsed)
