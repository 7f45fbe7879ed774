"""The Milky Way model shared by the mock catalogues: the Sun's place and motion, the Galaxy's rotation,
the spatial distribution of disc and halo stars, and the conversions between velocities and proper motions.

Axes are Galactocentric Cartesian, in kpc and km/s: x from the Sun towards the Galactic centre, y along
the Galactic rotation at the Sun (towards l = 90 deg), z towards the north Galactic pole; the Sun is
at ``(-R_SUN, 0, Z_SUN)``. Velocities relative to the Sun or to the local standard of rest are then
the usual (U, V, W). Every generator that puts stars in the Galaxy takes its numbers from here, so
that one change of the model reaches them all.
"""

from __future__ import annotations

import astropy.units as u
import numpy as np

from astrolab._validation import as_float_array

__all__ = [
    "K_PM",
    "R_SUN",
    "SOLAR_MOTION",
    "SUN_VELOCITY",
    "V_CIRC",
    "Z_SUN",
    "disc_positions",
    "galactocentric_frame",
    "halo_positions",
    "heliocentric_velocity",
    "isotropic_positions",
    "proper_motion",
    "rotation_direction",
    "tangential_velocity",
]

#: km/s per (mas/yr * kpc): the speed across the sky of a star at 1 kpc whose proper motion is 1 mas/yr.
K_PM = (1 * u.mas / u.yr * u.kpc).to_value(u.km / u.s, u.dimensionless_angles())
#: Galactocentric distance and height above the plane of the Sun, kpc (GRAVITY 2019; Bland-Hawthorn &
#: Gerhard 2016).
R_SUN, Z_SUN = 8.2, 0.02
#: The Sun's motion relative to the local standard of rest, (U, V, W) in km/s (Schönrich, Binney &
#: Dehnen 2010, MNRAS 403, 1829).
SOLAR_MOTION = np.array([11.1, 12.24, 7.25])
#: Circular speed of the Galaxy at the Sun, km/s (McMillan 2017, MNRAS 465, 76).
V_CIRC = 232.8
#: The Sun's velocity in the Galactocentric rest frame, km/s: the local standard of rest plus SOLAR_MOTION.
SUN_VELOCITY = SOLAR_MOTION + np.array([0.0, V_CIRC, 0.0])
SOLAR_MOTION.flags.writeable = SUN_VELOCITY.flags.writeable = False  # shared by every generator: read-only

_HALO_RADII = (1.0, 60.0)  # kpc: the stellar halo, density ~ r^-3.5 between these radii


def heliocentric_velocity(velocity, *, rest_frame: str = "galactocentric"):
    """Velocity relative to the Sun of a star whose velocity is given in ``rest_frame``.

    Parameters
    ----------
    velocity : array_like, shape (..., 3)
        (U, V, W) components in km/s, along the Galactocentric axes of this module.
    rest_frame : {"galactocentric", "lsr"}, default "galactocentric"
        What ``velocity`` is measured against: the Galaxy's rest frame, or the local standard of rest.

    Returns
    -------
    numpy.ndarray, shape (..., 3)
        ``velocity`` minus the Sun's velocity in that frame (km/s).

    Examples
    --------
    >>> heliocentric_velocity([0.0, 0.0, 0.0], rest_frame="lsr")  # the LSR seen from the Sun
    array([-11.1 , -12.24,  -7.25])
    """
    if rest_frame not in ("galactocentric", "lsr"):
        raise ValueError(f"rest_frame must be 'galactocentric' or 'lsr', got {rest_frame!r}")
    sun = SUN_VELOCITY if rest_frame == "galactocentric" else SOLAR_MOTION
    return as_float_array("velocity", velocity) - sun


def proper_motion(v_tan, distance):
    """Proper motion (mas/yr) of a star moving at ``v_tan`` (km/s) across the sky at ``distance`` (kpc).

    Examples
    --------
    >>> float(round(proper_motion(47.4047, 1.0), 3))
    10.0
    """
    return np.asarray(v_tan) / (K_PM * np.asarray(distance))


def tangential_velocity(pm, distance):
    """Speed across the sky (km/s) of a star with proper motion ``pm`` (mas/yr) at ``distance`` (kpc).

    The inverse of :func:`proper_motion`.

    Examples
    --------
    >>> float(round(tangential_velocity(10.0, 0.5), 2))
    23.7
    """
    return K_PM * np.asarray(pm) * np.asarray(distance)


