"""Real survey photometry in the challenge kit's format, so that models trained on the mocks can meet it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from astrolab._validation import check_int, check_real

__all__ = ["fit_cadence_model", "fit_error_model", "from_magnitudes"]

_PASSBANDS = {"u": 0, "g": 1, "r": 2, "i": 3, "z": 4, "y": 5}
_ZERO_POINT = 27.5  # the mocks' AB zero point (astrolab.datasets.make_transients)


def from_magnitudes(lightcurves, catalog, *, zero_point: float = _ZERO_POINT, first_id: int = 10_000_000):
    """Convert magnitudes of detections and a catalogue of redshifts into the kit's light curves and metadata.

    The light curves of :func:`~astrolab.datasets.make_transients` and the challenge kit are
    difference-image fluxes with an AB zero point of 27.5: ``flux = 10**(-0.4 (mag - 27.5))`` and
    ``flux_err = flux * mag_err * ln(10) / 2.5``. Every point is a detection (``detected = 1``: surveys
    such as ZTF's Bright Transient Survey publish detections only). The metadata take the
    spectroscopic redshift as ``hostgal_photoz`` (with zero error), the distance modulus of the
    mocks' cosmology, ``mwebv = A_V / 3.1`` and ``ddf = 0``. Objects without a positive redshift are
    dropped (the kit's features need one).

    Parameters
    ----------
    lightcurves : DataFrame
        Columns ``id``, ``time`` (MJD), ``mag``, ``mag_err``, ``band`` (letters of ``ugrizy``), e.g.
        ``fetch_ztf_bts_snia().lightcurves``.
    catalog : DataFrame
        Columns ``id``, ``redshift`` and ``A_V`` (mag), e.g. ``fetch_ztf_bts_snia().catalog``.
    zero_point : float, default 27.5
    first_id : int, default 10,000,000
        Integer ``object_id`` of the first object (in the order of the sorted ``id``); the original ids are
        kept in the metadata's ``name`` column.

    Returns
    -------
    lightcurves, metadata : DataFrame
        In the kit's format (``object_id, mjd, passband, flux, flux_err, detected``; ``object_id, name, ddf,
        hostgal_photoz, hostgal_photoz_err, distmod, mwebv``).

    Examples
    --------
    >>> lc = pd.DataFrame({"id": ["a", "a", "b"], "time": [1.0, 2.0, 1.0], "mag": [27.5, 25.0, 20.0],
    ...                    "mag_err": [0.1, 0.1, 0.1], "band": ["g", "r", "r"]})
    >>> cat = pd.DataFrame({"id": ["a", "b"], "redshift": [0.05, np.nan], "A_V": [0.31, 0.1]})
    >>> kit_lc, meta = from_magnitudes(lc, cat)
    >>> kit_lc["flux"].round(3).tolist(), kit_lc["passband"].tolist(), meta["name"].tolist()
    ([1.0, 10.0], [1, 2], ['a'])
    """
    from astrolab.datasets._transients import _Cosmology

    for name, frame, columns in (("lightcurves", lightcurves, ("id", "time", "mag", "mag_err", "band")),
                                 ("catalog", catalog, ("id", "redshift", "A_V"))):
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ValueError(f"{name} must have the columns {list(columns)}, missing {missing}")
    zero_point = check_real("zero_point", zero_point)
    first_id = check_int("first_id", first_id, min=0, max=2**62)
    bands = set(lightcurves["band"].unique())
    if not bands <= set(_PASSBANDS):
        raise ValueError(f"lightcurves['band'] must hold letters of 'ugrizy', got {sorted(bands - set(_PASSBANDS))}")
    values = lightcurves[["time", "mag", "mag_err"]].to_numpy(float)
    if not np.all(np.isfinite(values)) or np.any(lightcurves["mag_err"].to_numpy(float) <= 0):
        raise ValueError("lightcurves' time, mag and mag_err must be finite, and mag_err positive")
    names = sorted(set(lightcurves["id"]))
    number = {n: first_id + k for k, n in enumerate(names)}
    flux = 10 ** (-0.4 * (lightcurves["mag"].to_numpy(float) - zero_point))
    kit_lc = pd.DataFrame({"object_id": lightcurves["id"].map(number).to_numpy(), "mjd": values[:, 0],
                           "passband": lightcurves["band"].map(_PASSBANDS).to_numpy(),
                           "flux": flux, "flux_err": flux * values[:, 2] * np.log(10) / 2.5, "detected": 1})
    cat = catalog[catalog["id"].isin(number)]
    z = pd.to_numeric(cat["redshift"], errors="coerce").to_numpy(float)
    keep = np.isfinite(z) & (z > 0)
    cat, z = cat[keep], z[keep]
    meta = pd.DataFrame({"object_id": cat["id"].map(number).to_numpy(), "name": cat["id"].to_numpy(), "ddf": 0,
                         "hostgal_photoz": z, "hostgal_photoz_err": 0.0, "distmod": _Cosmology().distmod(z),
                         "mwebv": pd.to_numeric(cat["A_V"], errors="coerce").fillna(0.0).to_numpy() / 3.1})
    meta = meta.sort_values("object_id", ignore_index=True)
    kit_lc = kit_lc[kit_lc["object_id"].isin(meta["object_id"])].sort_values(["object_id", "mjd"], ignore_index=True)
    return kit_lc, meta


def _binned_variance(flux, err, n_bins):
    """Median flux and median variance ``err**2`` in ``n_bins`` bins of equal counts in ``log(flux)``."""
    edges = np.quantile(np.log(flux), np.linspace(0.0, 1.0, n_bins + 1))
    which = np.clip(np.searchsorted(edges, np.log(flux), side="right") - 1, 0, n_bins - 1)
    return (np.array([np.median(flux[which == k]) for k in range(n_bins)]),
            np.array([np.median(err[which == k] ** 2) for k in range(n_bins)]))


def _fit_law(f_mid, var):
    """Non-negative ``(sky, source, floor**2)`` of ``var = sky + source f + floor**2 f**2`` (relative residuals)."""
    from scipy.optimize import nnls

    design = np.c_[np.ones(f_mid.size), f_mid, f_mid**2] / var[:, None]
    return nnls(design, np.ones(f_mid.size))[0]


def fit_error_model(lightcurves, *, min_snr: float = 10.0, n_bins: int = 20) -> dict:
    """Measure a survey's photometric error model from its own light curves (no labels needed).

    The variance of a difference flux ``F`` is modelled as ``sigma^2 = sky + source |F| + (floor F)^2``:
    a constant (sky and reference-image noise, known from the survey's depth), a term that grows with
    the flux (the Poisson noise of the source and, in difference imaging, of the host galaxy under it)
    and a calibration floor proportional to the flux. The three coefficients are fitted by non-negative
    least squares to the median variance in ``n_bins`` bins of equal counts in ``log F``, on points with
    ``F / sigma >= min_snr`` (fainter points of a detections-only light curve are selected on their
    noise, which biases their variance). The result plugs into
    ``astrolab.datasets.make_transients(error_model=...)``.

    Parameters
    ----------
    lightcurves : DataFrame
        The kit's format (``flux``, ``flux_err``; difference fluxes at AB zero point 27.5), e.g. from
        :func:`from_magnitudes`. Only the photometry is used, never a label.
    min_snr : float, default 10
        Smallest ``flux / flux_err`` of the points used.
    n_bins : int, default 20
        Number of flux bins (at least 3, and at most a tenth of the points used).

    Returns
    -------
    dict
        ``source`` (variance per unit flux), ``floor`` (fraction of the flux), ``sky_sigma`` (the fitted
        constant term's square root, 0 when the bright points used do not constrain it), ``depth``
        (``{passband: 5-sigma limiting magnitude}``, with a ``passband`` column: the constant term of the
        same law fitted to each band's flux bins whose median S/N is at least 8, where the sky noise shows
        and the detection cut at 5 hardly selects on it; only for bands with at least ``10 * n_bins``
        points, three such bins, a faintest one below S/N 12 and a positive constant; ``{}`` otherwise),
        ``n_points``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> flux = 10 ** rng.uniform(2.5, 5.5, 20000)
    >>> err = np.sqrt(100.0**2 + 20.0 * flux + (0.02 * flux) ** 2)
    >>> model = fit_error_model(pd.DataFrame({"flux": flux, "flux_err": err}))
    >>> round(model["source"], 1), round(model["floor"], 3)
    (20.0, 0.02)
    """
    if not isinstance(lightcurves, pd.DataFrame):
        raise TypeError(f"lightcurves must be a pandas DataFrame, got {type(lightcurves).__name__}")
    missing = [c for c in ("flux", "flux_err") if c not in lightcurves.columns]
    if missing:
        raise ValueError(f"lightcurves must have the columns ['flux', 'flux_err'], missing {missing}")
    if not (isinstance(min_snr, (int, float, np.integer, np.floating)) and not isinstance(min_snr, bool)
            and np.isfinite(min_snr) and min_snr > 0):
        raise ValueError(f"min_snr must be a positive number, got {min_snr!r}")
    if not (isinstance(n_bins, (int, np.integer)) and not isinstance(n_bins, bool) and n_bins >= 3):
        raise ValueError(f"n_bins must be an integer >= 3, got {n_bins!r}")
    flux = lightcurves["flux"].to_numpy(float)
    err = lightcurves["flux_err"].to_numpy(float)
    good = np.isfinite(flux) & np.isfinite(err) & (err > 0)
    good &= np.divide(flux, err, out=np.zeros_like(flux), where=good) >= min_snr
    flux, err = flux[good], err[good]
    if flux.size < 10 * n_bins:
        raise ValueError(f"lightcurves must hold at least 10 * n_bins = {10 * n_bins} finite points with "
                         f"flux / flux_err >= min_snr = {min_snr}, got {flux.size}")
    sky, source, floor2 = _fit_law(*_binned_variance(flux, err, n_bins))
    # each band's depth: the same three-term law fitted to that band's points in the flux bins whose median S/N
    # is at least 8 (the detection cut at 5 hardly selects on the noise there, and the constant term matters,
    # as it no longer does at S/N >= min_snr); its constant term as a 5-sigma limiting magnitude (zero point 27.5)
    depth = {}
    if "passband" in lightcurves.columns:
        all_flux = lightcurves["flux"].to_numpy(float)
        all_err = lightcurves["flux_err"].to_numpy(float)
        ok = np.isfinite(all_flux) & np.isfinite(all_err) & (all_err > 0) & (all_flux > 0)
        band = lightcurves["passband"].to_numpy()
        for b in np.unique(band[ok]):
            f_b, e_b = all_flux[ok & (band == b)], all_err[ok & (band == b)]
            if f_b.size < 10 * n_bins:
                continue
            f_mid, var_b = _binned_variance(f_b, e_b, n_bins)
            snr = f_mid / np.sqrt(var_b)                                      # rising with the bins' flux
            use = snr >= 8
            if use.sum() < 3 or snr[use][0] > 12:
                continue                                                      # no faint points: no depth
            sky_b = _fit_law(f_mid[use], var_b[use])[0]
            if sky_b > 0:
                depth[int(b)] = float(_ZERO_POINT - 2.5 * np.log10(5 * np.sqrt(sky_b)))
    return {"source": float(source), "floor": float(np.sqrt(floor2)), "sky_sigma": float(np.sqrt(sky)),
            "depth": depth, "n_points": int(flux.size)}


def fit_cadence_model(lightcurves, *, min_snr: float = 20.0, max_gap: int = 30, n_components=1) -> dict:
    """Measure a survey's sampling from its own detections: night gaps and bands per night (no labels needed).

    SNANA simulates a survey from its observing log (a SIMLIB); an alert stream publishes detections
    only, so the log has to be read off the detections. Two things are measured, per object and per night
    (``floor(mjd)``: one night of an observatory in the Americas falls within one UTC day):

    * the distribution of the gaps, in nights, between consecutive nights on which the object was
      detected: the survey's revisits, its weather and its scheduling at once;
    * the chance that a detection night has both bands, and which band a one-band night has.

    A detections-only log hides the visits in which the object was too faint: a long gap may be a
    non-detection, and a night with one band may be a visit in both bands of which only one detected
    the object. Both are read on **bright nights** only, nights whose brightest detection has
    ``flux / flux_err >= min_snr`` (20: 1.5 mag above the 5-sigma limit, more than the g - r colour of a
    supernova within a month of its peak), and a gap counts only between two consecutive bright nights:
    there, a visit in either band would have detected the object, so what is seen is what was observed.
    A short bright phase favours short gaps (a gap of ``g`` nights fits in a bright phase of ``L`` nights
    in ``L - g`` ways, and not at all when ``g >= L``), so each gap length's count is divided by its
    exposure, ``sum over objects of max(L - g, 0)`` with ``L`` the nights from an object's first to its last
    bright night (the length bias of a renewal process seen through finite windows). Gaps longer than
    ``max_gap`` nights (seasonal gaps, which the simulator draws itself) are left out. The result plugs into
    ``astrolab.datasets.make_transients(survey="ztf", cadence_model=...)``.

    A survey does not visit every field equally often: fields that overlap, or that several programmes
    share, are visited every night, others every few nights. With ``n_components`` > 1 the objects are a
    mixture of that many cadences: an object of cadence ``c`` sees gaps of ``g`` nights at a rate
    ``q[c, g]`` per night of its bright phase, so its count of them is Poisson with mean
    ``max(L - g, 0) q[c, g]`` (one cadence gives the estimate above), and the rates and the shares of the
    cadences are fitted by expectation-maximisation (best of 5 deterministic starts). ``"bic"`` picks the
    number, 1 to 4, with the smallest Bayesian information criterion. The simulator then draws one cadence
    per object, so that a sparse field stays sparse for the whole light curve.

    Parameters
    ----------
    lightcurves : DataFrame
        The kit's format (``object_id``, ``mjd``, ``passband``, ``flux``, ``flux_err``; with a
        ``detected`` column only the rows with ``detected == 1`` are used), e.g. from
        :func:`from_magnitudes`. Only the sampling and the S/N are used, never a label.
    min_snr : float, default 20
        Smallest S/N of a night's brightest detection for the night to count as bright.
    max_gap : int, default 30
        Longest gap (nights) kept, at least 2.
    n_components : int or "bic", default 1
        Number of cadences in the mixture (1 to 4), or ``"bic"`` to choose it.

    Returns
    -------
    dict
        ``gap_prob``: an array of ``max_gap`` probabilities, ``gap_prob[k]`` that of a gap of ``k + 1``
        nights (corrected for the length bias; 0 where no gap of that length was seen); ``p_both``: the
        share of bright nights with detections in two or more bands;
        ``single_band``: ``{passband: share}`` over the bright nights with one band; ``n_gaps``,
        ``n_nights`` (bright nights) and ``n_objects`` (objects with a bright night). With more than one
        cadence, also ``components``: ``{"weights": (K,) shares of the objects, "gap_prob": (K, max_gap)
        gap distributions, "bic": {K: BIC for every K tried}}``, cadences sorted by their mean gap;
        ``gap_prob`` stays the one-cadence estimate.

    Examples
    --------
    >>> lc = pd.DataFrame({"object_id": [1, 1, 1, 1, 1], "mjd": [0.3, 0.35, 2.3, 5.3, 5.31],
    ...                    "passband": [1, 2, 2, 1, 2], "flux": [100.0] * 5, "flux_err": [1.0] * 5})
    >>> model = fit_cadence_model(lc, max_gap=4)
    >>> model["gap_prob"].round(3).tolist(), round(model["p_both"], 3), model["single_band"]
    ([0.0, 0.4, 0.6, 0.0], 0.667, {2: 1.0})
    """
    if not isinstance(lightcurves, pd.DataFrame):
        raise TypeError(f"lightcurves must be a pandas DataFrame, got {type(lightcurves).__name__}")
    columns = ["object_id", "mjd", "passband", "flux", "flux_err"]
    missing = [c for c in columns if c not in lightcurves.columns]
    if missing:
        raise ValueError(f"lightcurves must have the columns {columns}, missing {missing}")
    min_snr = check_real("min_snr", min_snr, min=0.0, min_inclusive=False)
    max_gap = check_int("max_gap", max_gap, min=2, max=366)
    if not (isinstance(n_components, str) and n_components == "bic"):
        n_components = check_int("n_components", n_components, min=1, max=_MAX_CADENCES)
    lc = lightcurves if "detected" not in lightcurves.columns else lightcurves[lightcurves["detected"] == 1]
    mjd, flux, err = (lc[c].to_numpy(float) for c in ("mjd", "flux", "flux_err"))
    good = np.isfinite(mjd) & np.isfinite(flux) & np.isfinite(err) & (err > 0)
    frame = pd.DataFrame({"object_id": lc["object_id"].to_numpy()[good], "night": np.floor(mjd[good]).astype(np.int64),
                          "passband": lc["passband"].to_numpy()[good], "snr": np.abs(flux[good]) / err[good]})
    nights = frame.groupby(["object_id", "night"]).agg(snr=("snr", "max"), n_bands=("passband", "nunique"),
                                                       band=("passband", "first")).reset_index()
    bright = nights[nights["snr"] >= min_snr]
    if len(bright) < 2:
        raise ValueError(f"lightcurves must hold at least two nights whose brightest detection has S/N >= min_snr = "
                         f"{min_snr}, got {len(bright)}")
    # gaps between consecutive detection nights of an object, both of them bright
    same = nights["object_id"].to_numpy()[1:] == nights["object_id"].to_numpy()[:-1]
    is_bright = nights["snr"].to_numpy() >= min_snr
    both_bright = same & is_bright[1:] & is_bright[:-1]
    gaps = np.diff(nights["night"].to_numpy())[both_bright]
    kept = (gaps >= 1) & (gaps <= max_gap)
    gap_owner, gaps = nights["object_id"].to_numpy()[1:][both_bright][kept], gaps[kept]
    if gaps.size == 0:
        raise ValueError("lightcurves must hold two consecutive bright nights of one object (S/N >= min_snr = "
                         f"{min_snr}) at most max_gap = {max_gap} nights apart, got none")
    # per object (the order of groupby's): its count of every gap length and that length's exposure; their sums
    # over the objects give the one-cadence estimate, the rows themselves the mixture's data
    span = bright.groupby("object_id")["night"].agg(np.ptp)                    # L of every object
    count = np.zeros((span.size, max_gap))
    np.add.at(count, (span.index.get_indexer(gap_owner), gaps - 1), 1.0)
    expo = np.clip(span.to_numpy()[:, None] - np.arange(1, max_gap + 1)[None, :], 0, None).astype(float)
    counts, exposure = count.sum(axis=0), expo.sum(axis=0)
    gap_prob = np.divide(counts, exposure, out=np.zeros(max_gap), where=exposure > 0)
    gap_prob /= gap_prob.sum()
    single = bright[bright["n_bands"] == 1]["band"].value_counts(normalize=True).sort_index()
    model = {"gap_prob": gap_prob, "p_both": float(np.mean(bright["n_bands"] >= 2)),
             "single_band": {int(k): float(v) for k, v in single.items()}, "n_gaps": int(gaps.size),
             "n_nights": int(len(bright)), "n_objects": int(bright["object_id"].nunique())}
    if n_components == 1:
        return model
    informative = expo[:, 0] > 0                               # a bright phase of at least two nights
    count, expo = count[informative], expo[informative]
    seen = counts > 0
    tried = range(1, _MAX_CADENCES + 1) if n_components == "bic" else [n_components]
    fits = {k: _cadence_mixture(count[:, seen], expo[:, seen], k) for k in tried}
    # BIC: k cadences have k rates per gap length seen and k - 1 free shares
    bic = {k: float(-2 * ll + (k * int(seen.sum()) + k - 1) * np.log(count.shape[0])) for k, (_, _, ll) in fits.items()}
    best = min(bic, key=bic.get) if n_components == "bic" else n_components
    weights, rates, _ = fits[best]
    probs = np.zeros((best, max_gap))
    probs[:, seen] = rates / rates.sum(axis=1, keepdims=True)
    order = np.argsort(probs @ np.arange(1, max_gap + 1), kind="stable")
    model["components"] = {"weights": weights[order], "gap_prob": probs[order], "bic": bic}
    return model


_MAX_CADENCES = 4


def _cadence_mixture(count, expo, k, starts=5, iterations=500, tol=1e-8):
    """EM for a mixture of ``k`` Poisson gap-rate vectors: object i of cadence c has ``count[i, g]`` ~
    Poisson(``expo[i, g] * rates[c, g]``). Returns (weights, rates, log-likelihood up to a constant), the best
    of ``starts`` deterministic random starts."""
    from scipy.special import logsumexp

    tiny = 1e-12

    def m_step(resp):
        # the shares and rates that the responsibilities imply, and every object's log-likelihood under each cadence
        weights = resp.mean(axis=0)
        rates = (resp.T @ count + tiny) / (resp.T @ expo + tiny)
        log_joint = count @ np.log(rates).T - expo @ rates.T + np.log(np.maximum(weights, tiny))
        return weights, rates, log_joint, logsumexp(log_joint, axis=1)

    best = None
    for start in range(starts):
        resp = np.random.default_rng(start).dirichlet(np.ones(k), count.shape[0])
        for _ in range(iterations):
            _, _, log_joint, total = m_step(resp)
            new = np.exp(log_joint - total[:, None])
            done = np.max(np.abs(new - resp)) < tol
            resp = new
            if done:
                break
        weights, rates, _, total = m_step(resp)
        ll = float(total.sum())
        if best is None or ll > best[2] + 1e-9:
            best = (weights, rates, ll)
    return best
