"""Real light-curve loaders: Stripe 82 RR Lyrae and ZTF BTS SNe Ia (manifest of SHA-256, mirror, pooch)."""

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from loopback import serve

from astrolab.datasets import DataUnavailableError, fetch_rrlyrae_s82, fetch_ztf_bts_snia
from astrolab.datasets import _real_lightcurves as rl

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
needs_rrlyrae = pytest.mark.skipif(not (REALDATA / "rrlyrae-s82-dev").is_dir(),
                                   reason="shared real data (Stripe 82 RR Lyrae) not present")
needs_ztf = pytest.mark.skipif(not (REALDATA / "ztf-bts-snia-dev").is_dir(),
                               reason="shared real data (ZTF BTS SNe Ia) not present")


@pytest.fixture(scope="module")
def rrlyrae(tmp_path_factory):
    return fetch_rrlyrae_s82(mirror=REALDATA, data_home=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def ztf(tmp_path_factory):
    return fetch_ztf_bts_snia(mirror=REALDATA, data_home=tmp_path_factory.mktemp("cache"))


@pytest.fixture
def no_download(monkeypatch):
    """Fail loudly if a loader reaches for pooch (the mirror must be enough)."""
    import pooch

    def refuse(*args, **kwargs):
        raise AssertionError(f"pooch.retrieve was called: {args}")

    monkeypatch.setattr(pooch, "retrieve", refuse)


# --- the shipped manifest ---------------------------------------------------------------------------


def test_manifest_lists_both_samples():
    for sample, n in (("rrlyrae-s82", 242), ("ztf-bts-snia", 1145)):
        entry = rl._manifest(sample)
        assert len(entry["light_curves"]) == n
        assert entry["base_url"].startswith("https://raw.githubusercontent.com/light-curve/test-data/3c8d987")
        assert all(len(d) == 64 and int(d, 16) >= 0 for d in entry["light_curves"].values())
        assert entry["mock"] in ("astrolab.datasets.make_lightcurves()", "astrolab.datasets.make_transients()")


@pytest.mark.parametrize("fetch", [fetch_rrlyrae_s82, fetch_ztf_bts_snia])
@pytest.mark.parametrize("arg", ["mirror", "data_home"])
def test_arguments_are_checked(fetch, arg):
    with pytest.raises(TypeError, match=arg):
        fetch(**{arg: 3})


# --- offline: one sentence naming the mock ------------------------------------------------------------


@pytest.mark.parametrize("fetch, mock", [(fetch_rrlyrae_s82, "astrolab.datasets.make_lightcurves()"),
                                         (fetch_ztf_bts_snia, "astrolab.datasets.make_transients()")])
def test_offline_names_the_mock(fetch, mock, tmp_path):
    with pytest.raises(DataUnavailableError) as info:
        fetch(data_home=tmp_path / "cache")  # the tests block the network; no mirror is set
    message = str(info.value)
    assert mock in message and "ASTROLAB_MIRROR" in message and "are you offline" in message
    assert "\n" not in message and message.endswith(".")
    assert info.value.__suppress_context__
    assert not any(p.is_file() for p in (tmp_path / "cache").rglob("*"))


# --- downloads, on a small fake sample served over loopback --------------------------------------------


def _lc(rows):
    return ("time,mag,magerr,band\n" + "".join(f"{t},{m},{e},{b}\n" for t, m, e, b in rows)).encode()


_FILES = {
    "light-curves/7.csv": _lc([(51000.5, 17.1, 0.01, "g"), (51000.6, 17.0, 0.01, "r")]),
    "light-curves/12.csv": _lc([(51001.5, 16.0, 0.02, "u"), (51000.2, 16.1, 0.02, "z"), (51003.0, 16.2, 0.02, "i"),
                                (51003.1, 99.98, 99.999, "u")]),  # a placeholder of a failed measurement
    # the published index: a header and one star more than the sample
    "periods.csv": b"Num,Type,Per\n7,ab,0.55\n12,c,0.31\n99,ab,0.61\n",
}


@pytest.fixture
def fake_sample(tmp_path, monkeypatch):
    """Serve a 2-star RR Lyrae sample on 127.0.0.1 and point the manifest at it."""
    root = tmp_path / "www"
    for name, data in _FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    _, rows_sha = rl._canonical_rows("7,ab,0.55\r\n12,c,0.31\r\n", "Num,Type,Per", ["7", "12"])
    with serve(root) as (base, hits):
        entry = {
            "base_url": base, "mirror_folder": "rrlyrae-s82-dev",
            "index": "periods.csv", "index_rows_sha256": rows_sha, "mock": "astrolab.datasets.make_lightcurves()",
            "citation": "test", "light_curves": {k: hashlib.sha256(_FILES[f"light-curves/{k}.csv"]).hexdigest()
                                                 for k in ("7", "12")},
        }
        monkeypatch.setattr(rl, "_manifest", lambda sample: entry)
        yield root, hits


def test_download_is_checked_cached_and_read(fake_sample, tmp_path):
    root, hits = fake_sample
    data = fetch_rrlyrae_s82(data_home=tmp_path / "cache")
    assert sorted(hits) == ["/light-curves/12.csv", "/light-curves/7.csv", "/periods.csv"]
    lc = data.lightcurves
    assert list(lc.columns) == ["id", "time", "mag", "mag_err", "band"]
    assert lc["id"].tolist() == [7, 7, 12, 12, 12]
    assert lc["time"].tolist() == [51000.5, 51000.6, 51000.2, 51001.5, 51003.0]  # sorted by id, then time
    assert data.meta["n_dropped_placeholders"] == 1
    assert data.periods.to_dict("list") == {"id": [7, 12], "type": ["ab", "c"], "period": [0.55, 0.31]}
    again = fetch_rrlyrae_s82(data_home=tmp_path / "cache")  # from the cache: no new request
    assert len(hits) == 3
    pd.testing.assert_frame_equal(again.lightcurves, lc)


def test_a_tampered_download_is_refused(fake_sample, tmp_path):
    root, _ = fake_sample
    (root / "light-curves" / "12.csv").write_bytes(_FILES["light-curves/12.csv"].replace(b"16.1", b"16.9"))
    with pytest.raises(ValueError, match="SHA-256"):
        fetch_rrlyrae_s82(data_home=tmp_path / "cache")
    assert not (tmp_path / "cache" / "rrlyrae-s82-dev" / "light-curves" / "12.csv").exists()


def test_a_wrong_published_period_is_refused(fake_sample, tmp_path):
    root, _ = fake_sample
    (root / "periods.csv").write_bytes(_FILES["periods.csv"].replace(b"0.31", b"0.32"))
    with pytest.raises(ValueError, match="SHA-256 .* not the registered index"):
        fetch_rrlyrae_s82(data_home=tmp_path / "cache")
    assert not (tmp_path / "cache" / "rrlyrae-s82-dev" / "periods.csv").exists()  # the bad copy is not kept


def test_an_index_missing_a_star_is_refused(fake_sample, tmp_path):
    root, _ = fake_sample
    (root / "periods.csv").write_bytes(b"Num,Type,Per\n7,ab,0.55\n")
    with pytest.raises(ValueError, match="lacks 1 objects"):
        fetch_rrlyrae_s82(data_home=tmp_path / "cache")


# --- the real samples, from the shared mirror -------------------------------------------------------------


@needs_rrlyrae
def test_rrlyrae_counts_columns_and_bands(rrlyrae):
    lc, periods = rrlyrae.lightcurves, rrlyrae.periods
    assert list(lc.columns) == ["id", "time", "mag", "mag_err", "band"]
    assert lc["id"].dtype == np.int64 and pd.api.types.is_string_dtype(lc["band"])
    assert all(lc[c].dtype == np.float64 for c in ("time", "mag", "mag_err"))
    assert lc["id"].nunique() == len(periods) == 242 == rrlyrae.meta["n_objects"]
    assert set(lc["band"]) == set("ugriz")
    assert set(lc["id"]) == set(periods["id"])
    assert periods["id"].is_monotonic_increasing
    assert (lc.groupby("id")["time"].apply(lambda t: t.is_monotonic_increasing)).all()
    assert 50900 < lc["time"].min() < lc["time"].max() < 54500  # MJD, SDSS 1998-2007
    assert (lc["mag_err"] > 0).all() and lc["mag"].between(10, 30).all()  # placeholders (mag 100) dropped
    assert rrlyrae.meta["n_dropped_placeholders"] == 39
    assert set(periods["type"]) == {"ab", "c"}
    assert periods["period"].between(0.2, 1.0).all()
    assert periods.loc[periods["type"] == "c", "period"].max() < periods.loc[periods["type"] == "ab", "period"].max()


@needs_ztf
def test_ztf_counts_columns_and_bands(ztf):
    lc, cat = ztf.lightcurves, ztf.catalog
    assert list(lc.columns) == ["id", "time", "mag", "mag_err", "band"]
    assert pd.api.types.is_string_dtype(lc["id"]) and pd.api.types.is_string_dtype(lc["band"])
    assert lc["id"].nunique() == len(cat) == 1145 == ztf.meta["n_objects"]
    assert set(lc["band"]) == {"g", "r"}  # "R" written "r", the one i-band point dropped
    assert ztf.meta["n_band_R_renamed"] > 10000 and ztf.meta["n_dropped_other_bands"] == 1
    assert set(cat["id"]) == set(lc["id"]) and cat["id"].is_monotonic_increasing
    assert cat["type"].str.startswith("SN I").all()
    assert cat["redshift"].max() < 0.2 and cat["redshift"].isna().sum() <= 1
    assert cat["ra"].between(0, 360).all() and cat["dec"].between(-90, 90).all()
    assert cat["duration_is_lower_limit"].dtype == bool and cat["duration_is_lower_limit"].any()
    # BTS's peak time (JD - 2458000) converted to MJD falls on the brightest detection for most objects
    brightest = lc.loc[lc.groupby("id")["mag"].idxmin()].set_index("id")["time"]
    offset = brightest - cat.set_index("id")["peak_mjd"]
    assert np.median(np.abs(offset)) < 1.0


@needs_rrlyrae
def test_the_mirror_is_enough(no_download, tmp_path):
    data = fetch_rrlyrae_s82(mirror=REALDATA, data_home=tmp_path / "cache")
    assert len(data.periods) == 242
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").rglob("*.csv"))


@needs_rrlyrae
def test_the_mirror_is_read_from_the_environment(no_download, monkeypatch, rrlyrae):
    monkeypatch.setenv("ASTROLAB_MIRROR", str(REALDATA))
    again = fetch_rrlyrae_s82()
    pd.testing.assert_frame_equal(again.lightcurves, rrlyrae.lightcurves)  # deterministic
    pd.testing.assert_frame_equal(again.periods, rrlyrae.periods)


@needs_rrlyrae
def test_a_tampered_mirror_file_is_refused(no_download, tmp_path):
    mirror = tmp_path / "mirror"
    shutil.copytree(REALDATA / "rrlyrae-s82-dev", mirror / "rrlyrae-s82-dev")
    victim = sorted((mirror / "rrlyrae-s82-dev" / "light-curves").glob("*.csv"))[5]
    victim.chmod(0o644)
    victim.write_bytes(victim.read_bytes().replace(b",r\n", b",g\n", 1))
    with pytest.raises(ValueError, match=f"{victim.name}.*SHA-256.*not the registered file"):
        fetch_rrlyrae_s82(mirror=mirror, data_home=tmp_path / "cache")


@needs_ztf
def test_a_tampered_mirror_index_is_refused(no_download, tmp_path):
    mirror = tmp_path / "mirror"
    shutil.copytree(REALDATA / "ztf-bts-snia-dev", mirror / "ztf-bts-snia-dev")
    index = mirror / "ztf-bts-snia-dev" / "bts.csv"
    index.chmod(0o644)
    index.write_bytes(index.read_bytes().replace(b",0.062,", b",0.063,", 1))
    with pytest.raises(ValueError, match="not the registered index"):
        fetch_ztf_bts_snia(mirror=mirror, data_home=tmp_path / "cache")
    assert index.is_file()  # a mirror is never modified
