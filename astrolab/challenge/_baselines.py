"""Baselines for the light-curve challenge: a class-prior submission and hand-made features.

The features are the classic recipe of PLAsTiCC's feature-based entries (e.g. Boone 2019, AJ 158,
257, who used Gaussian-process fits; here plain statistics): per-band peak, spread and negative
excursions, colours at peak, rise and decline times, a Lomb-Scargle period on all bands together,
and the host photo-z with the luminosity it implies. Feed them to any tabular classifier, for
example :class:`sklearn.ensemble.HistGradientBoostingClassifier`, which copes with their NaNs.
"""

from __future__ import annotations

import numpy as np

from astrolab._validation import check_real

__all__ = ["class_prior_submission", "extract_features"]

_BANDS = ("u", "g", "r", "i", "z", "y")
_LC_COLUMNS = ("object_id", "mjd", "passband", "flux", "flux_err", "detected")


def _lomb_scargle(t, y, min_period, max_period, oversample=3.0):
    """Best period and its power in the best-sampled season of one object's normalised light curve."""
    from astropy.timeseries import LombScargle

    gaps = np.flatnonzero(np.diff(t) > 60.0)                 # seasons are separated by > 60 d gaps
    edges = np.r_[0, gaps + 1, t.size]
    k = int(np.argmax(np.diff(edges)))
    t, y = t[edges[k]:edges[k + 1]], y[edges[k]:edges[k + 1]]
    span = np.ptp(t) if t.size else 0.0
    if t.size < 10 or span < 3 * min_period or np.all(y == y[0]):
        return np.nan, np.nan
    f_lo, f_hi = 1 / max_period, 1 / min_period
    frequency = np.linspace(f_lo, f_hi, int(np.ceil((f_hi - f_lo) * span * oversample)) + 2)
    power = LombScargle(t, y, center_data=True, fit_mean=False).power(frequency, method="fast",
                                                                        assume_regular_frequency=True)
    best = int(np.argmax(power))
    return 1 / frequency[best], power[best]


def _check_lightcurves(lightcurves, columns, nan_policy):
    """Validate a long-format light-curve table; return it, without non-finite rows if ``nan_policy='omit'``.

    Shared by :func:`extract_features` and :func:`astrolab.challenge.bin_lightcurves`.
    """
    import pandas as pd

    if not isinstance(lightcurves, pd.DataFrame):
        raise ValueError(f"lightcurves must be a pandas DataFrame, got {type(lightcurves).__name__}")
    missing = [c for c in columns if c not in lightcurves.columns]
    if missing:
        raise ValueError(f"lightcurves must have the columns {list(columns)}; missing {missing}")
    if nan_policy not in ("raise", "omit"):
        raise ValueError(f"nan_policy must be 'raise' or 'omit', got {nan_policy!r}")
    ids = lightcurves["object_id"].to_numpy()
    bad = np.zeros(len(lightcurves), dtype=bool)
    for name in ("mjd", "flux", "flux_err"):
        try:
            values = lightcurves[name].to_numpy(dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"lightcurves column {name!r} must hold numbers, got dtype "
                             f"{lightcurves[name].dtype}") from None
        not_finite = ~np.isfinite(values)
        if not_finite.any() and nan_policy == "raise":
            i = int(np.flatnonzero(not_finite)[0])
            raise ValueError(f"lightcurves column {name!r} must be finite: row {i} (object_id {_item(ids[i])!r}) "
                             f"holds {_item(values[i])!r} ({int(not_finite.sum())} such rows; "
                             f"nan_policy='omit' drops them)")
        bad |= not_finite
    rows = np.flatnonzero(~bad)                          # positions in the table given, for messages
    if bad.any():
        lightcurves = lightcurves.iloc[rows]
        ids = ids[rows]
    err = lightcurves["flux_err"].to_numpy(dtype=float)
    if np.any(err <= 0):
        i = int(np.flatnonzero(err <= 0)[0])
        raise ValueError(f"lightcurves column 'flux_err' must be positive: row {rows[i]} (object_id "
                         f"{_item(ids[i])!r}) holds {_item(err[i])!r}")
    band = lightcurves["passband"].to_numpy()
    if band.size and not (np.issubdtype(band.dtype, np.integer) and band.min() >= 0 and band.max() < len(_BANDS)):
        raise ValueError(f"lightcurves column 'passband' must hold integers 0-5 (ugrizy), got values such as "
                         f"{pd.unique(band)[:6].tolist()}")
    return lightcurves


