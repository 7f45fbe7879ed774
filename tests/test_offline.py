"""Nothing touches the network: the guard works, and the notebooks run with sockets blocked."""

import os
import shutil
import socket
from pathlib import Path

import nbformat
import offline_guard
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from astrolab.course import strip_solutions

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*/*.ipynb"))


def test_unit_tests_run_offline():
    with pytest.raises(OSError, match="blocked"):
        socket.create_connection(("198.51.100.7", 80), timeout=1)
    with pytest.raises(OSError, match="blocked"):
        socket.getaddrinfo("example.org", 443)


def test_loopback_still_works():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=1)
    client.close()
    server.close()


@pytest.fixture(scope="module")
def offline_ipython(tmp_path_factory):
    """An IPYTHONDIR whose startup file installs the guard, as `make test-notebooks` uses."""
    root = tmp_path_factory.mktemp("ipython")
    startup = root / "profile_default" / "startup"
    startup.mkdir(parents=True)
    shutil.copy(offline_guard.__file__, startup / "00-block-network.py")
    return root


def _run(nb, cwd, ipythondir, mirror=None):
    env = dict(os.environ, IPYTHONDIR=str(ipythondir), MPLBACKEND="agg",
               PYTHONWARNINGS="ignore")  # the kernel's own warnings are not the test's subject
    env.pop("ASTROLAB_MIRROR", None)
    if mirror:
        env["ASTROLAB_MIRROR"] = str(mirror)
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}})
    client.execute(env=env)
    return nb


@pytest.mark.slow
def test_kernel_guard_blocks_the_internet(offline_ipython, tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import socket\nsocket.create_connection(('198.51.100.7', 80), timeout=2)")])
    with pytest.raises(CellExecutionError, match="network access is blocked"):
        _run(nb, tmp_path, offline_ipython)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_student_edition_runs_offline_without_mirror(path, offline_ipython):
    """The student edition (no solutions) runs top to bottom with sockets blocked and no local
    copy of the real data: loaders fall back to the mock and every self-check passes."""
    nb = strip_solutions(nbformat.read(path, as_version=4))
    _run(nb, path.parent, offline_ipython)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    if "real_or_mock" in "".join(c.source for c in nb.cells):
        assert "Using the mock data set instead" in text
    if "{exercise-start}" in "".join(c.source for c in nb.cells):
        assert "Not answered yet" in text
