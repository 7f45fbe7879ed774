"""Chapter 3b: LSQR on the astrometric design matrix: scipy's CSR, the fast torch kernel, the bound, and Dask.

Rows 1-3: JASMINE-like along-scan problems (``astrolab.datasets.make_astrometry``, 10 observations per
star, 5 unknowns per star plus the attitude) at about 1e4, 1e5 and 1e6 unknowns. Ours is
:func:`astrolab.sparse.lsqr_torch` (scipy's LSQR iteration on PyTorch's multithreaded sparse CSR
products, rows sorted by star); the reference is scipy's ``lsqr`` on the CSR matrix of
``design_matrix`` (rows in time order, as the data come). Each side builds what it needs from the
observations and runs a fixed number of iterations (``atol = btol = conlim = 0``), so the time of a
call is build + iterations. The quality column gives the time of one iteration alone for scipy on
CSR (time order and star order), astrolab's matrix-free operator, and the fast kernel, against the
memory-bandwidth bound of the SpMV pair: the bytes of the CSR arrays (8-byte values, 4-byte column
indices, row pointers), read twice, divided by the bandwidth of a large ``numpy.copyto`` measured in
the same run. The difference of the solutions is given against scipy on the same (star-sorted) rows,
and against the reference: these problems have no column scaling and no gauge, so after a fixed number
of iterations the near-null (gauge) directions amplify the rounding, which the row order changes;
converged and gauge-fixed, the solutions agree to 1e-10 (tests/test_astrometry_fast.py). torch's
allocations are not seen by tracemalloc: the peak memory of ours counts the numpy arrays (the CSR
and its star-sorted copy, the CSR of the short columns of ``A^T``) only, not torch's work vectors
(about ``m + 4 n`` doubles).

Row 4: the same LSQR with the rows in blocks on a Dask ``LocalCluster`` (2 single-threaded workers in
this process, 127.0.0.1), against the fast kernel on one machine, at 1e5 unknowns; the quality gives
time and bytes moved per iteration with 1 and 2 workers. The 1e6-unknown case runs 10 iterations and
at most 2 timed calls per side; the four rows take one to three minutes in all.
"""

from __future__ import annotations

import atexit
import functools
import time

import numpy as np

N_OBS_PER_STAR = 10
SIZES = {2_000: 50, 20_000: 30, 200_000: 10}  # stars -> LSQR iterations (the 1e6 case is kept short)
DASK_STARS, DASK_ITER = 20_000, 20
FIXED = dict(atol=0.0, btol=0.0, conlim=0.0)


@functools.cache
def problem(n_stars: int):
    from astrolab.datasets._astrometry import make_astrometry

    data = make_astrometry(n_stars=n_stars, n_obs_per_star=N_OBS_PER_STAR,
                           n_attitude_knots=max(20, n_stars // 100), seed=0)
    return data, (data.w - data.w_ref) / data.sigma


@functools.cache
def bandwidth_bytes_per_s() -> float:
    """Sustained memory bandwidth: bytes read + written per second by ``np.copyto`` of 256 MiB."""
    src = np.ones(2**25)
    dst = np.empty_like(src)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - start)
    return 2 * src.nbytes / best


def build_csr(n_stars):
    from astrolab.sparse._astrometry import design_matrix

    data, _ = problem(n_stars)
    return design_matrix(data, data.n_stars, data.knots, sigma=data.sigma)


def build_sorted(n_stars):
    """The CSR matrix and right-hand side with the rows sorted by star (what ``backend="torch"`` does)."""
    data, b = problem(n_stars)
    order = np.argsort(data.star, kind="stable")
    return build_csr(n_stars)[order], b[order]


def build_operator(n_stars):
    from astrolab.sparse._astrometry import design_operator

    data, _ = problem(n_stars)
    return design_operator(data, data.n_stars, data.knots, sigma=data.sigma)


def run_lsqr(A, b, n_iter):
    from scipy.sparse.linalg import lsqr

    return lsqr(A, b, iter_lim=n_iter, **FIXED)[0]


def run_fast(n_stars, n_iter):
    from astrolab.sparse import lsqr_torch

    A, b = build_sorted(n_stars)
    return lsqr_torch(A, b, iter_lim=n_iter, **FIXED)


def time_per_iteration(A, b, n_iter) -> float:
    start = time.perf_counter()
    run_lsqr(A, b, n_iter)
    return (time.perf_counter() - start) / n_iter


@functools.cache
def dask_client():
    """A LocalCluster of 2 single-threaded workers in this process (127.0.0.1), closed at exit."""
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None,
                           host="127.0.0.1", protocol="tcp")
    client = Client(cluster)

    def close():
        client.close()
        cluster.close()

    atexit.register(close)
    return client


