"""Chapter 5b: DBSCAN and friends-of-friends against scikit-learn, the mock Gaia volume, the explorer widget."""

import astropy.units as u
import numpy as np
import pytest
from sklearn.cluster import DBSCAN as SklearnDBSCAN
from sklearn.datasets import make_blobs
from sklearn.utils.estimator_checks import parametrize_with_checks

from astrolab.datasets._gaia import make_gaia_volume
from astrolab.ml import cluster_scores
from astrolab.ml._dbscan import DBSCAN, friends_of_friends
from astrolab.widgets import dbscan_explorer


def blobs(seed):
    X, _ = make_blobs(1500, centers=6, cluster_std=0.6, random_state=seed)
    return np.vstack([X, np.random.default_rng(seed).uniform(-12, 12, (500, 2))])


@pytest.fixture(scope="module")
def mock():
    return make_gaia_volume(n_field=8000, n_clusters=8, radius=80 * u.pc, seed=3)


def mock_features(cat):
    return np.column_stack([cat[k].to_value(u.pc) for k in "xyz"]
                           + [cat[k].to_value(u.km / u.s) for k in ("v_l", "v_b")])


def same_up_to_permutation(a, b):
    pairs = np.unique(np.column_stack([a, b]), axis=0)
    return len(pairs) == len(np.unique(a)) == len(np.unique(b))


@parametrize_with_checks([DBSCAN(), DBSCAN(eps=1.0, min_samples=3, metric="manhattan")])
def test_dbscan_follows_the_scikit_learn_contract(estimator, check):
    check(estimator)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize(("eps", "min_samples", "metric"),
                         [(0.3, 5, "euclidean"), (0.6, 12, "euclidean"), (0.4, 4, "manhattan"), (0.3, 4, "chebyshev")])
def test_labels_equal_scikit_learn_on_blobs(seed, eps, min_samples, metric):
    X = blobs(seed)
    ours = DBSCAN(eps=eps, min_samples=min_samples, metric=metric).fit(X)
    theirs = SklearnDBSCAN(eps=eps, min_samples=min_samples, metric=metric).fit(X)
    np.testing.assert_array_equal(ours.core_sample_indices_, theirs.core_sample_indices_)
    core = ours.core_sample_indices_
    assert same_up_to_permutation(ours.labels_[core], theirs.labels_[core])
    assert np.array_equal(ours.labels_ < 0, theirs.labels_ < 0)  # the same noise points
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)  # same numbering and border rule, in fact
    np.testing.assert_array_equal(ours.components_, X[core])
    assert ours.n_clusters_ == theirs.labels_.max() + 1 > 2


def test_sample_weight_counts_like_scikit_learn():
    X = blobs(2)
    w = np.random.default_rng(0).integers(0, 4, len(X)).astype(float)
    ours = DBSCAN(eps=0.4, min_samples=6).fit(X, sample_weight=w)
    theirs = SklearnDBSCAN(eps=0.4, min_samples=6).fit(X, sample_weight=w)
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)


def test_labels_equal_scikit_learn_on_the_mock(mock):
    X = mock_features(mock[0])
    ours = DBSCAN(eps=5.0, min_samples=10).fit_predict(X)
    theirs = SklearnDBSCAN(eps=5.0, min_samples=10).fit_predict(X)
    np.testing.assert_array_equal(ours, theirs)


def test_dbscan_finds_the_injected_clusters_of_the_mock(mock):
    cat, truth = mock
    labels = DBSCAN(eps=5.0, min_samples=10).fit_predict(mock_features(cat))
    score = cluster_scores(labels, truth["label"], min_size=30)
    assert score["cluster"].size >= 4
    good = (score["completeness"] >= 0.5) & (score["purity"] >= 0.9)
    assert good.mean() >= 0.9, score


def test_friends_of_friends_is_dbscan_with_one_member():
    X = blobs(3)
    fof = friends_of_friends(X, 0.25)
    np.testing.assert_array_equal(fof, DBSCAN(eps=0.25, min_samples=1).fit_predict(X))
    np.testing.assert_array_equal(fof, SklearnDBSCAN(eps=0.25, min_samples=1).fit_predict(X))
    big = friends_of_friends(X, 0.25, min_members=10)
    sizes = np.bincount(fof)
    assert np.array_equal(big >= 0, sizes[fof] >= 10)
    assert same_up_to_permutation(big[big >= 0], fof[big >= 0]) and big.max() + 1 == np.sum(sizes >= 10)


