"""Issue 24: bad input is refused clearly, nothing hangs, nothing is silently wrong.

Every concrete example of the issue is a regression test here, beside the tests of the validation
module (:mod:`astrolab._validation`) that the fixes use.
"""

import threading

import astropy.units as u
import numpy as np
import pytest
from scipy import stats

import astrolab as al
from astrolab import _validation as v


def within(seconds, func, *args, **kwargs):
    """``func(*args, **kwargs)``, failing the test (not hanging the suite) if it takes over ``seconds``."""
    result, error = [], []

    def target():
        try:
            result.append(func(*args, **kwargs))
        except BaseException as err:  # re-raised in the test's thread
            error.append(err)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        thread.join(120.0)  # let it finish: a running thread would share torch's global state with later tests
        pytest.fail(f"{getattr(func, '__name__', func)} did not return within {seconds} s")
    if error:
        raise error[0]
    return result[0]


# -- the validation module --------------------------------------------------------------------------
def test_check_int_accepts_numpy_integers_and_refuses_bool_float_and_range():
    assert v.check_int("n", np.int32(4), min=1) == 4
    assert type(v.check_int("n", np.int64(4))) is int
    for bad in (True, np.bool_(True), 4.0, "4", None):
        with pytest.raises(ValueError, match="n must be an integer"):
            v.check_int("n", bad)
    with pytest.raises(ValueError, match=r"n must be an integer in \[1, 3\], got 5"):
        v.check_int("n", 5, min=1, max=3)


def test_invalid_parameter_error_is_a_value_error_and_a_type_error():
    with pytest.raises(TypeError):
        v.check_int("n", "a")
    with pytest.raises(ValueError):
        v.check_int("n", -1, min=0)


def test_check_real_refuses_nan_inf_bool_and_open_bounds():
    assert v.check_real("x", np.float32(0.5)) == 0.5
    assert v.check_real("x", 3) == 3.0
    assert v.check_real("x", np.inf, finite=False) == np.inf
    for bad in (np.nan, np.inf, True, "1", [1.0]):
        with pytest.raises(ValueError, match="x must be a finite real number"):
            v.check_real("x", bad)
    with pytest.raises(ValueError, match="x must be a finite real number > 0, got 0.0"):
        v.check_real("x", 0.0, min=0, min_inclusive=False)
    with pytest.raises(ValueError, match="NaN|nan"):
        v.check_real("x", np.nan, finite=False)


def test_check_seed():
    assert v.check_seed("seed", None) is None
    assert v.check_seed("seed", np.uint8(3)) == 3
    rng = np.random.default_rng(0)
    assert v.check_seed("seed", rng) is rng
    for bad in (-1, 1.5, True, "0"):
        with pytest.raises(ValueError, match="seed must be a non-negative integer"):
            v.check_seed("seed", bad)


def test_check_array_shape_rows_finite_and_numbers():
    x = v.check_array("X", [[1, 2], [3, 4]], ndim=2, min_rows=2, shape=(None, 2))
    assert x.dtype == float and x.shape == (2, 2)
    with pytest.raises(ValueError, match="X must have 2 dimension"):
        v.check_array("X", [1, 2], ndim=2)
    with pytest.raises(ValueError, match="X must have at least 3 row"):
        v.check_array("X", [1, 2], min_rows=3)
    with pytest.raises(ValueError, match="X must be finite"):
        v.check_array("X", [1, np.inf])
    with pytest.raises(ValueError, match="X must be an array of numbers"):
        v.check_array("X", ["a", "b"])
    with pytest.raises(ValueError, match=r"X must have shape \(any, 2\)"):
        v.check_array("X", np.zeros((3, 3)), shape=(None, 2))
    with pytest.raises(ValueError, match="X must be a plain array"):
        v.check_array("X", [1, 2] * u.m)


def test_check_quantity_units_defaults_and_range():
    assert v.check_quantity("size", 1 * u.km, "m") == pytest.approx(1000.0)
    assert v.check_quantity("dec", 10, "deg", default_unit="deg") == 10.0
    with pytest.raises(ValueError, match="size must be an astropy Quantity in units of length"):
        v.check_quantity("size", 3.0, "m")
    with pytest.raises(ValueError, match="size must have units of length"):
        v.check_quantity("size", 3.0 * u.s, "m")
    with pytest.raises(ValueError, match=r"dec must be in \[-90, 90\] deg, got 120"):
        v.check_quantity("dec", 120 * u.deg, "deg", min=-90, max=90)
    with pytest.raises(ValueError, match="finite"):
        v.check_quantity("size", np.nan * u.m, "m")


