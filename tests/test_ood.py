"""The out-of-distribution score (astrolab.challenge.OODScore): API, synthetic shifts, mock vs ZTF-like."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from astrolab.challenge import OODScore, extract_features
from astrolab.datasets._transients import make_transients

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"


@parametrize_with_checks([OODScore(), OODScore(method="isolation_forest", n_estimators=20, random_state=0)])
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_flags_shifts_and_new_missing_values():
    rng = np.random.default_rng(0)
    X_train = rng.normal(size=(600, 4)) @ np.array([[1, 0.8, 0, 0], [0, 0.6, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
    X_same = rng.normal(size=(400, 4)) @ np.array([[1, 0.8, 0, 0], [0, 0.6, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
    X_broken = X_same.copy()
    X_broken[:, 1] = -X_same[:, 1]                    # same marginals, correlation 0.8 -> -0.8
    ood = OODScore(contamination=0.02).fit(X_train)
    assert 0.0 < np.mean(ood.predict(X_same) == -1) < 0.06               # about the contamination
    s = np.r_[ood.score_samples(X_same), ood.score_samples(X_broken)]
    assert roc_auc_score(np.r_[np.zeros(400), np.ones(400)], -s) > 0.65  # the covariance matters: 0.74
    X_nan = X_same.copy()
    X_nan[:, 3] = np.nan                                                  # never missing in training
    assert np.all(ood.predict(X_nan) == -1)
    np.testing.assert_allclose(ood.distance(X_same), -ood.score_samples(X_same))
    np.testing.assert_allclose(ood.decision_function(X_same), ood.score_samples(X_same) - ood.offset_)


def test_missing_values_seen_in_training_are_normal():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(500, 3))
    X[rng.random(500) < 0.4, 2] = np.nan                                  # often missing, like ls_period
    ood = OODScore().fit(X)
    assert ood.missing_in_training_.tolist() == [False, False, True]
    Y = rng.normal(size=(300, 3))
    Y[rng.random(300) < 0.4, 2] = np.nan
    assert np.mean(ood.predict(Y) == -1) < 0.05


@pytest.fixture(scope="module")
def mock_features():
    data = make_transients(300, seed=11)
    held_out = make_transients(150, seed=12)
    train = extract_features(data.lightcurves, data.metadata)
    same = extract_features(held_out.lightcurves, held_out.metadata)
    lc = held_out.lightcurves
    ztf_like = lc[lc["passband"].isin([1, 2]) & (lc["detected"] == 1)]   # two bands, detections only
    shifted = extract_features(ztf_like, held_out.metadata)
    return train, same, shifted


@pytest.mark.parametrize("method", ["mahalanobis", "isolation_forest"])
def test_two_band_detections_are_out_of_distribution(mock_features, method):
    train, same, shifted = mock_features
    ood = OODScore(method=method, random_state=0).fit(train)
    s = np.r_[ood.score_samples(same), ood.score_samples(shifted)]
    auc = roc_auc_score(np.r_[np.zeros(len(same)), np.ones(len(shifted))], -s)
    assert auc > (0.99 if method == "mahalanobis" else 0.8), auc   # measured 1.000 and 0.879
    if method == "mahalanobis":
        assert np.mean(ood.predict(shifted) == -1) > 0.95
        assert np.mean(ood.predict(same) == -1) < 0.1


@pytest.mark.skipif(not (REALDATA / "ztf-bts-snia-dev").is_dir(), reason="shared real data (ZTF BTS) not present")
def test_real_ztf_snia_are_flagged(mock_features):
    train, same, _ = mock_features
    parts = []
    for k, path in enumerate(sorted((REALDATA / "ztf-bts-snia-dev" / "light-curves").glob("*.csv"))[:150]):
        lc = pd.read_csv(path)
        flux = 10 ** (-0.4 * (lc["mag"].to_numpy() - 27.5))              # the mocks' AB zero point
        parts.append(pd.DataFrame({"object_id": k, "mjd": lc["time"], "passband": lc["band"].map({"g": 1, "R": 2}),
                                   "flux": flux, "flux_err": flux * lc["magerr"].to_numpy() * np.log(10) / 2.5,
                                   "detected": 1}))
    real = pd.concat(parts, ignore_index=True).dropna(subset=["passband"]).astype({"passband": np.int64})
    X_real = extract_features(real, periods="none")
    cols = list(X_real.columns)                      # light-curve features only (no metadata given)
    ood = OODScore().fit(train[cols])
    s = np.r_[ood.score_samples(same[cols]), ood.score_samples(X_real)]
    auc = roc_auc_score(np.r_[np.zeros(len(same)), np.ones(len(X_real))], -s)
    assert auc >= 0.9, auc                                               # measured 1.000
    assert np.mean(ood.predict(X_real) == -1) > 0.9


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"method": "knn"}, "method must be one of"),
    ({"contamination": 0.5}, "contamination must be a number in \\(0, 0.5\\)"),
    ({"contamination": True}, "contamination must be"),
    ({"n_estimators": 0}, "n_estimators must be a positive integer"),
])
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        OODScore(**kwargs).fit(np.zeros((5, 2)))


def test_distance_needs_mahalanobis():
    X = np.random.default_rng(0).normal(size=(50, 2))
    ood = OODScore(method="isolation_forest", n_estimators=5, random_state=0).fit(X)
    with pytest.raises(ValueError, match="distance needs method='mahalanobis'"):
        ood.distance(np.zeros((1, 2)))


def test_from_magnitudes_converts_and_checks_its_input():
    import pandas as pd

    from astrolab.challenge import from_magnitudes

    lc = pd.DataFrame({"id": ["a", "a", "b"], "time": [1.0, 2.0, 1.0], "mag": [27.5, 25.0, 20.0],
                       "mag_err": [0.1, 0.2, 0.1], "band": ["g", "r", "r"]})
    cat = pd.DataFrame({"id": ["a", "b"], "redshift": [0.05, 0.1], "A_V": [0.31, 0.0]})
    kit_lc, meta = from_magnitudes(lc, cat)
    assert kit_lc["flux"].round(6).tolist() == [1.0, 10.0, 10 ** 3]
    assert np.allclose(kit_lc["flux_err"] / kit_lc["flux"], np.array([0.1, 0.2, 0.1]) * np.log(10) / 2.5)
    assert meta["mwebv"].round(6).tolist() == [0.1, 0.0] and meta["hostgal_photoz"].tolist() == [0.05, 0.1]
    assert meta["distmod"].iloc[1] > meta["distmod"].iloc[0] > 35
    with pytest.raises(ValueError, match="letters of 'ugrizy'"):
        from_magnitudes(lc.assign(band="R"), cat)
    with pytest.raises(ValueError, match="missing \\['A_V'\\]"):
        from_magnitudes(lc, cat.drop(columns="A_V"))
    with pytest.raises(ValueError, match="finite"):
        from_magnitudes(lc.assign(mag=np.nan), cat)
    with pytest.raises(TypeError, match="pandas DataFrame"):
        from_magnitudes(lc.to_dict(), cat)
