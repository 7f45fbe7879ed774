"""Real SDSS colours and spectroscopic redshifts: the loader (manifest SHA-256, mirror, pooch download)."""

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from loopback import serve

import astrolab.datasets
from astrolab.datasets import DataUnavailableError, RemoteFile, fetch_sdss_colours
from astrolab.datasets import _sdss_colours as sc

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
FOLDER = "sdss-colours-redshift-and-gz-morphology"
needs_sdss = pytest.mark.skipif(not (REALDATA / FOLDER / "sdss_galaxy_colors.npy").is_file(),
                                reason="shared real data (SDSS colours and redshifts) not present")

_DTYPE = [("u", "<f8"), ("g", "<f8"), ("r", "<f8"), ("i", "<f8"), ("z", "<f8"), ("spec_class", "S6"),
          ("redshift", "<f8"), ("redshift_err", "<f8")]


@pytest.fixture
def no_download(monkeypatch):
    """Fail loudly if the loader reaches for pooch (the mirror must be enough)."""
    import pooch

    def refuse(*args, **kwargs):
        raise AssertionError(f"pooch.retrieve was called: {args}")

    monkeypatch.setattr(pooch, "retrieve", refuse)


# --- the shipped manifest and the arguments ------------------------------------------------------------


def test_manifest_entry():
    entry = sc._registry()["sdss-galaxy-colours"]
    assert entry.url.startswith("https://raw.githubusercontent.com/Cp557/AstroML-Galaxy-Analysis/b2e3ac75a1c059b")
    assert entry.url.endswith("/sdss_galaxy_colors.npy") and entry.filename == "sdss_galaxy_colors.npy"
    assert entry.mirror_path == f"{FOLDER}/sdss_galaxy_colors.npy"
    assert entry.mock == "astrolab.datasets.make_photoz_catalog()"
    assert callable(astrolab.datasets.make_photoz_catalog)  # the mock named offline exists


@pytest.mark.parametrize("arg", ["mirror", "data_home"])
def test_paths_are_checked(arg):
    with pytest.raises(TypeError, match=arg):
        fetch_sdss_colours(**{arg: 3})


@pytest.mark.parametrize("value", ["STAR", "galaxy", 1, ["GALAXY"]])
def test_spec_class_is_checked(value):
    with pytest.raises(ValueError, match="spec_class"):
        fetch_sdss_colours(spec_class=value)


# --- offline: one sentence naming the mock ------------------------------------------------------------


def test_offline_names_the_mock(tmp_path):
    with pytest.raises(DataUnavailableError) as info:
        fetch_sdss_colours(data_home=tmp_path / "cache")  # the tests block the network; no mirror is set
    message = str(info.value)
    assert "astrolab.datasets.make_photoz_catalog()" in message and "ASTROLAB_MIRROR" in message
    assert f"{FOLDER}/sdss_galaxy_colors.npy" in message and "are you offline" in message
    assert "\n" not in message and message.endswith(".")
    assert info.value.__suppress_context__


# --- downloads, of a small fake file served over loopback ------------------------------------------------


def _npy(rows, dtype=_DTYPE) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, np.array(rows, dtype=dtype), allow_pickle=False)
    return buffer.getvalue()


_ROWS = [(19.8, 19.5, 19.4, 19.2, 19.1, b"QSO", 0.54, 6e-5), (19.9, 18.7, 17.8, 17.4, 17.1, b"GALAXY", 0.16, 1e-5),
         (19.9, 18.3, 17.5, 17.1, 16.8, b"GALAXY", 0.04, 2e-5)]


@pytest.fixture
def fake_file(tmp_path, monkeypatch):
    """Serve a 3-object file on 127.0.0.1 and point the manifest at it; yields a writer to change the file."""
    root = tmp_path / "www"
    root.mkdir()
    data = _npy(_ROWS)
    (root / "sdss_galaxy_colors.npy").write_bytes(data)

    def use(content: bytes, registered: bytes = data):
        (root / "sdss_galaxy_colors.npy").write_bytes(content)
        entry = RemoteFile(name="sdss-galaxy-colours", url=f"{base}/sdss_galaxy_colors.npy",
                           sha256=hashlib.sha256(registered).hexdigest(), filename="sdss_galaxy_colors.npy",
                           mirror_path=f"{FOLDER}/sdss_galaxy_colors.npy",
                           mock="astrolab.datasets.make_photoz_catalog()", citation="test")
        monkeypatch.setattr(sc, "_registry", lambda: {"sdss-galaxy-colours": entry})

    with serve(root) as (base, hits):
        use(data)
        yield use, hits


