"""A mock Gaia catalogue of a volume around the Sun: a smooth disc plus open clusters."""

from __future__ import annotations

import astropy.units as u
import numpy as np
from astropy.coordinates import ICRS, CartesianDifferential, CartesianRepresentation, Galactic
from astropy.table import QTable

from astrolab._validation import as_float_array, check_rng
from astrolab.datasets._milkyway import K_PM as K_PM  # re-exported: these names were defined here before
from astrolab.datasets._milkyway import SOLAR_MOTION as SOLAR_MOTION
from astrolab.datasets._milkyway import heliocentric_velocity, tangential_velocity
from astrolab.datasets._stars import _LF_WEIGHT, _MAIN_SEQUENCE, _g_mag_error, gaia_parallax_error
from astrolab.datasets._units import to_value

__all__ = ["make_gaia_volume"]

# Thin-disc velocity dispersions (U, V, W) in km/s and asymmetric drift; clusters are young, colder.
FIELD_DISPERSION = np.array([35.0, 20.0, 16.0])
ASYMMETRIC_DRIFT = 10.0
CLUSTER_BULK_DISPERSION = np.array([15.0, 10.0, 6.0])


def _pair(value, unit, name):
    """``(low, high)`` as floats, in ``unit`` (a Quantity is required when ``unit`` is not None)."""
    values = np.atleast_1d(to_value(value, unit, name) if unit is not None else as_float_array("value", value))
    if values.shape != (2,) or not np.all(np.isfinite(values)):
        raise ValueError(f"{name} must be a pair (low, high), got {value!r}")
    return float(values[0]), float(values[1])


def _absolute_magnitudes(n, rng, brightest=-np.inf):
    """M_G and BP-RP along the main sequence of :mod:`._stars`, with no star brighter than ``brightest``."""
    ms_color, ms_mag, _ = _MAIN_SEQUENCE.T
    grid = np.linspace(max(ms_mag[0], brightest), ms_mag[-1], 1001)
    cdf = np.cumsum(np.interp(grid, ms_mag, _LF_WEIGHT))
    abs_mag = np.interp(rng.random(n) * cdf[-1], cdf, grid)
    return abs_mag, np.interp(abs_mag, ms_mag, ms_color)


def _turnoff_magnitude(age_myr):
    """M_G of the main-sequence turn-off: lifetime 10 Gyr (M/Msun)^-2.5 and L ~ M^4 (M_G,sun = 4.7)."""
    return 4.7 + 4.0 * np.log10(np.asarray(age_myr) / 1e4)


