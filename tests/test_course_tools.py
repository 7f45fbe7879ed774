"""Course housekeeping: toc parsing, solution stripping, the student edition, constraints."""

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from coursetools.course import pin_constraints, strip_solutions, toc_files, write_student_edition


def _notebook():
    cells = [
        new_markdown_cell("# Title"),
        new_markdown_cell("```{exercise-start}\n:label: e1\n```"),
        new_code_cell("answer = ..."),
        new_markdown_cell("```{exercise-end}\n```"),
        new_markdown_cell("```{solution-start} e1\n:class: dropdown\n```"),
        new_markdown_cell("The trick is..."),
        new_code_cell("answer = 42"),
        new_markdown_cell("```{solution-end}\n```"),
        new_code_cell("assert True"),
        new_code_cell("secret = 1"),
    ]
    cells[6].metadata["tags"] = ["solution"]
    cells[9].metadata["tags"] = ["solution"]
    return new_notebook(cells=cells)


def test_strip_solutions_removes_whole_solution_blocks():
    nb = _notebook()
    stripped = strip_solutions(nb)
    sources = [c.source for c in stripped.cells]
    assert sources == ["# Title", "```{exercise-start}\n:label: e1\n```", "answer = ...",
                       "```{exercise-end}\n```", "assert True"]
    assert len(nb.cells) == 10  # the input is not modified


def test_unbalanced_solution_block_is_an_error():
    nb = new_notebook(cells=[new_markdown_cell("```{solution-start} e1\n```")])
    with pytest.raises(ValueError, match="no matching"):
        strip_solutions(nb)


def test_student_edition_of_a_small_course(tmp_path):
    root = tmp_path / "course"
    (root / "notebooks" / "00-x").mkdir(parents=True)
    nbformat.write(_notebook(), root / "notebooks" / "00-x" / "a.ipynb")
    (root / "notebooks" / "00-x" / "index.md").write_text("# Chapter")
    written = write_student_edition(tmp_path / "student", root=root)
    assert [p.name for p in written] == ["a.ipynb"]
    nb = nbformat.read(written[0], as_version=4)
    assert "answer = 42" not in [c.source for c in nb.cells]
    assert (tmp_path / "student" / "00-x" / "index.md").read_text() == "# Chapter"
    assert not list((tmp_path / "student").rglob("*.tmp"))
    with pytest.raises(ValueError, match="outside"):
        write_student_edition(root / "notebooks" / "student", root=root)


def test_toc_files_in_order(tmp_path):
    (tmp_path / "intro.md").write_text("# Intro")
    (tmp_path / "ch").mkdir()
    (tmp_path / "ch" / "index.md").write_text("# Ch")
    (tmp_path / "ch" / "nb.ipynb").write_text("{}")
    (tmp_path / "toc.yml").write_text(
        "format: jb-book\nroot: intro\nparts:\n  - caption: A\n    chapters:\n"
        "      - file: ch/index\n        sections:\n          - file: ch/nb\n"
        "          - file: ch/missing\n")
    files = toc_files(tmp_path / "toc.yml")
    assert [p.relative_to(tmp_path).as_posix() for p in files] == [
        "intro.md", "ch/index.md", "ch/nb.ipynb", "ch/missing.ipynb"]
    (tmp_path / "bad.yml").write_text("- just a list\n")
    with pytest.raises(ValueError, match="no 'root'"):
        toc_files(tmp_path / "bad.yml")


def test_pin_constraints():
    text = pin_constraints("torch==2.13.0+cpu\nnumpy==2.4.6\n-e /work/astrolab\n")
    lines = text.splitlines()
    assert "torch==2.13.0" in lines and 'numpy==2.4.6 ; python_version >= "3.11"' in lines
    assert not any("astrolab" in ln and "==" in ln for ln in lines)


def test_stray_solution_end_is_an_error():
    nb = new_notebook(cells=[new_markdown_cell("```{solution-end}\n```")])
    with pytest.raises(ValueError, match="has no"):
        strip_solutions(nb)


def test_prose_that_names_the_markers_is_not_a_block():
    prose = new_markdown_cell("Solutions sit in a `{solution-start}` ... `{solution-end}` dropdown.")
    intro = new_markdown_cell("Each exercise opens with a `{solution-start}` directive hidden below.")
    nb = _notebook()
    nb.cells[:0] = [prose, intro]
    sources = [c.source for c in strip_solutions(nb).cells]
    assert sources[:2] == [prose.source, intro.source] and "answer = ..." in sources
    assert "answer = 42" not in sources


def test_colon_fenced_directives_are_recognised():
    nb = new_notebook(cells=[new_markdown_cell(":::{solution-start} e1\n:::"), new_code_cell("x = 1"),
                             new_markdown_cell(":::{solution-end}\n:::")])
    assert strip_solutions(nb).cells == []


def test_toc_entry_with_a_dot_in_its_name(tmp_path):
    (tmp_path / "ch").mkdir()
    (tmp_path / "intro.md").write_text("# Intro")
    (tmp_path / "ch" / "v1.5-notes.ipynb").write_text("{}")
    (tmp_path / "toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: ch/v1.5-notes\n")
    assert toc_files(tmp_path / "toc.yml")[1] == tmp_path / "ch" / "v1.5-notes.ipynb"


def test_scatter_reads_the_shipped_seed_of_every_notebook():
    """`coursetools scatter` replaces a notebook's SEED line by literal seeds; every notebook's line is
    one it understands (an integer or a per-student ``al.exercises.seed(N, ...)``), and junk is refused."""
    import re

    import nbformat

    from coursetools.scatter import _seed_value

    assert _seed_value('al.exercises.seed(4, "01-04")') == 4 and _seed_value(" 2025 ") == 2025
    with pytest.raises(ValueError, match="SEED line"):
        _seed_value("rng.integers(10)")
    line = re.compile(r"^SEED\s*=\s*([^#\n]*?)\s*(#.*)?$", re.M)
    for path in sorted(Path(__file__).resolve().parents[1].glob("notebooks/*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        found = [m.group(1) for c in nb.cells if c.cell_type == "code" for m in [line.search(c.source)] if m]
        if found:
            assert _seed_value(found[0]) >= 0, path.name
