"""The PLAsTiCC weighted multi-class logarithmic loss.

Malz et al. (2019, AJ 158, 171) chose it for the Photometric LSST Astronomical Time-series
Classification Challenge; Kaggle scored PLAsTiCC with it. For ``M`` classes, ``N_i`` true members of
class ``i`` and class weights ``w_i``

.. math::

    L = -\\frac{\\sum_i w_i \\frac{1}{N_i} \\sum_{j \\in i} \\ln p_{ij}}{\\sum_i w_i},

the weighted mean, over classes, of the mean log-loss of each class's members: every class counts
the same however rare it is (times its weight), so a classifier cannot win by ignoring the rare ones.
"""

from __future__ import annotations

import numbers

import numpy as np

from astrolab._validation import as_float_array

__all__ = ["PLASTICC_CLASS_WEIGHTS", "weight_prior", "weighted_log_loss"]

#: Class weights of the challenge kit, keyed by the names in ``astrolab.datasets.TRANSIENT_CLASSES``.
#: The Kaggle PLAsTiCC score weighted most classes 1 and the catch-all class 99 of unseen objects 2;
#: the rare kilonova (64) and tidal-disruption (15) classes are widely reported to have had weight 2 as
#: well (the weights were not published during the competition). We have no class 99, so we weigh
#: KN and TDE 2 and every other class 1.
PLASTICC_CLASS_WEIGHTS = {"SNIa": 1.0, "SNII": 1.0, "SNIbc": 1.0, "SLSN": 1.0, "TDE": 2.0, "KN": 2.0, "AGN": 1.0,
                          "RRL": 1.0, "EB": 1.0, "microlensing": 1.0}


def _weight_array(labels, class_weights) -> np.ndarray:
    """One finite, non-negative weight per label (not all zero), from a dict or a sequence."""
    if isinstance(class_weights, dict):
        missing = [label for label in labels if label not in class_weights]
        if missing:
            raise ValueError(f"class_weights has no weight for the classes {missing}")
        w = np.array([float(class_weights[label]) for label in labels])
    else:
        w = as_float_array("class_weights", class_weights)
        if w.shape != (len(labels),):
            raise ValueError(f"class_weights must hold one weight per class ({len(labels)}), got shape {w.shape}")
    if not (np.all(np.isfinite(w)) and np.all(w >= 0) and w.sum() > 0):
        raise ValueError(f"class_weights must be finite, non-negative and not all zero, got {w.tolist()}")
    return w


def weight_prior(labels, class_weights) -> np.ndarray:
    r"""The best constant prediction under the weighted log-loss: ``p_i = w_i / sum_j w_j``.

    A prediction ``p`` given to every object scores ``-sum_i w_i ln p_i / sum_i w_i`` when every class
    is present; by Gibbs' inequality this is smallest at ``p = w / sum w``, where it equals the entropy
    of ``p``. With :data:`PLASTICC_CLASS_WEIGHTS` that is 2.254, below the uniform guess's ln 10 = 2.303:
    the no-skill score of the challenge.

    Examples
    --------
    >>> p = weight_prior(["a", "b"], {"a": 1.0, "b": 3.0})
    >>> p.tolist()
    [0.25, 0.75]
    >>> round(weighted_log_loss(["a", "b"], [p, p], class_weights={"a": 1, "b": 3}), 4)
    0.5623
    """
    from astrolab._validation import check_sequence

    labels = check_sequence("labels", labels, min_len=1)
    w = _weight_array(labels, class_weights)
    return w / w.sum()


