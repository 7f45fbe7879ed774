"""Mock stellar and galaxy spectra with known physical parameters (chapter 2)."""

from __future__ import annotations

import astropy.units as u
import numpy as np
from astropy.stats import gaussian_fwhm_to_sigma
from astropy.table import QTable
from sklearn.utils import Bunch

from astrolab._validation import as_float_array, check_real, check_rng, check_size
from astrolab.datasets._units import to_value

__all__ = ["make_galaxy_spectra", "make_stellar_spectra"]

_HC_OVER_K_NM = 1.438776877e7  # h c / k_B in nm K

# (rest wavelength in nm, strength, kind). Strengths are optical depths at the line centre for a
# solar-metallicity star at the temperature where the species peaks (rough, from the
# Moore-Minnaert-Houtgast solar atlas and the MK classification criteria).
_STELLAR_LINES = (
    (393.37, 3.0, "CaII"), (396.85, 2.5, "CaII"),
    (410.17, 1.2, "H"), (434.05, 1.4, "H"), (486.13, 1.6, "H"), (656.28, 1.8, "H"),
    (422.67, 1.0, "CaI"), (430.8, 1.0, "CH"),
    (438.35, 0.8, "Fe"), (440.48, 0.7, "Fe"), (452.86, 0.4, "Fe"), (466.81, 0.4, "Fe"),
    (489.15, 0.4, "Fe"), (495.73, 0.5, "Fe"), (501.21, 0.3, "Fe"), (516.89, 0.6, "Fe"),
    (526.95, 0.7, "Fe"), (532.80, 0.6, "Fe"), (537.15, 0.4, "Fe"), (540.58, 0.4, "Fe"),
    (516.73, 1.0, "Mg"), (517.27, 1.2, "Mg"), (518.36, 1.4, "Mg"),
    (588.995, 1.6, "Na"), (589.592, 1.4, "Na"),
    (610.27, 0.4, "CaI"), (612.22, 0.5, "CaI"), (616.22, 0.6, "CaI"), (643.91, 0.5, "CaI"),
    (849.80, 1.2, "CaT"), (854.21, 1.8, "CaT"), (866.21, 1.6, "CaT"),
)
# TiO molecular bands of M stars: (band head nm, width nm, strength)
_TIO_BANDS = ((476.1, 12.0, 0.5), (516.7, 15.0, 0.6), (617.0, 20.0, 0.9), (705.3, 25.0, 1.2), (843.2, 20.0, 0.8))


def _planck(wavelength_nm, teff):
    x = _HC_OVER_K_NM / (wavelength_nm[None, :] * teff[:, None])
    return 1.0 / (wavelength_nm[None, :] ** 5 * np.expm1(np.minimum(x, 700.0)))


def _species_strength(kind, teff, logg, feh):
    """How strong a species' lines are, as a function of the stellar parameters (0 to ~1.5)."""
    metals = 10.0 ** feh
    if kind == "H":  # Balmer lines peak near A0 (~9500 K), broader in dwarfs
        return np.exp(-0.5 * ((teff - 9500.0) / 2500.0) ** 2) + 0.15
    if kind == "CaII":  # H and K: strong from F to M
        return metals**0.5 * np.clip((9000.0 - teff) / 3000.0, 0.05, 1.2)
    if kind in ("Fe", "CaI", "CH"):  # neutral metals grow towards cool stars
        return metals * np.clip((7500.0 - teff) / 2500.0, 0.02, 1.4)
    if kind in ("Mg", "Na"):  # pressure-sensitive: stronger in dwarfs
        return metals * np.clip((7500.0 - teff) / 2500.0, 0.02, 1.4) * (0.6 + 0.1 * logg)
    if kind == "CaT":  # the Ca triplet is stronger in giants
        return metals**0.5 * np.clip((8000.0 - teff) / 3000.0, 0.1, 1.0) * (1.4 - 0.1 * logg)
    raise ValueError(kind)


