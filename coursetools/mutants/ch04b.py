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
]