def weighted_log_loss(y_true, proba, *, class_weights=None, labels=None, eps: float = 1e-15) -> float:
    r"""The PLAsTiCC weighted multi-class log-loss (lower is better; 0 is perfect).

    .. math::

        L = -\frac{\sum_i w_i \frac{1}{N_i} \sum_{j \in i} \ln p_{ij}}{\sum_i w_i}

    Exactly as on the Kaggle evaluation page: each row of ``proba`` is first divided by its sum, then
    every probability is replaced by ``max(min(p, 1 - eps), eps)`` (no second normalisation); ``p_ij``
    is the probability that object ``j`` gets for its true class ``i``. Classes absent from ``y_true``
    (``N_i = 0``) are left out of both sums. With equal weights and equally populated classes this is
    the ordinary multi-class log-loss (:func:`sklearn.metrics.log_loss`); a prediction equal to
    ``1 / M`` for every class scores ``ln M`` whatever the weights.

    Parameters
    ----------
    y_true : array-like of shape (N,)
        True class of every object (ints or strings), in ``labels``.
    proba : array-like of shape (N, M) or pandas.DataFrame
        Predicted probabilities, columns in the order of ``labels``. Rows need not sum to one (they
        are rescaled) but must be finite, non-negative and not all zero.
    class_weights : dict or array-like of shape (M,), optional
        Weight ``w_i`` of each class (a dict keyed by label, or one number per column); default 1 for
        every class. :data:`PLASTICC_CLASS_WEIGHTS` holds the weights of the challenge kit.
    labels : sequence of length M, optional
        The class of each column of ``proba``. Default: the columns of a DataFrame, or else the
        sorted unique values of ``y_true`` (which must then number ``M``).
    eps : float, default 1e-15
        Clipping bound.

    Returns
    -------
    float

    Examples
    --------
    Three objects, two of class 0 and one of class 1: the loss is minus the mean of the per-class
    mean log-probabilities, ``-[(ln 0.8 + ln 0.6) / 2 + ln 0.7] / 2``.

    >>> proba = [[0.8, 0.2], [0.6, 0.4], [0.3, 0.7]]
    >>> round(weighted_log_loss([0, 0, 1], proba), 6)
    0.36183
    >>> round(weighted_log_loss([0, 0, 1], proba, class_weights=[1, 2]), 6)
    0.360111
    """
    y_true = np.asarray(y_true)
    if y_true.ndim != 1 or y_true.size == 0:
        raise ValueError(f"y_true must be a non-empty 1-d array of class labels, got shape {y_true.shape}")
    columns = None
    if hasattr(proba, "columns") and hasattr(proba, "to_numpy"):
        columns = list(proba.columns)
        proba = proba.to_numpy()
    try:
        p = as_float_array("proba", proba)
    except (TypeError, ValueError) as err:
        raise ValueError(f"proba must be an (N, M) array of numbers: {err}") from None
    if p.ndim != 2 or p.shape[0] != y_true.size:
        raise ValueError(f"proba must have shape (N, M) with N = len(y_true) = {y_true.size}, got shape {p.shape}")
    if labels is None:
        labels = columns if columns is not None else np.unique(y_true)
    labels = [label.item() if isinstance(label, np.generic) else label for label in labels]
    if len(labels) != p.shape[1]:
        raise ValueError(f"labels must give one class per column of proba ({p.shape[1]} columns), "
                         f"got {len(labels)} labels: {labels}")
    if len(set(labels)) != len(labels):
        raise ValueError(f"labels must be unique, got {labels}")
    index = {label: k for k, label in enumerate(labels)}
    unknown = sorted({v for v in y_true.tolist() if v not in index}, key=str)
    if unknown:
        types = sorted({type(v).__name__ for v in unknown}), sorted({type(v).__name__ for v in labels})
        hint = (f" (y_true holds {'/'.join(types[0])} values, labels are {'/'.join(types[1])}: give both the same type)"
                if {str(v) for v in unknown} <= {str(v) for v in labels} else "")
        raise ValueError(f"y_true holds classes that are not among labels {labels}: {unknown}{hint}")
    w = np.ones(len(labels)) if class_weights is None else _weight_array(labels, class_weights)
    if not np.all(np.isfinite(p)):
        row, col = np.argwhere(~np.isfinite(p))[0]
        raise ValueError(f"proba must be finite: row {row}, column {labels[col]!r} holds {p[row, col]}")
    if np.any(p < 0):
        row, col = np.argwhere(p < 0)[0]
        raise ValueError(f"proba must be non-negative: row {row}, column {labels[col]!r} holds {p[row, col]}")
    total = p.sum(axis=1)
    if np.any(total <= 0):
        raise ValueError(f"every row of proba needs a positive sum: row {int(np.argmax(total <= 0))} is all zero")
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not 0 < eps < 0.5:
        raise ValueError(f"eps must be in (0, 0.5), got {eps!r}")

    p = np.clip(p / total[:, None], eps, 1 - eps)
    codes = np.array([index[v] for v in y_true.tolist()])
    log_p = np.log(p[np.arange(codes.size), codes])
    counts = np.bincount(codes, minlength=len(labels))
    per_class = np.bincount(codes, log_p, minlength=len(labels))
    present = counts > 0
    if not np.sum(w[present]) > 0:
        raise ValueError(f"class_weights give weight 0 to every class present in y_true ({w.tolist()})")
    mean_log = per_class[present] / counts[present]
    return float(-np.sum(w[present] * mean_log) / np.sum(w[present]))
