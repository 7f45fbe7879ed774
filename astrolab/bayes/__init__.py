"""Chapter 4 (Bayesian analysis): Metropolis, nested sampling, ABC and emulators.

- :class:`Metropolis` -- a random-walk Metropolis sampler with emcee's interface;
- :func:`autocorr_time`, :func:`effective_sample_size` -- how many independent samples a chain is worth.
"""

from astrolab.bayes._mcmc import Metropolis, autocorr_time, effective_sample_size

__all__ = ["Metropolis", "autocorr_time", "effective_sample_size"]
