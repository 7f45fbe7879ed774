"""Chapter 3b: light curves of pulsating stars and the LASSO periodogram."""

import numpy as np
import pytest
from sklearn.base import clone

from astrolab.datasets import LIGHTCURVE_KINDS, make_lightcurve, make_lightcurves
from astrolab.sparse import LassoPeriodogram, alias_class, refine_frequency
from astrolab.sparse._periodogram import _design


@pytest.mark.parametrize("kind", LIGHTCURVE_KINDS)
@pytest.mark.parametrize("cadence", ["ground", "space", "stripe82"])
def test_light_curves_are_seeded_and_carry_their_truth(kind, cadence):
    a = make_lightcurve(kind, cadence=cadence, seed=3)
    b = make_lightcurve(kind, cadence=cadence, seed=3)
    assert np.array_equal(a.mag, b.mag) and np.array_equal(a.time, b.time)
    assert np.all(np.diff(a.time) > 0) and np.all(a.mag_err > 0)
    assert a.truth["kind"] == kind and np.allclose(a.truth["periods"] * a.truth["frequencies"], 1)
    assert len(a.truth["frequencies"]) == (2 if kind in ("RRd", "Blazhko") else 1)


def test_ground_cadence_has_nights_and_the_errors_vary():
    lc = make_lightcurve("RRab", cadence="ground", seed=0)
    hour_of_night = (lc.time % 1) * 24
    assert np.all((hour_of_night > 7.9) & (hour_of_night < 16.1))  # 8-h nights around local midnight
    assert np.std(np.log(lc.mag_err)) > 0.2  # heteroscedastic
    assert np.median(lc.mag_err) == pytest.approx(0.02, rel=0.15)


def test_double_mode_ratio_and_sample():
    lc = make_lightcurve("RRd", seed=1)
    f1, f0 = lc.truth["frequencies"]
    assert f0 / f1 == pytest.approx(0.745)
    sample = make_lightcurves(20, seed=0)
    assert len(sample) == 20 and len({lc.truth["kind"] for lc in sample}) >= 3


def test_light_curve_bad_arguments():
    with pytest.raises(ValueError, match="kind must be one of"):
        make_lightcurve("Mira")
    with pytest.raises(ValueError, match="cadence"):
        make_lightcurve(cadence="weekly")
    with pytest.raises(ValueError, match="n_obs"):
        make_lightcurve(n_obs=5)
    with pytest.raises(ValueError, match="noise"):
        make_lightcurve(noise=0)
    with pytest.raises(ValueError, match="fewer than n_obs"):
        make_lightcurve(cadence="ground", n_obs=2000, span=30)


def test_lasso_periodogram_recovers_two_modes_without_prewhitening():
    lc = make_lightcurve("RRd", seed=0)
    model = LassoPeriodogram(fmax=6).fit(lc.time, lc.mag, lc.mag_err)
    for true in lc.truth["frequencies"]:
        k = np.argmin(np.abs(model.frequencies_ - true))
        assert abs(model.frequencies_[k] / true - 1) < 1e-4
        assert abs(model.frequencies_[k] - true) < 5 * model.frequency_errors_[k]
    assert np.count_nonzero(model.power_) < 0.01 * model.power_.size  # sparse
    resid = (lc.mag - model.predict(lc.time)) / lc.mag_err
    assert np.mean(resid**2) < 1.5


def test_lasso_periodogram_on_pure_noise_selects_nothing():
    rng = np.random.default_rng(0)
    t = np.sort(rng.uniform(0, 100, 120))
    model = LassoPeriodogram(fmax=3).fit(t, 15 + 0.02 * rng.standard_normal(120), np.full(120, 0.02))
    assert model.frequencies_.size <= 1
    assert np.allclose(model.predict(t[:3]), 15, atol=0.02)


