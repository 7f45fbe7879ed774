"""A readable random-walk Metropolis sampler with an emcee-like interface, and MCMC diagnostics."""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable

import numpy as np

from astrolab._validation import as_float_array, check_array, check_real, check_rng, check_size

__all__ = ["AutocorrError", "AutocorrWarning", "Metropolis", "autocorr_time", "effective_sample_size", "split_rhat"]


class AutocorrError(ValueError):
    """The chain is too short to trust its autocorrelation time (fewer than ``tol * tau`` steps).

    ``tau`` holds the estimate per parameter: a lower bound, since a short chain cannot see the
    correlations that outlast it. Run the chain longer (as emcee's ``AutocorrError``).
    """

    def __init__(self, message: str, tau):
        super().__init__(message)
        self.tau = as_float_array("tau", tau)


class AutocorrWarning(UserWarning):
    """Issued instead of :class:`AutocorrError` when ``quiet=True``."""


def _as_steps_walkers_dims(chain, what: str = "chain"):
    chain = as_float_array("chain", chain)
    if chain.ndim == 1:
        chain = chain[:, None, None]
    elif chain.ndim == 2:
        chain = chain[:, None, :]
    if chain.ndim != 3:
        raise ValueError(f"{what} must be (n_steps[, n_walkers][, n_dim]), got shape {np.shape(chain)}")
    bad = ~np.isfinite(chain)
    if bad.any():
        raise ValueError(f"{what} must be finite, got {int(bad.sum())} NaN or inf value(s) of {chain.size}")
    return chain


def _autocorr_1d(x):
    """Normalised autocorrelation function of a 1-D series, by FFT."""
    x = as_float_array("x", x) - np.mean(x)
    n = len(x)
    size = 1 << (2 * n - 1).bit_length()
    f = np.fft.rfft(x, n=size)
    acf = np.fft.irfft(f * np.conj(f), n=size)[:n]
    return acf / acf[0] if acf[0] > 0 else np.ones(n)


def autocorr_time(chain, c: float = 5.0, *, tol: float = 50, quiet: bool = False):
    """Integrated autocorrelation time of each parameter, with Sokal's automatic window.

    ``tau = 1 + 2 sum_{t=1}^{M} rho(t)``, with the smallest window ``M >= c tau`` (Sokal 1997, as in
    emcee). Chains from several walkers are averaged in the autocorrelation function first
    (Goodman & Weare 2010). The estimate is only trustworthy from a chain much longer than ``tau``:
    a chain shorter than ``tol * tau`` steps (emcee's rule, ``tol = 50``) cannot see the
    correlations that outlast it, and its ``tau`` is too small, so its effective sample size too
    large. Such a chain raises :class:`AutocorrError` (or warns, with ``quiet=True``).

    Parameters
    ----------
    chain : array_like
        ``(n_steps,)``, ``(n_steps, n_dim)`` or ``(n_steps, n_walkers, n_dim)`` (emcee's layout).
    c : float, default 5
        Window constant.
    tol : float, default 50
        Minimum chain length in units of ``tau``; 0 switches the check off.
    quiet : bool, default False
        With a chain that is too short, warn (:class:`AutocorrWarning`) and return the estimate
        instead of raising.

    Returns
    -------
    ndarray
        ``tau`` per parameter, in steps; ``inf`` for a parameter that never changes (a stuck chain,
        which raises :class:`AutocorrError` unless ``tol=0`` or ``quiet=True``).

    Raises
    ------
    AutocorrError
        ``n_steps < tol * tau`` for some parameter (its ``tau`` attribute holds the estimate).
    ValueError
        The chain holds NaN or inf.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = np.zeros(20000)
    >>> for t in range(1, 20000):   # AR(1) with rho = 0.9: tau = (1 + rho) / (1 - rho) = 19
    ...     x[t] = 0.9 * x[t - 1] + rng.standard_normal()
    >>> bool(16 < autocorr_time(x)[0] < 22)
    True
    >>> autocorr_time(x[:500])
    Traceback (most recent call last):
    ...
    astrolab.bayes._mcmc.AutocorrError: chain too short: 500 steps < 50 tau = ... steps (tau >= ... steps ...
    """
    chain = _as_steps_walkers_dims(chain)
    if chain.shape[0] < 4:
        raise ValueError(f"chain must be (n_steps[, n_walkers][, n_dim]) with at least 4 steps, got {chain.shape}")
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not 0 <= tol < np.inf:
        raise ValueError(f"tol must be a number >= 0, got {tol!r}")
    c = check_real("c", c, min=0, min_inclusive=False)
    n_steps, n_walkers, n_dim = chain.shape
    taus = np.empty(n_dim)
    for d in range(n_dim):
        if np.all(np.ptp(chain[:, :, d], axis=0) == 0):  # stuck: the chain never decorrelates
            taus[d] = np.inf
            continue
        rho = np.mean([_autocorr_1d(chain[:, w, d]) for w in range(n_walkers)], axis=0)
        cumulative = 2 * np.cumsum(rho) - 1
        window = (np.arange(n_steps) >= c * cumulative) & (cumulative > 0)  # a negative sum is noise, no tau
        if window.any():
            taus[d] = cumulative[int(np.argmax(window))]
        else:  # the chain is shorter than c tau for every window: the largest partial sum (>= 1), a lower bound
            taus[d] = np.max(cumulative)
    stuck = np.flatnonzero(np.isinf(taus))
    if tol > 0 and stuck.size:
        message = (f"parameter(s) {stuck.tolist()} never change over the chain's {n_steps} steps: the sampler is "
                   f"stuck and tau is infinite (check the proposal scale and the starting point)")
        if not quiet:
            raise AutocorrError(message, taus)
        warnings.warn(message, AutocorrWarning, stacklevel=2)
    elif tol > 0 and np.any(n_steps < tol * taus):
        message = (f"chain too short: {n_steps} steps < {tol:g} tau = {tol * taus.max():.0f} steps "
                   f"(tau >= {np.round(taus, 1).tolist()} steps is a lower bound; run the chain longer)")
        if not quiet:
            raise AutocorrError(message, taus)
        warnings.warn(message, AutocorrWarning, stacklevel=2)
    return taus


