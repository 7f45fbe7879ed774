"""Chapter 2: mock spectra, PCA, the self-organizing map and their widgets."""

import astropy.units as u
import numpy as np
import pytest
from sklearn.decomposition import PCA as SklearnPCA
from sklearn.utils.estimator_checks import parametrize_with_checks

from astrolab.datasets import make_galaxy_spectra, make_stellar_spectra
from astrolab.reduction import PCA, SelfOrganizingMap, reconstruction_error


@parametrize_with_checks([PCA(), SelfOrganizingMap(n_rows=3, n_cols=3, n_epochs=3),
                          SelfOrganizingMap(n_rows=2, n_cols=3, n_epochs=2, algorithm="online", init="random")])
def test_scikit_learn_estimator_contract(estimator, check):
    check(estimator)


# ---------------------------------------------------------------- spectra


@pytest.fixture(scope="module")
def stars():
    return make_stellar_spectra(600, snr=100, seed=4)


def _depth(spectra, centre, half_width=0.8):
    w = spectra.wavelength.to_value(u.nm)
    line = np.abs(w - centre) < half_width
    side = (np.abs(w - centre) > 3) & (np.abs(w - centre) < 6)
    return 1 - spectra.noiseless[:, line].min(axis=1) / np.median(spectra.noiseless[:, side], axis=1)


def test_stellar_spectra_are_deterministic_with_known_noise(stars):
    again = make_stellar_spectra(600, snr=100, seed=4)
    assert np.array_equal(stars.flux, again.flux) and stars.wavelength.unit == u.nm
    assert stars.flux.shape == (600, 1000) and np.allclose(np.median(stars.noiseless, axis=1), 1)
    assert abs(np.std(stars.flux - stars.noiseless) - 0.01) < 3e-4
    assert np.all(stars.flux_err == 0.01)
    t = stars.truth
    assert t["teff"].unit == u.K and 3500 <= t["teff"].value.min() and t["teff"].value.max() <= 10000
    assert np.all(t["logg"][t["is_giant"]] < 3.6) and np.all(t["teff"][t["is_giant"]].value < 5500)
    assert -2.5 <= np.min(t["feh"]) and np.max(t["feh"]) <= 0.5
    noiseless = make_stellar_spectra(3, snr=None, seed=1)
    assert np.array_equal(noiseless.flux, noiseless.noiseless)


def test_stellar_lines_follow_spectral_classification(stars):
    teff = stars.truth["teff"].value
    feh = np.asarray(stars.truth["feh"])
    hbeta = _depth(stars, 486.13)
    hot, warm, cool = teff > 8500, (teff > 5500) & (teff < 6500), teff < 4500
    assert hbeta[hot].mean() > hbeta[warm].mean() > hbeta[cool].mean()  # Balmer lines peak in A stars
    mgb = _depth(stars, 518.36)
    assert mgb[cool].mean() > mgb[hot].mean()  # metal lines grow towards cool stars
    # at fixed temperature, metal-rich stars have deeper metal lines
    metal_rich, metal_poor = warm & (feh > 0.0), warm & (feh < -0.5)
    assert _depth(stars, 526.95)[metal_rich].mean() > _depth(stars, 526.95)[metal_poor].mean()


def test_galaxy_spectra_have_redshifted_emission_and_a_4000_break():
    gal = make_galaxy_spectra(300, snr=None, seed=5)
    w = gal.wavelength.to_value(u.nm)
    z = np.asarray(gal.truth["z"])
    young = np.asarray(gal.truth["young_fraction"])
    star_forming = np.argmax(young)
    halpha = 656.28 * (1 + z[star_forming])
    peak = np.abs(w - halpha) < 1.0
    local = (np.abs(w - halpha) > 8) & (np.abs(w - halpha) < 15)
    assert gal.noiseless[star_forming, peak].max() > 1.5 * np.median(gal.noiseless[star_forming, local])
    # D4000: flux ratio red/blue of the break is larger for old galaxies (low z so the break is on the grid)
    low_z = z < 0.1
    rest = w[None, :] / (1 + z[:, None])
    blue = (rest > 385) & (rest < 395)
    red = (rest > 405) & (rest < 415)
    d4000 = np.array([gal.noiseless[i, red[i]].mean() / gal.noiseless[i, blue[i]].mean() for i in range(300)])
    old, new = low_z & (young < 0.2), low_z & (young > 0.8)
    assert d4000[old].mean() > d4000[new].mean() + 0.3
    assert gal.truth["emission"].unit == u.nm and gal.truth["sigma_v"].unit == u.km / u.s


