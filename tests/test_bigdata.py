"""astrolab.bigdata: identical in-memory and out-of-core aggregations, memory, the detection pipeline."""

import subprocess
import sys

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

from astrolab.bigdata import (
    CMD_COLOR_EDGES,
    CMD_MAG_EDGES,
    MemoryMonitor,
    cmd_counts,
    completeness_purity,
    detect_sources,
    healpix_grid,
    match_to_truth,
    sky_counts,
)
from astrolab.datasets import make_survey_image, write_sky_catalog


@pytest.fixture(scope="module")
def parquet(tmp_path_factory):
    return write_sky_catalog(tmp_path_factory.mktemp("sky") / "sky", 30_000, rows_per_partition=7_000, seed=3,
                             progressbar=False)


def test_dask_out_of_core_equals_pandas_in_memory(parquet):
    columns = ["ra", "dec", "phot_g_mean_mag", "bp_rp"]
    df = pd.read_parquet(parquet, columns=columns)
    ddf = dd.read_parquet(parquet, columns=columns)
    assert ddf.npartitions == 5
    cmd_mem, cmd_dask = cmd_counts(df), cmd_counts(ddf)
    sky_mem, sky_dask = sky_counts(df, nside=8), sky_counts(ddf, nside=8)
    assert cmd_mem.dtype == np.int64 and np.array_equal(cmd_mem, cmd_dask)
    assert np.array_equal(sky_mem, sky_dask) and sky_mem.sum() == 30_000 and len(sky_mem) == 768
    assert cmd_mem.sum() > 0.99 * 30_000


def test_cmd_counts_agree_with_histogram2d():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"bp_rp": rng.uniform(-1, 6, 5000), "phot_g_mean_mag": rng.uniform(2, 22, 5000)})
    expected, _, _ = np.histogram2d(df["bp_rp"], df["phot_g_mean_mag"], bins=[CMD_COLOR_EDGES, CMD_MAG_EDGES])
    assert np.array_equal(cmd_counts(df), expected.astype(np.int64))


def test_sky_counts_use_nested_healpix():
    import astropy.units as u
    from astropy_healpix import HEALPix

    df = pd.DataFrame({"ra": [0.5, 120.0, 250.0], "dec": [0.5, -45.0, 80.0]})
    counts = sky_counts(df, nside=4)
    pix = HEALPix(nside=4, order="nested").lonlat_to_healpix(df["ra"].to_numpy() * u.deg, df["dec"].to_numpy() * u.deg)
    assert np.array_equal(np.nonzero(counts)[0], np.sort(pix))


@pytest.mark.parametrize("call, match", [
    (lambda: sky_counts(pd.DataFrame({"ra": [1.0], "dec": [1.0]}), nside=3), "nside must be a power of 2"),
    (lambda: sky_counts(pd.DataFrame({"ra": [1.0]})), r"lacks the column\(s\) \['dec'\]"),
    (lambda: cmd_counts(np.zeros((3, 2))), "must be a pandas or Dask DataFrame"),
])
def test_aggregations_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_healpix_grid_puts_ra_increasing_to_the_left():
    counts = np.zeros(12 * 4**2)
    counts[sky_counts(pd.DataFrame({"ra": [30.0], "dec": [10.0]}), nside=4) > 0] = 1
    x, lat, values = healpix_grid(counts, n_lon=360, n_lat=180)
    assert values.shape == (180, 360) and x[0] == -np.pi and lat[-1] == np.pi / 2
    rows, cols = np.nonzero(values)
    x_centre = 0.5 * (x[cols] + x[cols + 1])
    assert np.all(x_centre < 0)  # RA = 30 deg lies left of the centre (x = -RA)


