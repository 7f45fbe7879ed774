"""Global astrometric solution as a sparse least-squares problem: design matrix, operator, LSQR and AGIS.

Linearised about an approximate solution ``p0``, the along-scan measurements ``o`` of JASMINE or Gaia
are ``o - o(p0) = D dp + noise``: ``D`` has one row per measurement and one column per unknown,
five per star (``da``, ``dd``, parallax, ``mu_a``, ``mu_d``) and one per attitude knot. A row
touches only its own star and the two attitude knots around its time: seven non-zeros, however many
unknowns there are. The solvers here are LSQR (Paige & Saunders 1982) on the whole system and a
block-iterative scheme in the spirit of AGIS (Lindegren et al. 2012) that alternates between the star
and attitude blocks.

``obs`` below is any mapping (such as the Bunch of :func:`astrolab.datasets.make_astrometry`) with
arrays ``time`` (yr), ``star`` (index), ``scan_angle`` (rad), ``parallax_factor_ra`` and
``parallax_factor_dec``, one entry per observation.
"""

from __future__ import annotations

import time as _time

import numpy as np
import scipy.sparse as sp
from scipy.linalg import solveh_banded
from scipy.sparse.linalg import LinearOperator, lsqr
from sklearn.utils import Bunch

from astrolab._validation import _show, as_float_array, check_int, check_real, check_size

__all__ = ["astrometric_solution", "block_iterative_solution", "design_matrix", "design_operator",
           "formal_errors", "gauge_matrix"]

N_STAR_PARAMS = 5
_OBS_KEYS = ("time", "star", "scan_angle", "parallax_factor_ra", "parallax_factor_dec")


