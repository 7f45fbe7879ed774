"""The challenge kit (astrolab.challenge): PLAsTiCC metric, blind-set files, validation, scoring, leaderboard,
and the feature + boosting baseline against the class prior."""

import hashlib
import json
import math

import numpy as np
import pandas as pd
import pytest

from astrolab.challenge._baselines import class_prior_submission, extract_features
from astrolab.challenge._kit import Leaderboard, make_challenge, make_submission, score, validate_submission
from astrolab.challenge._metric import PLASTICC_CLASS_WEIGHTS, weighted_log_loss
from astrolab.datasets._transients import TRANSIENT_CLASSES, make_transients

# ------------------------------------------------------------------------------------------- metric


def test_metric_hand_computed_two_classes():
    proba = [[0.8, 0.2], [0.6, 0.4], [0.3, 0.7]]
    # class 0: mean of ln 0.8 and ln 0.6; class 1: ln 0.7; equal weights: -(mean0 + mean1) / 2
    expected = -((math.log(0.8) + math.log(0.6)) / 2 + math.log(0.7)) / 2
    assert weighted_log_loss([0, 0, 1], proba) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.3618300, abs=1e-6)
    # weights (1, 2): -(1 mean0 + 2 mean1) / 3
    expected_w = -((math.log(0.8) + math.log(0.6)) / 2 + 2 * math.log(0.7)) / 3
    assert weighted_log_loss([0, 0, 1], proba, class_weights=[1, 2]) == pytest.approx(expected_w, rel=1e-12)
    assert weighted_log_loss([0, 0, 1], proba, class_weights={0: 1, 1: 2}) == pytest.approx(expected_w, rel=1e-12)


def test_metric_hand_computed_three_weighted_classes():
    y = ["a", "b", "b", "c"]
    proba = pd.DataFrame([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.5, 0.3], [0.25, 0.25, 0.5]],
                         columns=["a", "b", "c"])
    # -(1 ln .7 + 2 (ln .8 + ln .5) / 2 + 1 ln .5) / (1 + 2 + 1) = -ln(0.7 * 0.8 * 0.5 * 0.5) / 4 = -ln(0.14) / 4
    value = weighted_log_loss(y, proba, class_weights={"a": 1, "b": 2, "c": 1})
    assert value == pytest.approx(-math.log(0.14) / 4, rel=1e-12)
    assert value == pytest.approx(0.4915282, abs=1e-6)
    # column order comes from the DataFrame: shuffling the columns changes nothing
    assert weighted_log_loss(y, proba[["c", "a", "b"]], class_weights={"a": 1, "b": 2, "c": 1}) == pytest.approx(value)


def test_metric_normalisation_clipping_and_limits():
    # rows are rescaled to sum to one before clipping, as on the Kaggle evaluation page
    assert weighted_log_loss([0, 1], [[2.0, 2.0], [1.0, 3.0]]) == pytest.approx(-(math.log(0.5) + math.log(0.75)) / 2)
    # a zero for the true class is clipped to eps: -ln(1e-15) = 34.539
    assert weighted_log_loss([0], [[0.0, 1.0]], labels=[0, 1]) == pytest.approx(-math.log(1e-15), rel=1e-9)
    assert weighted_log_loss([0], [[0.0, 1.0]], labels=[0, 1], eps=1e-6) == pytest.approx(-math.log(1e-6), rel=1e-9)
    # perfect: -ln(1 - eps) ~ 1e-15; uniform over M classes: ln M, whatever the weights
    assert weighted_log_loss([0, 1, 2], np.eye(3)) < 1e-12
    rng = np.random.default_rng(0)
    y = rng.integers(0, 5, 50)
    assert weighted_log_loss(y, np.full((50, 5), 0.2), class_weights=rng.uniform(0.5, 2, 5)) == pytest.approx(
        math.log(5), rel=1e-12)


