"""A neural network written out in numpy: forward pass, backpropagation, Adam. Meant to be read.

The network maps an input row :math:`x` to an output through layers

.. math::

    a^{(0)} = x, \\qquad z^{(l)} = a^{(l-1)} W^{(l)} + b^{(l)}, \\qquad a^{(l)} = \\sigma(z^{(l)}),

with a non-linear :math:`\\sigma` on the hidden layers and none on the last one (regression).
Training minimises the squared error with the same conventions as scikit-learn's
``MLPRegressor``:

.. math::

    L = \\frac{1}{2n} \\sum_{i=1}^{n} \\lVert \\hat y_i - y_i \\rVert^2
        + \\frac{\\alpha}{2n} \\sum_l \\lVert W^{(l)} \\rVert^2 .

Backpropagation is the chain rule applied from the last layer to the first; :func:`gradient_check`
compares it with finite differences.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from astrolab._validation import as_float_array

__all__ = ["NumpyMLPRegressor", "gradient_check"]

# Each activation as a pair: the function, and its derivative written in terms of the function's
# OUTPUT a = f(z) (that is what the forward pass stores, so backprop needs nothing else).
_ACTIVATIONS = {
    "tanh": (np.tanh, lambda a: 1.0 - a**2),                                 # tanh' = 1 - tanh^2
    "relu": (lambda z: np.maximum(z, 0.0), lambda a: (a > 0).astype(a.dtype)),  # 1 where active, else 0
    "logistic": (lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)), lambda a: a * (1.0 - a)),  # s' = s (1 - s)
    "identity": (lambda z: z, lambda a: np.ones_like(a)),
}


def _random_state(value) -> np.random.RandomState:
    """scikit-learn's ``check_random_state``, which also takes a numpy Generator (sharing its bits)."""
    if isinstance(value, np.random.Generator):
        return np.random.RandomState(value.bit_generator)
    return check_random_state(value)