class _Rows:
    """Validated per-observation quantities: the five star partials, star index, knot interval and weight."""

    def __init__(self, obs, n_stars, knots, sigma=None):
        if not (hasattr(obs, "__contains__") and hasattr(obs, "__getitem__")) or isinstance(obs, (str, bytes)):
            raise ValueError(f"obs must be a mapping or table with the arrays {list(_OBS_KEYS)}, got {_show(obs)}")
        missing = [k for k in _OBS_KEYS if k not in obs]
        if missing:
            raise ValueError(f"obs must provide the arrays {list(_OBS_KEYS)}; missing {missing}")
        t = np.asarray(obs["time"], dtype=float)
        if t.ndim != 1 or t.size == 0:
            raise ValueError(f"obs['time'] must be a non-empty 1-D array, got shape {t.shape}")
        arrays = {k: np.asarray(obs[k]) for k in _OBS_KEYS}
        bad = {k: a.shape for k, a in arrays.items() if a.shape != t.shape}
        if bad:
            raise ValueError(f"all obs arrays must have the shape of obs['time'] {t.shape}, got {bad}")
        if not np.all(np.isfinite(t)):
            raise ValueError("obs['time'] must not contain NaN or infinite values")
        if isinstance(n_stars, bool) or not isinstance(n_stars, (int, np.integer)) or n_stars < 1:
            raise ValueError(f"n_stars must be a positive integer, got {n_stars!r}")
        # the solvers keep a handful of vectors of 5 n_stars unknowns (and the normal blocks, 25 per star)
        check_size("n_stars", 8 * 64 * N_STAR_PARAMS * int(n_stars), request=f"n_stars={n_stars}")
        star = arrays["star"]
        if not np.issubdtype(star.dtype, np.integer):
            raise ValueError(f"obs['star'] must hold integer star indices, got dtype {star.dtype}")
        if star.min() < 0 or star.max() >= n_stars:
            raise ValueError(f"obs['star'] must lie in [0, n_stars = {n_stars}), got [{star.min()}, {star.max()}]")
        knots = as_float_array("knots", knots)
        if knots.ndim != 1 or knots.size < 2 or not np.all(np.diff(knots) > 0):
            raise ValueError(f"knots must be a strictly increasing 1-D array of >= 2 times, got {knots!r}")
        if t.min() < knots[0] or t.max() > knots[-1]:
            raise ValueError(f"knots must span the observation times [{t.min():.4g}, {t.max():.4g}] yr, "
                             f"got [{knots[0]:.4g}, {knots[-1]:.4g}]")
        if sigma is None:
            weight = np.ones_like(t)
        else:
            sigma = as_float_array("sigma", sigma)
            if sigma.ndim > 1 or sigma.size not in (1, t.size):
                raise ValueError(f"sigma must be one number or one per observation ({t.size}), got shape {sigma.shape}")
            sigma = np.broadcast_to(sigma, t.shape)
            if not np.all(sigma > 0) or not np.all(np.isfinite(sigma)):
                raise ValueError("sigma must be positive and finite for every observation")
            weight = 1.0 / sigma
        theta = np.asarray(arrays["scan_angle"], dtype=float)
        s, c = np.sin(theta), np.cos(theta)
        self.t, self.sin, self.cos = t, s, c
        self.p_along = np.asarray(arrays["parallax_factor_ra"], float) * s + \
            np.asarray(arrays["parallax_factor_dec"], float) * c
        self.star = star.astype(np.intp, copy=False)
        j = np.clip(np.searchsorted(knots, t, side="right") - 1, 0, knots.size - 2)
        self.knot = j
        self.frac = (t - knots[j]) / (knots[j + 1] - knots[j])
        self.weight = weight
        self.n_stars, self.n_knots = int(n_stars), knots.size
        self.shape = (t.size, N_STAR_PARAMS * self.n_stars + self.n_knots)

    def star_partials(self):
        """Shape (n_obs, 5): d w / d (da, dd, plx, mu_a, mu_d), times the row weight."""
        cols = np.column_stack([self.sin, self.cos, self.p_along, self.t * self.sin, self.t * self.cos])
        return cols * self.weight[:, None]

    def column_norms(self):
        """Euclidean norm of every column of the (weighted) design matrix, without forming it."""
        w2 = self.weight ** 2
        parts = [self.sin ** 2, self.cos ** 2, self.p_along ** 2, (self.t * self.sin) ** 2, (self.t * self.cos) ** 2]
        star = np.column_stack([np.bincount(self.star, weights=w2 * q, minlength=self.n_stars) for q in parts])
        att = (np.bincount(self.knot, weights=w2 * (1 - self.frac) ** 2, minlength=self.n_knots)
               + np.bincount(self.knot + 1, weights=w2 * self.frac ** 2, minlength=self.n_knots))
        return np.sqrt(np.concatenate([star.ravel(), att]))


