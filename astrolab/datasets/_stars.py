"""A mock solar-neighbourhood star catalogue with Gaia-like columns and errors."""

from __future__ import annotations

import astropy.units as u
import numpy as np
from astropy.table import QTable

from astrolab._validation import check_array, check_real, check_rng
from astrolab.datasets._milkyway import proper_motion
from astrolab.datasets._units import to_value

__all__ = ["make_star_catalog", "gaia_parallax_error"]

# Main sequence in Gaia bands: (BP-RP [mag], M_G [mag], Teff [K]) for dwarfs from A0V to M6V,
# approximated from the table of Pecaut & Mamajek (2013, ApJS 208, 9; version 2022).
_MAIN_SEQUENCE = np.array([
    (-0.03, 1.2, 9700.0),
    (0.38, 2.6, 7200.0),
    (0.58, 3.6, 6500.0),
    (0.82, 4.7, 5770.0),
    (0.98, 5.6, 5280.0),
    (1.43, 6.9, 4450.0),
    (1.84, 8.2, 3850.0),
    (2.59, 10.3, 3410.0),
    (3.24, 12.0, 3050.0),
    (3.80, 13.0, 2850.0),
])
# Relative number of stars per unit M_G at the knots above (the local luminosity function rises
# steeply towards M dwarfs; e.g. Reyle et al. 2021, Gaia Catalogue of Nearby Stars).
_LF_WEIGHT = np.array([0.02, 0.05, 0.08, 0.12, 0.15, 0.25, 0.45, 1.0, 1.1, 0.9])
# Red-clump giants: a small, bright, red population (Ruiz-Dern et al. 2018: M_G ~ 0.44, BP-RP ~ 1.2).
_CLUMP = (1.20, 0.44, 4800.0)


def gaia_parallax_error(g_mag):
    """Parallax uncertainty (mas) of a Gaia-like survey as a function of G magnitude.

    The science-performance approximation ``sigma = sqrt(40 + 800 z + 30 z^2) uas`` with
    ``z = 10**(0.4 (max(G, 13) - 15))``, which gives ~0.02 mas at G < 13 and ~0.6 mas at G = 20.

    Examples
    --------
    >>> float(round(gaia_parallax_error(15.0), 4))
    0.0295

    NaN or infinite magnitudes are refused (drop the stars without a G magnitude first).
    """
    g = check_array("g_mag", g_mag)
    z = 10 ** (0.4 * (np.maximum(g, 13.0) - 15.0))
    return np.sqrt(40.0 + 800.0 * z + 30.0 * z**2) / 1000.0


def _g_mag_error(g_mag):
    """Photometric error (mag) of a Gaia-like G magnitude: 0.3 mmag when bright, rising towards faint stars."""
    return 0.0003 + 0.002 * 10 ** (0.4 * (np.maximum(g_mag, 13.0) - 17.0))


