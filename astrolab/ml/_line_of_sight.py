"""Neighbour distances that forgive each point its own one-dimensional error (a parallax along the line of sight).

A star's distance is ``1 / parallax``, and so are its tangential velocities ``4.74 mu / parallax``: a
parallax error moves the star's whole feature vector ``(x, y, z, v_l, v_b)`` along one direction, by a
known amount, while the proper motions and the sky position are measured almost without error. A
Euclidean radius treats that smear like a real separation. :func:`line_of_sight_graph` gives each pair
of points the smallest radius at which they are neighbours when the separation along their error
direction is allowed the errors in quadrature; :func:`kth_neighbor_distance` reads the k-th smallest
distance of each point from such a graph (for a k-distance or a false-cluster control).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from astrolab._validation import InvalidParameterError, check_array, check_int, check_real

__all__ = ["kth_neighbor_distance", "line_of_sight_graph"]


def line_of_sight_graph(X, noise, *, max_distance):
    r"""Sparse matrix of error-tolerant distances between the points closer than ``max_distance``.

    Each point ``i`` is measured with an error along one direction: ``noise[i]`` is the displacement of
    the point by a one-sigma error (for a star, its feature vector times ``parallax_error / parallax``).
    For two points the errors add along the mean direction :math:`\hat e` of their noise vectors, with
    variance :math:`\sigma^2 = |n_i|^2 + |n_j|^2`. With :math:`\Delta_\parallel` the separation along
    :math:`\hat e` and :math:`\Delta_\perp` the rest, the two points are neighbours at radius
    :math:`\varepsilon` when

    .. math:: \frac{\Delta_\perp^2}{\varepsilon^2} + \frac{\Delta_\parallel^2}{\varepsilon^2 + \sigma^2} \le 1,

    a radius of :math:`\varepsilon` across the error direction and of :math:`\sqrt{\varepsilon^2 + \sigma^2}`
    along it. The distance stored is the smallest such :math:`\varepsilon` (a root of a quadratic in
    :math:`\varepsilon^2`); without errors it is the Euclidean distance. The matrix feeds scikit-learn's
    ``DBSCAN(metric="precomputed")``.

    Parameters
    ----------
    X : array_like, shape (n, d)
        The points.
    noise : array_like, shape (n, d)
        One-sigma error vector of each point (zeros for an exact point).
    max_distance : float
        Keep the pairs at distances up to this (the largest radius the graph will be used with).

    Returns
    -------
    scipy.sparse.csr_matrix, shape (n, n)
        Symmetric; an entry for each pair of different points at distance <= ``max_distance`` (a stored
        zero for coincident points); absent pairs are farther.

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [0.0, 3.0], [1.0, 0.0]])
    >>> noise = np.array([[0.0, 4.0], [0.0, 4.0], [0.0, 0.0]])  # the first two are uncertain along y
    >>> g = line_of_sight_graph(X, noise, max_distance=5.0).toarray()
    >>> round(float(g[0, 1]), 3), round(float(g[0, 2]), 3)  # 3 apart along the error (sigma = 5.7): close
    (0.0, 1.0)
    >>> round(float(line_of_sight_graph(X, np.zeros_like(X), max_distance=5.0)[0, 1]), 3)  # no errors
    3.0
    """
    X = check_array("X", X, ndim=2, min_rows=1)
    noise = check_array("noise", noise, ndim=2, shape=X.shape)
    max_distance = check_real("max_distance", max_distance, min=0, min_inclusive=False)
    n = len(X)
    noise2 = np.einsum("ij,ij->i", noise, noise)
    # |Delta|^2 <= eps^2 + sigma^2 <= eps^2 + 2 max(|n_i|^2, |n_j|^2): each pair is found from its noisier point
    reach = np.sqrt(max_distance**2 + 2.0 * noise2)
    found = cKDTree(X).query_ball_point(X, reach, return_sorted=False)
    lengths = np.fromiter((len(f) for f in found), dtype=np.int64, count=n)
    i = np.repeat(np.arange(n), lengths)
    j = np.fromiter((k for f in found for k in f), dtype=np.int64, count=int(lengths.sum()))
    a, b = np.minimum(i, j), np.maximum(i, j)
    keep = a < b
    key = np.unique(a[keep] * n + b[keep])
    i, j = key // n, key % n
    delta = X[i] - X[j]
    # the mean error direction, signed so that the two noise vectors add rather than cancel
    sign = np.where(np.einsum("ij,ij->i", noise[i], noise[j]) < 0, -1.0, 1.0)
    direction = noise[i] + sign[:, None] * noise[j]
    norm = np.linalg.norm(direction, axis=1)
    direction = np.divide(direction, norm[:, None], out=np.zeros_like(direction), where=norm[:, None] > 0)
    par2 = np.einsum("ij,ij->i", delta, direction) ** 2
    perp2 = np.maximum(np.einsum("ij,ij->i", delta, delta) - par2, 0.0)
    s2 = noise2[i] + noise2[j]
    # perp2 / E + par2 / (E + s2) = 1 for E = eps^2: E^2 + (s2 - perp2 - par2) E - perp2 s2 = 0
    q = perp2 + par2 - s2
    dist = np.sqrt(np.maximum(0.5 * (q + np.sqrt(q * q + 4.0 * perp2 * s2)), 0.0))
    near = dist <= max_distance
    i, j, dist = i[near], j[near], dist[near]
    graph = sparse.coo_matrix((np.concatenate([dist, dist]), (np.concatenate([i, j]), np.concatenate([j, i]))),
                              shape=(n, n))
    return graph.tocsr()


def kth_neighbor_distance(graph, k):
    """Distance from each point to its k-th nearest neighbour in a sparse distance graph, itself counted first.

    Parameters
    ----------
    graph : scipy.sparse matrix, shape (n, n)
        Distances between the pairs it holds (as from :func:`line_of_sight_graph`); absent pairs are
        farther than every stored one.
    k : int
        Which neighbour, counting the point itself as the first (``k = 1`` gives zeros), like the
        k-distance of DBSCAN with ``min_samples = k``.

    Returns
    -------
    ndarray, shape (n,)
        ``inf`` where the graph holds fewer than ``k - 1`` neighbours of the point.

    Examples
    --------
    >>> g = line_of_sight_graph([[0.0], [1.0], [3.0]], np.zeros((3, 1)), max_distance=2.5)
    >>> kth_neighbor_distance(g, 2).tolist(), kth_neighbor_distance(g, 3).tolist()
    ([1.0, 1.0, 2.0], [inf, 2.0, inf])
    """
    if not sparse.issparse(graph) or graph.ndim != 2 or graph.shape[0] != graph.shape[1]:
        raise InvalidParameterError(f"graph must be a square scipy.sparse matrix, got {type(graph).__name__}"
                                    f"{' of shape ' + str(graph.shape) if hasattr(graph, 'shape') else ''}")
    k = check_int("k", k, min=1)
    csr = sparse.csr_matrix(graph)
    n = csr.shape[0]
    out = np.full(n, np.inf)
    if k == 1:
        return np.zeros(n)
    rows = np.repeat(np.arange(n), np.diff(csr.indptr))
    order = np.lexsort((csr.data, rows))
    data = csr.data[order]
    has = np.diff(csr.indptr) >= k - 1
    out[has] = data[csr.indptr[:-1][has] + k - 2]
    return out
