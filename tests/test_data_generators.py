"""Mock data generators: deterministic, physically right, and strict about their inputs."""

import astropy.units as u
import numpy as np
import pytest
from astropy.modeling.models import BlackBody
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from astrolab.datasets import (
    DataUnavailableError,
    make_blackbody_spectrum,
    make_star_catalog,
    planck_lambda,
    real_or_mock,
    wien_peak,
)

FLAM_SR = u.erg / (u.cm**2 * u.s * u.AA * u.sr)


@pytest.fixture(scope="module")
def catalog():
    return make_star_catalog(max_distance=40 * u.pc, seed=7)


def test_catalog_is_deterministic(catalog):
    again, truth = make_star_catalog(max_distance=40 * u.pc, seed=7)
    assert np.array_equal(again["parallax"], catalog[0]["parallax"])
    other, _ = make_star_catalog(max_distance=40 * u.pc, seed=8)
    assert len(other) != len(again) or not np.array_equal(other["ra"], again["ra"])


def test_catalog_units_and_shape(catalog):
    cat, truth = catalog
    assert len(cat) == len(truth) > 1000
    assert cat["ra"].unit == u.deg and cat["parallax"].unit == u.mas
    assert cat["pmra"].unit == u.mas / u.yr and cat["phot_g_mean_mag"].unit == u.mag
    assert truth["distance"].unit == u.pc and truth["teff"].unit == u.K
    assert np.all(truth["distance"] <= 40 * u.pc)


def test_star_count_matches_density(catalog):
    cat, truth = catalog
    expected = (truth.meta["density"] * 4 / 3 * np.pi * truth.meta["max_distance"] ** 3).to_value(
        u.dimensionless_unscaled)
    assert abs(len(cat) - expected) < 5 * np.sqrt(expected)


def test_stars_fill_the_volume_uniformly(catalog):
    cat, truth = catalog
    r3 = (truth["distance"] / truth.meta["max_distance"]).to_value(u.dimensionless_unscaled) ** 3
    assert stats.kstest(r3, "uniform").pvalue > 1e-3
    assert stats.kstest(np.sin(np.radians(cat["dec"].value)), "uniform", args=(-1, 2)).pvalue > 1e-3


def test_parallax_errors_are_as_advertised(catalog):
    cat, truth = catalog
    pull = ((cat["parallax"] - truth["parallax"]) / cat["parallax_error"]).value
    assert abs(pull.mean()) < 0.05 and abs(pull.std() - 1) < 0.05


def test_main_sequence_is_monotonic(catalog):
    cat, truth = catalog
    dwarfs = ~truth["is_giant"]
    rho = stats.spearmanr(cat["bp_rp"][dwarfs], truth["abs_g_mag"][dwarfs]).statistic
    assert rho > 0.95  # redder dwarfs are fainter


@pytest.mark.parametrize("kwargs, match", [
    ({"density": 0.06}, "density must be an astropy Quantity"),
    ({"density": 0.06 * u.kg}, "density must have units"),
    ({"max_distance": -5 * u.pc}, "max_distance must be positive"),
    ({"giant_fraction": 2}, "giant_fraction"),
    ({"max_distance": 5 * u.kpc}, "too many"),
    ({"max_distance": 1 * u.GHz}, "max_distance must have units of length"),
])
def test_catalog_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_star_catalog(**kwargs)


def test_milky_way_model_agrees_with_astropy():
    from astropy.coordinates import Galactic

    from astrolab.datasets._milkyway import (
        K_PM,
        SOLAR_MOTION,
        galactocentric_frame,
        heliocentric_velocity,
        proper_motion,
        tangential_velocity,
    )

    assert K_PM == pytest.approx(4.740470463, rel=1e-9)  # 1 au/yr in km/s
    assert np.array_equal(SOLAR_MOTION, [11.1, 12.24, 7.25])  # Schoenrich, Binney & Dehnen (2010)
    assert tangential_velocity(proper_motion(30.0, 2.5), 2.5) == pytest.approx(30.0)
    # a star at rest in the Galaxy, 1 kpc towards l = 90: astropy's velocities relative to the Sun
    # equal the model's heliocentric velocity, and its proper motion the model's conversion
    star = galactocentric_frame(x=-8.2 * u.kpc, y=1 * u.kpc, z=0.02 * u.kpc, v_x=0 * u.km / u.s,
                                v_y=0 * u.km / u.s, v_z=0 * u.km / u.s).transform_to(Galactic())
    v_astropy = star.velocity.d_xyz.to_value(u.km / u.s)
    v_model = heliocentric_velocity([0.0, 0.0, 0.0])
    assert v_astropy == pytest.approx(v_model, abs=0.1)
    assert star.pm_l_cosb.to_value(u.mas / u.yr) == pytest.approx(proper_motion(-v_model[0], 1.0), abs=0.01)