def make_star_catalog(
    density=0.06 / u.pc**3,
    max_distance=50 * u.pc,
    *,
    giant_fraction: float = 0.01,
    velocity_dispersion=30 * u.km / u.s,
    seed=0,
):
    """Mock catalogue of the stars within ``max_distance`` of the Sun, as a Gaia-like survey sees them.

    Stars fill a sphere uniformly (their number is Poisson with mean ``density * volume``); absolute
    magnitudes follow a local luminosity function along an empirical main sequence (Pecaut &
    Mamajek 2013) plus a few red-clump giants; apparent magnitudes use the distance modulus
    (no extinction within ~100 pc); parallaxes, proper motions and photometry get Gaia-like errors.

    Parameters
    ----------
    density : Quantity, default 0.06 pc-3
        True number density of stars.
    max_distance : Quantity, default 50 pc
        Radius of the simulated volume.
    giant_fraction : float, default 0.01
        Fraction of stars that are red-clump giants.
    velocity_dispersion : Quantity, default 30 km/s
        One-dimensional dispersion of the stars' space velocities.
    seed : int or numpy.random.Generator, default 0
        Random seed.

    Returns
    -------
    catalog : QTable
        ``source_id``, ``ra``, ``dec`` (deg), ``parallax``, ``parallax_error`` (mas),
        ``pmra``, ``pmdec`` (mas/yr), ``phot_g_mean_mag``, ``bp_rp`` (mag).
    truth : QTable
        Row-matched truth: ``distance`` (pc), ``parallax`` (mas), ``abs_g_mag`` (mag),
        ``teff`` (K), ``is_giant``, ``v_tan`` (km/s); ``truth.meta`` holds ``density`` and
        ``max_distance``.

    Examples
    --------
    >>> cat, truth = make_star_catalog(max_distance=20 * u.pc, seed=1)
    >>> len(cat) == len(truth), cat["parallax"].unit
    (True, Unit("mas"))
    """
    n_per_pc3 = to_value(density, u.pc**-3, "density")
    radius = to_value(max_distance, u.pc, "max_distance")
    sigma_v = to_value(velocity_dispersion, u.km / u.s, "velocity_dispersion")
    if not n_per_pc3 > 0:
        raise ValueError(f"density must be positive, got {density}")
    if not radius > 0:
        raise ValueError(f"max_distance must be positive, got {max_distance}")
    check_real("giant_fraction", giant_fraction, finite=False)  # dimensionless Quantities pass
    if not 0 <= giant_fraction <= 1:
        raise ValueError(f"giant_fraction must be between 0 and 1, got {giant_fraction!r}")
    if not sigma_v >= 0:
        raise ValueError(f"velocity_dispersion must be non-negative, got {velocity_dispersion}")
    expected = n_per_pc3 * 4.0 / 3.0 * np.pi * radius**3
    if expected > 5e6:
        raise ValueError(
            f"density * volume = {expected:.3g} stars is too many for memory; lower max_distance"
        )
    rng = check_rng("seed", seed)
    n = int(rng.poisson(expected))

    # Positions: uniform in a sphere, so P(d) is proportional to d^2.
    distance = radius * rng.random(n) ** (1.0 / 3.0)
    ra = rng.uniform(0.0, 360.0, n)
    dec = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, n)))

    # Absolute magnitudes from the luminosity function, colours and Teff along the main sequence.
    ms_color, ms_mag, ms_teff = _MAIN_SEQUENCE.T
    grid = np.linspace(ms_mag[0], ms_mag[-1], 2001)
    cdf = np.cumsum(np.interp(grid, ms_mag, _LF_WEIGHT))
    abs_mag = np.interp(rng.random(n) * cdf[-1], cdf, grid)
    color = np.interp(abs_mag, ms_mag, ms_color) + rng.normal(0.0, 0.05, n)
    teff = np.interp(abs_mag, ms_mag, ms_teff)
    is_giant = rng.random(n) < giant_fraction
    n_giant = int(is_giant.sum())
    abs_mag[is_giant] = _CLUMP[1] + rng.normal(0.0, 0.1, n_giant)
    color[is_giant] = _CLUMP[0] + rng.normal(0.0, 0.05, n_giant)
    teff[is_giant] = _CLUMP[2]

    g_true = abs_mag + 5.0 * np.log10(distance / 10.0)
    parallax_true = 1000.0 / distance
    parallax_error = gaia_parallax_error(g_true)
    g_error = _g_mag_error(g_true)

    # Tangential velocity (km/s) -> proper motion (mas/yr) at the distance in kpc.
    v_ra, v_dec = rng.normal(0.0, sigma_v, (2, n))
    pmra = proper_motion(v_ra, distance / 1000.0)
    pmdec = proper_motion(v_dec, distance / 1000.0)
    pm_error = 1.2 * parallax_error  # mas/yr: about the parallax error for a 3-yr baseline

    catalog = QTable(meta={"origin": "astrolab.datasets.make_star_catalog", "seed": str(seed)})
    catalog["source_id"] = np.arange(1, n + 1, dtype=np.int64)
    catalog["ra"] = ra * u.deg
    catalog["dec"] = dec * u.deg
    catalog["parallax"] = (parallax_true + parallax_error * rng.standard_normal(n)) * u.mas
    catalog["parallax_error"] = parallax_error * u.mas
    catalog["pmra"] = (pmra + pm_error * rng.standard_normal(n)) * u.mas / u.yr
    catalog["pmdec"] = (pmdec + pm_error * rng.standard_normal(n)) * u.mas / u.yr
    catalog["phot_g_mean_mag"] = (g_true + g_error * rng.standard_normal(n)) * u.mag
    catalog["bp_rp"] = (color + 2 * g_error * rng.standard_normal(n)) * u.mag

    truth = QTable(meta={"density": n_per_pc3 * u.pc**-3, "max_distance": radius * u.pc})
    truth["source_id"] = catalog["source_id"]
    truth["distance"] = distance * u.pc
    truth["parallax"] = parallax_true * u.mas
    truth["abs_g_mag"] = abs_mag * u.mag
    truth["teff"] = teff * u.K
    truth["is_giant"] = is_giant
    truth["v_tan"] = np.hypot(v_ra, v_dec) * u.km / u.s
    return catalog, truth
