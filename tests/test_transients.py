"""Mock LSST light curves (astrolab.datasets._transients): format, cadence, physics, seeding."""

import numpy as np
import pandas as pd
import pytest

from astrolab.datasets._transients import LSST_PASSBANDS, TRANSIENT_CLASSES, TRANSIENT_TARGETS, make_transients


@pytest.fixture(scope="module")
def data():
    return make_transients(400, ddf_fraction=0.2, seed=1)


def test_format_and_truth(data):
    lc, meta, truth = data.lightcurves, data.metadata, data.truth
    assert list(lc.columns) == ["object_id", "mjd", "passband", "flux", "flux_err", "detected"]
    assert set(meta.columns) >= {"object_id", "ddf", "hostgal_photoz", "hostgal_photoz_err", "distmod", "mwebv",
                                 "target", "true_z"}
    assert data.class_names == TRANSIENT_CLASSES and len(TRANSIENT_CLASSES) >= 8 and data.passbands == LSST_PASSBANDS
    assert len(meta) == len(truth) == 400 and meta["object_id"].is_unique
    assert set(lc["object_id"]) == set(meta["object_id"]) and (meta["object_id"] == truth["object_id"]).all()
    assert lc.set_index(["object_id", "mjd"]).index.is_monotonic_increasing      # sorted by object, then time
    assert lc["passband"].between(0, 5).all() and (lc["flux_err"] > 0).all()
    np.testing.assert_array_equal(lc["detected"], (np.abs(lc["flux"] / lc["flux_err"]) > 5).astype(int))
    assert (lc.groupby("object_id")["detected"].sum() >= 2).all()               # the detection trigger
    assert (truth["target"] == truth["class_name"].map(TRANSIENT_TARGETS)).all()
    assert (meta["target"] == truth["target"]).all()


def test_class_imbalance_as_in_plasticc(data):
    counts = data.truth["class_name"].value_counts()
    assert set(counts.index) == set(TRANSIENT_CLASSES)
    # PLAsTiCC training-set shares: SN Ia 2313/6446 = 35.9 %, kilonovae 102/6446 = 1.6 %
    assert counts["SNIa"] == 144 and counts["KN"] == 6
    assert counts.idxmax() == "SNIa" and counts["SNII"] > counts["EB"] > counts["TDE"] > counts["KN"]


def test_redshifts_and_galactic_objects(data):
    meta, truth = data.metadata, data.truth
    galactic = truth["class_name"].isin(["RRL", "EB", "microlensing"]).to_numpy()
    assert (truth["true_z"][galactic] == 0).all() and (meta["hostgal_photoz"][galactic] == 0).all()
    assert meta["distmod"][galactic].isna().all()
    assert (truth["true_z"][~galactic] > 0).all() and (meta["hostgal_photoz"][~galactic] > 0).all()
    # photo-z: scatter about 0.03 (1 + z) apart from ~5 % catastrophic outliers
    dz = (meta["hostgal_photoz"] - truth["true_z"])[~galactic] / (1 + truth["true_z"][~galactic])
    assert np.median(np.abs(dz)) < 0.04 and np.mean(np.abs(dz) > 0.3) < 0.1
    # the photo-z error is computed from the photometry, not from the true z: for a catastrophic outlier it does
    # not give the true redshift away. The attack, z = err / 0.03 - 1, was closer to the truth than the
    # photo-z itself (median 0.32 against 0.91 on 90 outliers of 3000 objects, seed 0); now it is not
    z_true = truth["true_z"][~galactic].to_numpy()
    photoz, err = meta["hostgal_photoz"][~galactic].to_numpy(), meta["hostgal_photoz_err"][~galactic].to_numpy()
    outlier = np.abs(photoz - z_true) / (1 + z_true) > 0.15
    attack = np.median(np.abs(err[outlier] / 0.03 - 1 - z_true[outlier]))
    assert outlier.sum() >= 5 and attack > 0.7 * np.median(np.abs(photoz - z_true)[outlier])   # measured 0.81, 0.75
    # kilonovae are only seen nearby, superluminous SNe far away
    z = truth.groupby("class_name")["true_z"].median()
    assert z["KN"] < 0.15 < z["SNII"] < z["SNIa"] < z["SLSN"]