def _item(value):
    """A numpy scalar as a plain Python number (for error messages)."""
    return value.item() if isinstance(value, np.generic) else value


def extract_features(lightcurves, metadata=None, *, min_period: float = 0.2, max_period: float = 50.0,
                     periods: str = "galactic", nan_policy: str = "raise", band_shapes: bool = False):
    """Hand-made features of every object's multi-band light curve, one row per object.

    Any subset of the six bands may be present: a band that an object (or the whole table, as for
    a two-band survey such as ZTF's g and r) was never observed in gets NaN in its per-band
    columns (``flux_max_<b>, flux_min_<b>, flux_std_<b>, snr_max_<b>, peak_ratio_<b>``), which
    :class:`sklearn.ensemble.HistGradientBoostingClassifier` accepts. Note that a classifier
    trained on six-band mocks has never seen such NaNs: check new data with
    :class:`astrolab.challenge.OODScore` before trusting its predictions.

    Parameters
    ----------
    lightcurves : pandas.DataFrame
        Long format as from :func:`astrolab.datasets.make_transients`: ``object_id, mjd, passband``
        (integers 0-5 = ``ugrizy``), ``flux, flux_err`` (positive), ``detected`` (0/1). An empty
        table gives an empty feature table (no rows, the same columns).
    metadata : pandas.DataFrame, optional
        With ``object_id`` and, if present, ``hostgal_photoz, hostgal_photoz_err, distmod, mwebv, ddf``,
        which are copied in (never ``target`` or truth columns).
    min_period, max_period : float
        Range of the Lomb-Scargle period search (days).
    periods : {"galactic", "all", "none"}, default "galactic"
        Which objects get a period search: those without a host galaxy (``hostgal_photoz == 0``,
        the galactic ones, as many PLAsTiCC entrants split their models), all, or none. The search
        costs a few milliseconds per object.
    nan_policy : {"raise", "omit"}, default "raise"
        What to do with rows whose ``mjd``, ``flux`` or ``flux_err`` is NaN or infinite: raise a
        ValueError naming the first such row and its object, or drop those rows (an object left
        with no rows gets no feature row).
    band_shapes : bool, default False
        Also describe the light curve's shape in every band (not only in the best band): the days from
        the band's brightest point to its first point below 70, 50 and 30 % of that flux
        (``decline70_<b>, decline50_<b>, decline30_<b>``), the days back to its last such point before
        it (``rise70_<b>, rise50_<b>, rise30_<b>``), and the median flux over the band's maximum 10-20,
        20-30 and 30-45 days after it (``level10_<b>, level20_<b>, level30_<b>``); days are rest-frame
        (divided by ``1 + hostgal_photoz``) when the metadata give a redshift, NaN where a band has no
        such point.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``object_id`` (sorted), columns:

        * ``flux_max_<b>, flux_min_<b>, flux_std_<b>`` and ``snr_max_<b>`` per band ``b``;
        * ``peak_ratio_<b>``: the band's maximum over the best band's (a colour at peak);
        * ``flux_max`` (best band), ``best_band``, ``n_obs, n_det, det_fraction, det_duration`` (days
          from first to last detection), ``neg_fraction`` (share of points below -3 sigma: dips of
          eclipses or a varying template), ``flux_skew`` (of the normalised fluxes);
        * ``rise_time, decline_time``: days from the last point below half maximum before the peak
          to the peak, and from the peak to the first point below half maximum after it, in the
          best band (NaN where no such point); ``rise_time_rest, decline_time_rest`` divided by
          ``1 + hostgal_photoz``;
        * ``ls_period, ls_power``: the best Lomb-Scargle period (days) and its power, from all bands
          together (each band centred and scaled by its standard deviation) in the season with the
          most points (no yearly aliases; frequency step a third of the peak width); NaN where not
          searched;
        * the metadata columns and ``log_peak_lum = log10(flux_max) + 0.4 distmod`` (NaN for
          galactic objects).

    Examples
    --------
    >>> from astrolab.datasets._transients import make_transients
    >>> data = make_transients(20, seed=0)
    >>> X = extract_features(data.lightcurves, data.metadata)
    >>> X.shape[0], "ls_period" in X, "target" in X
    (20, True, False)
    """
    import pandas as pd

    check_real("min_period", min_period, finite=False)  # dimensionless Quantities pass
    check_real("max_period", max_period, finite=False)  # dimensionless Quantities pass
    if not 0 < min_period < max_period:
        raise ValueError(f"need 0 < min_period < max_period, got min_period={min_period!r}, max_period={max_period!r}")
    if periods not in ("galactic", "all", "none"):
        raise ValueError(f"periods must be 'galactic', 'all' or 'none', got {periods!r}")
    if not isinstance(band_shapes, (bool, np.bool_)):
        raise TypeError(f"band_shapes must be True or False, got {band_shapes!r}")
    if metadata is not None and not (isinstance(metadata, pd.DataFrame) and "object_id" in metadata.columns):
        raise ValueError("metadata must be a DataFrame with an 'object_id' column")
    lightcurves = _check_lightcurves(lightcurves, _LC_COLUMNS, nan_policy)
    lc = lightcurves.loc[:, list(_LC_COLUMNS)].sort_values(["object_id", "mjd"], kind="stable")
    lc = lc.assign(snr=lc["flux"] / lc["flux_err"])
    stats = ("flux_max", "flux_min", "flux_std", "snr_max")
    per_band = lc.groupby(["object_id", "passband"]).agg(flux_max=("flux", "max"), flux_min=("flux", "min"),
                                                       flux_std=("flux", "std"), snr_max=("snr", "max"))
    # every band gets its columns, NaN where an object (or the whole table) has no point in it
    wide = per_band.unstack("passband").reindex(columns=pd.MultiIndex.from_product([stats, range(6)]))
    wide.columns = [f"{stat}_{_BANDS[b]}" for stat, b in wide.columns]
    wide = wide.astype(float)
    maxima = wide[[f"flux_max_{b}" for b in _BANDS]].to_numpy()
    best = np.nanargmax(np.where(np.isfinite(maxima), maxima, -np.inf), axis=1)
    flux_max = maxima[np.arange(best.size), best]
    feats = wide
    for k, b in enumerate(_BANDS):
        feats[f"peak_ratio_{b}"] = maxima[:, k] / np.where(flux_max > 0, flux_max, np.nan)
    feats["flux_max"] = flux_max
    feats["best_band"] = best

    grouped = lc.groupby("object_id")
    feats["n_obs"] = grouped.size()
    feats["n_det"] = grouped["detected"].sum()
    feats["det_fraction"] = feats["n_det"] / feats["n_obs"]
    det = lc[lc["detected"] > 0].groupby("object_id")["mjd"].agg(["min", "max"])
    feats["det_duration"] = (det["max"] - det["min"]).reindex(feats.index)
    feats["neg_fraction"] = (lc["snr"] < -3).groupby(lc["object_id"]).mean()

    # rise and decline in the best band
    best_of = pd.Series(best, index=feats.index)
    in_best = lc[lc["passband"].to_numpy() == best_of.reindex(lc["object_id"]).to_numpy()]
    idx_peak = in_best.groupby("object_id")["flux"].idxmax()
    t_peak = in_best.loc[idx_peak, ["object_id", "mjd", "flux"]].set_index("object_id")
    ref = t_peak.reindex(in_best["object_id"])
    below = in_best["flux"].to_numpy() < 0.5 * ref["flux"].to_numpy()
    before = below & (in_best["mjd"].to_numpy() < ref["mjd"].to_numpy())
    after = below & (in_best["mjd"].to_numpy() > ref["mjd"].to_numpy())
    t_before = in_best[before].groupby("object_id")["mjd"].max()
    t_after = in_best[after].groupby("object_id")["mjd"].min()
    feats["rise_time"] = (t_peak["mjd"] - t_before).reindex(feats.index)
    feats["decline_time"] = (t_after - t_peak["mjd"]).reindex(feats.index)

    # normalised multi-band light curve: skewness and a Lomb-Scargle period
    band_key = [lc["object_id"], lc["passband"]]
    centred = lc["flux"] - lc.groupby(band_key)["flux"].transform("mean")
    scale = lc.groupby(band_key)["flux"].transform("std").to_numpy()
    y = (centred.to_numpy() / np.where(scale > 0, scale, np.nan))
    y = np.nan_to_num(y, nan=0.0)
    feats["flux_skew"] = pd.Series(y ** 3, index=lc.index).groupby(lc["object_id"]).mean()
    search = pd.Series(periods != "none", index=feats.index)
    if periods == "galactic" and metadata is not None and "hostgal_photoz" in getattr(metadata, "columns", ()):
        photoz = metadata.set_index("object_id")["hostgal_photoz"].reindex(feats.index)
        search = photoz.eq(0) | photoz.isna()
    t_all = lc["mjd"].to_numpy()
    ids = lc["object_id"].to_numpy()
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if ids.size else np.zeros(0, dtype=np.int64)
    bounds = np.r_[starts, ids.size]
    todo = search.reindex(ids[starts]).to_numpy(dtype=bool)
    ls = np.full((starts.size, 2), np.nan)
    for k in np.flatnonzero(todo):
        a, b = bounds[k], bounds[k + 1]
        ls[k] = _lomb_scargle(t_all[a:b], y[a:b], min_period, max_period)
    feats["ls_period"] = pd.Series(ls[:, 0], index=ids[starts]).reindex(feats.index)
    feats["ls_power"] = pd.Series(ls[:, 1], index=ids[starts]).reindex(feats.index)

    if band_shapes:
        feats = feats.join(_band_shapes(lc, metadata), how="left")

    if metadata is not None:
        meta = metadata.set_index("object_id")
        for col in ("hostgal_photoz", "hostgal_photoz_err", "distmod", "mwebv", "ddf"):
            if col in meta:
                feats[col] = meta[col].reindex(feats.index).to_numpy(dtype=float)
        if "hostgal_photoz" in feats:
            feats["rise_time_rest"] = feats["rise_time"] / (1 + feats["hostgal_photoz"])
            feats["decline_time_rest"] = feats["decline_time"] / (1 + feats["hostgal_photoz"])
        if "distmod" in feats:
            with np.errstate(invalid="ignore", divide="ignore"):
                feats["log_peak_lum"] = np.log10(np.where(feats["flux_max"] > 0, feats["flux_max"], np.nan)) \
                    + 0.4 * feats["distmod"]
    feats.index.name = "object_id"
    return feats


