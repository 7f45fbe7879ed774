"""LSQR on a Dask cluster: the rows in blocks held by the workers, only vectors of length n on the wire.

The observations (rows of ``A``) are split into contiguous row blocks, and each block, with its part
``b_k`` of the right-hand side, is sent once to a worker, where it stays. LSQR's left vector ``u``
(one entry per row) never leaves the workers either: worker ``k`` keeps ``u_k``. One iteration is one
round trip:

1. the client sends the right vector ``v`` (length ``n``, the unknowns) and a number ``c`` to the
   workers that hold blocks;
2. each worker updates ``u_k <- A_k v - c u_k`` and returns ``|u_k|^2`` and its partial sum
   ``A_k^T u_k`` (length ``n``);
3. the client adds the partial sums, ``beta = sqrt(sum |u_k|^2)``, ``A^T u = sum_k A_k^T u_k / beta``,
   and does the rest of the LSQR iteration (vectors of length ``n``) itself. The normalisation
   ``u <- u / beta`` is applied on the workers one iteration late, inside ``c = alpha / beta``.

So ``(W + n_blocks) n`` doubles travel per iteration (``W`` the number of workers holding blocks),
however many observations there are: the design of Gaia's AGIS (Lindegren et al. 2012), where the
observations stay on the nodes and the updates of the unknowns move, and of AVU-GSR (Becciani et al.
2014), an LSQR over MPI ranks that each hold a slice of the rows. The iteration is the one of
:func:`astrolab.sparse.lsqr_torch` (scipy's LSQR), with the same answer up to rounding.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.utils import Bunch

from astrolab.sparse._lsqr_fast import _check_matrix, _check_rhs, _check_tolerances, _lsqr_loop, _result

__all__ = ["lsqr_dask"]


@dataclass
class _Block:
    """The rows ``A_k`` (CSR) and ``b_k`` held by one worker."""

    A: sp.csr_matrix
    b: np.ndarray


def _block_start(block: _Block):
    u = block.b.copy()
    return u, float(u @ u), block.A.T @ u


def _block_step(block: _Block, state, v, c):
    u = block.A @ v
    u -= c * state[0]
    return u, float(u @ u), block.A.T @ u


def _summary(state):
    return state[1], state[2]


class _DaskEngine:
    """Golub-Kahan bidiagonalisation steps with the row blocks on the workers of a dask client."""

    def __init__(self, A: sp.csr_matrix, b: np.ndarray, client, n_blocks: int):
        import torch

        self.torch, self.client = torch, client
        workers = sorted(client.scheduler_info()["workers"])
        bounds = np.linspace(0, A.shape[0], n_blocks + 1).round().astype(int)
        self.workers = [workers[k % len(workers)] for k in range(n_blocks)]
        self.holders = sorted(set(self.workers))
        self.blocks = [client.scatter(_Block(A[lo:hi], b[lo:hi]), workers=[w], hash=False)
                       for lo, hi, w in zip(bounds[:-1], bounds[1:], self.workers, strict=True)]
        self.states = None
        self.beta = 1.0
        self.bytes_sent = self.bytes_received = 0
        self.n_rounds = 0

    def zeros(self, n):
        return self.torch.zeros(n, dtype=self.torch.float64)

    def _round(self, func, *args):
        self.states = [self.client.submit(func, blk, *(a(k) for a in args), pure=False, workers=[w])
                       for k, (blk, w) in enumerate(zip(self.blocks, self.workers, strict=True))]
        parts = self.client.gather([self.client.submit(_summary, s, pure=False, workers=[w])
                                    for s, w in zip(self.states, self.workers, strict=True)])
        norm2 = sum(p[0] for p in parts)
        total = parts[0][1].copy()
        for p in parts[1:]:
            total += p[1]
        self.bytes_received += sum(p[1].nbytes + 8 for p in parts)
        self.n_rounds += 1
        beta = float(np.sqrt(norm2))
        self.beta = beta
        if beta == 0:
            return beta, None
        return beta, self.torch.from_numpy(total / beta)

    def start(self):
        return self._round(_block_start)

    def step(self, v, alpha):
        v = np.ascontiguousarray(v.numpy())
        v_future = self.client.scatter(v, workers=self.holders, broadcast=True, hash=False)
        self.bytes_sent += len(self.holders) * (v.nbytes + 8)
        c = alpha / self.beta
        return self._round(_block_step, lambda k: self.states[k], lambda k: v_future, lambda k: c)

    def close(self):
        for future in [*(self.states or []), *self.blocks]:
            future.release()


def lsqr_dask(A, b, *, client, n_blocks: int | None = None, atol: float = 1e-8, btol: float = 1e-8,
              conlim: float = 1e8, iter_lim: int | None = None) -> Bunch:
    """Least squares ``min |A x - b|`` by LSQR with the rows of ``A`` in blocks on a Dask cluster.

    The same iteration, stopping rules and ``istop`` codes as :func:`scipy.sparse.linalg.lsqr`
    (``damp = 0``). Each row block and its part of ``b`` is sent to a worker once (before the clock
    starts); per iteration only the vector of unknowns goes out and one partial ``A_k^T u_k`` per block
    comes back (see the module docstring). Each worker computes with scipy's CSR products (one
    thread per block).

    Parameters
    ----------
    A : scipy sparse matrix, shape (m, n)
        The matrix (converted to float64 CSR). Rows that share unknowns should be adjacent (e.g.
        sorted by star): each block then touches fewer of them.
    b : array_like, shape (m,)
        Right-hand side.
    client : dask.distributed.Client
        The cluster, e.g. ``Client(LocalCluster(n_workers=2, processes=False))`` or ``Client(address)``.
    n_blocks : int, optional
        Number of row blocks (default: one per worker); blocks go to the workers in turn.
    atol, btol, conlim, iter_lim
        As in :func:`astrolab.sparse.lsqr_torch`.

    Returns
    -------
    Bunch
        ``x``, ``istop``, ``n_iter``, ``r1norm``, ``anorm``, ``acond``, ``arnorm``, ``xnorm``, ``time``,
        ``time_per_iter`` as :func:`astrolab.sparse.lsqr_torch`; ``n_workers`` (workers holding blocks),
        ``n_blocks``, ``bytes_per_iter`` (bytes of the vectors and numbers sent to and received from the
        workers in one iteration, by our own count of what the client scatters and gathers) and
        ``bytes_scattered`` (the blocks, sent once).

    Examples
    --------
    >>> from dask.distributed import Client, LocalCluster
    >>> from scipy.sparse.linalg import lsqr
    >>> A = sp.random(200, 30, density=0.1, random_state=0, format="csr") + sp.eye(200, 30)
    >>> b = np.arange(200.0)
    >>> with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None,
    ...                   host="127.0.0.1", protocol="tcp") as cluster, Client(cluster) as client:
    ...     sol = lsqr_dask(A, b, client=client, atol=1e-12, btol=1e-12)
    >>> bool(np.allclose(sol.x, lsqr(A, b, atol=1e-12, btol=1e-12)[0], rtol=1e-10, atol=0)), sol.n_workers
    (True, 2)
    >>> sol.bytes_per_iter == 4 * (30 * 8 + 8)   # v to 2 workers, 2 partial sums back
    True
    """
    from distributed import Client

    if not isinstance(client, Client):
        raise TypeError(f"client must be a dask.distributed.Client, got {type(client).__name__}")
    A = _check_matrix(A)
    b = _check_rhs(b, A.shape[0])
    iter_lim = _check_tolerances(atol, btol, conlim, iter_lim, A.shape[1])
    n_workers = len(client.scheduler_info()["workers"])
    if n_workers < 1:
        raise ValueError("client has no workers")
    if n_blocks is None:
        n_blocks = n_workers
    if isinstance(n_blocks, bool) or not isinstance(n_blocks, (int, np.integer)) or not 1 <= n_blocks <= A.shape[0]:
        raise ValueError(f"n_blocks must be an integer between 1 and the number of rows ({A.shape[0]}), "
                         f"got {n_blocks!r}")
    engine = _DaskEngine(A, b, client, int(n_blocks))
    try:
        start = _time.perf_counter()
        out = _lsqr_loop(engine, A.shape[1], atol=atol, btol=btol, conlim=conlim, iter_lim=iter_lim)
        elapsed = _time.perf_counter() - start
    finally:
        engine.close()
    n_steps = max(engine.n_rounds - 1, 1)   # the first round (A^T b) sends no vector
    first = int(n_blocks) * (A.shape[1] * 8 + 8)
    bytes_per_iter = (engine.bytes_sent + engine.bytes_received - first) / n_steps
    return _result(*out, elapsed, n_workers=len(engine.holders), n_blocks=int(n_blocks),
                   bytes_per_iter=int(round(bytes_per_iter)),
                   bytes_scattered=int(A.data.nbytes + A.indices.nbytes + A.indptr.nbytes + b.nbytes))