def test_mock_gaia_volume_structure(mock):
    cat, truth = mock
    label, clusters = truth["label"], truth["clusters"]
    assert len(cat) == len(label) == len(truth["distance"]) and len(clusters) == 8
    np.testing.assert_array_equal(np.bincount(label[label >= 0], minlength=8), clusters["n_members"])
    assert np.all(clusters["n_members"] <= clusters["n_injected"]) and np.all(clusters["n_injected"] >= 20)
    assert np.all((clusters["r_half"] >= 1 * u.pc) & (clusters["r_half"] <= 5 * u.pc))
    assert np.all((clusters["sigma_v"] >= 0.3 * u.km / u.s) & (clusters["sigma_v"] <= 1 * u.km / u.s))
    assert np.all((clusters["age"] >= 10 * u.Myr) & (clusters["age"] <= 3 * u.Gyr))
    assert cat["parallax"].unit == u.mas and cat["x"].unit == u.pc and cat["pmra"].unit == u.mas / u.yr
    assert np.all(truth["distance"] < 80 * u.pc) and np.all(cat["phot_g_mean_mag"] < 19.1 * u.mag)
    # members sit near their centre; the derived positions come from the (noisy) parallaxes
    for k in range(8):
        m = label == k
        centre = [np.median(cat[a][m].to_value(u.pc)) for a in "xyz"]
        assert np.allclose(centre, [clusters[a][k].to_value(u.pc) for a in "xyz"], atol=2.0)
    # the observed parallax scatters by its quoted error about the truth
    pull = (cat["parallax"].to_value(u.mas) - 1000 / truth["distance"].to_value(u.pc)) / cat["parallax_error"].value
    assert abs(np.std(pull) - 1) < 0.05
    again, truth_again = make_gaia_volume(n_field=8000, n_clusters=8, radius=80 * u.pc, seed=3)
    np.testing.assert_array_equal(again["ra"], cat["ra"])
    np.testing.assert_array_equal(truth_again["label"], label)


def test_explorer_reacts_to_its_sliders(mock):
    cat, truth = mock
    demo = dbscan_explorer(mock_features(cat), truth["label"], eps=5.0, min_samples=10)
    n_before, renders = int(demo.labels.max() + 1), demo.canvas.n_renders
    good = (demo.score["completeness"] >= 0.5) & (demo.score["purity"] >= 0.9)
    assert n_before >= 4 and good.mean() >= 0.9
    demo.eps_slider.value = 0.5
    assert demo.labels.max() + 1 < n_before and demo.canvas.n_renders > renders
    demo.min_samples_slider.value = 3
    np.testing.assert_array_equal(demo.labels, DBSCAN(eps=demo.eps_slider.value, min_samples=3).fit_predict(demo.X))
    assert "clusters" in demo.readout.value
    assert dbscan_explorer(mock_features(cat)).score is None


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"eps": 0}, "eps"), ({"eps": -1.0}, "eps"), ({"min_samples": 0}, "min_samples"),
    ({"min_samples": 2.5}, "min_samples"), ({"metric": "cosine"}, "metric")])
def test_dbscan_rejects_bad_hyperparameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DBSCAN(**kwargs).fit(np.zeros((5, 2)))


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="linking_length"):
        friends_of_friends(np.zeros((5, 2)), 0)
    with pytest.raises(ValueError, match="min_members"):
        friends_of_friends(np.zeros((5, 2)), 1.0, min_members=0)
    with pytest.raises(ValueError, match="sample_weight"):
        DBSCAN().fit(np.zeros((5, 2)), sample_weight=np.ones(4))
    for kwargs, match in [({"n_field": -1}, "n_field"), ({"n_clusters": 1.5}, "n_clusters"),
                          ({"radius": 100}, "radius"), ({"radius": 5 * u.kg}, "radius"),
                          ({"radius": 5 * u.pc}, "radius"), ({"members": (50, 10)}, "members"),
                          ({"half_mass_radius": (1, 5) * u.s}, "half_mass_radius"),
                          ({"velocity_dispersion": (2, 1) * u.km / u.s}, "velocity_dispersion"),
                          ({"scale_height": -1 * u.pc}, "scale_height"), ({"g_limit": np.nan}, "g_limit")]:
        with pytest.raises(ValueError, match=match):
            make_gaia_volume(**kwargs)
    X = np.zeros((10, 3))
    for kwargs, match in [({"eps": 0}, "eps"), ({"min_samples": 0}, "min_samples"), ({"axes": (0, 3)}, "axes"),
                          ({"truth_labels": np.zeros(3)}, "truth_labels")]:
        with pytest.raises(ValueError, match=match):
            dbscan_explorer(X, **kwargs)
    with pytest.raises(ValueError, match="X"):
        dbscan_explorer(np.zeros(10))
    with pytest.raises(ValueError, match="labels"):
        cluster_scores([0, 1], [0])