def rotation_direction(xyz):
    """Unit vectors along the Galaxy's rotation at Galactocentric positions ``xyz`` (shape (n, 3), kpc).

    The Galaxy rotates clockwise seen from the north Galactic pole, so the Sun moves along +y.
    Positions on the z axis (where the direction is undefined) get ``(0, 0, 0)``.

    Examples
    --------
    >>> rotation_direction(np.array([[-R_SUN, 0.0, Z_SUN]]))
    array([[0., 1., 0.]])
    """
    xyz = as_float_array("xyz", xyz)
    radius = np.hypot(xyz[:, 0], xyz[:, 1])
    safe = np.where(radius > 0, radius, 1.0)
    return np.column_stack([xyz[:, 1] / safe, -xyz[:, 0] / safe, np.zeros(len(xyz))])


def disc_positions(rng, n, scale_length, scale_height):
    """Galactocentric positions (kpc, shape (n, 3)) of ``n`` stars of an exponential disc.

    Surface density ``exp(-R / scale_length)`` (so R follows a Gamma(2) distribution), uniform in
    azimuth, and ``exp(-|z| / scale_height)`` vertically. ``rng`` is a numpy Generator.

    Examples
    --------
    >>> xyz = disc_positions(np.random.default_rng(0), 20000, 2.6, 0.3)
    >>> float(round(np.median(np.abs(xyz[:, 2])), 1))
    0.2
    """
    radius = rng.gamma(2.0, scale_length, n)
    phi = rng.uniform(0, 2 * np.pi, n)
    return np.column_stack([radius * np.cos(phi), radius * np.sin(phi), rng.laplace(0.0, scale_height, n)])


def halo_positions(rng, n):
    """Galactocentric positions (kpc, shape (n, 3)) of ``n`` stars of a spherical power-law halo.

    Density ``~ r^-3.5`` between 1 and 60 kpc (Bland-Hawthorn & Gerhard 2016), so that
    ``p(r) ~ r^-1.5``, drawn by inverting its CDF; isotropic directions. ``rng`` is a numpy Generator.

    Examples
    --------
    >>> r = np.linalg.norm(halo_positions(np.random.default_rng(0), 1000), axis=1)
    >>> bool(r.min() >= 1.0 and r.max() <= 60.0)
    True
    """
    a, b = _HALO_RADII[0] ** -0.5, _HALO_RADII[1] ** -0.5
    return isotropic_positions(rng, (a + (b - a) * rng.random(n)) ** -2.0)


def isotropic_positions(rng, radius):
    """Points at distances ``radius`` (shape (n,)) from the origin in random directions, shape (n, 3).

    Examples
    --------
    >>> xyz = isotropic_positions(np.random.default_rng(0), np.full(5, 2.0))
    >>> np.linalg.norm(xyz, axis=1)
    array([2., 2., 2., 2., 2.])
    """
    radius = as_float_array("radius", radius)
    cos_t = rng.uniform(-1, 1, radius.size)
    phi = rng.uniform(0, 2 * np.pi, radius.size)
    sin_t = np.sqrt(1 - cos_t**2)
    return radius[:, None] * np.column_stack([sin_t * np.cos(phi), sin_t * np.sin(phi), cos_t])


def galactocentric_frame(*args, **kwargs):
    """The :class:`astropy.coordinates.Galactocentric` frame of this model (the Sun's place and velocity).

    Positional and keyword arguments (coordinates, velocities) are passed on to the frame.

    Examples
    --------
    >>> import astropy.coordinates as coord
    >>> sun = coord.ICRS(ra=0 * u.deg, dec=0 * u.deg, distance=0 * u.pc).transform_to(galactocentric_frame())
    >>> np.round(sun.cartesian.xyz.to_value(u.kpc), 3)
    array([-8.2 ,  0.  ,  0.02])
    """
    import astropy.coordinates as coord

    return coord.Galactocentric(*args, galcen_distance=R_SUN * u.kpc, z_sun=Z_SUN * u.kpc,
                                galcen_v_sun=coord.CartesianDifferential(SUN_VELOCITY * u.km / u.s), **kwargs)
