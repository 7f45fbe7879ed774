"""Metrics astronomers quote for photometric redshifts and for ranked anomaly candidates."""

from __future__ import annotations

import numbers

import numpy as np

from astrolab._validation import as_float_array, check_int

__all__ = ["cluster_scores", "photoz_metrics", "precision_recall_at"]


def photoz_metrics(z_true, z_pred, *, outlier_threshold: float = 0.15) -> dict:
    """Scatter, outlier fraction and bias of photometric redshifts against spectroscopic ones.

    With ``dz = z_pred - z_true``:

    - ``sigma_nmad = 1.48 * median(|dz - median(dz)| / (1 + z_true))``, the normalised median
      absolute deviation, a robust width (equal to the standard deviation of ``dz / (1 + z)`` for
      Gaussian errors; Brammer et al. 2008; Ilbert et al. 2006);
    - ``outlier_fraction``: the fraction with ``|dz| / (1 + z_true) > outlier_threshold``
      (0.15 is the common "catastrophic outlier" cut);
    - ``bias = median(dz / (1 + z_true))``.

    Parameters
    ----------
    z_true, z_pred : array_like
        Spectroscopic (true) and photometric redshifts, same length, finite, ``z_true > -1``.
    outlier_threshold : float, default 0.15

    Returns
    -------
    dict
        ``sigma_nmad``, ``outlier_fraction``, ``bias`` (floats) and ``n`` (int).

    Examples
    --------
    >>> m = photoz_metrics([0.1, 0.5, 1.0, 2.0], [0.1, 0.5, 1.0, 2.0])
    >>> m["sigma_nmad"], m["outlier_fraction"], m["bias"]
    (0.0, 0.0, 0.0)
    >>> m = photoz_metrics([0.0, 0.0, 0.0, 1.0], [0.01, 0.0, -0.01, 2.0])
    >>> round(m["sigma_nmad"], 4), m["outlier_fraction"]
    (0.0148, 0.25)
    """
    z_true = as_float_array("z_true", z_true)
    z_pred = as_float_array("z_pred", z_pred)
    if z_true.ndim != 1 or z_true.shape != z_pred.shape or z_true.size == 0:
        raise ValueError(f"z_true and z_pred must be 1-d arrays of the same, non-zero length; got shapes "
                         f"{z_true.shape} and {z_pred.shape}")
    if not (np.all(np.isfinite(z_true)) and np.all(np.isfinite(z_pred))):
        raise ValueError("z_true and z_pred must be finite (drop or impute missing redshifts first)")
    if np.any(z_true <= -1):
        raise ValueError(f"z_true must be > -1, got a minimum of {z_true.min()}")
    if not (isinstance(outlier_threshold, numbers.Real) and outlier_threshold > 0):
        raise ValueError(f"outlier_threshold must be a positive number, got {outlier_threshold!r}")
    dz = z_pred - z_true
    scaled = dz / (1 + z_true)
    return {
        "sigma_nmad": float(1.48 * np.median(np.abs(dz - np.median(dz)) / (1 + z_true))),
        "outlier_fraction": float(np.mean(np.abs(scaled) > outlier_threshold)),
        "bias": float(np.median(scaled)),
        "n": int(z_true.size),
    }


def precision_recall_at(y_true, scores, k: int) -> tuple[float, float]:
    """Precision and recall among the ``k`` highest-scoring candidates.

    The question a follow-up programme asks: "if we take spectra of the top ``k`` anomalies, what
    fraction are real (precision), and what fraction of all real ones do we get (recall)?".
    Ties at the ``k``-th score are broken by order (a stable sort).

    Parameters
    ----------
    y_true : array_like of bool
        True labels (``True``: a real anomaly / the positive class).
    scores : array_like of float
        Higher means more anomalous (e.g. ``-IsolationForest.score_samples(X)``).
    k : int
        Number of candidates followed up, ``1 <= k <= len(scores)``.

    Returns
    -------
    precision, recall : float

    Examples
    --------
    >>> precision_recall_at([True, False, True, False], [0.9, 0.8, 0.1, 0.0], k=2)
    (0.5, 0.5)
    """
    y = np.asarray(y_true)
    s = as_float_array("scores", scores)
    if y.ndim != 1 or y.shape != s.shape:
        raise ValueError(f"y_true and scores must be 1-d and the same length; got shapes {y.shape} and {s.shape}")
    if y.dtype != bool and not np.all(np.isin(y, [0, 1])):
        raise ValueError("y_true must hold booleans (or 0/1)")
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or not 1 <= k <= y.size:
        raise ValueError(f"k must be an integer between 1 and {y.size}, got {k!r}")
    y = y.astype(bool)
    top = np.argsort(-s, kind="stable")[:k]
    hits = int(y[top].sum())
    n_pos = int(y.sum())
    return hits / k, (hits / n_pos if n_pos else 0.0)


def cluster_scores(labels, truth_labels, *, min_size: int = 1):
    """Match each true cluster to the found cluster holding most of its members.

    Parameters
    ----------
    labels, truth_labels : array_like of int, shape (n,)
        Found and true cluster of each point; -1 is noise (field).
    min_size : int, default 1
        Only true clusters with at least this many points are scored.

    Returns
    -------
    dict
        ``"cluster"`` (true ids scored), ``"match"`` (found id, -1 if none), ``"completeness"``
        (fraction of the true members in the match), ``"purity"`` (fraction of the match that are
        true members), each an array; and ``"n_found"``, the number of clusters found.

    Examples
    --------
    >>> s = cluster_scores([0, 0, 0, -1, 1, 1], [0, 0, 0, 0, 1, -1])
    >>> s["completeness"].tolist(), s["purity"].tolist(), s["n_found"]
    ([0.75, 1.0], [1.0, 0.5], 2)
    """
    min_size = check_int("min_size", min_size, min=1)
    labels, truth = np.asarray(labels), np.asarray(truth_labels)
    if labels.shape != truth.shape or labels.ndim != 1:
        raise ValueError(f"labels and truth_labels must be 1-D of the same length, "
                         f"got {labels.shape} and {truth.shape}")
    ids = np.unique(truth[truth >= 0])
    ids = ids[np.array([np.sum(truth == k) >= min_size for k in ids], dtype=bool)] if ids.size else ids
    match, completeness, purity = [], [], []
    for k in ids:
        found = labels[truth == k]
        found = found[found >= 0]
        j = int(np.bincount(found).argmax()) if found.size else -1
        match.append(j)
        completeness.append(float(np.mean(labels[truth == k] == j)) if j >= 0 else 0.0)
        purity.append(float(np.mean(truth[labels == j] == k)) if j >= 0 else 0.0)
    return {"cluster": ids, "match": np.array(match, dtype=int), "completeness": np.array(completeness),
            "purity": np.array(purity), "n_found": int(labels.max() + 1) if labels.size else 0}