def test_cadence_seasons_and_ddf(data):
    lc, truth = data.lightcurves, data.truth
    n_obs = truth.set_index("object_id")["n_obs"]
    ddf = truth.set_index("object_id")["ddf"]
    assert n_obs[ddf].median() > 2 * n_obs[~ddf].median()
    assert 150 < n_obs[~ddf].median() < 400                     # ~3 yr x 6 months / 3 nights x 1.5 visits
    gaps = lc.groupby("object_id")["mjd"].apply(lambda t: np.sort(np.diff(t.to_numpy()))[-2:])
    assert all(g.min() > 150 for g in gaps)                     # two seasonal gaps of ~6 months
    span = lc.groupby("object_id")["mjd"].agg(lambda t: t.max() - t.min())
    assert span.max() < 1095


def test_physics_distance_and_periods(data):
    lc, truth = data.lightcurves, data.truth.set_index("object_id")
    peak = lc.groupby("object_id")["flux"].max()
    sn = truth.index[truth["class_name"] == "SNIa"]
    # fainter with distance: the brightest point of a well-sampled light curve (>= 10 detections: its peak is
    # seen), once each object's own peak magnitude (raw scatter 0.5 mag) is taken out, follows the distance modulus
    sn = sn[truth.loc[sn, "n_det"].to_numpy() >= 10]
    standardised = np.log(peak[sn].to_numpy()) + 0.4 * np.log(10) * truth.loc[sn, "peak_absmag"].to_numpy()
    rho = pd.Series(standardised).corr(pd.Series(truth.loc[sn, "true_z"].to_numpy()), method="spearman")
    assert rho < -0.7
    rrl = truth[truth["class_name"] == "RRL"]
    assert rrl["period"].between(0.45, 0.75).all()
    # variable stars: difference fluxes about a template, so fluxes of both signs
    eb = lc[lc["object_id"].isin(truth.index[truth["class_name"] == "EB"])]
    assert (eb["flux"] / eb["flux_err"] < -5).mean() > 0.2


@pytest.mark.parametrize("n", [10, 11, 57])
def test_every_class_and_exact_size(n):
    from astrolab.datasets._transients import _class_counts

    counts = _class_counts(n)
    assert counts.sum() == n and counts.min() >= 1


def test_seeding():
    a, b, c = make_transients(30, seed=5), make_transients(30, seed=5), make_transients(30, seed=6)
    pd.testing.assert_frame_equal(a.lightcurves, b.lightcurves)
    pd.testing.assert_frame_equal(a.metadata, b.metadata)
    assert not a.metadata["object_id"].equals(c.metadata["object_id"]) or not a.lightcurves.equals(c.lightcurves)


@pytest.mark.parametrize(("kwargs", "match"), [({"n_objects": 5}, "n_objects"), ({"n_objects": 20.5}, "n_objects"),
                                               ({"ddf_fraction": 1.5}, "ddf_fraction")])
def test_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_transients(**{"n_objects": 20, **kwargs})


# --- the physics of the explosive classes against the literature (issue 21): the median object in the rest frame.
# Literature numbers and the sources are in the table above _EXPLOSIVE in astrolab/datasets/_transients.py;
# each tolerance is the spread the literature itself quotes for normal objects of the class.
LITERATURE = [
    # class, subtype, quantity, literature value, tolerance
    ("SNIa", None, "dm15_B", 1.1, 0.2),       # Phillips 1993: normal SNe Ia 0.9-1.3
    ("SNIa", None, "dm15_V", 0.65, 0.15),     # V declines about 0.6-0.7 mag in 15 d
    ("SNIa", None, "rise", 12.7, 3.0),        # t^2 fireball, 18-19 d from explosion (Riess et al. 1999)
    ("SNIa", None, "BV_peak", 0.0, 0.15),     # -0.07 at B max (Phillips et al. 1999)
    ("SNIa", None, "BV_30", 1.1, 0.15),       # the red maximum of B - V ~1 month after peak (Lira 1995)
    ("SNIbc", None, "dm15_V", 0.85, 0.2),     # 0.7-1.0 (Drout et al. 2011; Taddia et al. 2015)
    ("SNIbc", None, "rise", 10.0, 4.0),       # 12-20 d from explosion in V and R (Drout et al. 2011)
    ("SNIbc", None, "BV_peak", 0.35, 0.2),    # redder than SNe Ia at peak (Drout et al. 2011; Stritzinger 2018)
    ("SNII", "IIP", "dm15_V", 0.15, 0.25),    # a plateau: < 0.4 mag in 15 d (Anderson et al. 2014)
    ("SNII", "IIL", "dm15_V", 0.4, 0.2),      # 2-3.5 mag / 100 d (Faran et al. 2014)
    ("SNII", "IIP", "rise", 7.0, 3.0),        # 7-10 d from explosion (Gall et al. 2015; Gonzalez-Gaitan 2015)
    ("SNII", "IIP", "BV_peak", -0.05, 0.15),  # blue at peak (de Jaeger et al. 2018)
]