def test_plain_and_group_lasso_agree_on_a_clean_sinusoid():
    rng = np.random.default_rng(1)
    t = np.sort(rng.uniform(0, 60, 150))
    y = 0.2 * np.cos(2 * np.pi * 0.9 * t + 0.7) + 0.01 * rng.standard_normal(150)
    dy = np.full(150, 0.01)
    for group in (True, False):
        model = LassoPeriodogram(fmax=3, group=group).fit(t, y, dy)
        assert model.frequencies_[0] == pytest.approx(0.9, rel=1e-4)
        assert model.amplitudes_[0] == pytest.approx(0.2, rel=0.05)
    fixed = LassoPeriodogram(fmax=3, lam=0.5).fit(t, y, dy)
    assert fixed.bic_path_.shape == (2, 3) and fixed.lam_ == pytest.approx(fixed.bic_path_[1, 0])


def test_lasso_periodogram_api_and_errors():
    model = LassoPeriodogram(fmax=2.0, oversampling=3)
    assert clone(model).get_params()["oversampling"] == 3
    with pytest.raises(ValueError, match="not fitted"):
        model.predict([0.0])
    t = np.linspace(0, 10, 20)
    with pytest.raises(ValueError, match="same length"):
        model.fit(t, t[:-1])
    with pytest.raises(ValueError, match="NaN"):
        model.fit(t, np.where(t > 5, np.nan, 1.0))
    with pytest.raises(ValueError, match="dy must be positive"):
        model.fit(t, t, np.zeros(20))
    with pytest.raises(ValueError, match="fmin < fmax"):
        LassoPeriodogram(fmin=3, fmax=2).fit(t, t)
    with pytest.raises(ValueError, match="lam must be"):
        LassoPeriodogram(lam=-1.0).fit(t, t)
    with pytest.raises(ValueError, match="at least 10"):
        model.fit(t[:5], t[:5])


@pytest.mark.parametrize("n_obs", [10, 14, 28, 36])
def test_lasso_periodogram_short_light_curves_never_crash(n_obs):
    # real stars with 28-36 epochs crashed at the refit (1 + 3 k > N): the components are capped by the data
    rng = np.random.default_rng(n_obs)
    t = np.sort(rng.uniform(0, 3000, n_obs))
    y = 0.4 * np.sin(2 * np.pi * 1.6 * t) + 0.2 * np.sin(4 * np.pi * 1.6 * t) + 0.05 * rng.standard_normal(n_obs)
    model = LassoPeriodogram(fmin=0.5, fmax=5, oversampling=2, lam_min_ratio=1e-4, n_lambdas=20).fit(
        t, y, np.full(n_obs, 0.01))   # errors underestimated five times: the path wants every component
    assert 1 + 3 * model.max_components_ <= n_obs / 2
    assert model.frequencies_.size <= model.max_components_
    assert np.all(model.bic_path_[:, 1] <= model.max_components_)


def test_lasso_periodogram_rejects_tiny_and_degenerate_inputs():
    t = np.linspace(0, 10, 12)
    with pytest.raises(ValueError, match="at least 10"):
        LassoPeriodogram().fit([], [])
    with pytest.raises(ValueError, match="non-zero time"):
        LassoPeriodogram().fit(np.zeros(12), t)
    with pytest.raises(ValueError, match="cannot constrain"):
        LassoPeriodogram().fit(t, t, bands=np.arange(12) % 3)
    with pytest.raises(ValueError, match="bands must have one label"):
        LassoPeriodogram().fit(t, t, bands=["r"])
    with pytest.raises(ValueError, match="max_components"):
        LassoPeriodogram(max_components=0).fit(t, t)
    with pytest.raises(ValueError, match="max_amplitude"):
        LassoPeriodogram(max_amplitude=-1).fit(t, t)
    with pytest.raises(ValueError, match="error_scale"):
        LassoPeriodogram(error_scale="chi2").fit(t, t)
    with pytest.raises(ValueError, match="alias_periods"):
        LassoPeriodogram(alias_periods=(0.0,)).fit(t, t)


