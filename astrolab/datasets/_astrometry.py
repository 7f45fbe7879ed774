"""Mock JASMINE-like astrometry of Galactic-centre stars: 1-D along-scan measurements with attitude errors.

The model is the one-dimensional "along-scan" reduction used by Hipparcos, Gaia (AGIS; Lindegren et
al. 2012, A&A 538, A78) and planned for JASMINE (Gouda 2012; Kawata et al. 2024, PASJ 76, 386): each
measurement is the position of one star projected on the scan direction of the detector, at the time
of the exposure. For star ``i`` observed at time ``t`` (years from the reference epoch) with scan
angle ``theta`` (radians, from north through east),

    w = (da_i + mu_a_i t + plx_i P_a(t)) sin(theta) + (dd_i + mu_d_i t + plx_i P_d(t)) cos(theta) + a(t),

with position offsets ``da`` (= d alpha cos delta) and ``dd``, parallax ``plx``, proper motions
``mu_a`` and ``mu_d``, parallax factors ``P_a``, ``P_d`` of an observer on a circular Earth orbit
looking at the Galactic centre, and ``a(t)`` the along-scan attitude error of the satellite,
piecewise linear between knots. Angles are in micro-arcseconds (uas) and times in years.
"""

from __future__ import annotations

import numbers

import astropy.units as u
import numpy as np
from sklearn.utils import Bunch

from astrolab import _validation as _v

__all__ = ["make_astrometry", "parallax_factors", "along_scan_position", "GALACTIC_CENTRE"]

#: ICRS position of Sgr A* (degrees): the direction of the mock field.
GALACTIC_CENTRE = (266.41683, -29.00781)
_OBLIQUITY = np.deg2rad(23.4393)  # of the ecliptic, J2000
_SUN_LONGITUDE_AT_EPOCH = np.deg2rad(280.5)  # geocentric ecliptic longitude of the Sun on 1 January
PARAMETER_NAMES = ("ra_offset", "dec_offset", "parallax", "pmra", "pmdec")
PARAMETER_UNITS = ("uas", "uas", "uas", "uas/yr", "uas/yr")


def _as_uas(value, name: str) -> float:
    if isinstance(value, u.Quantity):
        try:
            value = value.to_value(u.uas)
        except u.UnitConversionError:
            raise ValueError(f"{name} must be an angle (e.g. 1000 * u.uas), got units of {value.unit}") from None
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a number in uas or an angle Quantity, got {value!r}")
    return float(value)


def parallax_factors(t, ra: float = GALACTIC_CENTRE[0], dec: float = GALACTIC_CENTRE[1]):
    """Parallax factors ``(P_a, P_d)`` of an observer on a circular Earth orbit.

    The apparent displacement of a star of parallax ``plx`` is ``plx * P_a`` in ``alpha cos delta`` and
    ``plx * P_d`` in ``delta``, with ``P_a = X sin(alpha) - Y cos(alpha)`` and
    ``P_d = X cos(alpha) sin(delta) + Y sin(alpha) sin(delta) - Z cos(delta)``, where ``(X, Y, Z)`` (au)
    is the barycentric position of the observer in equatorial coordinates (e.g. Green 1985,
    *Spherical Astronomy*, ch. 11). The orbit is circular, with the Sun at ecliptic longitude 280.5° at
    ``t = 0`` (1 January) and one revolution per year.

    Parameters
    ----------
    t : array_like
        Time in years from the reference epoch.
    ra, dec : float or Quantity
        Direction of the star in degrees, ``0 <= ra <= 360`` and ``-90 <= dec <= 90``, or angle
        Quantities (default: the Galactic centre).

    Returns
    -------
    p_ra, p_dec : ndarray
        Dimensionless parallax factors, each of the shape of ``t``.

    Examples
    --------
    >>> p_ra, p_dec = parallax_factors([0.0, 0.25, 0.5])
    >>> bool(np.all(np.hypot(p_ra, p_dec) <= 1.0))
    True
    """
    t = _v.check_array("t", t)
    ra = _v.check_quantity("ra", ra, "deg", default_unit="deg", min=0, max=360)
    dec = _v.check_quantity("dec", dec, "deg", default_unit="deg", min=-90, max=90)
    sun = _SUN_LONGITUDE_AT_EPOCH + 2 * np.pi * t
    # Earth = minus the geocentric Sun, rotated from ecliptic to equatorial coordinates.
    x = -np.cos(sun)
    y = -np.sin(sun) * np.cos(_OBLIQUITY)
    z = -np.sin(sun) * np.sin(_OBLIQUITY)
    a, d = np.deg2rad(ra), np.deg2rad(dec)
    p_ra = x * np.sin(a) - y * np.cos(a)
    p_dec = x * np.cos(a) * np.sin(d) + y * np.sin(a) * np.sin(d) - z * np.cos(d)
    return p_ra, p_dec