def test_memory_monitor_sees_numpy_allocations():
    # In a fresh process: a test worker that ran other tests may hold freed, still-resident memory that
    # the allocator hands out again, so the block would not raise its RSS at all (seen under xdist).
    code = ("import numpy as np\nfrom astrolab.bigdata import MemoryMonitor\n"
            "with MemoryMonitor(interval=0.001) as mem:\n    block = np.ones(40_000_000 // 8)\n    block += 1\n"
            "print(mem.increase, mem.peak >= mem.baseline, 'MiB' in repr(mem))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    increase, ordered, unit = run.stdout.split()
    assert int(increase) > 30e6 and ordered == unit == "True", run.stdout
    with pytest.raises(ValueError, match="interval must be a positive number"):
        MemoryMonitor(interval=0)


# ---------------------------------------------------------------- detection


def _field(**kwargs):
    defaults = {"n_stars": 0, "n_galaxies": 0, "n_cosmic_rays": 0, "n_hot_pixels": 0, "n_trails": 0}
    return make_survey_image((256, 256), **(defaults | kwargs))


def test_bright_isolated_stars_are_found_and_measured():
    image, truth = _field(n_stars=25, flux_range=(2e4, 5e4), seed=1)
    found = detect_sources(image, psf_fwhm=3.0)
    stars = truth["sources"]
    t_match, d_match = match_to_truth(found, stars, radius=1.0)
    close = np.array([np.min(np.hypot(stars["x"] - stars["x"][i], stars["y"] - stars["y"][i])[
        np.arange(len(stars)) != i]) > 12 for i in range(len(stars))])
    assert np.all(t_match[close] >= 0) and set(found["flag"][t_match[close]]) == {"ok"}
    ratio = found["flux"][t_match[close]] / stars["flux"][close]
    assert np.all(np.abs(ratio - 1) < 0.05), ratio
    offsets = np.hypot(found["x"][t_match[close]] - stars["x"][close], found["y"][t_match[close]] - stars["y"][close])
    assert np.max(offsets) < 0.3


def test_artefacts_are_flagged():
    image, truth = _field(n_cosmic_rays=30, n_hot_pixels=20, n_trails=1, seed=2)
    found = detect_sources(image, psf_fwhm=3.0)
    assert len(found) > 0 and np.mean(found["flag"] != "ok") > 0.9
    art = truth["artifacts"]
    point = art[art["kind"] != "trail"]
    t_match, _ = match_to_truth(found, {"x": point["x"], "y": point["y"], "flux": np.ones(len(point))}, radius=2.0)
    assert np.mean(found["flag"][t_match[t_match >= 0]] == "sharp") > 0.9
    assert np.sum(found["flag"] == "streak") >= 5


def test_completeness_follows_matched_filter_theory():
    image, truth = _field(n_stars=1500, flux_range=(100.0, 1000.0), seed=3)
    found = detect_sources(image, psf_fwhm=3.0, threshold=5.0, noise=truth["noise"], background=truth["sky"])
    t_match, _ = match_to_truth(found, truth["sources"], radius=2.0)
    limit = 5.0 * truth["noise"] * np.sqrt(4 * np.pi) * 3.0 / 2.3548
    flux = np.asarray(truth["sources"]["flux"])
    near = np.abs(flux / limit - 1) < 0.1
    assert 0.3 < np.mean(t_match[near] >= 0) < 0.7
    assert np.mean(t_match[flux > 2 * limit] >= 0) > 0.9


def test_detect_sources_edge_cases_and_errors():
    empty = detect_sources(np.random.default_rng(0).normal(100, 5, (64, 64)), psf_fwhm=3.0, threshold=50)
    assert len(empty) == 0 and "flag" in empty.colnames
    with pytest.raises(ValueError, match="image must be a 2-D array"):
        detect_sources(np.zeros(100), psf_fwhm=3.0)
    with pytest.raises(ValueError, match="NaN or infinite"):
        detect_sources(np.full((32, 32), np.nan), psf_fwhm=3.0)
    with pytest.raises(ValueError, match="psf_fwhm must be"):
        detect_sources(np.zeros((32, 32)), psf_fwhm=40.0)
    with pytest.raises(ValueError, match="noise must be positive"):
        detect_sources(np.zeros((32, 32)), psf_fwhm=3.0, noise=0.0)


def test_match_to_truth_is_one_to_one():
    truth = {"x": [10.0, 11.0], "y": [10.0, 10.0], "flux": [5.0, 10.0]}
    detected = {"x": [10.9], "y": [10.0]}
    t_match, d_match = match_to_truth(detected, truth, radius=2.0)
    assert t_match.tolist() == [-1, 0] and d_match.tolist() == [1]  # the brighter source wins
    with pytest.raises(ValueError, match="radius must be a positive"):
        match_to_truth(detected, truth, radius=0)


def test_completeness_purity_checks_lengths():
    with pytest.raises(ValueError, match="same length"):
        completeness_purity([1, 2], [True], [1.0], [True], [0, 10])


def test_detection_explorer_reacts_to_its_controls():
    import ipywidgets as widgets

    from astrolab.widgets import detection_explorer

    image, truth = make_survey_image((256, 256), n_stars=300, n_galaxies=20, n_cosmic_rays=20, seed=6)
    demo = detection_explorer(image, truth, zoom=128)
    assert isinstance(demo, widgets.VBox)
    before, renders = demo.score, demo.canvas.n_renders
    demo.slider.value = 3.0
    assert demo.canvas.n_renders == renders + 1
    assert len(demo.score["found"]) > len(before["found"]) and demo.score["purity"] < before["purity"]
    demo.flags.value = False
    assert demo.score["purity"] < 0.9 and "detections kept" in demo.readout.value
    with pytest.raises(ValueError, match="threshold must be between 2 and 10"):
        detection_explorer(image, truth, threshold=1.0)
    with pytest.raises(ValueError, match="truth must be the dict"):
        detection_explorer(image, {"x": 1})
