"""LASSO by FISTA, with optional non-negativity, groups (group LASSO) and total squared variation (TSV)."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from astrolab import _validation as _v
from astrolab._validation import as_float_array, check_real
from astrolab.sparse._operators import as_operator, power_iteration

__all__ = ["Lasso", "fista", "lasso_path", "soft_threshold", "tsv", "tsv_gradient"]


def soft_threshold(x, threshold, nonneg: bool = False, groups=None):
    """The proximal operator of ``threshold * |x|_1`` (with ``x >= 0`` when ``nonneg``).

    With ``groups`` (a non-negative integer label per entry of ``x``) it is the proximal operator of the group-LASSO
    penalty ``threshold * sum_g |x_g|_2``: each group shrinks towards zero as a whole, by ``threshold``
    in Euclidean length, and is zero when shorter than that.

    Examples
    --------
    >>> soft_threshold(np.array([-2.0, -0.5, 0.5, 2.0]), 1.0).tolist()
    [-1.0, -0.0, 0.0, 1.0]
    >>> soft_threshold(np.array([-2.0, 2.0]), 1.0, nonneg=True).tolist()
    [0.0, 1.0]
    >>> soft_threshold(np.array([3.0, 0.3, 4.0, 0.4]), 1.0, groups=np.array([0, 1, 0, 1])).round(6).tolist()
    [2.4, 0.0, 3.2, 0.0]
    """
    t = np.asarray(threshold)
    if getattr(threshold, "unit", None) is not None:  # an astropy Quantity: only a dimensionless one is a threshold
        if threshold.unit.physical_type != "dimensionless":
            raise ValueError(f"threshold must be a non-negative number (dimensionless), got {threshold!r}")
        threshold = t = threshold.to_value("")
    if t.dtype.kind not in "biuf" or not np.all(t >= 0) or (t.ndim and t.shape != np.shape(x)):  # NaN fails too
        raise ValueError(f"threshold must be a non-negative number, or one per entry of x, got {threshold!r}")
    if groups is None:
        if nonneg:
            return np.maximum(x - threshold, 0.0)
        return np.sign(x) * np.maximum(np.abs(x) - threshold, 0.0)
    if nonneg:  # the prox of a norm of this kind plus x >= 0: project, then shrink
        x = np.maximum(x, 0.0)
    norm = _group_norms(x, groups)[groups]
    return x * np.maximum(1.0 - threshold / np.where(norm > 0, norm, 1.0), 0.0)


def _group_norms(x, groups):
    """Euclidean norm of each group of ``x``, indexed by the (non-negative integer) labels."""
    return np.sqrt(np.bincount(groups, weights=x * x))


def _penalty(x, groups):
    """``|x|_1``, or ``sum_g |x_g|_2`` with ``groups``."""
    return float(np.abs(x).sum()) if groups is None else float(_group_norms(x, groups).sum())


def tsv(image):
    """Total squared variation of a 2-D image: the sum of squared differences of neighbouring pixels.

    Examples
    --------
    >>> float(tsv(np.array([[0.0, 1.0], [0.0, 1.0]])))
    2.0
    """
    from astrolab._validation import check_array

    image = check_array("image", image, ndim=2, finite=False)
    return float(np.sum(np.diff(image, axis=0) ** 2) + np.sum(np.diff(image, axis=1) ** 2))


def tsv_gradient(image):
    """Gradient of :func:`tsv` with respect to the pixels."""
    from astrolab._validation import check_array

    image = check_array("image", image, ndim=2, finite=False)
    grad = np.zeros_like(image)
    dy = np.diff(image, axis=0)
    dx = np.diff(image, axis=1)
    grad[1:, :] += 2 * dy
    grad[:-1, :] -= 2 * dy
    grad[:, 1:] += 2 * dx
    grad[:, :-1] -= 2 * dx
    return grad


def _objective(r, x, lam, mu, shape, groups=None):
    """The objective at ``x``, given its residual ``r = A x - b``."""
    l1 = float(np.sum(lam * np.abs(x))) if groups is None else lam * _penalty(x, groups)  # lam: scalar or per entry
    value = 0.5 * float(np.real(np.vdot(r, r))) + l1
    if mu:
        value += mu * tsv(x.reshape(shape))
    return value


def fista(A, b, lam, *, mu: float = 0.0, image_shape=None, nonneg: bool = False, x0=None, max_iter: int = 1000,
          tol: float = 1e-7, lipschitz=None, return_history: bool = False, groups=None, penalty_weights=None):
    """Minimise ``1/2 |b - A x|^2 + lam |x|_1 + mu TSV(x)`` by FISTA (Beck & Teboulle 2009).

    The smooth part (least squares, plus TSV) takes a gradient step of size ``1/L``; the l1 part its
    proximal step, a soft threshold; Nesterov momentum with a restart when the objective rises
    (O'Donoghue & Candes 2015) makes the method fast and monotone. An iteration costs one product with
    ``A`` and one with its adjoint: ``A`` is linear, so ``A y`` follows from the last two ``A x``.

    Parameters
    ----------
    A : array_like or operator
        A 2-D (real or complex) array, or an object with ``matvec``, ``rmatvec`` and ``shape`` such as
        :class:`FourierOperator`. ``x`` is real; with complex ``A`` and ``b`` the misfit is
        ``|b - A x|^2`` summed over real and imaginary parts.
    b : array_like, shape (n_data,)
        The data.
    lam : float
        Weight of the l1 norm (>= 0).
    mu : float, default 0
        Weight of the total squared variation; needs ``image_shape``.
    image_shape : tuple, optional
        Shape of ``x`` as an image, for TSV.
    nonneg : bool, default False
        Constrain ``x >= 0`` (a sky brightness).
    x0 : array_like, optional
        Starting point (a warm start).
    max_iter : int, default 1000
        Largest number of iterations.
    tol : float, default 1e-7
        Stop when the relative change of ``x`` falls below ``tol``.
    lipschitz : float, optional
        Lipschitz constant of the gradient of the least-squares part; by power iteration if omitted.
    return_history : bool, default False
        Also return the objective at every iteration.
    groups : array_like of int, shape (n_params,), optional
        A group label (a non-negative integer) for each entry of ``x``: the l1 norm becomes the group-LASSO penalty
        ``sum_g |x_g|_2`` (Yuan & Lin 2006), so that the entries of a group are selected, or dropped,
        together (the sine and cosine of one frequency, say).

    penalty_weights : array_like, shape (n_params,), optional
        Non-negative weights ``w`` of a weighted l1 norm ``sum_j w_j |x_j|`` (default all 1); not with ``groups``.

    Returns
    -------
    x : ndarray
        The solution.
    info : dict
        ``n_iter``, ``objective``, ``converged`` (and ``history``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> A = rng.normal(size=(30, 60)); truth = np.zeros(60); truth[[3, 17]] = [2.0, -1.5]
    >>> x, info = fista(A, A @ truth, lam=0.5)
    >>> np.flatnonzero(np.abs(x) > 0.1).tolist(), info["converged"]
    ([3, 17], True)

    The same with the 60 coefficients in 30 pairs ``(j, j + 30)``, selected or dropped together:

    >>> x, info = fista(A, A @ truth, lam=0.5, groups=np.arange(60) % 30)
    >>> np.flatnonzero(np.abs(x) > 0.1).tolist()
    [3, 17]
    """
    A = as_operator(A)
    b = np.asarray(b)
    n_data, n_params = A.shape
    if b.ndim != 1 or b.shape[0] != n_data:
        raise ValueError(f"b must be 1-D with {n_data} entries (the rows of A), got shape {b.shape}")
    if not np.all(np.isfinite(b)):
        raise ValueError("b must not contain NaN or infinite values")
    check_real("lam", lam, finite=False)  # dimensionless Quantities pass
    if not lam >= 0:
        raise ValueError(f"lam must be non-negative, got {lam!r}")
    check_real("mu", mu, finite=False)  # dimensionless Quantities pass
    if not mu >= 0:
        raise ValueError(f"mu must be non-negative, got {mu!r}")
    lam, mu = _v.check_real("lam", lam), _v.check_real("mu", mu)
    max_iter = _v.check_int("max_iter", max_iter, min=1)
    tol = _v.check_real("tol", tol, min=0)
    if mu and (image_shape is None or int(np.prod(image_shape)) != n_params):
        raise ValueError(f"image_shape must give the {n_params} parameters as an image when mu > 0, "
                         f"got {image_shape!r}")
    if groups is not None:
        groups = np.asarray(groups)
        if groups.shape != (n_params,) or not np.issubdtype(groups.dtype, np.integer) or np.any(groups < 0):
            raise ValueError(f"groups must be {n_params} non-negative integer labels, one per parameter, "
                             f"got an array of shape {groups.shape} and dtype {groups.dtype}")
    if penalty_weights is not None:
        if groups is not None:
            raise ValueError("penalty_weights and groups cannot be combined")
        penalty_weights = as_float_array("penalty_weights", penalty_weights)
        if penalty_weights.shape != (n_params,) or not np.all(np.isfinite(penalty_weights)) or np.any(
                penalty_weights < 0):
            raise ValueError(f"penalty_weights must be {n_params} finite non-negative numbers, got shape "
                             f"{penalty_weights.shape}")
        lam = lam * penalty_weights  # soft_threshold and the objective take one threshold per parameter
    L = power_iteration(A) if lipschitz is None else float(lipschitz)
    L += 16.0 * mu  # the TSV gradient's Lipschitz constant is at most 16 mu on a 2-D grid
    x = np.zeros(n_params) if x0 is None else as_float_array("x0", x0).copy()
    if x.shape != (n_params,):
        raise ValueError(f"x0 must have {n_params} entries, got shape {x.shape}")
    check_real("mu", mu, finite=False)  # dimensionless Quantities pass
    if L <= 0:  # A = 0 and mu = 0: the data do not depend on x, the penalty alone decides: x = 0
        x = np.zeros(n_params)
        info = {"n_iter": 0, "objective": _objective(-b, x, lam, mu, image_shape, groups), "converged": True}
        if return_history:
            info["history"] = np.array([info["objective"]])
        return x, info

    def step(y, Ay):  # the proximal gradient step from y; returns the new x, A x and the objective there
        grad = np.real(A.rmatvec(Ay - b))
        if mu:
            grad = grad + mu * tsv_gradient(y.reshape(image_shape)).ravel()
        x_new = soft_threshold(y - grad / L, lam / L, nonneg, groups)
        Ax_new = A.matvec(x_new)
        return x_new, Ax_new, _objective(Ax_new - b, x_new, lam, mu, image_shape, groups)

    Ax = A.matvec(x)
    obj = _objective(Ax - b, x, lam, mu, image_shape, groups)
    y, Ay, t = x, Ax, 1.0
    history = [obj]
    converged = False
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        x_new, Ax_new, new_obj = step(y, Ay)
        if new_obj > obj:  # restart the momentum
            t = 1.0
            x_new, Ax_new, new_obj = step(x, Ax)
        t_new = 0.5 * (1 + np.sqrt(1 + 4 * t * t))
        momentum = (t - 1) / t_new
        y = x_new + momentum * (x_new - x)
        Ay = Ax_new + momentum * (Ax_new - Ax)  # A is linear: A y without another product
        change = np.linalg.norm(x_new - x) / max(np.linalg.norm(x_new), 1e-12)
        x, Ax, t, obj = x_new, Ax_new, t_new, new_obj
        history.append(obj)
        if change < tol:
            converged = True
            break
    info = {"n_iter": n_iter, "objective": obj, "converged": converged}
    if return_history:
        info["history"] = np.array(history)
    return x, info


def lasso_path(A, b, lams, **kwargs):
    """Solutions of :func:`fista` for a sequence of ``lams``, each warm-started from the previous one.

    Start from the largest ``lam`` (the sparsest, fastest solution). Returns an array of shape
    ``(len(lams), n_params)`` and the list of ``info`` dicts.

    Examples
    --------
    >>> A = np.eye(3); b = np.array([3.0, 1.0, 0.2])
    >>> path, _ = lasso_path(A, b, [2.0, 0.5])
    >>> path.round(3).tolist()
    [[1.0, 0.0, 0.0], [2.5, 0.5, 0.0]]
    """
    A = as_operator(A)
    from astrolab._validation import check_array

    lams = check_array("lams", lams, ndim=1, min_rows=1)
    if np.any(lams < 0):
        raise ValueError(f"lams must be non-negative, got {lams.tolist()}")
    if "lipschitz" not in kwargs:
        kwargs["lipschitz"] = power_iteration(A)
    x = kwargs.pop("x0", None)
    path, infos = [], []
    for lam in lams:
        x, info = fista(A, b, lam, x0=x, **kwargs)
        path.append(x)
        infos.append(info)
    return np.array(path), infos


class Lasso(RegressorMixin, BaseEstimator):
    """Linear regression with an l1 penalty, solved by FISTA, with scikit-learn's conventions.

    Minimises ``1 / (2 n_samples) |y - X w - c|^2 + alpha |w|_1``, the objective of
    :class:`sklearn.linear_model.Lasso`, so the two can be compared number for number.

    Parameters
    ----------
    alpha : float, default 1.0
        Weight of the l1 penalty.
    fit_intercept : bool, default True
        Fit ``c`` (by centring ``X`` and ``y``).
    positive : bool, default False
        Constrain ``w >= 0``.
    max_iter : int, default 5000
        Largest number of FISTA iterations.
    tol : float, default 1e-8
        Relative change of ``w`` at which to stop.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    n_iter_ : int
    n_features_in_ : int

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> X = rng.normal(size=(40, 100)); w = np.zeros(100); w[:3] = [1.0, -2.0, 0.5]
    >>> model = Lasso(alpha=0.05).fit(X, X @ w + 0.01 * rng.normal(size=40))
    >>> np.flatnonzero(np.abs(model.coef_) > 0.1).tolist()
    [0, 1, 2]
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, positive=False, max_iter=5000, tol=1e-8):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.positive = positive
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X, y):
        """Fit the model to ``X`` (n_samples, n_features) and ``y`` (n_samples,). Returns self."""
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True, ensure_min_samples=2)
        _v.check_real("alpha", self.alpha, min=0)
        _v.check_int("max_iter", self.max_iter, min=1)
        _v.check_real("tol", self.tol, min=0)
        n = X.shape[0]
        x_mean = X.mean(axis=0) if self.fit_intercept else np.zeros(X.shape[1])
        y_mean = y.mean() if self.fit_intercept else 0.0
        Xc, yc = X - x_mean, y - y_mean
        # 1/(2n)|y - Xw|^2 + alpha|w|_1  is  (1/n) [ 1/2 |y - Xw|^2 + n alpha |w|_1 ]
        w, info = fista(Xc, yc, self.alpha * n, nonneg=self.positive, max_iter=self.max_iter, tol=self.tol)
        self.coef_ = w
        self.intercept_ = float(y_mean - x_mean @ w)
        self.n_iter_ = info["n_iter"]
        return self

    def predict(self, X):
        """``X @ coef_ + intercept_``."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return X @ self.coef_ + self.intercept_

    def objective(self, X, y):
        """The value of scikit-learn's Lasso objective at the fitted coefficients."""
        check_is_fitted(self)
        r = as_float_array("y", y) - self.predict(X)
        return float(0.5 / len(r) * r @ r + self.alpha * np.abs(self.coef_).sum())
