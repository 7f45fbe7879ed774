"""Nothing touches the network: the guard works, and the notebooks run with sockets blocked."""

import os
import socket

import nbformat
import offline_guard
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


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
    return offline_guard.write_profile(tmp_path_factory.mktemp("ipython"))


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


# The student edition of every notebook runs offline, without the mirror, under `make test`: see
# coursetools/nbcache.py (StudentEditionItem), which runs it once, on the notebook's own worker.
