"""Exercises of chapter 4, Bayesian inference (see :mod:`astrolab.exercises`).

Each exercise's expected answer is computed here from the notebook's namespace ``ns`` -- its data
and fits -- so it follows the notebook's seed (and a student's variant of it). The two
``judgement`` exercises of the chapter (04-02 ``tune-step``: a Metropolis step size; 04-05
``abc-tolerance``: an ABC tolerance) grade the learner's choice against the known posterior.
"""

from __future__ import annotations

import numpy as np

from astrolab._validation import check_real
from astrolab.exercises._core import exercise

# ------------------------------------------------------------------------- 04-01 fitting a line
exercise(
    "04-01", "unweighted",
    title="What the weights do",
    answer="m_ols",
    name="the unweighted slope",
    rtol=1e-6,
    expected=lambda ns: np.polyfit(ns["x"][4:], ns["y"][4:], 1)[0],
    hints=("`np.polyfit(x, y, 1)` fits a straight line with every point weighted equally; it returns "
           "(slope, intercept).",
           "Points 5-20 are `x[4:]`, `y[4:]`: take the first element of `np.polyfit(x[4:], y[4:], 1)`."),
    solution="""
        m_ols, b_ols = np.polyfit(x[4:], y[4:], 1)
        print(f"unweighted: m = {m_ols:.3f}; weighted: m = {m1:.3f}")
        ex.unweighted.check(m_ols)
    """,
)


def _mock_pull(ns) -> float:
    import astrolab as al

    mock, truth = al.datasets.make_line_data(seed=ns["SEED"])
    xm, ym, sym = (np.asarray(mock[c], float) for c in ("x", "y", "sigma_y"))
    (m, _), cov = np.polyfit(xm, ym, 1, w=1 / sym, cov="unscaled")
    return (m - truth["slope"]) / np.sqrt(cov[0, 0])


exercise(
    "04-01", "mock-pull",
    title="How wrong, in its own error bars?",
    answer="pull_all",
    name="the pull of the all-points slope",
    rtol=1e-6,
    expected=_mock_pull,
    hints=("Reuse `weighted_least_squares(x, y, sigma_y)` of section 2 on the mock's columns "
           "`mock['x']`, `mock['y']`, `mock['sigma_y']`: it returns the slope and its standard error.",
           "pull = (m - truth['slope']) / sigma_m; for the good points alone select them with "
           "`~truth['outlier']`."),
    solution="""
        xm, ym, sym = (np.asarray(mock[c], float) for c in ("x", "y", "sigma_y"))
        m_all, _, sm_all, _ = weighted_least_squares(xm, ym, sym)
        good = ~truth["outlier"]
        m_good, _, sm_good, _ = weighted_least_squares(xm[good], ym[good], sym[good])
        pull_all = (m_all - truth["slope"]) / sm_all
        pull_good = (m_good - truth["slope"]) / sm_good
        print(f"all points: pull {pull_all:+.1f}; truly good points only: pull {pull_good:+.1f}")
        ex.mock_pull.check(pull_all)
    """,
)


# ------------------------------------------------------------------------- 04-02 MCMC by hand
_TAU_CACHE: dict = {}
_STEP_GRID = np.geomspace(0.6, 3.6, 7)    # the reference grid of steps, in posterior sd
_TAU_TOLERANCE = 1.5                      # a step passes with tau within 50 % of the grid's best


def _metropolis_tau(cov, steps, *, n_chains=48, n_steps=3000, seed=2024) -> np.ndarray:
    """Integrated autocorrelation times of round-step Metropolis chains on N(0, cov).

    One vectorised run: ``n_chains`` chains per step, started in the stationary distribution, the
    same random numbers for every step (common random numbers, so comparisons are sharp).
    """
    from astrolab.bayes import autocorr_time

    steps = np.atleast_1d(np.asarray(steps, float))
    cov = np.asarray(cov, float)
    n_dim = cov.shape[0]
    sd, icov = np.sqrt(np.diag(cov)), np.linalg.inv(cov)
    rng = np.random.default_rng(seed)
    start = rng.multivariate_normal(np.zeros(n_dim), cov, size=n_chains)
    theta = np.tile(start, (len(steps), 1))
    scale = np.repeat(steps, n_chains)[:, None] * sd
    lp = -0.5 * np.einsum("ni,ij,nj->n", theta, icov, theta)
    chain = np.empty((n_steps, len(theta), n_dim))
    for t in range(n_steps):
        noise = rng.standard_normal((n_chains, n_dim))
        proposal = theta + scale * np.tile(noise, (len(steps), 1))
        lp_new = -0.5 * np.einsum("ni,ij,nj->n", proposal, icov, proposal)
        accept = np.tile(np.log(rng.random(n_chains)), len(steps)) < lp_new - lp
        theta[accept], lp[accept] = proposal[accept], lp_new[accept]
        chain[t] = theta
    chain = chain.reshape(n_steps, len(steps), n_chains, n_dim)
    return np.array([autocorr_time(chain[:, k], tol=0).max() for k in range(len(steps))])


