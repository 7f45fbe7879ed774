"""An out-of-distribution score: is this input like the training set at all?

A classifier always answers, even for an input unlike anything it was trained on (a light curve
from another survey, with other bands, cadence and depth), and its probabilities then mean
nothing. :class:`OODScore` learns what the training feature vectors look like and scores new
ones, so that a user can flag the inputs on which a prediction should not be trusted, before
reading the prediction.

Recipe (Lee et al. 2018, NeurIPS, use the Mahalanobis distance of a network's features; here the
hand-made features of :func:`astrolab.challenge.extract_features`):

1. every feature is standardised robustly, ``z = (x - median) / (IQR / 1.349)``, and its tails are
   compressed with ``arcsinh`` (fluxes span decades; one bright object must not dominate);
2. a missing value (NaN: a band never observed, a period not searched) is set to the median (0)
   and a *missingness indicator* per feature is appended, so that "this band is absent" is itself
   a feature: a six-band training set never has it, a two-band survey always does;
3. ``method="mahalanobis"``: the squared Mahalanobis distance from the training mean under the
   Ledoit-Wolf shrunk covariance of the training vectors (shrinkage keeps the never-missing
   indicators, of zero training variance, finite and very informative);
   ``method="isolation_forest"``: scikit-learn's :class:`~sklearn.ensemble.IsolationForest` on
   the same vectors.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["OODScore"]

_METHODS = ("mahalanobis", "isolation_forest")


class OODScore(OutlierMixin, BaseEstimator):
    """Out-of-distribution score of feature vectors relative to a training set.

    Follows scikit-learn's outlier detectors (:class:`~sklearn.covariance.EllipticEnvelope`,
    :class:`~sklearn.ensemble.IsolationForest`): :meth:`score_samples` is *higher for typical*
    inputs, :meth:`decision_function` is negative for flagged ones, :meth:`predict` gives +1
    (in distribution) or -1 (out of distribution). :meth:`distance` gives the raw Mahalanobis
    distance squared (higher = stranger) for plots.

    Parameters
    ----------
    method : {"mahalanobis", "isolation_forest"}, default "mahalanobis"
        The score on the standardised vectors (see the module docstring).
    contamination : float, default 0.01
        Share of the *training* vectors to flag: sets the threshold ``offset_`` at that quantile
        of their scores. In-sample scores are a little optimistic, so slightly more than this
        share of new in-distribution inputs is flagged (measure it on held-out data).
    n_estimators : int, default 200
        Trees of the isolation forest (ignored for ``"mahalanobis"``).
    random_state : int, numpy.random.Generator or None, default None
        Seed of the isolation forest (ignored for ``"mahalanobis"``).

    Attributes
    ----------
    center_, scale_ : numpy.ndarray, shape (n_features_in_,)
        Median and robust width (IQR / 1.349, else the standard deviation, else 1) of each feature.
    missing_in_training_ : numpy.ndarray of bool, shape (n_features_in_,)
        Features that were ever NaN in the training set.
    covariance_ : sklearn.covariance.LedoitWolf or None
        The fitted covariance (``"mahalanobis"``).
    forest_ : sklearn.ensemble.IsolationForest or None
        The fitted forest (``"isolation_forest"``).
    offset_ : float
        Threshold on :meth:`score_samples`: below it an input is flagged.
    n_features_in_ : int
    feature_names_in_ : numpy.ndarray of str
        When ``X`` was a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X_train = rng.normal(size=(500, 3))
    >>> ood = OODScore().fit(X_train)
    >>> X_new = np.array([[0.1, -0.2, 0.3], [8.0, 0.0, 0.0], [0.0, np.nan, 0.0]])
    >>> ood.predict(X_new).tolist()          # typical, far away, a feature never missing before
    [1, -1, -1]
    """

    def __init__(self, *, method: str = "mahalanobis", contamination: float = 0.01, n_estimators: int = 200,
                 random_state=None):
        self.method = method
        self.contamination = contamination
        self.n_estimators = n_estimators
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def _vectors(self, X):
        """Robust z-scores (tails compressed, NaN -> 0) followed by the missingness indicators."""
        missing = np.isnan(X)
        z = np.arcsinh((X - self.center_) / self.scale_)
        z[missing] = 0.0
        return np.hstack([z, missing.astype(float)])

    def fit(self, X, y=None):
        """Learn the training distribution.

        Parameters
        ----------
        X : array-like or pandas.DataFrame, shape (n_samples, n_features)
            Training feature vectors; NaN marks a missing value (infinities are not allowed).
        y : ignored

        Returns
        -------
        self
        """
        from sklearn.covariance import LedoitWolf
        from sklearn.ensemble import IsolationForest

        if not isinstance(self.method, str) or self.method not in _METHODS:
            raise ValueError(f"method must be one of {_METHODS}, got {self.method!r}"[:300])
        if not (isinstance(self.contamination, (int, float, np.floating)) and not isinstance(self.contamination, bool)
                and 0 < self.contamination < 0.5):
            raise ValueError(f"contamination must be a number in (0, 0.5), got {self.contamination!r}")
        if isinstance(self.n_estimators, bool) or not isinstance(self.n_estimators, (int, np.integer)) \
                or self.n_estimators < 1:
            raise ValueError(f"n_estimators must be a positive integer, got {self.n_estimators!r}")
        X = validate_data(self, X, dtype=np.float64, ensure_all_finite="allow-nan", ensure_min_samples=2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)              # all-NaN columns: NaN, handled below
            center = np.nanmedian(X, axis=0)
            q75, q25 = np.nanpercentile(X, [75, 25], axis=0)
            std = np.nanstd(X, axis=0)
        scale = (q75 - q25) / 1.349
        scale = np.where(np.isfinite(scale) & (scale > 0), scale, std)
        scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
        self.center_ = np.where(np.isfinite(center), center, 0.0)
        self.scale_ = scale
        self.missing_in_training_ = np.isnan(X).any(axis=0)
        V = self._vectors(X)
        self.covariance_, self.forest_ = None, None
        if self.method == "mahalanobis":
            self.covariance_ = LedoitWolf(store_precision=True).fit(V)
        else:
            self.forest_ = IsolationForest(n_estimators=self.n_estimators, random_state=self._seed()).fit(V)
        self.offset_ = float(np.quantile(self._score(V), self.contamination))
        return self

    def _seed(self):
        rs = self.random_state
        if isinstance(rs, np.random.Generator):
            return int(rs.integers(2**31 - 1))
        return rs

    def _score(self, V):
        if self.covariance_ is not None:
            return -self.covariance_.mahalanobis(V)
        return self.forest_.score_samples(V)

    def _check(self, X):
        check_is_fitted(self, "offset_")
        X = validate_data(self, X, dtype=np.float64, ensure_all_finite="allow-nan", reset=False)
        return self._vectors(X)

    def score_samples(self, X):
        """Typicality of each input: higher is more like the training set.

        Minus the squared Mahalanobis distance (``"mahalanobis"``) or the isolation forest's
        score (``"isolation_forest"``).

        Parameters
        ----------
        X : array-like or pandas.DataFrame, shape (n_samples, n_features_in_)

        Returns
        -------
        numpy.ndarray, shape (n_samples,)
        """
        return self._score(self._check(X))

    def decision_function(self, X):
        """``score_samples(X) - offset_``: negative for inputs flagged as out of distribution.

        Parameters
        ----------
        X : array-like or pandas.DataFrame, shape (n_samples, n_features_in_)

        Returns
        -------
        numpy.ndarray, shape (n_samples,)
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """+1 for inputs like the training set, -1 for flagged ones.

        Parameters
        ----------
        X : array-like or pandas.DataFrame, shape (n_samples, n_features_in_)

        Returns
        -------
        numpy.ndarray of int, shape (n_samples,)
        """
        return np.where(self.decision_function(X) >= 0, 1, -1)

    def distance(self, X):
        """Squared Mahalanobis distance from the training mean (higher = stranger).

        Parameters
        ----------
        X : array-like or pandas.DataFrame, shape (n_samples, n_features_in_)

        Returns
        -------
        numpy.ndarray, shape (n_samples,)
        """
        V = self._check(X)
        if self.covariance_ is None:
            raise ValueError("distance needs method='mahalanobis'")
        return self.covariance_.mahalanobis(V)