@pytest.mark.parametrize("call, match", [
    (lambda: make_stellar_spectra(0), "n_spectra must be a positive integer"),
    (lambda: make_stellar_spectra(5, resolution=0), "resolution must be a positive"),
    (lambda: make_stellar_spectra(5, snr=-1), "snr must be positive or None"),
    (lambda: make_stellar_spectra(5, wavelength=[1, 2, 3] * u.nm), "increasing 1-D grid"),
    (lambda: make_stellar_spectra(5, wavelength=np.linspace(400, 500, 20)), "wavelength must be an astropy Quantity"),
    (lambda: make_galaxy_spectra(5, z_max=10), "z_max must be between 0 and 3"),
])
def test_spectra_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ---------------------------------------------------------------- PCA


def test_pca_agrees_with_scikit_learn(stars):
    ours = PCA(n_components=8).fit(stars.flux)
    theirs = SklearnPCA(n_components=8, svd_solver="full").fit(stars.flux)
    signs = np.sign(np.sum(ours.components_ * theirs.components_, axis=1))
    assert np.allclose(ours.components_, theirs.components_ * signs[:, None], atol=1e-8)
    assert np.allclose(ours.explained_variance_, theirs.explained_variance_)
    assert np.allclose(ours.explained_variance_ratio_, theirs.explained_variance_ratio_)
    assert np.allclose(np.abs(ours.transform(stars.flux)), np.abs(theirs.transform(stars.flux)), atol=1e-8)


def test_pca_reconstruction_of_noiseless_spectra(stars):
    pca = PCA(n_components=20).fit(stars.noiseless)
    errors = reconstruction_error(pca, stars.noiseless, [1, 5, 10, 20]).mean(axis=1)
    assert np.all(np.diff(errors) < 0) and errors[2] < 0.005 and errors[3] < 0.001
    full = PCA().fit(stars.noiseless[:50, :40])
    assert np.allclose(full.inverse_transform(full.transform(stars.noiseless[:50, :40])), stars.noiseless[:50, :40])
    with pytest.raises(ValueError, match="n_components must be between 0 and 20"):
        reconstruction_error(pca, stars.noiseless, 21)
    with pytest.raises(ValueError, match="n_components must be an integer between 1"):
        PCA(n_components=0).fit(stars.flux)


# ---------------------------------------------------------------- SOM


def test_som_orders_a_line_and_learns():
    x = np.linspace(0, 1, 200)[:, None] + np.random.default_rng(0).normal(0, 0.005, (200, 1))
    for algorithm in ("batch", "online"):
        som = SelfOrganizingMap(n_rows=1, n_cols=10, n_epochs=15, algorithm=algorithm, init="random",
                                random_state=1).fit(x)
        w = som.weights_[0, :, 0]
        assert np.all(np.diff(w) > 0) or np.all(np.diff(w) < 0), w  # a 1-D map of a line is monotonic
        assert som.quantization_errors_[-1] < 0.5 * som.quantization_errors_[0]
        assert som.quantization_error(x) < 0.05


def test_som_batch_epoch_is_the_weighted_mean_of_the_samples():
    # one batch epoch by the textbook formula w_j = sum_i h_{bmu(i) j} x_i / sum_i h_{bmu(i) j}
    X = np.random.default_rng(2).normal(size=(300, 4))
    sigma_end = 0.8
    som = SelfOrganizingMap(n_rows=4, n_cols=5, n_epochs=2, sigma=(2.0, sigma_end), keep_history=True,
                            random_state=0).fit(X)
    before, after = (w.reshape(-1, 4) for w in som.weights_history_)
    bmu = np.argmin(((X[:, None, :] - before[None, :, :]) ** 2).sum(axis=-1), axis=1)
    rows, cols = np.divmod(np.arange(20), 5)
    grid_d2 = (rows[:, None] - rows[None, :]) ** 2 + (cols[:, None] - cols[None, :]) ** 2
    h = np.exp(-grid_d2[bmu] / (2 * sigma_end**2))  # (n_samples, n_nodes)
    np.testing.assert_allclose(after, h.T @ X / h.sum(axis=0)[:, None], rtol=1e-10)
    np.testing.assert_allclose(som.quantization_errors_[-1], som.quantization_error(X), rtol=1e-12)