def _check_grid(wavelength, name="wavelength"):
    grid = to_value(wavelength, u.nm, name)
    grid = np.atleast_1d(as_float_array("grid", grid))
    if grid.ndim != 1 or grid.size < 10 or np.any(np.diff(grid) <= 0):
        raise ValueError(f"{name} must be an increasing 1-D grid of at least 10 wavelengths")
    return grid


def _check_common(n_spectra, resolution, snr):
    if isinstance(n_spectra, bool) or not isinstance(n_spectra, (int, np.integer)) or n_spectra < 1:
        raise ValueError(f"n_spectra must be a positive integer, got {n_spectra!r}")
    check_size("n_spectra", 8.0 * 4 * 2000 * n_spectra, request=f"n_spectra={n_spectra}")  # a few grids of ~1000
    check_real("resolution", resolution, finite=False)
    if snr is not None:
        check_real("snr", snr, finite=False)
    if not resolution > 0:
        raise ValueError(f"resolution must be a positive resolving power R = lambda / dlambda, got {resolution!r}")
    if snr is not None and not snr > 0:
        raise ValueError(f"snr must be positive or None (no noise), got {snr!r}")


def _observe(grid, flux, snr, rng, truth):
    """Add Gaussian noise of 1/snr per pixel (none when snr is None) and pack the result."""
    err = np.zeros_like(flux) if snr is None else np.full_like(flux, 1.0 / snr)
    noisy = flux if snr is None else flux + err * rng.standard_normal(flux.shape)
    return Bunch(wavelength=grid * u.nm, flux=noisy, flux_err=err, noiseless=flux.copy(), truth=truth)


def _add_lines(flux, grid, centres, depths, sigma):
    """Multiply ``flux`` by Gaussian absorption profiles exp(-depth * profile) (depths: n x lines)."""
    tau = np.zeros_like(flux)
    for k, centre in enumerate(centres):
        near = np.abs(grid - centre) < 6 * sigma[k].max() if np.ndim(sigma[k]) else np.abs(grid - centre) < 6 * sigma[k]
        if not near.any():
            continue
        s = sigma[k] if np.ndim(sigma[k]) == 0 else sigma[k][:, None]
        tau[:, near] += depths[:, k, None] * np.exp(-0.5 * ((grid[near] - centre) / s) ** 2)
    return flux * np.exp(-tau)


_SPECIES = tuple(dict.fromkeys(line[2] for line in _STELLAR_LINES))  # ("CaII", "H", "CaI", ...)


def _check_line_scale(line_scale):
    if line_scale is None:
        return {}
    if not hasattr(line_scale, "items"):
        raise ValueError(f"line_scale must be a mapping of species to factors, e.g. {{'Mg': 1.5}}, got {line_scale!r}")
    scale = {}
    for species, factor in line_scale.items():
        if species not in _SPECIES:
            raise ValueError(f"line_scale keys must be species among {_SPECIES}, got {species!r}")
        if isinstance(factor, bool) or not isinstance(factor, (int, float, np.integer, np.floating)) \
                or not np.isfinite(factor) or factor < 0:
            raise ValueError(f"line_scale factors must be finite non-negative numbers, got {species!r}: {factor!r}")
        scale[species] = float(factor)
    return scale


def _check_extra_lines(extra_lines):
    if extra_lines is None:
        return []
    try:
        lines = [(float(c), float(d)) for c, d in extra_lines]
    except (TypeError, ValueError):
        raise ValueError(f"extra_lines must be a sequence of (centre_nm, optical_depth) pairs, got {extra_lines!r}") \
            from None
    for centre, depth in lines:
        if not (np.isfinite(centre) and centre > 0 and np.isfinite(depth) and depth >= 0):
            raise ValueError(f"extra_lines must hold positive centres [nm] and non-negative optical depths, "
                             f"got {(centre, depth)!r}")
    return lines