def _grade_step(answer, ns):
    step = check_real("best_step", answer, min=0, min_inclusive=False)
    if not step <= 100:
        raise ValueError(f"best_step is in units of the posterior sd; {step:g} is far too large")
    cov = np.asarray(ns["post_cov"], float)
    key = cov.tobytes()
    if key not in _TAU_CACHE:
        _TAU_CACHE[key] = _metropolis_tau(cov, _STEP_GRID).min()
    best = _TAU_CACHE[key]
    tau = float(_metropolis_tau(cov, [step])[0])
    ratio = tau / best
    message = (f"a round step of {step:.3g} posterior sd gives chains with tau = {tau:.0f} steps per "
               f"independent sample (48 chains of 3000 steps), {ratio:.2f} times the smallest tau on a grid "
               "of steps")
    return ratio <= _TAU_TOLERANCE, message + ("." if ratio <= _TAU_TOLERANCE else
                                               ": the chain wastes steps (too small a step crawls, too large "
                                               "a one is rejected).")


exercise(
    "04-02", "tune-step",
    title="Tune by measurement",
    answer="best_step",
    kind="judgement",
    name="your step (in posterior sd)",
    grade=_grade_step,
    hints=("Scan steps between about 0.1 and 5 posterior sd: run `al.bayes.Metropolis(log_posterior, 2, "
           "step=s * post_sd, seed=SEED)` for a few thousand steps from `post_mean` and compare "
           "`get_autocorr_time(discard=500, tol=0).max()`.",
           "A single chain's tau is noisy (tens of per cent): look at the trend, not the single smallest "
           "value, and watch the acceptance fraction: in two dimensions the best steps accept a fifth to "
           "a third of their proposals."),
    solution="""
        candidates = np.geomspace(0.1, 5, 9)
        taus_ex, acc_ex = [], []
        for step in candidates:
            s = al.bayes.Metropolis(log_posterior, 2, step=step * post_sd, n_walkers=2, seed=SEED)
            s.run_mcmc(np.tile(post_mean, (2, 1)), 4000)
            taus_ex.append(s.get_autocorr_time(discard=500, tol=0).max())
            acc_ex.append(s.acceptance_fraction.mean())
        print("step [sd]:", np.round(candidates, 2))
        print("tau      :", np.round(taus_ex, 0))
        print("accepted :", np.round(acc_ex, 2))
        # the trend: tau falls steeply up to about 1 sd and rises slowly beyond 2 sd; take the middle
        # of the flat bottom rather than the noisy single minimum
        good = np.array(taus_ex) < 1.3 * np.min(taus_ex)
        best_step = float(np.exp(np.mean(np.log(candidates[good]))))
        ex.tune_step.check(best_step)
    """,
)

exercise(
    "04-02", "split-rhat",
    title="Split-R̂ by hand",
    answer="rhat",
    name="split R-hat",
    rtol=1e-6,
    expected=lambda ns: float(__import__("astrolab").bayes.split_rhat(
        ns["stuck"].get_chain(discard=500)[:, :, :1])[0]),
    hints=("Cut each chain in two halves of n steps: the 4 chains become 8 pieces (columns). W is the "
           "mean of the pieces' variances (ddof=1), B is n times the variance of their means (ddof=1).",
           "R-hat = sqrt(((n - 1) / n * W + B / n) / W). Compare the value for all four chains with the "
           "one for the two chains that started on the left: which one tells the truth?"),
    solution="""
        def split_rhat_by_hand(theta1):
            n = len(theta1) // 2
            pieces = np.hstack([theta1[:n], theta1[len(theta1) - n:]])  # (n, 2 x chains)
            W = pieces.var(axis=0, ddof=1).mean()
            B = n * pieces.mean(axis=0).var(ddof=1)
            return np.sqrt(((n - 1) / n * W + B / n) / W)


        theta1 = stuck.get_chain(discard=500)[..., 0]  # (steps, chains)
        rhat = split_rhat_by_hand(theta1)
        print(f"all four chains: {rhat:.2f}; the two from the left: {split_rhat_by_hand(theta1[:, :2]):.3f}")
        # The large value is the one to trust: the two left chains agree because they share one mode, not
        # because they have explored the posterior. R-hat near 1 is necessary, never sufficient.
        ex.split_rhat.check(rhat)
    """,
)


