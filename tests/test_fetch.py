"""Downloads: SHA-256 checked, cached, atomic, mirror-aware, and a clear message offline."""

import hashlib
import socket
from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
from loopback import serve

from astrolab.datasets import (
    DataUnavailableError,
    RemoteFile,
    fetch_calspec_astar,
    fetch_file,
    load_registry,
)

SHARED_REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
PAYLOAD = b"# x y\n1 2\n3 4\n" * 50


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    (root / "table.txt").write_bytes(PAYLOAD)
    with serve(root) as (base, hits):
        yield base, hits


PAYLOAD_SHA256 = hashlib.sha256(PAYLOAD).hexdigest()


def _entry(url, sha=PAYLOAD_SHA256):
    return {"table": RemoteFile(name="table", url=url, sha256=sha, filename="table.txt",
                                mirror_path="tables/table.txt", mock="astrolab.datasets.make_x()")}


def test_download_is_verified_and_cached(server, tmp_path):
    base, hits = server
    registry = _entry(f"{base}/table.txt")
    path = fetch_file("table", registry=registry, data_home=tmp_path / "cache")
    assert path.read_bytes() == PAYLOAD
    again = fetch_file("table", registry=registry, data_home=tmp_path / "cache")
    assert again == path and hits == ["/table.txt"]  # the second call did not download


def test_wrong_checksum_leaves_no_file(server, tmp_path):
    base, _ = server
    cache = tmp_path / "cache"
    with pytest.raises(ValueError, match="does not match its registered SHA-256"):
        fetch_file("table", registry=_entry(f"{base}/table.txt", sha="0" * 64), data_home=cache)
    assert sorted(p.name for p in cache.iterdir()) == []


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_offline_gives_one_sentence_naming_the_mock(tmp_path):
    registry = _entry(f"http://127.0.0.1:{_closed_port()}/table.txt")
    with pytest.raises(DataUnavailableError) as info:
        fetch_file("table", registry=registry, data_home=tmp_path / "cache")
    message = str(info.value)
    assert "astrolab.datasets.make_x()" in message and "ASTROLAB_MIRROR" in message
    assert "\n" not in message and message.endswith(".")
    assert info.value.__suppress_context__  # no chained traceback from the network library
    assert not any((tmp_path / "cache").iterdir())


def test_blocked_network_is_offline_too(tmp_path):
    registry = _entry("https://data.example.org/table.txt")
    with pytest.raises(DataUnavailableError, match="are you offline"):
        fetch_file("table", registry=registry, data_home=tmp_path / "cache")


def test_http_error_is_not_called_offline(server, tmp_path):
    base, _ = server
    with pytest.raises(DataUnavailableError, match="HTTP error 404") as info:
        fetch_file("table", registry=_entry(f"{base}/missing.txt"), data_home=tmp_path / "cache")
    assert "offline" not in str(info.value) and "make_x()" in str(info.value)


def test_uppercase_digest_matches_the_mirror(tmp_path):
    mirror = tmp_path / "mirror"
    (mirror / "tables").mkdir(parents=True)
    (mirror / "tables" / "table.txt").write_bytes(PAYLOAD)
    registry = _entry(f"http://127.0.0.1:{_closed_port()}/table.txt", sha=PAYLOAD_SHA256.upper())
    assert registry["table"].sha256 == PAYLOAD_SHA256
    assert fetch_file("table", registry=registry, mirror=mirror) == mirror / "tables" / "table.txt"


def test_mirror_is_used_without_network(tmp_path):
    mirror = tmp_path / "mirror"
    (mirror / "tables").mkdir(parents=True)
    (mirror / "tables" / "table.txt").write_bytes(PAYLOAD)
    registry = _entry(f"http://127.0.0.1:{_closed_port()}/table.txt")
    assert fetch_file("table", registry=registry, mirror=mirror) == mirror / "tables" / "table.txt"


def test_mirror_with_wrong_contents_is_refused(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    (mirror / "tables").mkdir(parents=True)
    (mirror / "tables" / "table.txt").write_bytes(PAYLOAD + b"tampered")
    monkeypatch.setenv("ASTROLAB_MIRROR", str(mirror))
    with pytest.raises(ValueError, match="not the registered file"):
        fetch_file("table", registry=_entry("http://127.0.0.1:9/table.txt"))


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"name must be one of \['calspec-1732526'"):
        fetch_file("hubble-ultra-deep")


@pytest.mark.parametrize("field, value, match", [
    ("sha256", "abc", "64 hexadecimal"),
    ("sha256", "g" * 64, "64 hexadecimal"),
    ("filename", "../evil.txt", "bare file name"),
])
def test_registry_entries_are_validated(field, value, match):
    fields = {"name": "x", "url": "https://example.org/x", "sha256": "a" * 64,
              "filename": "x.txt", "mirror_path": "x/x.txt", "mock": "m()"}
    fields[field] = value
    with pytest.raises(ValueError, match=match):
        RemoteFile(**fields)


def test_shipped_registry_is_valid():
    registry = load_registry()
    assert registry, "the registry is empty"
    for entry in registry.values():
        assert entry.url.startswith("https://")
        assert entry.mock.startswith("astrolab.datasets.make_")
        module, func = entry.mock.rsplit(".", 1)
        import importlib

        assert callable(getattr(importlib.import_module(module), func.rstrip("()")))


@pytest.mark.skipif(not (SHARED_REALDATA / "calspec-1732526-spectrum").is_dir(),
                    reason="no local mirror of the real data")
def test_fetch_calspec_from_the_mirror():
    spectrum = fetch_calspec_astar(mirror=SHARED_REALDATA)
    assert len(spectrum) == 1274
    assert spectrum["wavelength"].unit == u.AA
    assert spectrum["flux"].unit == u.erg / u.s / u.cm**2 / u.AA
    f5556 = np.interp(5556, spectrum["wavelength"].value, spectrum["flux"].value)
    assert f5556 == pytest.approx(3.5e-14, rel=0.1)


def test_fetch_calspec_offline_names_the_mock():
    with pytest.raises(DataUnavailableError, match="make_blackbody_spectrum"):
        fetch_calspec_astar()
