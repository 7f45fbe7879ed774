"""The ZTF-like survey option of make_transients: g and r, detections only, a bright (low-z) sample."""

import numpy as np
import pandas as pd
import pytest

from astrolab.datasets._transients import TRANSIENT_CLASSES, TRANSIENT_SURVEYS, make_transients


@pytest.fixture(scope="module")
def ztf():
    return make_transients(300, survey="ztf", seed=2)


def test_only_g_and_r(ztf):
    assert TRANSIENT_SURVEYS == ("lsst", "ztf")
    assert set(ztf.lightcurves["passband"]) == {1, 2}                  # LSST codes of g and r
    assert list(ztf.lightcurves.columns) == ["object_id", "mjd", "passband", "flux", "flux_err", "detected"]
    assert ztf.lightcurves.set_index(["object_id", "mjd"]).index.is_monotonic_increasing


def test_detections_only(ztf):
    lc, truth = ztf.lightcurves, ztf.truth
    assert (lc["detected"] == 1).all() and (np.abs(lc["flux"] / lc["flux_err"]) > 5).all()
    assert (truth["n_obs"] == truth["n_det"]).all() and (truth["n_det"] >= 2).all()
    n = lc.groupby("object_id").size()
    assert (n.loc[truth["object_id"]].to_numpy() == truth["n_obs"].to_numpy()).all()
    # a g and an r exposure every 2-3 nights with weather losses: tens of points, not hundreds
    assert 10 < n.median() < 60


def test_bright_selection_gives_low_redshifts(ztf):
    lc, truth, meta = ztf.lightcurves, ztf.truth, ztf.metadata
    brightest = 27.5 - 2.5 * np.log10(lc.groupby("object_id")["flux"].apply(lambda f: np.abs(f).max()))
    assert (brightest <= 18.5 + 1e-9).all()                              # the BTS cut
    z_ia = truth.loc[truth["class_name"] == "SNIa", "true_z"]
    assert z_ia.median() < 0.1 and np.quantile(z_ia, 0.9) < 0.15 and (z_ia > 0).all()
    galactic = truth["class_name"].isin(["RRL", "EB", "microlensing"])
    assert (truth.loc[galactic, "true_z"] == 0).all()
    # spectroscopic redshifts, no deep fields
    np.testing.assert_allclose(meta["hostgal_photoz"], meta["true_z"], atol=5e-5)   # rounded to 1e-4
    assert (meta["hostgal_photoz_err"] == 0).all() and (meta["ddf"] == 0).all() and not truth["ddf"].any()


def test_same_class_mix_as_lsst(ztf):
    counts = ztf.truth["class_name"].value_counts()
    assert set(counts.index) == set(TRANSIENT_CLASSES) and counts.idxmax() == "SNIa"
    assert counts["SNIa"] == 108 and counts["KN"] == 5                  # PLAsTiCC shares of 300 objects


def test_deterministic_with_a_seed():
    a = make_transients(40, survey="ztf", seed=7)
    b = make_transients(40, survey="ztf", seed=7)
    c = make_transients(40, survey="ztf", seed=8)
    for name in ("lightcurves", "metadata", "truth"):
        pd.testing.assert_frame_equal(a[name], b[name])
    assert not a.lightcurves["flux"].equals(c.lightcurves["flux"])


def test_lsst_is_the_default():
    a = make_transients(40, seed=3)
    b = make_transients(40, survey="lsst", ddf_fraction=0.1, seed=3)
    for name in ("lightcurves", "metadata", "truth"):
        pd.testing.assert_frame_equal(a[name], b[name])
    assert a.lightcurves["passband"].nunique() == 6 and (a.lightcurves["detected"] == 0).any()


@pytest.mark.parametrize("survey", ["ZTF", "sdss", 1, None])
def test_bad_survey_raises(survey):
    with pytest.raises(ValueError, match="survey"):
        make_transients(40, survey=survey)


def test_ztf_has_no_deep_fields():
    with pytest.raises(ValueError, match="ddf_fraction"):
        make_transients(40, survey="ztf", ddf_fraction=0.2)
    make_transients(40, survey="ztf", ddf_fraction=0)                   # 0 is allowed


def test_host_dust_dims_and_reddens_supernovae_only():
    clean = make_transients(200, survey="ztf", seed=5)
    dusty = make_transients(200, survey="ztf", host_dust=0.46, seed=5)
    ia = (clean.truth.class_name == "SNIa").to_numpy()
    ia_dusty = (dusty.truth.class_name == "SNIa").to_numpy()
    # the bright selection keeps closer supernovae when they are dimmed by dust
    assert np.median(dusty.truth.true_z[ia_dusty]) < np.median(clean.truth.true_z[ia])
    lsst = make_transients(60, seed=2)
    assert lsst.lightcurves.equals(make_transients(60, host_dust=0.0, seed=2).lightcurves)
    assert not lsst.lightcurves.equals(make_transients(60, host_dust=0.46, seed=2).lightcurves)


@pytest.mark.parametrize("bad", [-0.1, "0.4", True, 9.0])
def test_bad_host_dust_raises(bad):
    with pytest.raises(ValueError, match="host_dust must be"):
        make_transients(20, host_dust=bad)