def test_metric_equals_sklearn_log_loss_for_balanced_classes():
    from sklearn.metrics import log_loss

    rng = np.random.default_rng(1)
    y = np.repeat(np.arange(4), 25)
    proba = rng.dirichlet(np.ones(4), 100)
    assert weighted_log_loss(y, proba) == pytest.approx(log_loss(y, proba), rel=1e-12)
    # imbalanced: every class counts the same, unlike sklearn's per-object mean
    y2 = np.r_[np.zeros(97, int), 1, 2, 3]
    assert weighted_log_loss(y2, proba) != pytest.approx(log_loss(y2, proba, labels=[0, 1, 2, 3]), rel=1e-3)


def test_metric_leaves_out_absent_classes():
    proba = [[0.5, 0.25, 0.25], [0.2, 0.6, 0.2]]
    # class 2 never occurs: its weight drops out of the denominator too
    expected = -(math.log(0.5) + 3 * math.log(0.6)) / 4
    assert weighted_log_loss([0, 1], proba, labels=[0, 1, 2], class_weights=[1, 3, 5]) == pytest.approx(expected)


@pytest.mark.parametrize(("y", "proba", "kwargs", "match"), [
    ([0, 1], [[0.5, 0.5]], {}, "shape"),
    ([0, 2], [[0.5, 0.5], [0.5, 0.5]], {"labels": [0, 1]}, "not among labels"),
    ([0, 1], [[np.nan, 1.0], [0.5, 0.5]], {}, "row 0, column 0"),
    ([0, 1], [[0.5, 0.5], [-0.1, 1.1]], {}, "non-negative: row 1"),
    ([0, 1], [[0.0, 0.0], [0.5, 0.5]], {}, "all zero"),
    ([0, 1], [[0.5, 0.5], [0.5, 0.5]], {"class_weights": [1.0]}, "class_weights"),
    ([0, 1], [[0.5, 0.5], [0.5, 0.5]], {"class_weights": {0: 1.0}}, r"no weight for the classes \[1\]"),
    ([0, 1], [[0.5, 0.5], [0.5, 0.5]], {"labels": [0, 1, 2]}, "one class per column"),
])
def test_metric_errors(y, proba, kwargs, match):
    with pytest.raises(ValueError, match=match):
        weighted_log_loss(y, proba, **kwargs)


def test_plasticc_weights_cover_the_classes():
    assert set(PLASTICC_CLASS_WEIGHTS) == set(TRANSIENT_CLASSES)
    assert {c for c, w in PLASTICC_CLASS_WEIGHTS.items() if w == 2} == {"KN", "TDE"}


# ------------------------------------------------------------------------------------------- the kit


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    return make_challenge(tmp_path_factory.mktemp("challenge"), seed=0, n_objects=500)


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_make_challenge_files(kit):
    train_meta = pd.read_csv(kit.training_set_metadata)
    test_meta = pd.read_csv(kit.test_set_metadata)
    truth = pd.read_csv(kit.truth)
    assert kit.truth.parent.name == "truth"
    assert {"target", "true_z", "class_name"}.isdisjoint(test_meta.columns)
    assert {"target", "class_name"} <= set(train_meta.columns) and "true_z" not in train_meta
    assert set(train_meta.object_id).isdisjoint(test_meta.object_id)
    assert len(train_meta) + len(test_meta) == 500 and len(test_meta) == 250
    assert set(truth.object_id) == set(test_meta.object_id)
    assert set(pd.read_csv(kit.test_set).object_id) == set(test_meta.object_id)
    assert set(pd.read_csv(kit.training_set).object_id) == set(train_meta.object_id)
    # stratified: every class on both sides
    assert set(truth.class_name) == set(train_meta.class_name) == set(TRANSIENT_CLASSES)
    info = json.loads(kit.info.read_text())
    assert info["class_names"] == list(TRANSIENT_CLASSES) and "seed" not in info
    assert not list(kit.directory.glob("**/*.tmp"))
    # two folders: student/ (handed out) and truth/ (the instructor's); an explicit seed makes a demo
    assert {p.parent for p in (kit.training_set, kit.test_set, kit.sample_submission, kit.info)} == {kit.student}
    assert kit.student != kit.truth_directory == kit.truth.parent and kit.secret.parent == kit.truth_directory
    assert info["blind"] is False and not kit.blind and "demo" in info["kind"]
    # the blind set's public/private split, stratified: every class in both parts where it has two members
    assert set(truth.split) == {"public", "private"}
    both = truth.groupby("class_name")["split"].nunique()
    assert (both[truth.class_name.value_counts()[both.index] >= 2] == 2).all()


