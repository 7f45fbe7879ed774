"""Mutants of chapter 0's notebooks; see :mod:`coursetools.mutants`."""

from coursetools.mutants import Mutant

MUTANTS: list[Mutant] = [
    Mutant("00-01", "peak-of-b-nu",
           "the peak is searched in B_nu (per unit frequency, B_lambda * lambda^2 / c) instead of B_lambda, "
           "so Wien's constant comes out 1.76 times too large (5.1 mm K)",
           replace=[("np.argmax(al.datasets.planck_lambda(grid, t))",
                     "np.argmax(al.datasets.planck_lambda(grid, t) * grid**2)")]),
    Mutant("00-01", "coarse-grid",
           "the peak is searched on a grid 100 times coarser (0.46 % steps), so the quantised peaks bias "
           "the fitted slope and Wien's constant beyond the notebook's grid error",
           replace=[("np.geomspace(10, 1e5, 200_001)", "np.geomspace(10, 1e5, 2_001)")]),
]