def test_planck_accepts_frequencies():
    nu = (500 * u.nm).to(u.THz, equivalencies=u.spectral())
    assert planck_lambda(nu, 5772 * u.K).value == pytest.approx(planck_lambda(500 * u.nm, 5772 * u.K).value)


def test_planck_matches_astropy():
    wavelength = np.geomspace(100, 1e5, 50) * u.nm
    for temperature in (3000, 5772, 30000) * u.K:
        ours = planck_lambda(wavelength, temperature)
        theirs = BlackBody(temperature=temperature, scale=1 * FLAM_SR)(wavelength)
        np.testing.assert_allclose(ours.to_value(FLAM_SR), theirs.to_value(FLAM_SR), rtol=1e-6)


@pytest.mark.parametrize("temperature", [3000, 5772, 20000])
def test_wien_peak_is_the_maximum(temperature):
    grid = np.geomspace(50, 5000, 400_001) * u.nm
    numeric = grid[np.argmax(planck_lambda(grid, temperature * u.K))]
    assert numeric.to_value(u.nm) == pytest.approx(wien_peak(temperature * u.K).to_value(u.nm),
                                                   rel=1e-3)


@settings(max_examples=50, deadline=None)
@given(lam=st.floats(50, 1e6), t1=st.floats(500, 1e5), factor=st.floats(1.01, 10))
def test_planck_positive_and_increasing_with_temperature(lam, t1, factor):
    low = planck_lambda(lam * u.nm, t1 * u.K).value
    high = planck_lambda(lam * u.nm, t1 * factor * u.K).value
    assert high >= low >= 0 and high > 0


@pytest.mark.parametrize("args, match", [
    ((500, 5772 * u.K), "wavelength must be an astropy Quantity"),
    ((500 * u.nm, 5772), "temperature must be an astropy Quantity"),
    ((500 * u.s, 5772 * u.K), "wavelength must have units"),
    ((500 * u.nm, -5 * u.K), "temperature must be positive"),
])
def test_planck_rejects_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        planck_lambda(*args)


def test_blackbody_spectrum_truth():
    spectrum, truth = make_blackbody_spectrum(seed=3)
    assert truth["ab_mag_5556"] == pytest.approx(12.508, abs=1e-3)
    f = np.interp(5556, spectrum["wavelength"].value, spectrum["flux"].value)
    assert f == pytest.approx(3.5e-14, rel=0.05)
    with pytest.raises(ValueError, match="n_points"):
        make_blackbody_spectrum(n_points=1)
    with pytest.raises(ValueError, match="noise"):
        make_blackbody_spectrum(noise=-1)


@pytest.mark.parametrize("flux", [-3.5e-14, 0.0])
def test_blackbody_spectrum_refuses_non_positive_flux(flux):
    with pytest.raises(ValueError, match="flux_5556"):
        make_blackbody_spectrum(flux_5556=flux * u.erg / u.s / u.cm**2 / u.AA)


def test_planck_accepts_celsius():
    assert planck_lambda(500 * u.nm, 5000 * u.deg_C).value == pytest.approx(
        planck_lambda(500 * u.nm, 5273.15 * u.K).value)


@pytest.mark.parametrize("prefer", ["real", "mock"])
def test_real_or_mock_accepts_partials(prefer, capsys):
    import functools

    fetch = functools.partial(lambda value: value, "real-data")
    mock = functools.partial(make_blackbody_spectrum, seed=2)
    _, _, source = real_or_mock(fetch, mock, prefer=prefer)
    assert source == prefer
    expected = "<lambda>" if prefer == "real" else "make_blackbody_spectrum"
    assert expected in capsys.readouterr().out


def test_real_or_mock_falls_back_with_a_message(capsys):
    def fetch():
        raise DataUnavailableError("Cannot download 'x': use make_y() instead.")

    data, truth, source = real_or_mock(fetch, lambda: ("mock-data", {"t": 1}))
    assert (data, truth, source) == ("mock-data", {"t": 1}, "mock")
    out = capsys.readouterr().out
    assert "Cannot download 'x'" in out and "Using the mock data set instead" in out


def test_real_or_mock_prefers_real_and_obeys_prefer(capsys):
    data, truth, source = real_or_mock(lambda: "real-data", lambda: ("m", None), verbose=False)
    assert (data, truth, source) == ("real-data", None, "real")
    _, _, source = real_or_mock(lambda: "real-data", lambda: ("m", None), prefer="mock")
    assert source == "mock"
    with pytest.raises(ValueError, match="prefer must be"):
        real_or_mock(lambda: 1, lambda: (1, 1), prefer="both")
