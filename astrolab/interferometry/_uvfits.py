"""Visibilities on disk: a minimal reader and writer of random-groups uvfits files (Stokes I)."""

from __future__ import annotations

import astropy.units as u
import numpy as np
from astropy.table import QTable

from astrolab._paths import atomic_path
from astrolab._units import to_value

__all__ = ["read_uvfits", "write_uvfits"]


def read_uvfits(path) -> QTable:
    """Read Stokes I visibilities from a (single-source, single-IF) random-groups uvfits file.

    ``u`` and ``v`` (stored in light-seconds) are converted to wavelengths with the reference
    frequency (``CRVAL`` of the FREQ axis) and their sign is flipped: EHT (HOPS) files, like
    eht-imaging, define the baseline of stations 1-2 as ``(x_1 - x_2) / lambda`` with visibilities
    ``V = sum I exp(+2 pi i (u l + v m))``, whereas astrolab (:func:`uv_coverage`,
    :class:`~astrolab.interferometry.FourierOperator`) uses ``(x_2 - x_1) / lambda`` and ``exp(-2 pi i ...)``.
    The two descriptions are the same measurement; read this way, the real coverage of the 2017 M87
    files agrees with :func:`uv_coverage` to 0.01% and images come out the right way round (M87's
    ring bright in the south). :func:`write_uvfits` flips the sign back. Stokes I is the weighted mean of the RR and LL
    correlations, and ``sigma = 1 / sqrt(total weight)``. Rows without a positive weight are dropped.

    Parameters
    ----------
    path : str or Path
        A uvfits file, e.g. from :func:`~astrolab.datasets.fetch_eht_m87`.

    Returns
    -------
    QTable
        ``time`` (h since the first integration's day start, UT), ``t1``, ``t2`` (station names from the AN
        table), ``u``, ``v`` (wavelengths), ``vis`` (complex, Jy) and ``sigma`` (Jy); ``meta`` has
        ``frequency``, ``object`` and ``mjd``.
    """
    from astropy.io import fits

    from astrolab._validation import check_path

    path = check_path("path", path, must_exist=True)
    with fits.open(path) as hdul:
        primary = hdul[0]
        if not isinstance(primary, fits.GroupsHDU):
            raise ValueError(f"{path} is not a random-groups uvfits file (its primary HDU is {type(primary).__name__})")
        header = primary.header
        axes = {header.get(f"CTYPE{i}", "").strip(): i for i in range(2, header["NAXIS"] + 1)}
        if "FREQ" not in axes or "STOKES" not in axes:
            raise ValueError(f"{path} lacks a FREQ or STOKES axis")
        freq = header[f"CRVAL{axes['FREQ']}"]
        data = primary.data
        params = [p.upper() for p in data.parnames]

        def par(name):
            matches = [i for i, p in enumerate(params) if p.startswith(name)]
            if not matches:
                raise ValueError(f"{path} has no group parameter {name!r} (it has {params})")
            return data.par(data.parnames[matches[0]])  # by name: astropy sums repeated parameters (DATE)

        uu, vv = -par("UU") * freq, -par("VV") * freq  # EHT/eht-imaging sign convention -> astrolab's
        baseline = par("BASELINE").astype(int)
        jd = par("DATE")
        raw = np.asarray(data.data, dtype=float).reshape(len(data), -1, 3)  # (groups, stokes..., re/im/weight)
        stokes0 = header[f"CRVAL{axes['STOKES']}"]
        n_stokes = header[f"NAXIS{axes['STOKES']}"]
        codes = [int(round(stokes0 + k * header.get(f"CDELT{axes['STOKES']}", -1))) for k in range(n_stokes)]
        use = [k for k, c in enumerate(codes) if c in (-1, -2)] or [0]  # RR, LL (or the first)
        re, im, w = raw[:, use, 0], raw[:, use, 1], np.clip(raw[:, use, 2], 0, None)
        wsum = w.sum(axis=1)
        good = (wsum > 0) & np.isfinite(re).all(axis=1) & np.isfinite(im).all(axis=1)
        vis = ((re + 1j * im) * w).sum(axis=1)[good] / wsum[good]
        names = {}
        if "AIPS AN" in hdul:
            an = hdul["AIPS AN"].data
            names = {int(n): str(a).strip() for n, a in zip(an["NOSTA"], an["ANNAME"], strict=True)}
        obj = header.get("OBJECT", "")
    a1, a2 = baseline // 256, baseline % 256
    mjd0 = np.floor(jd.min() - 2400000.5)
    table = QTable()
    table["time"] = (jd[good] - 2400000.5 - mjd0) * 24.0
    table["t1"] = [names.get(a, str(a)) for a in a1[good]]
    table["t2"] = [names.get(a, str(a)) for a in a2[good]]
    table["u"] = uu[good]
    table["v"] = vv[good]
    table["vis"] = vis
    table["sigma"] = 1.0 / np.sqrt(wsum[good])
    table.meta.update({"frequency": freq * u.Hz, "object": obj, "mjd": float(mjd0)})
    return table


