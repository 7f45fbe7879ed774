"""A sparse (group-LASSO) periodogram: the fewest sinusoids that explain a light curve."""

from __future__ import annotations

import numpy as np
from scipy import optimize, special
from sklearn.base import BaseEstimator

from astrolab.sparse._lasso import fista

__all__ = ["LassoPeriodogram"]


def _design(t, f_start, step, n_f, block: int = 64):
    """Columns ``sin(2 pi f t)`` for ``f = f_start + k step`` (``k < n_f``), then the ``cos`` of each ``f``.

    By angle addition, ``exp(i a (block j + m)) = exp(i a block j) exp(i a m)``: two small tables of
    exponentials and one product, instead of ``2 n_f`` sines and cosines at every time (as exact).
    """
    n_blocks = -(-n_f // block)
    coarse = np.exp(2j * np.pi * np.outer(t, f_start + step * block * np.arange(n_blocks)))
    fine = np.exp(2j * np.pi * np.outer(t, step * np.arange(block)))
    z = (coarse[:, :, None] * fine[:, None, :]).reshape(t.size, -1)[:, :n_f]
    return np.concatenate([z.imag, z.real], axis=1)


def _group_norms(beta, n_f):
    return np.hypot(beta[:n_f], beta[n_f:])


def _sinusoids(t, params):
    """Mean + sum of a_k sin + b_k cos at free frequencies; params = [c, f_1.., a_1.., b_1..]."""
    k = (len(params) - 1) // 3
    f, a, b = params[1:1 + k], params[1 + k:1 + 2 * k], params[1 + 2 * k:]
    arg = 2 * np.pi * np.outer(t, f)
    return params[0] + np.sin(arg) @ a + np.cos(arg) @ b


def _sinusoids_jacobian(t, params):
    """Derivatives of :func:`_sinusoids` with respect to ``params``, shape ``(t.size, params.size)``."""
    k = (len(params) - 1) // 3
    f, a, b = params[1:1 + k], params[1 + k:1 + 2 * k], params[1 + 2 * k:]
    arg = 2 * np.pi * np.outer(t, f)
    sin, cos = np.sin(arg), np.cos(arg)
    d_f = 2 * np.pi * t[:, None] * (a * cos - b * sin)
    return np.concatenate([np.ones((t.size, 1)), d_f, sin, cos], axis=1)


def _rises(before, after):
    """Whether the BIC rose: by more than the refit's precision (the same model refitted is a tie, not a rise)."""
    return after > before + 1e-6 * abs(before)


class _SparseInput:
    """A dense matrix as an operator for :func:`fista` whose products with ``x`` skip the zeros of ``x``.

    FISTA's iterates on the screened frequencies are mostly zero, so ``X @ x`` over the non-zero columns
    costs a fraction of the full product (``X^T @ y`` stays dense).
    """

    def __init__(self, matrix):
        self.matrix = matrix
        self.shape = matrix.shape

    def matvec(self, x):
        nz = np.flatnonzero(x)
        if nz.size > self.shape[1] // 4:
            return self.matrix @ x
        return self.matrix[:, nz] @ x[nz]

    def rmatvec(self, y):
        return self.matrix.T @ y


class LassoPeriodogram(BaseEstimator):
    """Sparse spectrum of an unevenly sampled time series by (group) LASSO over a frequency grid.

    The light curve is modelled as ``y(t) = c + sum_j a_j sin(2 pi f_j t) + b_j cos(2 pi f_j t)`` on a
    grid of frequencies ``f_j``, with more columns than data (``2 n_freq > n_obs``), and the
    weighted LASSO ``1/2 sum ((y - model) / sigma)^2 + lam sum_j ||(a_j, b_j)||`` picks the few
    frequencies that matter (Kato & Uemura 2012). ``group=True`` penalises each sine/cosine pair
    together, so the answer does not depend on the phase. ``lam`` is chosen along a path from
    ``lam_max`` (nothing selected) by the Bayesian information criterion of the least-squares
    refit of the selected frequencies (``"bic"``, the extended BIC, see ``ebic_gamma``), or fixed.
    The selected frequencies are then refined by non-linear least squares, which also gives their
    uncertainties.

    Parameters
    ----------
    fmin, fmax : float
        Frequency range in cycles per unit of time (e.g. 1/d).
    oversampling : float, default 5
        Grid step ``1 / (oversampling * T)`` with ``T`` the time span.
    lam : float or "bic", default "bic"
        The penalty, as a fraction of ``lam_max``, or chosen by BIC along ``n_lambdas`` values from 1
        down to ``lam_min_ratio``.
    group : bool, default True
        Group LASSO over (sin, cos) pairs; ``False`` is the plain LASSO.
    n_lambdas, lam_min_ratio : int, float
        The path for ``lam="bic"``.
    max_components : int, default 12
        Keep at most this many frequencies (the strongest) for the refit.
    max_iter, tol : int, float
        Iterations per ``lam`` and relative tolerance of the solver, :func:`astrolab.sparse.fista` (with
        the sine and cosine of each frequency as one group when ``group``).
    ebic_gamma : float, default 1
        Weight of the search penalty of the extended BIC (Chen & Chen 2008),
        ``chi2 + 3 k ln N + 2 gamma ln C(n_freq, k)``: with thousands of trial frequencies the best
        noise peak always improves chi2 by about ``2 ln n_freq``, so the plain BIC (``gamma = 0``)
        lets noise in. This is the look-elsewhere effect, in the language of model selection.

    Attributes
    ----------
    frequency_ : ndarray
        The grid.
    power_ : ndarray
        Amplitude ``sqrt(a_j^2 + b_j^2)`` at each grid frequency at the chosen ``lam``: the sparse spectrum.
    lam_ : float
        The chosen penalty (absolute).
    frequencies_, frequency_errors_, amplitudes_ : ndarray
        Refined frequencies of the selected components, strongest first, with 1-sigma errors and
        semi-amplitudes.
    bic_path_ : ndarray
        ``(lam, n_selected, BIC)`` along the path, starting at ``lam_max`` (nothing selected).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> t = np.sort(rng.uniform(0, 50, 120))
    >>> y = 0.3 * np.sin(2 * np.pi * 1.7 * t) + 0.01 * rng.standard_normal(120)
    >>> model = LassoPeriodogram(fmin=0.1, fmax=4).fit(t, y, np.full(120, 0.01))
    >>> round(float(model.frequencies_[0]), 4)
    1.7
    """

    def __init__(self, *, fmin: float = 0.05, fmax: float = 6.0, oversampling: float = 5.0, lam="bic",
                 group: bool = True, n_lambdas: int = 12, lam_min_ratio: float = 0.01, max_components: int = 12,
                 max_iter: int = 300, tol: float = 1e-4, ebic_gamma: float = 1.0):
        self.fmin = fmin
        self.fmax = fmax
        self.oversampling = oversampling
        self.lam = lam
        self.group = group
        self.n_lambdas = n_lambdas
        self.lam_min_ratio = lam_min_ratio
        self.max_components = max_components
        self.max_iter = max_iter
        self.tol = tol
        self.ebic_gamma = ebic_gamma

    def _validate(self, t, y, dy):
        t = np.asarray(t, dtype=float)
        y = np.asarray(y, dtype=float)
        dy = np.ones_like(y) if dy is None else np.asarray(dy, dtype=float)
        if t.ndim != 1 or y.shape != t.shape or dy.shape != t.shape:
            raise ValueError(f"t, y and dy must be 1-D arrays of the same length, got {t.shape}, {y.shape}, {dy.shape}")
        if t.size < 10:
            raise ValueError(f"need at least 10 measurements, got {t.size}")
        if not (np.all(np.isfinite(t)) and np.all(np.isfinite(y)) and np.all(np.isfinite(dy))):
            raise ValueError("t, y and dy must be finite (no NaN)")
        if not np.all(dy > 0):
            raise ValueError("dy must be positive")
        if not 0 <= self.fmin < self.fmax:
            raise ValueError(f"need 0 <= fmin < fmax, got fmin={self.fmin!r}, fmax={self.fmax!r}")
        if not self.ebic_gamma >= 0:
            raise ValueError(f"ebic_gamma must be non-negative, got {self.ebic_gamma!r}")
        if not self.oversampling > 0:
            raise ValueError(f"oversampling must be positive, got {self.oversampling!r}")
        if not (self.lam == "bic" or (isinstance(self.lam, (int, float)) and 0 < self.lam <= 1)):
            raise ValueError(f"lam must be 'bic' or a fraction of lam_max in (0, 1], got {self.lam!r}")
        return t, y, dy

    def fit(self, t, y, dy=None):
        """Fit the sparse spectrum of ``y(t)`` with errors ``dy``; returns ``self``."""
        t, y, dy = self._validate(t, y, dy)
        span = t.max() - t.min()
        step = 1 / (self.oversampling * span)
        freqs = np.arange(max(self.fmin, step), self.fmax, step)
        n_f = freqs.size
        w = 1 / dy
        mean = np.sum(y * w**2) / np.sum(w**2)
        r = (y - mean) * w
        X = _design(t - t.min(), freqs[0], step, n_f) * w[:, None]
        grad0 = X.T @ r
        lam_max = float(np.max(_group_norms(grad0, n_f)) if self.group else np.max(np.abs(grad0)))
        ratios = (np.geomspace(1, self.lam_min_ratio, self.n_lambdas)[1:] if self.lam == "bic" else [self.lam])
        beta = np.zeros(2 * n_f)
        chi2_null = float(np.sum(r**2))
        path = [(lam_max, 0, chi2_null)]        # lam_max: nothing selected, the constant light curve
        best = (chi2_null, lam_max, beta.copy(), None)
        lam_prev = lam_max
        for ratio in ratios:
            lam = ratio * lam_max
            beta = self._solve_screened(X, r, beta, lam, lam_prev, n_f)
            lam_prev = lam
            power = _group_norms(beta, n_f)
            picked = self._pick(power)
            refit = (self._refit(t - t.min(), y, dy, freqs[picked], beta[picked], beta[n_f + picked])
                     if picked.size else None)
            chi2 = chi2_null if refit is None else refit[1]
            k = picked.size
            bic = chi2 + 3 * k * np.log(t.size) + 2 * self.ebic_gamma * (
                special.gammaln(n_f + 1) - special.gammaln(k + 1) - special.gammaln(n_f - k + 1))
            path.append((lam, picked.size, bic))
            if bic < best[0] or self.lam != "bic":
                best = (bic, lam, beta.copy(), refit)
            if self.lam == "bic" and len(path) > 3 and _rises(path[-3][2], path[-2][2]) and _rises(path[-2][2], bic):
                break  # BIC rising twice in a row: further down the path only adds noise
            if picked.size >= self.max_components:
                break  # the dictionary's budget is spent
        _, self.lam_, beta, refit = best
        self.frequency_ = freqs
        self.power_ = _group_norms(beta, n_f)
        self.bic_path_ = np.array(path)
        self.t0_ = t.min()
        if refit is None:
            self.frequencies_ = self.frequency_errors_ = self.amplitudes_ = np.array([])
            self.params_ = np.array([mean])
        else:
            self.params_, _, errors = refit
            k = (len(self.params_) - 1) // 3
            f, a, b = self.params_[1:1 + k], self.params_[1 + k:1 + 2 * k], self.params_[1 + 2 * k:]
            order = np.argsort(-np.hypot(a, b))
            self.frequencies_ = f[order]
            self.frequency_errors_ = errors[1:1 + k][order]
            self.amplitudes_ = np.hypot(a, b)[order]
        return self

    def _score(self, corr, n_f):
        return _group_norms(corr, n_f) if self.group else np.maximum(np.abs(corr[:n_f]), np.abs(corr[n_f:]))

    def _solve_screened(self, X, r, beta, lam, lam_prev, n_f):
        """FISTA on the frequencies that the sequential strong rule keeps (Tibshirani et al. 2012),
        enlarged until the KKT conditions hold for every frequency: the exact answer, far faster."""
        grid = _SparseInput(X)
        corr = grid.rmatvec(r - grid.matvec(beta))
        keep = (self._score(corr, n_f) >= 2 * lam - lam_prev) | (_group_norms(beta, n_f) > 0)
        previous = beta
        while True:
            idx = np.flatnonzero(keep)
            cols = np.concatenate([idx, n_f + idx])
            sub = X[:, cols]
            L = float(np.linalg.eigvalsh(sub @ sub.T)[-1]) if idx.size else 1.0  # ||sub||_2^2, cheaply
            beta = np.zeros(2 * n_f)
            if idx.size:  # warm start; with group=True the sine and cosine of a frequency are one group
                groups = np.tile(np.arange(idx.size), 2) if self.group else None
                beta[cols], _ = fista(_SparseInput(sub), r, lam, x0=previous[cols], lipschitz=L, groups=groups,
                                      max_iter=self.max_iter, tol=self.tol)
            corr = grid.rmatvec(r - grid.matvec(beta))
            violated = (self._score(corr, n_f) > lam * (1 + 1e-3)) & ~keep
            if not violated.any():
                return beta
            keep |= violated

    def _pick(self, power):
        """Local maxima of the sparse spectrum (adjacent grid frequencies share one peak), strongest first."""
        nz = np.flatnonzero(power > 0)
        if nz.size == 0:
            return nz
        peaks = [k for k in nz if power[k] >= power[max(k - 1, 0)] and power[k] >= power[min(k + 1, power.size - 1)]]
        peaks = np.array(sorted(peaks, key=lambda k: -power[k]))
        return peaks[: self.max_components]

    @staticmethod
    def _refit(t, y, dy, f0, a0, b0):
        def resid(p):
            return (y - _sinusoids(t, p)) / dy

        def jac(p):  # exact derivatives: one evaluation instead of one per parameter by finite differences
            return -_sinusoids_jacobian(t, p) / dy[:, None]
        p0 = np.concatenate([[np.average(y, weights=dy**-2)], f0, a0, b0])
        sol = optimize.least_squares(resid, p0, jac=jac, method="lm", x_scale="jac")
        k = f0.size
        flip = sol.x[1:1 + k] < 0   # sin(-x) = -sin(x): a negative frequency is the same sinusoid
        sol.x[1:1 + k][flip] *= -1
        sol.x[1 + k:1 + 2 * k][flip] *= -1
        chi2 = float(np.sum(sol.fun**2))
        try:
            cov = np.linalg.inv(sol.jac.T @ sol.jac) * max(chi2 / max(t.size - sol.x.size, 1), 1.0)
            errors = np.sqrt(np.clip(np.diag(cov), 0, None))
        except np.linalg.LinAlgError:
            errors = np.full(sol.x.size, np.nan)
        return sol.x, chi2, errors

    def predict(self, t):
        """The refined model light curve at times ``t``."""
        if not hasattr(self, "params_"):
            raise ValueError("this LassoPeriodogram is not fitted yet: call fit(t, y, dy) first")
        return _sinusoids(np.asarray(t, float) - self.t0_, self.params_)
