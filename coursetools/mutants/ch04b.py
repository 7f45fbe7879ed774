"""Mutants of chapter 4 (second part)'s notebooks; see :mod:`coursetools.mutants`."""

from coursetools.mutants import Mutant

# NestedSampler._finish turns the dead and final live points into weights, ln Z and its error; these
# preludes wrap it and redo one step the wrong way.
_NESTED_WEIGHTS_BY_LIKELIHOOD = """
import numpy as np
import astrolab as al

_finish = al.bayes.NestedSampler._finish


def _finish_weights_by_likelihood(self, *args):
    _finish(self, *args)
    log_p = self.log_likelihood_ - np.logaddexp.reduce(self.log_likelihood_)  # L_i alone, no dX_i
    self.log_weights_, self.weights_ = log_p, np.exp(log_p)


al.bayes.NestedSampler._finish = _finish_weights_by_likelihood
"""

_NESTED_ENCLOSED_VOLUME = """
import numpy as np
import astrolab as al

_finish = al.bayes.NestedSampler._finish


def _finish_enclosed_volume(self, *args):
    _finish(self, *args)
    log_w = self.log_likelihood_ + self.log_volume_  # L_i X_i: the volume inside the contour, not the shell
    self.logz_ = float(np.logaddexp.reduce(log_w))
    self.log_weights_ = log_w - self.logz_
    self.weights_ = np.exp(self.log_weights_)


al.bayes.NestedSampler._finish = _finish_enclosed_volume
"""

# ABC-SMC's importance weight is prior / sum_j w_j K(theta | theta_j); this drops the denominator.
_SMC_WEIGHTS_WITHOUT_KERNEL = """
import numpy as np
from astrolab.bayes import _abc

_abc._log_kernel_mixture = lambda new, old, log_w_old, cov: np.zeros(len(new))
"""

MUTANTS: list[Mutant] = [
    Mutant("04-03", "weights-without-volume",
           "the dead points' posterior weights are their likelihoods L_i alone, forgetting the prior volume "
           "X_{i-1} - X_i that each stands for (the posterior piles up at the peak)",
           prelude=_NESTED_WEIGHTS_BY_LIKELIHOOD),
    Mutant("04-03", "enclosed-volume",
           "each dead point is weighted by the whole prior volume X_i inside its contour instead of the shell "
           "X_{i-1} - X_i between two contours (ln Z too high by about ln n_live)",
           prelude=_NESTED_ENCLOSED_VOLUME),
    Mutant("04-04", "moped-diagonal-covariance",
           "the MOPED vectors are built from the diagonal of the covariance (the correlations between "
           "neighbouring band powers ignored), so the compressed numbers do not have unit variance",
           replace=[("vectors = al.bayes.moped_vectors(dmu, data.cov)",
                     "vectors = al.bayes.moped_vectors(dmu, np.diag(np.diag(data.cov)))")]),
    Mutant("04-04", "derivative-step",
           "the central finite difference is divided by h instead of 2h: the model derivatives come out "
           "twice too large and the Fisher forecast errors twice too small",
           replace=[("/ (2 * step[j])", "/ step[j]")]),
    Mutant("04-04", "design-sorted",
           "the emulator is fitted to the design sorted column by column, so the training spectra no longer "
           "sit at the parameters they were computed at",
           replace=[(".fit(design, np.log(train))", ".fit(np.sort(design, axis=0), np.log(train))")]),
    Mutant("04-05", "smc-weights-without-kernel",
           "ABC-SMC weights each new particle by its prior density alone, forgetting to divide by the "
           "perturbation kernel mixture sum_j w_j K(theta | theta_j) it was proposed from",
           prelude=_SMC_WEIGHTS_WITHOUT_KERNEL),
    Mutant("04-05", "simulator-without-velocity-errors",
           "the forward model leaves out the 1 km/s measurement errors that the observed velocities carry "
           "(the dispersion is all gravity: the mass comes out too high)",
           replace=[(" + obs.velocity_error * rng.standard_normal(v_unit.shape)", "")]),
    Mutant("04-05", "fixed-six-generations",
           "ABC-SMC stops after a fixed 6 generations, at a tolerance of about twice the summaries' own noise "
           "(the posterior comes out too wide)",
           replace=[("n_generations=20, min_acceptance_rate=MIN_ACCEPTANCE", "n_generations=6")]),
]
