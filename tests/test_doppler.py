"""Chapter 6: doppler_shift moves spectra on a fixed grid; on a log-lambda grid it is a translation."""

import astropy.units as u
import numpy as np
import pytest

from astrolab.datasets._doppler import C_KMS, doppler_shift

LAMBDA0 = 600.0  # nm


def log_grid(n=2001):
    return np.geomspace(550.0, 650.0, n)


def gaussian_line(wave, centre=LAMBDA0, sigma=0.05, depth=0.6):
    return 1.0 - depth * np.exp(-0.5 * ((wave - centre) / sigma) ** 2)


def line_centre(wave, flux):
    """Centroid of the absorption (1 - flux) around the minimum."""
    i = int(np.argmin(flux))
    window = slice(i - 40, i + 41)
    weight = 1.0 - flux[window]
    return float(np.sum(wave[window] * weight) / np.sum(weight))


def test_zero_velocity_is_the_identity():
    wave = log_grid()
    flux = np.random.default_rng(0).normal(1.0, 0.1, (3, wave.size))
    np.testing.assert_array_equal(doppler_shift(wave, flux, 0.0), flux)
    np.testing.assert_allclose(doppler_shift(wave, flux[0], 0.0, relativistic=True), flux[0], rtol=0, atol=1e-15)


@pytest.mark.parametrize("k", [1, 3, -5, 17])
def test_on_a_log_grid_a_shift_of_k_pixels_is_a_translation(k):
    wave = log_grid()
    dlnl = np.log(wave[1] / wave[0])
    flux = gaussian_line(wave, sigma=0.2)
    v = C_KMS * np.expm1(k * dlnl)
    shifted = doppler_shift(wave, flux, v)
    # every pixel away from the ends is the rest spectrum k pixels earlier (up to rounding of the grid)
    inner = slice(30, -30)
    np.testing.assert_allclose(shifted[inner], np.roll(flux, k)[inner], rtol=0, atol=1e-9)
    assert np.argmin(shifted) - np.argmin(flux) == k


@pytest.mark.parametrize("v", [-300.0, 30.0, 120.0, 1000.0])
def test_line_centre_moves_by_lambda0_v_over_c(v):
    wave = log_grid(4001)
    flux = gaussian_line(wave)
    shift = line_centre(wave, doppler_shift(wave, flux, v)) - line_centre(wave, flux)
    np.testing.assert_allclose(shift, LAMBDA0 * v / C_KMS, rtol=2e-3)


def test_relativistic_factor_differs_at_second_order():
    wave = log_grid(4001)
    flux = gaussian_line(wave)
    v = 0.05 * C_KMS
    beta = 0.05
    expected = LAMBDA0 * (np.sqrt((1 + beta) / (1 - beta)) - 1)
    shift = line_centre(wave, doppler_shift(wave, flux, v, relativistic=True)) - LAMBDA0
    np.testing.assert_allclose(shift, expected, rtol=2e-3)
    assert abs(expected - LAMBDA0 * beta) > 0.02 * LAMBDA0 * beta  # the two formulas really differ here


def test_one_velocity_per_spectrum_and_linear_grid():
    wave = np.linspace(550.0, 650.0, 3001)  # not log-uniform: still fine, the line moves by lambda0 v / c
    flux = np.tile(gaussian_line(wave), (3, 1))
    v = np.array([-200.0, 0.0, 400.0])
    shifted = doppler_shift(wave, flux, v)
    assert shifted.shape == (3, wave.size)
    centres = np.array([line_centre(wave, s) for s in shifted])
    np.testing.assert_allclose(centres - LAMBDA0, LAMBDA0 * v / C_KMS, rtol=0, atol=2e-4)
    np.testing.assert_allclose(shifted[1], flux[1])
    # each row equals shifting that row alone
    np.testing.assert_array_equal(shifted[2], doppler_shift(wave, flux[2], 400.0))


def test_edges_take_the_nearest_value():
    wave = log_grid(201)
    flux = np.linspace(1.0, 2.0, wave.size)
    red = doppler_shift(wave, flux, 3000.0)  # observed flux at the blue end came from beyond the grid
    assert red[0] == flux[0] and red[-1] < flux[-1]
    blue = doppler_shift(wave, flux, -3000.0)
    assert blue[-1] == flux[-1] and blue[0] > flux[0]


def test_quantities_are_accepted_and_units_kept():
    wave = log_grid()
    flux = gaussian_line(wave)
    plain = doppler_shift(wave, flux, 150.0)
    np.testing.assert_allclose(doppler_shift(wave * u.nm, flux, 150.0 * u.km / u.s), plain)
    np.testing.assert_allclose(doppler_shift((wave * u.nm).to(u.AA), flux, 150_000.0 * u.m / u.s), plain)
    with_unit = doppler_shift(wave * u.nm, flux * u.erg / u.s / u.cm**2 / u.nm, 150.0 * u.km / u.s)
    assert with_unit.unit == u.erg / u.s / u.cm**2 / u.nm
    np.testing.assert_allclose(with_unit.value, plain)


def test_errors_are_clear():
    wave = log_grid(101)
    flux = np.ones(101)
    with pytest.raises(ValueError, match="velocity must be finite and below the speed of light"):
        doppler_shift(wave, flux, 3.1e5)
    with pytest.raises(ValueError, match="velocity must be finite"):
        doppler_shift(wave, flux, np.nan)
    with pytest.raises(ValueError, match="velocity must have units of speed"):
        doppler_shift(wave, flux, 10 * u.nm)
    with pytest.raises(ValueError, match=r"velocity must be one number or one per spectrum \(shape \(2,\)\)"):
        doppler_shift(wave, np.ones((2, 101)), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="velocity must be one number"):
        doppler_shift(wave, flux, [1.0])
    with pytest.raises(ValueError, match=r"flux must have shape .* n_pixels = 101.*got shape \(100,\)"):
        doppler_shift(wave, np.ones(100), 1.0)
    with pytest.raises(ValueError, match="flux must have shape"):
        doppler_shift(wave, np.ones((2, 2, 101)), 1.0)
    with pytest.raises(ValueError, match="strictly increasing"):
        doppler_shift(wave[::-1], flux, 1.0)
    with pytest.raises(ValueError, match="strictly increasing"):
        doppler_shift(np.r_[wave[:50], wave[49:99]], np.ones(99), 1.0)
    with pytest.raises(ValueError, match="wavelength must be a 1-D grid"):
        doppler_shift(np.ones((2, 3)), flux, 1.0)
    with pytest.raises(ValueError, match="wavelength must have units of length"):
        doppler_shift(wave * u.s, flux, 1.0)