def test_make_challenge_refuses_to_overwrite_and_is_reproducible(kit, tmp_path):
    with pytest.raises(ValueError, match="overwrite=True"):
        make_challenge(kit.directory, seed=1, n_objects=500)
    first = make_challenge(tmp_path / "a", seed=4, n_objects=100)
    again = make_challenge(tmp_path / "b", seed=4, n_objects=100)
    for name in ("training_set", "test_set", "test_set_metadata", "truth"):
        assert _sha(again[name]) == _sha(first[name])
    other = make_challenge(tmp_path / "b", seed=5, n_objects=100, overwrite=True)
    assert _sha(other.truth) != _sha(first.truth)
    with pytest.raises(ValueError, match="seed"):
        make_challenge(tmp_path / "x", seed=-1)


def test_sample_submission_scores_ln10_and_truth_is_untouched(kit):
    before = _sha(kit.truth)
    assert score(kit.sample_submission, kit.truth) == pytest.approx(math.log(10), rel=1e-9)
    assert score(kit.sample_submission, kit.directory) == pytest.approx(math.log(10), rel=1e-9)
    assert _sha(kit.truth) == before
    truth = pd.read_csv(kit.truth)
    copy = truth.copy(deep=True)
    sub = pd.read_csv(kit.sample_submission)
    sub = sub.iloc[::-1]                                    # order does not matter
    assert score(sub, truth) == pytest.approx(math.log(10), rel=1e-9)
    pd.testing.assert_frame_equal(truth, copy)


@pytest.fixture
def good(kit):
    ids = pd.read_csv(kit.test_set_metadata)["object_id"].to_numpy()
    rng = np.random.default_rng(0)
    return make_submission(ids, rng.dirichlet(np.ones(10), ids.size), TRANSIENT_CLASSES), ids


def _broken(frame, how):
    sub = frame.copy()
    if how == "missing id":
        sub = sub.drop(index=5)
    elif how == "duplicate id":
        sub.loc[7, "object_id"] = sub.loc[3, "object_id"]
    elif how == "extra id":
        sub.loc[4, "object_id"] = -99
    elif how == "nan":
        sub.loc[6, "KN"] = np.nan
    elif how == "negative":
        sub.loc[2, "TDE"] = -0.01
    elif how == "sum":
        sub.loc[8, "SNIa"] += 0.05
    elif how == "missing column":
        sub = sub.drop(columns="AGN")
    elif how == "extra column":
        sub["class_99"] = 0.0
    elif how == "renamed column":
        sub = sub.rename(columns={"EB": "class_16"})
    elif how == "no object_id":
        sub = sub.drop(columns="object_id")
    elif how == "text":
        sub["RRL"] = sub["RRL"].astype(object)
        sub.loc[1, "RRL"] = "high"
    return sub


