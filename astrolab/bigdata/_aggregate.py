"""Aggregations of a star catalogue that give the same answer in memory and out of core.

Both functions accept a pandas DataFrame (everything in memory) or a Dask DataFrame (partitions
read one at a time). The per-row work is one shared function, and the reduction is an exact
integer count, so the two paths agree to the last star.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CMD_COLOR_EDGES", "CMD_MAG_EDGES", "cmd_counts", "healpix_grid", "sky_counts"]

#: Bin edges of the colour-magnitude map: BP-RP from -0.5 to 5 mag in 0.05 mag bins ...
CMD_COLOR_EDGES = np.round(np.linspace(-0.5, 5.0, 111), 6)
#: ... and G from 3 to 21 mag in 0.1 mag bins.
CMD_MAG_EDGES = np.round(np.linspace(3.0, 21.0, 181), 6)


def _is_dask(df) -> bool:
    return type(df).__module__.startswith("dask")


def _check_columns(df, columns, name="df"):
    if not hasattr(df, "columns"):
        raise ValueError(f"{name} must be a pandas or Dask DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{name} lacks the column(s) {missing}; it has {list(df.columns)}")


def _cmd_key(frame):
    """Flat bin index ``i_color * n_mag + i_mag`` of each row, -1 outside the map (a pandas Series)."""
    import pandas as pd

    color = frame["bp_rp"].to_numpy(dtype=np.float64)
    mag = frame["phot_g_mean_mag"].to_numpy(dtype=np.float64)
    n_c, n_m = len(CMD_COLOR_EDGES) - 1, len(CMD_MAG_EDGES) - 1
    i_c = np.searchsorted(CMD_COLOR_EDGES, color, side="right") - 1
    i_m = np.searchsorted(CMD_MAG_EDGES, mag, side="right") - 1
    inside = (i_c >= 0) & (i_c < n_c) & (i_m >= 0) & (i_m < n_m)
    return pd.Series(np.where(inside, i_c * n_m + i_m, -1), index=frame.index, name="key")


def _healpix(frame, nside):
    import astropy.units as u
    import pandas as pd
    from astropy_healpix import HEALPix

    hp = HEALPix(nside=nside, order="nested")
    ra, dec = frame["ra"].to_numpy(dtype=float), frame["dec"].to_numpy(dtype=float)
    for name, values, low, high in (("ra", ra, 0.0, 360.0), ("dec", dec, -90.0, 90.0)):
        bad = ~((values >= low) & (values <= high))  # NaN is bad too
        if bad.any():
            raise ValueError(f"column {name!r} must hold degrees in [{low:g}, {high:g}], got {int(bad.sum())} of "
                             f"{values.size} values outside (e.g. {float(values[bad][0])!r})")
    pix = hp.lonlat_to_healpix(ra * u.deg, dec * u.deg)
    return pd.Series(pix.astype(np.int64), index=frame.index, name="pixel")


def _count(keys, n_bins):
    """Counts of the non-negative integer ``keys`` (pandas or Dask Series) in ``n_bins`` bins."""
    keys = keys[keys >= 0]
    if _is_dask(keys):
        found = keys.value_counts(split_out=1).compute()  # a tree reduction: no shuffle needed
        out = np.zeros(n_bins, dtype=np.int64)
        out[found.index.to_numpy()] = found.to_numpy()
        return out
    return np.bincount(keys.to_numpy(), minlength=n_bins).astype(np.int64)


def cmd_counts(df):
    """Number of stars in each (BP-RP, G) bin of :data:`CMD_COLOR_EDGES` x :data:`CMD_MAG_EDGES`.

    Parameters
    ----------
    df : pandas.DataFrame or dask.dataframe.DataFrame
        With columns ``bp_rp`` and ``phot_g_mean_mag``. A Dask DataFrame is aggregated partition by
        partition (``value_counts``), never held in memory whole.

    Returns
    -------
    ndarray of int64, shape (n_color_bins, n_mag_bins)
        Star counts; stars outside the map are not counted. Bins include their left edge.

    Examples
    --------
    >>> import pandas as pd
    >>> counts = cmd_counts(pd.DataFrame({"bp_rp": [0.82, 0.82, 9.0], "phot_g_mean_mag": [4.7, 4.7, 10.0]}))
    >>> int(counts.sum()), counts.shape
    (2, (110, 180))
    """
    _check_columns(df, ["bp_rp", "phot_g_mean_mag"])
    n_c, n_m = len(CMD_COLOR_EDGES) - 1, len(CMD_MAG_EDGES) - 1
    if _is_dask(df):
        keys = df[["bp_rp", "phot_g_mean_mag"]].map_partitions(_cmd_key, meta=("key", "int64"))
    else:
        keys = _cmd_key(df)
    return _count(keys, n_c * n_m).reshape(n_c, n_m)


def sky_counts(df, nside: int = 16):
    """Number of stars in each HEALPix pixel (nested ordering, ICRS).

    Parameters
    ----------
    df : pandas.DataFrame or dask.dataframe.DataFrame
        With columns ``ra`` and ``dec`` in degrees.
    nside : int, default 16
        HEALPix resolution, a power of 2: ``12 * nside**2`` pixels of ``(58.6 deg / nside)**2``.

    Returns
    -------
    ndarray of int64, shape (12 * nside**2,)

    Examples
    --------
    >>> import pandas as pd
    >>> counts = sky_counts(pd.DataFrame({"ra": [10.0, 10.1, 200.0], "dec": [-5.0, -5.0, 60.0]}), nside=4)
    >>> len(counts), int(counts.max())
    (192, 2)
    """
    if isinstance(nside, bool) or not isinstance(nside, (int, np.integer)) or nside < 1 or nside & (nside - 1):
        raise ValueError(f"nside must be a power of 2 (1, 2, 4, ...), got {nside!r}")
    _check_columns(df, ["ra", "dec"])
    if _is_dask(df):
        keys = df[["ra", "dec"]].map_partitions(_healpix, nside, meta=("pixel", "int64"))
    else:
        keys = _healpix(df, nside)
    return _count(keys, 12 * nside**2)


def healpix_grid(counts, n_lon: int = 360, n_lat: int = 180):
    """Sample a nested HEALPix map on a grid, for ``pcolormesh`` on a Mollweide axis.

    The horizontal plot coordinate is ``x = -RA`` wrapped to [-pi, pi], so that right ascension
    increases to the left with RA = 0 at the centre, as on a sky chart (label the ticks with
    ``RA = -x``).

    Parameters
    ----------
    counts : array_like, shape (12 * nside**2,)
        Map values in nested order (as :func:`sky_counts` returns them).
    n_lon, n_lat : int, default 360, 180
        Grid size.

    Returns
    -------
    x, lat : ndarray
        Cell edges in radians (``x`` from -pi to pi, ``lat`` from -pi/2 to pi/2).
    values : ndarray, shape (n_lat, n_lon)
        Map value at each cell centre.

    Examples
    --------
    >>> x, lat, values = healpix_grid(np.arange(12), n_lon=8, n_lat=4)
    >>> values.shape, x.shape, lat.shape
    ((4, 8), (9,), (5,))
    """
    import astropy.units as u
    from astropy_healpix import HEALPix, npix_to_nside

    from astrolab._validation import InvalidParameterError, check_array, check_int, check_size

    counts = check_array("counts", counts, ndim=1, finite=False, dtype=None)
    n_lon = check_int("n_lon", n_lon, min=1)
    n_lat = check_int("n_lat", n_lat, min=1)
    nside = int(round(np.sqrt(counts.size / 12)))
    if counts.size == 0 or counts.size != 12 * nside**2 or nside & (nside - 1):
        raise InvalidParameterError(
            "counts must be a nested HEALPix map of 12 * nside**2 values (nside a power of 2), "
            f"got {counts.size} values")
    check_size("n_lon", 64.0 * n_lon * n_lat, request=f"n_lon={n_lon}, n_lat={n_lat}")
    nside = npix_to_nside(counts.size)
    x = np.linspace(-np.pi, np.pi, n_lon + 1)
    lat = np.linspace(-np.pi / 2, np.pi / 2, n_lat + 1)
    x_c, lat_c = np.meshgrid(0.5 * (x[1:] + x[:-1]), 0.5 * (lat[1:] + lat[:-1]))
    pix = HEALPix(nside=nside, order="nested").lonlat_to_healpix((-x_c % (2 * np.pi)) * u.rad, lat_c * u.rad)
    return x, lat, counts[pix]