def test_check_size_names_the_estimate():
    assert v.check_size("n", 10.0, 100) == 10.0
    with pytest.raises(ValueError, match="n_rows=10\\*\\*12 would write about 50 TB"):
        v.check_size("n_rows", 5e13, 1e12, what="disk", request="n_rows=10**12")
    with pytest.raises(ValueError, match="would need about 1e\\+03 PB, more than the .* of memory available"):
        v.check_size("n", 1e18)
    assert v.format_bytes(1.49e10) == "14.9 GB"


def test_check_options():
    assert v.check_options("kind", "gp", ("gp", "poly")) == "gp"
    with pytest.raises(ValueError, match=r"kind must be one of \['gp', 'poly'\], got 'GP'"):
        v.check_options("kind", "GP", ("gp", "poly"))


# -- no hangs, no silent NaN: samplers and training --------------------------------------------------
def test_nested_sampler_plateau_honours_max_calls():
    ns = within(30, al.bayes.NestedSampler(lambda x: 0.0, lambda u: u, ndim=2, n_live=20, seed=0).run,
                max_calls=1000)
    assert ns.n_calls_ <= 1000 and not ns.converged_


def test_nested_sampler_plateau_converges_to_the_right_evidence():
    ns = within(30, NestedSamplerRun(lambda x: 0.0, n_live=20))
    assert ns.converged_ and ns.logz_ == pytest.approx(0.0, abs=1e-6)
    # a likelihood with two plateaus: L = 1 on half the box, e^-1 on the other half
    ns = within(60, NestedSamplerRun(lambda x: 0.0 if x[0] < 0.5 else -1.0, n_live=100))
    truth = np.log(0.5 + 0.5 * np.exp(-1))
    assert abs(ns.logz_ - truth) < 4 * ns.logz_err_ + 1e-3


def NestedSamplerRun(log_l, n_live):
    return lambda: al.bayes.NestedSampler(log_l, lambda u: u, ndim=2, n_live=n_live, seed=0).run()


def test_train_refuses_nan_inputs():
    x = np.full((10, 3), np.nan, "f4")
    with pytest.raises(ValueError, match="train_data inputs X must be finite"):
        al.nn.train(al.nn.MLP(3, 2), (x, np.zeros(10, "i8")), epochs=2, progress=False, device="cpu")


def test_train_refuses_float_and_out_of_range_labels():
    x = np.zeros((10, 3), "f4")
    with pytest.raises(ValueError, match="labels y must be integer classes"):
        al.nn.train(al.nn.MLP(3, 2), (x, np.zeros(10)), epochs=1, progress=False, device="cpu")
    with pytest.raises(ValueError, match=r"class labels must be in \[0, 1\] for a model with 2 outputs, got a label 5"):
        al.nn.train(al.nn.MLP(3, 2), (x, np.full(10, 5)), epochs=1, progress=False, device="cpu")
    with pytest.raises(ValueError, match="non-negative class numbers, got -1"):
        al.nn.train(al.nn.MLP(3, 2), (x, np.full(10, -1)), epochs=1, progress=False, device="cpu")


def test_train_stops_on_a_non_finite_loss_naming_the_epoch():
    class Exploding(al.nn.MLP):
        def forward(self, x):
            return super().forward(x) * float("nan")

    with pytest.raises(FloatingPointError, match="training loss became nan in epoch 1"):
        al.nn.train(Exploding(3, 2), (np.zeros((10, 3), "f4"), np.zeros(10, "i8")), epochs=2, progress=False,
                    device="cpu")


def test_abc_rejection_reports_nan_from_the_simulator():
    with pytest.raises(ValueError, match="simulator returned NaN summaries for 20 of 20"):
        al.bayes.abc_rejection(lambda t, rng: np.nan, [stats.uniform(0, 1)], [0.0], n_samples=10,
                               quantile=0.5, seed=0)
    with pytest.raises(ValueError, match="simulator returned NaN"):
        al.bayes.abc_rejection(lambda t, rng: np.where(t > 0.5, np.nan, t), [stats.uniform(0, 1)], [0.0],
                               n_samples=10, epsilon=0.1, batch_size=100, vectorized=True, seed=0)


