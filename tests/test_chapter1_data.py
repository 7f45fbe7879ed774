"""Chapter 1 data: survey facts, paper counts (and the ADS loader), the all-sky catalogue, survey images."""

import http.server
import json
import re
import socket
import threading
import urllib.parse
from pathlib import Path

import astropy.units as u
import numpy as np
import pandas as pd
import pytest
from astropy.coordinates import SkyCoord
from scipy import stats

from astrolab.datasets import (
    DataUnavailableError,
    exponential_growth,
    fetch_ads_counts,
    load_survey_facts,
    make_paper_counts,
    make_sky_catalog,
    make_survey_image,
    write_sky_catalog,
)

# ---------------------------------------------------------------- survey facts


def test_survey_facts_have_units_sources_and_sane_values():
    facts = load_survey_facts()
    assert len(facts) == 11
    assert facts["data_volume"].unit == u.TB and facts["sky_area"].unit == u.deg**2
    assert np.all(facts["start_year"] <= facts["end_year"])
    assert all(ref.strip() for ref in facts["reference"]) and all(b.strip() for b in facts["volume_basis"])
    sky = facts["sky_area"]
    assert np.all(sky[np.isfinite(sky)] <= 41253 * u.deg**2)
    assert facts.loc["Gaia"]["n_sources"] == pytest.approx(1.81e9)
    assert facts.loc["Rubin LSST"]["n_bands"] == 6


# ---------------------------------------------------------------- paper counts


def test_paper_counts_are_deterministic_and_labelled_illustrative():
    a, truth = make_paper_counts("bayesian", seed=3)
    b, _ = make_paper_counts("bayesian", seed=3)
    c, _ = make_paper_counts("bayesian", seed=4)
    assert np.array_equal(a["count"], b["count"]) and not np.array_equal(a["count"], c["count"])
    assert a.meta["illustrative"] is True and "not ADS" in a.meta["source"]
    assert truth["tau"] == 7.0 and a["year"][0] == 1980 and a["year"][-1] == 2024


def test_paper_counts_are_poisson_around_the_growth_law():
    counts, truth = make_paper_counts("neural net", seed=0)
    mean = truth["mean"]
    # deviance of the true model follows chi2 with N degrees of freedom
    n = counts["count"].astype(float)
    dev = 2 * np.sum(np.where(n > 0, n * np.log(np.where(n > 0, n, 1) / mean), 0) - (n - mean))
    assert stats.chi2.sf(dev, len(n)) > 1e-3
    assert mean[counts["year"] == 2015][0] == pytest.approx(truth["amplitude"])
    # continuity at the break, and the two e-folding times on either side
    law = exponential_growth(np.array([2010.0, 2015.0, 2020.0]), **{k: truth[k] for k in
                             ("amplitude", "tau", "pivot_year", "tau_after", "break_year")})
    assert law[1] / law[0] == pytest.approx(np.exp(5 / 15)) and law[2] / law[1] == pytest.approx(np.exp(5 / 2.5))


@pytest.mark.parametrize("kwargs, match", [
    ({"query": "quantum"}, "query must be one of"),
    ({"query": "bayesian", "first_year": 2020, "last_year": 2021}, "last_year must be at least"),
])
def test_paper_counts_reject_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_paper_counts(**kwargs)