def design_matrix(obs, n_stars: int, knots, *, sigma=None):
    """The sparse Jacobian ``D = d w / d p`` of the along-scan model, as a CSR matrix.

    Columns ``5 i ... 5 i + 4`` belong to star ``i`` (``da``, ``dd`` in uas; parallax in uas; ``mu_a``,
    ``mu_d`` in uas/yr); the last ``len(knots)`` columns are the attitude at the knots (uas). Row ``k``
    holds ``sin(theta)``, ``cos(theta)``, ``P_a sin(theta) + P_d cos(theta)``, ``t sin(theta)``,
    ``t cos(theta)`` for its star and the linear-interpolation weights ``1 - f`` and ``f`` of the two
    knots around ``t``: exactly 7 stored entries per row.

    Parameters
    ----------
    obs : mapping
        Observations (see the module docstring), e.g. from :func:`astrolab.datasets.make_astrometry`.
    n_stars : int
        Number of stars (star indices run from 0 to ``n_stars - 1``).
    knots : array_like
        Increasing attitude knot times (yr) that span the observation times.
    sigma : array_like, optional
        Measurement errors (uas); when given every row is divided by its ``sigma`` (whitened).

    Returns
    -------
    scipy.sparse.csr_matrix, shape (n_obs, 5 n_stars + n_knots)

    Examples
    --------
    >>> obs = dict(time=np.array([0.25]), star=np.array([0]), scan_angle=np.array([np.pi / 2]),
    ...            parallax_factor_ra=np.array([0.5]), parallax_factor_dec=np.array([0.0]))
    >>> D = design_matrix(obs, 1, [0.0, 1.0])
    >>> D.shape, D.nnz, D.toarray().round(3).tolist()
    ((1, 7), 7, [[1.0, 0.0, 0.5, 0.25, 0.0, 0.75, 0.25]])
    """
    rows = _Rows(obs, n_stars, knots, sigma)
    n = rows.shape[0]
    nnz_row = N_STAR_PARAMS + 2
    base = N_STAR_PARAMS * rows.star
    att0 = N_STAR_PARAMS * rows.n_stars + rows.knot
    index_dtype = np.int32 if max(rows.shape) < 2**31 - 1 and n * nnz_row < 2**31 - 1 else np.int64
    indices = np.column_stack([base + k for k in range(N_STAR_PARAMS)] + [att0, att0 + 1]).astype(index_dtype)
    data = np.column_stack([rows.star_partials(), rows.weight * (1 - rows.frac), rows.weight * rows.frac])
    indptr = np.arange(0, n * nnz_row + 1, nnz_row, dtype=index_dtype)
    return sp.csr_matrix((data.ravel(), indices.ravel(), indptr), shape=rows.shape)


def design_operator(obs, n_stars: int, knots, *, sigma=None) -> LinearOperator:
    """The design matrix of :func:`design_matrix` as a matrix-free ``LinearOperator``.

    ``matvec`` evaluates the linear model for every observation from the per-observation quantities
    (a gather of each row's star and knots); ``rmatvec`` accumulates the rows into the columns with
    :func:`numpy.bincount` (a scatter). Neither the matrix nor its indices are stored: only the
    observations' own arrays and their sines and cosines.

    Parameters
    ----------
    obs, n_stars, knots, sigma
        As in :func:`design_matrix`.

    Returns
    -------
    scipy.sparse.linalg.LinearOperator, shape (n_obs, 5 n_stars + n_knots)

    Examples
    --------
    >>> obs = dict(time=np.array([0.25]), star=np.array([0]), scan_angle=np.array([np.pi / 2]),
    ...            parallax_factor_ra=np.array([0.5]), parallax_factor_dec=np.array([0.0]))
    >>> op = design_operator(obs, 1, [0.0, 1.0])
    >>> op.matvec(np.ones(7)).round(3).tolist(), op.rmatvec(np.ones(1)).round(3).tolist()
    ([2.75], [1.0, 0.0, 0.5, 0.25, 0.0, 0.75, 0.25])
    """
    rows = _Rows(obs, n_stars, knots, sigma)
    return _operator_from_rows(rows)


def _operator_from_rows(rows: _Rows, column_scale=None) -> LinearOperator:
    n_star_cols = N_STAR_PARAMS * rows.n_stars
    star, knot, frac, t, s, c, pa, wt = (rows.star, rows.knot, rows.frac, rows.t, rows.sin, rows.cos,
                                        rows.p_along, rows.weight)

    def matvec(x):
        x = as_float_array("x", x).ravel()
        if column_scale is not None:
            x = x * column_scale
        p = x[:n_star_cols].reshape(rows.n_stars, N_STAR_PARAMS)
        a = x[n_star_cols:]
        y = s * (p[star, 0] + t * p[star, 3]) + c * (p[star, 1] + t * p[star, 4]) + pa * p[star, 2]
        y += (1 - frac) * a[knot] + frac * a[knot + 1]
        return y * wt

    def rmatvec(y):
        y = as_float_array("y", y).ravel() * wt
        ys, yc = y * s, y * c
        out = np.empty(rows.shape[1])
        m = rows.n_stars
        g = out[:n_star_cols].reshape(m, N_STAR_PARAMS)
        g[:, 0] = np.bincount(star, weights=ys, minlength=m)
        g[:, 1] = np.bincount(star, weights=yc, minlength=m)
        g[:, 2] = np.bincount(star, weights=y * pa, minlength=m)
        g[:, 3] = np.bincount(star, weights=ys * t, minlength=m)
        g[:, 4] = np.bincount(star, weights=yc * t, minlength=m)
        out[n_star_cols:] = (np.bincount(knot, weights=y * (1 - frac), minlength=rows.n_knots)
                             + np.bincount(knot + 1, weights=y * frac, minlength=rows.n_knots))
        if column_scale is not None:
            out *= column_scale
        return out

    return LinearOperator(rows.shape, matvec=matvec, rmatvec=rmatvec, dtype=float)


