"""Blackbody spectra and the real CALSPEC A-star spectrum."""

from __future__ import annotations

import astropy.constants as const
import astropy.units as u
import numpy as np
from astropy.table import QTable

from astrolab._validation import check_int, check_real, check_rng, check_size
from astrolab.datasets._fetch import fetch_file
from astrolab.datasets._units import to_value

__all__ = ["planck_lambda", "wien_peak", "make_blackbody_spectrum", "fetch_calspec_astar"]

FLAM = u.erg / u.s / u.cm**2 / u.AA
_HC_OVER_K = (const.h * const.c / const.k_B).to_value(u.AA * u.K)  # 1.4388e8 A K
_WIEN_B = 2.897771955e7  # Wien displacement constant in A K (CODATA 2018)


def planck_lambda(wavelength, temperature):
    r"""Planck's law per unit wavelength, :math:`B_\lambda(T)`.

    .. math:: B_\lambda(T) = \frac{2hc^2}{\lambda^5}\,\frac{1}{e^{hc/\lambda k T} - 1}

    Parameters
    ----------
    wavelength : Quantity
        Wavelengths (any length unit; frequencies are converted).
    temperature : Quantity
        Temperature (K), scalar or broadcastable against ``wavelength``.

    Returns
    -------
    Quantity
        Specific intensity in erg s-1 cm-2 A-1 sr-1.

    Examples
    --------
    >>> import astropy.units as u
    >>> b = planck_lambda(5000 * u.AA, 5772 * u.K)
    >>> f"{b.value:.3e} {b.unit}"
    '2.624e+06 erg / (Angstrom s sr cm2)'
    """
    lam = np.asarray(to_value(wavelength, u.AA, "wavelength", u.spectral()), dtype=float)
    temp = np.asarray(to_value(temperature, u.K, "temperature", u.temperature()), dtype=float)
    if np.any(lam <= 0):
        raise ValueError("wavelength must be positive")
    if np.any(temp <= 0):
        raise ValueError(f"temperature must be positive, got {temperature}")
    two_hc2 = (2 * const.h * const.c**2).to_value(u.erg * u.AA**4 / u.s / u.cm**2)
    with np.errstate(over="ignore"):
        value = two_hc2 / lam**5 / np.expm1(_HC_OVER_K / (lam * temp))
    return value * FLAM / u.sr


def wien_peak(temperature):
    """Wavelength where :math:`B_\\lambda(T)` peaks (Wien's displacement law, b = 2.898e-3 m K).

    Examples
    --------
    >>> import astropy.units as u
    >>> print(f"{wien_peak(5772 * u.K).to(u.nm):.1f}")
    502.0 nm
    """
    temp = to_value(temperature, u.K, "temperature", u.temperature())
    if np.any(np.asarray(temp) <= 0):
        raise ValueError(f"temperature must be positive, got {temperature}")
    return _WIEN_B / temp * u.AA


def make_blackbody_spectrum(
    teff=9500 * u.K,
    flux_5556=3.5e-14 * FLAM,
    *,
    n_points: int = 1274,
    noise: float = 0.01,
    seed=0,
):
    """Mock flux-standard spectrum: a blackbody star observed from 915 A to 40 um with noise.

    The offline stand-in for :func:`fetch_calspec_astar`: same wavelength range, sampling size
    and flux level, but a pure Planck continuum (no Balmer jump or lines), so its temperature
    and magnitude are known exactly.

    Parameters
    ----------
    teff : Quantity, default 9500 K
        Effective temperature of the blackbody.
    flux_5556 : Quantity, default 3.5e-14 erg s-1 cm-2 A-1
        Flux density at 5556 A (sets the apparent magnitude).
    n_points : int, default 1274
        Number of wavelengths, log-spaced.
    noise : float, default 0.01
        Fractional Gaussian noise per point.
    seed : int or numpy.random.Generator, default 0
        Random seed.

    Returns
    -------
    spectrum : QTable
        Columns ``wavelength`` (A), ``flux`` and ``flux_error`` (erg s-1 cm-2 A-1).
    truth : dict
        ``teff``, ``flux_5556`` and ``ab_mag_5556``, the AB magnitude at 5556 A.

    Examples
    --------
    >>> spec, truth = make_blackbody_spectrum(seed=1)
    >>> len(spec), round(truth["ab_mag_5556"], 2)
    (1274, 12.51)
    """
    n_points = check_int("n_points", n_points, min=2)
    check_size("n_points", 8 * 16 * n_points, request=f"n_points={n_points}")  # a few columns of the table
    check_real("noise", noise, finite=False)
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a non-negative fraction, got {noise!r}")
    t_eff = to_value(teff, u.K, "teff", u.temperature())
    if np.ndim(t_eff) != 0 or not (np.isfinite(t_eff) and t_eff > 0):
        raise ValueError(f"teff must be one positive, finite temperature, got {teff!r}")
    f5556 = to_value(flux_5556, FLAM, "flux_5556")
    if not np.isscalar(f5556) or not f5556 > 0:
        raise ValueError(f"flux_5556 must be a positive scalar flux density, got {flux_5556}")
    rng = check_rng("seed", seed)
    lam = np.geomspace(915.0, 4.0e5, n_points) * u.AA
    shape = planck_lambda(lam, teff).value
    ref = planck_lambda(5556 * u.AA, teff).value
    flux = f5556 * shape / ref
    err = noise * flux
    observed = flux + err * rng.standard_normal(n_points)
    spectrum = QTable(
        {"wavelength": lam, "flux": observed * FLAM, "flux_error": err * FLAM},
        meta={"source": f"mock blackbody, Teff = {teff}", "origin": "astrolab.datasets"},
    )
    f_nu = (f5556 * FLAM).to(u.Jy, equivalencies=u.spectral_density(5556 * u.AA))
    truth = {
        "teff": teff.to(u.K),
        "flux_5556": f5556 * FLAM,
        "ab_mag_5556": float(-2.5 * np.log10(f_nu.to_value(u.Jy) / 3631.0)),
    }
    return spectrum, truth


def fetch_calspec_astar(*, mirror=None, data_home=None):
    """Real HST CALSPEC spectrum of the A-type standard 2MASS J17325264+7104431.

    Downloaded once (SHA-256 checked) and cached, or read from a local mirror. This is the
    file astroML calls "Vega"; its flux level (V ~ 12.5) shows that it is not.

    Parameters
    ----------
    mirror, data_home : str or Path, optional
        See :func:`fetch_file`.

    Returns
    -------
    QTable
        ``wavelength`` (A) and ``flux`` (erg s-1 cm-2 A-1), 1274 rows from 915 A to 40 um.

    Raises
    ------
    DataUnavailableError
        Offline with no local copy: use :func:`make_blackbody_spectrum` instead.
    """
    path = fetch_file("calspec-1732526", mirror=mirror, data_home=data_home)
    raw = np.loadtxt(path)
    if raw.ndim != 2 or raw.shape[1] != 2:
        raise ValueError(f"{path} should have two columns (wavelength, flux), got shape {raw.shape}")
    return QTable(
        {"wavelength": raw[:, 0] * u.AA, "flux": raw[:, 1] * FLAM},
        meta={"source": "HST CALSPEC 1732526_nic_002 (Bohlin et al. 2014)", "path": str(path)},
    )
