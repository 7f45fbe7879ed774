"""Light curves as fixed-size arrays for a 1D convolutional network.

A survey light curve is an irregular list of ``(time, band, flux, flux_err)``; a convolutional network
wants a regular grid. :func:`bin_lightcurves` aligns every object on its brightest point, cuts a
window around it, averages the fluxes of each band in equal time bins (inverse-variance weights) and
scales each object by its peak flux, so the network sees the *shape* and the *colour* of the light
curve, not the distance. Empty bins are 0; an optional mask channel per band says which bins hold data
(without it a network cannot tell "no data" from "no flux"). The result feeds
:class:`astrolab.nn.CNN1d` with ``in_channels = 6`` (or 12 with the mask).

This is the simplest of the sequence representations tried in PLAsTiCC; the winners interpolated the
light curves with Gaussian processes first (Boone 2019, AJ 158, 257), and recurrent networks read
the raw irregular sequences (Muthukrishna et al. 2019, PASP 131, 118002).
"""

from __future__ import annotations

import numpy as np

from astrolab.challenge._baselines import _check_lightcurves

__all__ = ["bin_lightcurves"]

_LC_COLUMNS = ("object_id", "mjd", "passband", "flux", "flux_err")
_N_BANDS = 6


def bin_lightcurves(lightcurves, metadata=None, *, n_bins: int = 32, window=(-64.0, 128.0), mask: bool = True,
                    rest_frame: bool = False, nan_policy: str = "raise"):
    """Bin every object's multi-band light curve on a grid of times around its peak.

    For each object: the reference time ``t_0`` is the time of its point with the highest signal
    to noise ``flux / flux_err`` (the peak of a transient; some bright phase of a variable); the
    window ``t_0 + window`` is cut into ``n_bins`` equal bins; in each band and bin the fluxes are
    averaged with weights ``1 / flux_err**2``; the averages are divided by the object's largest
    ``|flux|`` among its points with ``|flux / flux_err| > 3`` (or among all its points when none is),
    so values lie in about ``[-1, 1]``. Bins without a point are 0.

    Any subset of the six bands may be present: the channels (and masks) of a band without points
    are all 0, as for a two-band survey such as ZTF's g and r. A network trained on six-band
    light curves has never seen that pattern, so it can be confidently wrong on such data: check
    them with :class:`astrolab.challenge.OODScore` first. An empty table (or an object of
    ``metadata`` without points) gives all-zero rows.

    Parameters
    ----------
    lightcurves : pandas.DataFrame
        Long format as from :func:`astrolab.datasets.make_transients`: ``object_id, mjd, passband``
        (integers 0-5 for ``ugrizy``), ``flux, flux_err`` (positive).
    metadata : pandas.DataFrame, optional
        With an ``object_id`` column: the objects to return, in this order (an object without any
        light-curve point gets an all-zero row); and with ``hostgal_photoz`` when ``rest_frame``.
        Default: every object of ``lightcurves``, sorted by id.
    n_bins : int, default 32
        Number of time bins (at least 2).
    window : (float, float), default (-64, 128)
        Start and end of the window in days relative to ``t_0`` (start < 0 < end); ``(-64, 128)``
        and 32 bins give 6-day bins, a few days longer than the gap between two visits of one
        object in the wide survey.
    mask : bool, default True
        Append six channels (one per band) that are 1 where a bin holds at least one point.
    rest_frame : bool, default False
        Divide the times by ``1 + hostgal_photoz`` (from ``metadata``) before binning, undoing the
        cosmological time dilation (galactic objects have ``hostgal_photoz = 0``).
    nan_policy : {"raise", "omit"}, default "raise"
        What to do with rows whose ``mjd``, ``flux`` or ``flux_err`` is NaN or infinite: raise a
        ValueError naming the first such row and its object, or drop those rows.

    Returns
    -------
    X : numpy.ndarray of float32, shape (n_objects, 6 or 12, n_bins)
        The binned, scaled fluxes (channels ``u, g, r, i, z, y``), then the masks if ``mask``.
    object_ids : numpy.ndarray of int64, shape (n_objects,)
        The object of each row of ``X``.

    Examples
    --------
    >>> import pandas as pd
    >>> lc = pd.DataFrame({"object_id": [7, 7, 7, 9], "mjd": [100.0, 103.0, 110.0, 50.0],
    ...                    "passband": [2, 2, 1, 0], "flux": [10.0, 40.0, 20.0, 5.0],
    ...                    "flux_err": [1.0, 1.0, 2.0, 1.0]})
    >>> X, ids = bin_lightcurves(lc, n_bins=4, window=(-8, 8))
    >>> X.shape, ids.tolist()
    ((2, 12, 4), [7, 9])
    >>> X[0, 2].tolist()          # r band: 10/40 at -3 d (bin 1), the peak 40/40 at 0 d (bin 2)
    [0.0, 0.25, 1.0, 0.0]
    >>> X[0, 1].tolist(), X[0, 7].tolist()   # g band at +7 d, and its mask (channel 6 + 1)
    ([0.0, 0.0, 0.0, 0.5], [0.0, 0.0, 0.0, 1.0])
    """
    import pandas as pd

    lightcurves = _check_lightcurves(lightcurves, _LC_COLUMNS, nan_policy)
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 2:
        raise ValueError(f"n_bins must be an integer >= 2, got {n_bins!r}")
    try:
        start, end = (float(v) for v in window)
    except (TypeError, ValueError):
        raise ValueError(f"window must be two numbers (start, end) in days, got {window!r}") from None
    if not (np.isfinite(start) and np.isfinite(end) and start < 0 < end):
        raise ValueError(f"window must satisfy start < 0 < end (days around the peak), got {window!r}")
    if not isinstance(mask, bool):
        raise ValueError(f"mask must be True or False, got {mask!r}")
    if not isinstance(rest_frame, bool):
        raise ValueError(f"rest_frame must be True or False, got {rest_frame!r}")

    ids = lightcurves["object_id"].to_numpy()
    t = lightcurves["mjd"].to_numpy(dtype=float)
    band = lightcurves["passband"].to_numpy()
    flux = lightcurves["flux"].to_numpy(dtype=float)
    err = lightcurves["flux_err"].to_numpy(dtype=float)

    if metadata is None:
        object_ids = np.unique(ids)
    else:
        if not (isinstance(metadata, pd.DataFrame) and "object_id" in metadata.columns):
            raise ValueError("metadata must be a pandas DataFrame with an 'object_id' column")
        object_ids = metadata["object_id"].to_numpy()
        if pd.Index(object_ids).has_duplicates:
            raise ValueError("metadata column 'object_id' must not repeat an id")
    object_ids = np.asarray(object_ids).astype(np.int64)
    row = pd.Index(object_ids).get_indexer(ids)            # object row of each point, -1 if not wanted
    if rest_frame:
        if metadata is None or "hostgal_photoz" not in metadata.columns:
            raise ValueError("rest_frame=True needs metadata with a 'hostgal_photoz' column")
        z = metadata["hostgal_photoz"].to_numpy(dtype=float)
        if not np.all(np.isfinite(z) & (z >= 0)):
            raise ValueError("metadata column 'hostgal_photoz' must be finite and non-negative for rest_frame=True")
        dilation = np.where(row >= 0, 1 + z[np.maximum(row, 0)], 1.0)
    else:
        dilation = np.ones(t.size)
    keep = row >= 0
    row, t, band, flux, err, dilation = row[keep], t[keep], band[keep], flux[keep], err[keep], dilation[keep]

    n = object_ids.size
    snr = flux / err
    # reference time: the point of highest S/N of each object (sort by object, then S/N descending)
    order = np.lexsort((-snr, row))
    first = order[np.flatnonzero(np.r_[True, row[order][1:] != row[order][:-1]])] if row.size else order
    t0 = np.full(n, np.nan)
    t0[row[first]] = t[first]
    # scale: the largest |flux| among significant points, or among all points
    significant = np.abs(snr) > 3
    scale_sig = np.zeros(n)
    np.maximum.at(scale_sig, row[significant], np.abs(flux[significant]))
    scale_all = np.zeros(n)
    np.maximum.at(scale_all, row, np.abs(flux))
    scale = np.where(scale_sig > 0, scale_sig, scale_all)
    scale = np.where(scale > 0, scale, 1.0)

    dt = (t - t0[row]) / dilation
    width = (end - start) / n_bins
    k = np.floor((dt - start) / width).astype(np.int64)
    inside = (k >= 0) & (k < n_bins)
    cell = (row[inside] * _N_BANDS + band[inside]) * n_bins + k[inside]
    w = 1.0 / err[inside] ** 2
    size = n * _N_BANDS * n_bins
    sum_w = np.bincount(cell, w, minlength=size)
    sum_wf = np.bincount(cell, w * flux[inside] / scale[row[inside]], minlength=size)
    filled = sum_w > 0
    mean = np.divide(sum_wf, sum_w, out=np.zeros(size), where=filled).reshape(n, _N_BANDS, n_bins)
    if mask:
        X = np.concatenate([mean, filled.reshape(n, _N_BANDS, n_bins)], axis=1)
    else:
        X = mean
    return X.astype(np.float32), object_ids