def gauge_matrix(n_stars: int, n_knots: int, *, column_norms=None):
    """Five constraint rows ``sum_i dp[i, k] = 0`` (one per star parameter ``k``): the gauge of the frame.

    A small-field instrument measures positions *relative* to each other: shifting every star by the
    same offset, parallax or proper motion changes each measurement by a smooth function of time only
    (all stars share the scan angle), which the attitude absorbs. The data therefore (almost) cannot
    see the five mean corrections, and ``D^T D`` is (nearly) singular. Fixing them to zero ties the
    solution to the frame of the reference catalogue (Gaia, for JASMINE). With ``column_norms`` the
    rows are written for the column-scaled unknowns and each is normalised to unit length, so the
    constraint enters at the scale of one data column and conditions the problem well.

    Returns
    -------
    scipy.sparse.csr_matrix, shape (5, 5 n_stars + n_knots)

    Examples
    --------
    >>> gauge_matrix(2, 3).toarray().astype(int).tolist()[2]
    [0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]
    """
    from astrolab._validation import check_array, check_int

    n_stars = check_int("n_stars", n_stars, min=1)
    n_knots = check_int("n_knots", n_knots, min=0)
    check_size("n_stars", 8.0 * 4 * (N_STAR_PARAMS * n_stars + n_knots),
               request=f"n_stars={n_stars}, n_knots={n_knots}")
    n_cols = N_STAR_PARAMS * n_stars + n_knots
    if column_norms is not None:
        column_norms = check_array("column_norms", column_norms, ndim=1)
        if column_norms.size != n_cols or np.any(column_norms < 0):
            smallest = column_norms.min() if column_norms.size else None
            raise ValueError(f"column_norms must hold {n_cols} norms >= 0 (5 n_stars + n_knots), got "
                             f"{column_norms.size} values with minimum {smallest}")
    cols = np.arange(N_STAR_PARAMS * n_stars)
    rows = cols % N_STAR_PARAMS
    values = np.ones(cols.size)
    if column_norms is not None:
        star_norms = column_norms[cols]
        values = 1.0 / np.where(star_norms > 0, star_norms, 1.0)     # an unobserved column stays unscaled
        values /= np.sqrt(np.bincount(rows, weights=values ** 2, minlength=N_STAR_PARAMS))[rows]
    return sp.csr_matrix((values, (rows, cols)), shape=(N_STAR_PARAMS, n_cols))