def test_autocorr_time_refuses_nan():
    chain = np.r_[np.arange(29.0), np.nan]
    with pytest.raises(ValueError, match="chain must be finite, got 1 NaN or inf"):
        al.bayes.autocorr_time(chain)


def test_autocorr_time_of_a_constant_chain_is_infinite_and_flagged():
    with pytest.raises(al.bayes.AutocorrError, match="never change.*stuck") as info:
        al.bayes.autocorr_time(np.ones(200))
    assert np.isinf(info.value.tau).all()
    assert np.isinf(al.bayes.autocorr_time(np.ones(200), tol=0)).all()
    assert al.bayes.effective_sample_size(np.ones(200), tol=0)[0] == 0


def test_latin_hypercube_refuses_infinite_bounds():
    with pytest.raises(ValueError, match="bounds must be finite"):
        al.bayes.latin_hypercube(5, [(0, np.inf)])
    with pytest.raises(ValueError, match="seed must be"):
        al.bayes.latin_hypercube(5, [(0, 1)], seed=-1)


# -- silently wrong results: sizes, thresholds, iterations --------------------------------------------
def test_lasso_refuses_a_negative_max_iter():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(20, 5))
    with pytest.raises(ValueError, match="max_iter must be an integer >= 1, got -1"):
        al.sparse.Lasso(alpha=1, max_iter=-1).fit(A, A @ np.ones(5))
    with pytest.raises(ValueError, match="alpha must be a finite real number"):
        al.sparse.Lasso(alpha=np.nan).fit(A, A @ np.ones(5))
    with pytest.raises(ValueError, match="max_iter must be an integer"):
        al.sparse.fista(A, A @ np.ones(5), 1.0, max_iter=0)


def test_soft_threshold_refuses_a_negative_threshold():
    with pytest.raises(ValueError, match="threshold must be a non-negative number"):
        al.sparse.soft_threshold(np.array([1.0, -2.0]), -1)
    with pytest.raises(ValueError, match="threshold must be a non-negative number"):
        al.sparse.soft_threshold(np.array([1.0, -2.0]), np.nan)


def test_power_spectrum_model_refuses_an_empty_quadrature():
    with pytest.raises(ValueError, match="n_k must be an integer >= 2, got 0"):
        al.datasets.power_spectrum_model([2.0, 0.2], n_k=0)
    with pytest.raises(ValueError, match="n_mu must be an integer >= 1"):
        al.datasets.power_spectrum_model([2.0, 0.2], n_mu=True)


# -- coordinates outside the sphere ------------------------------------------------------------------
def test_sky_counts_refuses_coordinates_off_the_sphere():
    import pandas as pd

    with pytest.raises(ValueError, match=r"column 'ra' must hold degrees in \[0, 360\], got 1 of 2"):
        al.bigdata.sky_counts(pd.DataFrame({"ra": [400.0, 1.0], "dec": [10.0, 1.0]}), nside=4)
    with pytest.raises(ValueError, match="column 'dec' must hold degrees in"):
        al.bigdata.sky_counts(pd.DataFrame({"ra": [40.0], "dec": [100.0]}), nside=4)
    with pytest.raises(ValueError, match="column 'dec'"):
        al.bigdata.sky_counts(pd.DataFrame({"ra": [40.0], "dec": [np.nan]}), nside=4)


def test_uv_coverage_refuses_a_declination_beyond_the_pole():
    with pytest.raises(ValueError, match=r"dec must be in \[-90, 90\] deg, got 120"):
        al.datasets.uv_coverage(dec=120 * u.deg)


def test_parallax_factors_refuses_ra_dec_off_the_sphere_and_takes_quantities():
    with pytest.raises(ValueError, match=r"ra must be in \[0, 360\] deg, got 500"):
        al.datasets.parallax_factors([0], ra=500, dec=10)
    with pytest.raises(ValueError, match=r"dec must be in \[-90, 90\] deg, got 100"):
        al.datasets.parallax_factors([0], ra=50, dec=100)
    plain = al.datasets.parallax_factors([0.1], ra=50, dec=10)
    quantity = al.datasets.parallax_factors([0.1], ra=50 * u.deg, dec=10 * u.deg)
    assert np.allclose(plain, quantity)