_SHAPE_FRACTIONS = (0.7, 0.5, 0.3)                       # of the band's brightest flux
_SHAPE_WINDOWS = ((10.0, 20.0), (20.0, 30.0), (30.0, 45.0))   # days after the band's brightest point


def _band_shapes(lc, metadata):
    """Per-band shape columns of :func:`extract_features` (``band_shapes=True``), indexed by object."""
    import pandas as pd

    ids = np.unique(lc["object_id"].to_numpy())
    z = pd.Series(0.0, index=ids)
    if metadata is not None and "hostgal_photoz" in metadata.columns:
        z = metadata.set_index("object_id")["hostgal_photoz"].reindex(ids).fillna(0.0).clip(lower=0.0)
    columns, order = {}, []
    for k, b in enumerate(_BANDS):
        pts = lc[lc["passband"].to_numpy() == k]
        # one list of names per band, for a band with points and a band without alike
        names = [f"{kind}{int(round(100 * f))}_{b}" for f in _SHAPE_FRACTIONS for kind in ("decline", "rise")]
        names += [f"level{int(lo)}_{b}" for lo, _ in _SHAPE_WINDOWS]
        order += names
        if pts.empty:
            columns.update({name: pd.Series(np.nan, index=ids) for name in names})
            continue
        peak = pts.loc[pts.groupby("object_id")["flux"].idxmax(), ["object_id", "mjd", "flux"]].set_index("object_id")
        ref = peak.reindex(pts["object_id"])
        obj = pts["object_id"].to_numpy()
        days = (pts["mjd"].to_numpy() - ref["mjd"].to_numpy()) / (1 + z.reindex(obj).to_numpy())
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = pts["flux"].to_numpy() / np.where(ref["flux"].to_numpy() > 0, ref["flux"].to_numpy(), np.nan)
        frame = pd.DataFrame({"object_id": obj, "days": days, "rel": rel})
        named = iter(names)
        for f in _SHAPE_FRACTIONS:
            below = frame[frame["rel"] < f]
            columns[next(named)] = below[below["days"] > 0].groupby("object_id")["days"].min()       # decline
            columns[next(named)] = -below[below["days"] < 0].groupby("object_id")["days"].max()     # rise
        for lo, hi in _SHAPE_WINDOWS:
            inside = frame[(frame["days"] >= lo) & (frame["days"] < hi)]
            columns[next(named)] = inside.groupby("object_id")["rel"].median()                      # level
    out = pd.DataFrame({name: columns[name].reindex(ids) for name in order}, index=ids).astype(float)
    out.index.name = "object_id"
    return out


