"""DBSCAN and friends-of-friends: clusters as connected regions of high point density.

DBSCAN (Ester et al. 1996) calls a point *core* when at least ``min_samples`` points (itself
included) lie within ``eps`` of it. Core points closer than ``eps`` to each other are linked;
each connected group of core points is a cluster; a non-core point within ``eps`` of a core point
joins that point's cluster (a *border* point); every other point is noise (label -1). The number of
clusters is not chosen in advance. With ``min_samples=1`` every point is core and DBSCAN becomes the
friends-of-friends group finder of N-body cosmology (Davis et al. 1985) with linking length ``eps``.

This reference implementation writes the three steps with a k-d tree
(:class:`scipy.spatial.cKDTree`) for the neighbour pairs and
:func:`scipy.sparse.csgraph.connected_components` for the linking. Clusters are numbered in
order of their lowest-index core point, and a border point reachable from several clusters joins
the lowest-numbered one, as :class:`sklearn.cluster.DBSCAN` does, so both give the same labels.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils.validation import check_array, validate_data

__all__ = ["DBSCAN", "friends_of_friends"]

# Minkowski p of each metric that the k-d tree supports.
_METRICS = {"euclidean": 2.0, "manhattan": 1.0, "cityblock": 1.0, "chebyshev": np.inf}


def _neighbour_pairs(X, eps, p):
    """All pairs ``(i, j)``, ``i < j``, with distance at most ``eps``, as an ``(n_pairs, 2)`` array."""
    pairs = cKDTree(X).query_pairs(eps, p=p, output_type="ndarray")
    return pairs.reshape(-1, 2).astype(np.intp)


def _components(n, i, j):
    """Labels of the connected components of the graph on ``n`` nodes with edges ``(i, j)``,
    numbered in order of their lowest node index."""
    graph = sparse.coo_matrix((np.ones(len(i), dtype=np.int8), (i, j)), shape=(n, n)).tocsr()
    _, labels = connected_components(graph, directed=False)
    # renumber: component of node 0 first, then the one of the lowest node not yet seen, ...
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(np.argsort(first))
    return order[labels]


class DBSCAN(ClusterMixin, BaseEstimator):
    """Density-based clustering with noise (Ester et al. 1996), a readable reference implementation.

    Parameters
    ----------
    eps : float, default 0.5
        Neighbourhood radius, in the units of the features (scale them first!).
    min_samples : int, default 5
        Number of points within ``eps`` (the point itself included) that make a point core.
        ``N_min`` in the lectures; ``min_samples=1`` is friends-of-friends.
    metric : {"euclidean", "manhattan", "cityblock", "chebyshev"}, default "euclidean"
        Distance between feature vectors.

    Attributes
    ----------
    labels_ : ndarray of int, shape (n_samples,)
        Cluster of each point, 0, 1, ...; -1 for noise.
    core_sample_indices_ : ndarray of int
        Indices of the core points.
    components_ : ndarray, shape (n_core, n_features)
        The core points themselves.
    n_clusters_ : int
        Number of clusters found.
    n_features_in_ : int

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [0.0, 0.1], [0.1, 0.0], [5.0, 5.0], [5.0, 5.1], [5.1, 5.0], [9.0, 0.0]])
    >>> model = DBSCAN(eps=0.3, min_samples=3).fit(X)
    >>> model.labels_.tolist(), model.n_clusters_
    ([0, 0, 0, 1, 1, 1, -1], 2)
    """

    def __init__(self, eps=0.5, *, min_samples=5, metric="euclidean"):
        self.eps = eps
        self.min_samples = min_samples
        self.metric = metric

    def _validate_params(self):
        if not (np.isscalar(self.eps) and np.isreal(self.eps) and self.eps > 0):
            raise ValueError(f"eps must be a positive number, got {self.eps!r}")
        if not (isinstance(self.min_samples, (int, np.integer)) and self.min_samples >= 1):
            raise ValueError(f"min_samples must be an integer >= 1, got {self.min_samples!r}")
        if self.metric not in _METRICS:
            raise ValueError(f"metric must be one of {sorted(_METRICS)}, got {self.metric!r}")

    def fit(self, X, y=None, sample_weight=None):
        """Find the clusters of ``X``.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)
        y : ignored
        sample_weight : array_like, shape (n_samples,), optional
            Weight of each point in the neighbour count (a point of weight ``min_samples`` is
            core on its own, one of negative weight can stop its neighbours being core).

        Returns
        -------
        self
        """
        self._validate_params()
        X = validate_data(self, X, dtype=np.float64)
        n = len(X)
        weight = np.ones(n) if sample_weight is None else check_array(
            sample_weight, ensure_2d=False, dtype=np.float64, input_name="sample_weight")
        if weight.shape != (n,):
            raise ValueError(f"sample_weight must have shape ({n},), got {weight.shape}")
        if sample_weight is not None and not np.any(weight):
            raise ValueError("sample_weight must contain at least one non-zero weight, got all zeros")

        # 1. neighbours within eps; a point is core if its neighbourhood (itself included) is heavy enough
        i, j = _neighbour_pairs(X, float(self.eps), _METRICS[self.metric]).T
        count = weight + np.bincount(i, weights=weight[j], minlength=n) + np.bincount(j, weights=weight[i], minlength=n)
        core = count >= self.min_samples

        # 2. link core points within eps of each other: each connected group is one cluster
        labels = np.full(n, -1, dtype=np.intp)
        core_idx = np.flatnonzero(core)
        both = core[i] & core[j]
        position = np.cumsum(core) - 1  # index of each core point among the core points
        labels[core_idx] = _components(len(core_idx), position[i[both]], position[j[both]])

        # 3. a non-core point next to a core point joins its cluster (the lowest-numbered one if several)
        border = np.full(n, np.iinfo(np.intp).max, dtype=np.intp)
        for a, b in ((i, j), (j, i)):
            take = core[a] & ~core[b]
            np.minimum.at(border, b[take], labels[a[take]])
        reached = ~core & (border < np.iinfo(np.intp).max)
        labels[reached] = border[reached]

        self.labels_ = labels
        self.core_sample_indices_ = core_idx
        self.components_ = X[core_idx].copy()
        self.n_clusters_ = int(labels.max() + 1) if n else 0
        return self

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit and return ``labels_``."""
        return self.fit(X, sample_weight=sample_weight).labels_