def _check_throughput(throughput, grid):
    if throughput is None:
        return None
    values = throughput(grid) if callable(throughput) else throughput
    values = as_float_array("values", values)
    if values.shape != grid.shape or not np.all(np.isfinite(values)) or np.any(values <= 0):
        raise ValueError(f"throughput must give finite positive values on the {grid.size}-pixel wavelength grid, "
                         f"got shape {values.shape}")
    return values


def make_stellar_spectra(n_spectra: int = 2000, *, wavelength=None, resolution: float = 2000.0, snr=50.0,
                         line_scale=None, extra_lines=None, throughput=None, seed=0):
    """Mock optical spectra of stars with known Teff, log g and [Fe/H].

    Each spectrum is a blackbody continuum at Teff, with line blanketing that grows with
    metallicity towards the blue, multiplied by absorption lines whose optical depths follow the
    physics of the MK classification: Balmer lines peak near 9500 K and are broader in dwarfs;
    metal lines (Fe, Ca, Mg, Na) grow towards cool stars and with [Fe/H]; Mg b and Na D are stronger
    in dwarfs, the Ca II triplet in giants; TiO bands appear below 4000 K. Lines are broadened to the
    resolving power ``resolution``. Spectra are normalised to a median of 1 and get Gaussian noise
    of ``1 / snr`` per pixel.

    Parameters
    ----------
    n_spectra : int, default 2000
        Number of stars. Teff is log-uniform in 3500-10000 K; stars cooler than 5500 K are giants
        (log g 1-3.5) with probability 0.3, otherwise dwarfs (log g 4-5); [Fe/H] is normal with
        mean -0.2 and width 0.4, clipped to [-2.5, 0.5].
    wavelength : Quantity, optional
        Wavelength grid; default 380-900 nm in 1000 steps.
    resolution : float, default 2000
        Resolving power R = lambda / FWHM of the lines.
    snr : float or None, default 50
        Signal-to-noise ratio per pixel; None for noiseless spectra.
    line_scale : mapping of str to float, optional
        Factors on the optical depths of the lines of some species, e.g. ``{"Mg": 1.5}``: a line
        list whose oscillator strengths differ from the default one (keys among ``"H"``, ``"CaII"``,
        ``"CaI"``, ``"CH"``, ``"Fe"``, ``"Mg"``, ``"Na"``, ``"CaT"``). With ``line_scale``,
        ``extra_lines`` and ``throughput`` the same seed gives the *same stars* seen through
        another line list and instrument: a second domain to test a model trained on the first
        (domain shift; Fabbro et al. 2018, MNRAS 475, 2978).
    extra_lines : sequence of (float, float), optional
        Absorption features missing from the default line list, as ``(centre_nm, optical_depth)``
        pairs with the same depth in every star (telluric or interstellar lines, unmodelled
        blends); broadened to ``resolution``.
    throughput : callable or array_like, optional
        Instrument response that multiplies every spectrum before the normalisation: a function of
        the wavelength in nm, or positive values on the grid.
    seed : int or numpy.random.Generator, default 0
        Random seed.

    Returns
    -------
    Bunch
        ``wavelength`` (Quantity, nm), ``flux`` (n_spectra x n_pixels, normalised), ``flux_err``,
        ``noiseless`` (the flux before noise) and ``truth`` (QTable: ``teff`` [K], ``logg``,
        ``feh``, ``is_giant``).

    Examples
    --------
    >>> spectra = make_stellar_spectra(5, seed=1)
    >>> spectra.flux.shape, spectra.wavelength.unit
    ((5, 1000), Unit("nm"))
    >>> sorted(spectra.truth.colnames)
    ['feh', 'is_giant', 'logg', 'teff']

    The same stars through another line list (Mg lines 50 % stronger), with a telluric band and a
    tilted instrument response:

    >>> observed = make_stellar_spectra(5, seed=1, line_scale={"Mg": 1.5}, extra_lines=[(759.4, 0.8)],
    ...                                 throughput=lambda nm: 1.0 + 0.2 * (nm - 600.0) / 300.0)
    >>> bool(np.all(observed.truth["feh"] == spectra.truth["feh"]))
    True
    """
    _check_common(n_spectra, resolution, snr)
    grid = _check_grid(np.linspace(380.0, 900.0, 1000) * u.nm if wavelength is None else wavelength)
    scale = _check_line_scale(line_scale)
    extra = _check_extra_lines(extra_lines)
    response = _check_throughput(throughput, grid)
    rng = check_rng("seed", seed)
    n = int(n_spectra)
    teff = np.exp(rng.uniform(np.log(3500.0), np.log(10000.0), n))
    giant = (teff < 5500.0) & (rng.random(n) < 0.3)
    logg = np.where(giant, rng.uniform(1.0, 3.5, n), rng.uniform(4.0, 5.0, n))
    feh = np.clip(rng.normal(-0.2, 0.4, n), -2.5, 0.5)

    continuum = _planck(grid, teff)
    blue = np.clip((450.0 - grid) / 70.0, 0.0, None)  # line blanketing below ~450 nm
    continuum *= np.exp(-0.3 * 10.0**feh[:, None] * np.clip((7000.0 - teff[:, None]) / 3000.0, 0, 1) * blue)
    centres = np.array([line[0] for line in _STELLAR_LINES])
    depths = np.stack([line[1] * _species_strength(line[2], teff, logg, feh) for line in _STELLAR_LINES], axis=1)
    if scale:
        depths = depths * np.array([scale.get(line[2], 1.0) for line in _STELLAR_LINES])
    sigma_inst = centres / resolution * gaussian_fwhm_to_sigma
    # Balmer lines of dwarfs are pressure broadened: an extra width of 0.6 nm per dex of log g above 3
    sigma = [np.hypot(s, 0.6 * np.clip(logg - 3.0, 0, None)) if line[2] == "H" else s
             for s, line in zip(sigma_inst, _STELLAR_LINES, strict=True)]
    flux = _add_lines(continuum, grid, centres, depths, sigma)
    # TiO bands: a sharp head and a slow recovery to the red, below 4000 K
    tio = np.clip((4000.0 - teff) / 600.0, 0.0, None)
    for head, width, strength in _TIO_BANDS:
        shape = np.where(grid >= head, np.exp(-(grid - head) / width), 0.0)
        flux *= np.exp(-strength * tio[:, None] * shape[None, :])
    if extra:
        centres_x = np.array([c for c, _ in extra])
        depths_x = np.broadcast_to(np.array([d for _, d in extra]), (n, len(extra)))
        flux = _add_lines(flux, grid, centres_x, depths_x, centres_x / resolution * gaussian_fwhm_to_sigma)
    if response is not None:
        flux = flux * response
    flux /= np.median(flux, axis=1, keepdims=True)
    truth = QTable({"teff": teff * u.K, "logg": logg, "feh": feh, "is_giant": giant})
    return _observe(grid, flux, snr, rng, truth)