@pytest.mark.parametrize(("how", "match"), [
    ("missing id", "missing 1 of the 250 object_ids"),
    ("duplicate id", "row 7 .*repeats the object_id of row 3"),
    ("extra id", "row 4 .*not in the test set"),
    ("nan", "column 'KN', row 6 .*NaN"),
    ("negative", "column 'TDE', row 2 .*negative"),
    ("sum", "row 8 .*sum to 1.05"),
    ("missing column", r"missing columns \['AGN'\]"),
    ("extra column", r"unexpected columns \['class_99'\]"),
    ("renamed column", r"missing columns \['EB'\], unexpected columns \['class_16'\]"),
    ("no object_id", "'object_id' column"),
    ("text", "column 'RRL', row 1 .*'high' is not a number"),
])
def test_validate_submission_names_the_problem(good, kit, tmp_path, how, match):
    frame, ids = good
    bad = _broken(frame, how)
    with pytest.raises(ValueError, match=match):
        validate_submission(bad, ids, TRANSIENT_CLASSES)
    path = tmp_path / "bad.csv"                             # the same through a CSV file and score()
    bad.to_csv(path, index=False)
    before = _sha(kit.truth)
    with pytest.raises(ValueError, match=match):
        score(path, kit.truth)
    assert _sha(kit.truth) == before


def test_validate_submission_returns_ordered_probabilities(good):
    frame, ids = good
    out = validate_submission(frame.sample(frac=1.0, random_state=1)[["object_id", *TRANSIENT_CLASSES[::-1]]], ids,
                              TRANSIENT_CLASSES)
    assert list(out.index) == list(ids) and list(out.columns) == list(TRANSIENT_CLASSES)
    np.testing.assert_allclose(out.to_numpy(), frame[list(TRANSIENT_CLASSES)].to_numpy())
    with pytest.raises(ValueError, match="does not exist"):
        validate_submission("/nonexistent/sub.csv", ids, TRANSIENT_CLASSES)


# ------------------------------------------------------------------------------------------- leaderboard


def test_leaderboard_ranking_roundtrip_and_html(tmp_path):
    board = Leaderboard("Chapter 7").add("prior", 2.8, submitted="2026-01-01T00:00:00")
    board.add("boosting", 0.8, note="HGB", submitted="2026-01-02T00:00:00")
    board.add("cnn", 0.8, submitted="2026-01-03T00:00:00").add("prior", 2.5, submitted="2026-01-04T00:00:00")
    ranking = board.ranking()
    assert ranking["name"].tolist() == ["boosting", "cnn", "prior"] and ranking["rank"].tolist() == [1, 1, 3]
    assert ranking["score"].tolist() == [0.8, 0.8, 2.5]
    assert len(board.ranking(best_only=False)) == 4
    path = board.to_csv(tmp_path / "board.csv")
    again = Leaderboard.from_csv(path)
    pd.testing.assert_frame_equal(again.ranking(best_only=False), board.ranking(best_only=False))
    page = board.to_html(tmp_path / "board.html")
    assert (tmp_path / "board.html").read_text() == page
    assert "<table" in page and "<svg" in page and "boosting" in page and "HGB" in page
    assert "<svg" not in board.to_html(plot=False)
    for bad in ({"name": " ", "score": 1.0}, {"name": "x", "score": float("nan")}, {"name": "x", "score": "low"}):
        with pytest.raises(ValueError, match="name|score"):
            board.add(**bad)


def test_leaderboard_submit(kit):
    board = Leaderboard()
    value = board.submit("uniform", kit.sample_submission, kit.truth)
    assert value == pytest.approx(math.log(10)) and board.ranking()["score"].iloc[0] == value


# ------------------------------------------------------------------------------------------- baselines