def test_fourier_operator_takes_a_quantity_pixel_size():
    op = al.sparse.FourierOperator([0.0, 1e9], [0.0, 0.0], (8, 8), 4 * u.uas)
    assert op.pixel_size == pytest.approx((4 * u.uas).to_value(u.rad))
    assert np.allclose(op.l, al.sparse.FourierOperator([0.0, 1e9], [0.0, 0.0], (8, 8), op.pixel_size).l)
    with pytest.raises(ValueError, match="pixel_size must have units of angle"):
        al.sparse.FourierOperator([0.0, 1e9], [0.0, 0.0], (8, 8), 4 * u.s)
    with pytest.raises(ValueError, match=r"image_shape\[0\] must be an integer >= 2"):
        al.sparse.FourierOperator([0.0, 1e9], [0.0, 0.0], (1, 8), 1e-11)


# -- size guards and interrupted writers --------------------------------------------------------------
def test_write_sky_catalog_refuses_50_terabytes_at_once(tmp_path):
    with pytest.raises(ValueError, match=r"n_rows=1000000000000 would write about 50 TB, more than"):
        within(5, al.datasets.write_sky_catalog, tmp_path / "sky", n_rows=10**12, progressbar=False)
    assert list(tmp_path.iterdir()) == []


def test_a_killed_writer_leaves_nothing_behind_after_the_next_write(tmp_path):
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    leftover = tmp_path / f".sky.{dead.pid}.abc123.tmp"  # what a writer killed by a signal leaves
    leftover.mkdir()
    (leftover / "part-00000.parquet").write_bytes(b"half")
    mine = tmp_path / f".sky.{__import__('os').getpid()}.live.tmp"  # a live writer's: kept
    mine.mkdir()
    al.datasets.write_sky_catalog(tmp_path / "sky", 1000, rows_per_partition=1000, progressbar=False, n_jobs=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["sky", mine.name])


def test_an_interrupted_writer_removes_its_temporary(tmp_path, monkeypatch):
    from astrolab.datasets import _sky

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(_sky, "make_sky_catalog", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _sky.write_sky_catalog(tmp_path / "sky", 1000, rows_per_partition=500, progressbar=False, n_jobs=1)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("call", [
    lambda tmp: al.datasets.make_transients(10**9),
    lambda tmp: al.challenge.make_challenge(tmp / "kit", n_objects=10**9),
    lambda tmp: al.datasets.make_threebody(10**9, progress=False),
], ids=["make_transients", "make_challenge", "make_threebody"])
def test_huge_generators_are_refused_at_once_with_the_estimate(call, tmp_path):
    with pytest.raises(ValueError, match=r"=1000000000.* would need about [\d.]+ [TP]B, more than the"):
        within(5, call, tmp_path)
    assert not (tmp_path / "kit").exists()


# -- obscure exceptions become sentences naming the argument ------------------------------------------
def test_weighted_log_loss_names_a_label_type_mismatch():
    with pytest.raises(ValueError, match=r"not among labels \['0', '1'\]: \[0, 1\] \(y_true holds int values, "
                                         r"labels are str"):
        al.challenge.weighted_log_loss([0, 1], [[0.5, 0.5], [0.5, 0.5]], labels=["0", "1"])
    assert al.challenge.weighted_log_loss(["0", "1"], [[0.5, 0.5], [0.5, 0.5]], labels=["0", "1"]) == pytest.approx(
        np.log(2))


@pytest.mark.parametrize("make", [
    al.datasets.make_lightcurve, al.datasets.make_sky_catalog, al.datasets.make_star_catalog,
    al.datasets.make_eht_mock, al.datasets.make_power_spectrum_data,
], ids=lambda f: f.__name__)
def test_a_negative_seed_is_refused_by_name(make):
    with pytest.raises(ValueError, match="seed must be a non-negative integer, None or a numpy Generator, got -1"):
        make(seed=-1)


def test_samplers_name_a_bad_seed():
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        al.bayes.Metropolis(lambda x: 0.0, 1, seed=-1)
    with pytest.raises(ValueError, match="seed must be"):
        al.bayes.NestedSampler(lambda x: 0.0, lambda u: u, ndim=1, n_live=5, seed=True).run(max_iter=1)


# -- fetching: confined and honest --------------------------------------------------------------------
PAYLOAD = b"# x y\n1 2\n3 4\n" * 50


def _closed_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _registry(url, **fields):
    import hashlib

    entry = {"name": "table", "url": url, "sha256": hashlib.sha256(PAYLOAD).hexdigest(), "filename": "table.txt",
             "mirror_path": "tables/table.txt", "mock": "astrolab.datasets.make_x()"} | fields
    return {"table": al.datasets.RemoteFile(**entry)}


@pytest.mark.parametrize("filename", ["..", "", ".", "a/b.txt", "..\\b.txt", "/etc/passwd"])
def test_remote_file_filename_must_be_a_plain_name(filename):
    with pytest.raises(ValueError, match="filename must be a bare file name"):
        _registry("http://127.0.0.1:9/t", filename=filename)


@pytest.mark.parametrize("mirror_path", ["../x", "tables/../../x", "/abs/x", "C:\\x", "", "a\\..\\..\\x"])
def test_remote_file_mirror_path_must_stay_inside_the_mirror(mirror_path):
    with pytest.raises(ValueError, match="mirror_path must be a relative path inside the mirror"):
        _registry("http://127.0.0.1:9/t", mirror_path=mirror_path)


def test_a_mirror_link_leading_outside_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "table.txt").write_bytes(PAYLOAD)
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "tables").symlink_to(outside)
    with pytest.raises(ValueError, match="leads outside the mirror"):
        al.datasets.fetch_file("table", registry=_registry(f"http://127.0.0.1:{_closed_port()}/t"), mirror=mirror)