def formal_errors(obs, n_stars: int, knots, sigma, *, max_unknowns: int = 6000) -> Bunch:
    """Formal standard errors of all unknowns, from the dense inverse of the gauge-fixed normal matrix.

    ``C = (D^T D + G^T G)^-1`` with whitened rows and the gauge rows :func:`gauge_matrix` given a large
    weight (a hard constraint). This is what LSQR's answer scatters by around the truth; it costs
    ``O(n_unknowns^3)``, so it is meant for small problems (tests, teaching).

    Returns
    -------
    Bunch
        ``params`` (n_stars, 5) and ``attitude`` (n_knots,): standard errors in uas and uas/yr.

    Examples
    --------
    >>> from astrolab.datasets._astrometry import make_astrometry
    >>> data = make_astrometry(n_stars=20, n_obs_per_star=50, n_attitude_knots=8, noise=100.0, seed=0)
    >>> err = formal_errors(data, data.n_stars, data.knots, data.sigma)
    >>> err.params.shape, bool(10 < np.median(err.params[:, 2]) < 100)
    ((20, 5), True)
    """
    max_unknowns = check_int("max_unknowns", max_unknowns, min=1)
    rows = _Rows(obs, n_stars, knots, sigma)
    n_cols = rows.shape[1]
    if n_cols > max_unknowns:
        raise ValueError(f"formal_errors inverts a dense {n_cols} x {n_cols} matrix; that is more than "
                         f"max_unknowns = {max_unknowns}: use a smaller problem or raise max_unknowns")
    D = design_matrix(obs, n_stars, knots, sigma=sigma)
    norms = rows.column_norms()
    norms = np.where(norms > 0, norms, 1.0)
    S = sp.diags(1.0 / norms)
    A = (D @ S).toarray()
    G = 1e3 * gauge_matrix(n_stars, rows.n_knots, column_norms=norms).toarray()
    C = np.linalg.inv(A.T @ A + G.T @ G)
    err = np.sqrt(np.diag(C)) / norms
    params, attitude = _split(err, n_stars)
    return Bunch(params=params, attitude=attitude)


def _chi2(residual):
    return float(residual @ residual)


def _split(x, n_stars):
    return x[: N_STAR_PARAMS * n_stars].reshape(n_stars, N_STAR_PARAMS), x[N_STAR_PARAMS * n_stars:]


