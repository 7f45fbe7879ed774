"""Cheap stand-ins for expensive models: emulators, Latin-hypercube designs and MOPED compression.

When each likelihood call runs a costly model (a Boltzmann code, an N-body simulation), run the
model at a few well-spread parameter values (a Latin hypercube), fit an interpolator through the
results (a Gaussian process, as in the Dark Quest emulator of Nishimichi et al. 2019, or a
polynomial), and sample the posterior with the interpolator. Or shrink the data: MOPED (Heavens,
Jimenez & Lahav 2000) compresses N data points into one number per parameter without losing Fisher
information, for a Gaussian likelihood whose covariance does not depend on the parameters.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.stats import qmc
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, Matern, WhiteKernel
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler
from sklearn.utils.validation import check_array, check_is_fitted, check_X_y

from astrolab import _validation as _v
from astrolab._validation import as_float_array

__all__ = ["Emulator", "fisher_matrix", "latin_hypercube", "moped_vectors"]


def latin_hypercube(n, bounds, seed=None):
    """A Latin-hypercube design: ``n`` points, each parameter's range cut in ``n`` strata used once.

    Uses :class:`scipy.stats.qmc.LatinHypercube` (random position within each stratum).

    Parameters
    ----------
    n : int
        Number of points (at least 2).
    bounds : array_like, shape (ndim, 2)
        Lower and upper limit of each parameter.
    seed : int, Generator or None
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    ndarray, shape (n, ndim)

    Examples
    --------
    >>> x = latin_hypercube(5, [[0, 1], [10, 20]], seed=0)
    >>> x.shape, sorted(np.floor(x[:, 0] * 5).astype(int).tolist())
    ((5, 2), [0, 1, 2, 3, 4])
    """
    n = _v.check_int("n", n, min=2)
    seed = _v.check_seed("seed", seed)
    bounds = _v.check_array("bounds", bounds, ndim=2, shape=(None, 2), min_rows=1)
    _v.check_size("n", 3 * 8 * n * len(bounds), request=f"n={n} points in {len(bounds)} dimensions")
    if not np.all(bounds[:, 1] > bounds[:, 0]):
        raise ValueError(f"bounds must have shape (ndim, 2) with lower < upper, got {bounds.tolist()!r}")
    sampler = qmc.LatinHypercube(d=len(bounds), rng=_v.check_rng("seed", seed))
    return qmc.scale(sampler.random(n), bounds[:, 0], bounds[:, 1])


class Emulator(RegressorMixin, BaseEstimator):
    """Interpolate an expensive function of a few parameters from a design of evaluations.

    ``kind="gp"``: a Gaussian process (:class:`sklearn.gaussian_process.GaussianProcessRegressor`)
    with a constant x RBF (or Matern) kernel with one length scale per parameter, plus white noise,
    on standardised inputs and standardised outputs; its hyperparameters maximise the marginal
    likelihood (scikit-learn's convergence warnings of that optimisation are silenced: on exact,
    noise-free evaluations the noise level sits at its lower bound by design).
    It gives an uncertainty with each prediction. ``kind="poly"``: a polynomial of
    ``degree`` in the standardised inputs fitted by (almost unregularised) ridge regression; its
    ``return_std`` is the root-mean-square training residual of each output (a crude, constant error).

    Several outputs (a whole power spectrum, say) are emulated together: ``values`` of shape
    ``(n, n_outputs)``; the GP then shares one kernel across the (standardised) outputs.

    Parameters
    ----------
    kind : {"gp", "poly"}, default "gp"
    kernel : {"rbf", "matern"}, default "rbf"
        GP kernel (Matern with ``nu=2.5``).
    noise : float, default 1e-6
        Initial white-noise variance (in standardised output units); fitted within ``[1e-10, 1e-1]``.
    degree : int, default 3
        Polynomial degree for ``kind="poly"``.
    n_restarts_optimizer : int, default 2
        Restarts of the GP hyperparameter optimisation.
    random_state : int or None
        Seed of the restarts.

    Attributes
    ----------
    model_ : estimator
        The fitted scikit-learn model.
    n_features_in_ : int
        Number of parameters.
    residual_std_ : ndarray
        Training rms residual per output (``kind="poly"``).

    Examples
    --------
    >>> x = latin_hypercube(30, [[0, 1], [0, 1]], seed=1)
    >>> f = lambda x: np.sin(3 * x[:, 0]) + x[:, 1] ** 2
    >>> emu = Emulator(random_state=0).fit(x, f(x))
    >>> test = np.array([[0.3, 0.6], [0.7, 0.2]])
    >>> bool(np.max(np.abs(emu.predict(test) - f(test))) < 1e-2)
    True
    """

    def __init__(self, *, kind="gp", kernel="rbf", noise=1e-6, degree=3, n_restarts_optimizer=2, random_state=None):
        self.kind = kind
        self.kernel = kernel
        self.noise = noise
        self.degree = degree
        self.n_restarts_optimizer = n_restarts_optimizer
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True   # a whole spectrum at once
        tags.target_tags.single_output = True
        return tags

    def fit(self, X, y):
        """Fit the emulator to ``y`` (n,) or (n, n_outputs), the model computed at the parameters ``X``
        (n, ndim); returns ``self``."""
        if not isinstance(self.kind, str) or self.kind not in ("gp", "poly"):
            raise ValueError(f"kind must be 'gp' or 'poly', got {self.kind!r}"[:300])
        if not isinstance(self.kernel, str) or self.kernel not in ("rbf", "matern"):
            raise ValueError(f"kernel must be 'rbf' or 'matern', got {self.kernel!r}"[:300])
        if (isinstance(self.n_restarts_optimizer, bool) or not isinstance(self.n_restarts_optimizer, (int, np.integer))
                or not 0 <= self.n_restarts_optimizer <= 1000):  # each restart is one more optimisation
            raise ValueError(f"n_restarts_optimizer must be an integer in [0, 1000], got {self.n_restarts_optimizer!r}")
        if not (isinstance(self.noise, (int, float)) and self.noise > 0):
            raise ValueError(f"noise must be a positive number, got {self.noise!r}")
        if not (isinstance(self.degree, (int, np.integer)) and self.degree >= 1):
            raise ValueError(f"degree must be a positive integer, got {self.degree!r}")
        theta, values = check_X_y(X, y, multi_output=True, y_numeric=True, ensure_min_samples=2)
        self.n_features_in_ = theta.shape[1]
        ndim = theta.shape[1]
        if self.kind == "gp":
            base = (RBF(np.ones(ndim), (1e-2, 1e3)) if self.kernel == "rbf"
                    else Matern(np.ones(ndim), (1e-2, 1e3), nu=2.5))
            kernel = ConstantKernel(1.0, (1e-3, 1e4)) * base + WhiteKernel(min(self.noise, 1e-1), (1e-10, 1e-1))
            gp = GaussianProcessRegressor(kernel, normalize_y=True, n_restarts_optimizer=self.n_restarts_optimizer,
                                          random_state=self.random_state)
            with warnings.catch_warnings():  # noise at its lower bound, or a flat likelihood: both harmless here
                warnings.simplefilter("ignore", ConvergenceWarning)
                self.model_ = make_pipeline(StandardScaler(), gp).fit(theta, values)
        else:
            self.model_ = make_pipeline(StandardScaler(), PolynomialFeatures(self.degree),
                                        Ridge(alpha=1e-8, solver="svd")).fit(theta, values)
            resid = values - self.model_.predict(theta)
            self.residual_std_ = np.sqrt(np.mean(resid**2, axis=0))
        return self

    def predict(self, X, return_std=False):
        """Emulated values at the parameters ``X`` (n, ndim); with ``return_std``, also their 1-sigma
        uncertainty."""
        check_is_fitted(self, "model_")
        theta = check_array(X)
        if theta.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {theta.shape[1]} features, but Emulator is expecting {self.n_features_in_} "
                             "features as input (one column per parameter)")
        if not return_std:
            return self.model_.predict(theta)
        if self.kind == "poly":
            mean = self.model_.predict(theta)
            return mean, np.broadcast_to(self.residual_std_, mean.shape).copy()
        scaler, gp = self.model_[0], self.model_[-1]
        mean, std = gp.predict(scaler.transform(theta), return_std=True)
        return mean, std


def fisher_matrix(dmu, cov):
    """Fisher matrix ``F = dmu^T C^-1 dmu`` of a Gaussian likelihood with fixed covariance.

    Parameters
    ----------
    dmu : array_like, shape (n_data, n_params)
        Derivative of the model mean with respect to each parameter.
    cov : array_like, shape (n_data, n_data)
        Data covariance.

    Returns
    -------
    ndarray, shape (n_params, n_params)

    Examples
    --------
    >>> fisher_matrix(np.ones((4, 1)), np.eye(4) * 0.25)
    array([[16.]])
    """
    dmu, cov = _check_dmu_cov(dmu, cov)
    return dmu.T @ np.linalg.solve(cov, dmu)


def _check_dmu_cov(dmu, cov):
    dmu = as_float_array("dmu", dmu)
    if dmu.ndim == 1:
        dmu = dmu[:, None]
    cov = as_float_array("cov", cov)
    if dmu.ndim != 2:
        raise ValueError(f"dmu must have shape (n_data, n_params), got {dmu.shape}")
    if not np.all(np.isfinite(dmu)):
        raise ValueError("dmu must be finite (no NaN or inf): a derivative of the model that is not a number")
    if cov.shape != (dmu.shape[0], dmu.shape[0]):
        raise ValueError(f"cov must have shape ({dmu.shape[0]}, {dmu.shape[0]}) to match dmu, got {cov.shape}")
    if not (np.all(np.isfinite(cov)) and np.allclose(cov, cov.T)):
        raise ValueError("cov must be a finite symmetric matrix")
    return dmu, cov


def moped_vectors(dmu, cov):
    """MOPED compression vectors (Heavens, Jimenez & Lahav 2000): one number per parameter.

    ``b_1 = C^-1 mu_,1 / sqrt(mu_,1^T C^-1 mu_,1)`` and each next ``b_m`` the same, made orthogonal
    (in the metric ``C``) to the previous ones by Gram-Schmidt. The compressed data ``y = B x`` have
    unit covariance ``B C B^T = I``, and for a Gaussian likelihood with parameter-independent
    covariance and a model linear in the parameters their Fisher matrix equals that of the full
    data: ``(B dmu)^T (B dmu) = dmu^T C^-1 dmu``.

    Parameters
    ----------
    dmu : array_like, shape (n_data, n_params)
        Derivative of the model mean at a fiducial point (finite differences are fine).
    cov : array_like, shape (n_data, n_data)
        Data covariance (positive definite).

    Returns
    -------
    ndarray, shape (n_params, n_data)
        Rows are the vectors ``b_m``; compress data (and the model) with ``vectors @ x``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> dmu, cov = rng.normal(size=(10, 2)), np.diag(rng.uniform(1, 2, 10))
    >>> B = moped_vectors(dmu, cov)
    >>> np.allclose(B @ cov @ B.T, np.eye(2)), np.allclose((B @ dmu).T @ (B @ dmu), fisher_matrix(dmu, cov))
    (True, True)
    """
    dmu, cov = _check_dmu_cov(dmu, cov)
    if dmu.shape[1] > dmu.shape[0]:
        raise ValueError(f"need at least as many data as parameters, got dmu of shape {dmu.shape}")
    try:
        cinv_dmu = np.linalg.solve(cov, dmu)
        np.linalg.cholesky(cov)
    except np.linalg.LinAlgError as err:
        raise ValueError("cov must be positive definite") from err
    vectors = []
    for m in range(dmu.shape[1]):
        b = cinv_dmu[:, m].copy()
        for prev in vectors:
            b -= (dmu[:, m] @ prev) * prev
        norm2 = b @ cov @ b
        if not norm2 > 1e-12 * (dmu[:, m] @ cinv_dmu[:, m]):
            raise ValueError(f"column {m} of dmu is (nearly) a combination of the previous ones")
        vectors.append(b / np.sqrt(norm2))
    return np.array(vectors)
