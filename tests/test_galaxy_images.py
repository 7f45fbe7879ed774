"""Chapter 6: mock galaxy images (shapes, determinism, balance, cache) and non-parametric morphology."""

import os

import astropy.units as u
import numpy as np
import pytest

from astrolab.datasets import _galaxies
from astrolab.datasets._galaxies import (
    GALAXY_CLASSES,
    load_galaxy_images,
    make_galaxy_images,
    morphology_features,
    sersic_bn,
)


@pytest.fixture(scope="module")
def data():
    return make_galaxy_images(250, size=32, seed=4)


def test_shapes_dtypes_and_truth(data):
    assert data.images.shape == data.noiseless.shape == (250, 32, 32)
    assert data.images.dtype == data.noiseless.dtype == np.float32
    assert data.labels.dtype == np.int64 and data.labels.shape == (250,)
    assert data.class_names == GALAXY_CLASSES
    truth = data.truth
    assert len(truth) == 250
    np.testing.assert_array_equal(truth["label"], data.labels)
    np.testing.assert_array_equal(truth["class"], np.asarray(GALAXY_CLASSES)[data.labels])
    assert truth["bulge_re"].unit == u.pix and truth["position_angle"].unit == u.deg
    # peak S/N inside the requested range; the flux is positive
    assert np.all((truth["snr"] >= 8) & (truth["snr"] <= 60)) and np.all(truth["flux"] > 0)
    assert np.all(truth["snr_total"] > truth["snr"])
    # NaN where a quantity does not apply
    ell = data.labels == GALAXY_CLASSES.index("elliptical")
    assert np.all(np.isnan(truth["pitch_angle"][ell])) and np.all(truth["bulge_to_total"][ell] == 1)
    spiral = data.labels == GALAXY_CLASSES.index("spiral")
    assert np.all(np.isin(truth["n_arms"][spiral], [2, 3])) and np.all(np.isnan(truth["bar_length"][spiral]))
    barred = data.labels == GALAXY_CLASSES.index("barred_spiral")
    assert np.all(truth["bar_length"][barred] > 0 * u.pix)
    edge = data.labels == GALAXY_CLASSES.index("edge_on")
    assert np.all((truth["axis_ratio"][edge] > 0.07) & (truth["axis_ratio"][edge] < 0.27))
    merger = data.labels == GALAXY_CLASSES.index("merger")
    assert np.all(truth["companion_separation"][merger] >= 2.5 * u.pix)
    assert np.all(np.abs(truth["x_offset"]) <= 2 * u.pix)


def test_noise_is_in_units_of_the_sky_rms(data):
    resid = data.images - data.noiseless
    faint = data.noiseless < 0.01  # sky-dominated pixels
    assert abs(resid[faint].std() - 1) < 0.02 and abs(resid[faint].mean()) < 0.02
    # the peak S/N is that of the brightest noiseless pixel, with the source noise added
    peak = data.noiseless.reshape(250, -1).max(axis=1)
    np.testing.assert_allclose(peak / np.sqrt(1 + peak / data.gain), data.truth["snr"], rtol=1e-4)


def test_deterministic_for_a_seed():
    a = make_galaxy_images(20, size=24, seed=7)
    b = make_galaxy_images(20, size=24, seed=7)
    c = make_galaxy_images(20, size=24, seed=8)
    np.testing.assert_array_equal(a.images, b.images)
    np.testing.assert_array_equal(a.labels, b.labels)
    assert not np.array_equal(a.images, c.images)


def test_classes_balanced_and_all_present(data):
    counts = np.bincount(data.labels, minlength=len(GALAXY_CLASSES))
    assert counts.min() == counts.max() == 50


