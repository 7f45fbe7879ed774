"""Mutants of chapter 4's notebooks; see :mod:`coursetools.mutants`."""

from coursetools.mutants import Mutant

MUTANTS: list[Mutant] = [
    Mutant("04-03", "unordered-prior",
           "mu1 < mu2 is imposed in the likelihood while the prior stays on the full square "
           "(ln Z2 comes out ln 2 too low)",
           replace=[("mu1, mu2 = np.sort(-30 + 60 * u[:2])", "mu1, mu2 = -30 + 60 * u[:2]"),
                    ("    mu1, mu2, sigma = theta\n",
                     "    mu1, mu2, sigma = theta\n    if mu1 >= mu2:\n        return -1e300\n")]),
]
