"""Extreme deconvolution: a Gaussian mixture fitted to noisy data, with each point's own errors.

Every observed point ``x_i = v_i + e_i`` is a draw ``v_i`` from an intrinsic density (a mixture of
Gaussians) blurred by a known, point-specific Gaussian error ``e_i ~ N(0, S_i)``. A plain Gaussian
mixture fits the blurred density, whose components are too wide by the errors. Extreme
deconvolution (XD; Bovy, Hogg & Roweis 2011, Ann. Appl. Stat. 5, 1657) maximises the likelihood of
the *observed* points under the *intrinsic* mixture convolved with each point's error,

    p(x_i) = sum_j alpha_j N(x_i | m_j, V_j + S_i),

by expectation-maximisation (their eqs. 15-19 in the E step, 20-22 in the M step).
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, DensityMixin
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from sklearn.utils.validation import check_is_fitted

from astrolab._validation import as_float_array, validate_X

__all__ = ["ExtremeDeconvolution"]

_LOG_2PI = np.log(2.0 * np.pi)


def _int_seed(random_state):
    """An int (or None) seed for scikit-learn from an int, a numpy Generator or None."""
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**31 - 1))
    return random_state


def _inv_logdet(T):
    """Inverses and log-determinants of a stack of symmetric positive-definite matrices (..., d, d).

    Closed form for d <= 2 (colour-magnitude diagrams), which is several times faster than
    LAPACK called once per tiny matrix; :func:`numpy.linalg.inv` otherwise.
    """
    d = T.shape[-1]
    if d == 1:
        return 1.0 / T, np.log(T[..., 0, 0])
    if d == 2:
        a, b, c = T[..., 0, 0], T[..., 0, 1], T[..., 1, 1]
        det = a * c - b * b
        inv = np.stack([np.stack([c, -b], -1), np.stack([-b, a], -1)], -2) / det[..., None, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            return inv, np.log(det)
    return np.linalg.inv(T), np.linalg.slogdet(T)[1]


class ExtremeDeconvolution(DensityMixin, BaseEstimator):
    """Gaussian mixture model of the error-free density behind noisy data (extreme deconvolution).

    EM of Bovy, Hogg & Roweis (2011). With ``T_ij = V_j + S_i`` the E step computes, for each point
    ``i`` and component ``j``, the responsibility ``q_ij`` (proportional to
    ``alpha_j N(x_i | m_j, T_ij)``), the expected intrinsic position
    ``b_ij = m_j + V_j T_ij^-1 (x_i - m_j)`` and its covariance ``B_ij = V_j - V_j T_ij^-1 V_j``;
    the M step sets ``alpha_j = q_j / n``, ``m_j = sum_i q_ij b_ij / q_j`` and
    ``V_j = sum_i q_ij [(b_ij - m_j)(b_ij - m_j)^T + B_ij] / q_j`` (plus ``reg_covar`` on the
    diagonal), with ``q_j = sum_i q_ij``. With all ``S_i = 0`` this is the EM of an ordinary
    Gaussian mixture (:class:`sklearn.mixture.GaussianMixture`, full covariances).

    The errors are passed to :meth:`fit` as the keyword ``X_err``; ``fit(X)`` alone means zero
    errors (this keeps the scikit-learn signature ``fit(X, y=None)``, so the estimator passes
    :func:`~sklearn.utils.estimator_checks.parametrize_with_checks`).

    Parameters
    ----------
    n_components : int, default 1
        Number of Gaussian components.
    max_iter : int, default 200
        Maximum number of EM iterations.
    tol : float, default 1e-5
        Convergence threshold on the change of the mean log-likelihood per point.
    reg_covar : float, default 1e-6
        Added to the diagonal of every intrinsic covariance after each M step (the regulariser ``w``
        of Bovy et al.; keeps a component from collapsing onto one point).
    init_params : {"kmeans", "gmm"}, default "kmeans"
        Start from :class:`sklearn.cluster.KMeans` clusters (their weights, centres and
        covariances) or from a :class:`~sklearn.mixture.GaussianMixture` fitted to the noisy data.
    random_state : int, numpy Generator or None
        Seed of the initialisation and the default seed of :meth:`sample`.

    Attributes
    ----------
    weights_ : ndarray, shape (n_components,)
    means_ : ndarray, shape (n_components, n_features)
    covariances_ : ndarray, shape (n_components, n_features, n_features)
        Intrinsic (deconvolved) covariances.
    n_iter_ : int
        EM iterations done.
    converged_ : bool
    lower_bound_ : float
        Mean log-likelihood per point of the training data at the last iteration.
    lower_bounds_ : list of float
        The same at every iteration (it never decreases, up to ``reg_covar``).
    n_features_in_ : int

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> truth = rng.normal(0.0, 1.0, (2000, 1))                 # intrinsic width 1
    >>> sigma = rng.uniform(0.5, 2.0, 2000)                      # each point's own error
    >>> x = truth + sigma[:, None] * rng.standard_normal((2000, 1))
    >>> xd = ExtremeDeconvolution(random_state=0).fit(x, X_err=sigma[:, None, None] ** 2)
    >>> bool(abs(np.sqrt(xd.covariances_[0, 0, 0]) - 1.0) < 0.1), bool(x.std() > 1.5)
    (True, True)
    """

    def __init__(self, n_components=1, *, max_iter=200, tol=1e-5, reg_covar=1e-6, init_params="kmeans",
                 random_state=None):
        self.n_components = n_components
        self.max_iter = max_iter
        self.tol = tol
        self.reg_covar = reg_covar
        self.init_params = init_params
        self.random_state = random_state

    # ------------------------------------------------------------------ validation
    def _check_params(self, n_samples):
        k = self.n_components
        if not (isinstance(k, (int, np.integer)) and not isinstance(k, bool) and k >= 1):
            raise ValueError(f"n_components must be a positive integer, got {k!r}")
        max_iter = self.max_iter
        if not (isinstance(max_iter, (int, np.integer)) and not isinstance(max_iter, bool) and max_iter >= 1):
            raise ValueError(f"max_iter must be a positive integer, got {self.max_iter!r}")
        if not (isinstance(self.tol, numbers.Real) and not isinstance(self.tol, bool) and 0 <= self.tol < np.inf):
            raise ValueError(f"tol must be a non-negative number, got {self.tol!r}")
        if not (isinstance(self.reg_covar, numbers.Real) and not isinstance(self.reg_covar, bool)
                and 0 <= self.reg_covar < np.inf):
            raise ValueError(f"reg_covar must be a non-negative number, got {self.reg_covar!r}")
        if self.init_params not in ("kmeans", "gmm"):
            raise ValueError(f"init_params must be 'kmeans' or 'gmm', got {self.init_params!r}")
        if n_samples < k:
            raise ValueError(f"Expected n_samples >= n_components but got n_components = {k}, "
                             f"n_samples = {n_samples}")

    @staticmethod
    def _check_errors(X_err, n, d):
        """Error covariances as an (n, d, d) array, or a (1, d, d) zero array when ``X_err`` is None."""
        if X_err is None:
            return np.zeros((1, d, d))
        S = as_float_array("X_err", X_err)
        if S.shape != (n, d, d):
            raise ValueError(f"X_err must hold one {d}x{d} error covariance per point, shape ({n}, {d}, {d}); "
                             f"got shape {S.shape}")
        if not np.all(np.isfinite(S)):
            raise ValueError("X_err contains NaN or infinity")
        if not np.allclose(S, np.swapaxes(S, 1, 2)):
            raise ValueError("X_err must hold symmetric covariance matrices")
        if np.any(np.einsum("nii->ni", S) < 0):
            raise ValueError("X_err has negative variances on the diagonal")
        return S

    # ------------------------------------------------------------------ EM
    def _initialize(self, X):
        n, d = X.shape
        k = self.n_components
        seed = _int_seed(self.random_state)
        if self.init_params == "gmm":
            gmm = GaussianMixture(k, covariance_type="full", reg_covar=max(self.reg_covar, 1e-6),
                                  random_state=seed)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                gmm.fit(X)
            return gmm.weights_.copy(), gmm.means_.copy(), gmm.covariances_.copy()
        labels = KMeans(k, n_init=1, random_state=seed).fit(X).labels_
        total = np.atleast_2d(np.cov(X.T)) if n > 1 else np.zeros((d, d))
        floor = max(self.reg_covar, 1e-6 * max(float(np.trace(total)) / d, 1e-12))
        weights, means, covs = np.empty(k), np.empty((k, d)), np.empty((k, d, d))
        for j in range(k):
            members = X[labels == j]
            weights[j] = max(len(members), 1) / n
            means[j] = members.mean(axis=0) if len(members) else X[j % n]
            covs[j] = np.atleast_2d(np.cov(members.T)) if len(members) > 1 else total / k
            covs[j] += floor * np.eye(d)
        return weights / weights.sum(), means, covs

    def _e_step(self, X, S, weights, means, covs):
        """Log responsibilities, per-point log-likelihoods, and per component T^-1 (x - m) and T^-1."""
        n, d = X.shape
        k = len(weights)
        log_prob = np.empty((n, k))
        tinv_diff, tinv = [], []
        for j in range(k):
            T = covs[j] + S  # (n or 1, d, d)
            Tinv, logdet = _inv_logdet(T)
            diff = X - means[j]
            td = np.matmul(Tinv, diff[:, :, None])[:, :, 0]
            maha = np.einsum("na,na->n", diff, td)
            log_prob[:, j] = np.log(weights[j]) - 0.5 * (d * _LOG_2PI + logdet + maha)
            tinv_diff.append(td)
            tinv.append(Tinv)
        log_like = logsumexp(log_prob, axis=1)
        return log_prob - log_like[:, None], log_like, tinv_diff, tinv

    def _m_step(self, X, log_resp, tinv_diff, tinv, means, covs):
        n, d = X.shape
        k = log_resp.shape[1]
        resp = np.exp(log_resp)
        qj = resp.sum(axis=0) + 10 * np.finfo(float).eps
        new_means, new_covs = np.empty((k, d)), np.empty((k, d, d))
        for j in range(k):
            V, q = covs[j], resp[:, j]
            b = means[j] + tinv_diff[j] @ V  # V symmetric: (V T^-1 diff)^T = diff^T T^-1 V
            m = q @ b / qj[j]
            r = b - m
            scatter = (q[:, None] * r).T @ r
            if tinv[j].shape[0] == 1:  # zero errors: one T for all points
                B_sum = qj[j] * (V - V @ tinv[j][0] @ V)
            else:
                Tinv_sum = np.tensordot(q, tinv[j], axes=1)  # sum_i q_ij T_ij^-1
                B_sum = qj[j] * V - V @ Tinv_sum @ V
            C = (scatter + B_sum) / qj[j]
            new_means[j] = m
            new_covs[j] = 0.5 * (C + C.T) + self.reg_covar * np.eye(d)
        return qj / qj.sum(), new_means, new_covs

    def fit(self, X, y=None, X_err=None):
        """Fit the intrinsic mixture to the points ``X`` (n, d) with error covariances ``X_err``
        (n, d, d; None for no errors); ``y`` is ignored. Returns ``self``."""
        X = validate_X(self, X, dtype=np.float64, ensure_min_samples=1)
        n, d = X.shape
        self._check_params(n)
        S = self._check_errors(X_err, n, d)
        weights, means, covs = self._initialize(X)
        self.lower_bounds_ = []
        self.converged_ = False
        lower_bound = -np.inf
        for it in range(1, self.max_iter + 1):
            self.n_iter_ = it
            log_resp, log_like, tinv_diff, tinv = self._e_step(X, S, weights, means, covs)
            new_bound = float(log_like.mean())
            self.lower_bounds_.append(new_bound)
            if abs(new_bound - lower_bound) < self.tol:
                self.converged_ = True
                lower_bound = new_bound
                break
            lower_bound = new_bound
            weights, means, covs = self._m_step(X, log_resp, tinv_diff, tinv, means, covs)
        self.lower_bound_ = lower_bound
        self.weights_, self.means_, self.covariances_ = weights, means, covs
        if not self.converged_:
            warnings.warn(f"ExtremeDeconvolution did not converge in max_iter={self.max_iter} iterations "
                          f"(last change of the mean log-likelihood above tol={self.tol}); raise max_iter or tol",
                          ConvergenceWarning, stacklevel=2)
        return self

    # ------------------------------------------------------------------ use
    def _validate_predict(self, X, X_err):
        check_is_fitted(self, "means_")
        X = validate_X(self, X, dtype=np.float64, reset=False)
        return X, self._check_errors(X_err, *X.shape)

    def score_samples(self, X, X_err=None):
        """Log density at ``X`` (n, d): of the deconvolved mixture (``X_err=None``), or of the noisy
        model ``sum_j alpha_j N(x_i | m_j, V_j + S_i)`` that each observed point with errors
        ``X_err`` (n, d, d) was drawn from."""
        X, S = self._validate_predict(X, X_err)
        return self._e_step(X, S, self.weights_, self.means_, self.covariances_)[1]

    def score(self, X, y=None, X_err=None):
        """Mean log-likelihood per point (see :meth:`score_samples`); ``y`` is ignored."""
        return float(np.mean(self.score_samples(X, X_err)))

    def predict_proba(self, X, X_err=None):
        """Probability of each component for each point, shape (n, n_components)."""
        X, S = self._validate_predict(X, X_err)
        return np.exp(self._e_step(X, S, self.weights_, self.means_, self.covariances_)[0])

    def predict(self, X, X_err=None):
        """Most probable component of each point, shape (n,)."""
        return np.argmax(self.predict_proba(X, X_err), axis=1)

    def sample(self, n_samples=1, *, seed=None):
        """Draw ``n_samples`` points from the deconvolved (error-free) mixture.

        Returns ``(X, labels)`` like :meth:`sklearn.mixture.GaussianMixture.sample`; ``seed``
        defaults to the estimator's ``random_state``.
        """
        check_is_fitted(self, "means_")
        if not (isinstance(n_samples, (int, np.integer)) and n_samples >= 1):
            raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}")
        rng = np.random.default_rng(self.random_state if seed is None else seed)
        labels = rng.choice(len(self.weights_), size=n_samples, p=self.weights_)
        evals, evecs = np.linalg.eigh(self.covariances_)
        L = evecs * np.sqrt(np.clip(evals, 0.0, None))[:, None, :]  # L @ L.T == covariance
        z = rng.standard_normal((n_samples, self.means_.shape[1]))
        return self.means_[labels] + np.einsum("nab,nb->na", L[labels], z), labels
