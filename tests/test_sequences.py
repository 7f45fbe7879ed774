"""Binned light curves for 1D CNNs (astrolab.challenge._sequences.bin_lightcurves)."""

import numpy as np
import pandas as pd
import pytest

from astrolab.challenge._sequences import bin_lightcurves
from astrolab.datasets._transients import make_transients


def _lc(rows):
    return pd.DataFrame(rows, columns=["object_id", "mjd", "passband", "flux", "flux_err"])


@pytest.fixture(scope="module")
def transients():
    return make_transients(40, seed=3)


def test_hand_computed_bins_weights_and_scale():
    lc = _lc([
        (5, 100.0, 1, 50.0, 2.0),     # the peak (S/N 25): t0 = 100, scale = 50
        (5, 104.0, 1, 20.0, 1.0),     # g, bin [+4, +6): inverse-variance mean of 20 (w 1) and 30 (w 1/4)
        (5, 105.0, 1, 30.0, 2.0),
        (5, 91.0, 4, -10.0, 1.0),     # z, bin [-10, -6)
        (5, 300.0, 2, 80.0, 10.0),    # S/N 8, outside the window: ignored for the bins (but sets the scale)
    ])
    X, ids = bin_lightcurves(lc, n_bins=10, window=(-10, 10), mask=True)
    assert X.shape == (1, 12, 10) and X.dtype == np.float32 and ids.tolist() == [5]
    # the scale is the largest significant |flux|, 80 (from the point outside the window)
    assert X[0, 1, 5] == pytest.approx(50 / 80)
    assert X[0, 1, 7] == pytest.approx((20 * 1 + 30 * 0.25) / 1.25 / 80)
    assert X[0, 4, 0] == pytest.approx(-10 / 80)
    filled = np.argwhere(X[0, 6:] > 0).tolist()
    assert filled == [[1, 5], [1, 7], [4, 0]]
    assert np.count_nonzero(X[0, :6]) == 3
    # without the mask: the six flux channels only
    X2, _ = bin_lightcurves(lc, n_bins=10, window=(-10, 10), mask=False)
    np.testing.assert_array_equal(X2, X[:, :6])


def test_reference_is_highest_snr_not_highest_flux():
    lc = _lc([(1, 10.0, 0, 100.0, 50.0), (1, 20.0, 3, 60.0, 2.0)])   # S/N 2 and 30
    X, _ = bin_lightcurves(lc, n_bins=4, window=(-20, 20), mask=False)
    assert X[0, 3, 2] == pytest.approx(1.0)           # i-band point at t0, scaled by itself (the only S/N > 3)
    assert X[0, 0, 1] == pytest.approx(100 / 60)      # u point 10 d earlier


def test_scale_falls_back_to_all_points_when_nothing_is_significant():
    lc = _lc([(1, 0.0, 2, 2.0, 1.0), (1, 3.0, 2, -4.0, 2.0)])
    X, _ = bin_lightcurves(lc, n_bins=2, window=(-5, 5), mask=False)
    assert X[0, 2].tolist() == pytest.approx([0.0, (2 * 1 - 4 * 0.25) / 1.25 / 4])


def test_rest_frame_and_metadata_order():
    lc = _lc([(7, 0.0, 2, 10.0, 1.0), (7, 20.0, 2, 5.0, 1.0), (9, 0.0, 1, 1.0, 1.0)])
    meta = pd.DataFrame({"object_id": [9, 8, 7], "hostgal_photoz": [0.0, 0.3, 1.0]})
    X, ids = bin_lightcurves(lc, meta, n_bins=4, window=(-20, 20), mask=True, rest_frame=True)
    assert ids.tolist() == [9, 8, 7]
    assert not X[1].any()                             # object 8 has no points: an all-zero row
    # object 7 at z = 1: +20 d observed is +10 d rest, bin [10, 20)
    assert X[2, 2].tolist() == pytest.approx([0, 0, 1.0, 0.5])
    X_obs, _ = bin_lightcurves(lc, meta, n_bins=4, window=(-20, 20), rest_frame=False)
    assert X_obs[2, 2].tolist() == pytest.approx([0, 0, 1.0, 0])   # +20 d: outside [-20, 20)


