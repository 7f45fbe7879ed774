"""line_of_sight_graph and kth_neighbor_distance: an error-tolerant neighbour graph for DBSCAN."""

import numpy as np
import pytest
from scipy import sparse
from scipy.spatial import cKDTree
from sklearn.cluster import DBSCAN

from astrolab.ml import kth_neighbor_distance, line_of_sight_graph


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(7)
    centres = rng.uniform(-30, 30, (5, 5))
    X = np.concatenate([c + rng.normal(0, 1.0, (40, 5)) for c in centres] + [rng.uniform(-40, 40, (400, 5))])
    return X


def test_without_errors_it_is_euclidean_dbscan(blobs):
    g = line_of_sight_graph(blobs, np.zeros_like(blobs), max_distance=6.0)
    assert (g != g.T).nnz == 0
    for eps in (2.0, 3.5):
        ours = DBSCAN(eps=eps, min_samples=6, metric="precomputed").fit(g)
        euclid = DBSCAN(eps=eps, min_samples=6).fit(blobs)
        assert np.array_equal(ours.labels_, euclid.labels_)
        assert np.array_equal(ours.core_sample_indices_, euclid.core_sample_indices_)
    # the k-th neighbour distance is the k-d tree's where the graph holds enough neighbours
    kd = cKDTree(blobs).query(blobs, k=6)[0][:, -1]
    ours = kth_neighbor_distance(g, 6)
    finite = np.isfinite(ours)
    assert finite.sum() >= 200 and np.array_equal(np.isfinite(ours), kd <= 6.0)
    np.testing.assert_allclose(ours[finite], kd[finite], rtol=1e-12)


def test_the_error_direction_is_forgiven():
    X = np.array([[100.0, 0.0, 0.0], [110.0, 0.0, 0.0], [100.0, 10.0, 0.0]])
    noise = 0.1 * X  # 10 % errors along each star's own vector, like a parallax's
    g = line_of_sight_graph(X, noise, max_distance=20.0).toarray()
    assert g[0, 1] < 1.0  # 10 pc along the line of sight, where sigma ~ 15 pc: neighbours
    assert g[0, 2] > 9.0  # 10 pc across it: almost the Euclidean distance
    assert np.all(g <= np.linalg.norm(X[:, None] - X[None], axis=2) + 1e-12)


def test_a_cluster_smeared_along_the_line_of_sight_is_found():
    rng = np.random.default_rng(3)
    d_true = 150 + rng.normal(0, 1.0, 12)
    rel = np.full(12, 0.06)  # 9 pc of error along the line of sight
    d_obs = d_true * (1 + rel * rng.standard_normal(12))
    direction = np.column_stack([np.ones(12), rng.normal(0, 0.005, 12), rng.normal(0, 0.005, 12)])
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    v = np.array([-20.0, 5.0]) + rng.normal(0, 0.3, (12, 2))
    X = np.column_stack([d_obs[:, None] * direction, v * (d_obs / d_true)[:, None]])
    field = np.column_stack([rng.uniform(100, 200, (300, 3)), rng.normal(0, 25, (300, 2))])
    X = np.concatenate([X, field])
    rel = np.concatenate([rel, np.full(300, 0.06)])
    g = line_of_sight_graph(X, X * rel[:, None], max_distance=8.0)
    found = DBSCAN(eps=4.0, min_samples=6, metric="precomputed").fit_predict(g)
    euclid = DBSCAN(eps=4.0, min_samples=6).fit_predict(X)
    assert np.sum(found[:12] == np.bincount(found[:12][found[:12] >= 0]).argmax()) >= 10
    assert np.sum(euclid[:12] >= 0) < 10


def test_kth_neighbor_distance_counts_the_point_itself():
    g = line_of_sight_graph([[0.0], [1.0], [3.0]], np.zeros((3, 1)), max_distance=2.5)
    assert kth_neighbor_distance(g, 1).tolist() == [0.0, 0.0, 0.0]
    assert kth_neighbor_distance(g, 2).tolist() == [1.0, 1.0, 2.0]
    assert kth_neighbor_distance(g, 3).tolist() == [np.inf, 2.0, np.inf]


def test_coincident_points_are_neighbours():
    g = line_of_sight_graph([[1.0, 1.0], [1.0, 1.0]], np.zeros((2, 2)), max_distance=1.0)
    assert g.nnz == 2 and kth_neighbor_distance(g, 2).tolist() == [0.0, 0.0]


@pytest.mark.parametrize(("args", "kwargs", "name"), [
    (([1.0, 2.0], [0.0, 0.0]), {"max_distance": 1.0}, "X"),
    (([[1.0, 2.0]], [[0.0, 0.0, 0.0]]), {"max_distance": 1.0}, "noise"),
    (([[1.0, np.nan]], [[0.0, 0.0]]), {"max_distance": 1.0}, "X"),
    (([[1.0, 2.0]], [[0.0, 0.0]]), {"max_distance": 0.0}, "max_distance"),
    (([[1.0, 2.0]], [[0.0, 0.0]]), {"max_distance": "1"}, "max_distance"),
])
def test_graph_bad_input(args, kwargs, name):
    with pytest.raises(ValueError, match=name):
        line_of_sight_graph(*args, **kwargs)


@pytest.mark.parametrize(("graph", "k", "exc", "name"), [
    (np.zeros((3, 3)), 2, ValueError, "graph"),
    (sparse.csr_matrix((3, 2)), 2, ValueError, "graph"),
    (sparse.csr_matrix((3, 3)), 0, ValueError, "k"),
    (sparse.csr_matrix((3, 3)), True, ValueError, "k"),
])
def test_kth_bad_input(graph, k, exc, name):
    with pytest.raises(exc, match=name):
        kth_neighbor_distance(graph, k)
