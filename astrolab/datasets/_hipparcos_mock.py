"""A mock Hipparcos catalogue of the stars within a few hundred pc: the real field's counts and errors.

:func:`make_gaia_volume` observes its volume with Gaia-DR3-like errors, a thousand times smaller than
Hipparcos's. This generator keeps its physics (the disc, the velocity ellipsoid, Plummer clusters
whose stars stop at the main-sequence turn-off) but observes like Hipparcos, with the luminosity
function, the survey selection and the parallax errors measured on the real catalogue
(:func:`load_hipparcos`; label-free survey calibration: counts, magnitudes and errors only), and
injects the rich open clusters of the real solar neighbourhood at their literature places.
"""

from __future__ import annotations

import astropy.units as u
import numpy as np
from astropy.coordinates import ICRS, CartesianDifferential, CartesianRepresentation, Galactic
from astropy.table import QTable

from astrolab._validation import check_rng
from astrolab.datasets._gaia import ASYMMETRIC_DRIFT, FIELD_DISPERSION
from astrolab.datasets._milkyway import heliocentric_velocity, tangential_velocity
from astrolab.datasets._units import to_value

__all__ = ["make_hipparcos_volume"]

# --- calibration on the real catalogue (load_hipparcos, van Leeuwen 2007), no labels used -------------------
# Luminosity function: stars per pc^3 per mag in the Galactic mid-plane, by absolute Hp in 0.5-mag bins from
# -3 (lower edges): 1/V_max over the Hipparcos stars with parallax > 4 mas and Hp < 7.3 (the survey's complete
# part), V_max the volume (with an exponential disc of h = 300 pc) within which each star stays brighter than
# 7.3 and nearer than 250 pc. Fainter than M = 6.5 the few stars give no estimate: held at 3e-3 to M = 13.
_LF_EDGES = np.arange(-3.0, 13.01, 0.5)
_LF_PHI = np.array([1.47e-6, 2.29e-6, 4.63e-6, 1.20e-5, 2.37e-5, 4.62e-5, 8.52e-5, 1.95e-4, 2.96e-4, 3.49e-4,
                    5.29e-4, 7.68e-4, 1.24e-3, 1.85e-3, 2.01e-3, 2.60e-3, 2.53e-3, 2.73e-3, 3.0e-3, 3.0e-3,
                    3.0e-3, 3.0e-3, 3.0e-3, 3.0e-3, 3.0e-3, 3.0e-3, 3.0e-3, 3.0e-3, 3.0e-3, 3.0e-3, 3.0e-3,
                    3.0e-3])
# The survey: complete to Hp = 7.3 + 1.1 |sin b| (ESA 1997, the Hipparcos Input Catalogue's survey for late types);
# fainter stars were proposals, which favoured nearby stars: kept with the fraction below per 0.5-mag bin of Hp
# from 7.0 (rows, lower edges) and bin of true parallax (columns, _SURVEY_PLX lower edges, mas), the ratio of
# real to mock counts of stars with observed parallax > 4 mas in each bin (no cut on the errors).
_SURVEY_EDGES = np.arange(7.0, 12.51, 0.5)
_SURVEY_PLX = np.array([0.0, 6.0, 8.0, 12.0, 20.0, 40.0])
_SURVEY_FRACTION = np.array([
    [0.646, 0.679, 0.694, 1.0, 0.913, 0.923], [0.751, 0.834, 0.865, 0.845, 1.0, 1.0],
    [0.623, 0.679, 0.828, 0.849, 0.933, 0.947], [0.445, 0.499, 0.573, 0.707, 0.911, 0.959],
    [0.255, 0.295, 0.374, 0.456, 0.655, 1.0], [0.105, 0.132, 0.188, 0.322, 0.651, 1.0],
    [0.043, 0.047, 0.064, 0.172, 0.576, 1.0], [0.018, 0.018, 0.022, 0.099, 0.455, 1.0],
    [0.005, 0.006, 0.012, 0.051, 0.352, 1.0], [0.002, 0.003, 0.005, 0.022, 0.15, 1.0],
    [0.001, 0.002, 0.003, 0.009, 0.07, 0.596]])