def test_features_find_rr_lyrae_periods():
    data = make_transients(150, seed=2)
    feats = extract_features(data.lightcurves, data.metadata)
    truth = data.truth.set_index("object_id").loc[feats.index]
    assert "target" not in feats and "true_z" not in feats and len(feats) == 150
    rrl = truth["class_name"] == "RRL"
    ratio = feats.loc[rrl, "ls_period"] / truth.loc[rrl, "period"]
    assert (np.abs(ratio - 1) < 0.01).mean() >= 0.8             # measured: 6 of 6 within 0.1 %
    eb = truth["class_name"] == "EB"                            # eclipses: the periodogram peaks at P / 2
    ratio = feats.loc[eb, "ls_period"] / truth.loc[eb, "period"]
    assert ((np.abs(ratio - 0.5) < 0.01) | (np.abs(ratio - 1) < 0.01)).mean() >= 0.75   # measured: 19 of 21
    extragalactic = truth["true_z"] > 0
    assert feats.loc[extragalactic, "ls_period"].isna().all()   # period search only where no host galaxy
    assert feats.loc[extragalactic, "log_peak_lum"].notna().mean() > 0.9


def test_boosting_beats_the_class_prior(kit):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from threadpoolctl import threadpool_limits

    train = extract_features(pd.read_csv(kit.training_set), pd.read_csv(kit.training_set_metadata))
    test = extract_features(pd.read_csv(kit.test_set), pd.read_csv(kit.test_set_metadata))
    labels = pd.read_csv(kit.training_set_metadata).set_index("object_id").loc[train.index, "class_name"]
    prior = score(class_prior_submission(labels, test.index, TRANSIENT_CLASSES), kit.truth)
    with threadpool_limits(1):
        clf = HistGradientBoostingClassifier(max_iter=40, max_leaf_nodes=15, class_weight="balanced",
                                             early_stopping=False, random_state=0).fit(train, labels)
        proba = pd.DataFrame(clf.predict_proba(test), columns=clf.classes_)[list(TRANSIENT_CLASSES)]
    boosted = score(make_submission(test.index, proba.to_numpy(), TRANSIENT_CLASSES), kit.truth)
    assert prior == pytest.approx(2.84, abs=0.1)                # measured 2.842 (500 objects, seed 0)
    assert boosted < min(1.0, prior - 1.5)                      # measured 0.623


# ----------------------------------------------------- features on any subset of bands, NaNs, empty tables


@pytest.fixture(scope="module")
def small_transients():
    return make_transients(40, seed=4)


def test_features_of_a_two_band_survey(small_transients):
    data = small_transients
    full = extract_features(data.lightcurves, data.metadata, periods="none")
    gr = data.lightcurves[data.lightcurves["passband"].isin([1, 2])]    # ZTF-like: g and r only
    two = extract_features(gr, data.metadata, periods="none")
    assert list(two.columns) == list(full.columns) and len(two) == len(full)
    for b in "uizy":                                                     # absent bands: NaN features
        assert two[[f"flux_max_{b}", f"snr_max_{b}", f"peak_ratio_{b}"]].isna().all().all()
    for b in "gr":                                                       # present bands: unchanged
        pd.testing.assert_series_equal(two[f"flux_max_{b}"], full[f"flux_max_{b}"])
        pd.testing.assert_series_equal(two[f"flux_std_{b}"], full[f"flux_std_{b}"])
    assert set(two["best_band"].unique()) <= {1, 2}
    # one band, one object: still one row of every column
    one = extract_features(gr[gr["object_id"] == gr["object_id"].iloc[0]].query("passband == 2"))
    assert len(one) == 1 and one["flux_max_g"].isna().all() and one["flux_max_r"].notna().all()


def test_features_nan_policy(small_transients):
    lc = small_transients.lightcurves.reset_index(drop=True)
    bad = lc.copy()
    bad.loc[[5, 17], "flux"] = np.nan
    bad.loc[30, "flux_err"] = np.inf
    oid = bad.loc[5, "object_id"]
    with pytest.raises(ValueError, match=f"'flux' must be finite: row 5 \\(object_id {oid}\\).*2 such rows.*omit"):
        extract_features(bad)
    omitted = extract_features(bad, nan_policy="omit", periods="none")
    pd.testing.assert_frame_equal(omitted, extract_features(lc.drop(index=[5, 17, 30]), periods="none"))
    with pytest.raises(ValueError, match="nan_policy must be 'raise' or 'omit'"):
        extract_features(lc, nan_policy="ignore")