class NumpyMLPRegressor(RegressorMixin, BaseEstimator):
    """A multi-layer perceptron for regression, from scratch in numpy (a teaching twin of ``MLPRegressor``).

    Parameters
    ----------
    hidden_layer_sizes : sequence of int, default (32,)
        Number of units in each hidden layer.
    activation : {"tanh", "relu", "logistic", "identity"}, default "tanh"
        Non-linearity of the hidden layers (the output layer is linear).
    learning_rate : float, default 1e-2
        Step size of the Adam optimiser.
    max_iter : int, default 2000
        Maximum number of epochs (passes over the data; one step each when ``batch_size`` is None).
    batch_size : int, optional
        Samples per Adam step; None uses all samples (full-batch gradient descent).
    alpha : float, default 0.0
        L2 penalty on the weights (not the biases), as in scikit-learn.
    tol : float, default 1e-7
        Training stops when the loss has not decreased by more than ``tol`` below its lowest value
        for ``n_iter_no_change`` epochs in a row.
    n_iter_no_change : int, default 50
        Patience of that rule (large, because Adam's full-batch loss wobbles near a minimum).
    random_state : int, numpy Generator/RandomState or None
        Seeds the initial weights and the shuffling of mini-batches.

    Attributes
    ----------
    coefs_ : list of ndarray
        ``coefs_[l]`` is the weight matrix of layer ``l``, shape ``(n_units_in, n_units_out)``.
    intercepts_ : list of ndarray
        ``intercepts_[l]`` is the bias vector of layer ``l``, shape ``(n_units_out,)``.
    loss_curve_ : list of float
        Loss after each epoch (mean over its mini-batches).
    n_iter_ : int
        Number of epochs run (``max_iter`` means it had not converged by ``tol``).
    n_features_in_ : int
        Number of input features.
    n_outputs_ : int
        Number of outputs.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.linspace(-2, 2, 50)[:, None]
    >>> net = NumpyMLPRegressor(hidden_layer_sizes=(16,), max_iter=800, random_state=0).fit(X, X[:, 0] ** 2)
    >>> [w.shape for w in net.coefs_]
    [(1, 16), (16, 1)]
    >>> bool(net.score(X, X[:, 0] ** 2) > 0.99)
    True
    """

    def __init__(self, *, hidden_layer_sizes=(32,), activation="tanh", learning_rate=1e-2, max_iter=2000,
                 batch_size=None, alpha=0.0, tol=1e-7, n_iter_no_change=50, random_state=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.alpha = alpha
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags

    # ------------------------------------------------------------------ set-up
    def _check_parameters(self):
        rs = self.random_state
        if not (rs is None or isinstance(rs, (np.random.RandomState, np.random.Generator)) or (
                isinstance(rs, numbers.Integral) and not isinstance(rs, (bool, np.bool_)) and 0 <= rs < 2**32)):
            raise ValueError(f"random_state must be an integer in [0, 2**32), a numpy Generator or RandomState, "
                             f"or None, got {rs!r}"[:300])
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral):
            sizes = (sizes,)
        try:
            sizes = tuple(sizes)
        except TypeError:
            raise ValueError(f"hidden_layer_sizes must be a sequence of positive integers, "
                             f"got {self.hidden_layer_sizes!r}") from None
        if any(isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 1 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be a sequence of positive integers, "
                             f"got {self.hidden_layer_sizes!r}")
        if any(s > 100_000 for s in sizes):  # a layer's weights are width x width numbers
            raise ValueError(f"hidden_layer_sizes must be at most 100000 units per layer, "
                             f"got {self.hidden_layer_sizes!r}")
        if self.activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}, got {self.activation!r}")
        for name, low in (("learning_rate", False), ("alpha", True), ("tol", True)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (
                    value >= 0 if low else value > 0):
                raise ValueError(f"{name} must be a {'non-negative' if low else 'positive'} number, got {value!r}")
        for name, allow_none in (("max_iter", False), ("batch_size", True), ("n_iter_no_change", False)):
            value = getattr(self, name)
            if value is None and allow_none:
                continue
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be a positive integer{' or None' if allow_none else ''}, "
                                 f"got {value!r}")
        return tuple(int(s) for s in sizes)

    def _initialize(self, n_features, n_outputs, rng):
        """Glorot-uniform weights and biases, as scikit-learn draws them."""
        sizes = (n_features, *self._check_parameters(), n_outputs)
        factor = 2.0 if self.activation == "logistic" else 6.0
        self.coefs_, self.intercepts_ = [], []
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
            bound = np.sqrt(factor / (n_in + n_out))
            self.coefs_.append(rng.uniform(-bound, bound, (n_in, n_out)))
            self.intercepts_.append(rng.uniform(-bound, bound, n_out))
        self.n_outputs_ = n_outputs

    # ------------------------------------------------------------ forward pass
    def _forward(self, X):
        """Activations of every layer, input first: ``[a0 = X, a1, ..., aL = prediction]``."""
        f, _ = _ACTIVATIONS[self.activation]
        activations = [X]
        last = len(self.coefs_) - 1
        for layer, (W, b) in enumerate(zip(self.coefs_, self.intercepts_, strict=True)):
            z = activations[-1] @ W + b                 # the layer equation, for all samples at once
            activations.append(z if layer == last else f(z))  # linear output layer
        return activations

    def _loss(self, prediction, y, n):
        """Half the mean squared error plus the L2 penalty, both divided by the number of samples n."""
        residual = prediction - y
        penalty = sum(np.sum(W**2) for W in self.coefs_)
        return 0.5 * np.sum(residual**2) / n + 0.5 * self.alpha * penalty / n

    # ----------------------------------------------------------- backward pass
    def loss_and_gradients(self, X, y):
        """The loss and its gradient with respect to every weight and bias, by backpropagation.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)
        y : array_like, shape (n_samples,) or (n_samples, n_outputs)

        Returns
        -------
        loss : float
        coef_grads : list of ndarray
            :math:`\\partial L / \\partial W^{(l)}`, shaped like ``coefs_``.
        intercept_grads : list of ndarray
            :math:`\\partial L / \\partial b^{(l)}`, shaped like ``intercepts_``.

        Examples
        --------
        >>> import numpy as np
        >>> X, y = np.array([[0.5], [-1.0]]), np.array([1.0, 0.0])
        >>> net = NumpyMLPRegressor(hidden_layer_sizes=(3,), max_iter=1, random_state=0).fit(X, y)
        >>> loss, dW, db = net.loss_and_gradients(X, y)
        >>> [g.shape for g in dW], [g.shape for g in db]
        ([(1, 3), (3, 1)], [(3,), (1,)])
        """
        check_is_fitted(self, "coefs_")
        X = as_float_array("X", X)
        y = as_float_array("y", y).reshape(len(X), -1)
        return self._loss_and_gradients(X, y)

    def _loss_and_gradients(self, X, y):
        n = len(X)
        _, f_prime = _ACTIVATIONS[self.activation]

        # 1. Forward pass: keep every layer's output, backprop needs them.
        activations = self._forward(X)
        loss = self._loss(activations[-1], y, n)

        # 2. Error signal at the output. For L = 1/(2n) sum (a_L - y)^2 and a linear output layer,
        #    delta_L = dL/dz_L = (a_L - y) / n.
        delta = (activations[-1] - y) / n

        coef_grads = [np.empty_like(W) for W in self.coefs_]
        intercept_grads = [np.empty_like(b) for b in self.intercepts_]
        # 3. Walk back through the layers. Layer l computes z_l = a_{l-1} W_l + b_l, so
        #    dL/dW_l = a_{l-1}^T delta_l  (+ the L2 term alpha W_l / n),   dL/db_l = sum over samples of delta_l,
        #    and the error passed to the layer below is
        #    delta_{l-1} = (delta_l W_l^T) * sigma'(z_{l-1})   (chain rule, element by element).
        for layer in range(len(self.coefs_) - 1, -1, -1):
            a_below = activations[layer]                  # the input that this layer saw
            coef_grads[layer] = a_below.T @ delta + self.alpha * self.coefs_[layer] / n
            intercept_grads[layer] = delta.sum(axis=0)
            if layer > 0:
                delta = (delta @ self.coefs_[layer].T) * f_prime(a_below)
        return loss, coef_grads, intercept_grads

    # -------------------------------------------------------------- training
    def fit(self, X, y):
        """Train the network with Adam on the squared error; returns ``self``.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)
        y : array_like, shape (n_samples,) or (n_samples, n_outputs)

        Returns
        -------
        self
        """
        self._check_parameters()
        X, y = validate_data(self, X, y, dtype=np.float64, multi_output=True, y_numeric=True)
        self._y_1d = y.ndim == 1
        y = y.reshape(len(X), -1)
        rng = _random_state(self.random_state)
        self._initialize(X.shape[1], y.shape[1], rng)

        # Adam (Kingma & Ba 2015): running means of the gradient (m) and of its square (v).
        params = self.coefs_ + self.intercepts_          # the same arrays, updated in place
        m = [np.zeros_like(p) for p in params]
        v = [np.zeros_like(p) for p in params]
        beta1, beta2, eps = 0.9, 0.999, 1e-8
        n = len(X)
        batch = n if self.batch_size is None else min(self.batch_size, n)
        self.loss_curve_ = []
        best, stalled, step = np.inf, 0, 0
        for _ in range(self.max_iter):
            order = rng.permutation(n) if batch < n else np.arange(n)
            epoch_loss = 0.0
            for start in range(0, n, batch):
                rows = order[start:start + batch]
                loss, coef_grads, intercept_grads = self._loss_and_gradients(X[rows], y[rows])
                epoch_loss += loss * len(rows)
                step += 1
                for p, g, m_p, v_p in zip(params, coef_grads + intercept_grads, m, v, strict=True):
                    m_p *= beta1
                    m_p += (1 - beta1) * g
                    v_p *= beta2
                    v_p += (1 - beta2) * g**2
                    m_hat = m_p / (1 - beta1**step)          # bias correction of the early steps
                    v_hat = v_p / (1 - beta2**step)
                    p -= self.learning_rate * m_hat / (np.sqrt(v_hat) + eps)
            self.loss_curve_.append(epoch_loss / n)
            stalled = stalled + 1 if self.loss_curve_[-1] > best - self.tol else 0
            best = min(best, self.loss_curve_[-1])
            if stalled >= self.n_iter_no_change:
                break
        self.n_iter_ = len(self.loss_curve_)
        return self

    def predict(self, X):
        """Network outputs, shape (n_samples,) or (n_samples, n_outputs) like the ``y`` it was fitted on."""
        check_is_fitted(self, "coefs_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        out = self._forward(X)[-1]
        return out[:, 0] if self._y_1d else out


def gradient_check(model, X, y, eps=1e-6):
    """Largest relative difference between backpropagation and central finite differences.

    Every weight and bias ``p`` is moved by ``+eps`` and ``-eps`` in turn; the numerical gradient is
    ``(L(p + eps) - L(p - eps)) / (2 eps)``. The relative error of one parameter array (a weight
    matrix or a bias vector) is ``||g_backprop - g_numeric|| / (||g_backprop|| + ||g_numeric||)``;
    the result is the largest over all arrays. (Norms, not single elements: a gradient element
    that happens to be almost zero would otherwise turn the rounding error of the finite difference,
    about 1e-10, into a large ratio.) In float64 a correct backward pass gives about 1e-8 or less; a
    mistake gives errors of order 0.1 to 1.

    Parameters
    ----------
    model : NumpyMLPRegressor
        A fitted network; an unfitted one is first given its initial weights (as ``fit`` would draw them).
    X : array_like, shape (n_samples, n_features)
    y : array_like, shape (n_samples,) or (n_samples, n_outputs)
    eps : float, default 1e-6
        Finite-difference step.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(10, 2)), rng.normal(size=10)
    >>> bool(gradient_check(NumpyMLPRegressor(hidden_layer_sizes=(4, 3), random_state=0), X, y) < 1e-6)
    True
    """
    if not isinstance(model, NumpyMLPRegressor):
        raise ValueError(f"model must be a NumpyMLPRegressor, got {type(model).__name__}")
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not eps > 0:
        raise ValueError(f"eps must be a positive number, got {eps!r}")
    X = as_float_array("X", X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {X.shape}")
    y = as_float_array("y", y)
    if y.ndim not in (1, 2) or len(y) != len(X) or y.size == 0:
        raise ValueError(f"y must have one row per sample of X ({len(X)}), got shape {y.shape}")
    y = y.reshape(len(X), -1)
    if hasattr(model, "coefs_") and y.shape[1] != model.coefs_[-1].shape[1]:
        raise ValueError(f"y must have {model.coefs_[-1].shape[1]} output column(s), as the fitted model, "
                         f"got shape {y.shape}")
    if not hasattr(model, "coefs_"):
        model._initialize(X.shape[1], y.shape[1], _random_state(model.random_state))
    _, coef_grads, intercept_grads = model._loss_and_gradients(X, y)
    worst = 0.0
    for p, g in zip(model.coefs_ + model.intercepts_, coef_grads + intercept_grads, strict=True):
        numeric = np.empty_like(p)
        for index in np.ndindex(p.shape):
            kept = p[index]
            p[index] = kept + eps
            loss_plus = model._loss(model._forward(X)[-1], y, len(X))
            p[index] = kept - eps
            loss_minus = model._loss(model._forward(X)[-1], y, len(X))
            p[index] = kept                              # put the weight back
            numeric[index] = (loss_plus - loss_minus) / (2 * eps)
        scale = np.linalg.norm(g) + np.linalg.norm(numeric)
        if scale > 0:                                    # both zero (a dead ReLU unit): they agree
            worst = max(worst, np.linalg.norm(g - numeric) / scale)
    return float(worst)