# Parallax error: the real catalogue's median by Hp (bin centres) and the sd of ln(error / median) there.
_ERR_HP = np.arange(1.75, 13.0, 0.5)
_ERR_MEDIAN = np.array([0.380, 0.250, 0.225, 0.200, 0.200, 0.230, 0.260, 0.300, 0.360, 0.430, 0.500, 0.590, 0.700,
                        0.820, 0.980, 1.150, 1.380, 1.680, 2.010, 2.450, 3.070, 3.845, 5.075])
_ERR_LNSD = np.array([0.83, 0.75, 0.70, 0.80, 0.71, 0.60, 0.62, 0.49, 0.44, 0.38, 0.35, 0.32, 0.30, 0.29, 0.30, 0.30,
                      0.35, 0.40, 0.41, 0.43, 0.51, 0.48, 0.46])
# The field's velocity ellipsoid: make_gaia_volume's thin disc scaled by this factor (its asymmetric drift, ~ sigma^2,
# by the square), the ratio of the real to the mock 68 % widths of v_l and v_b (0.83, 0.80): the stars bright enough
# for Hipparcos are younger, so colder, than the average disc star (Dehnen & Binney 1998).
_DISPERSION_SCALE = 0.8
# Proper-motion errors in mas/yr per mas of parallax error (the real medians: 0.97 in RA, 0.82 in Dec).
_PM_ERROR_RATIO = (0.97, 0.82)

# --- the nearby clusters: rounded literature values --------------------------------------------------------
# (name, l, b [deg], distance [pc], U, V, W [km/s, heliocentric], half-mass radius [pc], 1-D velocity
# dispersion [km/s], age [Myr], Hipparcos members, Gaia DR2 members). Distances, ages and Gaia DR2 members: Gaia
# Collaboration, Babusiaux et al. (2018, A&A 616, A10, Tables 1-3); members in the new reduction: van Leeuwen (2009,
# A&A 497, 209, Table 1);
# space motions, radii and dispersions rounded from Perryman et al. (1998), Röser et al. (2011), Robichon et al.
# (1999) and Kharchenko et al. (2005).
_NEARBY_CLUSTERS = [
    ("Hyades", 180.06, -22.34, 47.5, -42.2, -19.1, -1.5, 4.1, 0.3, 650.0, 150, 515),
    ("ComaBer", 221.35, 84.02, 85.8, -2.3, -5.5, -0.6, 3.5, 0.3, 600.0, 27, 153),
    ("Pleiades", 166.57, -23.52, 135.8, -6.7, -28.5, -14.0, 3.7, 0.5, 120.0, 53, 1326),
    ("IC2391", 270.36, -6.84, 151.5, -23.0, -15.5, -6.0, 2.0, 0.4, 50.0, 11, 325),
    ("IC2602", 289.60, -4.91, 151.9, -8.2, -20.6, -0.6, 2.5, 0.4, 40.0, 15, 492),
    ("alphaPer", 147.35, -6.41, 174.9, -13.6, -24.3, -6.9, 5.0, 0.6, 70.0, 50, 740),
    ("Praesepe", 205.92, 32.48, 186.2, -41.5, -19.8, -9.6, 3.9, 0.5, 700.0, 24, 938),
]
# Hipparcos targeted the known cluster members (its Input Catalogue took them from the member lists of the time,
# ESA 1997, vol. 7), and the known members were the brightest: a cluster's Hipparcos stars are its brightest
# members, as many as van Leeuwen (2009) lists, whatever the survey's completeness at their place. The cluster
# itself holds as many stars brighter than G = 18 as the Gaia DR2 member lists of Gaia Collaboration, Babusiaux
# et al. (2018, Table 1; the last column of _NEARBY_CLUSTERS).
_GAIA_LIMIT = 18.0
# The clusters' upper main sequence (make_gaia_volume's stops at A0): masses from the Kroupa (2001) IMF, slope -2.3
# above 0.5 Msun and -1.3 below, between 0.15 and 20 Msun, and absolute V (taken as Hp) from the mass by the dwarf
# sequence of Pecaut & Mamajek (2013), B0V to M5V (rounded); the turn-off mass from a lifetime 10 Gyr (M/Msun)^-2.5.
_MS_MASS = np.array([18.0, 12.0, 8.0, 5.9, 4.3, 3.4, 2.75, 2.3, 2.0, 1.75, 1.6, 1.4, 1.25, 1.1, 1.0, 0.9, 0.78, 0.69,
                     0.6, 0.5, 0.4, 0.3, 0.2, 0.15])
