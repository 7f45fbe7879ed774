"""Chapter 4: ABC (rejection and SMC), emulators, Latin hypercubes, MOPED and their toy models."""

import numpy as np
import pytest
from scipy import stats
from sklearn.utils.estimator_checks import parametrize_with_checks

from astrolab.bayes._abc import abc_rejection, abc_smc
from astrolab.bayes._emulator import Emulator, fisher_matrix, latin_hypercube, moped_vectors
from astrolab.datasets._bayes_toys import (
    make_cluster_data,
    make_power_spectrum_data,
    power_spectrum_model,
    simulate_cluster,
)

# conjugate case: x_i ~ N(mu, SIGMA), prior mu ~ N(0, PRIOR_SD); the sample mean is sufficient
SIGMA, PRIOR_SD, N_DATA, XBAR = 1.0, 2.0, 20, 0.7
POST_VAR = 1 / (1 / PRIOR_SD**2 + N_DATA / SIGMA**2)
POST_MEAN, POST_SD = POST_VAR * N_DATA * XBAR / SIGMA**2, np.sqrt(POST_VAR)


def gaussian_mean_simulator(theta, rng):  # vectorized: theta (n, 1) -> sample means (n, 1)
    return theta + SIGMA / np.sqrt(N_DATA) * rng.standard_normal(theta.shape)


def weighted_mean_sd(x, w=None):
    mean = np.average(x, weights=w)
    return mean, np.sqrt(np.average((x - mean) ** 2, weights=w))


def test_rejection_abc_matches_the_conjugate_posterior():
    res = abc_rejection(gaussian_mean_simulator, [stats.norm(0, PRIOR_SD)], [XBAR], n_samples=2000,
                        quantile=0.01, vectorized=True, seed=1)
    mean, sd = weighted_mean_sd(res.samples[:, 0])
    assert res.samples.shape == (2000, 1) and res.n_simulations == 200_000
    assert abs(mean - POST_MEAN) < 0.1 * POST_SD and abs(sd / POST_SD - 1) < 0.1, (mean, sd)
    assert np.all(res.distances <= res.epsilon)


def test_smc_matches_the_posterior_with_fewer_simulations_than_rejection():
    prior = [stats.norm(0, PRIOR_SD)]
    smc = abc_smc(gaussian_mean_simulator, prior, [XBAR], n_samples=1000, epsilon_target=0.02,
                  n_generations=20, vectorized=True, seed=2)
    assert smc.epsilon == 0.02 and np.all(np.diff(smc.epsilons) < 0)
    assert np.isclose(smc.weights.sum(), 1) and smc.ess > 300
    mean, sd = weighted_mean_sd(smc.samples[:, 0], smc.weights)
    assert abs(mean - POST_MEAN) < 0.1 * POST_SD and abs(sd / POST_SD - 1) < 0.1, (mean, sd)
    rej = abc_rejection(gaussian_mean_simulator, prior, [XBAR], n_samples=1000, epsilon=smc.epsilon,
                        vectorized=True, seed=3)
    assert smc.n_simulations < 0.75 * rej.n_simulations, (smc.n_simulations, rej.n_simulations)
    assert smc.n_simulations == smc.simulations_per_generation.sum()


def test_smc_stops_when_the_acceptance_rate_falls_below_the_floor():
    prior = [stats.norm(0, PRIOR_SD)]
    res = abc_smc(gaussian_mean_simulator, prior, [XBAR], n_samples=500, min_acceptance_rate=0.05,
                  n_generations=40, vectorized=True, seed=4)
    rates = res.acceptance_rates
    assert res.stopped_by == "min_acceptance_rate" and len(rates) == len(res.epsilons) < 41
    # the last generation is the first below the floor, and it is kept
    assert rates[0] == 1 and rates[-1] < 0.05 and np.all(rates[:-1] >= 0.05), rates
    assert np.allclose(rates[1:], 500 / res.simulations_per_generation[1:], rtol=0.5)  # accepted / simulated
    # with a 1-D summary, the acceptance rate ~ 2 eps p(xbar): at 5 % eps is below the summary's noise
    # (0.22), so the posterior is the analytic one within the uniform kernel's sqrt(1 + eps^2 / (3 sd^2))
    assert res.epsilon < SIGMA / np.sqrt(N_DATA), res.epsilon
    mean, sd = weighted_mean_sd(res.samples[:, 0], res.weights)
    assert abs(mean - POST_MEAN) < 0.15 * POST_SD and abs(sd / POST_SD - 1) < 0.15, (mean, sd)
    # a floor that is never reached: the generation cap stops it; epsilon_target wins when it comes first
    capped = abc_smc(gaussian_mean_simulator, prior, [XBAR], n_samples=200, min_acceptance_rate=1e-4,
                     n_generations=3, vectorized=True, seed=4)
    assert capped.stopped_by == "n_generations" and len(capped.epsilons) == 4
    target = abc_smc(gaussian_mean_simulator, prior, [XBAR], n_samples=200, min_acceptance_rate=1e-4,
                     epsilon_target=0.5, n_generations=30, vectorized=True, seed=4)
    assert target.stopped_by == "epsilon_target" and target.epsilon == 0.5
    with pytest.raises(ValueError, match="min_acceptance_rate"):
        abc_smc(gaussian_mean_simulator, prior, [XBAR], min_acceptance_rate=1.5, vectorized=True)