def effective_sample_size(chain, *, tol: float = 50, quiet: bool = False):
    """Number of independent samples a chain is worth: ``n_steps * n_walkers / tau`` per parameter.

    ``tol`` and ``quiet`` as in :func:`autocorr_time`: a chain shorter than ``tol * tau`` raises
    :class:`AutocorrError`, because its ``tau`` is underestimated and its effective size overstated.
    """
    chain = _as_steps_walkers_dims(chain)
    return chain.shape[0] * chain.shape[1] / autocorr_time(chain, tol=tol, quiet=quiet)


def split_rhat(chain, *, rank_normalize: bool = False):
    """Split potential scale reduction factor R-hat of independent chains, per parameter.

    Each chain is cut into halves (dropping the middle step of an odd length), so ``m`` pieces of
    ``n`` steps. With piece means ``mean_j``, piece variances ``s_j^2`` (``ddof=1``), the mean
    within-piece variance ``W = mean(s_j^2)`` and the between-piece variance
    ``B = n var(mean_j, ddof=1)``, the pooled variance estimate is ``var+ = (n - 1) / n W + B / n``
    and ``R-hat = sqrt(var+ / W)`` (Gelman et al. 2013, *Bayesian Data Analysis*, 3rd ed., sec. 11.4).
    Chains that sample the same distribution give R-hat close to 1; chains stuck in different
    modes, or still drifting, give R-hat well above 1 (1.1 is the classic alarm, 1.01 the
    modern one). Start the chains from dispersed points: chains that all start in one mode can
    agree perfectly about the wrong answer.

    Parameters
    ----------
    chain : array_like
        ``(n_steps, n_chains, n_dim)`` (emcee's and :meth:`Metropolis.get_chain`'s layout);
        ``(n_steps,)`` or ``(n_steps, n_dim)`` is one chain (split R-hat then compares its two halves).
        The chains should be independent: emcee's walkers are not, strictly.
    rank_normalize : bool, default False
        Vehtari et al. (2021): compute R-hat on the normal scores of the ranks of all draws, and on
        those of their distances from the median (the "folded" draws), and return the larger: robust
        to heavy tails and sensitive to chains that differ in width.

    Returns
    -------
    ndarray
        R-hat per parameter.

    Examples
    --------
    Two chains of four steps, worked by hand: the pieces ``[0, 1], [0, 1], [2, 3], [2, 3]`` have
    means ``0.5, 0.5, 2.5, 2.5`` and variances ``0.5``, so ``W = 0.5``, ``B = 2 * 4 / 3 = 8/3``,
    ``var+ = W / 2 + B / 2 = 19/12`` and ``R-hat = sqrt(19/6)``:

    >>> chains = np.array([[0, 2], [1, 3], [0, 2], [1, 3]])[:, :, None]   # (n_steps, n_chains, n_dim)
    >>> print(f"{split_rhat(chains)[0]:.4f} = {np.sqrt(19 / 6):.4f}")
    1.7795 = 1.7795
    >>> rng = np.random.default_rng(0)
    >>> bool(abs(split_rhat(rng.standard_normal((2000, 4, 1)))[0] - 1) < 0.01)
    True
    """
    chain = _as_steps_walkers_dims(chain)
    n_steps, n_chains, n_dim = chain.shape
    half = n_steps // 2
    if half < 2:
        raise ValueError(f"chain must have at least 4 steps to split, got {n_steps}")
    pieces = np.concatenate([chain[:half], chain[n_steps - half:]], axis=1)   # (n, 2 n_chains, n_dim)
    if rank_normalize:
        from scipy import stats

        def normal_scores(z):
            flat = z.reshape(-1, n_dim)
            ranks = np.column_stack([stats.rankdata(flat[:, d]) for d in range(n_dim)])
            return stats.norm.ppf((ranks - 3 / 8) / (len(flat) + 1 / 4)).reshape(z.shape)

        folded = np.abs(pieces - np.median(pieces.reshape(-1, n_dim), axis=0))
        return np.maximum(_rhat(normal_scores(pieces)), _rhat(normal_scores(folded)))
    return _rhat(pieces)