def class_prior_submission(train_labels, object_ids, class_names):
    """The no-skill submission: every object gets the class frequencies of the training set.

    Parameters
    ----------
    train_labels : array-like
        The training set's classes (names in ``class_names``).
    object_ids : array-like
        The objects to predict.
    class_names : sequence of str
        The submission's class columns.

    Returns
    -------
    pandas.DataFrame
        ``object_id`` and one column per class; rows sum to one.

    Examples
    --------
    >>> sub = class_prior_submission(["a", "a", "a", "b"], [7, 8], ["a", "b"])
    >>> sub.to_dict("list")
    {'object_id': [7, 8], 'a': [0.75, 0.75], 'b': [0.25, 0.25]}
    """
    import pandas as pd

    from astrolab._validation import check_sequence

    labels = np.asarray(check_sequence("train_labels", train_labels)).astype(str)
    object_ids = check_sequence("object_ids", object_ids)
    class_names = [str(c) for c in check_sequence("class_names", class_names, min_len=1)]
    unknown = sorted(set(labels.tolist()) - set(class_names))
    if unknown:
        raise ValueError(f"train_labels holds classes that are not in class_names {class_names}: {unknown}")
    if labels.size == 0:
        raise ValueError("train_labels must not be empty")
    prior = np.array([np.mean(labels == c) for c in class_names])
    object_ids = np.asarray(object_ids)
    if object_ids.dtype.kind not in "iu":
        raise ValueError(f"object_ids must be integer ids (the kit's object_id), got dtype {object_ids.dtype}: "
                         f"{object_ids[:5].tolist()!r}"[:300])
    frame = pd.DataFrame({"object_id": object_ids})
    for c, p in zip(class_names, prior, strict=True):
        frame[c] = np.full(object_ids.size, p)
    return frame