def test_a_corrupt_cache_without_network_is_reported_as_corrupt_and_removed(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "table.txt").write_bytes(b"damaged")
    registry = _registry(f"http://127.0.0.1:{_closed_port()}/table.txt")
    with pytest.raises(al.datasets.DataUnavailableError, match="cached copy .* was corrupt .* removed") as info:
        al.datasets.fetch_file("table", registry=registry, data_home=cache)
    assert "are you offline" not in str(info.value) and "make_x()" in str(info.value)
    assert isinstance(info.value, ValueError)
    assert not (cache / "table.txt").exists()


def test_a_corrupt_cache_is_fetched_again(tmp_path):
    from loopback import serve

    root = tmp_path / "www"
    root.mkdir()
    (root / "table.txt").write_bytes(PAYLOAD)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "table.txt").write_bytes(b"damaged")
    with serve(root) as (base, hits):
        path = al.datasets.fetch_file("table", registry=_registry(f"{base}/table.txt"), data_home=cache)
    assert path.read_bytes() == PAYLOAD and hits == ["/table.txt"]


def test_a_wrong_mirror_file_lets_real_or_mock_fall_back_with_a_warning(tmp_path):
    import functools

    mirror = tmp_path / "mirror"
    (mirror / "tables").mkdir(parents=True)
    (mirror / "tables" / "table.txt").write_bytes(PAYLOAD + b"tampered")
    fetch = functools.partial(al.datasets.fetch_file, "table", registry=_registry("http://127.0.0.1:9/t"),
                              mirror=mirror)
    with pytest.warns(UserWarning, match="not the registered file"):
        data, truth, source = al.datasets.real_or_mock(fetch, lambda: ("mock", "truth"), verbose=False)
    assert (data, truth, source) == ("mock", "truth", "mock")


def test_make_eht_mock_checks_its_grid_and_time_step_before_computing():
    with pytest.raises(ValueError, match=r"image_shape\[0\] must be an integer >= 2, got 1"):
        within(5, al.datasets.make_eht_mock, image_shape=(1, 8))
    with pytest.raises(ValueError, match="pixel_size must be one positive angle"):
        al.datasets.make_eht_mock(pixel_size=-3 * u.uas)
    with pytest.raises(ValueError, match="integration=1.0 us would need about .* TB"):
        within(5, al.datasets.make_eht_mock, integration=1 * u.us)
    with pytest.raises(ValueError, match="step=1.0 ns over 24 h would need about"):
        within(5, al.datasets.uv_coverage, step=1 * u.ns)