def test_features_of_an_empty_table(small_transients):
    data = small_transients
    empty = extract_features(data.lightcurves.iloc[:0], data.metadata)
    full = extract_features(data.lightcurves.iloc[:200], data.metadata)
    assert empty.shape == (0, full.shape[1]) and list(empty.columns) == list(full.columns)
    assert empty.index.name == "object_id"


@pytest.mark.parametrize(("change", "match"), [
    ({"passband": 7}, "'passband' must hold integers 0-5"),
    ({"passband": "g"}, "'passband' must hold integers 0-5"),
    ({"flux_err": 0.0}, "'flux_err' must be positive: row 3"),
    ({"mjd": "yesterday"}, "'mjd' must hold numbers"),
])
def test_features_bad_lightcurves(small_transients, change, match):
    lc = small_transients.lightcurves.iloc[:10].reset_index(drop=True).astype(object)
    for column, value in change.items():
        lc.loc[3, column] = value
        lc[column] = lc[column].infer_objects()
    lc = lc.infer_objects()
    with pytest.raises(ValueError, match=match):
        extract_features(lc)


def test_features_bad_tables(small_transients):
    with pytest.raises(ValueError, match="must be a pandas DataFrame"):
        extract_features(np.zeros((3, 6)))
    with pytest.raises(ValueError, match="missing \\['detected'\\]"):
        extract_features(small_transients.lightcurves.drop(columns="detected"))
    with pytest.raises(ValueError, match="'object_id' column"):
        extract_features(small_transients.lightcurves, pd.DataFrame({"id": [1]}))


# --- extract_features(band_shapes=True): the shape of every band (issue 21) ---

def test_band_shapes_read_each_bands_decline_rise_and_level():
    import pandas as pd

    from astrolab.challenge import extract_features

    t = np.arange(-20.0, 60.0, 1.0)
    g = np.exp(-np.abs(t) / np.where(t < 0, 5.0, 10.0))          # g falls to 0.5 at +6.9 d, rises from -3.5 d
    r = np.exp(-np.abs(t) / np.where(t < 0, 5.0, 40.0))          # r holds up: 0.5 at +27.7 d
    lc = pd.DataFrame({"object_id": 7, "mjd": np.r_[t, t] + 60000.0, "passband": np.repeat([1, 2], t.size),
                       "flux": 1000 * np.r_[g, r], "flux_err": 1.0, "detected": 1})
    meta = pd.DataFrame({"object_id": [7], "hostgal_photoz": [0.25]})
    X = extract_features(lc, meta, band_shapes=True)
    assert X.loc[7, "decline50_g"] == pytest.approx(7 / 1.25) and X.loc[7, "decline50_r"] == pytest.approx(28 / 1.25)
    assert X.loc[7, "rise50_g"] == pytest.approx(4 / 1.25) and X.loc[7, "decline70_r"] < X.loc[7, "decline30_r"]
    assert X.loc[7, "level10_r"] > X.loc[7, "level10_g"] and 0 < X.loc[7, "level30_g"] < 0.1
    assert np.isnan(X.loc[7, "decline50_u"]) and np.isnan(X.loc[7, "level10_y"])      # bands never observed
    # a band with points and a band without have their columns in the same order
    kinds = ("decline", "rise", "level")
    shape = [c for c in X.columns if c[:-1].endswith("_") and c[:-2].rstrip("0123456789") in kinds]
    assert [c[:-2] for c in shape if c.endswith("_u")] == [c[:-2] for c in shape if c.endswith("_g")]
    plain = extract_features(lc, meta)
    assert "decline50_g" not in plain and set(plain.columns) < set(X.columns)
    pd.testing.assert_frame_equal(plain, X[plain.columns])       # the other columns are unchanged
    with pytest.raises(TypeError, match="band_shapes"):
        extract_features(lc, meta, band_shapes="yes")
