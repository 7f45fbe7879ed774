"""Shared test set-up: no network, no writes to the user's cache, agg backend, closed figures."""

import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("agg")

sys.path.insert(0, str(Path(__file__).parent))  # tests/ helpers such as offline_guard
import offline_guard  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED_REALDATA = REPO.parent / "shared" / "realdata"


@pytest.fixture(autouse=True, scope="session")
def _no_network():
    offline_guard.install()
    yield
    offline_guard.uninstall()


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    """Never read or write the user's cache; no mirror unless a test sets one."""
    monkeypatch.setenv("ASTROLAB_DATA", str(tmp_path_factory.mktemp("astrolab-data")))
    monkeypatch.delenv("ASTROLAB_MIRROR", raising=False)
    monkeypatch.delenv("ASTROLAB_DEVICE", raising=False)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture
def repo():
    return REPO
