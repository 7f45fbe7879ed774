"""Mock and real EHT observations: sky models, a mock observation with noise and gains, the 2017 M87 data.

The interferometer itself (stations, coverage, the Fourier operator, uvfits I/O) is
:mod:`astrolab.interferometry`.
"""

from __future__ import annotations

import astropy.units as u
import numpy as np
from astropy.stats import gaussian_fwhm_to_sigma
from astropy.table import QTable
from sklearn.utils import Bunch

from astrolab._units import to_value
from astrolab._validation import check_int, check_real, check_rng, check_size
from astrolab.datasets._fetch import fetch_file
from astrolab.datasets._skymodels import MODELS, SkyModel
from astrolab.interferometry import FourierOperator, load_eht_stations, read_uvfits, uv_coverage

__all__ = ["SkyModel", "crescent_image", "fetch_eht_m87", "load_ehtim_m87", "make_eht_mock"]


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
    if not (isinstance(image_shape, (tuple, list)) and len(image_shape) == 2):
        raise ValueError(f"image_shape must be (ny, nx), got {image_shape!r}")
    ny, nx = (check_int(f"image_shape[{i}]", n, min=1) for i, n in enumerate(image_shape))
    check_size("image_shape", 8 * 8 * ny * nx, request=f"image_shape={image_shape!r}")  # a few float grids
    asymmetry = check_real("asymmetry", asymmetry)
    pix = to_value(pixel_size, u.uas, "pixel_size")
    radius = to_value(diameter, u.uas, "diameter") / 2
    sigma = to_value(width, u.uas, "width") * gaussian_fwhm_to_sigma
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
                  width=10 * u.uas, flux=0.6 * u.Jy, asymmetry=0.6, position_angle=180 * u.deg, offset=None,
                  integration=60 * u.s, scan_length=6 * u.min, scan_interval=20 * u.min, bandwidth=2 * u.GHz,
                  systematic=0.0, station_phases=False, gain_error=0.0, seed=0):
    """Mock EHT observation of a known, continuous sky: coverage, noisy visibilities and the truth.

    The mock is made the way the sky and the instrument make data, not the way the imager models
    them (no "inverse crime"):

    - the sky is a continuous :class:`SkyModel` (a crescent, ring, disc, Gaussian or double source)
      whose visibilities are computed in closed form, at a random sub-pixel ``offset``; the image
      grid only serves the imager and the scoring (``truth["image"]`` is the model averaged over
      each pixel);
    - the coverage is the 2017 array's (:func:`~astrolab.interferometry.uv_coverage`), observed as the
      EHT did: scans of ``scan_length`` every ``scan_interval``, integrations of ``integration``;
    - thermal noise ``sigma = sqrt(SEFD_1 SEFD_2 / (2 bandwidth integration))`` on the real and on the
      imaginary part of each visibility (Thompson, Moran & Swenson 2017, ch. 6), the convention of
      uvfits files: ``sigma`` is what :func:`~astrolab.interferometry.read_uvfits` reads from real data;
    - station gains ``g_a`` multiply the visibilities as ``g_a conj(g_b) V_ab``: amplitudes
      ``1 + gain_error N(0, 1)`` per station and scan, and with ``station_phases`` a random phase per
      station and integration (at 1.3 mm the atmosphere decorrelates in seconds).

    Parameters
    ----------
    model : {"crescent", "ring", "disc", "gaussian", "double"}
        The true sky (see :class:`SkyModel`).
    image_shape, pixel_size : tuple, Quantity
        The grid of ``truth["image"]`` and of the returned ``operator``.
    diameter, width, flux, asymmetry, position_angle : Quantity or float
        The :class:`SkyModel` parameters.
    offset : tuple of Quantity, optional
        Shift (east, north) of the source; default a random shift of up to one pixel each way.
    integration, scan_length, scan_interval : Quantity
        Integration time of each visibility, length of a scan, and time from one scan's start to the next.
    bandwidth : Quantity
        Recorded bandwidth.
    systematic : float, default 0
        A known fractional error added in quadrature to ``sigma`` (and to the noise).
    station_phases : bool, default False
        Scramble each station's phase at every integration, as the atmosphere does.
    gain_error : float, default 0
        Fractional scatter of each station's amplitude gain per scan (real data: about 0.1).
    seed : int or numpy.random.Generator
        Random seed of the offset, the noise and the gains.

    Returns
    -------
    Bunch
        ``uv`` (the coverage table), ``vis`` (complex Jy), ``sigma`` (Jy, per real and imaginary part),
        ``table`` (``time``, ``t1``, ``t2``, ``u``, ``v``, ``vis``, ``sigma``, ``scan``: the columns of
        :func:`fetch_eht_m87`), ``operator`` (a :class:`~astrolab.interferometry.FourierOperator` of the
        grid), ``pixel_size``, ``image_shape`` and ``truth`` (dict: ``image``, ``sky`` the
        :class:`SkyModel`, ``model``, ``diameter``, ``width``, ``flux``, ``position_angle``, ``vis`` the
        noiseless visibilities and ``gains`` ``g_1 conj(g_2)`` per row).

    Examples
    --------
    >>> mock = make_eht_mock(seed=1)
    >>> mock.vis.dtype.kind, mock.truth["image"].shape, bool(np.all(mock.sigma > 0))
    ('c', (48, 48), True)
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {model!r}")
    if not 0 <= systematic < 1:
        raise ValueError(f"systematic must be a fraction in [0, 1), got {systematic!r}")
    if not 0 <= gain_error < 1:
        raise ValueError(f"gain_error must be a fraction in [0, 1), got {gain_error!r}")
    if not (isinstance(image_shape, (tuple, list)) and len(image_shape) == 2):
        raise ValueError(f"image_shape must be (ny, nx), got {image_shape!r}")
    image_shape = tuple(check_int(f"image_shape[{i}]", n, min=2) for i, n in enumerate(image_shape))
    pix_rad = to_value(pixel_size, u.rad, "pixel_size")
    if not (np.ndim(pix_rad) == 0 and pix_rad > 0):
        raise ValueError(f"pixel_size must be one positive angle, got {pixel_size}")
    tau = to_value(integration, u.s, "integration")
    scan = to_value(scan_length, u.h, "scan_length")
    every = to_value(scan_interval, u.h, "scan_interval")
    bw = to_value(bandwidth, u.Hz, "bandwidth")
    if not (tau > 0 and bw > 0 and 0 < scan <= every):
        raise ValueError(f"need integration > 0, bandwidth > 0 and 0 < scan_length <= scan_interval, got "
                         f"{integration}, {bandwidth}, {scan_length}, {scan_interval}")
    rng = check_rng("seed", seed)
    if offset is None:
        offset = tuple(rng.uniform(-1, 1, 2) * to_value(pixel_size, u.uas, "pixel_size") * u.uas)
    sky = SkyModel(model, diameter=diameter, width=width, flux=flux, asymmetry=asymmetry,
                   position_angle=position_angle, offset=offset)
    check_size("integration", 24 * 3600 / tau * 8 * 200, request=f"integration={integration}")  # as uv_coverage
    uv = uv_coverage(step=tau * u.s)
    t = np.asarray(uv["time"])
    phase_in_cycle = (t - t.min()) % every
    uv = uv[phase_in_cycle < scan - 1e-9]
    uv["scan"] = np.floor((np.asarray(uv["time"]) - t.min()) / every).astype(int)
    stations = load_eht_stations()
    sefd = {code: stations.loc[code]["sefd_2017"].to_value(u.Jy) for code in stations["code"]}
    thermal = np.array([np.sqrt(sefd[a] * sefd[b] / (2 * bw * tau)) for a, b in zip(uv["t1"], uv["t2"], strict=True)])
    model_vis = sky.visibilities(np.asarray(uv["u"]), np.asarray(uv["v"]))
    sigma = np.hypot(thermal, systematic * np.abs(model_vis))
    vis = model_vis + sigma * (rng.standard_normal(len(sigma)) + 1j * rng.standard_normal(len(sigma)))
    codes = list(stations["code"])
    col = {c: k for k, c in enumerate(codes)}
    k1 = np.array([col[c] for c in uv["t1"]])
    k2 = np.array([col[c] for c in uv["t2"]])
    n_scan = int(uv["scan"].max()) + 1
    amp = np.clip(1 + gain_error * rng.standard_normal((n_scan, len(codes))), 0.1, None)
    slots, slot = np.unique(np.asarray(uv["time"]), return_inverse=True)
    phases = np.zeros((len(slots), len(codes)))
    if station_phases:
        phases = rng.uniform(-np.pi, np.pi, phases.shape)
    s, slot = np.asarray(uv["scan"]), slot.ravel()
    gains = amp[s, k1] * amp[s, k2] * np.exp(1j * (phases[slot, k1] - phases[slot, k2]))
    vis = vis * gains
    sigma = sigma * np.abs(gains)
    op = FourierOperator(uv["u"], uv["v"], image_shape, pix_rad)
    table = QTable({"time": np.asarray(uv["time"]), "t1": np.asarray(uv["t1"]), "t2": np.asarray(uv["t2"]),
                    "u": np.asarray(uv["u"]), "v": np.asarray(uv["v"]), "vis": vis, "sigma": sigma,
                    "scan": np.asarray(uv["scan"])})
    table.meta["source"] = f"mock EHT observation of a {model} (astrolab.datasets.make_eht_mock)"
    truth = {"image": sky.image(image_shape, pixel_size), "sky": sky, "model": model, "diameter": diameter,
             "width": width, "flux": flux, "position_angle": position_angle, "vis": model_vis, "gains": gains}
    return Bunch(uv=uv, vis=vis, sigma=sigma, table=table, operator=op, pixel_size=pixel_size,
                 image_shape=tuple(image_shape), truth=truth)


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
        As :func:`~astrolab.interferometry.read_uvfits`.
    """
    if day not in ("095", "096") or band not in ("lo", "hi"):
        raise ValueError(f"day must be '095' or '096' and band 'lo' or 'hi', got {day!r} and {band!r}")
    path = fetch_file(f"eht-m87-2017-{day}-{band}", mirror=mirror, data_home=data_home)
    table = read_uvfits(path)
    table.meta["source"] = f"EHT 2017 M87, day {day}, band {band} (2019-D01-01, netcal, Stokes I)"
    return table


def load_ehtim_m87() -> dict:
    """The stored ehtim images of the real 2017 M87 data (``benchmarks/ehtim_m87.py``), for comparison.

    ehtim (eht-imaging) is an optional dependency (``pip install 'astrolab[ehtim]'``); its run takes
    minutes, so the course ships its result: for each day, the image (32 x 32 pixels of 4 uas, north up,
    east left), its closure-phase chi-squared, the wall time and the settings, with the ehtim version,
    the machine and the date of the run.

    Returns
    -------
    dict
        ``days`` (a list of dicts: ``day``, ``image``, ``chi2_cphase``, ``wall_time_s``, ...), ``ehtim_version``,
        ``machine``, ``date``.
    """
    import json

    from astrolab._paths import shipped_data_dir

    path = shipped_data_dir() / "ehtim_m87_2017.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run benchmarks/ehtim_m87.py with ehtim installed to make it")
    return json.loads(path.read_text())