# ------------------------------------------------------------------------- 04-03 nested sampling
def _left_mass(ns) -> float:
    fit = ns["ns_shells"]
    return float(np.sum(fit.weights_[fit.samples_[:, 0] < 0]))


exercise(
    "04-03", "nested-left-mass",
    title="Mass in one mode",
    answer="left_mass",
    name="the posterior mass of the left ring",
    rtol=1e-6,
    expected=_left_mass,
    hints=("`ns_shells.weights_` are the normalised posterior weights of the dead points "
           "`ns_shells.samples_` (one row per point): a probability is a sum of weights.",
           "Sum the weights of the points with `samples_[:, 0] < 0`."),
    solution="""
        left_mass = np.sum(ns_shells.weights_[ns_shells.samples_[:, 0] < 0])
        print(f"P(theta_1 < 0) = {left_mass:.3f} (truth 0.5); the mode masses are uncertain by about the ln Z error")
        ex.nested_left_mass.check(left_mass)
    """,
)

exercise(
    "04-03", "prior-width",
    title="Ten times wider priors",
    answer="ln_b_wide",
    name="ln B21 with the wider priors",
    rtol=0.0,
    atol=0.5,
    expected=lambda ns: float(ns["ln_b"]) - np.log(10.0),
    hints=("Where the likelihood is negligible outside the old prior box, widening a flat prior by a "
           "factor 10 leaves the integral of L over the box unchanged but divides the prior density by 10: "
           "ln Z drops by ln 10 per widened parameter.",
           "Count the widened parameters of each model: model 1 has one mean, model 2 has two. "
           "ln B21 = ln Z2 - ln Z1 changes by the difference."),
    solution="""
        # model 1 loses ln 10 (one mean), model 2 loses 2 ln 10 (two means): the Bayes factor loses ln 10
        ln_b_wide = ln_b - np.log(10)
        print(f"ln B21: {ln_b:.1f} with means in [-30, 30] km/s, {ln_b_wide:.1f} with means in [-300, 300] km/s")
        ex.prior_width.check(ln_b_wide)
    """,
)

# ------------------------------------------------------------------------- 04-04 expensive likelihoods
exercise(
    "04-04", "fisher-forecast",
    title="A Fisher forecast of the error on Γ",
    answer="sigma_gamma",
    name="the forecast error on Gamma",
    rtol=1e-3,
    expected=lambda ns: float(np.sqrt(np.linalg.inv(ns["F_full"])[1, 1])),
    hints=("`al.bayes.fisher_matrix(dmu, data.cov)` returns F = dmu^T C^-1 dmu, a 2x2 matrix for (A, Gamma).",
           "The marginalised error is sqrt of the diagonal of the *inverse*: `np.sqrt(np.linalg.inv(F)[1, 1])`."),
    solution="""
        F = al.bayes.fisher_matrix(dmu, data.cov)
        sigma_gamma = np.sqrt(np.linalg.inv(F)[1, 1])
        print(f"Fisher forecast {sigma_gamma:.4f}, posterior width {emu_sd[1]:.4f}: the model is not linear in Gamma, "
              "so the posterior is not exactly Gaussian")
        ex.fisher_forecast.check(sigma_gamma)
    """,
)

exercise(
    "04-04", "fisher-conditional",
    title="What the unknown amplitude costs",
    answer="sigma_gamma_fixed_a",
    name="the forecast error on Gamma with A known",
    rtol=1e-3,
    expected=lambda ns: float(1.0 / np.sqrt(ns["F_full"][1, 1])),
    hints=("With A known exactly, only Gamma is left: the Fisher matrix of the one-parameter problem is the "
           "Gamma-Gamma element of the 2x2 matrix.",
           "The conditional error is 1 / sqrt(F[1, 1]); the marginalised one, sqrt(inv(F)[1, 1]), is never "
           "smaller. Their ratio is 1 / sqrt(1 - rho^2), with rho the correlation of A and Gamma."),
    solution="""
        sigma_gamma_fixed_a = 1 / np.sqrt(F_full[1, 1])
        rho = np.linalg.inv(F_full)[0, 1] / np.sqrt(np.prod(np.diag(np.linalg.inv(F_full))))
        print(f"error on Gamma: {sigma_gamma_fixed_a:.4f} with A known, "
              f"{np.sqrt(np.linalg.inv(F_full)[1, 1]):.4f} marginalised over A (correlation {rho:+.2f})")
        ex.fisher_conditional.check(sigma_gamma_fixed_a)
    """,
)