def test_gauge_matrix_refuses_bad_sizes():
    from astrolab.sparse import gauge_matrix

    for bad in (-1, 0, 2.0, True):
        with pytest.raises(ValueError, match="n_stars"):
            gauge_matrix(bad, 5)
    with pytest.raises(ValueError, match="n_knots"):
        gauge_matrix(2, -1)
    with pytest.raises(ValueError, match="column_norms"):
        gauge_matrix(2, 3, column_norms=np.ones(4))
    with pytest.raises(ValueError, match="column_norms"):
        gauge_matrix(2, 3, column_norms=np.r_[np.ones(12), np.nan])
    with pytest.raises(ValueError, match="column_norms"):
        gauge_matrix(2, 3, column_norms=-np.ones(13))
    assert gauge_matrix(2, 3).shape == (5, 13)


@pytest.mark.parametrize("make", ["make_photoz_catalog", "make_variable_features", "make_hypervelocity_sample"])
def test_supervised_generators_name_a_bad_seed(make):
    with pytest.raises(ValueError, match="seed"):
        getattr(al.datasets, make)(20, seed=-1)


def test_fuzz_round_two_findings_are_refused_by_name():
    """What the fuzz over every public callable found (issue 24, item 5), each refused with a sentence."""
    # healpix_grid of an empty map killed the process (SIGFPE inside astropy-healpix)
    with pytest.raises(ValueError, match="counts must be a nested HEALPix map"):
        al.bigdata.healpix_grid(np.zeros(0))
    with pytest.raises(ValueError, match="n_lon"):
        al.bigdata.healpix_grid(np.arange(12), n_lon=0)
    assert al.bigdata.healpix_grid(np.arange(48), n_lon=8, n_lat=4)[2].shape == (4, 8)
    # mc_dropout_predict(n_samples=10**12) ran for ever
    net = al.nn.MLP(2, 1, hidden=(4,), dropout=0.2)
    with pytest.raises(ValueError, match="n_samples=1000000000000"):
        al.nn.mc_dropout_predict(net, np.ones((4, 2)), n_samples=10**12)
    # make_lightcurves(10**12) ran for ever
    with pytest.raises(ValueError, match="n=1000000000000"):
        al.datasets.make_lightcurves(10**12)
    # layer sizes of 10**12 reached torch's allocator
    with pytest.raises(ValueError, match="hidden"):
        al.nn.MLP(3, 2, hidden=(10**12,))
    with pytest.raises(ValueError, match="latent_dim"):
        al.nn.Generator(latent_dim=10**12)
    # strings where numbers or arrays are meant: numpy's "could not convert string to float" named nothing
    for call in (lambda: al.sparse.tsv("x"), lambda: al.bayes.fisher_matrix("x", np.eye(2)),
                 lambda: al.sparse.ncc("x", np.ones(3)), lambda: al.bigdata.detect_sources(np.ones((16, 16)), "x"),
                 lambda: al.sparse.power_iteration(np.eye(2), n_iter=1.5), lambda: al.sparse.as_operator("x")):
        with pytest.raises(ValueError, match=r"^(image|dmu|a|psf_fwhm|n_iter|A) must"):
            call()
    # a path that is not one
    with pytest.raises(ValueError, match="path must be"):
        al.datasets.read_uvfits(None)
    with pytest.raises(ValueError, match="path must be an existing file"):
        al.datasets.load_registry("no/such/registry.json")