def _nightly(n_obs, span, seed):
    """Ground-based times: one site, 6-h nights (the 1-day window)."""
    rng = np.random.default_rng(seed)
    return np.sort(rng.integers(0, span, n_obs) + rng.uniform(0.3, 0.55, n_obs))


def test_multiband_shares_the_frequency_and_fits_each_band():
    t = _nightly(150, 300, 0)
    band = np.array(["g", "r", "i"])[np.arange(150) % 3]
    amp = {"g": 0.5, "r": 0.35, "i": 0.25}
    rng = np.random.default_rng(1)
    y = np.array([amp[b] for b in band]) * np.sin(2 * np.pi * 1.83 * t) + (band == "g") * 0.4
    y = y + 0.01 * rng.standard_normal(150)
    model = LassoPeriodogram(fmin=0.2, fmax=4, alias_periods=(1.0,)).fit(t, y, np.full(150, 0.01), bands=band)
    assert model.frequencies_[0] == pytest.approx(1.83, rel=1e-4)
    assert list(model.bands_) == ["g", "i", "r"] and model.amplitudes_.shape[0] == 3
    assert model.amplitudes_[:, 0] == pytest.approx([0.5, 0.25, 0.35], rel=0.1)
    assert np.std(y - model.predict(t, bands=band)) < 0.02
    with pytest.raises(ValueError, match="pass bands"):
        model.predict(t)
    with pytest.raises(ValueError, match="fitted bands"):
        model.predict(t[:2], bands=["g", "z"])


def test_alias_periods_pick_the_true_peak_by_chi2():
    t = _nightly(60, 400, 2)
    f0 = 1.62
    phase = (f0 * t) % 1
    y = 0.4 * (phase - 0.5) + 0.02 * np.random.default_rng(3).standard_normal(60)   # a sawtooth (RRab-like)
    dy = np.full(60, 0.005)                                                             # errors underestimated
    model = LassoPeriodogram(fmin=0.2, fmax=5, error_scale="scatter", alias_periods=(1.0, 365.25),
                             max_screened="auto", nested=True).fit(t, y, dy)
    assert model.error_scale_ > 2
    assert model.frequencies_[0] == pytest.approx(f0, rel=1e-3)
    shifts = np.array([a[0] for a in model.aliases_])
    chi2 = np.array([a[2] for a in model.aliases_])
    assert shifts[0] == 0 and np.any(np.isclose(shifts, 1.0)) and np.any(np.isclose(shifts, -1 + 1 / 365.25))
    assert np.isclose(model.aliases_[int(np.argmin(chi2))][1], f0, rtol=1e-3)


def test_working_set_reaches_the_same_answer():
    rng = np.random.default_rng(4)
    t = np.sort(rng.uniform(0, 80, 100))
    y = 0.3 * np.sin(2 * np.pi * 1.1 * t) + 0.1 * np.cos(2 * np.pi * 2.7 * t) + 0.01 * rng.standard_normal(100)
    dy = np.full(100, 0.01)
    plain = LassoPeriodogram(fmax=4).fit(t, y, dy)
    small = LassoPeriodogram(fmax=4, max_screened=10).fit(t, y, dy)
    assert small.frequencies_[:2] == pytest.approx(plain.frequencies_[:2], rel=1e-6)
    with pytest.raises(ValueError, match="max_screened"):
        LassoPeriodogram(max_screened=0).fit(t, y, dy)


