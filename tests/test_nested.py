"""Chapter 4: nested sampling against analytic evidences and posteriors."""

import numpy as np
import pytest
from scipy import stats

from astrolab.bayes._nested import NestedSampler

BOX = 10.0  # uniform prior on [-BOX, BOX]^ndim


def box(u):
    return 2 * BOX * u - BOX


def gaussian(mu, sigma):
    mu = np.asarray(mu, dtype=float)

    def log_l(theta):
        return -0.5 * np.sum(((theta - mu) / sigma) ** 2) - mu.size * np.log(sigma * np.sqrt(2 * np.pi))

    return log_l


# Gaussian shells (Feroz & Hobson 2008): two rings of radius 2 and width 0.1 at (+-3.5, 0), prior [-6, 6]^2
R, W, C = 2.0, 0.1, 3.5


def shells(theta):
    r1 = np.hypot(theta[0] - C, theta[1])
    r2 = np.hypot(theta[0] + C, theta[1])
    return np.logaddexp(-0.5 * ((r1 - R) / W) ** 2, -0.5 * ((r2 - R) / W) ** 2) - np.log(np.sqrt(2 * np.pi) * W)


SHELLS_LOGZ = np.log(2 * 2 * np.pi * R / 12**2)  # each ring integrates to 2 pi R (R / W = 20): ln Z = -1.746


@pytest.mark.parametrize("ndim", [2, 5])
def test_gaussian_evidence_is_analytic(ndim):
    ns = NestedSampler(gaussian(np.zeros(ndim), 1.0), box, ndim, n_live=200, seed=0).run()
    truth = -ndim * np.log(2 * BOX)  # the Gaussian is normalised and lies well inside the box
    assert abs(ns.logz_ - truth) < 3 * ns.logz_err_, (ns.logz_, ns.logz_err_, truth)
    # H = ln(prior volume / posterior volume) ~ ndim ln(20 / sqrt(2 pi e)) for a unit Gaussian
    assert ns.information_ == pytest.approx(ndim * np.log(2 * BOX / np.sqrt(2 * np.pi * np.e)), rel=0.1)
    assert ns.logz_err_ == pytest.approx(np.sqrt(ns.information_ / 200))
    assert ns.converged_ and ns.n_calls_ > ns.n_iter_ >= 200
    assert np.sum(ns.weights_) == pytest.approx(1) and np.allclose(np.exp(ns.log_weights_), ns.weights_)
    assert np.all(np.diff(ns.log_volume_) < 0) and np.all(np.diff(ns.log_likelihood_) >= 0)


def test_gaussian_shells_two_modes_and_the_evidence():
    ns = NestedSampler(shells, lambda u: 12 * u - 6, 2, n_live=200, seed=0).run()
    assert abs(ns.logz_ - SHELLS_LOGZ) < 3 * ns.logz_err_, (ns.logz_, ns.logz_err_, SHELLS_LOGZ)
    post = ns.resample(4000, seed=1)
    left = np.mean(post[:, 0] < 0)
    assert 0.4 < left < 0.6, left  # both rings, equal mass
    radius = np.minimum(np.hypot(post[:, 0] - C, post[:, 1]), np.hypot(post[:, 0] + C, post[:, 1]))
    assert np.mean(radius) == pytest.approx(R, abs=0.02) and np.std(radius) == pytest.approx(W, rel=0.15)
    assert ns.n_ellipsoids_.max() > 2  # the rings are cut into arcs


def test_posterior_mean_width_and_ks():
    mu, sigma = np.array([1.0, -2.0]), 0.5
    ns = NestedSampler(gaussian(mu, sigma), box, 2, n_live=300, seed=3).run()
    # weighted moments of the raw samples
    mean = ns.weights_ @ ns.samples_
    std = np.sqrt(ns.weights_ @ (ns.samples_ - mean) ** 2)
    assert np.allclose(mean, mu, atol=0.05) and np.allclose(std, sigma, rtol=0.1)
    post = ns.resample(2000, seed=0)
    assert stats.kstest(post[:, 0], stats.norm(mu[0], sigma).cdf).pvalue > 0.01
    assert stats.kstest(post[:, 1], stats.norm(mu[1], sigma).cdf).pvalue > 0.01


def test_same_seed_same_run_and_resample_is_seeded():
    log_l = gaussian([0.0, 0.0], 1.0)
    a = NestedSampler(log_l, box, 2, n_live=50, seed=7).run()
    b = NestedSampler(log_l, box, 2, n_live=50, seed=7).run()
    c = NestedSampler(log_l, box, 2, n_live=50, seed=8).run()
    assert a.logz_ == b.logz_ and a.n_calls_ == b.n_calls_ and np.array_equal(a.samples_, b.samples_)
    assert a.logz_ != c.logz_
    assert np.array_equal(a.resample(100, seed=1), a.resample(100, seed=1))


def test_max_iter_stops_early_and_keeps_the_live_points():
    ns = NestedSampler(gaussian([0.0, 0.0], 1.0), box, 2, n_live=50, seed=0).run(max_iter=100)
    assert ns.n_iter_ == 100 and not ns.converged_
    assert ns.samples_.shape == (150, 2) and ns.live_points_.shape == (50, 2)
    assert ns.log_likelihood_[99] <= ns.live_log_likelihood_.min()


def test_progress_bar_runs():
    ns = NestedSampler(gaussian([0.0], 1.0), box, 1, n_live=20, seed=0).run(progress=True)
    assert np.isfinite(ns.logz_)


def test_bad_inputs_raise():
    log_l = gaussian([0.0, 0.0], 1.0)
    with pytest.raises(ValueError, match="log_likelihood must be callable"):
        NestedSampler(3, box, 2)
    with pytest.raises(ValueError, match="prior_transform must be callable"):
        NestedSampler(log_l, None, 2)
    with pytest.raises(ValueError, match="ndim"):
        NestedSampler(log_l, box, 0)
    with pytest.raises(ValueError, match="n_live"):
        NestedSampler(log_l, box, 2, n_live=3)
    with pytest.raises(ValueError, match="enlarge"):
        NestedSampler(log_l, box, 2, enlarge=0.5)
    with pytest.raises(ValueError, match="update_interval"):
        NestedSampler(log_l, box, 2, update_interval=0)
    ns = NestedSampler(log_l, box, 2, n_live=20)
    with pytest.raises(ValueError, match="dlogz"):
        ns.run(dlogz=0)
    with pytest.raises(ValueError, match="max_iter"):
        ns.run(max_iter=-1)
    with pytest.raises(ValueError, match="resample needs a finished run"):
        ns.resample(10)
    with pytest.raises(ValueError, match="prior_transform must return"):
        NestedSampler(log_l, lambda u: np.zeros(3), 2, n_live=20).run()
    with pytest.raises(ValueError, match="log_likelihood returned nan"):
        NestedSampler(lambda t: np.nan, box, 2, n_live=20).run()
    ns.run(max_iter=10)
    with pytest.raises(ValueError, match="n must be a positive integer"):
        ns.resample(0)