# Emission lines of star-forming galaxies: (rest nm, strength relative to H-alpha)
_EMISSION = ((372.7, 1.0), (486.13, 0.35), (495.9, 0.15), (500.7, 0.45), (654.8, 0.1), (656.28, 1.0),
             (658.4, 0.3), (671.7, 0.15), (673.1, 0.12))


def make_galaxy_spectra(n_spectra: int = 1000, *, wavelength=None, z_max: float = 0.3, resolution: float = 1500.0,
                        snr=20.0, seed=0):
    """Mock optical galaxy spectra: an old and a young stellar population, emission lines, redshift.

    The rest-frame spectrum is ``(1 - f) * old + f * young`` for a young-light fraction ``f``: the old
    population is a 4500 K continuum with strong metal lines and the 4000 A break (Ca II H&K and
    metal blanketing, Balogh et al. 1999); the young one a 15000 K continuum with Balmer absorption.
    Star formation adds nebular emission lines ([O II], H-beta, [O III], H-alpha, [N II], [S II])
    with a strength that grows with ``f``. Lines are broadened by the velocity dispersion, and the
    spectrum is redshifted onto the observed grid.

    Parameters
    ----------
    n_spectra : int, default 1000
        Number of galaxies. ``f`` is uniform in [0, 1], redshift uniform in [0, ``z_max``], velocity
        dispersion uniform in 50-250 km/s.
    wavelength : Quantity, optional
        Observed wavelength grid; default 380-900 nm in 1000 steps.
    z_max : float, default 0.3
        Largest redshift.
    resolution : float, default 1500
        Instrumental resolving power.
    snr : float or None, default 20
        Signal-to-noise ratio per pixel; None for noiseless spectra.
    seed : int or numpy.random.Generator, default 0
        Random seed.

    Returns
    -------
    Bunch
        ``wavelength``, ``flux``, ``flux_err``, ``noiseless`` and ``truth`` (QTable: ``z``,
        ``young_fraction``, ``emission`` (H-alpha equivalent width, nm), ``sigma_v`` [km/s]).

    Examples
    --------
    >>> galaxies = make_galaxy_spectra(4, seed=2)
    >>> galaxies.flux.shape, float(galaxies.truth["z"].max()) <= 0.3
    ((4, 1000), True)
    """
    _check_common(n_spectra, resolution, snr)
    check_real("z_max", z_max, finite=False)  # dimensionless Quantities pass
    if not 0 <= z_max <= 3:
        raise ValueError(f"z_max must be between 0 and 3, got {z_max!r}")
    grid = _check_grid(np.linspace(380.0, 900.0, 1000) * u.nm if wavelength is None else wavelength)
    rng = check_rng("seed", seed)
    n = int(n_spectra)
    frac = rng.uniform(0.0, 1.0, n)
    z = rng.uniform(0.0, z_max, n)
    sigma_v = rng.uniform(50.0, 250.0, n)
    rest = grid[None, :] / (1.0 + z[:, None])  # rest wavelength of each observed pixel
    c_kms = 299792.458

    def continuum(temp):
        x = _HC_OVER_K_NM / (rest * temp)
        b = 1.0 / (rest**5 * np.expm1(np.minimum(x, 700.0)))
        return b / np.median(b, axis=1, keepdims=True)

    def lines(centres_strengths, emission=False):
        tau = np.zeros_like(rest)
        for centre, strength in centres_strengths:
            s = np.hypot(centre * sigma_v / c_kms, centre / resolution * gaussian_fwhm_to_sigma)[:, None]
            tau += strength * np.exp(-0.5 * ((rest - centre) / s) ** 2)
        return tau

    old = continuum(4500.0)
    old *= np.where(rest < 400.0, 0.55, 1.0)  # the 4000 A break
    old *= np.exp(-lines([(393.37, 2.0), (396.85, 1.6), (430.8, 0.8), (516.9, 0.6), (518.4, 0.7), (527.0, 0.5),
                          (589.3, 0.6), (854.2, 0.5), (866.2, 0.4)]))
    young = continuum(15000.0) * np.exp(-lines([(410.17, 0.5), (434.05, 0.6), (486.13, 0.6), (656.28, 0.5)]))
    stellar = (1.0 - frac[:, None]) * old + frac[:, None] * young
    ew_halpha = 3.0 * frac**2 * rng.lognormal(0.0, 0.3, n)  # nm (30 A at f = 1), grows with the young fraction
    emission = np.zeros_like(rest)
    for centre, strength in _EMISSION:
        s = np.hypot(centre * sigma_v / c_kms, centre / resolution * gaussian_fwhm_to_sigma)[:, None]
        profile = np.exp(-0.5 * ((rest - centre) / s) ** 2) / (np.sqrt(2 * np.pi) * s)
        emission += strength * ew_halpha[:, None] * profile
    flux = stellar * (1.0 + emission)
    flux /= np.median(flux, axis=1, keepdims=True)
    truth = QTable({"z": z, "young_fraction": frac, "emission": ew_halpha * u.nm, "sigma_v": sigma_v * u.km / u.s})
    return _observe(grid, flux, snr, rng, truth)