def test_som_pca_start_uses_the_leading_principal_directions():
    from astrolab.reduction._som import _leading_directions

    X = np.random.default_rng(3).normal(size=(300, 40)) @ np.diag(np.linspace(5.0, 0.1, 40))
    for n_features in (40, 5):  # large data: ARPACK finds only two directions; small: a full SVD
        Xk = X[:, :n_features]
        s, vt = _leading_directions(Xk - Xk.mean(axis=0), k=2)
        pca = PCA(n_components=2).fit(Xk)
        np.testing.assert_allclose(vt, pca.components_, atol=1e-10)
        np.testing.assert_allclose(s**2 / (len(Xk) - 1), pca.explained_variance_, rtol=1e-10)


def test_som_maps_stars_by_temperature(stars):
    from scipy import stats

    som = SelfOrganizingMap(n_rows=8, n_cols=8, n_epochs=15, keep_history=True, random_state=0).fit(stars.flux)
    assert np.all(np.diff(som.quantization_errors_) <= 1e-9) and len(som.weights_history_) == 15
    pos = som.transform(stars.flux)
    teff = stars.truth["teff"].value
    rho = max(abs(stats.spearmanr(teff, pos[:, 0] * np.cos(a) + pos[:, 1] * np.sin(a))[0])
              for a in np.linspace(0, np.pi, 61))
    assert rho > 0.8
    assert som.umatrix().shape == (8, 8) and 0 <= som.topographic_error(stars.flux) <= 1
    assert np.array_equal(som.predict(stars.flux), (pos[:, 0] * 8 + pos[:, 1]).astype(int))
    again = SelfOrganizingMap(n_rows=8, n_cols=8, n_epochs=15, random_state=0).fit(stars.flux)
    assert np.array_equal(again.weights_, som.weights_)


@pytest.mark.parametrize("params, match", [
    ({"n_rows": 0}, "n_rows must be a positive integer"),
    ({"algorithm": "fast"}, "algorithm must be 'batch' or 'online'"),
    ({"learning_rate": (0.5, 2.0)}, "learning_rate must be a pair"),
    ({"sigma": (None, 0)}, "sigma must be a pair"),
    ({"init": "zeros"}, "init must be 'pca' or 'random'"),
])
def test_som_rejects_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        SelfOrganizingMap(**params).fit(np.random.default_rng(0).normal(size=(20, 3)))


# ---------------------------------------------------------------- widgets


def test_pca_reconstruction_widget(stars):
    from astrolab.widgets import pca_reconstruction

    pca = PCA(n_components=15).fit(stars.flux)
    demo = pca_reconstruction(pca, stars.flux, stars.wavelength, noiseless=stars.noiseless, n_components=1)
    rms1, renders = demo.rms, demo.canvas.n_renders
    demo.k.value = 12
    assert demo.rms < rms1 and demo.canvas.n_renders == renders + 1
    demo.index.value = 5
    assert "spectrum 5" in demo.readout.value
    with pytest.raises(ValueError, match="wavelength must be a Quantity"):
        pca_reconstruction(pca, stars.flux, stars.wavelength.value)


def test_som_training_widget(stars):
    from astrolab.widgets import som_training

    som = SelfOrganizingMap(n_rows=5, n_cols=5, n_epochs=6, keep_history=True, random_state=0).fit(stars.flux)
    demo = som_training(som, stars.flux, stars.truth["teff"].value, label="Teff [K]")
    last = demo.node_values.copy()
    demo.epoch.value = 1
    assert not np.allclose(np.nan_to_num(last), np.nan_to_num(demo.node_values))
    assert "epoch <b>1</b>" in demo.readout.value
    with pytest.raises(ValueError, match="keep_history=True"):
        som_training(SelfOrganizingMap(n_rows=2, n_cols=2, n_epochs=1).fit(stars.flux), stars.flux, stars.flux[:, 0])