def run_dask(n_stars, n_iter, n_workers):
    from astrolab.sparse import lsqr_dask

    A, b = build_sorted(n_stars)
    return lsqr_dask(A, b, client=dask_client(), n_blocks=n_workers, iter_lim=n_iter, **FIXED)


def _fmt(seconds):
    return f"{seconds * 1e3:.3g} ms"


def _rel(x, ref):
    return np.max(np.abs(x - ref)) / np.max(np.abs(ref))


def cases():
    from _harness import Case

    out = []
    for n_stars, n_iter in SIZES.items():
        def ours(n_stars=n_stars, n_iter=n_iter):
            return run_fast(n_stars, n_iter).x

        def reference(n_stars=n_stars, n_iter=n_iter):
            return run_lsqr(build_csr(n_stars), problem(n_stars)[1], n_iter)

        def quality(x_ours, x_ref, n_stars=n_stars, n_iter=n_iter):
            b = problem(n_stars)[1]
            D = build_csr(n_stars)
            t_csr = time_per_iteration(D, b, n_iter)
            A_star, b_star = build_sorted(n_stars)
            t_star = time_per_iteration(A_star, b_star, n_iter)
            same_rows = _rel(x_ours, run_lsqr(A_star, b_star, n_iter))
            t_op = time_per_iteration(build_operator(n_stars), b, n_iter)
            t_fast = min(run_fast(n_stars, n_iter).time_per_iter for _ in range(2))
            matrix_bytes = D.data.nbytes + D.indices.nbytes + D.indptr.nbytes
            bound = 2 * matrix_bytes / bandwidth_bytes_per_s()
            return (f"per iteration: fast kernel {_fmt(t_fast)} ({t_fast / bound:.1f}x bound), scipy CSR "
                    f"{_fmt(t_csr)} ({t_csr / bound:.1f}x; rows by star {_fmt(t_star)}), operator {_fmt(t_op)}; "
                    f"bandwidth bound of the CSR SpMV pair {_fmt(bound)} ({matrix_bytes / 2**20:.0f} MiB at "
                    f"{bandwidth_bytes_per_s() / 1e9:.1f} GB/s); max rel diff {same_rows:.0e} from scipy on the "
                    f"same rows, "
                    f"{_rel(x_ours, x_ref):.0e} from scipy on time-ordered rows")

        n_obs = n_stars * N_OBS_PER_STAR
        n_unknowns = 5 * n_stars + max(20, n_stars // 100)
        out.append(Case("3b", f"astrometric LSQR, {n_obs:.0e} obs x {n_unknowns:.1e} unknowns, {n_iter} iterations",
                        ("astrolab lsqr_torch (torch sparse CSR, rows by star)", ours),
                        ("scipy lsqr on CSR design_matrix", reference),
                        quality=quality, setup=lambda n_stars=n_stars: (problem(n_stars), bandwidth_bytes_per_s()),
                        max_repeat=2 if n_stars >= 200_000 else None))

    def dask_ours():
        return run_dask(DASK_STARS, DASK_ITER, 2).x

    def dask_reference():
        return run_fast(DASK_STARS, DASK_ITER).x

    def dask_quality(x_ours, x_ref):
        runs = {k: run_dask(DASK_STARS, DASK_ITER, k) for k in (1, 2)}
        t_fast = run_fast(DASK_STARS, DASK_ITER).time_per_iter
        parts = [f"{k} worker{'s' if k > 1 else ''} {_fmt(r.time_per_iter)}, {r.bytes_per_iter / 2**20:.2f} MiB"
                 for k, r in runs.items()]
        return (f"per iteration: Dask {'; '.join(parts)} moved (v out, partial A^T u back); one machine "
                f"{_fmt(t_fast)}; blocks sent once {runs[2].bytes_scattered / 2**20:.0f} MiB; "
                f"max rel diff {_rel(x_ours, x_ref):.0e}")

    n_unknowns = 5 * DASK_STARS + max(20, DASK_STARS // 100)
    out.append(Case("3b", f"astrometric LSQR on Dask, {DASK_STARS * N_OBS_PER_STAR:.0e} obs x {n_unknowns:.1e} "
                          f"unknowns, {DASK_ITER} iterations",
                    ("astrolab lsqr_dask (2 workers, LocalCluster)", dask_ours),
                    ("astrolab lsqr_torch (one machine)", dask_reference),
                    quality=dask_quality, setup=lambda: (problem(DASK_STARS), dask_client())))
    return out
