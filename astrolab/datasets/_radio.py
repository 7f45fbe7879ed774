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
from astrolab.datasets._fetch import fetch_file
from astrolab.interferometry import FourierOperator, load_eht_stations, read_uvfits, uv_coverage

__all__ = ["crescent_image", "fetch_eht_m87", "make_eht_mock"]


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
                  width=10 * u.uas, flux=0.6 * u.Jy, step=10 * u.min, integration=60 * u.s, bandwidth=2 * u.GHz,
                  systematic=0.02, station_phases=False, gain_error=0.0, seed=0):
    """Mock EHT observation of a known sky: coverage, noisy visibilities and the truth.

    The coverage is :func:`~astrolab.interferometry.uv_coverage` of the 2017 array for M87; the
    visibilities are the exact Fourier transform of the true pixel image
    (:class:`astrolab.interferometry.FourierOperator`), plus
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
        ``uv`` (the table of :func:`~astrolab.interferometry.uv_coverage`), ``vis`` (complex Jy),
        ``sigma`` (Jy), ``table`` (the
        same as a table with the columns of :func:`fetch_eht_m87`: ``time``, ``t1``, ``t2``, ``u``,
        ``v``, ``vis``, ``sigma``), ``operator``
        (the :class:`~astrolab.interferometry.FourierOperator`), ``pixel_size`` (Quantity), ``image_shape`` and
        ``truth`` (dict: ``image``, ``model``, ``diameter``, ``width``, ``flux``, ``vis`` the noiseless
        visibilities and ``gains`` the station gains per row, ``g_1 conj(g_2)``).

    Examples
    --------
    >>> mock = make_eht_mock(seed=1)
    >>> mock.vis.dtype.kind, mock.truth["image"].shape, bool(np.all(mock.sigma > 0))
    ('c', (48, 48), True)
    """
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
            image = np.exp(-0.5 * (np.hypot(xx, yy) / (d * gaussian_fwhm_to_sigma)) ** 2)
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