def test_smc_importance_weights_use_the_kernel_mixture():
    """The weight of a new particle is prior / sum_j w_j K(theta | theta_j), K Gaussian with the given cov."""
    from astrolab.bayes._abc import _log_kernel_mixture

    rng = np.random.default_rng(5)
    new, old = rng.normal(size=(7, 2)), rng.normal(size=(5, 2))
    w = rng.uniform(size=5)
    w /= w.sum()
    cov = np.array([[0.5, 0.2], [0.2, 0.3]])
    direct = np.log([np.sum(w * stats.multivariate_normal(mean=None, cov=cov).pdf(x - old)) for x in new])
    assert np.allclose(_log_kernel_mixture(new, old, np.log(w), cov), direct, rtol=1e-12, atol=1e-12)


def test_smc_with_a_non_vectorized_simulator_and_two_parameters():
    obs = make_cluster_data(seed=0)
    prior = [stats.uniform(3.5, 2.0), stats.uniform(1.0, 5.0)]
    scale = np.array([0.3, 0.3])

    def dist(sim, o):
        return np.sqrt(np.sum(((sim - o) / scale) ** 2, axis=1))

    res = abc_smc(lambda th, rng: simulate_cluster(th, 200, rng), prior, obs.summaries, dist, n_samples=200,
                  n_generations=4, seed=0)
    assert res.samples.shape == (200, 2) and len(res.epsilons) == 5
    for j, name in enumerate(obs.param_names):
        mean, sd = weighted_mean_sd(res.samples[:, j], res.weights)
        assert abs(mean - obs.truth[name]) < 3 * sd, (name, mean, sd)


def test_abc_bad_inputs():
    prior = [stats.norm(0, 1)]
    with pytest.raises(ValueError, match="exactly one of quantile and epsilon"):
        abc_rejection(gaussian_mean_simulator, prior, [0.0], n_samples=10, vectorized=True)
    with pytest.raises(ValueError, match="quantile"):
        abc_rejection(gaussian_mean_simulator, prior, [0.0], n_samples=10, quantile=2, vectorized=True)
    with pytest.raises(ValueError, match="epsilon"):
        abc_rejection(gaussian_mean_simulator, prior, [0.0], n_samples=10, epsilon=-1, vectorized=True)
    with pytest.raises(ValueError, match="max_simulations"):
        abc_rejection(gaussian_mean_simulator, prior, [0.0], n_samples=10, epsilon=1e-9, max_simulations=100,
                      batch_size=50, vectorized=True)
    with pytest.raises(ValueError, match="prior"):
        abc_smc(gaussian_mean_simulator, "normal", [0.0], vectorized=True)
    with pytest.raises(ValueError, match="simulator"):
        abc_smc(None, prior, [0.0])
    with pytest.raises(ValueError, match="observed_summary"):
        abc_smc(gaussian_mean_simulator, prior, [np.nan])
    with pytest.raises(ValueError, match="n_samples"):
        abc_smc(gaussian_mean_simulator, prior, [0.0], n_samples=1)
    with pytest.raises(ValueError, match="summaries"):
        abc_rejection(gaussian_mean_simulator, prior, [0.0, 1.0], n_samples=10, quantile=0.5, vectorized=True)


def test_latin_hypercube_fills_each_stratum_once():
    n, bounds = 40, np.array([[1.0, 3.0], [0.1, 0.4], [-5, 5]])
    x = latin_hypercube(n, bounds, seed=0)
    strata = np.floor((x - bounds[:, 0]) / (bounds[:, 1] - bounds[:, 0]) * n).astype(int)
    for j in range(3):
        assert sorted(strata[:, j]) == list(range(n))
    assert np.array_equal(x, latin_hypercube(n, bounds, seed=0))
    with pytest.raises(ValueError, match="bounds"):
        latin_hypercube(5, [[1, 0]])
    with pytest.raises(ValueError, match="n must"):
        latin_hypercube(1, [[0, 1]])