def astrometric_solution(obs, n_stars: int, knots, b, sigma, *, matrix_free: bool = False, gauge: str | None = "mean",
                         gauge_weight: float = 1.0, max_iter: int | None = None, tol: float = 1e-10,
                         backend: str = "scipy", device=None, num_threads: int | None = None, client=None,
                         n_blocks: int | None = None) -> Bunch:
    """Solve ``b = D dp + noise`` for the star and attitude corrections by LSQR with column scaling.

    The rows are whitened (divided by ``sigma``) and every column is divided by its norm, so that LSQR
    (Paige & Saunders 1982) works on a matrix whose columns have unit length: positions in uas and
    proper motions in uas/yr, or well and poorly observed stars, then weigh alike, and the iterations
    need far fewer steps. The result is scaled back to physical units.

    The gauge: the mean correction of each star parameter over all stars is (nearly) degenerate with
    the attitude (see :func:`gauge_matrix`). With ``gauge="mean"`` five constraint rows
    ``sum_i dp[i, k] = 0`` are appended (softly, at the weight of one unit column times
    ``gauge_weight``); the solution is then unique and LSQR converges. With ``gauge=None`` nothing is
    added: LSQR still returns a least-squares solution, but its frame drifts along the (near-)null
    space and it converges slowly.

    Parameters
    ----------
    obs : mapping
        Observations (see the module docstring).
    n_stars : int
        Number of stars.
    knots : array_like
        Attitude knot times (yr).
    b : array_like, shape (n_obs,)
        Observed minus computed along-scan coordinate (uas), ``w - w_ref``.
    sigma : float or array_like
        Measurement errors (uas).
    matrix_free : bool, default False
        Use :func:`design_operator` instead of the explicit CSR matrix of :func:`design_matrix`.
    gauge : {"mean", None}, default "mean"
        How to fix the frame.
    gauge_weight : float, default 1
        Weight of the gauge rows (> 0).
    max_iter : int, optional
        LSQR iteration limit (default: scipy's, twice the number of unknowns).
    tol : float, default 1e-10
        LSQR's ``atol`` and ``btol``.
    backend : {"scipy", "torch", "dask"}, default "scipy"
        Who runs LSQR. ``"scipy"``: :func:`scipy.sparse.linalg.lsqr` on the CSR matrix (or on the
        operator). ``"torch"``: :func:`astrolab.sparse.lsqr_torch`, the same iteration with PyTorch's
        multithreaded sparse CSR products, on the rows sorted by star (the products then read memory
        almost in order). ``"dask"``: :func:`astrolab.sparse.lsqr_dask`, the same iteration with the
        rows (sorted by star) split into blocks held by the workers of ``client``. All three give the
        same solution to rounding.
    device : str or torch.device, optional
        ``backend="torch"`` only: where to compute (default CPU), e.g. ``astrolab.device()``.
    num_threads : int, optional
        ``backend="torch"`` only: torch threads for the solve (default: torch's setting).
    client : dask.distributed.Client, optional
        ``backend="dask"`` only (required there): the cluster.
    n_blocks : int, optional
        ``backend="dask"`` only: number of row blocks (default: one per worker).

    Returns
    -------
    Bunch
        ``params`` (n_stars, 5) and ``attitude`` (n_knots,): the corrections, in uas and uas/yr;
        ``x``: all unknowns; ``n_iter``, ``istop`` (LSQR's stopping reason), ``chi2`` (of the data rows),
        ``dof`` (observations - unknowns + gauge rows), ``chi2_dof``, ``residual`` (whitened),
        ``time`` (wall-clock seconds in LSQR), ``time_per_iter``, ``nnz`` (stored entries, 0 when
        matrix-free) and ``backend``; with ``backend="dask"`` also ``bytes_per_iter`` (bytes of the vectors
        sent to and received from the workers in one iteration) and ``n_workers``.

    Examples
    --------
    >>> from astrolab.datasets._astrometry import make_astrometry
    >>> data = make_astrometry(n_stars=40, n_obs_per_star=60, n_attitude_knots=10, seed=3)
    >>> sol = astrometric_solution(data, data.n_stars, data.knots, data.w - data.w_ref, data.sigma)
    >>> bool(abs(sol.chi2_dof - 1) < 0.1), sol.params.shape
    (True, (40, 5))
    """
    if gauge not in ("mean", None):
        raise ValueError(f"gauge must be 'mean' or None, got {gauge!r}")
    if backend not in ("scipy", "torch", "dask"):
        raise ValueError(f"backend must be 'scipy', 'torch' or 'dask', got {backend!r}")
    if matrix_free and backend != "scipy":
        raise ValueError(f"matrix_free=True needs backend='scipy' (the fast backends use the CSR matrix), "
                         f"got backend={backend!r}")
    if backend == "dask" and client is None:
        raise ValueError("backend='dask' needs client= (a dask.distributed.Client)")
    if backend == "torch":
        from astrolab.sparse._lsqr_fast import _check_threads, _torch_device

        _check_threads(num_threads)
        device = _torch_device(device)
    check_real("gauge_weight", gauge_weight, min=0, min_inclusive=False)
    check_real("tol", tol, min=0)
    if max_iter is not None:
        check_int("max_iter", max_iter, min=1)
    rows = _Rows(obs, n_stars, knots, sigma)
    b = as_float_array("b", b)
    if b.shape != (rows.shape[0],):
        raise ValueError(f"b must be 1-D with one entry per observation ({rows.shape[0]}), got shape {b.shape}")
    if not np.all(np.isfinite(b)):
        raise ValueError("b must not contain NaN or infinite values")
    rhs = b * rows.weight
    norms = rows.column_norms()
    scale = np.where(norms > 0, 1.0 / np.where(norms > 0, norms, 1.0), 1.0)  # unobserved columns stay as they are
    n_data, n_cols = rows.shape
    nnz = 0
    if matrix_free:
        A = _operator_from_rows(rows, column_scale=scale)
    else:
        D = design_matrix(obs, n_stars, knots, sigma=sigma)
        nnz = D.nnz
        A = D @ sp.diags(scale)
    n_gauge = 0
    if gauge == "mean":
        G = gauge_weight * gauge_matrix(n_stars, rows.n_knots, column_norms=norms)  # already in scaled unknowns
        n_gauge = G.shape[0]
        if matrix_free:
            data_op = A
            A = LinearOperator((n_data + n_gauge, n_cols), dtype=float,
                               matvec=lambda z: np.concatenate([data_op.matvec(z), G @ np.ravel(z)]),
                               rmatvec=lambda y: data_op.rmatvec(np.ravel(y)[:n_data]) + G.T @ np.ravel(y)[n_data:])
        else:
            A = sp.vstack([A, G], format="csr")
        rhs = np.concatenate([rhs, np.zeros(n_gauge)])
    extra = {}
    if backend == "scipy":
        start = _time.perf_counter()
        z, istop, n_iter, *_ = lsqr(A, rhs, atol=tol, btol=tol, iter_lim=max_iter)
        elapsed = _time.perf_counter() - start
    else:
        # Rows sorted by star: every product then reads the star columns (almost) in order.
        iter_lim = None if max_iter is None else int(max_iter)
        order = np.concatenate([np.argsort(rows.star, kind="stable"), np.arange(n_data, A.shape[0])])
        if backend == "torch":
            from astrolab.sparse._lsqr_fast import lsqr_torch

            out = lsqr_torch(A[order], rhs[order], atol=tol, btol=tol, iter_lim=iter_lim, device=device,
                             num_threads=num_threads)
        else:
            from astrolab.sparse._distributed import lsqr_dask

            out = lsqr_dask(A[order], rhs[order], client=client, n_blocks=n_blocks, atol=tol, btol=tol,
                            iter_lim=iter_lim)
            extra = {"bytes_per_iter": out.bytes_per_iter, "n_workers": out.n_workers}
        z, istop, n_iter, elapsed = out.x, out.istop, out.n_iter, out.time
    x = z * scale
    fitted = A.matvec(z) if matrix_free else A @ z
    residual = rhs[:n_data] - fitted[:n_data]
    chi2 = _chi2(residual)
    dof = n_data - n_cols + n_gauge
    params, attitude = _split(x, n_stars)
    return Bunch(params=params, attitude=attitude, x=x, n_iter=int(n_iter),
                 istop=int(istop), chi2=chi2, dof=int(dof), chi2_dof=chi2 / dof if dof > 0 else np.nan,
                 residual=residual, time=elapsed, time_per_iter=elapsed / max(int(n_iter), 1), nnz=int(nnz),
                 backend=backend, **extra)


