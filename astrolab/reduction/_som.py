"""A self-organizing map (Kohonen 1982) written to be read, with scikit-learn's estimator API."""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import ArpackError, ArpackNoConvergence, svds
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from astrolab._validation import as_float_array, check_seed, check_size, validate_X

__all__ = ["SelfOrganizingMap", "umatrix"]


def _squared_distances(X, W, X_sq=None):
    """Squared Euclidean distances between the rows of X (n, d) and of W (m, d): an (n, m) array.

    ``X_sq``, the squared norms of the rows of X, can be passed to save recomputing them.
    """
    X_sq = (X**2).sum(axis=1) if X_sq is None else X_sq
    d2 = X_sq[:, None] - 2.0 * X @ W.T + (W**2).sum(axis=1)[None, :]
    return np.maximum(d2, 0.0)


def _leading_directions(X, k=2):
    """The ``k`` leading singular values and right singular vectors of the (centred) matrix X.

    Signs are fixed as in :class:`~astrolab.reduction.PCA` (the largest coefficient of each vector
    is positive). A large matrix is not decomposed in full: ARPACK finds just the leading few.
    """
    s = None
    if min(X.shape) > 10 * k and np.any(X):
        try:
            _, s, vt = svds(X, k=k, random_state=0)
        except (ArpackError, ArpackNoConvergence):
            s = None  # a rare failure: fall back on the full decomposition below
        else:
            order = np.argsort(s)[::-1]
            s, vt = s[order], vt[order]
    if s is None:
        _, s, vt = np.linalg.svd(X, full_matrices=False)
        s, vt = s[:k], vt[:k]
    signs = np.sign(vt[np.arange(len(vt)), np.argmax(np.abs(vt), axis=1)])
    return s, vt * signs[:, None]


def umatrix(weights):
    """U-matrix of a grid of prototypes ``weights`` (n_rows, n_cols, n_features): the mean distance
    from each node's weight to those of its 4 grid neighbours."""
    W = as_float_array("weights", weights)
    total = np.zeros(W.shape[:2])
    count = np.zeros(W.shape[:2])
    for axis in (0, 1):
        d = np.sqrt((np.diff(W, axis=axis) ** 2).sum(axis=-1))
        lo = [slice(None), slice(None)]
        hi = [slice(None), slice(None)]
        lo[axis], hi[axis] = slice(None, -1), slice(1, None)
        total[tuple(lo)] += d
        count[tuple(lo)] += 1
        total[tuple(hi)] += d
        count[tuple(hi)] += 1
    return np.divide(total, count, out=np.zeros_like(total), where=count > 0)