def test_stripe82_cadence_and_bands():
    lc = make_lightcurve("RRab", cadence="stripe82", bands="ugriz", seed=4)
    assert lc.time.size == 5 * 56 and list(lc.band[:5]) == list("riuzg")       # the drift scan's filter order
    epochs = lc.time[lc.band == "r"]
    assert 2900 < np.ptp(epochs) <= 3300
    assert np.mean(epochs > 3300 - 3 * 365.25) > 0.7                          # the SN survey's dense seasons
    assert np.all((epochs % 365.25) < 90.5)                                # autumn only
    amp = {b: np.ptp(lc.mag[lc.band == b]) for b in "gri"}
    assert amp["g"] > amp["r"] > amp["i"]                                    # amplitudes fall with wavelength
    err = {b: np.median(lc.mag_err[lc.band == b]) for b in "urz"}
    assert err["u"] > err["z"] > err["r"]
    single = make_lightcurve("RRab", cadence="stripe82", seed=4)
    assert "band" not in single and single.time.size == 56
    with pytest.raises(ValueError, match="bands must be None or a string"):
        make_lightcurve("RRab", bands="ugrizy")
    with pytest.raises(ValueError, match="bands must be None or a string"):
        make_lightcurve("RRab", bands="rr")
    with pytest.raises(ValueError, match="Stripe 82 nights"):
        make_lightcurve("RRab", cadence="stripe82", span=30)


def test_design_in_chunks_is_the_exact_sines_and_cosines():
    t = np.sort(np.random.default_rng(1).uniform(0, 3000, 40))
    f = 0.05 + 6e-5 * np.arange(700)
    X = _design(t, 0.05, 6e-5, 700, block=8, chunk=3)                       # many chunks, a partial last block
    arg = 2 * np.pi * np.outer(t, f)
    np.testing.assert_allclose(X, np.concatenate([np.sin(arg), np.cos(arg)], axis=1), atol=1e-9)


def test_refine_frequency_single_and_multiband():
    rng = np.random.default_rng(2)
    t = np.sort(rng.uniform(0, 400, 150))
    y = 0.3 * np.sin(2 * np.pi * 1.7312 * t + 1) + 0.01 * rng.standard_normal(150)
    assert refine_frequency(t, y, np.full(150, 0.01), 1.7315) == pytest.approx(1.7312, abs=2e-5)
    band = np.where(np.arange(150) % 2, "g", "r")
    y2 = np.where(band == "g", 1.4, 1.0) * y + (band == "g")
    assert refine_frequency(t, y2, np.full(150, 0.01), 1.7315, bands=band) == pytest.approx(1.7312, abs=2e-5)
    assert refine_frequency(t, y, np.full(150, 0.01), 1.7315, max_shift=1e-6) == 1.7315   # moved too far: refused
    with pytest.raises(ValueError, match="frequency must be a positive number"):
        refine_frequency(t, y, np.full(150, 0.01), -1.0)
    with pytest.raises(ValueError, match="dy positive"):
        refine_frequency(t, y, np.zeros(150), 1.7)
    with pytest.raises(ValueError, match="one length"):
        refine_frequency(t, y[:-1], np.full(150, 0.01), 1.7)
    with pytest.raises(ValueError, match="bands must have one label"):
        refine_frequency(t, y, np.full(150, 0.01), 1.7, bands=band[:-1])


def test_alias_class_names_the_failures():
    f0 = 1 / 0.5668
    assert alias_class(f0 * 1.005, f0) == "recovered"
    assert alias_class(f0 + 1, f0) == alias_class(f0 - 1, f0) == alias_class(f0 + 2, f0) == "daily"
    assert alias_class(f0 * 1.02, f0) == "other"
    assert alias_class(2 * f0, f0) == alias_class(f0 / 2, f0) == "harmonic"
    assert alias_class(f0 + 1 / 365.25, f0) == "recovered"       # within 1 % of an RR Lyrae's frequency
    f_slow = 0.2   # a slow star (a Cepheid): its yearly alias is 1.4 % away
    assert alias_class(f_slow + 1 / 365.25, f_slow) == "yearly"
    assert alias_class(f_slow + 3 / 365.25, f_slow) == "other"
    with pytest.raises(ValueError, match="true_frequency must be a positive number"):
        alias_class(1.0, 0.0)
    with pytest.raises(ValueError, match="tolerance must be a fraction"):
        alias_class(1.0, 1.0, tolerance=2)