def test_subset_of_classes():
    d = make_galaxy_images(31, size=40, classes=("merger", "elliptical"), seed=1)
    assert d.class_names == ("merger", "elliptical") and d.images.shape == (31, 40, 40)
    assert sorted(np.bincount(d.labels)) == [15, 16]
    assert set(d.truth["class"][d.labels == 0]) == {"merger"}


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"size": 8}, "size must be an integer in"),
    ({"size": 200}, "size must be an integer in"),
    ({"size": 32.0}, "size must be an integer in"),
    ({"n_images": 0}, "n_images must be an integer >= 1"),
    ({"classes": ("spiral", "lenticular")}, "classes must be a non-empty subset"),
    ({"classes": ()}, "classes must be a non-empty subset"),
    ({"classes": ("spiral", "spiral")}, "classes must be a non-empty subset"),
    ({"snr_range": (10, 5)}, "snr_range must be"),
    ({"psf_fwhm": -1}, "psf_fwhm must be"),
])
def test_bad_arguments(kwargs, match):
    args = {"n_images": 5, **kwargs}
    with pytest.raises(ValueError, match=match):
        make_galaxy_images(args.pop("n_images"), **args)


def test_cache_round_trip_is_identical_and_read_back(tmp_path, monkeypatch):
    monkeypatch.setenv("ASTROLAB_DATA", str(tmp_path))
    first = load_galaxy_images(30, size=32, seed=2)
    files = list((tmp_path / "galaxy-images").glob("*.npz"))
    assert len(files) == 1 and not list((tmp_path / "galaxy-images").glob("*.tmp*"))
    direct = make_galaxy_images(30, size=32, seed=2)

    def fail(*args, **kwargs):
        raise AssertionError("the cache was not used")

    monkeypatch.setattr(_galaxies, "make_galaxy_images", fail)
    second = load_galaxy_images(30, size=32, seed=2)
    for d in (first, second):
        np.testing.assert_array_equal(d.images, direct.images)
        np.testing.assert_array_equal(d.noiseless, direct.noiseless)
        np.testing.assert_array_equal(d.labels, direct.labels)
        assert d.class_names == direct.class_names
    for name in direct.truth.colnames:
        np.testing.assert_array_equal(second.truth[name], direct.truth[name])
        assert getattr(second.truth[name], "unit", None) == getattr(direct.truth[name], "unit", None)
    # the file is read, not rewritten
    os.utime(files[0], (0, 0))
    assert len(load_galaxy_images(30, size=32, seed=2).images) == 30
    assert files[0].stat().st_mtime == 0


def test_cache_false_does_not_write(tmp_path, monkeypatch):
    monkeypatch.setenv("ASTROLAB_DATA", str(tmp_path))
    d = load_galaxy_images(10, size=16, seed=0, cache=False)
    assert d.images.shape == (10, 16, 16) and not (tmp_path / "galaxy-images").exists()


def test_sersic_bn_halves_the_light():
    from scipy.special import gammainc

    n = np.array([0.5, 1.0, 2.0, 4.0, 8.0])
    # the light inside R_e is P(2n, b_n) = 1/2 (Ciotti & Bertin 1999)
    np.testing.assert_allclose(gammainc(2 * n, sersic_bn(n)), 0.5, atol=2e-4)
    np.testing.assert_allclose(gammainc(2 * n[1:], sersic_bn(n[1:])), 0.5, atol=2e-5)
    assert sersic_bn(0.5) == pytest.approx(np.log(2), rel=5e-4)  # a Gaussian: exactly ln 2


def gaussian(shape, cx, cy, sigma):
    y, x = np.mgrid[:shape[0], :shape[1]]
    return np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma**2))


