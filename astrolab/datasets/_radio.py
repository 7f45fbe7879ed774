"""An EHT-like interferometer: real station positions, Earth-rotation synthesis, sky models, uvfits I/O."""

from __future__ import annotations

import itertools

import astropy.units as u
import numpy as np
from astropy.table import QTable
from sklearn.utils import Bunch

from astrolab._paths import atomic_path, shipped_data_dir
from astrolab.datasets._fetch import fetch_file
from astrolab.datasets._units import to_value

__all__ = ["M87_DEC", "M87_RA", "crescent_image", "fetch_eht_m87", "load_eht_stations", "make_eht_mock",
           "read_uvfits", "uv_coverage", "write_uvfits"]

M87_RA = 187.7059308 * u.deg   # 12h30m49.42s (ICRS)
M87_DEC = 12.3911233 * u.deg   # +12d23m28.0s
_UAS = (1 * u.uas).to_value(u.rad)


def load_eht_stations() -> QTable:
    """The eight EHT 2017 stations: ``name``, ``code``, geocentric ``x``, ``y``, ``z`` (m) and ``sefd`` (Jy).

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
    dec_r = to_value(dec, u.rad, "dec")
    ra_r = to_value(ra, u.rad, "ra")
    wavelength = to_value(frequency, u.m, "frequency", equivalencies=u.spectral())
    dt = to_value(step, u.h, "step")
    limit = to_value(elevation_limit, u.rad, "elevation_limit")
    if not dt > 0:
        raise ValueError(f"step must be positive, got {step}")
    gst = np.arange(hours[0], hours[1], dt)
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
    from astropy.table import vstack

    table = vstack(parts)
    keep = np.hypot(table["u"], table["v"]) > 1e6  # drop zero-spacing pairs (ALMA-APEX, JCMT-SMA are ~1 Mlambda)
    table = table[keep]
    table.sort("time")
    table.meta["frequency"] = frequency
    return table


def crescent_image(image_shape=(32, 32), pixel_size=4 * u.uas, *, diameter=40 * u.uas, width=10 * u.uas,
                   asymmetry=0.6, position_angle=180 * u.deg, flux=0.6 * u.Jy):
    """A blurred ring brighter on one side: the shape of a black-hole shadow and its photon ring.

    The brightness is a Gaussian ring (radius ``diameter / 2``, FWHM ``width``) modulated by
    ``1 + asymmetry * cos(phi - position_angle)`` (position angle east of north), normalised to
    ``flux``. M87* in 2017: diameter about 42 uas, width under half of it, brighter in the south
    (EHT Collaboration 2019, Paper I).

    Returns
    -------
    ndarray, shape ``image_shape``
        Jy per pixel; row index increases to the north, column index to the west (east is left).

    Examples
    --------
    >>> image = crescent_image()
    >>> image.shape, round(float(image.sum()), 6)
    ((32, 32), 0.6)
    """
    ny, nx = image_shape
    pix = to_value(pixel_size, u.uas, "pixel_size")
    radius = to_value(diameter, u.uas, "diameter") / 2
    sigma = to_value(width, u.uas, "width") / 2.3548
    pa = to_value(position_angle, u.rad, "position_angle")
    total = to_value(flux, u.Jy, "flux")
    if not (0 <= asymmetry < 1 and radius > 0 and sigma > 0 and total > 0):
        raise ValueError("need 0 <= asymmetry < 1 and positive diameter, width and flux")
    y = (np.arange(ny) - ny // 2) * pix  # north
    x = -(np.arange(nx) - nx // 2) * pix  # east (to the left)
    xx, yy = np.meshgrid(x, y)
    r = np.hypot(xx, yy)
    phi = np.arctan2(xx, yy)  # east of north
    image = np.exp(-0.5 * ((r - radius) / sigma) ** 2) * (1 + asymmetry * np.cos(phi - pa))
    return image / image.sum() * total


def make_eht_mock(model="crescent", *, image_shape=(48, 48), pixel_size=3 * u.uas, diameter=40 * u.uas,
                  width=10 * u.uas, flux=0.6 * u.Jy, step=10 * u.min, integration=60 * u.s, bandwidth=2 * u.GHz,
                  systematic=0.02, station_phases=False, gain_error=0.0, seed=0):
    """Mock EHT observation of a known sky: coverage, noisy visibilities and the truth.

    The coverage is :func:`uv_coverage` of the 2017 array for M87; the visibilities are the exact
    Fourier transform of the true pixel image (:class:`astrolab.sparse.FourierOperator`), plus
    thermal noise ``sigma = sqrt(SEFD_1 SEFD_2 / (2 bandwidth integration))`` per baseline
    (Thompson, Moran & Swenson 2017, eq. 6.45) and, in quadrature, a fraction ``systematic`` of the
    visibility amplitude (residual calibration errors; the EHT budgets about 1-2 %). With the default
    48 x 48 image there are more unknowns (2304) than measured numbers (2 per visibility): the
    problem is under-determined, as real VLBI imaging is.

    Parameters
    ----------
    model : {"crescent", "ring", "gaussian", "double"}
        The true sky: the crescent of :func:`crescent_image`, a symmetric ring, a single Gaussian
        (FWHM = ``diameter``), or two point-like sources ``diameter`` apart.
    image_shape, pixel_size : tuple, Quantity
        The image grid of the truth (and of the reconstruction).
    diameter, width, flux : Quantity
        Size, ring width and total flux of the model.
    step, integration, bandwidth : Quantity
        Sampling interval of the coverage, integration time of each visibility, bandwidth.
    systematic : float, default 0.02
        Fractional error added in quadrature to the thermal noise.
    station_phases : bool, default False
        Corrupt the data as the atmosphere does: a random phase (uniform in 2 pi) per station and time
        sample, so that only closure phases keep the source's phase information.
    gain_error : float, default 0
        Fractional scatter of a constant amplitude gain per station (real data: about 0.1).
    seed : int or numpy.random.Generator
        Random seed of the noise.

    Returns
    -------
    Bunch
        ``uv`` (the table of :func:`uv_coverage`), ``vis`` (complex Jy), ``sigma`` (Jy), ``table`` (the
        same as a table with the columns of :func:`fetch_eht_m87`: ``time``, ``t1``, ``t2``, ``u``,
        ``v``, ``vis``, ``sigma``), ``operator``
        (the :class:`~astrolab.sparse.FourierOperator`), ``pixel_size`` (Quantity), ``image_shape`` and
        ``truth`` (dict: ``image``, ``model``, ``diameter``, ``width``, ``flux``, ``vis`` the noiseless
        visibilities and ``gains`` the station gains per row, ``g_1 conj(g_2)``).

    Examples
    --------
    >>> mock = make_eht_mock(seed=1)
    >>> mock.vis.dtype.kind, mock.truth["image"].shape, bool(np.all(mock.sigma > 0))
    ('c', (48, 48), True)
    """
    from astrolab.sparse import FourierOperator

    if model not in ("crescent", "ring", "gaussian", "double"):
        raise ValueError(f"model must be 'crescent', 'ring', 'gaussian' or 'double', got {model!r}")
    pix_rad = to_value(pixel_size, u.rad, "pixel_size")
    if model in ("crescent", "ring"):
        image = crescent_image(image_shape, pixel_size, diameter=diameter, width=width,
                               asymmetry=0.6 if model == "crescent" else 0.0, flux=flux)
    else:
        ny, nx = image_shape
        pix = to_value(pixel_size, u.uas, "pixel_size")
        y = (np.arange(ny) - ny // 2) * pix
        x = -(np.arange(nx) - nx // 2) * pix
        xx, yy = np.meshgrid(x, y)
        d = to_value(diameter, u.uas, "diameter")
        if model == "gaussian":
            image = np.exp(-0.5 * (np.hypot(xx, yy) / (d / 2.3548)) ** 2)
        else:
            s = 1.5 * pix
            image = (np.exp(-0.5 * (np.hypot(xx - d / 2, yy) / s) ** 2)
                     + 0.5 * np.exp(-0.5 * (np.hypot(xx + d / 2, yy) / s) ** 2))
        image = image / image.sum() * to_value(flux, u.Jy, "flux")
    uv = uv_coverage(step=step)
    op = FourierOperator(uv["u"], uv["v"], image_shape, pix_rad)
    stations = load_eht_stations()
    sefd = {code: stations.loc[code]["sefd"].to_value(u.Jy) for code in stations["code"]}
    tau = to_value(integration, u.s, "integration")
    bw = to_value(bandwidth, u.Hz, "bandwidth")
    if not 0 <= systematic < 1:
        raise ValueError(f"systematic must be a fraction in [0, 1), got {systematic!r}")
    thermal = np.array([np.sqrt(sefd[a] * sefd[b] / (2 * bw * tau)) for a, b in zip(uv["t1"], uv["t2"], strict=True)])
    rng = np.random.default_rng(seed)
    model_vis = op.matvec(image.ravel())
    sigma = np.hypot(thermal, systematic * np.abs(model_vis))
    vis = model_vis + sigma * (rng.standard_normal(len(sigma)) + 1j * rng.standard_normal(len(sigma))) / np.sqrt(2)
    if not 0 <= gain_error < 1:
        raise ValueError(f"gain_error must be a fraction in [0, 1), got {gain_error!r}")
    codes = list(stations["code"])
    amp_gain = dict(zip(codes, 1 + gain_error * rng.standard_normal(len(codes)), strict=True))
    slots, slot = np.unique(np.asarray(uv["time"]), return_inverse=True)
    phases = np.zeros((len(slots), len(codes)))
    if station_phases:
        phases = rng.uniform(-np.pi, np.pi, phases.shape)
    col = {c: k for k, c in enumerate(codes)}
    k1 = np.array([col[c] for c in uv["t1"]])
    k2 = np.array([col[c] for c in uv["t2"]])
    gains = (np.array([amp_gain[c] for c in uv["t1"]]) * np.array([amp_gain[c] for c in uv["t2"]])
             * np.exp(1j * (phases[slot.ravel(), k1] - phases[slot.ravel(), k2])))
    vis = vis * gains
    sigma = sigma * np.abs(gains)
    table = QTable({"time": np.asarray(uv["time"]), "t1": np.asarray(uv["t1"]), "t2": np.asarray(uv["t2"]),
                    "u": np.asarray(uv["u"]), "v": np.asarray(uv["v"]), "vis": vis, "sigma": sigma})
    table.meta["source"] = f"mock EHT observation of a {model} (astrolab.datasets.make_eht_mock, seed {seed})"
    truth = {"image": image, "model": model, "diameter": diameter, "width": width, "flux": flux,
             "vis": model_vis, "gains": gains}
    return Bunch(uv=uv, vis=vis, sigma=sigma, table=table, operator=op, pixel_size=pixel_size,
                 image_shape=tuple(image_shape), truth=truth)


# ---------------------------------------------------------------------------- uvfits


def read_uvfits(path) -> QTable:
    """Read Stokes I visibilities from a (single-source, single-IF) random-groups uvfits file.

    ``u`` and ``v`` (stored in light-seconds) are converted to wavelengths with the reference
    frequency (``CRVAL`` of the FREQ axis) and their sign is flipped: EHT (HOPS) files, like
    eht-imaging, define the baseline of stations 1-2 as ``(x_1 - x_2) / lambda`` with visibilities
    ``V = sum I exp(+2 pi i (u l + v m))``, whereas astrolab (:func:`uv_coverage`,
    :class:`~astrolab.sparse.FourierOperator`) uses ``(x_2 - x_1) / lambda`` and ``exp(-2 pi i ...)``.
    The two descriptions are the same measurement; read this way, the real coverage of the 2017 M87
    files agrees with :func:`uv_coverage` to 0.01% and images come out the right way round (M87's
    ring bright in the south). :func:`write_uvfits` flips the sign back. Stokes I is the weighted mean of the RR and LL
    correlations, and ``sigma = 1 / sqrt(total weight)``. Rows without a positive weight are dropped.

    Parameters
    ----------
    path : str or Path
        A uvfits file, e.g. from :func:`fetch_eht_m87`.

    Returns
    -------
    QTable
        ``time`` (h since the first integration's day start, UT), ``t1``, ``t2`` (station names from the AN
        table), ``u``, ``v`` (wavelengths), ``vis`` (complex, Jy) and ``sigma`` (Jy); ``meta`` has
        ``frequency``, ``object`` and ``mjd``.
    """
    from astropy.io import fits

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


def fetch_eht_m87(day: str = "095", band: str = "lo", *, mirror=None, data_home=None) -> QTable:
    """The real EHT 2017 M87 visibilities of one day and band (EHT Collaboration 2019, Paper III).

    Downloads (pooch, SHA-256 checked, cached in :func:`astrolab.data_dir`) the calibrated
    network-calibrated Stokes I uvfits file of the public data release 2019-D01-01, or reads it
    from a local mirror (``ASTROLAB_MIRROR``); raises :class:`~astrolab.datasets.DataUnavailableError`
    when neither works, naming :func:`make_eht_mock` as the offline alternative.

    Parameters
    ----------
    day : {"095", "096"}
        Day of year 2017 (April 5 or 6).
    band : {"lo", "hi"}
        227.1 or 229.1 GHz.

    Returns
    -------
    QTable
        As :func:`read_uvfits`.
    """
    if day not in ("095", "096") or band not in ("lo", "hi"):
        raise ValueError(f"day must be '095' or '096' and band 'lo' or 'hi', got {day!r} and {band!r}")
    path = fetch_file(f"eht-m87-2017-{day}-{band}", mirror=mirror, data_home=data_home)
    table = read_uvfits(path)
    table.meta["source"] = f"EHT 2017 M87, day {day}, band {band} (2019-D01-01, netcal, Stokes I)"
    return table
