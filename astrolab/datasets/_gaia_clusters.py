"""Gaia DR2 members of five open clusters within 250 pc (Gaia Collaboration, Babusiaux et al. 2018).

Truth labels for clustering real stars: the members of the Hyades, the Pleiades, Praesepe, alpha Persei
and IC 2391 of Gaia Collaboration, Babusiaux et al. (2018, A&A 616, A10; VizieR J/A+A/616/A10), with
their Gaia DR2 astrometry. The table is read from a local mirror only (``mirror`` or
``ASTROLAB_MIRROR``, folder ``gaia-dr2-nearby-clusters-dev``); it is never shipped with the course.
"""

from __future__ import annotations

from pathlib import Path

import astropy.units as u
import numpy as np

from astrolab.datasets._fetch import DataUnavailableError, check_path_arg

__all__ = ["load_gaia_dr2_cluster_members"]

_FOLDER = "gaia-dr2-nearby-clusters-dev"
_FILE = "GaiaHRD_tab1a_DR2xmatch.csv"
_GAIA_EPOCH = 2015.5  # Julian year of the Gaia DR2 positions
_MAS_PER_DEG = 3.6e6


def load_gaia_dr2_cluster_members(mirror=None, *, epoch=_GAIA_EPOCH):
    """Gaia DR2 members of the Hyades, Pleiades, Praesepe, alpha Per and IC 2391, positions at ``epoch``.

    Reads the members of Gaia Collaboration, Babusiaux et al. (2018) cross-matched to the Gaia DR2
    source table (one row per ``source_id``: the closest match is kept) from a local mirror, and
    moves each position from the Gaia epoch J2015.5 to ``epoch`` along its proper motion (linear
    propagation on the sky; over 25 yr the neglected terms are far below a milliarcsecond for these
    nearby stars). Use ``epoch=1991.25`` before cross-matching with Hipparcos.

    Parameters
    ----------
    mirror : str or path-like, optional
        Folder holding ``gaia-dr2-nearby-clusters-dev/``; default ``$ASTROLAB_MIRROR``.
    epoch : float, default 2015.5
        Julian year of the returned ``ra`` and ``dec``.

    Returns
    -------
    QTable
        ``source_id``, ``cluster`` (str), ``ra``, ``dec`` (deg, ICRS, at ``epoch``), ``parallax``,
        ``parallax_error`` (mas), ``pmra``, ``pmdec`` (mas/yr), ``phot_g_mean_mag``, ``bp_rp`` (mag);
        ``meta["epoch"]`` and ``meta["source"]``.

    Raises
    ------
    TypeError
        If ``mirror`` is not a path or ``epoch`` not a number.
    DataUnavailableError
        If no mirror holds the table (the course does not download it): use the ground truth of
        :func:`astrolab.datasets.make_gaia_volume` instead.

    Examples
    --------
    >>> members = load_gaia_dr2_cluster_members(epoch=1991.25)  # doctest: +SKIP
    >>> sorted(set(members["cluster"]))  # doctest: +SKIP
    ['Hyades', 'IC2391', 'Pleiades', 'Praesepe', 'alphaPer']
    """
    check_path_arg("mirror", mirror)
    is_number = isinstance(epoch, (int, float, np.integer, np.floating)) and not isinstance(epoch, bool)
    if not is_number or not np.isfinite(epoch):
        raise TypeError(f"epoch must be a finite number (Julian year), got {epoch!r}")
    from astrolab._paths import mirror_dir

    root = Path(mirror).expanduser() if mirror is not None else mirror_dir()
    path = root / _FOLDER / _FILE if root is not None else None
    if path is None or not path.is_file():
        raise DataUnavailableError(
            f"The Gaia DR2 cluster members ({_FOLDER}/{_FILE}) are not in a local mirror (set ASTROLAB_MIRROR); "
            "use the ground truth of astrolab.datasets.make_gaia_volume() instead.")
    import pandas as pd
    from astropy.table import QTable

    frame = pd.read_csv(path)
    need = ["angDist", "Source", "Cluster", "ra", "dec", "parallax", "parallax_error", "pmra", "pmdec",
            "phot_g_mean_mag", "bp_rp"]
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise ValueError(f"{path} lacks the columns {missing}")
    frame = frame.sort_values(["Source", "angDist"], kind="mergesort").drop_duplicates("Source", keep="first")
    frame = frame.reset_index(drop=True)
    dt = float(epoch) - _GAIA_EPOCH
    dec0 = frame["dec"].to_numpy(float)
    dec = dec0 + frame["pmdec"].to_numpy(float) * dt / _MAS_PER_DEG
    ra = frame["ra"].to_numpy(float) + frame["pmra"].to_numpy(float) * dt / _MAS_PER_DEG / np.cos(np.radians(dec0))
    table = QTable(meta={"epoch": float(epoch),
                         "source": "Gaia DR2 members of five clusters, Gaia Collaboration, Babusiaux et al. 2018, "
                                   "A&A 616, A10 (VizieR J/A+A/616/A10)"})
    table["source_id"] = frame["Source"].to_numpy(np.int64)
    table["cluster"] = frame["Cluster"].astype(str).to_numpy()
    table["ra"] = np.mod(ra, 360.0) * u.deg
    table["dec"] = dec * u.deg
    for name, unit in (("parallax", u.mas), ("parallax_error", u.mas), ("pmra", u.mas / u.yr),
                       ("pmdec", u.mas / u.yr), ("phot_g_mean_mag", u.mag), ("bp_rp", u.mag)):
        table[name] = frame[name].to_numpy(float) * unit
    return table