_MS_ABS_V = np.array([-4.0, -3.2, -2.3, -1.5, -0.8, -0.2, 0.5, 1.1, 1.6, 2.0, 2.4, 2.9, 3.4, 4.0, 4.7, 5.4, 6.0, 6.9,
                      7.9, 9.0, 10.3, 11.6, 13.0, 14.3])
_SAMPLE_DEPTH = 1.3  # true distances drawn out to this times radius: errors scatter farther stars inside


def _cluster_magnitudes(n, rng, age_myr):
    """Absolute Hp of ``n`` cluster stars: Kroupa IMF masses up to the turn-off, the dwarf mass-luminosity relation."""
    m_top = min(20.0, (age_myr / 1e4) ** -0.4)
    # inverse CDF of a broken power law: slope -1.3 on [0.15, 0.5], -2.3 on [0.5, m_top], continuous at 0.5
    lo_w = 2.0 * (0.15**-0.3 - 0.5**-0.3) / 0.3  # 2 m^-1.3 below 0.5 Msun meets m^-2.3 there
    hi_w = (0.5**-1.3 - m_top**-1.3) / 1.3
    x = rng.random(n) * (lo_w + hi_w)
    low = x < lo_w
    mass = np.empty(n)
    mass[low] = (0.15**-0.3 - 0.3 * x[low] / 2.0) ** (-1 / 0.3)
    mass[~low] = (0.5**-1.3 - 1.3 * (x[~low] - lo_w)) ** (-1 / 1.3)
    return np.interp(np.log(mass), np.log(_MS_MASS[::-1]), _MS_ABS_V[::-1])


def _effective_volume(r, h):
    """Volume of a sphere of radius ``r`` (pc) weighted by the disc profile exp(-|z| / h)."""
    z = np.linspace(-r, r, 401)
    return float(np.trapezoid(np.pi * (r * r - z * z) * np.exp(-np.abs(z) / h), z))


def _hp_limit(hp, xyz, hp_limit, rng):
    """Whether each star is in the Hipparcos catalogue: the complete survey, then the proposals' fraction."""
    d = np.maximum(np.linalg.norm(xyz, axis=1), 0.1)
    complete = hp < 7.3 + 1.1 * np.abs(xyz[:, 2] / d)
    k = np.clip(np.searchsorted(_SURVEY_EDGES, hp, side="right") - 1, 0, len(_SURVEY_EDGES) - 2)
    j = np.searchsorted(_SURVEY_PLX, 1000.0 / d, side="right") - 1
    return (hp < hp_limit) & (complete | (rng.random(len(hp)) < _SURVEY_FRACTION[k, j]))


def _observe(xyz, hp, rng):
    """Hipparcos-like parallax errors and parallaxes (mas) of stars at true positions ``xyz`` (pc)."""
    n = len(hp)
    d = np.linalg.norm(xyz, axis=1)
    plx_err = np.interp(hp, _ERR_HP, _ERR_MEDIAN) * np.exp(np.interp(hp, _ERR_HP, _ERR_LNSD) * rng.standard_normal(n))
    parallax = 1000.0 / d + plx_err * rng.standard_normal(n)
    return plx_err, parallax