class SelfOrganizingMap(TransformerMixin, BaseEstimator):
    """Self-organizing map: a grid of prototype vectors that learns the shape of the data.

    Each node ``j`` of an ``n_rows x n_cols`` grid holds a weight vector ``w_j`` in data space. For a
    sample ``x`` the *best-matching unit* (BMU) is the node whose weight is closest. Training pulls
    the BMU *and its grid neighbours* towards ``x``, with a Gaussian neighbourhood
    ``h_j = exp(-|r_j - r_bmu|^2 / (2 sigma^2))`` measured on the grid. The neighbourhood width
    ``sigma`` and (for the online algorithm) the learning rate shrink exponentially during training:
    the map first orders itself globally, then fine-tunes locally. Neighbouring nodes end up with
    similar weights, so the grid is a two-dimensional, topology-preserving picture of the data.

    Two algorithms:

    - ``"online"`` (Kohonen 1982): for each sample in turn, ``w_j += eta(t) h_j(t) (x - w_j)``;
    - ``"batch"`` (Kohonen 1993): each epoch, every weight becomes the neighbourhood-weighted mean of
      the samples, ``w_j = sum_i h_{bmu(i), j} x_i / sum_i h_{bmu(i), j}``; no learning rate,
      deterministic, vectorised and much faster.

    Parameters
    ----------
    n_rows, n_cols : int, default 10
        Size of the grid.
    n_epochs : int, default 20
        Passes over the training data.
    algorithm : {"batch", "online"}, default "batch"
        Update rule (see above).
    learning_rate : tuple of float, default (0.5, 0.01)
        Learning rate at the start and at the end of training (``"online"`` only).
    sigma : tuple, default (None, 0.5)
        Neighbourhood width on the grid, in nodes, at the start and at the end of training; None
        at the start means ``max(n_rows, n_cols) / 2``.
    init : {"pca", "random"}, default "pca"
        ``"pca"`` spreads the initial weights over the plane of the two leading principal components
        (fast, reproducible ordering); ``"random"`` starts from random training samples.
    keep_history : bool, default False
        Store a copy of the weights after every epoch in ``weights_history_`` (for animations).
    random_state : int, numpy.random.RandomState, numpy.random.Generator or None, default None
        Seed of the sample order (online) and of the random initialisation.
    verbose : bool, default False
        Show a progress bar over epochs.

    Attributes
    ----------
    weights_ : ndarray of shape (n_rows, n_cols, n_features)
        The prototype vectors; ``weights_[..., k]`` is the *component plane* of feature ``k``.
    quantization_errors_ : ndarray of shape (n_epochs,)
        Mean distance from each training sample to its BMU's weight, after each epoch.
    weights_history_ : list of ndarray
        Weights after each epoch, when ``keep_history``.
    n_iter_ : int
        Number of epochs run.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    minisom.MiniSom : a popular, compact implementation (online algorithm), used for comparison.

    References
    ----------
    T. Kohonen (1982), Biological Cybernetics 43, 59; T. Kohonen (1993), Neural Networks 6, 895;
    T. Kohonen (2013), *Essentials of the self-organizing map*, Neural Networks 37, 52.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).uniform(size=(500, 2))
    >>> som = SelfOrganizingMap(n_rows=5, n_cols=5, n_epochs=10, random_state=0).fit(X)
    >>> som.weights_.shape, bool(som.quantization_errors_[-1] < som.quantization_errors_[0])
    ((5, 5, 2), True)
    >>> som.predict(X[:3]).tolist()  # the flat index of each sample's best-matching unit
    [16, 5, 14]
    """

    def __init__(self, *, n_rows=10, n_cols=10, n_epochs=20, algorithm="batch", learning_rate=(0.5, 0.01),
                 sigma=(None, 0.5), init="pca", keep_history=False, random_state=None, verbose=False):
        self.n_rows = n_rows
        self.n_cols = n_cols
        self.n_epochs = n_epochs
        self.algorithm = algorithm
        self.learning_rate = learning_rate
        self.sigma = sigma
        self.init = init
        self.keep_history = keep_history
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ validation and set-up
    def _check_params(self):
        for name in ("n_rows", "n_cols", "n_epochs"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if self.algorithm not in ("batch", "online"):
            raise ValueError(f"algorithm must be 'batch' or 'online', got {self.algorithm!r}")
        if self.init not in ("pca", "random"):
            raise ValueError(f"init must be 'pca' or 'random', got {self.init!r}")
        lr = tuple(self.learning_rate) if np.iterable(self.learning_rate) else ()
        if len(lr) != 2 or not all(0 < v <= 1 for v in lr):
            raise ValueError("learning_rate must be a pair (start, end) of numbers in (0, 1], "
                             f"got {self.learning_rate!r}")
        sg = tuple(self.sigma) if np.iterable(self.sigma) else ()
        start = max(self.n_rows, self.n_cols) / 2.0 if len(sg) == 2 and sg[0] is None else (sg[0] if sg else None)
        if len(sg) != 2 or not (start is not None and start > 0 and sg[1] is not None and sg[1] > 0):
            raise ValueError("sigma must be a pair (start or None, end) of positive widths in nodes, "
                             f"got {self.sigma!r}")
        return lr, (float(start), float(sg[1]))

    def _grid(self):
        rows, cols = np.meshgrid(np.arange(self.n_rows), np.arange(self.n_cols), indexing="ij")
        return np.column_stack([rows.ravel(), cols.ravel()]).astype(float)

    def _initial_weights(self, X, rng):
        n_nodes = self.n_rows * self.n_cols
        if self.init == "random" or len(X) < 3:
            return X[rng.choice(len(X), size=n_nodes, replace=len(X) < n_nodes)].copy()
        mean = X.mean(axis=0)
        s, vt = _leading_directions(X - mean, k=2)
        scale = s / np.sqrt(len(X) - 1)
        grid = self._grid()
        a = np.linspace(-1, 1, self.n_rows)[grid[:, 0].astype(int)] if self.n_rows > 1 else np.zeros(n_nodes)
        b = np.linspace(-1, 1, self.n_cols)[grid[:, 1].astype(int)] if self.n_cols > 1 else np.zeros(n_nodes)
        w = mean + a[:, None] * scale[0] * vt[0]
        if len(scale) > 1:
            w = w + b[:, None] * scale[1] * vt[1]
        return w

    # ------------------------------------------------------------------ training
    def fit(self, X, y=None):
        """Train the map on ``X`` of shape (n_samples, n_features). Returns self."""
        (lr0, lr1), (s0, s1) = self._check_params()
        X = validate_X(self, X, dtype=np.float64, ensure_min_samples=2)
        if not isinstance(self.random_state, (np.random.RandomState, np.random.Generator, type(None))):
            check_seed("random_state", self.random_state, allow_none=False)
            if self.random_state > 2**32 - 1:
                raise ValueError(f"random_state must be an integer in [0, 2**32 - 1], got {self.random_state!r}")
        rng = check_random_state(self.random_state)
        # the node-to-node distances on the grid, and the sample-to-node distances
        n_nodes = self.n_rows * self.n_cols
        check_size("n_rows", 8.0 * n_nodes * (n_nodes + len(X) + 2 * X.shape[1]),
                   request=f"a map of n_rows={self.n_rows} x n_cols={self.n_cols} nodes")
        grid = self._grid()
        grid_d2 = ((grid[:, None, :] - grid[None, :, :]) ** 2).sum(axis=-1)  # node-to-node, on the grid
        W = self._initial_weights(X, rng)
        n_samples, n_nodes = len(X), len(W)
        X_sq = (X**2).sum(axis=1)
        # sample-to-node distances of the current map: they give the BMUs of the next epoch and the
        # quantization error of the last one, so each epoch computes them once
        d2 = _squared_distances(X, W, X_sq) if self.algorithm == "batch" else None
        n_steps = self.n_epochs * (n_samples if self.algorithm == "online" else 1)
        errors, history, step = [], [], 0
        epochs = range(self.n_epochs)
        if self.verbose:
            from tqdm.auto import tqdm

            epochs = tqdm(epochs, desc="SOM epochs")
        for epoch in epochs:
            if self.algorithm == "batch":
                frac = epoch / max(self.n_epochs - 1, 1)
                sigma = s0 * (s1 / s0) ** frac
                bmu = np.argmin(d2, axis=1)
                counts = np.bincount(bmu, minlength=n_nodes).astype(float)
                # sums[k]: sum of the samples whose BMU is node k (a sparse one-hot matrix times X)
                one_hot = sparse.csr_array((np.ones(n_samples), (bmu, np.arange(n_samples))),
                                           shape=(n_nodes, n_samples))
                sums = one_hot @ X
                h = np.exp(-grid_d2 / (2.0 * sigma**2))  # h[k, j]: influence of node k's samples on node j
                denominator = h.T @ counts
                update = denominator > 1e-12
                W[update] = (h.T @ sums)[update] / denominator[update, None]
            else:
                frac = np.arange(step, step + n_samples) / max(n_steps - 1, 1)
                sigmas, etas = s0 * (s1 / s0) ** frac, lr0 * (lr1 / lr0) ** frac
                for i, sigma, eta in zip(rng.permutation(n_samples), sigmas, etas, strict=True):
                    diff = X[i] - W  # (n_nodes, n_features): from every prototype to the sample
                    bmu = np.argmin(np.einsum("ij,ij->i", diff, diff))
                    h = np.exp(-grid_d2[bmu] / (2.0 * sigma**2))
                    diff *= (eta * h)[:, None]
                    W += diff
                step += n_samples
            d2 = _squared_distances(X, W, X_sq)
            errors.append(np.sqrt(d2.min(axis=1)).mean())
            if self.keep_history:
                history.append(W.reshape(self.n_rows, self.n_cols, -1).copy())
        self.weights_ = W.reshape(self.n_rows, self.n_cols, -1)
        self.quantization_errors_ = np.array(errors)
        if self.keep_history:
            self.weights_history_ = history
        self.n_iter_ = self.n_epochs
        return self

    # ------------------------------------------------------------------ using the map
    def _flat(self):
        check_is_fitted(self)
        return self.weights_.reshape(-1, self.weights_.shape[-1])

    def predict(self, X):
        """Flat index (``row * n_cols + col``) of the best-matching unit of each sample."""
        W = self._flat()
        X = validate_X(self, X, dtype=np.float64, reset=False)
        return np.argmin(_squared_distances(X, W), axis=1)

    def transform(self, X):
        """Grid coordinates (row, col) of the best-matching unit of each sample: an (n_samples, 2) array."""
        index = self.predict(X)
        return np.column_stack([index // self.n_cols, index % self.n_cols]).astype(float)

    def quantization_error(self, X):
        """Mean Euclidean distance from each sample to the weight of its best-matching unit."""
        W = self._flat()
        X = validate_X(self, X, dtype=np.float64, reset=False)
        return float(np.sqrt(_squared_distances(X, W).min(axis=1)).mean())

    def topographic_error(self, X):
        """Fraction of samples whose best and second-best units are not neighbours on the grid."""
        W = self._flat()
        X = validate_X(self, X, dtype=np.float64, reset=False)
        if len(W) < 2:
            return 0.0
        best2 = np.argsort(_squared_distances(X, W), axis=1)[:, :2]
        r, c = best2 // self.n_cols, best2 % self.n_cols
        return float(np.mean(np.maximum(np.abs(r[:, 0] - r[:, 1]), np.abs(c[:, 0] - c[:, 1])) > 1))

    def umatrix(self):
        """The U-matrix: mean distance from each node's weight to its 4 grid neighbours' weights.

        High values mark borders between clusters of similar prototypes.
        """
        check_is_fitted(self)
        return umatrix(self.weights_)