def along_scan_position(params, attitude, knots, time, star, scan_angle):
    """The along-scan coordinate ``w`` (uas) of each observation: the forward model of the mock.

    Parameters
    ----------
    params : array_like, shape (n_stars, 5)
        Per star: position offsets ``da``, ``dd`` (uas), parallax (uas), proper motions (uas/yr).
    attitude : array_like, shape (n_knots,)
        Along-scan attitude error at the knots (uas), interpolated linearly in time.
    knots : array_like, shape (n_knots,)
        Increasing knot times (years).
    time, star, scan_angle : array_like, shape (n_obs,)
        Time (years), star index and scan angle (radians) of each observation.

    Returns
    -------
    ndarray, shape (n_obs,)

    Examples
    --------
    >>> params = np.array([[100.0, 0.0, 0.0, 0.0, 0.0]])
    >>> along_scan_position(params, [0.0, 0.0], [0.0, 1.0], [0.5], [0], [np.pi / 2]).round(6).tolist()
    [100.0]
    """
    params = _v.check_array("params", params, shape=(None, 5))
    attitude = _v.check_array("attitude", attitude, ndim=1, min_rows=1)
    knots = _v.check_array("knots", knots, shape=attitude.shape)
    if not np.all(np.diff(knots) > 0):
        raise ValueError(f"knots must be increasing times (years), got {knots!r}")
    time = _v.check_array("time", time, ndim=1)
    star = _v.check_array("star", star, dtype=None, shape=time.shape)
    scan_angle = _v.check_array("scan_angle", scan_angle, shape=time.shape)
    if star.size and (star.dtype.kind not in "iu" or star.min() < 0 or star.max() >= len(params)):
        raise ValueError(f"star must hold integer indices into the {len(params)} rows of params, got {star!r}"[:300])
    p_ra, p_dec = parallax_factors(time)
    p = params[star]
    along_ra = p[:, 0] + p[:, 3] * time + p[:, 2] * p_ra
    along_dec = p[:, 1] + p[:, 4] * time + p[:, 2] * p_dec
    return along_ra * np.sin(scan_angle) + along_dec * np.cos(scan_angle) + np.interp(time, knots, attitude)