def test_download_is_checked_cached_and_read(fake_file, tmp_path):
    _, hits = fake_file
    data = fetch_sdss_colours(data_home=tmp_path / "cache")
    assert hits == ["/sdss_galaxy_colors.npy"]
    cat = data.catalog
    assert list(cat.columns) == ["u", "g", "r", "i", "z", "spec_class", "redshift", "redshift_err"]
    assert pd.api.types.is_string_dtype(cat["spec_class"]) and cat["spec_class"].tolist() == ["QSO", "GALAXY", "GALAXY"]
    assert cat["redshift"].tolist() == [0.54, 0.16, 0.04] and cat["u"].dtype == np.float64
    assert data.meta["n_objects"] == 3 and data.meta["mock"] == "astrolab.datasets.make_photoz_catalog()"
    galaxies = fetch_sdss_colours(spec_class="GALAXY", data_home=tmp_path / "cache")  # from the cache
    assert len(hits) == 1
    assert galaxies.catalog.index.tolist() == [0, 1] and galaxies.meta["spec_class"] == "GALAXY"
    pd.testing.assert_frame_equal(galaxies.catalog, cat.iloc[1:].reset_index(drop=True))
    assert fetch_sdss_colours(spec_class="QSO", data_home=tmp_path / "cache").catalog["redshift"].tolist() == [0.54]


def test_a_tampered_download_is_refused(fake_file, tmp_path):
    use, _ = fake_file
    use(_npy([(*_ROWS[0][:6], 0.55, 6e-5), *_ROWS[1:]]), registered=_npy(_ROWS))
    with pytest.raises(ValueError, match="SHA-256"):
        fetch_sdss_colours(data_home=tmp_path / "cache")
    assert not (tmp_path / "cache" / "sdss_galaxy_colors.npy").exists()


def test_a_file_with_other_fields_is_refused(fake_file, tmp_path):
    use, _ = fake_file
    other = _npy([row[:5] for row in _ROWS], dtype=_DTYPE[:5])
    use(other, registered=other)  # registered, but not the catalogue's layout
    with pytest.raises(ValueError, match="should hold the fields"):
        fetch_sdss_colours(data_home=tmp_path / "cache")


def test_an_unknown_class_is_refused(fake_file, tmp_path):
    use, _ = fake_file
    odd = _npy([*_ROWS, (18.0, 17.0, 16.5, 16.3, 16.2, b"STAR", 0.0, 1e-5)])
    use(odd, registered=odd)
    with pytest.raises(ValueError, match="STAR"):
        fetch_sdss_colours(data_home=tmp_path / "cache")


# --- the real file, from the shared mirror ------------------------------------------------------------------


@needs_sdss
def test_the_mirror_counts_and_columns(no_download, tmp_path):
    data = fetch_sdss_colours(mirror=REALDATA, data_home=tmp_path / "cache")
    cat = data.catalog
    assert len(cat) == 50000 == data.meta["n_objects"]
    assert cat["spec_class"].value_counts().to_dict() == {"GALAXY": 41475, "QSO": 8525}
    assert all(cat[c].dtype == np.float64 for c in ("u", "g", "r", "i", "z", "redshift", "redshift_err"))
    galaxies = cat[cat["spec_class"] == "GALAXY"]
    assert 0.05 < galaxies["redshift"].median() < 0.15 and galaxies["redshift"].max() < 1.0
    assert cat.loc[cat["spec_class"] == "QSO", "redshift"].median() > 0.5
    assert cat[["u", "g", "r", "i", "z"]].median().between(14, 22).all()
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").rglob("*.npy"))


@needs_sdss
def test_the_mirror_is_read_from_the_environment(no_download, monkeypatch):
    monkeypatch.setenv("ASTROLAB_MIRROR", str(REALDATA))
    data = fetch_sdss_colours(spec_class="QSO")
    assert len(data.catalog) == 8525 and set(data.catalog["spec_class"]) == {"QSO"}


@needs_sdss
def test_a_tampered_mirror_file_is_refused(no_download, tmp_path):
    mirror = tmp_path / "mirror" / FOLDER
    mirror.mkdir(parents=True)
    shutil.copy(REALDATA / FOLDER / "sdss_galaxy_colors.npy", mirror)
    victim = mirror / "sdss_galaxy_colors.npy"
    victim.chmod(0o644)
    raw = bytearray(victim.read_bytes())
    raw[-1] ^= 1
    victim.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="SHA-256.*not the registered file"):
        fetch_sdss_colours(mirror=tmp_path / "mirror", data_home=tmp_path / "cache")
