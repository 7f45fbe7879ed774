"""Chapter 4 (Bayesian analysis): Metropolis, nested sampling, ABC and emulators.

- :class:`Metropolis` -- a random-walk Metropolis sampler with emcee's interface;
- :class:`NestedSampler` -- Skilling's nested sampling with (multi-)ellipsoidal bounds: evidence and posterior;
- :func:`autocorr_time`, :func:`effective_sample_size` -- how many independent samples a chain is worth.
"""

from astrolab.bayes._mcmc import Metropolis, autocorr_time, effective_sample_size
from astrolab.bayes._nested import NestedSampler

__all__ = ["Metropolis", "NestedSampler", "autocorr_time", "effective_sample_size"]