def test_mock_transients_row_order_and_cnn(transients):
    lc, meta = transients.lightcurves, transients.metadata
    X, ids = bin_lightcurves(lc, meta)
    assert X.shape == (40, 12, 32) and ids.tolist() == meta["object_id"].tolist()
    assert np.all(np.isfinite(X)) and set(np.unique(X[:, 6:])) <= {0.0, 1.0}
    assert np.all((X[:, :6] != 0) <= (X[:, 6:] == 1))  # non-zero flux only where the mask says data
    # the peak bin (t0 falls in bin 64 / 6 = 10) holds data for every object, and mostly a positive flux
    assert np.all(X[:, 6:, 10].max(axis=1) == 1) and np.mean(X[:, :6, 10].max(axis=1) > 0) > 0.9
    shuffled = lc.sample(frac=1.0, random_state=0)
    X2, ids2 = bin_lightcurves(shuffled, meta)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(ids, ids2)

    import torch

    from astrolab.nn import CNN1d

    net = CNN1d(10, n_pixels=32, in_channels=12, channels=(4, 8), seed=0)
    assert net(torch.from_numpy(X)).shape == (40, 10)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"n_bins": 1}, "n_bins must be an integer >= 2"),
    ({"n_bins": 4.0}, "n_bins must be an integer"),
    ({"window": (0, 10)}, "start < 0 < end"),
    ({"window": 5}, "window must be two numbers"),
    ({"mask": 1}, "mask must be True or False"),
    ({"rest_frame": True}, "needs metadata with a 'hostgal_photoz'"),
])
def test_bad_arguments(kwargs, match):
    lc = _lc([(1, 0.0, 2, 2.0, 1.0)])
    with pytest.raises(ValueError, match=match):
        bin_lightcurves(lc, **kwargs)


@pytest.mark.parametrize(("column", "value", "match"), [
    ("passband", 6, "'passband' must hold integers 0-5"),
    ("flux_err", 0.0, "'flux_err' must be positive: row 1 \\(object_id 1\\) holds 0.0"),
    ("flux", np.nan, "'flux' must be finite: row 1"),
])
def test_bad_lightcurves(column, value, match):
    lc = _lc([(1, 0.0, 2, 2.0, 1.0), (1, 1.0, 2, 3.0, 1.0)])
    lc.loc[1, column] = value
    with pytest.raises(ValueError, match=match):
        bin_lightcurves(lc)


def test_bad_tables():
    with pytest.raises(ValueError, match="must be a pandas DataFrame"):
        bin_lightcurves(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="missing \\['flux_err'\\]"):
        bin_lightcurves(_lc([(1, 0.0, 2, 2.0, 1.0)]).drop(columns="flux_err"))
    lc = _lc([(1, 0.0, 2, 2.0, 1.0)])
    with pytest.raises(ValueError, match="must not repeat an id"):
        bin_lightcurves(lc, pd.DataFrame({"object_id": [1, 1]}))
    with pytest.raises(ValueError, match="'object_id' column"):
        bin_lightcurves(lc, pd.DataFrame({"id": [1]}))
    with pytest.raises(ValueError, match="finite and non-negative"):
        bin_lightcurves(lc, pd.DataFrame({"object_id": [1], "hostgal_photoz": [np.nan]}), rest_frame=True)


def test_any_subset_of_bands(transients):
    lc = transients.lightcurves
    gr = lc[lc["passband"].isin([1, 2])]
    X, ids = bin_lightcurves(gr, transients.metadata)
    assert X.shape == (len(transients.metadata), 12, 32)
    absent = [0, 3, 4, 5]
    assert not X[:, absent].any() and not X[:, [6 + b for b in absent]].any()      # fluxes and masks 0
    assert X[:, 7:9].sum(axis=(1, 2)).min() > 0                                   # g or r holds data
    # the same light curve with the other bands' points removed by hand gives the same result
    one = _lc([(1, 0.0, 2, 10.0, 1.0), (1, 5.0, 2, 5.0, 1.0), (1, 2.0, 4, 99.0, 50.0)])
    X1, _ = bin_lightcurves(one[one["passband"] == 2], n_bins=4, window=(-8, 8))
    assert X1[0, 2].tolist() == [0.0, 0.0, 1.0, 0.5] and not X1[0, 4].any()


def test_nan_policy():
    lc = _lc([(1, 0.0, 2, 2.0, 1.0), (1, 1.0, 2, np.nan, 1.0), (2, 1.0, 1, 3.0, np.inf), (2, 2.0, 1, 4.0, 1.0)])
    with pytest.raises(ValueError, match="'flux' must be finite: row 1 \\(object_id 1\\).*nan_policy='omit'"):
        bin_lightcurves(lc)
    X, ids = bin_lightcurves(lc, nan_policy="omit", n_bins=4, window=(-8, 8))
    X_ref, ids_ref = bin_lightcurves(lc.drop(index=[1, 2]), n_bins=4, window=(-8, 8))
    assert ids.tolist() == [1, 2] and np.array_equal(X, X_ref)
    with pytest.raises(ValueError, match="nan_policy must be"):
        bin_lightcurves(lc, nan_policy=None)


def test_empty_tables(transients):
    empty = transients.lightcurves.iloc[:0]
    X, ids = bin_lightcurves(empty)
    assert X.shape == (0, 12, 32) and X.dtype == np.float32 and ids.shape == (0,)
    X, ids = bin_lightcurves(empty, transients.metadata.iloc[:3], mask=False, rest_frame=True)
    assert X.shape == (3, 6, 32) and not X.any() and ids.tolist() == transients.metadata["object_id"][:3].tolist()