def _rhat(pieces):
    n = pieces.shape[0]
    within = np.mean(np.var(pieces, axis=0, ddof=1), axis=0)
    between = n * np.var(np.mean(pieces, axis=0), axis=0, ddof=1)
    var_plus = (n - 1) / n * within + between / n
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt(var_plus / within)


class Metropolis:
    """Random-walk Metropolis sampling of a probability density known up to a constant.

    From the current point ``x`` propose ``x' = x + step * z`` with ``z ~ N(0, I)`` (or ``N(0, cov)``);
    accept it with probability ``min(1, p(x') / p(x))``, else stay at ``x`` (Metropolis et al.
    1953). The interface follows emcee's ``EnsembleSampler``: ``run_mcmc``, ``get_chain``,
    ``acceptance_fraction``, ``get_autocorr_time``, with ``n_walkers`` independent chains.

    Parameters
    ----------
    log_prob : callable
        ``log_prob(x) -> float``, the log of the (unnormalised) target density; ``-inf`` outside
        its support.
    n_dim : int
        Number of parameters.
    step : float or array_like, default 1
        Proposal scale: a number, one per parameter, or a covariance matrix ``(n_dim, n_dim)``.
    n_walkers : int, default 1
        Independent chains run side by side (not an ensemble: they do not talk to each other).
    seed : int or numpy.random.Generator, optional

    Examples
    --------
    >>> sampler = Metropolis(lambda x: -0.5 * float(x @ x), n_dim=2, step=2.4 / np.sqrt(2), seed=1)
    >>> chain = sampler.run_mcmc(np.zeros(2), 20000)
    >>> bool(np.all(np.abs(chain[2000:].mean(axis=(0, 1))) < 0.1)), bool(0.3 < sampler.acceptance_fraction[0] < 0.5)
    (True, True)
    """

    def __init__(self, log_prob: Callable, n_dim: int, *, step=1.0, n_walkers: int = 1, seed=None):
        if not callable(log_prob):
            raise ValueError(f"log_prob must be a callable returning a float, got {type(log_prob).__name__}")
        if not (isinstance(n_dim, (int, np.integer)) and not isinstance(n_dim, bool) and n_dim >= 1):
            raise ValueError(f"n_dim must be a positive integer, got {n_dim!r}")
        if not (isinstance(n_walkers, (int, np.integer)) and not isinstance(n_walkers, bool) and n_walkers >= 1):
            raise ValueError(f"n_walkers must be a positive integer, got {n_walkers!r}")
        check_size("n_dim", 8.0 * (n_dim * n_dim + 4 * n_walkers * n_dim), request=f"n_dim={n_dim}")
        step = check_array("step", step, finite=False)
        if step.ndim == 0 or step.shape == (n_dim,):
            if not np.all(step > 0):
                raise ValueError(f"step must be positive, got {step!r}")
            self._chol = np.diag(np.broadcast_to(step, (n_dim,)))
        elif step.shape == (n_dim, n_dim):
            try:
                self._chol = np.linalg.cholesky(step)
            except np.linalg.LinAlgError:
                raise ValueError("step given as a matrix must be a positive-definite covariance") from None
        else:
            raise ValueError(f"step must be a number, {n_dim} numbers or a {n_dim}x{n_dim} covariance, "
                             f"got shape {step.shape}")
        self.log_prob, self.n_dim, self.n_walkers = log_prob, int(n_dim), int(n_walkers)
        self.rng = check_rng("seed", seed)  # a Generator passes through unchanged
        self.reset()

    def reset(self):
        """Forget the chain (keeps the settings)."""
        self._chain = np.empty((0, self.n_walkers, self.n_dim))
        self._log_prob = np.empty((0, self.n_walkers))
        self._accepted = np.zeros(self.n_walkers, dtype=int)
        self.n_calls = 0

    def _call(self, x):
        self.n_calls += 1
        value = float(self.log_prob(x))
        if np.isnan(value):
            raise ValueError(f"log_prob returned NaN at {x!r}; return -inf outside the support instead")
        return value

    def run_mcmc(self, initial_state, n_steps: int, *, progress: bool = False):
        """Advance every walker ``n_steps`` steps from ``initial_state`` (``(n_dim,)`` or
        ``(n_walkers, n_dim)``; ``None`` continues from the last state). Returns the whole chain,
        ``(n_steps_total, n_walkers, n_dim)``."""
        if not (isinstance(n_steps, (int, np.integer)) and not isinstance(n_steps, bool) and n_steps >= 1):
            raise ValueError(f"n_steps must be a positive integer, got {n_steps!r}")
        # the new steps of the chain and their log-probabilities, then the whole chain concatenated
        check_size("n_steps", 8.0 * 2 * (n_steps + len(self._chain)) * self.n_walkers * (self.n_dim + 1),
                   request=f"n_steps={n_steps} for {self.n_walkers} walkers in {self.n_dim} dimensions")
        if initial_state is None:
            if not len(self._chain):
                raise ValueError("initial_state is None but there is no chain to continue")
            x = self._chain[-1].copy()
            lp = self._log_prob[-1].copy()
        else:
            x = np.array(np.broadcast_to(as_float_array("initial_state", initial_state), (self.n_walkers, self.n_dim)))
            lp = np.array([self._call(xi) for xi in x])
            if not np.all(np.isfinite(lp)):
                raise ValueError("log_prob is -inf at the initial state: start inside the support")
        chain = np.empty((n_steps, self.n_walkers, self.n_dim))
        lps = np.empty((n_steps, self.n_walkers))
        steps = range(n_steps)
        if progress:
            from tqdm.auto import tqdm

            steps = tqdm(steps, desc="Metropolis")
        for t in steps:
            proposal = x + self.rng.standard_normal((self.n_walkers, self.n_dim)) @ self._chol.T
            log_u = np.log(self.rng.random(self.n_walkers))
            for w in range(self.n_walkers):
                lp_new = self._call(proposal[w])
                if log_u[w] < lp_new - lp[w]:        # accept with probability min(1, p'/p)
                    x[w], lp[w] = proposal[w], lp_new
                    self._accepted[w] += 1
            chain[t], lps[t] = x, lp
        self._chain = np.concatenate([self._chain, chain])
        self._log_prob = np.concatenate([self._log_prob, lps])
        return self._chain

    def get_chain(self, *, discard: int = 0, thin: int = 1, flat: bool = False):
        """The chain after dropping ``discard`` steps of burn-in and keeping every ``thin``-th step;
        ``flat=True`` merges the walkers."""
        chain = self._chain[discard::thin]
        return chain.reshape(-1, self.n_dim) if flat else chain

    def get_log_prob(self, *, discard: int = 0, thin: int = 1, flat: bool = False):
        lp = self._log_prob[discard::thin]
        return lp.ravel() if flat else lp

    @property
    def acceptance_fraction(self):
        """Fraction of accepted proposals, per walker."""
        n = max(len(self._chain), 1)
        return self._accepted / n

    def get_autocorr_time(self, *, discard: int = 0, tol: float = 50, quiet: bool = False):
        """Integrated autocorrelation time per parameter (:func:`autocorr_time`; raises
        :class:`AutocorrError` when the chain is shorter than ``tol`` times it)."""
        return autocorr_time(self.get_chain(discard=discard), tol=tol, quiet=quiet)