def _galactic_to_icrs(xyz, uvw):
    """ra, dec (deg), pmra, pmdec (mas/yr) of stars at Galactic ``xyz`` (pc) moving with ``uvw`` (km/s)."""
    if len(xyz) == 0:  # astropy cannot transform an empty frame with velocities
        return (np.empty(0),) * 4
    gal = Galactic(CartesianRepresentation(*(xyz.T * u.pc), differentials=CartesianDifferential(*(uvw.T * u.km / u.s))))
    icrs = gal.transform_to(ICRS())
    return (icrs.ra.to_value(u.deg), icrs.dec.to_value(u.deg), icrs.pm_ra_cosdec.to_value(u.mas / u.yr),
            icrs.pm_dec.to_value(u.mas / u.yr))


def _icrs_to_galactic(ra, dec, pmra, pmdec):
    """l, b (deg), pm_l cos b, pm_b (mas/yr) from ICRS positions (deg) and proper motions (mas/yr)."""
    if len(ra) == 0:
        return (np.empty(0),) * 4
    obs = ICRS(ra=ra * u.deg, dec=dec * u.deg, pm_ra_cosdec=pmra * u.mas / u.yr, pm_dec=pmdec * u.mas / u.yr)
    gal = obs.transform_to(Galactic())
    return (gal.l.to_value(u.deg), gal.b.to_value(u.deg), gal.pm_l_cosb.to_value(u.mas / u.yr),
            gal.pm_b.to_value(u.mas / u.yr))


