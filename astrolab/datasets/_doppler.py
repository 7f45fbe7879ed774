"""Doppler shift of spectra on a fixed wavelength grid (chapter 6: CNNs and translation)."""

from __future__ import annotations

import astropy.units as u
import numpy as np

from astrolab._validation import as_float_array
from astrolab.datasets._units import to_value

__all__ = ["doppler_shift"]

C_KMS = 299792.458  # speed of light in km/s


def doppler_shift(wavelength, flux, velocity, *, relativistic: bool = False):
    """The spectrum an observer records when the star moves with radial velocity ``velocity``.

    Light emitted at rest wavelength :math:`\\lambda` is observed at :math:`\\lambda\\,D` with the
    Doppler factor :math:`D = 1 + v/c` (first order in :math:`v/c`, the usual choice for stars), or
    :math:`D = \\sqrt{(1 + \\beta)/(1 - \\beta)}` with :math:`\\beta = v/c` when ``relativistic`` is
    true; the two differ by :math:`\\beta^2/2`, below 1e-6 for :math:`|v| < 400` km/s. Positive
    velocities move away from the observer (redshift). The shifted spectrum is sampled on the SAME
    grid: the observed flux at :math:`\\lambda_i` is the rest-frame flux at :math:`\\lambda_i / D`,
    found by linear interpolation, and pixels that look beyond the ends of the grid take the nearest
    end value. Only the shape of the spectrum moves; the flux is not rescaled (a normalised
    spectrum stays normalised).

    On a grid uniform in :math:`\\ln\\lambda` the shift is a pure translation by
    :math:`\\ln D / \\Delta\\ln\\lambda` pixels, the same for every line: that is why a
    convolutional network, which treats every position alike, suits spectra.

    Parameters
    ----------
    wavelength : array_like or Quantity, shape (n_pixels,)
        Strictly increasing wavelength grid, in any unit (only ratios matter).
    flux : array_like or Quantity, shape (n_pixels,) or (n_spectra, n_pixels)
        The rest-frame spectrum or spectra on ``wavelength``.
    velocity : float, array_like of shape (n_spectra,), or Quantity
        Radial velocity; plain numbers are in km/s. One value for all spectra or one per spectrum;
        ``|velocity|`` must be below the speed of light.
    relativistic : bool, default False
        Use the special-relativistic Doppler factor instead of ``1 + v/c``.

    Returns
    -------
    ndarray or Quantity
        The shifted flux, same shape (and unit, if any) as ``flux``.

    Examples
    --------
    >>> import numpy as np
    >>> wave = np.geomspace(500.0, 510.0, 201)            # nm, uniform in ln(lambda)
    >>> flux = 1.0 - 0.5 * np.exp(-0.5 * ((wave - 505.0) / 0.1) ** 2)
    >>> dlnl = np.log(wave[1] / wave[0])
    >>> v = 299792.458 * np.expm1(3 * dlnl)              # exactly 3 pixels to the red
    >>> int(np.argmin(flux)), int(np.argmin(doppler_shift(wave, flux, v)))
    (100, 103)
    """
    grid = _check_wavelength(wavelength)
    flux_unit = flux.unit if isinstance(flux, u.Quantity) else None
    values = as_float_array("flux", flux.value if flux_unit is not None else flux)
    if values.ndim not in (1, 2) or values.shape[-1] != grid.size:
        raise ValueError(f"flux must have shape (n_pixels,) or (n_spectra, n_pixels) with n_pixels = "
                         f"{grid.size} (the length of wavelength), got shape {values.shape}")
    spectra = np.atleast_2d(values)
    n_spectra = spectra.shape[0]

    v = to_value(velocity, u.km / u.s, "velocity") if isinstance(velocity, u.Quantity) else velocity
    v = as_float_array("velocity", v)
    if v.ndim > 1 or (v.ndim == 1 and v.size != n_spectra) or (v.ndim == 1 and values.ndim == 1):
        raise ValueError(f"velocity must be one number or one per spectrum (shape ({n_spectra},)), "
                         f"got shape {v.shape} for flux of shape {values.shape}")
    if not np.all(np.isfinite(v)) or np.any(np.abs(v) >= C_KMS):
        raise ValueError(f"velocity must be finite and below the speed of light ({C_KMS} km/s) in size, "
                         f"got values up to {np.max(np.abs(v)):.6g} km/s")
    beta = np.broadcast_to(v / C_KMS, (n_spectra,))
    factor = np.sqrt((1.0 + beta) / (1.0 - beta)) if relativistic else 1.0 + beta

    shifted = np.empty_like(spectra)
    for k in range(n_spectra):  # np.interp fills beyond the ends with the end values
        shifted[k] = np.interp(grid / factor[k], grid, spectra[k])
    shifted = shifted.reshape(values.shape)
    return shifted * flux_unit if flux_unit is not None else shifted


def _check_wavelength(wavelength) -> np.ndarray:
    if isinstance(wavelength, u.Quantity):
        grid = to_value(wavelength, u.nm, "wavelength")
    else:
        grid = wavelength
    grid = as_float_array("wavelength", grid)
    if grid.ndim != 1 or grid.size < 2:
        raise ValueError(f"wavelength must be a 1-D grid of at least 2 values, got shape {grid.shape}")
    if not np.all(np.isfinite(grid)) or grid[0] <= 0 or np.any(np.diff(grid) <= 0):
        raise ValueError("wavelength must be positive, finite and strictly increasing (a monotonic grid), "
                         f"got values from {grid[0]:.6g} to {grid[-1]:.6g} that are not")
    return grid
