"""Shared test set-up: no network, no writes to the user's cache, agg backend, closed figures,
and the book built once for the book and browser tests."""

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
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


# --- The book, built once per test run and shared by tests/test_book.py and tests/test_browser.py ---

BOOK_DIR = REPO / "_build" / "test-book"  # kept between runs: jupyter-cache re-executes only changed notebooks


@dataclass
class BookBuild:
    """Result of the test build of the Jupyter Book. ``log`` and ``returncode`` are None when the
    tests use a prebuilt book (``ASTROLAB_BOOK_HTML``)."""

    html: Path
    returncode: int | None
    log: str | None


def _build_book(out: Path, reread_all: bool = True) -> tuple[int, str]:
    """Build the book into ``out`` with -W, as ``make book`` does, but:

    - without ``MPLBACKEND=agg`` (the test runner's setting), so the kernels use the inline backend
      and the figures reach the book;
    - with kernels whose IPython profile blocks the network (tests/offline_guard.py);
    - with ``--all`` when ``reread_all`` (every page is re-read, so its warnings are reported even when
      it did not change). The caller drops it only after a build with no warning at all, when
      Sphinx's incremental build re-reads exactly the pages that changed.

    Notebooks are executed only when the shared jupyter-cache (``execute.cache``) lacks them;
    ``make test`` has filled it already (coursetools.nbcache).
    """
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["IPYTHONDIR"] = str(offline_guard.write_profile(out / "ipython-offline"))
    jb = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jb), "build", ".", "--config", "jupyter-book.yml", "--toc", "toc.yml",
         "-W", "--keep-going", *(["--all"] if reread_all else []), "--path-output", str(out)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=1800)
    return result.returncode, result.stdout + result.stderr


def book_warnings(log: str) -> list[str]:
    """The warning lines of a book build's log (a kernel's own start-up warnings do not count)."""
    return [line for line in log.splitlines() if "WARNING" in line.replace("[IPKernelApp] WARNING", "")]


@pytest.fixture(scope="session")
def built_book() -> BookBuild:
    """The book, built once per test run even with several pytest-xdist workers.

    ``make test`` keeps every book test in one xdist group; the file lock also makes a plain
    ``pytest -n auto`` safe: the first worker builds, the others wait and reuse the build of this
    run (recognised by the xdist run id). Set ``ASTROLAB_BOOK_HTML=path/to/_build/html`` to test a
    book built elsewhere (e.g. by ``make book``) without building it again.
    """
    prebuilt = os.environ.get("ASTROLAB_BOOK_HTML")
    if prebuilt:
        html = Path(prebuilt).resolve()
        if not (html / "index.html").is_file():
            raise ValueError(f"ASTROLAB_BOOK_HTML must be a built book's html folder, got {prebuilt!r}")
        return BookBuild(html, None, None)
    from filelock import FileLock

    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex
    BOOK_DIR.mkdir(parents=True, exist_ok=True)
    stamp = BOOK_DIR / "test-build.json"
    with FileLock(str(BOOK_DIR.with_suffix(".lock"))):
        previous = json.loads(stamp.read_text()) if stamp.is_file() else {}
        if previous.get("run_id") == run_id:
            returncode, log = previous["returncode"], (BOOK_DIR / "test-build.log").read_text()
        else:
            stamp.unlink(missing_ok=True)
            returncode, log = _build_book(BOOK_DIR, reread_all=not previous.get("clean", False))
            (BOOK_DIR / "test-build.log").write_text(log)
            clean = returncode == 0 and not book_warnings(log)
            stamp.write_text(json.dumps({"run_id": run_id, "returncode": returncode, "clean": clean}))
    return BookBuild(BOOK_DIR / "_build" / "html", returncode, log)