def test_fuzz_round_three_nan_is_refused_not_passed_through():
    """The elementwise functions that passed NaN through (issue 24, third round) refuse it by name."""
    with pytest.raises(ValueError, match="^n must be finite"):
        al.datasets.sersic_bn(np.nan)
    with pytest.raises(ValueError, match="^n must be a positive Sersic index"):
        al.datasets.sersic_bn(-1.0)
    with pytest.raises(ValueError, match="^g_mag must be finite"):
        al.datasets.gaia_parallax_error([12.0, np.nan])
    with pytest.raises(ValueError, match="^tau must be"):
        al.datasets.exponential_growth([2000.0], 10.0, np.nan, 2000.0)
    with pytest.raises(ValueError, match="^pivot_year must be"):
        al.datasets.exponential_growth([2000.0], 10.0, 5.0, -np.inf)
    with pytest.raises(ValueError, match="^simulated must hold no NaN"):
        al.bayes.euclidean_distance([[np.nan, 1.0]], [1.0, 2.0])
    with pytest.raises(ValueError, match="^observed must be finite"):
        al.bayes.euclidean_distance([[1.0, 1.0]], [np.inf, 2.0])
    assert al.bayes.euclidean_distance([[np.inf, 1.0]], [1.0, 2.0]).tolist() == [np.inf]  # a rejected draw
    params = np.array([[100.0, 0.0, 0.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match="^scan_angle must be finite"):
        al.datasets.along_scan_position(params, [0.0, 0.0], [0.0, 1.0], [0.5], [0], [np.nan])
    with pytest.raises(ValueError, match="^star must hold integer indices"):
        al.datasets.along_scan_position(params, [0.0, 0.0], [0.0, 1.0], [0.5], [3], [0.0])
    # found by probing every fuzzed callable with NaN (results that carried it on)
    with pytest.raises(ValueError, match="^dmu must be finite"):
        al.bayes.fisher_matrix([1.0, np.nan], np.eye(2))
    with pytest.raises(ValueError, match="^object_ids must be integer ids"):
        al.challenge.class_prior_submission(["a"], [1.0, np.nan], ["a", "b"])


def test_fuzz_round_three_obscure_errors_name_their_argument():
    """Errors from inside numpy/astropy that the fuzz found (third round): now sentences naming the argument."""
    rng = np.random.default_rng(0)
    A = rng.normal(size=(20, 4))
    t = np.linspace(0, 30, 120)
    cases = [
        (lambda: al.sparse.LassoPeriodogram(n_lambdas=10**12).fit(t, np.sin(t)), "n_lambdas"),
        (lambda: al.sparse.alias_class("x", 1.0), "frequency"),
        (lambda: al.bayes.abc_smc(lambda th, r: th, [stats.uniform(-1, 2)], [0.0], quantile="x", vectorized=True),
         "quantile"),
        (lambda: al.ml.cluster_scores([0, 1], [0, 1], min_size=[]), "min_size"),
        (lambda: al.datasets.crescent_image(-1), "image_shape"),
        (lambda: al.datasets.crescent_image(asymmetry="x"), "asymmetry"),
        (lambda: al.datasets.SkyModel(np.ones(3)), "model"),
        (lambda: al.datasets.doppler_shift("x", np.ones(3), 0.0), "wavelength"),
        (lambda: al.datasets.make_paper_counts(last_year=np.inf), "last_year"),
        (lambda: al.datasets.make_blackbody_spectrum(teff=1.5), "teff"),
        (lambda: al.datasets.make_survey_image(psf_fwhm=np.inf), "psf_fwhm"),
        (lambda: al.datasets.make_hypervelocity_sample(200, n_hvs=10**12), "n_hvs"),
        (lambda: al.datasets.load_galaxy_images(5, size=16, cache=np.ones(2)), "cache"),
        (lambda: al.datasets.RemoteFile("n", "u", 10**12, "x.csv", "x/x.csv", "m"), "sha256"),
        (lambda: al.datasets.uv_coverage(hours=3 * u.m), "hours"),
        (lambda: al.nn.NumpyMLPRegressor(random_state=1.5).fit(A, A[:, 0]), "random_state"),
        (lambda: al.nn.predict(al.nn.MLP(3, 2), -1), "X"),
        (lambda: al.nn.interval_coverage("x", [0.0], [1.0]), "y_true"),
        (lambda: al.nn.fixed_conv2d(3 * u.m), "kernels"),
        (lambda: al.reduction.reconstruction_error(al.reduction.PCA().fit(A), A, "x"), "n_components"),
        (lambda: al.sparse.ring_fit(np.ones((3, 4)), 4.0), "image"),
        (lambda: al.data_dir(create=np.ones(2)), "create"),
        (lambda: al.check_environment(file=3), "file"),
    ]
    for call, name in cases:
        with pytest.raises((ValueError, TypeError), match=rf"\b{name}\b"):
            call()
