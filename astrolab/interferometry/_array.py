"""An EHT-like array: real station positions and the (u, v) coverage that Earth rotation sweeps out."""

from __future__ import annotations

import itertools

import astropy.units as u
import numpy as np
from astropy.table import QTable, vstack

from astrolab._paths import shipped_data_dir
from astrolab._units import to_value
from astrolab._validation import check_quantity, check_real, check_size

__all__ = ["M87_DEC", "M87_RA", "load_eht_stations", "uv_coverage"]

M87_RA = 187.7059308 * u.deg   # 12h30m49.42s (ICRS)
M87_DEC = 12.3911233 * u.deg   # +12d23m28.0s


def load_eht_stations() -> QTable:
    """The eight EHT 2017 stations: ``name``, ``code``, geocentric ``x``, ``y``, ``z`` (m), ``sefd`` (nominal) and
    ``sefd_2017`` (the effective SEFD of the 2017 M87 data, from their thermal errors), in Jy.

    Examples
    --------
    >>> stations = load_eht_stations()
    >>> len(stations), stations["code"][0], stations["x"].unit
    (8, np.str_('AA'), Unit("m"))
    """
    table = QTable.read(shipped_data_dir() / "eht2017_stations.ecsv", format="ascii.ecsv")
    table.add_index("code")
    return table


def uv_coverage(stations=None, *, dec=M87_DEC, frequency=230 * u.GHz, hours=(0.0, 24.0), step=10 * u.min,
                elevation_limit=10 * u.deg, ra=M87_RA):
    """Baselines (u, v) traced by Earth rotation while a source is above every station's horizon limit.

    For a baseline ``B = r_2 - r_1`` in geocentric coordinates and the source's Greenwich hour angle
    ``H``, ``u = (B_x sin H + B_y cos H) / lambda`` and
    ``v = (-B_x sin(dec) cos H + B_y sin(dec) sin H + B_z cos(dec)) / lambda``
    (Thompson, Moran & Swenson 2017, ch. 4); a baseline counts when the source is higher than
    ``elevation_limit`` at both of its stations. Times are sidereal hours of Greenwich (a night is
    taken as a full sidereal day; the horizon limits decide).

    Parameters
    ----------
    stations : QTable, optional
        Default :func:`load_eht_stations`.
    dec, ra : Quantity
        Source position (default M87).
    frequency : Quantity, default 230 GHz
        Observing frequency.
    hours : tuple of float, default (0, 24)
        Range of Greenwich sidereal time.
    step : Quantity, default 10 min
        Sampling interval.
    elevation_limit : Quantity, default 10 deg
        Lowest usable elevation.

    Returns
    -------
    QTable
        One row per visibility: ``u``, ``v`` (wavelengths), ``t1``, ``t2`` (station codes), ``time`` (h).
        Each baseline appears once (the conjugate point (-u, -v) is implied).

    Examples
    --------
    >>> uv = uv_coverage()
    >>> bool(np.max(np.hypot(uv["u"], uv["v"])) < 9e9), sorted(set(uv["t1"]) | set(uv["t2"])) == ['AA', 'AP', 'AZ',
    ...     'JC', 'LM', 'PV', 'SM']
    (True, True)
    """
    stations = load_eht_stations() if stations is None else stations
    dec_r = np.deg2rad(check_quantity("dec", dec, u.deg, min=-90, max=90))
    ra_r = to_value(ra, u.rad, "ra")
    if not (np.ndim(dec_r) == 0 and np.ndim(ra_r) == 0 and np.isfinite(ra_r)):
        raise ValueError(f"dec and ra must be single finite angles, got dec={dec!r}, ra={ra!r}")
    wavelength = to_value(frequency, u.m, "frequency", equivalencies=u.spectral())
    dt = to_value(step, u.h, "step")
    limit = to_value(elevation_limit, u.rad, "elevation_limit")
    if not dt > 0:
        raise ValueError(f"step must be positive, got {step}")
    if not (isinstance(hours, (tuple, list, np.ndarray)) and np.ndim(hours) == 1 and len(hours) == 2):
        raise ValueError(f"hours must be (start, end) in sidereal hours, got {hours!r}")
    start = check_real("hours[0]", hours[0])
    end = check_real("hours[1]", hours[1], min=start, min_inclusive=False)
    # the elevations of every station at every time, and the baselines' rows: about 200 bytes a station and time
    check_size("step", (end - start) / dt * len(stations) * 200, request=f"step={step} over {end - start:g} h")
    gst = np.arange(start, end, dt)
    hour_angle = gst * (2 * np.pi / 24.0) - ra_r  # Greenwich hour angle of the source
    xyz = np.column_stack([stations[c].to_value(u.m) for c in "xyz"])
    lon = np.arctan2(xyz[:, 1], xyz[:, 0])
    lat = np.arctan2(xyz[:, 2], np.hypot(xyz[:, 0], xyz[:, 1]))
    local_ha = hour_angle[:, None] + lon[None, :]
    sin_el = np.sin(lat) * np.sin(dec_r) + np.cos(lat) * np.cos(dec_r) * np.cos(local_ha)
    up = np.arcsin(np.clip(sin_el, -1, 1)) > limit  # (n_times, n_stations)
    parts = []
    for i, j in itertools.combinations(range(len(stations)), 2):
        both = up[:, i] & up[:, j]
        if not both.any():
            continue
        bx, by, bz = (xyz[j] - xyz[i]) / wavelength
        h = hour_angle[both]
        uu = bx * np.sin(h) + by * np.cos(h)
        vv = -bx * np.sin(dec_r) * np.cos(h) + by * np.sin(dec_r) * np.sin(h) + bz * np.cos(dec_r)
        n = len(h)
        parts.append(QTable({"u": uu, "v": vv, "t1": np.repeat(stations["code"][i], n),
                             "t2": np.repeat(stations["code"][j], n), "time": gst[both]}))
    if not parts:
        raise ValueError("the source is never above the elevation limit at two stations at once")
    table = vstack(parts)
    keep = np.hypot(table["u"], table["v"]) > 1e6  # drop zero-spacing pairs (ALMA-APEX, JCMT-SMA are ~1 Mlambda)
    table = table[keep]
    table.sort("time")
    table.meta["frequency"] = frequency
    return table
