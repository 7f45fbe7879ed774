"""Exercises of chapter 1, big data (see :mod:`astrolab.exercises`).

Each exercise's expected answer is computed here from the notebook's namespace ``ns`` -- its data
and fits -- so it follows the notebook's seed (and a student's variant of it).
"""

from __future__ import annotations

import numpy as np

from astrolab.exercises._core import exercise

_PIVOT = 2010.0


def _poisson_tau(year, count) -> float:
    """The maximum-likelihood e-folding time of Poisson counts (Newton's method; the notebook's model)."""
    year, n = np.asarray(year, float), np.asarray(count, float)
    X = np.column_stack([np.ones_like(year), year - _PIVOT])
    beta = np.linalg.lstsq(X, np.log(n + 0.5), rcond=None)[0]
    for _ in range(100):
        mu = np.exp(X @ beta)
        step = np.linalg.solve(X.T @ (mu[:, None] * X), X.T @ (n - mu))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-12:
            break
    return 1.0 / beta[1]


# ------------------------------------------------------------------------- 01-02 exponential growth
exercise(
    "01-02", "growth-doubling",
    title="From e-folding to doubling",
    answer="doubling",
    name="the doubling time",
    rtol=1e-3,
    expected=lambda ns: _poisson_tau(ns["bayes"]["year"], ns["bayes"]["count"]) * np.log(2),
    hints=("An exponential with e-folding time tau doubles when (t - t0) / tau = ln 2.",
           "Multiply the fitted e-folding time `tau_b` (in years) by `np.log(2)`."),
    solution="""
        doubling = tau_b * np.log(2)
        print(f"{doubling:.2f} +/- {tau_b_err * np.log(2):.2f} yr")
        ex.growth_doubling.check(doubling)
    """,
)


def _crossing(ns) -> float:
    ln_a_b, tau_b, ln_a_n, break_hat, tau2_n = (ns[k] for k in ("ln_a_b", "tau_b", "ln_a_n", "break_hat", "tau2_n"))
    # ln A_n + (t - t_b) / tau2 = ln A_b + (t - PIVOT) / tau_b, solved for t
    return (ln_a_b - ln_a_n + break_hat / tau2_n - _PIVOT / tau_b) / (1 / tau2_n - 1 / tau_b)


exercise(
    "01-02", "growth-crossing",
    title="When would neural nets overtake Bayes?",
    answer="crossing_year",
    name="the crossing year",
    rtol=1e-4,
    expected=_crossing,
    hints=("Take logarithms of both laws: each becomes a straight line in t. Where do two lines cross?",
           "Write the difference of the two log-laws as a function of t and find its root with "
           "`optimize.brentq(difference, 2015, 2100)`."),
    solution="""
        def difference(t):
            return (ln_a_n + (t - break_hat) / tau2_n) - (ln_a_b + (t - PIVOT) / tau_b)


        crossing_year = optimize.brentq(difference, 2015, 2100)
        print(f"{crossing_year:.1f}")
        ex.growth_crossing.check(crossing_year)
    """,
)

exercise(
    "01-02", "growth-calibration",
    title="Are the error bars honest?",
    answer="pull_std",
    name="the standard deviation of the pulls",
    rtol=0.25,
    expected=lambda ns: 1.0,
    hints=("Reuse `broken_design`, `poisson_regression` and `neg_log_like`: for each simulated series, "
           "profile over the break year, refit at the best one, then build the 4x4 Fisher matrix as in section 4.",
           "The pull of one series is (1 / beta[2] - 2.5) / (sqrt(cov[2, 2]) / beta[2]**2); "
           "take `np.std` of the 100 pulls."),
    solution="""
        pulls = []
        small_grid = np.arange(2012.0, 2018.0001, 0.1)
        for _ in tqdm(range(100), desc="calibration"):
            n_sim = rng.poisson(neural_truth["mean"]).astype(float)
            nll = [neg_log_like(poisson_regression(broken_design(year_n, b), n_sim)[0], broken_design(year_n, b), n_sim)
                   for b in small_grid]
            b_hat = small_grid[np.argmin(nll)]
            X = broken_design(year_n, b_hat)
            beta, _ = poisson_regression(X, n_sim)
            mu = np.exp(X @ beta)
            J = np.column_stack([X, -np.where(year_n < b_hat, beta[1], beta[2])])
            cov = np.linalg.inv(J.T @ (mu[:, None] * J))
            pulls.append((1 / beta[2] - neural_truth["tau_after"]) / (np.sqrt(cov[2, 2]) / beta[2] ** 2))
        pull_std = np.std(pulls)
        print(f"pulls: mean {np.mean(pulls):+.2f}, standard deviation {pull_std:.2f}")
        ex.growth_calibration.check(pull_std)
    """,
)
