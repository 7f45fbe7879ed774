"""Chapter 3b: LSQR on the astrometric design matrix, explicit CSR against the matrix-free operator.

Rows: JASMINE-like along-scan problems (``astrolab.datasets.make_astrometry``, 10 observations per
star, 5 unknowns per star plus the attitude) at about 1e4, 1e5 and 1e6 unknowns. Each side builds
its design (CSR matrix, or ``design_operator``) from the observations and runs a fixed number of
LSQR iterations (``atol = btol = 0``), so the time of a call is build + iterations and the peak
memory includes what the side stores. The quality column gives the time of one LSQR iteration
alone (one ``D x`` and one ``D^T y``) for both sides and the memory-bandwidth bound of that SpMV
pair: the bytes of the CSR arrays (8-byte values, 4-byte column indices, row pointers), read twice,
divided by the bandwidth of a large ``numpy.copyto`` measured in the same run. The 1e6-unknown case
runs 10 iterations and at most 2 timed calls per side; the three rows take about 30 s in all.
"""

from __future__ import annotations

import functools
import time

import numpy as np

N_OBS_PER_STAR = 10
SIZES = {2_000: 50, 20_000: 30, 200_000: 10}  # stars -> LSQR iterations (the 1e6 case is kept short)


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


def build_operator(n_stars):
    from astrolab.sparse._astrometry import design_operator

    data, _ = problem(n_stars)
    return design_operator(data, data.n_stars, data.knots, sigma=data.sigma)


def run_lsqr(A, b, n_iter):
    from scipy.sparse.linalg import lsqr

    return lsqr(A, b, atol=0.0, btol=0.0, conlim=0.0, iter_lim=n_iter)[0]


def time_per_iteration(A, b, n_iter) -> float:
    start = time.perf_counter()
    run_lsqr(A, b, n_iter)
    return (time.perf_counter() - start) / n_iter


def _fmt(seconds):
    return f"{seconds * 1e3:.3g} ms"


def cases():
    from _harness import Case

    out = []
    for n_stars, n_iter in SIZES.items():
        def ours(n_stars=n_stars, n_iter=n_iter):
            return run_lsqr(build_operator(n_stars), problem(n_stars)[1], n_iter)

        def reference(n_stars=n_stars, n_iter=n_iter):
            return run_lsqr(build_csr(n_stars), problem(n_stars)[1], n_iter)

        def quality(x_ours, x_ref, n_stars=n_stars, n_iter=n_iter):
            b = problem(n_stars)[1]
            D = build_csr(n_stars)
            t_csr = time_per_iteration(D, b, n_iter)
            t_op = time_per_iteration(build_operator(n_stars), b, n_iter)
            matrix_bytes = D.data.nbytes + D.indices.nbytes + D.indptr.nbytes
            bound = 2 * matrix_bytes / bandwidth_bytes_per_s()
            diff = np.max(np.abs(x_ours - x_ref)) / np.max(np.abs(x_ref))
            return (f"per iteration: operator {_fmt(t_op)}, CSR {_fmt(t_csr)}; bandwidth bound of the CSR SpMV pair "
                    f"{_fmt(bound)} ({matrix_bytes / 2**20:.0f} MiB at {bandwidth_bytes_per_s() / 1e9:.1f} GB/s, "
                    f"CSR at {bound / t_csr:.0%} of it); max rel diff {diff:.0e}")

        n_obs = n_stars * N_OBS_PER_STAR
        n_unknowns = 5 * n_stars + max(20, n_stars // 100)
        out.append(Case("3b", f"astrometric LSQR, {n_obs:.0e} obs x {n_unknowns:.1e} unknowns, {n_iter} iterations",
                        ("astrolab design_operator (matrix-free, bincount)", ours),
                        ("scipy CSR design_matrix", reference),
                        quality=quality, setup=lambda n_stars=n_stars: (problem(n_stars), bandwidth_bytes_per_s()),
                        max_repeat=2 if n_stars >= 200_000 else None))
    return out