def make_gaia_volume(n_field: int = 50_000, n_clusters: int = 30, radius=150 * u.pc, *,
                     scale_height=300 * u.pc, members=(20, 500), half_mass_radius=(1.0, 5.0) * u.pc,
                     velocity_dispersion=(0.3, 1.0) * u.km / u.s, g_limit: float = 19.0, seed=0):
    """Mock Gaia astrometry and photometry of the stars within ``radius`` of the Sun, open clusters included.

    **Field stars** fill the sphere with the vertical profile of an exponential disc,
    ``n(z) ~ exp(-|z|/h)`` (uniform in the plane), and heliocentric velocities drawn from the
    thin-disc velocity ellipsoid (dispersions 35, 20, 16 km/s in U, V, W, minus the solar motion of
    Schönrich et al. 2010 and a 10 km/s asymmetric drift). **Open clusters** get a member count
    ``dN/dn ~ n^-2`` between ``members``, a Plummer profile with half-mass radius uniform in
    ``half_mass_radius``, an isotropic internal velocity dispersion uniform in
    ``velocity_dispersion``, a bulk velocity from a colder ellipsoid (15, 10, 6 km/s), centres in a
    thinner disc (h = 100 pc) and an age log-uniform in 10 Myr-3 Gyr that removes stars above the
    main-sequence turn-off. Colours and absolute magnitudes follow the main sequence and luminosity
    function of :func:`make_star_catalog` (Pecaut & Mamajek 2013); no extinction, no binaries.

    Positions and velocities are transformed with :mod:`astropy.coordinates` (Galactic to ICRS),
    then observed with Gaia-DR3-like errors: :func:`gaia_parallax_error`, proper-motion errors of
    1.2x that in mas/yr, photometric errors rising to the faint end; stars fainter than ``g_limit``
    are not observed. Derived columns (``l``, ``b``, ``x``, ``y``, ``z``, ``v_l``, ``v_b``) use the
    *observed* values and distance ``1/parallax``, as an astronomer would compute them.

    Parameters
    ----------
    n_field : int, default 50000
        Number of field stars drawn (before the magnitude limit). The default gives a field about
        as dense as the outskirts of the clusters, so that positions alone do not separate them.
    n_clusters : int, default 30
        Number of open clusters injected. For the solar neighbourhood, Kounkel & Covey (2019) find
        ~2000 within 1 kpc: scale ``n_clusters`` with ``radius**3``.
    radius : Quantity, default 150 pc
        Radius of the volume; 1 kpc reproduces the volume of Kounkel & Covey (2019)
        (then raise ``n_field`` and ``n_clusters`` too).
    scale_height : Quantity, default 300 pc
        Exponential scale height of the field stars.
    members : (int, int), default (20, 500)
        Smallest and largest number of members of a cluster (before the magnitude limit).
    half_mass_radius : Quantity pair, default (1, 5) pc
    velocity_dispersion : Quantity pair, default (0.3, 1) km/s
        Range of the clusters' internal one-dimensional velocity dispersion.
    g_limit : float, default 19
        Faintest G magnitude observed.
    seed : int or numpy.random.Generator, default 0

    Returns
    -------
    catalog : QTable
        ``source_id``, ``ra``, ``dec`` (deg), ``parallax``, ``parallax_error`` (mas), ``pmra``,
        ``pmra_error``, ``pmdec``, ``pmdec_error`` (mas/yr), ``phot_g_mean_mag``,
        ``phot_g_mean_mag_error``, ``bp_rp``, ``bp_rp_error`` (mag), and derived ``l``, ``b`` (deg),
        ``x``, ``y``, ``z`` (pc; x towards the Galactic centre, z towards the north Galactic pole),
        ``v_l``, ``v_b`` (km/s: tangential velocity along l and b).
    truth : dict
        ``"label"``: cluster of each star (-1 for the field); ``"clusters"``: QTable with
        ``cluster_id``, ``n_members`` (observed), ``n_injected``, centre ``x``, ``y``, ``z``,
        ``distance`` (pc), bulk ``U``, ``V``, ``W`` (km/s, heliocentric), ``r_half`` (pc),
        ``sigma_v`` (km/s), ``age`` (Myr); ``"distance"``: true distance of each star (pc).

    Examples
    --------
    >>> cat, truth = make_gaia_volume(n_field=2000, n_clusters=5, radius=100 * u.pc, seed=1)
    >>> len(cat) == len(truth["label"]), len(truth["clusters"]), cat["v_l"].unit
    (True, 5, Unit("km / s"))
    >>> bool(np.all(np.bincount(truth["label"] + 1)[1:] == truth["clusters"]["n_members"]))
    True
    """
    if isinstance(n_field, bool) or not (isinstance(n_field, (int, np.integer)) and 0 <= n_field <= 5_000_000):
        raise ValueError(f"n_field must be an integer between 0 and 5000000, got {n_field!r}")
    if isinstance(n_clusters, bool) or not (isinstance(n_clusters, (int, np.integer)) and 0 <= n_clusters <= 20_000):
        raise ValueError(f"n_clusters must be an integer between 0 and 20000, got {n_clusters!r}")
    r_max = float(to_value(radius, u.pc, "radius"))
    h = float(to_value(scale_height, u.pc, "scale_height"))
    if not 10 <= r_max <= 3000:
        raise ValueError(f"radius must be between 10 pc and 3 kpc, got {radius}")
    if not h > 0:
        raise ValueError(f"scale_height must be positive, got {scale_height}")
    n_min, n_max = _pair(members, None, "members")
    if not (n_min == int(n_min) and 1 <= n_min <= n_max and n_max == int(n_max)):
        raise ValueError(f"members must be a pair of integers (smallest, largest), 1 <= smallest <= largest, "
                         f"got {members!r}")
    n_min, n_max = int(n_min), int(n_max)
    rh_min, rh_max = _pair(half_mass_radius, u.pc, "half_mass_radius")
    if not 0 < rh_min <= rh_max:
        raise ValueError(f"half_mass_radius must be a pair of positive lengths, low <= high, got {half_mass_radius}")
    sv_min, sv_max = _pair(velocity_dispersion, u.km / u.s, "velocity_dispersion")
    if not 0 <= sv_min <= sv_max:
        raise ValueError(f"velocity_dispersion must be a pair of speeds, 0 <= low <= high, got {velocity_dispersion}")
    if not np.isfinite(g_limit):
        raise ValueError(f"g_limit must be a finite magnitude, got {g_limit!r}")
    rng = check_rng("seed", seed)

    # --- field: exponential disc, uniform in the plane, inside the sphere (rejection sampling)
    pos, todo = [], n_field
    while todo > 0:
        m = int(todo * 1.5) + 100
        z = rng.laplace(0.0, h, m)
        xy = rng.uniform(-r_max, r_max, (m, 2))
        p = np.column_stack([xy, z])
        pos.append(p[np.einsum("ij,ij->i", p, p) < r_max**2][:todo])
        todo -= len(pos[-1])
    field_pos = np.concatenate(pos) if pos else np.empty((0, 3))
    mean_v = heliocentric_velocity([0.0, -ASYMMETRIC_DRIFT, 0.0], rest_frame="lsr")  # lagging the LSR
    field_vel = mean_v + FIELD_DISPERSION * rng.standard_normal((n_field, 3))
    field_mag, field_col = _absolute_magnitudes(n_field, rng)

    # --- clusters: sizes dN/dn ~ n^-2, Plummer spheres, cold internal motions, an age each
    inv = rng.uniform(1.0 / n_max, 1.0 / n_min, n_clusters) if n_max > n_min else np.full(n_clusters, 1.0 / n_min)
    n_injected = np.clip(np.round(1.0 / inv), n_min, n_max).astype(int)
    r_half = rng.uniform(rh_min, rh_max, n_clusters)
    sigma_v = rng.uniform(sv_min, sv_max, n_clusters)
    age = 10 ** rng.uniform(1.0, np.log10(3000.0), n_clusters)
    centre = np.empty((n_clusters, 3))
    for k in range(n_clusters):  # centres in a thin disc, at least 3 half-mass radii inside the volume
        while True:
            c = np.array([*rng.uniform(-r_max, r_max, 2), rng.laplace(0.0, 100.0)])
            if np.linalg.norm(c) < r_max - 3 * r_half[k] and np.linalg.norm(c) > 20.0:
                centre[k] = c
                break
    bulk = mean_v + CLUSTER_BULK_DISPERSION * rng.standard_normal((n_clusters, 3))
    label = np.concatenate([np.full(n_field, -1), np.repeat(np.arange(n_clusters), n_injected)])
    members_idx = label[n_field:]
    a = r_half / 1.305  # Plummer scale length
    q = rng.uniform(0.0, 0.99, len(members_idx))  # mass fraction inside r (truncated at ~10 a)
    r = a[members_idx] / np.sqrt(q ** (-2.0 / 3.0) - 1.0)
    direction = rng.standard_normal((len(members_idx), 3))
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    cl_pos = centre[members_idx] + r[:, None] * direction
    cl_vel = bulk[members_idx] + sigma_v[members_idx, None] * rng.standard_normal((len(members_idx), 3))
    cl_mag, cl_col = np.empty(len(members_idx)), np.empty(len(members_idx))
    for k in range(n_clusters):
        sel = members_idx == k
        cl_mag[sel], cl_col[sel] = _absolute_magnitudes(int(sel.sum()), rng, brightest=_turnoff_magnitude(age[k]))

    xyz = np.concatenate([field_pos, cl_pos])
    uvw = np.concatenate([field_vel, cl_vel])
    abs_mag = np.concatenate([field_mag, cl_mag])
    color = np.concatenate([field_col, cl_col]) + rng.normal(0.0, 0.03, len(label))  # intrinsic scatter
    distance = np.linalg.norm(xyz, axis=1)
    g_true = abs_mag + 5.0 * np.log10(distance / 10.0)

    # keep what Gaia sees (and what is inside the sphere), in random order
    keep = np.flatnonzero((g_true < g_limit) & (distance < r_max) & (distance > 0.5))
    keep = keep[rng.permutation(len(keep))]
    label, xyz, uvw, color = label[keep], xyz[keep], uvw[keep], color[keep]
    distance, g_true = distance[keep], g_true[keep]
    n = len(keep)

    # --- true astrometry: Galactic cartesian (x to the centre, z to the NGP) -> ICRS
    gal = Galactic(CartesianRepresentation(*(xyz.T * u.pc), differentials=CartesianDifferential(*(uvw.T * u.km / u.s))))
    icrs = gal.transform_to(ICRS())
    ra, dec = icrs.ra.to_value(u.deg), icrs.dec.to_value(u.deg)
    pmra_true = icrs.pm_ra_cosdec.to_value(u.mas / u.yr)
    pmdec_true = icrs.pm_dec.to_value(u.mas / u.yr)

    # --- observation: Gaia-like errors
    plx_err = gaia_parallax_error(g_true)
    pm_err = 1.2 * plx_err
    g_err = _g_mag_error(g_true)
    parallax = 1000.0 / distance + plx_err * rng.standard_normal(n)
    pmra = pmra_true + pm_err * rng.standard_normal(n)
    pmdec = pmdec_true + pm_err * rng.standard_normal(n)
    g_obs = g_true + g_err * rng.standard_normal(n)
    bp_rp = color + 2 * g_err * rng.standard_normal(n)

    # --- derived from the observed values, as an astronomer would
    obs = ICRS(ra=ra * u.deg, dec=dec * u.deg, pm_ra_cosdec=pmra * u.mas / u.yr, pm_dec=pmdec * u.mas / u.yr)
    obs_gal = obs.transform_to(Galactic())
    l_deg, b_deg = obs_gal.l.to_value(u.deg), obs_gal.b.to_value(u.deg)
    d_obs = np.where(parallax > 0, 1000.0 / np.where(parallax > 0, parallax, 1.0), np.nan)
    lr, br = np.radians(l_deg), np.radians(b_deg)

    catalog = QTable(meta={"origin": "astrolab.datasets.make_gaia_volume", "seed": str(seed)})
    catalog["source_id"] = np.arange(1, n + 1, dtype=np.int64)
    catalog["ra"] = ra * u.deg
    catalog["dec"] = dec * u.deg
    catalog["parallax"] = parallax * u.mas
    catalog["parallax_error"] = plx_err * u.mas
    catalog["pmra"] = pmra * u.mas / u.yr
    catalog["pmra_error"] = pm_err * u.mas / u.yr
    catalog["pmdec"] = pmdec * u.mas / u.yr
    catalog["pmdec_error"] = pm_err * u.mas / u.yr
    catalog["phot_g_mean_mag"] = g_obs * u.mag
    catalog["phot_g_mean_mag_error"] = g_err * u.mag
    catalog["bp_rp"] = bp_rp * u.mag
    catalog["bp_rp_error"] = 2 * g_err * u.mag
    catalog["l"] = l_deg * u.deg
    catalog["b"] = b_deg * u.deg
    catalog["x"] = d_obs * np.cos(br) * np.cos(lr) * u.pc
    catalog["y"] = d_obs * np.cos(br) * np.sin(lr) * u.pc
    catalog["z"] = d_obs * np.sin(br) * u.pc
    catalog["v_l"] = tangential_velocity(obs_gal.pm_l_cosb.to_value(u.mas / u.yr), d_obs / 1000.0) * u.km / u.s
    catalog["v_b"] = tangential_velocity(obs_gal.pm_b.to_value(u.mas / u.yr), d_obs / 1000.0) * u.km / u.s

    clusters = QTable()
    clusters["cluster_id"] = np.arange(n_clusters)
    clusters["n_members"] = np.bincount(label[label >= 0], minlength=n_clusters)
    clusters["n_injected"] = n_injected
    for axis, name in enumerate("xyz"):
        clusters[name] = centre[:, axis] * u.pc
    clusters["distance"] = np.linalg.norm(centre, axis=1) * u.pc
    for axis, name in enumerate("UVW"):
        clusters[name] = bulk[:, axis] * u.km / u.s
    clusters["r_half"] = r_half * u.pc
    clusters["sigma_v"] = sigma_v * u.km / u.s
    clusters["age"] = age * u.Myr
    truth = {"label": label, "clusters": clusters, "distance": distance * u.pc}
    return catalog, truth
