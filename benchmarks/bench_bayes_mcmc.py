"""Chapter 4: the course's random-walk Metropolis against emcee, in effective samples per second.

One row: the straight-line posterior of notebook 04-bayesian/02 (a 2-D Gaussian with correlation
-0.96, written as a plain Python log-probability, as users write theirs). Ours: ``Metropolis`` with
the covariance-shaped step ``(2.38^2 / d) Sigma`` (the optimal random walk); emcee: 16 walkers,
default stretch move, no tuning. Both take the same number of log-probability calls (20 000). The
quality column compares effective sample sizes per second (the figure of merit) and the posterior
means with the exact one.
"""

from __future__ import annotations

import functools

import numpy as np

N_CALLS = 20_000


@functools.cache
def problem():
    from astrolab.datasets import make_line_data

    table, _ = make_line_data(seed=0)
    x, y, sy = (np.asarray(table[c], float)[4:] for c in ("x", "y", "sigma_y"))
    A = np.vstack([x, np.ones_like(x)]).T
    cov = np.linalg.inv(A.T @ (A / sy[:, None] ** 2))
    mean = cov @ A.T @ (y / sy**2)
    return x, y, sy, mean, cov


def log_posterior(theta):
    x, y, sy, _, _ = problem()
    m, b = theta
    return -0.5 * float(np.sum((y - m * x - b) ** 2 / sy**2))


def ours():
    from astrolab.bayes import Metropolis

    _, _, _, mean, cov = problem()
    sampler = Metropolis(log_posterior, 2, step=2.38**2 / 2 * cov, seed=0)
    sampler.run_mcmc(mean, N_CALLS)
    return sampler.get_chain(discard=500)


def reference():
    import emcee

    _, _, _, mean, cov = problem()
    sampler = emcee.EnsembleSampler(16, 2, log_posterior)
    sampler.random_state = np.random.RandomState(0).get_state()
    start = mean + 1e-3 * np.sqrt(np.diag(cov)) * np.random.default_rng(0).standard_normal((16, 2))
    sampler.run_mcmc(start, N_CALLS // 16)
    return sampler.get_chain(discard=100)


def cases():
    import time

    from _harness import Case

    from astrolab.bayes import effective_sample_size

    timings = {}

    def timed(name, func):
        def run():
            t0 = time.perf_counter()
            out = func()
            timings[name] = min(timings.get(name, np.inf), time.perf_counter() - t0)
            return out
        return run

    def quality(chain_ours, chain_ref):
        _, _, _, mean, cov = problem()
        sd = np.sqrt(np.diag(cov))
        # tol=0: emcee's 1150 steps per walker are just short of 50 tau (tau ~ 24), so its ESS is a
        # slight overestimate; the comparison of orders of magnitude does not need the 50-tau rule
        ess_o = effective_sample_size(chain_ours, tol=0).min()
        ess_r = effective_sample_size(chain_ref, tol=0).min()
        off_o = np.max(np.abs(chain_ours.reshape(-1, 2).mean(axis=0) - mean) / sd)
        off_r = np.max(np.abs(chain_ref.reshape(-1, 2).mean(axis=0) - mean) / sd)
        return (f"ESS/s ours {ess_o / timings['ours']:.0f} (ESS {ess_o:.0f}), emcee {ess_r / timings['ref']:.0f} "
                f"(ESS {ess_r:.0f}); mean off by {off_o:.2f} / {off_r:.2f} posterior sd")

    return [Case("4", f"MCMC on a correlated 2-D posterior, {N_CALLS} log-prob calls",
                 ("astrolab Metropolis (covariance step)", timed("ours", ours)),
                 ("emcee EnsembleSampler (16 walkers)", timed("ref", reference)),
                 quality=quality, setup=problem)]
