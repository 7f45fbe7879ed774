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
    Mutant("00-02", "parallax-as-arcsec",
           "the distance is 1/parallax with the units stripped, so a parallax in mas is read as arcsec: "
           "distances 1000 times too small",
           replace=[('good["distance"] = good["parallax"].to(u.pc, equivalencies=u.parallax())',
                     'good["distance"] = 1 / good["parallax"].value * u.pc')]),
    Mutant("00-02", "distance-modulus-sign",
           "the distance modulus is subtracted instead of added (M = G - 5 log10(parallax / 100 mas)): "
           "stars beyond 10 pc come out too faint, nearer ones too bright",
           replace=[('good["phot_g_mean_mag"] + 5 * np.log10(', 'good["phot_g_mean_mag"] - 5 * np.log10(')]),
    Mutant("00-02", "sphere-volume",
           "the volume of the sphere is 4 pi r^3 (the 1/3 forgotten): the density comes out 3 times too low",
           replace=[("volume = 4 / 3 * np.pi * radius**3", "volume = 4 * np.pi * radius**3")]),
]