def make_hipparcos_volume(radius=250 * u.pc, *, max_relative_error: float = 0.1, clusters: bool = True,
                          scale_height=300 * u.pc, hp_limit: float = 12.4, seed=0):
    """Mock Hipparcos astrometry of the stars with parallax above ``1 / radius``, nearby open clusters included.

    The field is calibrated to the real catalogue (:func:`load_hipparcos`, van Leeuwen 2007), without
    any label: the **luminosity function** in absolute Hp is the 1/V_max estimate from the real stars
    brighter than Hp = 7.3; the **selection** is the Hipparcos survey, complete to
    Hp = 7.3 + 1.1 |sin b| (ESA 1997), plus a fraction of fainter stars per magnitude (the observing
    proposals) down to ``hp_limit``, set by the ratio of real to mock star counts; the **parallax
    error** is drawn log-normally around the real median at each Hp (about 0.2-0.3 mas at Hp < 6,
    0.8 mas at 8, 1.7 mas at 10), and the proper-motion errors are 0.97 and 0.82 times it in RA and
    Dec. Positions follow an exponential disc, velocities the thin-disc ellipsoid of
    :func:`make_gaia_volume` scaled by 0.8 (the real spread of ``v_l`` and ``v_b``: Hipparcos's
    bright stars are young, so kinematically cold). The **clusters** (``clusters=True``) are the seven rich ones within
    200 pc (Hyades, Coma Ber, Pleiades, IC 2391, IC 2602, alpha Per, Praesepe) at their literature
    places, space motions, sizes and ages (Gaia Collaboration, Babusiaux et al. 2018), Plummer
    spheres of main-sequence stars (Kroupa IMF, B stars included) up to the turn-off, each as rich as
    its Gaia DR2 member list (stars brighter than G = 18; Babusiaux et al. 2018). Hipparcos
    **targeted** the known members, the brightest ones: each cluster's brightest stars, as many as
    van Leeuwen (2009) lists in Hipparcos, are in the catalogue whatever the survey's completeness
    there; the cuts then apply to them as to the field. No extinction, no binaries, no moving groups
    or associations (Ursa Major, Sco-Cen are absent).

    The catalogue keeps the stars that pass the cuts of an astronomer working on the real catalogue:
    observed parallax above ``1000 / radius`` mas and ``parallax_error < max_relative_error * parallax``.

    Parameters
    ----------
    radius : Quantity, default 250 pc
        Sets the parallax cut (4 mas for 250 pc); true distances are drawn out to 1.3 times it.
        Between 20 pc and 500 pc. A smaller radius is the knob for a faster mock.
    max_relative_error : float, default 0.1
        Largest ``parallax_error / parallax`` kept; ``inf`` keeps every star above the parallax cut.
    clusters : bool, default True
        Inject the nearby open clusters (only those within ``radius``).
    scale_height : Quantity, default 300 pc
        Exponential scale height of the field.
    hp_limit : float, default 12.4
        Faintest Hp in the catalogue (12.4 for Hipparcos).
    seed : int or numpy.random.Generator, default 0

    Returns
    -------
    catalog : QTable
        ``hip`` (a running number), ``ra``, ``dec`` (deg), ``parallax``, ``parallax_error`` (mas),
        ``pmra``, ``pmra_error``, ``pmdec``, ``pmdec_error`` (mas/yr), ``hp_mag`` (mag), and derived
        from the observed values: ``l``, ``b`` (deg), ``x``, ``y``, ``z`` (pc), ``v_l``, ``v_b`` (km/s).
    truth : dict
        ``"label"``: cluster of each star (-1 for the field); ``"clusters"``: QTable with ``cluster_id``,
        ``name``, ``n_members`` (in the catalogue, after the cuts), ``n_hipparcos`` (before them),
        centre ``x``, ``y``, ``z``, ``distance`` (pc), ``U``, ``V``, ``W`` (km/s), ``r_half`` (pc),
        ``sigma_v`` (km/s), ``age`` (Myr);
        ``"distance"``: true distance of each star (pc); ``"abs_mag"``: its absolute Hp.

    Examples
    --------
    >>> cat, truth = make_hipparcos_volume(radius=60 * u.pc, seed=1)
    >>> len(cat) == len(truth["label"]), truth["clusters"]["name"].tolist()
    (True, ['Hyades'])
    >>> bool(np.all(cat["parallax_error"] < 0.1 * cat["parallax"]))
    True
    """
    r_max = float(to_value(radius, u.pc, "radius"))
    if not 20 <= r_max <= 500:
        raise ValueError(f"radius must be between 20 pc and 500 pc, got {radius}")
    if not (isinstance(max_relative_error, (int, float, np.integer, np.floating))
            and not isinstance(max_relative_error, bool) and max_relative_error > 0):
        raise ValueError(f"max_relative_error must be a positive number, got {max_relative_error!r}")
    if not isinstance(clusters, (bool, np.bool_)):
        raise TypeError(f"clusters must be True or False, got {clusters!r}")
    h = float(to_value(scale_height, u.pc, "scale_height"))
    if not (np.isfinite(h) and h > 0):
        raise ValueError(f"scale_height must be a positive length, got {scale_height}")
    if not (isinstance(hp_limit, (int, float, np.integer, np.floating)) and not isinstance(hp_limit, bool)
            and np.isfinite(hp_limit)):
        raise ValueError(f"hp_limit must be a finite magnitude, got {hp_limit!r}")
    rng = check_rng("seed", seed)
    plx_cut = 1000.0 / r_max
    depth = _SAMPLE_DEPTH * r_max

    # --- field: for each absolute-magnitude bin, the stars within the distance where they stay brighter
    # than hp_limit (and within depth), in an exponential disc (rejection sampling)
    pos, mags = [], []
    for lo, phi in zip(_LF_EDGES[:-1], _LF_PHI, strict=True):
        r_bin = min(depth, 10 ** ((hp_limit - lo + 5.0) / 5.0))
        n_bin = rng.poisson(phi * 0.5 * _effective_volume(r_bin, h))
        todo, got = n_bin, []
        while todo > 0:
            m = int(todo * 2.5) + 50
            p = rng.uniform(-r_bin, r_bin, (m, 3))
            p = p[(np.einsum("ij,ij->i", p, p) < r_bin**2) & (rng.random(m) < np.exp(-np.abs(p[:, 2]) / h))]
            got.append(p[:todo])
            todo -= len(got[-1])
        if n_bin:
            pos.append(np.concatenate(got))
            mags.append(rng.uniform(lo, lo + 0.5, n_bin))
    field_pos = np.concatenate(pos) if pos else np.empty((0, 3))
    field_mag = np.concatenate(mags) if mags else np.empty(0)
    mean_v = heliocentric_velocity([0.0, -ASYMMETRIC_DRIFT * _DISPERSION_SCALE**2, 0.0], rest_frame="lsr")
    field_vel = mean_v + _DISPERSION_SCALE * FIELD_DISPERSION * rng.standard_normal((len(field_mag), 3))

    # --- clusters: Plummer spheres of main-sequence stars up to the turn-off, as rich as their Gaia DR2 lists; the
    # brightest, as many as van Leeuwen (2009) lists, are Hipparcos's targets; the cuts on the parallax then apply
    # to them as to the field
    table = [c for c in _NEARBY_CLUSTERS if c[3] < r_max] if clusters else []
    cl_pos, cl_vel, cl_mag, cl_label, cl_err, cl_plx, n_injected = [], [], [], [], [], [], []
    for k, (_, l_deg, b_deg, dist, uu, vv, ww, r_half, sigma_v, age, n_hip, n_gaia) in enumerate(table):
        lr, br = np.radians(l_deg), np.radians(b_deg)
        centre = dist * np.array([np.cos(br) * np.cos(lr), np.cos(br) * np.sin(lr), np.sin(br)])
        p, mag, hp, n_seen = [], [], [], 0
        while n_seen < n_gaia:  # batches of stars until the cluster holds its Gaia members
            m = 4000
            q = rng.uniform(0.0, 0.99, m)  # mass fraction inside r, truncated at about 10 Plummer lengths
            direction = rng.standard_normal((m, 3))
            direction /= np.linalg.norm(direction, axis=1, keepdims=True)
            pb = centre + (r_half / 1.305 / np.sqrt(q ** (-2.0 / 3.0) - 1.0))[:, None] * direction
            mb = _cluster_magnitudes(m, rng, age)
            hb = mb + 5.0 * np.log10(np.linalg.norm(pb, axis=1) / 10.0)
            seen = np.flatnonzero(hb < _GAIA_LIMIT)[: n_gaia - n_seen]
            p.append(pb[seen])
            mag.append(mb[seen])
            hp.append(hb[seen])
            n_seen += len(seen)
        p, mag, hp = (np.concatenate(x) for x in (p, mag, hp))
        brightest = np.argsort(hp)[:n_hip]  # Hipparcos's targets: the brightest members
        brightest = brightest[hp[brightest] < hp_limit]
        p, mag, hp = p[brightest], mag[brightest], hp[brightest]
        n_hip = len(hp)
        v = np.array([uu, vv, ww]) + sigma_v * rng.standard_normal((n_hip, 3))
        err, plx = _observe(p, hp, rng)
        keep = (plx > plx_cut) & (err < max_relative_error * plx)
        cl_pos.append(p[keep])
        cl_vel.append(v[keep])
        cl_mag.append(mag[keep])
        cl_label.append(np.full(int(keep.sum()), k))
        cl_err.append(err[keep])
        cl_plx.append(plx[keep])
        n_injected.append(n_hip)

    # --- the field's selection and observation, then the members (observed above) join it
    d_field = np.linalg.norm(field_pos, axis=1)
    hp_field = field_mag + 5.0 * np.log10(np.maximum(d_field, 0.1) / 10.0)
    seen = np.flatnonzero(_hp_limit(hp_field, field_pos, hp_limit, rng) & (d_field > 0.5))
    err_f, plx_f = _observe(field_pos[seen], hp_field[seen], rng)
    ok = (plx_f > plx_cut) & (err_f < max_relative_error * plx_f)
    f = seen[ok]
    xyz = np.concatenate([field_pos[f], *cl_pos])
    uvw = np.concatenate([field_vel[f], *cl_vel])
    abs_mag = np.concatenate([field_mag[f], *cl_mag])
    plx_err = np.concatenate([err_f[ok], *cl_err])
    parallax = np.concatenate([plx_f[ok], *cl_plx])
    label = np.concatenate([np.full(len(f), -1), *cl_label]).astype(int)
    order = rng.permutation(len(label))
    xyz, uvw, abs_mag, plx_err, parallax, label = (a[order] for a in (xyz, uvw, abs_mag, plx_err, parallax, label))
    distance = np.linalg.norm(xyz, axis=1)
    hp = abs_mag + 5.0 * np.log10(distance / 10.0)
    n = len(label)

    # --- true astrometry (Galactic to ICRS) and Hipparcos-like proper-motion errors
    ra, dec, pmra_true, pmdec_true = _galactic_to_icrs(xyz, uvw)
    pmra_err, pmdec_err = _PM_ERROR_RATIO[0] * plx_err, _PM_ERROR_RATIO[1] * plx_err
    pmra = pmra_true + pmra_err * rng.standard_normal(n)
    pmdec = pmdec_true + pmdec_err * rng.standard_normal(n)

    l_deg, b_deg, pm_l, pm_b = _icrs_to_galactic(ra, dec, pmra, pmdec)
    d_obs = 1000.0 / parallax  # every kept parallax is above the cut
    lr, br = np.radians(l_deg), np.radians(b_deg)

    catalog = QTable(meta={"origin": "astrolab.datasets.make_hipparcos_volume", "seed": str(seed),
                           "selection": f"parallax > {plx_cut:g} mas, parallax_error / parallax < "
                                        f"{max_relative_error:g}"})
    catalog["hip"] = np.arange(1, n + 1, dtype=np.int64)
    catalog["ra"] = ra * u.deg
    catalog["dec"] = dec * u.deg
    catalog["parallax"] = parallax * u.mas
    catalog["parallax_error"] = plx_err * u.mas
    catalog["pmra"] = pmra * u.mas / u.yr
    catalog["pmra_error"] = pmra_err * u.mas / u.yr
    catalog["pmdec"] = pmdec * u.mas / u.yr
    catalog["pmdec_error"] = pmdec_err * u.mas / u.yr
    catalog["hp_mag"] = hp * u.mag
    catalog["l"] = l_deg * u.deg
    catalog["b"] = b_deg * u.deg
    catalog["x"] = d_obs * np.cos(br) * np.cos(lr) * u.pc
    catalog["y"] = d_obs * np.cos(br) * np.sin(lr) * u.pc
    catalog["z"] = d_obs * np.sin(br) * u.pc
    catalog["v_l"] = tangential_velocity(pm_l, d_obs / 1000.0) * u.km / u.s
    catalog["v_b"] = tangential_velocity(pm_b, d_obs / 1000.0) * u.km / u.s

    out = QTable()
    out["cluster_id"] = np.arange(len(table))
    out["name"] = [c[0] for c in table] if table else np.empty(0, dtype="U8")
    out["n_members"] = np.bincount(label[label >= 0], minlength=len(table))
    out["n_hipparcos"] = np.array(n_injected, dtype=int)
    lb = np.radians(np.array([c[1:3] for c in table], dtype=float).reshape(-1, 2))
    dist = np.array([c[3] for c in table], dtype=float)
    for name, comp in zip("xyz", (np.cos(lb[:, 1]) * np.cos(lb[:, 0]), np.cos(lb[:, 1]) * np.sin(lb[:, 0]),
                                  np.sin(lb[:, 1])), strict=True):
        out[name] = dist * comp * u.pc
    out["distance"] = dist * u.pc
    for j, name in enumerate("UVW"):
        out[name] = np.array([c[4 + j] for c in table], dtype=float) * u.km / u.s
    out["r_half"] = np.array([c[7] for c in table], dtype=float) * u.pc
    out["sigma_v"] = np.array([c[8] for c in table], dtype=float) * u.km / u.s
    out["age"] = np.array([c[9] for c in table], dtype=float) * u.Myr
    truth = {"label": label, "clusters": out, "distance": distance * u.pc, "abs_mag": abs_mag * u.mag}
    return catalog, truth