class _ADS(http.server.BaseHTTPRequestHandler):
    requests = []
    status = 200
    law = staticmethod(lambda year: 10 * (year - 2000))  # papers in a year

    def do_GET(self):  # noqa: N802
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        type(self).requests.append((query, self.headers.get("Authorization")))
        if type(self).status != 200:
            self.send_response(type(self).status)
            self.end_headers()
            return
        year = int(query["q"][0].split("year:")[1].split()[0])
        body = json.dumps({"response": {"numFound": int(type(self).law(year))}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def ads():
    _ADS.requests, _ADS.status = [], 200
    _ADS.law = staticmethod(lambda year: 10 * (year - 2000))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ADS)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def test_fetch_ads_counts_asks_one_year_at_a_time_with_the_token(ads):
    table = fetch_ads_counts("neural network", "secret", years=range(2010, 2013), api_url=ads, progressbar=False)
    assert table["year"].tolist() == [2010, 2011, 2012] and table["count"].tolist() == [100, 110, 120]
    assert table.meta["illustrative"] is False and "ADS" in table.meta["source"]
    query, auth = _ADS.requests[0]
    assert auth == "Bearer secret" and query["rows"] == ["0"]
    assert 'abs:"neural network"' in query["q"][0] and "collection:astronomy" in query["q"][0]


def test_fetch_ads_counts_reads_the_token_from_the_environment(ads, monkeypatch):
    monkeypatch.setenv("ADS_API_TOKEN", "from-env")
    fetch_ads_counts("bayesian", years=[2001], api_url=ads, progressbar=False)
    assert _ADS.requests[0][1] == "Bearer from-env"


def test_fetch_ads_counts_errors(ads, monkeypatch):
    monkeypatch.delenv("ADS_API_TOKEN", raising=False)
    monkeypatch.delenv("ADS_DEV_KEY", raising=False)
    with pytest.raises(ValueError, match="token must be your NASA ADS API token"):
        fetch_ads_counts("bayesian", years=[2001], api_url=ads)
    with pytest.raises(ValueError, match="query must be a non-empty string"):
        fetch_ads_counts(" ", "t", api_url=ads)
    _ADS.status = 401
    with pytest.raises(ValueError, match="token was refused"):
        fetch_ads_counts("bayesian", "bad", years=[2001], api_url=ads, progressbar=False)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(DataUnavailableError, match="make_paper_counts"):
        fetch_ads_counts("bayesian", "t", years=[2001], api_url=f"http://127.0.0.1:{port}/v1", progressbar=False)


# ---------------------------------------------------------------- all-sky catalogue


@pytest.fixture(scope="module")
def sky():
    return make_sky_catalog(40_000, seed=11)


def test_sky_catalog_is_deterministic_and_gaia_like(sky):
    catalog, truth = sky
    again, _ = make_sky_catalog(40_000, seed=11)
    pd.testing.assert_frame_equal(catalog, again)
    assert list(catalog.columns) == ["source_id", "ra", "dec", "parallax", "parallax_error", "pmra", "pmdec",
                                     "phot_g_mean_mag", "bp_rp"]
    assert catalog["phot_g_mean_mag"].dtype == np.float32 and catalog["ra"].dtype == np.float64
    assert catalog["source_id"].is_unique and len(catalog) == 40_000
    assert catalog["phot_g_mean_mag"].max() < 21.0 and catalog["phot_g_mean_mag"].min() > 2.9
    assert catalog["ra"].between(0, 360).all() and catalog["dec"].between(-90, 90).all()


def test_sky_catalog_positions_match_astropy_galactic_frame(sky):
    catalog, truth = sky
    icrs = SkyCoord(l=truth["l"].to_numpy() * u.deg, b=truth["b"].to_numpy() * u.deg, frame="galactic").icrs
    sep = icrs.separation(SkyCoord(catalog["ra"].to_numpy() * u.deg, catalog["dec"].to_numpy() * u.deg))
    # astropy ties its Galactic frame to FK5; the Hipparcos matrix ties it to ICRS: they differ by
    # the FK5-ICRS frame bias, about 0.02 arcsec
    assert sep.max() < 0.05 * u.arcsec


def test_sky_catalog_has_a_milky_way(sky):
    catalog, truth = sky
    in_plane = (np.abs(truth["b"]) < 10).mean()
    assert 0.5 < in_plane < 0.95  # |b| < 10 deg is 17 % of the sky
    assert set(truth["population"].cat.categories) == {"thin", "thick", "bulge", "halo"}
    # star counts rise towards faint magnitudes by 0.15-0.5 dex per magnitude (Gaia: 0.2-0.4)
    g = catalog["phot_g_mean_mag"].to_numpy()
    counts, edges = np.histogram(g, bins=np.arange(14, 19.1, 1.0))
    slope = np.polyfit(0.5 * (edges[1:] + edges[:-1]), np.log10(counts), 1)[0]
    assert 0.15 < slope < 0.5, slope
    assert 0.1 < truth["is_giant"].mean() < 0.4
    # parallax errors are honest: pulls around the true parallax have unit width
    pulls = (catalog["parallax"] - 1000.0 / truth["distance"]) / catalog["parallax_error"]
    assert abs(np.std(pulls) - 1) < 0.03 and abs(np.mean(pulls)) < 0.03


@pytest.mark.parametrize("kwargs, match", [
    ({"n_rows": 0}, "n_rows must be a positive integer"),
    ({"n_rows": 10.5}, "n_rows must be a positive integer"),
    ({"n_rows": 10, "g_limit": 40}, "g_limit must be"),
])
def test_sky_catalog_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_sky_catalog(**kwargs)


def test_write_sky_catalog_partitions_cache_and_determinism(tmp_path):
    one = write_sky_catalog(tmp_path / "a", 2500, rows_per_partition=1000, seed=5, n_jobs=1, progressbar=False)
    two = write_sky_catalog(tmp_path / "b", 2500, rows_per_partition=1000, seed=5, n_jobs=3, progressbar=False)
    files = sorted(one.glob("*.parquet"))
    assert [f.name for f in files] == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    pd.testing.assert_frame_equal(pd.read_parquet(one), pd.read_parquet(two))
    assert pd.read_parquet(files[-1])["source_id"].min() == 2001  # ids continue across partitions
    mtime = files[0].stat().st_mtime_ns
    assert write_sky_catalog(tmp_path / "a", 2500, rows_per_partition=1000, seed=5, progressbar=False) == one
    assert files[0].stat().st_mtime_ns == mtime  # reused, not rewritten
    with pytest.raises(FileExistsError, match="does not hold this data set"):
        write_sky_catalog(tmp_path / "a", 2500, rows_per_partition=1000, seed=6, progressbar=False)
    write_sky_catalog(tmp_path / "a", 1500, rows_per_partition=1000, seed=6, overwrite=True, progressbar=False)
    assert len(pd.read_parquet(one)) == 1500


def test_write_sky_catalog_rewrites_a_cache_of_an_older_model(tmp_path):
    from astrolab.datasets._sky import MODEL_VERSION

    path = write_sky_catalog(tmp_path / "sky", 1200, rows_per_partition=1000, seed=2, progressbar=False)
    fresh = pd.read_parquet(path)
    stamp = path / "_astrolab.json"
    held = json.loads(stamp.read_text())
    stamp.write_text(json.dumps({**held, "model_version": MODEL_VERSION - 1}))
    pd.read_parquet(path / "part-00000.parquet").iloc[:10].to_parquet(path / "part-00000.parquet")  # stale rows
    assert write_sky_catalog(tmp_path / "sky", 1200, rows_per_partition=1000, seed=2, progressbar=False) == path
    assert json.loads(stamp.read_text()) == held
    pd.testing.assert_frame_equal(pd.read_parquet(path), fresh)


def test_write_sky_catalog_leaves_nothing_half_written(tmp_path, monkeypatch):
    from astrolab.datasets import _sky

    calls = []

    def failing(n_rows, **kwargs):
        calls.append(n_rows)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return make_sky_catalog(n_rows, **kwargs)

    monkeypatch.setattr(_sky, "make_sky_catalog", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        write_sky_catalog(tmp_path / "sky", 3000, rows_per_partition=1000, n_jobs=1, progressbar=False)
    assert list(tmp_path.iterdir()) == []


def test_write_sky_catalog_rejects_bad_input(tmp_path):
    with pytest.raises(ValueError, match="rows_per_partition must be a positive integer"):
        write_sky_catalog(tmp_path / "x", 10, rows_per_partition=0)
    with pytest.raises(ValueError, match="n_jobs must be a positive integer"):
        write_sky_catalog(tmp_path / "x", 10, n_jobs=0)


# ---------------------------------------------------------------- survey images


def test_survey_image_is_deterministic_with_complete_truth():
    a, truth = make_survey_image((96, 128), n_stars=30, n_galaxies=5, n_cosmic_rays=4, n_hot_pixels=3, seed=9)
    b, _ = make_survey_image((96, 128), n_stars=30, n_galaxies=5, n_cosmic_rays=4, n_hot_pixels=3, seed=9)
    assert a.shape == (96, 128) and np.array_equal(a, b)
    assert len(truth["sources"]) == 35 and (truth["sources"]["kind"] == "galaxy").sum() == 5
    kinds = list(truth["artifacts"]["kind"])
    assert kinds.count("cosmic ray") == 4 and kinds.count("trail") == 1
    assert truth["sources"]["flux"].min() >= 100 and truth["sources"]["flux"].max() <= 1e5


def test_survey_image_noise_and_fluxes_follow_the_model():
    image, truth = make_survey_image((256, 256), n_stars=0, n_galaxies=0, n_cosmic_rays=0, n_hot_pixels=0,
                                     n_trails=0, sky=400.0, read_noise=3.0, seed=1)
    assert abs(image.mean() - 400) < 0.5 and abs(image.std() / truth["noise"] - 1) < 0.02
    _, truth = make_survey_image((64, 64), n_stars=4000, n_galaxies=0, flux_range=(10.0, 1e4), seed=2)
    flux = np.asarray(truth["sources"]["flux"])
    # Euclidean counts: N(>F) ~ F^-1.5 -> the fraction above 100 is (10/100)^1.5 (truncation aside)
    assert abs(np.mean(flux > 100) - (0.1**1.5 - 1e-4**1.5) / (1 - 1e-4**1.5)) < 0.01


@pytest.mark.parametrize("kwargs, match", [
    ({"shape": (10, 10)}, "shape must be a tuple of two integers >= 32"),
    ({"n_stars": -1}, "n_stars must be a non-negative integer"),
    ({"psf_fwhm": 0.1}, "psf_fwhm must be"),
    ({"flux_range": (10, 1)}, "flux_range must be"),
])
def test_survey_image_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_survey_image(**kwargs)


@pytest.mark.slow
def test_notebook_fits_real_ads_counts_with_a_token(ads, tmp_path):
    """Section 5 of notebook 01-02 (the branch taken with an ADS token) runs, against a local fake ADS
    whose counts grow exactly as 40 exp((year - 2010) / 7), and recovers tau = 7 yr."""
    import math
    import os

    import nbformat
    import offline_guard
    from nbclient import NotebookClient

    _ADS.law = staticmethod(lambda year: round(40 * math.exp((year - 2010) / 7)))
    path = Path(__file__).resolve().parents[1] / "notebooks" / "01-big-data" / "02-exponential-growth.ipynb"
    nb = nbformat.read(path, as_version=4)
    last = next(i for i, c in enumerate(nb.cells) if "fetch_ads_counts" in c.source and c.cell_type == "code")
    nb.cells = nb.cells[:last + 1]
    env = dict(os.environ, ADS_API_TOKEN="test-token", ASTROLAB_ADS_URL=ads, MPLBACKEND="agg",
               IPYTHONDIR=str(offline_guard.write_profile(tmp_path / "ipython")), PYTHONWARNINGS="ignore")
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    client.execute(env=env)
    text = "".join(o.get("text", "") for o in nb.cells[last].outputs)
    match = re.search(r'real ADS "bayesian": tau = ([0-9.]+) \+/- ([0-9.]+) yr', text)
    assert match, text
    assert abs(float(match.group(1)) - 7.0) < 0.05 and float(match.group(2)) < 0.5, text
    assert all(auth == "Bearer test-token" for _, auth in _ADS.requests)