def make_astrometry(n_stars: int = 500, n_obs_per_star: int = 100, n_attitude_knots: int = 60, noise=200.0, *,
                    mission_years: float = 3.0, seed=0) -> Bunch:
    """Simulate JASMINE-like along-scan astrometry of Galactic-centre stars, with the truth.

    Stars of the nuclear bulge (distances 8 ± 1 kpc, so parallaxes near 125 uas; proper motions of
    3 mas/yr dispersion) are observed ``n_obs_per_star`` times each at random times of a mission of
    ``mission_years``. The scan direction turns once a year (the satellite keeps its sunshield towards
    the Sun while staring at a fixed field). Each measurement is the along-scan coordinate ``w`` of
    :func:`along_scan_position` plus Gaussian noise of ``noise`` uas. The attitude error is a smooth
    random walk of about 1 mas rms, linear between ``n_attitude_knots`` equally spaced knots.

    A *reference* catalogue (truth plus Gaia-like errors of 1 mas in position, 300 uas in parallax and
    1 mas/yr in proper motion) and zero attitude play the role of the approximate solution ``p0``. The
    problem to solve is linear: ``w - w_ref = D (p - p0) + noise``. The reference errors have zero mean
    over the stars, for each parameter: the reference catalogue defines the frame (the *gauge*) that
    a small-field instrument cannot determine by itself.

    Parameters
    ----------
    n_stars : int, default 500
        Number of stars (>= 2).
    n_obs_per_star : int, default 100
        Observations of each star (>= 3).
    n_attitude_knots : int, default 60
        Knots of the piecewise-linear attitude (>= 2).
    noise : float or Quantity, default 200
        Along-scan error of one measurement, in uas (> 0).
    mission_years : float, default 3
        Length of the mission (> 0); times run from ``-mission_years / 2`` to ``+mission_years / 2``.
    seed : int or numpy.random.Generator, default 0

    Returns
    -------
    Bunch
        ``time`` (yr), ``star`` (index), ``scan_angle`` (rad), ``parallax_factor_ra``,
        ``parallax_factor_dec``, ``w`` (measured, uas), ``w_ref`` (computed from the reference, uas),
        ``sigma`` (uas), one entry per observation; ``knots`` (yr), ``n_stars``, ``parameter_names``,
        ``parameter_units``; ``reference`` (Bunch: ``params`` (n_stars, 5), ``attitude``) and ``truth``
        (Bunch: ``params``, ``attitude``, ``delta_params`` = truth - reference).

    Examples
    --------
    >>> data = make_astrometry(n_stars=10, n_obs_per_star=20, n_attitude_knots=5, seed=1)
    >>> data.w.shape, data.truth.params.shape, data.knots.shape
    ((200,), (10, 5), (5,))
    >>> bool(np.allclose(data.truth.delta_params.mean(axis=0), 0.0))
    True
    """
    for name, value, low in [("n_stars", n_stars, 2), ("n_obs_per_star", n_obs_per_star, 3),
                             ("n_attitude_knots", n_attitude_knots, 2)]:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    noise = _as_uas(noise, "noise")
    if not (np.isfinite(noise) and noise > 0):
        raise ValueError(f"noise must be a positive number of uas, got {noise!r}")
    if not (isinstance(mission_years, numbers.Real) and np.isfinite(mission_years) and mission_years > 0):
        raise ValueError(f"mission_years must be a positive number of years, got {mission_years!r}")
    rng = _v.check_rng("seed", seed)
    n_stars, n_obs_per_star, n_knots = int(n_stars), int(n_obs_per_star), int(n_attitude_knots)
    _v.check_size("n_stars", 8.0 * 16 * (n_stars * n_obs_per_star + n_knots),  # about 16 numbers per observation
                  request=f"n_stars={n_stars}, n_obs_per_star={n_obs_per_star}, n_attitude_knots={n_knots}")
    half = mission_years / 2

    # True parameters: bulge stars at 8 +- 1 kpc.
    distance_pc = np.clip(rng.normal(8000.0, 1000.0, n_stars), 4000.0, 12000.0)
    params = np.column_stack([
        rng.normal(0.0, 1000.0, n_stars),  # uas: offsets from the nominal catalogue position
        rng.normal(0.0, 1000.0, n_stars),
        1e6 / distance_pc,                  # uas
        rng.normal(0.0, 3000.0, n_stars),  # uas/yr
        rng.normal(0.0, 3000.0, n_stars),
    ])
    knots = np.linspace(-half, half, n_knots)
    walk = np.cumsum(rng.normal(size=n_knots))
    walk -= np.polyval(np.polyfit(knots, walk, 1), knots) if n_knots > 2 else walk.mean()
    attitude = 1000.0 * walk / max(float(np.std(walk)), 1e-12)

    # Reference (approximate) catalogue: Gaia-like errors with zero mean over the stars.
    errors = rng.normal(size=(n_stars, 5)) * np.array([1000.0, 1000.0, 300.0, 1000.0, 1000.0])
    errors -= errors.mean(axis=0)
    reference = params - errors

    star = np.repeat(np.arange(n_stars), n_obs_per_star)
    time = rng.uniform(-half, half, star.size)
    order = np.argsort(time, kind="stable")
    star, time = star[order], time[order]
    scan_angle = np.mod(2 * np.pi * time + rng.uniform(0, 2 * np.pi), 2 * np.pi)
    p_ra, p_dec = parallax_factors(time)
    sigma = np.full(star.size, noise)
    w = along_scan_position(params, attitude, knots, time, star, scan_angle) + rng.normal(0.0, noise, star.size)
    w_ref = along_scan_position(reference, np.zeros(n_knots), knots, time, star, scan_angle)
    truth = Bunch(params=params, attitude=attitude, delta_params=params - reference)
    return Bunch(time=time, star=star, scan_angle=scan_angle, parallax_factor_ra=p_ra, parallax_factor_dec=p_dec,
                 w=w, w_ref=w_ref, sigma=sigma, knots=knots, n_stars=n_stars,
                 parameter_names=PARAMETER_NAMES, parameter_units=PARAMETER_UNITS,
                 reference=Bunch(params=reference, attitude=np.zeros(n_knots)), truth=truth)