# ------------------------------------------------------------------------- 04-05 ABC
def _cluster_mass(ns) -> float:
    cluster = ns["cluster"]
    return float(10 ** np.average(cluster.samples[:, 0], weights=cluster.weights))


exercise(
    "04-05", "cluster-mass",
    title="The cluster's mass in solar masses",
    answer="mass",
    name="the cluster mass",
    rtol=1e-3,
    expected=_cluster_mass,
    hints=("The final population is `cluster.samples` (columns log10 M, a) with `cluster.weights`: "
           "`np.average(..., weights=...)` gives the weighted mean.",
           "Take the weighted mean of column 0 and raise 10 to it: `10 ** log_m`."),
    solution="""
        log_m = np.average(cluster.samples[:, 0], weights=cluster.weights)
        mass = 10**log_m
        sigma2 = obs.summaries[0] ** 2 - obs.velocity_error**2
        virial = 32 * obs.summaries[1] * sigma2 / (np.pi * 4.30091e-3)
        print(f"ABC: {mass:.3g} Msun; virial estimate: {virial:.3g} Msun")
        ex.cluster_mass.check(mass)
    """,
)

_ABC_TARGET = 1.05      # the ABC posterior may be at most 5 % wider than the exact one
_ABC_SLACK = 0.01       # allowance for the grader's Monte Carlo noise and the kernel's approximation


def _grade_tolerance(answer, ns):
    eps = check_real("epsilon", answer, min=0, min_inclusive=False)
    sigma, prior_sd, n_data = float(ns["SIGMA"]), float(ns["PRIOR_SD"]), int(ns["N_DATA"])
    xbar, post_sd = float(ns["xbar"]), float(ns["post_sd"])
    rng = np.random.default_rng(20250405)
    accepted, n_sim = [], 0
    while sum(len(a) for a in accepted) < 40_000 and n_sim < 40_000_000:
        mu = prior_sd * rng.standard_normal(1_000_000)
        sim = mu + sigma / np.sqrt(n_data) * rng.standard_normal(mu.size)
        accepted.append(mu[np.abs(sim - xbar) <= eps])
        n_sim += mu.size
    kept = np.concatenate(accepted)
    if kept.size < 1000:
        return False, (f"a tolerance of {eps:.3g} accepts only {kept.size} of {n_sim} simulations: far too "
                       "small to be affordable.")
    ratio = kept.std() / post_sd
    cost = n_sim / kept.size
    # the cheapest tolerance that meets the target, from the uniform kernel's width sqrt(sd^2 + eps^2 / 3)
    eps_max = post_sd * np.sqrt(3 * (_ABC_TARGET**2 - 1))
    message = (f"with epsilon = {eps:.3g} the ABC posterior is {ratio:.3f} times as wide as the exact one, "
               f"at {cost:.0f} simulations per accepted sample")
    if ratio > _ABC_TARGET + _ABC_SLACK:
        return False, message + ": more than 5 % too wide."
    if eps < 0.5 * eps_max:
        return False, message + ": the width is fine, but a larger tolerance meets the target with less than "\
                                "half the simulations."
    return True, message + "."


exercise(
    "04-05", "abc-tolerance",
    title="An affordable tolerance",
    answer="epsilon",
    kind="judgement",
    name="your tolerance epsilon (data units)",
    grade=_grade_tolerance,
    hints=("Run `al.bayes.abc_rejection(simulate_mean, prior_mu, [xbar], n_samples=..., epsilon=eps, "
           "vectorized=True, seed=rng)` for a grid of tolerances and compare the standard deviation of "
           "`res.samples[:, 0]` with `post_sd`; `res.n_simulations` is the cost.",
           "The width grows as sqrt(post_sd^2 + eps^2 / 3): solve for the eps at which the width is 1.05 "
           "post_sd, then check it by simulation (leave some margin for the Monte Carlo noise)."),
    solution="""
        eps_grid = np.linspace(0.02, 0.3, 15)
        n_keep = 20_000  # the width of 20 000 samples is known to 0.5 %
        width_ratio, cost = [], []
        for eps in eps_grid:
            res = al.bayes.abc_rejection(simulate_mean, prior_mu, [xbar], n_samples=n_keep, epsilon=eps,
                                         vectorized=True, seed=rng)
            width_ratio.append(res.samples[:, 0].std() / post_sd)
            cost.append(res.n_simulations / n_keep)
        width_ratio = np.array(width_ratio)
        epsilon = eps_grid[width_ratio <= 1.04].max()  # a margin of 2 noise sd below the target
        print("eps              :", np.round(eps_grid, 2))
        print("width / exact    :", np.round(width_ratio, 3))
        print("sims per sample  :", np.round(cost, 0))
        ex.abc_tolerance.check(epsilon)
    """,
)
