"""Chapter 4 (Bayesian analysis): Metropolis, nested sampling, ABC and emulators.

- :class:`Metropolis` -- a random-walk Metropolis sampler with emcee's interface;
- :class:`NestedSampler` -- Skilling's nested sampling with (multi-)ellipsoidal bounds: evidence and posterior;
- :func:`abc_rejection`, :func:`abc_smc` -- approximate Bayesian computation from a simulator;
- :class:`Emulator`, :func:`latin_hypercube`, :func:`moped_vectors`, :func:`fisher_matrix` -- cheap
  stand-ins for expensive likelihoods, and data compression;
- :func:`autocorr_time`, :func:`effective_sample_size` -- how many independent samples a chain is worth
  (:class:`AutocorrError` when it is too short to tell);
- :func:`split_rhat` -- do independent chains agree (the Gelman-Rubin diagnostic, split)?
"""

from astrolab.bayes._abc import abc_rejection, abc_smc, euclidean_distance
from astrolab.bayes._emulator import Emulator, fisher_matrix, latin_hypercube, moped_vectors
from astrolab.bayes._mcmc import (
    AutocorrError,
    AutocorrWarning,
    Metropolis,
    autocorr_time,
    effective_sample_size,
    split_rhat,
)
from astrolab.bayes._nested import NestedSampler

__all__ = [
    "AutocorrError",
    "AutocorrWarning",
    "Emulator",
    "Metropolis",
    "NestedSampler",
    "abc_rejection",
    "abc_smc",
    "autocorr_time",
    "effective_sample_size",
    "euclidean_distance",
    "fisher_matrix",
    "latin_hypercube",
    "moped_vectors",
    "split_rhat",
]
