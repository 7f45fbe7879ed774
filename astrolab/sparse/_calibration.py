"""Imaging real VLBI data: closure phases, gain-robust imaging, self-calibration and averaging.

Real VLBI visibilities carry a random phase per station and time (the atmosphere above each
telescope) and a slowly varying amplitude gain per station. The sum of the phases around a triangle
of stations, the *closure phase*, is free of the station phases (Jennison 1958); imaging first on
closure phases and amplitudes, then self-calibrating the visibilities to that image and imaging them
with the linear LASSO + TSV method is the order the EHT pipelines follow (EHT Collaboration 2019,
paper IV).
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
from astropy.stats import gaussian_fwhm_to_sigma
from astropy.table import QTable
from scipy import optimize, sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import Bunch

from astrolab._validation import as_float_array, check_int, check_real
from astrolab.interferometry import FourierOperator
from astrolab.sparse._lasso import tsv, tsv_gradient

__all__ = ["average_visibilities", "closure_amplitudes", "closure_phases", "image_closure_phases", "self_calibrate"]

_REQUIRED = ("time", "t1", "t2", "u", "v", "vis", "sigma")


def _check_table(table, name="table"):
    missing = [c for c in _REQUIRED if c not in getattr(table, "colnames", ())]
    if missing:
        raise ValueError(f"{name} must be a table with columns {_REQUIRED} (e.g. from fetch_eht_m87), "
                         f"missing {missing}")
    vis = np.asarray(table["vis"])
    sigma = np.asarray(table["sigma"], dtype=float)
    if not np.all(np.isfinite(vis)):
        raise ValueError(f"{name}['vis'] must not contain NaN or infinite values")
    if not np.all(sigma > 0):
        raise ValueError(f"{name}['sigma'] must be positive")
    return vis, sigma


def _groups(table, interval=None):
    """Integer label per row: same timestamp (or ``interval`` hours) and same ``band`` if present."""
    time = np.asarray(table["time"], dtype=float)
    slot = np.round(time * 3600).astype(np.int64) if interval is None else np.floor(time / interval).astype(np.int64)
    band = np.asarray(table["band"]).astype(np.int64) if "band" in table.colnames else np.zeros(len(time), np.int64)
    return np.unique(np.stack([slot, band]), axis=1, return_inverse=True)[1].ravel()


def _station_index(table):
    names = sorted(set(map(str, table["t1"])) | set(map(str, table["t2"])))
    lookup = {s: k for k, s in enumerate(names)}
    return names, np.array([lookup[str(s)] for s in table["t1"]]), np.array([lookup[str(s)] for s in table["t2"]])


def closure_phases(table, *, min_snr: float = 2.0, independent: bool = True) -> Bunch:
    """Closure phases of every triangle of stations observed at the same time (and band).

    For stations ``a < b < c`` the closure phase is ``arg V_ab + arg V_bc + arg V_ca``; station
    phase errors cancel in it. Triangles with a visibility below ``min_snr`` are skipped (the
    phase of a noise-dominated visibility is not Gaussian).

    With ``N`` stations and all their baselines at one time there are ``N (N - 1) (N - 2) / 6``
    triangles, but only ``(N - 1) (N - 2) / 2`` independent closure phases: the others are sums and
    differences of these, and share their noise. With ``independent=True`` (the default) each time
    keeps a minimal independent set, chosen greedily from the most precise triangle down (a
    triangle is kept when its row of ``design`` is not a combination of the rows kept before it), so
    that a chi-squared of closure phases counts every measurement once (Blackburn et al. 2020
    choose such sets the same way, by signal-to-noise ratio). ``independent=False`` keeps every
    triangle, as if they were independent: it over-counts the data.

    Parameters
    ----------
    table : QTable
        Columns ``time``, ``t1``, ``t2``, ``u``, ``v``, ``vis``, ``sigma`` (and optionally ``band``),
        as :func:`~astrolab.datasets.fetch_eht_m87` returns.
    min_snr : float, default 2
        Minimum ``|V| / sigma`` of each of the three visibilities.
    independent : bool, default True
        Keep a minimal independent set of triangles per time (else every triangle).

    Returns
    -------
    Bunch
        ``design`` (sparse matrix of +-1 with one row per closure phase, so that
        ``design @ angle(V)`` are the closure phases of any visibilities ``V`` in the table's order),
        ``phase`` (radians, observed), ``sigma`` (radians, ``sqrt(sum 1/SNR^2)``) and ``triangles``
        (station names).

    Examples
    --------
    >>> t = QTable({"time": [0.0] * 3, "t1": ["A", "B", "A"], "t2": ["B", "C", "C"], "u": [0.0] * 3,
    ...             "v": [0.0] * 3, "vis": [np.exp(0.1j), np.exp(0.2j), np.exp(0.4j)], "sigma": [0.1] * 3})
    >>> cp = closure_phases(t)
    >>> round(float(cp.phase[0]), 6), cp.triangles
    (-0.1, [('A', 'B', 'C')])
    """
    def around_triangles(edge, present):
        for a, b, c in itertools.combinations(present, 3):
            legs = (edge.get((a, b)), edge.get((b, c)), edge.get((c, a)))
            if None not in legs:
                yield (a, b, c), legs

    vis, snr, design, triangles = _closures(table, min_snr, independent, around_triangles)
    phase = np.angle(np.exp(1j * (design @ np.angle(vis))))
    return Bunch(design=design, phase=phase, sigma=np.sqrt(abs(design) @ (1 / snr**2)), triangles=triangles)


def _closures(table, min_snr, independent, candidates, *, nonzero=False):
    """The closure quantities of every time (and band): a sparse +-1 design over the table's rows.

    ``candidates(edge, present)`` yields ``(stations, legs)`` for each closure at one time, where
    ``edge[(a, b)]`` is ``(row, +1)`` for the visibility of stations ``a, b`` (``(row, -1)`` read the other
    way round) and ``legs`` are such ``(row, sign)`` pairs. With ``independent``, each time keeps a
    minimal independent set, the most precise (smallest ``sum 1 / SNR^2`` over its legs) first; with
    ``nonzero``, visibilities of zero amplitude are left out (they have no logarithm). Returns the
    visibilities, their SNR, the design and the station names of each closure.
    """
    vis, sigma = _check_table(table)
    check_real("min_snr", min_snr, finite=False)  # dimensionless Quantities pass
    if not min_snr >= 0:
        raise ValueError(f"min_snr must be a non-negative number, got {min_snr!r}")
    snr = np.abs(vis) / sigma
    names, i1, i2 = _station_index(table)
    group = _groups(table)
    order = np.argsort(group, kind="stable")
    rows, cols, signs, stations = [], [], [], []
    bounds = np.flatnonzero(np.diff(group[order])) + 1
    for members in np.split(order, bounds):
        edge = {}
        for k in members:
            if snr[k] >= min_snr and (vis[k] != 0 or not nonzero):
                edge[(i1[k], i2[k])] = (k, 1.0)
                edge[(i2[k], i1[k])] = (k, -1.0)
        present = sorted({s for pair in edge for s in pair})
        found = [(who, legs, sum(1 / snr[k] ** 2 for k, _ in legs)) for who, legs in candidates(edge, present)]
        if independent and len(found) > 1:
            found = _independent_rows(found)
        for who, legs, _ in found:
            for k, sign in legs:
                rows.append(len(stations))
                cols.append(k)
                signs.append(sign)
            stations.append(tuple(names[q] for q in who))
    design = sparse.csr_matrix((np.array(signs, float), (np.array(rows, int), np.array(cols, int))),
                               shape=(len(stations), len(vis)))
    return vis, snr, design, stations


def closure_amplitudes(table, *, min_snr: float = 2.0, independent: bool = True) -> Bunch:
    """Log closure amplitudes of the quadrangles of stations observed at the same time (and band).

    For stations ``a, b, c, d`` the closure amplitude ``|V_ab| |V_cd| / (|V_ac| |V_bd|)`` is free of the
    stations' amplitude gains, as a closure phase is free of their phases (Twiss et al. 1960; Chael
    et al. 2018). Each set of four stations gives three such ratios, of which two are independent; with
    ``N`` stations at one time, ``N (N - 3) / 2`` are. With ``independent=True`` each time keeps a
    minimal independent set, the most precise first (as :func:`closure_phases`). Their logarithms
    have errors ``sqrt(sum 1 / SNR^2)`` over the four legs (Blackburn et al. 2020).

    Parameters
    ----------
    table : QTable
        As for :func:`closure_phases`.
    min_snr : float, default 2
        Minimum ``|V| / sigma`` of each of the four visibilities (the log of a noisy amplitude is biased).
    independent : bool, default True
        Keep a minimal independent set per time (else every quadrangle's three ratios).

    Returns
    -------
    Bunch
        ``design`` (sparse, +-1 per row, so that ``design @ log|V|`` are the log closure amplitudes of
        any visibilities in the table's order), ``log_amp`` (observed), ``sigma`` and ``quadrangles``.

    Examples
    --------
    >>> t = QTable({"time": [0.0] * 6, "t1": ["A", "A", "A", "B", "B", "C"], "t2": ["B", "C", "D", "C", "D", "D"],
    ...             "u": [0.0] * 6, "v": [0.0] * 6, "vis": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "sigma": [0.01] * 6})
    >>> ca = closure_amplitudes(t)
    >>> len(ca.log_amp), sorted(np.round(np.exp(ca.log_amp), 4).tolist())   # 4 stations: 2 independent
    (2, [0.5, 0.8333])
    """
    def quadrangles(edge, present):
        for a, b, c, d in itertools.combinations(present, 4):
            for quad, num, den in (((a, b, c, d), ((a, b), (c, d)), ((a, c), (b, d))),
                                   ((a, b, c, d), ((a, b), (c, d)), ((a, d), (b, c))),
                                   ((a, c, b, d), ((a, c), (b, d)), ((a, d), (b, c)))):
                legs = [edge.get(pair) for pair in num + den]
                if None not in legs:  # |V| is the same both ways round: numerator +1, denominator -1
                    yield quad, [(legs[0][0], 1.0), (legs[1][0], 1.0), (legs[2][0], -1.0), (legs[3][0], -1.0)]

    vis, snr, design, quads = _closures(table, min_snr, independent, quadrangles, nonzero=True)
    log_amp = design @ np.log(np.maximum(np.abs(vis), 1e-300))
    return Bunch(design=design, log_amp=log_amp, sigma=np.sqrt(abs(design) @ (1 / snr**2)), quadrangles=quads)


def _independent_rows(found):
    """A maximal linearly independent subset of closures (rows of +-1 over visibilities), most precise first."""
    found = sorted(found, key=lambda item: item[2])
    columns = sorted({k for _, legs, _ in found for k, _ in legs})
    where = {k: j for j, k in enumerate(columns)}
    basis, kept = [], []
    for item in found:
        row = np.zeros(len(columns))
        for k, sign in item[1]:
            row[where[k]] = sign
        for q in basis:  # Gram-Schmidt against the rows kept so far
            row -= (row @ q) * q
        norm = np.linalg.norm(row)
        if norm > 1e-9:
            basis.append(row / norm)
            kept.append(item)
    return kept


def image_closure_phases(op: FourierOperator, table, closures, *, mu: float, amplitude_error: float = 0.1,
                         support=None, x0=None, max_iter: int = 500, warn: bool = True, closure_amps=None):
    """Image from closure phases and visibility amplitudes: station phases never enter.

    Minimises, over images ``x >= 0`` (zero outside ``support``),
    ``chi2_CP / N_CP + chi2_amp / N_vis + mu TSV(x)``, with
    ``chi2_CP = sum 2 (1 - cos(psi_obs - psi(x))) / sigma_psi^2`` (the von Mises form, which wraps
    correctly) and ``chi2_amp = sum (|V_obs| - |F x|)^2 / (sigma^2 + (amplitude_error |V_obs|)^2)``,
    by L-BFGS-B with the exact gradient. The amplitude term keeps the total flux and the ring size;
    ``amplitude_error`` absorbs the stations' residual amplitude gains. With ``closure_amps`` (from
    :func:`closure_amplitudes`) a third term ``chi2_CA / N_CA``,
    ``chi2_CA = sum (lnCA_obs - lnCA(x))^2 / sigma_lnCA^2``, adds the structure that amplitudes carry
    free of the station gains; the amplitudes, with a generous ``amplitude_error``, then mostly set the
    total flux.

    Parameters
    ----------
    op : FourierOperator
        The operator of the table's baselines, in the table's order.
    table : QTable
        The visibilities (see :func:`closure_phases`).
    closures : Bunch
        From :func:`closure_phases` on the same table.
    closure_amps : Bunch, optional
        From :func:`closure_amplitudes` on the same table.
    mu : float
        Weight of the total squared variation (smoothness).
    amplitude_error : float, default 0.1
        Fractional amplitude error added in quadrature to ``sigma``.
    support : array of bool, optional
        Pixels allowed to be non-zero (a compact field of view); default all.
    x0 : array, optional
        Starting image; default a Gaussian of 60 µas FWHM inside ``support`` with 1.5 times the median
        amplitude of the shortest 5% of the baselines as its flux.
    max_iter : int, default 500
        L-BFGS-B iterations; if they run out before L-BFGS-B's own stopping rules (relative change of
        the objective, size of the projected gradient) are met, a
        :class:`~sklearn.exceptions.ConvergenceWarning` says so (unless ``warn=False``).

    Returns
    -------
    image : ndarray
        Jy per pixel.
    info : dict
        ``chi2_cp`` and ``chi2_amp`` (reduced), ``n_iter`` and ``converged``.
    """
    vis, sigma = _check_table(table)
    if op.shape[0] != len(vis):
        raise ValueError(f"op has {op.shape[0]} visibilities but the table has {len(vis)} rows")
    if closures.design.shape[1] != len(vis):
        raise ValueError("closures were not computed from this table (design has the wrong number of columns)")
    check_real("mu", mu, finite=False)  # dimensionless Quantities pass
    if not mu >= 0:
        raise ValueError(f"mu must be non-negative, got {mu!r}")
    check_real("amplitude_error", amplitude_error, finite=False)
    check_int("max_iter", max_iter, min=1)
    if not 0 <= amplitude_error < 1:
        raise ValueError(f"amplitude_error must be a fraction in [0, 1), got {amplitude_error!r}")
    shape = op.image_shape
    n_pix = shape[0] * shape[1]
    support = np.ones(n_pix, bool) if support is None else np.asarray(support, bool).ravel()
    if support.size != n_pix:
        raise ValueError(f"support must have {n_pix} pixels (image_shape {shape}), got {support.size}")
    design, psi_obs = closures.design, closures.phase
    w_cp = 1 / closures.sigma**2 / max(len(psi_obs), 1)
    amp = np.abs(vis)
    w_amp = 1 / (sigma**2 + (amplitude_error * amp) ** 2) / len(amp)

    if closure_amps is not None:
        if closure_amps.design.shape[1] != len(vis):
            raise ValueError("closure_amps were not computed from this table (design has the wrong number of columns)")
        ca_design, ca_obs = closure_amps.design, closure_amps.log_amp
        w_ca = 1 / closure_amps.sigma**2 / max(len(ca_obs), 1)

    def terms(x):
        model = op.matvec(x)
        model_amp = np.maximum(np.abs(model), 1e-30)
        dpsi = psi_obs - design @ np.angle(model)
        damp = amp - model_amp
        return model, model_amp, dpsi, damp

    def fun(x):
        model, model_amp, dpsi, damp = terms(x)
        image = x.reshape(shape)
        value = np.sum(2 * (1 - np.cos(dpsi)) * w_cp) + np.sum(damp**2 * w_amp) + mu * tsv(image)
        d_phase = design.T @ (-2 * np.sin(dpsi) * w_cp)       # d value / d arg V
        d_amp = -2 * damp * w_amp                              # d value / d |V|
        if closure_amps is not None:
            dca = ca_obs - ca_design @ np.log(model_amp)
            value += np.sum(dca**2 * w_ca)
            d_amp = d_amp + (ca_design.T @ (-2 * dca * w_ca)) / model_amp   # through d log|V| = d|V| / |V|
        g = (1j * d_phase / model_amp + d_amp) * model / model_amp
        grad = np.real(op.rmatvec(g)) + mu * tsv_gradient(image).ravel()
        return value, grad

    if x0 is None:
        ny, nx = shape
        yy, xx = np.meshgrid(np.arange(ny) - ny // 2, np.arange(nx) - nx // 2, indexing="ij")
        r_uas = np.hypot(xx, yy) * op.pixel_size / (np.pi / 180 / 3600 / 1e6)
        x0 = np.exp(-0.5 * (r_uas / (60 * gaussian_fwhm_to_sigma)) ** 2).ravel() * support
        short = amp[np.argsort(np.hypot(op.u, op.v))[: max(len(amp) // 20, 1)]]
        x0 *= 1.5 * np.median(short) / x0.sum()
    x0 = as_float_array("x0", x0).ravel() * support
    bounds = [(0, None) if s else (0, 0) for s in support]
    result = optimize.minimize(fun, x0, jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": max_iter})
    _, _, dpsi, damp = terms(result.x)
    info = {"chi2_cp": float(np.mean(2 * (1 - np.cos(dpsi)) / closures.sigma**2)) if len(dpsi) else np.nan,
            "chi2_amp": float(np.sum(damp**2 * w_amp)), "n_iter": int(result.nit), "converged": bool(result.success)}
    if closure_amps is not None:
        dca = ca_obs - ca_design @ np.log(np.maximum(np.abs(op.matvec(result.x)), 1e-30))
        info["chi2_ca"] = float(np.mean(dca**2 / closure_amps.sigma**2)) if len(dca) else np.nan
    if warn and not result.success:
        warnings.warn(f"L-BFGS-B stopped before converging ({result.message}) after {result.nit} iterations "
                      f"(max_iter={max_iter})", ConvergenceWarning, stacklevel=2)
    return result.x.reshape(shape), info


def self_calibrate(table, model_vis, *, amplitude: bool = False, interval=None, n_iter: int = 500,
                   tol: float = 1e-10, warn: bool = True) -> tuple:
    """Station gains that make the data look like a model: ``V_ab ~ g_a conj(g_b) M_ab``.

    Solves for one gain per station and solution slot (each timestamp, or ``interval`` hours),
    weighted by ``1 / sigma^2``:

    - the phases by the alternating least-squares iteration of StEFCal (Salvini & Wijnholds 2014)
      restricted to unit amplitudes; it stops when no gain changes by more than ``tol``, or after
      ``n_iter`` iterations with a :class:`~sklearn.exceptions.ConvergenceWarning`;
    - with ``amplitude=True``, also the amplitudes, by linear least squares on the logarithms,
      ``log|V_ab| - log|M_ab| = log|g_a| + log|g_b|``, each weighted by its ``SNR^2`` (the inverse
      variance of ``log|V|``): a direct solve, exact for noiseless data whatever the spread of the
      weights (an iterative complex solve needs tens of thousands of iterations when the
      baselines' errors differ a hundredfold, as ALMA's and the small stations' do). The amplitude
      gains are normalised to a weighted mean ``log|g| = 0`` over the whole table (as AIPS' GAINNORM
      does): self-calibration may move flux between stations and times, never rescale it all to a
      model's total flux, which a regularised model underestimates.

    Returns the calibrated table (a copy with ``vis`` and ``sigma`` divided by the
    gains) and the gains (``n_slots x n_stations`` array; 1 where a station has no data).

    Examples
    --------
    >>> t = QTable({"time": [0.0] * 3, "t1": ["A", "B", "A"], "t2": ["B", "C", "C"], "u": [0.0] * 3,
    ...             "v": [0.0] * 3, "vis": np.exp(1j * np.array([0.5, -0.3, 0.2])), "sigma": [0.1] * 3})
    >>> cal, gains = self_calibrate(t, np.ones(3))
    >>> np.allclose(cal["vis"], 1)   # phases 0.5 = pA - pB, -0.3 = pB - pC and 0.2 = pA - pC are consistent
    True
    >>> t["vis"] = [2.0 * 3.0, 3.0 * 0.5, 2.0 * 0.5]   # amplitude gains 2, 3 and 0.5 (geometric mean 1.44)
    >>> cal, gains = self_calibrate(t, np.ones(3), amplitude=True)
    >>> np.round(np.abs(gains) / np.abs(gains).prod() ** (1 / 3) * 3 ** (1 / 3), 6).tolist()   # up to the scale
    [[2.0, 3.0, 0.5]]
    """
    from scipy.sparse.linalg import spsolve

    vis, sigma = _check_table(table)
    model_vis = np.asarray(model_vis)
    if model_vis.shape != vis.shape:
        raise ValueError(f"model_vis must have one value per row ({vis.shape}), got {model_vis.shape}")
    if interval is not None:
        check_real("interval", interval, finite=False)  # dimensionless Quantities pass
    if interval is not None and not interval > 0:
        raise ValueError(f"interval must be a positive number of hours or None, got {interval!r}")
    if isinstance(n_iter, bool) or not isinstance(n_iter, (int, np.integer)) or n_iter < 1:
        raise ValueError(f"n_iter must be a positive integer, got {n_iter!r}")
    tol = check_real("tol", tol, min=0)
    names, i1, i2 = _station_index(table)
    slot = _groups(table, interval)
    n_st, n_slot = len(names), int(slot.max()) + 1
    a, b = slot * n_st + i1, slot * n_st + i2
    w = 1 / sigma**2
    size = n_slot * n_st
    gains = np.ones(size, complex)

    def csum(index, values):
        return np.bincount(index, values.real, size) + 1j * np.bincount(index, values.imag, size)

    converged = False
    for _ in range(n_iter):
        za = np.conj(gains[b]) * model_vis      # V_ab    = g_a * za
        zb = np.conj(gains[a] * model_vis)      # conj V  = g_b * zb
        num = csum(a, w * vis * np.conj(za)) + csum(b, w * np.conj(vis) * np.conj(zb))
        new = np.where(np.abs(num) > 0, np.exp(1j * np.angle(num)), 1.0)
        step = 0.5 * (new - gains)    # the averaging step that makes StEFCal converge
        gains = gains + step
        if np.max(np.abs(step)) < tol:
            converged = True
            break
    if warn and not converged:
        warnings.warn(f"self_calibrate: the phase solution did not settle to tol={tol:g} in n_iter={n_iter} "
                      "iterations", ConvergenceWarning, stacklevel=2)
    if amplitude:
        ok = (np.abs(vis) > 0) & (np.abs(model_vis) > 0)
        y = np.log(np.abs(vis[ok])) - np.log(np.abs(model_vis[ok]))
        weight = (np.abs(vis[ok]) / sigma[ok]) ** 2
        rows = np.repeat(np.arange(ok.sum()), 2)
        design = sparse.csr_matrix((np.ones(2 * ok.sum()), (rows, np.column_stack([a[ok], b[ok]]).ravel())),
                                   shape=(int(ok.sum()), size))
        normal = (design.T @ sparse.diags(weight) @ design).tocsc()
        ridge = 1e-9 * (normal.diagonal().max() if normal.nnz else 1.0)  # stations without data: log g = 0
        log_amp = spsolve(normal + ridge * sparse.identity(size, format="csc"), design.T @ (weight * y))
        used = np.asarray(normal.diagonal()) > 0
        if used.any():  # no overall change of scale: the model may not rescale the data's flux (AIPS' GAINNORM)
            log_amp[used] -= np.average(log_amp[used], weights=np.asarray(normal.diagonal())[used])
        gains = gains * np.exp(log_amp)
    g = gains[a] * np.conj(gains[b])
    out = table.copy()
    out["vis"] = vis / g
    out["sigma"] = sigma / np.abs(g)
    return out, gains.reshape(n_slot, n_st)


def average_visibilities(table, interval: float) -> QTable:
    """Coherent, inverse-variance weighted averages per baseline over ``interval`` hours (and band).

    Only meaningful for calibrated (e.g. self-calibrated) visibilities, whose phases are stable.
    Returns a table with ``time``, ``t1``, ``t2``, ``u``, ``v``, ``vis``, ``sigma``, ``n`` (rows averaged)
    and ``band`` if the input has one.
    """
    vis, sigma = _check_table(table)
    check_real("interval", interval, finite=False)  # dimensionless Quantities pass
    if not interval > 0:
        raise ValueError(f"interval must be a positive number of hours, got {interval!r}")
    names, i1, i2 = _station_index(table)
    slot = _groups(table, interval)
    key = (slot * len(names) + i1) * len(names) + i2
    _, first, inv = np.unique(key, return_index=True, return_inverse=True)
    inv = inv.ravel()
    w = 1 / sigma**2
    ws = np.bincount(inv, w)

    def mean(values):
        return np.bincount(inv, w * values) / ws

    out = QTable()
    out["time"] = mean(np.asarray(table["time"], float))
    out["t1"] = np.asarray(table["t1"])[first]
    out["t2"] = np.asarray(table["t2"])[first]
    out["u"] = mean(np.asarray(table["u"], float))
    out["v"] = mean(np.asarray(table["v"], float))
    out["vis"] = mean(vis.real) + 1j * mean(vis.imag)
    out["sigma"] = 1 / np.sqrt(ws)
    out["n"] = np.bincount(inv)
    if "band" in table.colnames:
        out["band"] = np.asarray(table["band"])[first]
    out.meta.update(table.meta)
    return out