def friends_of_friends(X, linking_length, *, min_members=1, metric="euclidean"):
    """Friends-of-friends groups (Davis et al. 1985): points closer than ``linking_length`` are friends,
    and a friend of a friend is in the same group.

    The same as ``DBSCAN(eps=linking_length, min_samples=1)``: the groups are the connected components
    of the graph that links every pair closer than the linking length.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_features)
    linking_length : float
        Largest distance between friends (in N-body work, ``b`` times the mean interparticle spacing,
        with ``b ~ 0.2``).
    min_members : int, default 1
        Groups with fewer members are labelled -1 (noise); 1 keeps every point, singletons included.
    metric : str, default "euclidean"
        As for :class:`DBSCAN`.

    Returns
    -------
    labels : ndarray of int, shape (n_samples,)
        Group of each point, numbered in order of the group's lowest index; -1 for points in groups
        smaller than ``min_members``.

    Examples
    --------
    >>> friends_of_friends([[0.0], [1.0], [2.0], [10.0]], linking_length=1.5).tolist()
    [0, 0, 0, 1]
    >>> friends_of_friends([[0.0], [1.0], [2.0], [10.0]], linking_length=1.5, min_members=2).tolist()
    [0, 0, 0, -1]
    """
    if not (isinstance(min_members, (int, np.integer)) and min_members >= 1):
        raise ValueError(f"min_members must be an integer >= 1, got {min_members!r}")
    if not (np.isscalar(linking_length) and np.isreal(linking_length) and linking_length > 0):
        raise ValueError(f"linking_length must be a positive number, got {linking_length!r}")
    if metric not in _METRICS:
        raise ValueError(f"metric must be one of {sorted(_METRICS)}, got {metric!r}")
    X = check_array(X, dtype=np.float64)
    i, j = _neighbour_pairs(X, float(linking_length), _METRICS[metric]).T
    labels = _components(len(X), i, j)
    if min_members > 1:
        size = np.bincount(labels)
        small = size[labels] < min_members
        labels[~small] = np.unique(labels[~small], return_inverse=True)[1]  # renumber 0, 1, ... in the same order
        labels[small] = -1
    return labels
