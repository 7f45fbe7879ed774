"""Approximate Bayesian Computation: rejection ABC and ABC-SMC (population Monte Carlo).

When the likelihood cannot be written down but the data can be simulated, keep the parameters whose
simulated summary statistics land within a tolerance ``epsilon`` of the observed ones (Pritchard et
al. 1999). ABC-SMC (Beaumont, Cornuet, Marin & Robert 2009) shrinks ``epsilon`` over generations of
weighted particles, so that far fewer simulations are wasted than with rejection from the prior.

The prior
---------
Every function takes ``prior`` as either

- a sequence of frozen one-dimensional :mod:`scipy.stats` distributions, one per parameter
  (independent parameters), e.g. ``[stats.norm(0, 2), stats.uniform(1, 4)]``; or
- any object with ``rvs(size=n, random_state=rng)`` returning ``(n, ndim)`` (or ``(n,)`` for one
  parameter) and ``logpdf(theta)`` for ``theta`` of shape ``(n, ndim)``, e.g. a frozen
  :func:`scipy.stats.multivariate_normal`.

The simulator
-------------
``simulator(theta, rng)`` returns the summary statistics (1-D array) for one parameter vector
``theta`` of shape ``(ndim,)``. With ``vectorized=True`` it receives ``theta`` of shape
``(n, ndim)`` and returns ``(n, n_summaries)``. ``distance(simulated, observed)`` gets
``(n, n_summaries)`` and ``(n_summaries,)`` and returns ``(n,)``; the default is the Euclidean
distance, so scale the summaries to comparable units first.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils import Bunch

from astrolab._validation import (
    InvalidParameterError,
    as_float_array,
    check_array,
    check_int,
    check_real,
    check_rng,
    check_size,
)

__all__ = ["abc_rejection", "abc_smc", "euclidean_distance"]


def euclidean_distance(simulated, observed):
    """Euclidean distance between rows of ``simulated`` and ``observed``.

    Parameters
    ----------
    simulated : array, shape (n, n_summaries)
    observed : array, shape (n_summaries,)

    Returns
    -------
    ndarray, shape (n,)

    Examples
    --------
    >>> euclidean_distance(np.array([[3.0, 4.0], [0.0, 0.0]]), np.zeros(2))
    array([5., 0.])

    An infinite summary (a simulator's way to reject a draw) gives an infinite distance; NaN is refused:

    >>> euclidean_distance([[np.inf, 0.0]], [0.0, 0.0])
    array([inf])
    """
    simulated = check_array("simulated", simulated, finite=False, ndim=(1, 2))
    observed = check_array("observed", observed, ndim=1)
    if np.isnan(simulated).any():
        raise InvalidParameterError(f"simulated must hold no NaN, got {int(np.isnan(simulated).sum())} NaN value(s) "
                                    f"of {simulated.size} (return inf to reject a draw)")
    if simulated.shape[-1] != observed.shape[0]:
        raise InvalidParameterError(f"simulated must have one column per summary in observed ({observed.shape[0]}), "
                                    f"got shape {simulated.shape}")
    return np.sqrt(np.sum((simulated - observed) ** 2, axis=-1))


class _IndependentPrior:
    """Product of frozen 1-D scipy distributions."""

    def __init__(self, dists):
        self.dists = list(dists)

    def rvs(self, size, random_state):
        return np.column_stack([d.rvs(size=size, random_state=random_state) for d in self.dists])

    def logpdf(self, theta):
        theta = as_float_array("theta", theta).reshape(-1, len(self.dists))
        return np.sum([d.logpdf(theta[:, j]) for j, d in enumerate(self.dists)], axis=0)


def _as_prior(prior):
    if isinstance(prior, (list, tuple)):
        if not prior or not all(hasattr(d, "rvs") and hasattr(d, "logpdf") for d in prior):
            raise ValueError(f"prior must be a non-empty sequence of frozen scipy.stats distributions, got {prior!r}")
        return _IndependentPrior(prior), len(prior)
    if hasattr(prior, "rvs") and hasattr(prior, "logpdf"):
        draw = np.asarray(prior.rvs(size=2, random_state=np.random.default_rng(0)), dtype=float)
        return prior, (1 if draw.ndim == 1 else draw.shape[1])
    raise ValueError("prior must be a sequence of frozen scipy.stats distributions or an object with "
                     f"rvs(size, random_state) and logpdf(theta), got {prior!r}")


def _prior_draw(prior, n, rng, ndim):
    return np.asarray(prior.rvs(size=n, random_state=rng), dtype=float).reshape(n, ndim)


def _prior_logpdf(prior, theta):
    return np.asarray(prior.logpdf(theta if theta.shape[1] > 1 else theta[:, 0]), dtype=float).reshape(len(theta))


def _simulate(simulator, theta, rng, vectorized, observed):
    if vectorized:
        out = np.asarray(simulator(theta, rng), dtype=float)
    else:
        out = np.array([np.asarray(simulator(t, rng), dtype=float).ravel() for t in theta])
    out = out.reshape(len(theta), -1)
    if out.shape[1] != observed.size:
        raise ValueError(f"simulator returned {out.shape[1]} summaries but observed_summary has {observed.size}")
    bad = np.isnan(out).any(axis=1)
    if bad.any():
        first = int(np.argmax(bad))
        raise ValueError(f"simulator returned NaN summaries for {int(bad.sum())} of {len(theta)} parameter draws "
                         f"(the first at theta={np.asarray(theta)[first].tolist()}); return finite summaries, "
                         f"or inf to reject a draw")
    return out


def _distances(distance, simulated, observed):
    d = np.asarray(distance(simulated, observed), dtype=float).reshape(-1)
    if d.shape != (len(simulated),):
        raise ValueError(f"distance must return one value per simulation ({len(simulated)}), got shape {d.shape}")
    if np.isnan(d).any():
        raise ValueError(f"distance returned NaN for {int(np.isnan(d).sum())} of {len(d)} simulations")
    return d


def _check_common(simulator, observed_summary, distance, n_samples, seed):
    if not callable(simulator):
        raise ValueError(f"simulator must be callable, got {simulator!r}")
    observed = np.atleast_1d(as_float_array("observed_summary", observed_summary)).ravel()
    if observed.size == 0 or not np.all(np.isfinite(observed)):
        raise ValueError(f"observed_summary must be a non-empty finite array, got {observed_summary!r}")
    if distance is None:
        distance = euclidean_distance
    elif not callable(distance):
        raise ValueError(f"distance must be callable or None, got {distance!r}")
    if not (isinstance(n_samples, (int, np.integer)) and n_samples >= 2):
        raise ValueError(f"n_samples must be an integer >= 2, got {n_samples!r}")
    check_size("n_samples", 8.0 * 8 * n_samples, request=f"n_samples={n_samples}")  # a few arrays of n_samples
    return observed, distance, check_rng("seed", seed)


def abc_rejection(simulator, prior, observed_summary, distance=None, *, n_samples=1000, quantile=None,
                  epsilon=None, max_simulations=10**7, batch_size=10_000, vectorized=False, seed=None):
    """Rejection ABC: keep the prior draws whose simulated summaries fall closest to the observed ones.

    Give exactly one of ``quantile`` (simulate ``n_samples / quantile`` draws from the prior and keep
    the closest ``n_samples``: the tolerance is set by the budget) or ``epsilon`` (simulate until
    ``n_samples`` draws have distance ``<= epsilon``: the budget is set by the tolerance).

    Parameters
    ----------
    simulator : callable
        ``simulator(theta, rng) -> summaries`` (see the module docstring; ``vectorized`` for batches).
    prior : sequence of frozen scipy.stats distributions, or object with ``rvs`` and ``logpdf``
        The prior (see the module docstring).
    observed_summary : array_like, shape (n_summaries,)
        Summary statistics of the observed data.
    distance : callable, optional
        ``distance(simulated (n, s), observed (s,)) -> (n,)``; Euclidean by default.
    n_samples : int, default 1000
        Number of accepted samples.
    quantile : float in (0, 1], optional
        Fraction of the prior draws to keep.
    epsilon : float, optional
        Tolerance on the distance.
    max_simulations : int, default 10**7
        With ``epsilon``: give up (ValueError) after this many simulations.
    batch_size : int, default 10000
        Prior draws simulated at a time with ``epsilon``.
    vectorized : bool, default False
        The simulator takes ``(n, ndim)`` and returns ``(n, n_summaries)``.
    seed : int, Generator or None
        Seed of :func:`numpy.random.default_rng`, passed on to the simulator as ``rng``.

    Returns
    -------
    Bunch
        ``samples`` (n_samples, ndim), ``distances`` (n_samples,), ``epsilon`` (the largest accepted
        distance), ``n_simulations``, ``acceptance_rate``.

    Examples
    --------
    >>> from scipy import stats
    >>> sim = lambda theta, rng: theta + rng.normal(0, 0.1, size=theta.shape)  # vectorized
    >>> res = abc_rejection(sim, [stats.uniform(-5, 10)], [1.0], n_samples=200, quantile=0.01,
    ...                     vectorized=True, seed=0)
    >>> res.n_simulations, round(float(res.samples.mean()), 1)
    (20000, 1.0)
    """
    observed, distance, rng = _check_common(simulator, observed_summary, distance, n_samples, seed)
    prior, ndim = _as_prior(prior)
    if (quantile is None) == (epsilon is None):
        raise ValueError(f"give exactly one of quantile and epsilon, got quantile={quantile!r}, epsilon={epsilon!r}")
    if quantile is not None:
        quantile = check_real("quantile", quantile, min=0, max=1, min_inclusive=False)
        n_sim = int(np.ceil(n_samples / quantile))
        check_size("n_samples", 8.0 * n_sim * (ndim + observed.size + 3),
                   request=f"n_samples={n_samples} at quantile={quantile:g} ({n_sim} simulations)")
        theta = _prior_draw(prior, n_sim, rng, ndim)
        d = _distances(distance, _simulate(simulator, theta, rng, vectorized, observed), observed)
        keep = np.argsort(d)[:n_samples]
        return Bunch(samples=theta[keep], distances=d[keep], epsilon=float(d[keep].max()), n_simulations=n_sim,
                     acceptance_rate=n_samples / n_sim)
    epsilon = check_real("epsilon", epsilon, min=0, min_inclusive=False)
    batch_size = check_int("batch_size", batch_size, min=1)
    max_simulations = check_int("max_simulations", max_simulations, min=1)
    check_size("n_samples", 8.0 * (n_samples + batch_size) * (ndim + observed.size + 3),
               request=f"n_samples={n_samples} with batch_size={batch_size}")
    kept, dists, n_sim = [], [], 0
    while sum(len(k) for k in kept) < n_samples:
        if n_sim >= max_simulations:
            raise ValueError(f"only {sum(len(k) for k in kept)} of n_samples={n_samples} accepted after "
                             f"max_simulations={max_simulations}: raise epsilon or max_simulations")
        theta = _prior_draw(prior, batch_size, rng, ndim)
        d = _distances(distance, _simulate(simulator, theta, rng, vectorized, observed), observed)
        ok = d <= epsilon
        need = n_samples - sum(len(k) for k in kept)
        idx = np.flatnonzero(ok)
        if idx.size >= need:  # count simulations only up to the one that completed the sample
            last = idx[need - 1]
            n_sim += last + 1
            idx = idx[:need]
        else:
            n_sim += batch_size
        kept.append(theta[idx])
        dists.append(d[idx])
    samples, d = np.concatenate(kept), np.concatenate(dists)
    return Bunch(samples=samples, distances=d, epsilon=float(epsilon), n_simulations=int(n_sim),
                 acceptance_rate=n_samples / n_sim)


def _weighted_cov(x, w):
    mean = np.sum(w[:, None] * x, axis=0)
    dx = x - mean
    return (w[:, None] * dx).T @ dx / (1 - np.sum(w**2))


def _log_kernel_mixture(new, old, log_w_old, cov):
    """log sum_j w_j N(new | old_j, cov) for each row of new."""
    chol = np.linalg.cholesky(cov)
    ndim = cov.shape[0]
    # whiten once (n d^2), then the squared Mahalanobis distances one coordinate at a time (n^2 d)
    whiten = np.linalg.inv(chol).T
    z_new, z_old = new @ whiten, old @ whiten
    d2 = np.zeros((len(new), len(old)))
    for k in range(ndim):
        d2 += (z_new[:, k, None] - z_old[None, :, k]) ** 2
    log_norm = -0.5 * ndim * np.log(2 * np.pi) - np.sum(np.log(np.diag(chol)))
    log_k = log_w_old[None, :] - 0.5 * d2
    top = log_k.max(axis=1, keepdims=True)  # log-sum-exp, by hand (twice as fast as scipy's here)
    return log_norm + top[:, 0] + np.log(np.sum(np.exp(log_k - top), axis=1))


def abc_smc(simulator, prior, observed_summary, distance=None, *, n_samples=1000, quantile=0.5,
            epsilon_target=None, n_generations=10, min_acceptance_rate=None, max_simulations=10**7,
            vectorized=False, seed=None):
    """ABC-SMC (population Monte Carlo, Beaumont et al. 2009) with an adaptive tolerance.

    Generation 0 draws ``n_samples`` particles from the prior (tolerance infinite). Each following
    generation ``t`` sets ``epsilon_t`` to the ``quantile`` of the previous generation's distances
    (never below ``epsilon_target``), then proposes particles by drawing from the previous weighted
    population and perturbing with a Gaussian kernel of twice the weighted covariance, keeps those whose
    simulated distance is ``<= epsilon_t`` and weights them by
    ``prior(theta) / sum_j w_j K(theta | theta_j)``. It stops after the generation that reaches
    ``epsilon_target``, after the first generation whose acceptance rate falls below
    ``min_acceptance_rate``, after ``n_generations`` generations, or when ``max_simulations`` is spent.

    Once ``epsilon`` reaches the noise of the summaries themselves (the spread of simulated summaries
    at a fixed ``theta``), shrinking it further sharpens the posterior little while the acceptance
    rate, and with it the cost per generation, keeps falling: ``min_acceptance_rate`` stops there
    (pyABC's ``min_acceptance_rate`` is the same rule).

    Parameters
    ----------
    simulator, prior, observed_summary, distance, vectorized
        As in :func:`abc_rejection`.
    n_samples : int, default 1000
        Particles per generation.
    quantile : float in (0, 1), default 0.5
        The next tolerance is this quantile of the current distances.
    epsilon_target : float, optional
        Stop once this tolerance is reached.
    n_generations : int, default 10
        Largest number of generations after generation 0.
    min_acceptance_rate : float in (0, 1), optional
        Stop after the first generation that accepts fewer than this fraction of its simulations
        (that generation is kept). None: no such rule.
    max_simulations : int, default 10**7
        Stop (with the last complete generation) before exceeding this many simulations.
    seed : int, Generator or None
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    Bunch
        ``samples`` (n_samples, ndim) and normalised ``weights`` of the last generation, its
        ``distances``, ``epsilon`` (its tolerance), ``epsilons`` (tolerance of each generation,
        ``inf`` for generation 0), ``n_simulations`` (total), ``simulations_per_generation``,
        ``ess`` (effective sample size of the last generation), ``acceptance_rates`` (accepted over
        simulated, per generation; 1 for generation 0), ``stopped_by`` (``"epsilon_target"``,
        ``"min_acceptance_rate"``, ``"n_generations"`` or ``"max_simulations"``) and ``populations``,
        a list of ``(samples, weights)`` for every generation.

    Examples
    --------
    >>> from scipy import stats
    >>> sim = lambda theta, rng: theta + rng.normal(0, 0.1, size=theta.shape)
    >>> res = abc_smc(sim, [stats.uniform(-5, 10)], [1.0], n_samples=300, epsilon_target=0.05,
    ...               vectorized=True, seed=0)
    >>> res.epsilon, round(float(np.average(res.samples[:, 0], weights=res.weights)), 1)
    (0.05, 1.0)

    Without a target, stop when fewer than 5 % of the simulations are accepted:

    >>> res = abc_smc(sim, [stats.uniform(-5, 10)], [1.0], n_samples=300, min_acceptance_rate=0.05,
    ...               n_generations=30, vectorized=True, seed=0)
    >>> res.stopped_by, bool(res.acceptance_rates[-1] < 0.05 <= res.acceptance_rates[-2])
    ('min_acceptance_rate', True)
    """
    observed, distance, rng = _check_common(simulator, observed_summary, distance, n_samples, seed)
    prior, ndim = _as_prior(prior)
    quantile = check_real("quantile", quantile, min=0, max=1, min_inclusive=False, max_inclusive=False)
    if epsilon_target is not None:
        epsilon_target = check_real("epsilon_target", epsilon_target, min=0, min_inclusive=False)
    n_generations = check_int("n_generations", n_generations, min=1, max=1000)
    if min_acceptance_rate is not None:
        min_acceptance_rate = check_real("min_acceptance_rate", min_acceptance_rate, min=0, max=1,
                                         min_inclusive=False, max_inclusive=False)

    def dist(theta):
        return _distances(distance, _simulate(simulator, theta, rng, vectorized, observed), observed)

    theta = _prior_draw(prior, n_samples, rng, ndim)
    d = dist(theta)
    w = np.full(n_samples, 1 / n_samples)
    epsilons, sims, rates = [np.inf], [n_samples], [1.0]
    populations = [(theta, w)]
    eps = np.inf
    stopped_by = "n_generations"
    for _ in range(n_generations):
        if epsilon_target is not None and eps <= epsilon_target:
            stopped_by = "epsilon_target"
            break
        if min_acceptance_rate is not None and rates[-1] < min_acceptance_rate:
            stopped_by = "min_acceptance_rate"
            break
        eps = float(np.quantile(d, quantile))
        if epsilon_target is not None:
            eps = max(eps, float(epsilon_target))
        cov = 2 * np.atleast_2d(_weighted_cov(theta, w)) + 1e-12 * np.eye(ndim)
        chol = np.linalg.cholesky(cov)
        new, new_d, n_sim, n_acc, rate = [], [], 0, 0, 0.5
        while sum(len(x) for x in new) < n_samples:
            need = n_samples - sum(len(x) for x in new)
            n_prop = int(min(max(1.2 * need / max(rate, 1e-3), 10), 10 * n_samples))
            if sum(sims) + n_sim + n_prop > max_simulations:
                break
            parents = rng.choice(n_samples, size=n_prop, p=w)
            prop = theta[parents] + rng.standard_normal((n_prop, ndim)) @ chol.T
            inside = np.isfinite(_prior_logpdf(prior, prop))
            prop = prop[inside]
            if prop.size == 0:
                continue
            dp = dist(prop)
            n_sim += len(prop)
            ok = np.flatnonzero(dp <= eps)
            n_acc += ok.size
            rate = max(ok.size / len(prop), 1e-3)
            new.append(prop[ok[:need]])
            new_d.append(dp[ok[:need]])
        if sum(len(x) for x in new) < n_samples:  # budget exhausted: keep the last full generation
            stopped_by = "max_simulations"
            break
        new, new_d = np.concatenate(new), np.concatenate(new_d)
        log_w = _prior_logpdf(prior, new) - _log_kernel_mixture(new, theta, np.log(w), cov)
        w = np.exp(log_w - log_w.max())
        w /= w.sum()
        theta, d = new, new_d
        epsilons.append(eps)
        sims.append(n_sim)
        rates.append(n_acc / n_sim)
        populations.append((theta, w))
    else:  # the last generation ran: did it meet a stopping rule, or was it the last one allowed?
        if epsilon_target is not None and eps <= epsilon_target:
            stopped_by = "epsilon_target"
        elif min_acceptance_rate is not None and rates[-1] < min_acceptance_rate:
            stopped_by = "min_acceptance_rate"
    return Bunch(samples=theta, weights=w, distances=d, epsilon=epsilons[-1], epsilons=np.array(epsilons),
                 n_simulations=int(sum(sims)), simulations_per_generation=np.array(sims),
                 acceptance_rates=np.array(rates), stopped_by=stopped_by,
                 ess=float(1 / np.sum(w**2)), populations=populations)