@pytest.mark.parametrize(("name", "subtype", "quantity", "value", "tol"), LITERATURE)
def test_explosive_light_curves_match_the_literature(name, subtype, quantity, value, tol):
    from astrolab.datasets._transients import _rest_frame_stats

    got = _rest_frame_stats(name, subtype)[quantity]
    assert abs(got - value) <= tol, (name, subtype, quantity, got, value)


def test_colour_evolution_is_ordered_as_observed():
    from astrolab.datasets._transients import _rest_frame_stats

    ia, ibc, ii = _rest_frame_stats("SNIa"), _rest_frame_stats("SNIbc"), _rest_frame_stats("SNII", "IIP")
    assert ii["BV_peak"] < ia["BV_peak"] < ibc["BV_peak"]                # SNe II blue, SNe Ibc red at peak
    assert ia["dm15_B"] > ia["dm15_V"] + 0.3                             # SNe Ia redden fast after peak
    assert _rest_frame_stats("SNII", "IIL")["dm15_V"] > _rest_frame_stats("SNII", "IIP")["dm15_V"]


@pytest.mark.parametrize("name", ["SNIa", "SNIbc", "SNII"])
def test_a_planted_double_count_of_the_cooling_fails_the_decline_test(name):
    from astrolab.datasets._transients import _rest_frame_stats

    # dividing by the PEAK temperature's Planck value dims every band again as T falls (the bug of issue 21:
    # Delta m15(V) 1.7 for SNe Ia, 2.3 for SNe Ibc, 2.4 for SNe II): the V-band checks above must catch it
    planted = _rest_frame_stats(name, "IIP" if name == "SNII" else None, reference="peak")["dm15_V"]
    rows = [r for r in LITERATURE if r[0] == name and r[2] == "dm15_V" and r[1] in (None, "IIP")]
    (_, _, _, value, tol), = rows
    assert abs(planted - value) > tol, (name, planted)


@pytest.mark.parametrize(("name", "subtype", "mean", "sd"), [
    ("SNIa", None, -19.25, 0.50), ("SNIbc", None, -17.45, 1.12), ("SNII", "IIP", -16.75, 0.98),
    ("SNII", "IIL", -17.98, 0.90)])
def test_raw_peak_luminosity_functions(name, subtype, mean, sd):
    # Richardson et al. (2014, AJ 147, 118): raw (not standardised) M_B, host extinction removed
    from astrolab.datasets._transients import _B_AB_MINUS_VEGA, _EXPLOSIVE, _draw_explosive, _planck_nu

    M, q = _draw_explosive(name, 20000, np.random.default_rng(0))
    M_B = M - _B_AB_MINUS_VEGA - 2.5 * np.log10(_planck_nu(4400.0, q["T"]) / _planck_nu(5000.0, q["T"]))
    if subtype is not None:
        M_B = M_B[q["subtype"] == list(_EXPLOSIVE["SNII"]["subtypes"]).index(subtype)]
    assert abs(M_B.mean() - mean) < 0.05 and abs(M_B.std() - sd) < 0.05, (M_B.mean(), M_B.std())
    if name == "SNII":    # IIL are 12 % of SNe II by volume (Smith et al. 2011: 6.4 / (48.2 + 6.4))
        assert abs(np.mean(q["subtype"] == 1) - 0.12) < 0.01
