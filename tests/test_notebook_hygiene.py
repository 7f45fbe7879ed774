"""Notebooks are committed clean, listed in the book, and each checks its own science."""

import json
from pathlib import Path

import nbformat
import pytest

from coursetools.course import is_directive_cell, strip_solutions, toc_files, toc_notebooks

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").rglob("*.ipynb"))
NOTEBOOKS = [p for p in NOTEBOOKS if ".ipynb_checkpoints" not in p.parts]
IDS = [str(p.relative_to(REPO / "notebooks")) for p in NOTEBOOKS]
ALLOWED_TAGS = {"remove-cell", "remove-input", "remove-output", "hide-input", "hide-output",
                "hide-cell", "solution", "widget", "raises-exception", "nbval-skip"}


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 2


@pytest.fixture(params=NOTEBOOKS, ids=IDS)
def notebook(request):
    return request.param, nbformat.read(request.param, as_version=4)


def test_valid_nbformat(notebook):
    path, nb = notebook
    nbformat.validate(nb)


def test_no_outputs_or_execution_counts(notebook):
    path, nb = notebook
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs or execution counts; clear them"


def test_minimal_metadata_and_python3_kernel(notebook):
    path, nb = notebook
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    extra = set(nb.metadata) - {"kernelspec", "language_info"}
    assert not extra, f"{path.name}: unexpected notebook metadata {sorted(extra)}"
    for cell in nb.cells:
        assert set(cell.metadata) <= {"tags", "slideshow", "editable", "deletable", "mystnb"}, (
            f"{path.name}: cell {cell.id} has metadata {sorted(cell.metadata)}")


def test_known_tags_only(notebook):
    path, nb = notebook
    for cell in nb.cells:
        unknown = set(cell.metadata.get("tags", [])) - ALLOWED_TAGS
        assert not unknown, f"{path.name}: unknown tags {unknown}"


def test_has_a_hidden_self_check(notebook):
    path, nb = notebook
    checks = [c for c in nb.cells if c.cell_type == "code"
              and "remove-cell" in c.metadata.get("tags", []) and "assert" in c.source]
    assert checks, f"{path.name}: needs a code cell tagged remove-cell that asserts the results"


def test_anatomy(notebook):
    """Title first, `import astrolab as al` and a seeded generator near the top."""
    path, nb = notebook
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert "You will learn" in nb.cells[0].source
    first_code = next(c for c in nb.cells if c.cell_type == "code").source
    assert "import astrolab as al" in first_code
    assert "np.random.default_rng(" in first_code
    sources = "\n".join(c.source for c in nb.cells)
    assert "np.random.seed(" not in sources, "use the notebook's rng, not global seeding"
    assert "sys.path" not in sources, "no sys.path hacks: astrolab is installed"
    assert "Further reading" in sources


def test_solution_cells_are_gated(notebook):
    """Every solution cell sits inside a {solution-start} ... {solution-end} block."""
    path, nb = notebook
    inside = False
    for cell in nb.cells:
        if is_directive_cell(cell, "solution-start"):
            inside = True
        if "solution" in cell.metadata.get("tags", []):
            assert inside, f"{path.name}: solution cell {cell.id} outside a solution block"
        if is_directive_cell(cell, "solution-end"):
            inside = False
    stripped = strip_solutions(nb)
    assert not any("solution" in c.metadata.get("tags", []) for c in stripped.cells)


def test_toc_and_notebooks_agree():
    listed = toc_files(REPO / "toc.yml")
    missing = [str(p.relative_to(REPO)) for p in listed if not p.is_file()]
    assert not missing, f"toc.yml lists files that do not exist: {missing}"
    in_toc = set(toc_notebooks(REPO / "toc.yml"))
    unlisted = [str(p.relative_to(REPO)) for p in NOTEBOOKS if p not in in_toc]
    assert not unlisted, f"notebooks missing from toc.yml: {unlisted}"


def test_every_chapter_folder_has_an_intro_page():
    for folder in sorted(p for p in (REPO / "notebooks").iterdir() if p.is_dir()):
        if folder.name.startswith("."):
            continue
        assert (folder / "index.md").is_file(), f"{folder.name} needs an index.md intro page"


def test_notebooks_are_small():
    for path in NOTEBOOKS:
        assert path.stat().st_size < 200_000, f"{path.name} is large: outputs or data committed?"
        json.loads(path.read_text(encoding="utf-8"))
