"""The project's own files install and run what the course needs."""

import re
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")

CONDA_NAMES = {"pytorch": "torch"}  # conda-forge name -> PyPI name


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ ;\[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject():
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_environment_yml_lists_the_same_packages_as_pyproject():
    project = _pyproject()
    wanted = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        wanted |= {_name(r) for r in extra if not r.startswith("astrolab")}
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    conda, pip = set(), []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip += dep["pip"]
        else:
            conda.add(CONDA_NAMES.get(_name(dep), _name(dep)))
    conda -= {"python", "pip"}
    conda |= {_name(p) for p in pip if not p.startswith("-e")}  # PyPI-only packages go under pip:
    assert conda == wanted, (f"only in environment.yml: {sorted(conda - wanted)}; "
                             f"only in pyproject.toml: {sorted(wanted - conda)}")
    assert "-e ." in pip, "environment.yml must install astrolab itself (pip: -e .)"


def test_jupyter_book_is_version_1_everywhere():
    book = _pyproject()["optional-dependencies"]["book"]
    assert "jupyter-book<2" in book
    env = (REPO / "environment.yml").read_text(encoding="utf-8")
    assert "jupyter-book<2" in env


def test_constraints_pin_the_cpu_torch_and_every_dependency():
    lines = [ln for ln in (REPO / "constraints.txt").read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert "torch==2.13.0" in lines
    pinned = {_name(ln) for ln in lines}
    project = _pyproject()
    needed = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        needed |= {_name(r) for r in extra if not r.startswith("astrolab")}
    assert needed <= pinned, f"not pinned in constraints.txt: {sorted(needed - pinned)}"
    assert all("==" in ln for ln in lines)


def test_ci_runs_make_test():
    # CI does what a newcomer does (`make test`); the only extra is installing Debian's chromium for
    # the browser tests, which must then run (ASTROLAB_REQUIRE_BROWSER=1) rather than skip.
    script = (REPO / ".ci" / "run").read_text()
    commands = [ln.strip() for ln in script.splitlines() if ln.strip() and not ln.startswith("#")]
    assert commands[0] == "set -euo pipefail" and commands[-1] == "make test"
    assert "export ASTROLAB_REQUIRE_BROWSER=1" in commands
    extra = [c for c in commands[1:-1] if c != "export ASTROLAB_REQUIRE_BROWSER=1"]
    assert all("make" not in c.split() for c in extra), extra  # no other build or test step
    assert any("apt-get install" in c and "chromium" in c for c in extra), extra


def test_makefile_targets_and_constraints():
    makefile = (REPO / "Makefile").read_text()
    for target in ("lab", "test", "book", "student", "bench", "clean"):
        assert re.search(rf"^{target}:", makefile, re.M), f"Makefile lacks target {target}"
    assert "-c constraints.txt" in makefile
    assert "--nbval-lax" in makefile and "-n auto" in makefile
    assert "jupyter-book build . --config jupyter-book.yml --toc toc.yml -W --keep-going" in makefile


def test_readme_gives_the_two_commands_first():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first_block = readme[readme.index("```"):]
    first_block = first_block[: first_block.index("```", 3)]
    assert "make lab" in first_block and "make test" in first_block
    assert "BSD-3-Clause" in readme and "CC-BY-4.0" in readme
    for chapter in range(1, 8):
        assert f"{chapter}." in readme


def test_licenses_present():
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "BSD 3-Clause" in text or "BSD-3-Clause" in text
    assert "CC-BY-4.0" in text or "Creative Commons Attribution 4.0" in text


def test_shipped_data_have_provenance():
    data = REPO / "data"
    provenance = (data / "PROVENANCE.md").read_text(encoding="utf-8")
    for path in sorted(data.glob("*")):
        if path.name != "PROVENANCE.md":
            assert path.name in provenance, f"{path.name} has no entry in data/PROVENANCE.md"


def test_code_is_lint_clean():
    import shutil
    import subprocess

    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (it comes with `make`, via the dev extra)")
    result = subprocess.run([ruff, "check", "--output-format", "concise", "astrolab", "tests",
                             "benchmarks"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
