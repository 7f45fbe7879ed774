"""make_stellar_spectra's second domain: another line list, extra lines and an instrument response."""

import astropy.units as u
import numpy as np
import pytest

from astrolab.datasets import make_stellar_spectra

GRID = np.geomspace(380.0, 900.0, 300) * u.nm


def tilt(nm):
    return 1.0 + 0.2 * (nm - 600.0) / 300.0


def test_defaults_are_unchanged():
    plain = make_stellar_spectra(20, wavelength=GRID, seed=4)
    explicit = make_stellar_spectra(20, wavelength=GRID, seed=4, line_scale=None, extra_lines=None, throughput=None)
    empty = make_stellar_spectra(20, wavelength=GRID, seed=4, line_scale={}, extra_lines=[])
    ones = make_stellar_spectra(20, wavelength=GRID, seed=4, line_scale={"Fe": 1.0, "Mg": 1})
    for other in (explicit, empty, ones):
        assert np.array_equal(plain.flux, other.flux)
        assert np.array_equal(plain.noiseless, other.noiseless)


def test_same_stars_and_noise_in_the_other_domain():
    plain = make_stellar_spectra(30, wavelength=GRID, seed=7)
    other = make_stellar_spectra(30, wavelength=GRID, seed=7, line_scale={"CaII": 0.7, "Mg": 1.3},
                                 extra_lines=[(759.4, 1.0)], throughput=tilt)
    for name in plain.truth.colnames:
        assert np.array_equal(plain.truth[name], other.truth[name])
    assert not np.allclose(plain.noiseless, other.noiseless)
    # the same noise realisation: flux - noiseless is identical
    np.testing.assert_allclose(plain.flux - plain.noiseless, other.flux - other.noiseless, atol=1e-12)
    np.testing.assert_allclose(np.median(other.noiseless, axis=1), 1.0)


def test_line_scale_changes_only_that_species():
    grid = np.linspace(385.0, 405.0, 401) * u.nm       # Ca II K and H only
    kwargs = dict(wavelength=grid, resolution=2000.0, snr=None, seed=1)
    depth = {}
    for factor in (0.0, 0.5, 1.0, 1.5):
        flux = make_stellar_spectra(10, line_scale={"CaII": factor}, **kwargs).noiseless
        k = np.argmin(np.abs(grid.value - 393.37))
        depth[factor] = 1.0 - flux[:, k] / np.max(flux, axis=1)
    assert np.all(depth[0.0] < depth[0.5]) and np.all(depth[0.5] < depth[1.0]) and np.all(depth[1.0] < depth[1.5])
    # a species without lines in this range changes nothing
    same = make_stellar_spectra(10, line_scale={"Na": 3.0}, **kwargs).noiseless
    assert np.array_equal(same, make_stellar_spectra(10, **kwargs).noiseless)


def test_extra_line_has_the_requested_optical_depth():
    grid = np.linspace(700.0, 800.0, 1001) * u.nm    # 0.1 nm pixels, one exactly at 759.4 nm
    kwargs = dict(wavelength=grid, resolution=2000.0, snr=None, seed=2)
    plain = make_stellar_spectra(5, **kwargs).noiseless
    telluric = make_stellar_spectra(5, extra_lines=[(759.4, 1.0)], **kwargs).noiseless
    ratio = telluric / plain
    centre = np.argmin(np.abs(grid.value - 759.4))
    far = np.abs(grid.value - 759.4) > 5.0
    # exp(-tau) at the line centre, relative to the continuum far from it (the median normalisation cancels)
    np.testing.assert_allclose(ratio[:, centre] / ratio[:, far].mean(axis=1), np.exp(-1.0), rtol=1e-3)
    np.testing.assert_allclose(ratio[:, far] / ratio[:, far].mean(axis=1, keepdims=True), 1.0, rtol=1e-9)


def test_throughput_callable_or_array():
    kwargs = dict(wavelength=GRID, snr=None, seed=3)
    plain = make_stellar_spectra(6, **kwargs).noiseless
    by_function = make_stellar_spectra(6, throughput=tilt, **kwargs).noiseless
    by_array = make_stellar_spectra(6, throughput=tilt(GRID.value), **kwargs).noiseless
    np.testing.assert_array_equal(by_function, by_array)
    shape = by_function / plain / tilt(GRID.value)      # the response, up to one normalisation per star
    np.testing.assert_allclose(shape / shape[:, :1], 1.0, rtol=1e-10)


@pytest.mark.parametrize(("kwargs", "match"), [
    (dict(line_scale={"Ti": 2.0}), "line_scale keys"),
    (dict(line_scale={"Fe": -1.0}), "line_scale factors"),
    (dict(line_scale={"Fe": np.nan}), "line_scale factors"),
    (dict(line_scale=[("Fe", 2.0)]), "line_scale must be a mapping"),
    (dict(extra_lines=[759.4]), "extra_lines must be a sequence"),
    (dict(extra_lines=[(759.4, -1.0)]), "non-negative optical depths"),
    (dict(throughput=np.ones(10)), "throughput must give"),
    (dict(throughput=lambda nm: 0.0 * nm), "throughput must give"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_stellar_spectra(3, wavelength=GRID, **kwargs)
