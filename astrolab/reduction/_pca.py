"""Principal component analysis written to be read: centre, SVD, keep the leading directions."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from astrolab._validation import as_float_array, check_array, validate_X

__all__ = ["PCA", "reconstruction_error"]


class PCA(TransformerMixin, BaseEstimator):
    """Principal component analysis by the singular value decomposition of the centred data.

    With the data matrix centred, ``X - mean = U S V^T``; the rows of ``V^T`` are the principal
    directions (the *eigenspectra* when the rows of ``X`` are spectra), ``S**2 / (n - 1)`` the
    variances along them. Keeping the first ``k`` directions gives the best rank-``k``
    approximation of the data in the least-squares sense (Eckart & Young 1936).

    Parameters
    ----------
    n_components : int or None, default None
        Number of components to keep; None keeps ``min(n_samples, n_features)``.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        The mean of the training data.
    components_ : ndarray of shape (n_components, n_features)
        Principal directions, by decreasing variance; the sign is fixed so that the largest
        coefficient of each is positive (the SVD leaves it arbitrary).
    explained_variance_ : ndarray of shape (n_components,)
        Variance of the data along each component.
    explained_variance_ratio_ : ndarray of shape (n_components,)
        The same, as a fraction of the total variance.
    n_components_ : int
        Number of components kept.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    sklearn.decomposition.PCA : the production implementation (randomised SVD, whitening, ...).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3)) @ np.diag([5.0, 1.0, 0.1])
    >>> pca = PCA(n_components=2).fit(X)
    >>> np.round(pca.explained_variance_ratio_, 3)
    array([0.962, 0.037])
    """

    def __init__(self, n_components=None):
        self.n_components = n_components

    def fit(self, X, y=None):
        """Compute the principal directions of ``X`` (n_samples, n_features). Returns self."""
        X = validate_X(self, X, dtype=np.float64, ensure_min_samples=2)
        n_samples, n_features = X.shape
        k = min(n_samples, n_features) if self.n_components is None else self.n_components
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= min(n_samples, n_features):
            raise ValueError(f"n_components must be an integer between 1 and min(n_samples, n_features) = "
                             f"{min(n_samples, n_features)}, got {self.n_components!r}")
        self.mean_ = X.mean(axis=0)
        _, s, vt = np.linalg.svd(X - self.mean_, full_matrices=False)
        signs = np.sign(vt[np.arange(len(vt)), np.argmax(np.abs(vt), axis=1)])
        vt *= signs[:, None]
        variance = s**2 / (n_samples - 1)
        self.components_ = vt[:k]
        self.explained_variance_ = variance[:k]
        total = variance.sum()
        self.explained_variance_ratio_ = variance[:k] / total if total > 0 else np.zeros(k)
        self.n_components_ = int(k)
        return self

    def transform(self, X):
        """Coordinates of ``X`` along the principal directions: ``(X - mean_) @ components_.T``."""
        check_is_fitted(self)
        X = validate_X(self, X, dtype=np.float64, reset=False)
        return (X - self.mean_) @ self.components_.T

    def inverse_transform(self, Z):
        """Back from ``Z`` (n_samples, k <= n_components_) to the data space: the reconstruction."""
        check_is_fitted(self)
        Z = as_float_array("Z", Z)
        if Z.ndim != 2 or Z.shape[1] > self.n_components_:
            raise ValueError(f"Z must be 2-D with at most {self.n_components_} columns, got shape {Z.shape}")
        return self.mean_ + Z @ self.components_[: Z.shape[1]]


def reconstruction_error(pca, X, n_components, reference=None):
    """Root-mean-square difference between ``reference`` (default ``X``) and the rank-k reconstruction of ``X``.

    Parameters
    ----------
    pca : fitted PCA (ours or scikit-learn's)
        Anything with ``mean_`` and ``components_``.
    X : array_like, shape (n_samples, n_features)
        Data to project and reconstruct (e.g. noisy spectra).
    n_components : int or sequence of int
        Number(s) of leading components to use.
    reference : array_like, optional
        What the reconstruction should match (e.g. the noiseless spectra); default ``X``.

    Returns
    -------
    ndarray of shape (n_samples,) or (len(n_components), n_samples)
        RMS error per sample.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(1).normal(size=(50, 4))
    >>> pca = PCA().fit(X)
    >>> bool(np.allclose(reconstruction_error(pca, X, 4), 0))
    True
    """
    if not (hasattr(pca, "components_") and hasattr(pca, "mean_")):
        raise ValueError(f"pca must be a fitted PCA (with mean_ and components_), got {type(pca).__name__}")
    n_max, n_features = np.shape(pca.components_)
    X = check_array("X", X, shape=(None, n_features))
    reference = X if reference is None else check_array("reference", reference)
    if reference.shape != X.shape:
        raise ValueError(f"reference must have the shape of X {X.shape}, got {reference.shape}")
    ks = np.atleast_1d(np.asarray(n_components))
    if ks.ndim != 1 or ks.size == 0 or ks.dtype.kind not in "iu" or np.any(ks < 0) or np.any(ks > n_max):
        raise ValueError(f"n_components must be between 0 and {n_max}, got {n_components!r}"[:300])
    scores = (X - pca.mean_) @ pca.components_.T
    out = np.empty((len(ks), len(X)))
    for i, k in enumerate(ks):
        recon = pca.mean_ + scores[:, :k] @ pca.components_[:k]
        out[i] = np.sqrt(np.mean((recon - reference) ** 2, axis=1))
    return out[0] if np.ndim(n_components) == 0 else out