def block_iterative_solution(obs, n_stars: int, knots, b, sigma, *, max_iter: int = 500, tol: float = 1e-8,
                             return_history: bool = False) -> Bunch:
    """Solve the same problem by alternating star and attitude updates (AGIS-like block Gauss-Seidel).

    Each iteration (Lindegren et al. 2012, sect. 5) first solves, star by star, the 5 x 5 normal
    equations of every star with the attitude fixed, removes the mean correction of each parameter
    (the gauge, as ``gauge="mean"`` in :func:`astrometric_solution`), then solves the tridiagonal normal
    equations of the attitude with the stars fixed. Every step is exact and cheap, ``O(n_obs)``, and
    needs no global matrix; but the blocks are coupled, so convergence can take hundreds of
    iterations (AGIS accelerates it with conjugate gradients).

    Parameters
    ----------
    obs, n_stars, knots, b, sigma
        As in :func:`astrometric_solution`.
    max_iter : int, default 500
        Largest number of iterations (>= 1).
    tol : float, default 1e-8
        Stop when the largest change of an unknown, in units of its formal error, is below ``tol``.
    return_history : bool, default False
        Also return the chi2 after every iteration.

    Returns
    -------
    Bunch
        ``params``, ``attitude``, ``x``, ``n_iter``, ``converged``, ``chi2``, ``dof``, ``chi2_dof``,
        ``time`` (and ``history``).

    Examples
    --------
    >>> from astrolab.datasets._astrometry import make_astrometry
    >>> data = make_astrometry(n_stars=40, n_obs_per_star=60, n_attitude_knots=10, seed=3)
    >>> sol = block_iterative_solution(data, data.n_stars, data.knots, data.w - data.w_ref, data.sigma)
    >>> sol.converged, bool(abs(sol.chi2_dof - 1) < 0.1)
    (True, True)
    """
    max_iter = check_int("max_iter", max_iter, min=1)
    tol = check_real("tol", tol, min=0, min_inclusive=False)
    rows = _Rows(obs, n_stars, knots, sigma)
    b = as_float_array("b", b)
    if b.shape != (rows.shape[0],):
        raise ValueError(f"b must be 1-D with one entry per observation ({rows.shape[0]}), got shape {b.shape}")
    rhs = b * rows.weight
    m, k = rows.n_stars, rows.n_knots
    P = rows.star_partials()                        # (n_obs, 5), whitened
    star, knot, frac, wt = rows.star, rows.knot, rows.frac, rows.weight
    wa, wb = wt * (1 - frac), wt * frac              # whitened attitude partials
    # 5 x 5 normal matrices of all stars at once.
    N_star = np.zeros((m, N_STAR_PARAMS, N_STAR_PARAMS))
    for i in range(N_STAR_PARAMS):
        for j in range(i, N_STAR_PARAMS):
            N_star[:, i, j] = N_star[:, j, i] = np.bincount(star, weights=P[:, i] * P[:, j], minlength=m)
    if np.any(np.linalg.matrix_rank(N_star) < N_STAR_PARAMS):
        raise ValueError("every star needs observations that determine its 5 parameters (>= 5, at varied times)")
    # Tridiagonal attitude normal matrix in banded (upper) form.
    band = np.zeros((2, k))
    band[1] = np.bincount(knot, weights=wa ** 2, minlength=k) + np.bincount(knot + 1, weights=wb ** 2, minlength=k)
    band[0, 1:] = np.bincount(knot, weights=wa * wb, minlength=k)[:-1]
    band[1] += 1e-12 * max(band[1].max(), 1.0)       # knots without data get zero, not a singular matrix
    star_err = np.sqrt(np.einsum("kii->ki", np.linalg.inv(N_star)))
    att_err = 1.0 / np.sqrt(band[1])
    params = np.zeros((m, N_STAR_PARAMS))
    attitude = np.zeros(k)
    history = []
    converged = False
    start = _time.perf_counter()
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        r_star = rhs - (wa * attitude[knot] + wb * attitude[knot + 1])
        g = np.column_stack([np.bincount(star, weights=P[:, i] * r_star, minlength=m) for i in range(N_STAR_PARAMS)])
        new_params = np.linalg.solve(N_star, g[..., None])[..., 0]
        new_params -= new_params.mean(axis=0)
        r_att = rhs - np.einsum("ij,ij->i", P, new_params[star])
        g_att = np.bincount(knot, weights=wa * r_att, minlength=k) + np.bincount(knot + 1, weights=wb * r_att,
                                                                                 minlength=k)
        new_attitude = solveh_banded(band, g_att)
        change = max(np.max(np.abs(new_params - params) / star_err), np.max(np.abs(new_attitude - attitude) / att_err))
        params, attitude = new_params, new_attitude
        if return_history:
            res = r_att - (wa * attitude[knot] + wb * attitude[knot + 1])
            history.append(_chi2(res))
        if change < tol:
            converged = True
            break
    elapsed = _time.perf_counter() - start
    residual = rhs - np.einsum("ij,ij->i", P, params[star]) - (wa * attitude[knot] + wb * attitude[knot + 1])
    chi2 = _chi2(residual)
    dof = rows.shape[0] - rows.shape[1] + N_STAR_PARAMS
    out = Bunch(params=params, attitude=attitude, x=np.concatenate([params.ravel(), attitude]), n_iter=n_iter,
                converged=converged, chi2=chi2, dof=int(dof), chi2_dof=chi2 / dof, time=elapsed)
    if return_history:
        out.history = np.array(history)
    return out