def write_uvfits(path, table, frequency, *, object_name="MOCK", stations=None):
    """Write visibilities (a table like :func:`read_uvfits` returns) as a minimal random-groups uvfits file.

    Stokes I is written as equal RR and LL with half the weight each, so that :func:`read_uvfits`
    reads back the same ``vis`` and ``sigma``. Used by the tests and to export mock data to other
    imaging software. The file is written to a temporary name and renamed when complete.

    Examples
    --------
    >>> import tempfile, os
    >>> t = QTable({"time": [0.1, 0.2], "t1": ["AA", "AA"], "t2": ["LM", "PV"], "u": [1e9, 2e9],
    ...             "v": [0.0, 1e9], "vis": [0.5 + 0.1j, 0.2 - 0.3j], "sigma": [0.01, 0.02]})
    >>> path = os.path.join(tempfile.mkdtemp(), "mock.uvfits")
    >>> write_uvfits(path, t, 230e9 * u.Hz)
    >>> back = read_uvfits(path)
    >>> np.allclose(back["vis"], t["vis"]), np.allclose(back["u"], t["u"]), [str(s) for s in back["t2"]]
    (True, True, ['LM', 'PV'])
    """
    from astropy.io import fits

    freq = to_value(frequency, u.Hz, "frequency")
    if not (isinstance(object_name, str) and object_name.isascii() and object_name.isprintable()
            and len(object_name) <= 68):
        raise ValueError(f"object_name must be a printable ASCII string of at most 68 characters (a FITS OBJECT "
                         f"card), got {object_name!r}"[:300])
    names = sorted(set(table["t1"]) | set(table["t2"]))
    number = {name: k + 1 for k, name in enumerate(names)}
    n = len(table)
    data = np.zeros((n, 1, 1, 1, 1, 2, 3))
    vis = np.asarray(table["vis"], dtype=complex)
    weight = 0.5 / np.asarray(table["sigma"], dtype=float) ** 2
    for k in range(2):
        data[:, 0, 0, 0, 0, k, 0] = vis.real
        data[:, 0, 0, 0, 0, k, 1] = vis.imag
        data[:, 0, 0, 0, 0, k, 2] = weight
    baseline = np.array([256 * number[a] + number[b] for a, b in zip(table["t1"], table["t2"], strict=True)], float)
    # DATE in two parts, as uvfits does, so that float32 keeps sub-second precision: JD of 0 h + fraction
    jd_day = np.full(n, 2400000.5 + 57848.0)
    jd_fraction = np.asarray(table["time"], float) / 24.0
    groups = fits.GroupData(data, parnames=["UU---SIN", "VV---SIN", "WW---SIN", "BASELINE", "DATE", "DATE"],
                            pardata=[-np.asarray(table["u"], float) / freq, -np.asarray(table["v"], float) / freq,
                                     np.zeros(n), baseline, jd_day, jd_fraction], bitpix=-32)
    primary = fits.GroupsHDU(groups)
    h = primary.header
    for i, (ctype, crval, cdelt) in enumerate([("COMPLEX", 1.0, 1.0), ("STOKES", -1.0, -1.0), ("FREQ", freq, 2e9),
                                               ("IF", 1.0, 1.0), ("RA", 0.0, 1.0), ("DEC", 0.0, 1.0)], start=2):
        h[f"CTYPE{i}"], h[f"CRVAL{i}"], h[f"CDELT{i}"], h[f"CRPIX{i}"] = ctype, crval, cdelt, 1.0
    h["OBJECT"] = object_name
    an = fits.BinTableHDU.from_columns([fits.Column(name="ANNAME", format="8A", array=names),
                                        fits.Column(name="NOSTA", format="1J", array=[number[x] for x in names])],
                                       name="AIPS AN")
    with atomic_path(path) as tmp:
        fits.HDUList([primary, an]).writeto(tmp)