def test_concentration_of_a_gaussian_and_sersic_profiles():
    # a 2D Gaussian holds 1 - exp(-r^2 / 2 s^2) within r: r80 / r20 = sqrt(ln 5 / ln 1.25)
    expected = 5 * np.log10(np.sqrt(np.log(5) / np.log(1.25)))
    assert abs(expected - 2.145) < 1e-3
    feats = morphology_features(np.stack([gaussian((80, 80), 39.3, 40.2, s) for s in (4.0, 6.0)]))
    np.testing.assert_allclose(feats["concentration"], expected, atol=0.03)
    np.testing.assert_allclose(feats["r20"], np.array([4.0, 6.0]) * np.sqrt(2 * np.log(1.25)), rtol=0.02)
    y, x = np.mgrid[:96, :96]
    r = np.hypot(x - 47.5, y - 47.5)
    exp_disc = np.exp(-r / 4.0)
    de_vauc = np.exp(-sersic_bn(4) * ((np.sqrt(r**2 + 0.25) / 6.0) ** 0.25 - 1))
    c_exp, c_dev = morphology_features(np.stack([exp_disc, de_vauc]))["concentration"]
    assert abs(c_exp - 2.80) < 0.05  # exponential: 5 log10(2.994 / 0.824) = 2.80
    assert c_dev > c_exp + 1.5  # de Vaucouleurs is far more concentrated (about 5 without truncation)


def test_asymmetry_gini_m20_known_answers():
    sym = gaussian((40, 40), 19.3, 20.1, 3.0) + 0.5 * gaussian((40, 40), 19.3 + 6, 20.1 + 2, 1.5) \
        + 0.5 * gaussian((40, 40), 19.3 - 6, 20.1 - 2, 1.5)  # point-symmetric about (19.3, 20.1)
    lopsided = gaussian((40, 40), 19.3, 20.1, 3.0) + 0.5 * gaussian((40, 40), 27.0, 20.0, 1.5)
    uniform = np.ones((20, 20))
    spike = np.zeros((20, 20))
    spike[7, 12] = 5.0
    f = morphology_features(np.stack([sym, lopsided]))
    assert abs(f["asymmetry"][0]) < 1e-3 and f["asymmetry"][1] > 0.1
    assert morphology_features(uniform)["gini"][0] == pytest.approx(0.0, abs=1e-9)
    assert morphology_features(spike)["gini"][0] == pytest.approx(1.0, abs=1e-9)
    # M20 of a Gaussian: the brightest 20 % of the light lies within r20; its second moment is
    # int_0^r20 r^2 dF / int_0^inf r^2 dF = 1 - (1 + t) exp(-t) with t = r20^2 / 2 s^2 = ln 1.25
    t = np.log(1.25)
    assert morphology_features(gaussian((80, 80), 39.6, 40.2, 5.0))["m20"][0] == pytest.approx(
        np.log10(1 - (1 + t) * np.exp(-t)), abs=0.03)
    # ellipticity from second moments: 1 - b/a
    y, x = np.mgrid[:64, :64]
    ell = np.exp(-(((x - 31.5) / 6.0) ** 2 + ((y - 31.5) / 3.0) ** 2) / 2)
    assert morphology_features(ell)["ellipticity"][0] == pytest.approx(0.5, abs=0.01)


def test_features_separate_the_classes(data):
    f = morphology_features(data.images)
    assert len(f) == 250 and f.colnames[:6] == ["concentration", "asymmetry", "smoothness", "gini", "m20",
                                                 "ellipticity"]
    assert np.all(np.isfinite(np.asarray(f["concentration"])))
    med = {name: {c: np.median(f[c][data.labels == k]) for c in f.colnames} for k, name in enumerate(GALAXY_CLASSES)}
    assert med["edge_on"]["ellipticity"] > 0.5 > med["elliptical"]["ellipticity"]
    assert med["merger"]["asymmetry"] > max(med[k]["asymmetry"] for k in ("elliptical", "edge_on"))
    assert med["merger"]["m20"] > med["elliptical"]["m20"]
    assert med["elliptical"]["gini"] > med["spiral"]["gini"]  # light in fewer pixels
    assert med["spiral"]["r80"] > 1.5 * med["elliptical"]["r80"]  # discs are larger


def test_morphology_input_validation():
    with pytest.raises(ValueError, match="images must be an array of shape"):
        morphology_features(np.ones(10))
    with pytest.raises(ValueError, match="images must be an array of shape"):
        morphology_features(np.ones((2, 3, 3, 3)))
    bad = np.ones((8, 8))
    bad[2, 2] = np.nan
    with pytest.raises(ValueError, match="images must be finite"):
        morphology_features(bad)
