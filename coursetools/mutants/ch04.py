"""Mutants of chapter 4's notebooks; see :mod:`coursetools.mutants`."""

from coursetools.mutants import Mutant

MUTANTS: list[Mutant] = [
    # --- 04-01: fitting a line (Hogg, Bovy & Lang 2010) ---
    Mutant("04-01", "wls-weights-one-over-sigma",
           "weighted least squares weights each point by 1/sigma instead of 1/sigma^2 (the inverse variance)",
           replace=[("Cinv = np.diag(1 / sigma_y**2)", "Cinv = np.diag(1 / sigma_y)")]),
    Mutant("04-01", "ignore-rho-xy",
           "the x-y error correlation rho_xy is dropped: the projected variance of each point uses a "
           "diagonal error covariance",
           replace=[(" + 2 * v[0] * v[1] * rho * sx * sy", "")]),
    Mutant("04-01", "mixture-homoscedastic",
           "the mixture model's line component uses one mean y error for every point instead of each "
           "point's own sigma_y",
           replace=[("good = np.log1p(-p_bad) - 0.5 * (y - m * x - b) ** 2 / sy**2 - 0.5 * np.log(2 * np.pi * sy**2)",
                     "good = np.log1p(-p_bad) - 0.5 * (y - m * x - b) ** 2 / np.mean(sy) ** 2 "
                     "- 0.5 * np.log(2 * np.pi * np.mean(sy) ** 2)")]),
    Mutant("04-01", "mixture-good-unnormalised",
           "the line component of the mixture likelihood drops its Gaussian normalisation "
           "1/sqrt(2 pi sigma_y^2) while the outlier component keeps its own",
           replace=[("(y - m * x - b) ** 2 / sy**2 - 0.5 * np.log(2 * np.pi * sy**2)",
                     "(y - m * x - b) ** 2 / sy**2")]),
    Mutant("04-01", "outliers-without-errors",
           "the outlier distribution is not convolved with each point's measurement error "
           "(variance V_b instead of V_b + sigma_y^2)",
           replace=[("        var_bad = np.exp(ln_v_bad) + sy**2\n        good",
                     "        var_bad = np.exp(ln_v_bad)\n        good")]),
    # --- 04-02: MCMC by hand ---
    Mutant("04-02", "record-the-proposal",
           "the hand-written Metropolis stores the proposal at every step, rejected or not, instead of "
           "counting the current state again",
           replace=[("        chain[t] = theta\n", "        chain[t] = proposal\n")]),
    Mutant("04-02", "acceptance-square-root",
           "the acceptance test halves the log density ratio (the -1/2 of chi^2 applied twice): the chain "
           "samples p^(1/2), a posterior sqrt(2) too wide",
           replace=[("if np.log(rng.random()) < lp_new - lp:", "if np.log(rng.random()) < 0.5 * (lp_new - lp):")]),
    Mutant("04-02", "homoscedastic-likelihood",
           "the log posterior uses one mean y error for all points (the measurement errors dropped from "
           "the likelihood) while the exact posterior keeps them",
           replace=[("(y - m * x - b) ** 2 / sy**2", "(y - m * x - b) ** 2 / np.mean(sy) ** 2")]),
    Mutant("04-02", "rhat-between-unscaled",
           "split R-hat's between-chain variance is the variance of the chain means, not n times it "
           "(B/n counted as B/n^2): R-hat stays near 1 whatever the chains do",
           prelude=("import numpy as _np\n"
                    "import astrolab.bayes._mcmc as _mcmc\n"
                    "def _rhat(pieces):\n"
                    "    n = pieces.shape[0]\n"
                    "    within = _np.mean(_np.var(pieces, axis=0, ddof=1), axis=0)\n"
                    "    between = _np.var(_np.mean(pieces, axis=0), axis=0, ddof=1)\n"
                    "    return _np.sqrt(((n - 1) / n * within + between / n) / within)\n"
                    "_mcmc._rhat = _rhat\n")),
    Mutant("04-03", "unordered-prior",
           "mu1 < mu2 is imposed in the likelihood while the prior stays on the full square "
           "(ln Z2 comes out ln 2 too low)",
           replace=[("mu1, mu2 = np.sort(-30 + 60 * u[:2])", "mu1, mu2 = -30 + 60 * u[:2]"),
                    ("    mu1, mu2, sigma = theta\n",
                     "    mu1, mu2, sigma = theta\n    if mu1 >= mu2:\n        return -1e300\n")]),
]