@pytest.mark.parametrize("kind, tol", [("gp", 2e-3), ("poly", 2e-2)])
def test_emulator_interpolates_a_smooth_function(kind, tol):
    def f(x):
        return np.exp(-x[:, 0]) * np.cos(2 * x[:, 1]) + x[:, 0] * x[:, 1]

    bounds = [[0, 1], [0, 1]]
    train, test = latin_hypercube(60, bounds, seed=1), latin_hypercube(200, [[0.05, 0.95]] * 2, seed=2)
    emu = Emulator(kind=kind, degree=4, random_state=0).fit(train, f(train))
    mean, std = emu.predict(test, return_std=True)
    err = np.abs(mean - f(test))
    assert err.max() < tol, err.max()
    if kind == "gp":  # honest error bars: errors of the order of the predicted std, large std far away
        assert 0.2 < np.sqrt(np.mean((err / std) ** 2)) < 5
        far = emu.predict(np.array([[2.5, 2.5]]), return_std=True)[1][0]  # extrapolation: unsure
        assert far > 100 * np.max(std), (far, np.max(std))


def test_emulator_several_outputs_and_bad_inputs():
    x = latin_hypercube(30, [[0, 1], [0, 1]], seed=0)
    y = np.column_stack([x[:, 0] + x[:, 1], x[:, 0] * x[:, 1]])
    emu = Emulator(kernel="matern", random_state=0).fit(x, y)
    assert emu.predict(x[:3]).shape == (3, 2)
    with pytest.raises(ValueError, match="kind"):
        Emulator(kind="nn").fit(x, y)
    with pytest.raises(ValueError, match="kernel"):
        Emulator(kernel="cubic").fit(x, y)
    with pytest.raises(ValueError, match="features"):
        emu.predict(np.zeros((2, 3)))


def test_moped_preserves_the_fisher_information_of_a_linear_gaussian_model():
    rng = np.random.default_rng(0)
    n_data = 30
    design = np.column_stack([np.ones(n_data), np.linspace(0, 1, n_data), np.linspace(0, 1, n_data) ** 2])
    a = rng.normal(size=(n_data, n_data))
    cov = a @ a.T / n_data + np.eye(n_data)
    vectors = moped_vectors(design, cov)
    assert vectors.shape == (3, n_data)
    assert np.allclose(vectors @ cov @ vectors.T, np.eye(3))
    compressed = vectors @ design
    assert np.allclose(compressed.T @ compressed, fisher_matrix(design, cov))
    with pytest.raises(ValueError, match="cov must have shape"):
        moped_vectors(design, np.eye(3))
    with pytest.raises(ValueError, match="combination"):
        moped_vectors(np.column_stack([design[:, 0], 2 * design[:, 0]]), cov)


def test_toy_models_are_seeded_and_validated():
    data = make_power_spectrum_data(seed=0)
    assert np.array_equal(data.power, make_power_spectrum_data(seed=0).power)
    assert np.allclose(data.truth["power"], power_spectrum_model(data.truth["theta"], data.k))
    chi2 = (data.power - data.truth["power"]) @ np.linalg.solve(data.cov, data.power - data.truth["power"])
    assert chi2 < 60
    assert np.array_equal(simulate_cluster([4.5, 3.0], seed=1), simulate_cluster([4.5, 3.0], seed=1))
    big = simulate_cluster([4.5, 3.0], n_stars=20_000, seed=0, velocity_error=0.0)
    # Plummer: median projected radius = a; 3-D <v_los^2> = pi G M / (32 a) (virial theorem)
    assert big[1] == pytest.approx(3.0, rel=0.03)
    assert big[0] ** 2 == pytest.approx(np.pi * 4.30091e-3 * 10**4.5 / (32 * 3.0), rel=0.1)
    with pytest.raises(ValueError, match="theta"):
        power_spectrum_model([2.0, -0.1])
    with pytest.raises(ValueError, match="k must"):
        power_spectrum_model([2.0, 0.2], [-1.0])
    with pytest.raises(ValueError, match="theta"):
        simulate_cluster([4.5, 0.0])
    with pytest.raises(ValueError, match="n_stars"):
        simulate_cluster([4.5, 3.0], n_stars=3)
    with pytest.raises(ValueError, match="frac_error"):
        make_power_spectrum_data(frac_error=0)


@parametrize_with_checks([Emulator(kind="poly"), Emulator(kind="gp", n_restarts_optimizer=0)])
def test_emulator_follows_the_scikit_learn_contract(estimator, check):
    check(estimator)
