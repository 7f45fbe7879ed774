"""The package works outside the checkout: a wheel carries the data that the loaders need."""

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """A wheel of astrolab, built offline with the build tools of the test environment."""
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "--wheel-dir", str(out), str(REPO)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (path,) = out.glob("astrolab-*.whl")
    return path


def test_wheel_ships_the_data_and_not_the_course_tools(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for table in ("eht2017_stations.ecsv", "surveys.ecsv", "hogg2010_table1.ecsv", "registry.json",
                  "snia_bayesn_w22.npz"):
        assert f"astrolab/_data/{table}" in names, f"{table} is not package data"
    assert not any(n.startswith(("coursetools/", "tests/", "notebooks/")) for n in names)


@pytest.mark.slow
def test_wheel_installed_in_a_fresh_venv_finds_its_data(wheel, tmp_path):
    """Install the wheel alone (no network, --no-deps) into a new venv whose dependencies come from
    the test environment's site-packages (appended by a .pth file, after the venv's own), and call
    loaders that read shipped data, from a folder outside the checkout."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target", str(site), str(wheel)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (site / "zz-test-environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    code = ("import astrolab, astrolab.datasets as d; "
            "print(astrolab.__file__); print(len(d.load_eht_stations())); print(len(d.load_survey_facts())); "
            "print(len(d.load_hogg2010()))")
    run = subprocess.run([str(python), "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    where, n_stations, n_surveys, n_hogg = run.stdout.split()
    assert Path(where).is_relative_to(site), f"astrolab was imported from {where}, not from the wheel"
    assert int(n_stations) >= 8 and int(n_surveys) >= 5 and int(n_hogg) == 20
