"""The Jupyter Book builds with zero warnings and with its figures; the student edition has no solutions.

The build itself is the session fixture ``built_book`` (tests/conftest.py), shared with the browser
tests in tests/test_browser.py."""

import os
import re
from pathlib import Path

import nbformat
import pytest
from conftest import book_warnings

from coursetools.course import is_directive_cell, toc_files, write_student_edition

REPO = Path(__file__).resolve().parents[1]


def test_student_edition_has_no_solutions(tmp_path):
    written = write_student_edition(tmp_path / "student", root=REPO)
    sources = sorted((REPO / "notebooks").rglob("*.ipynb"))
    assert len(written) == len([p for p in sources if ".ipynb_checkpoints" not in p.parts])
    for path in written:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            assert "solution" not in cell.metadata.get("tags", []), path
            assert not is_directive_cell(cell, "solution-start"), path
            assert not is_directive_cell(cell, "solution-end"), path
        # hidden self-checks are not for learners (their bands and comments would give answers away)
        assert not any("remove-cell" in c.metadata.get("tags", []) for c in nb.cells), path
        assert not any(is_directive_cell(c, "exercise-start") for c in nb.cells), path
    assert (tmp_path / "student" / "00-welcome" / "index.md").is_file()


@pytest.mark.slow
@pytest.mark.book
@pytest.mark.xdist_group("book")
def test_book_builds_without_warnings(built_book):
    if built_book.log is None:
        pytest.skip("ASTROLAB_BOOK_HTML is set: testing a prebuilt book, not building one")
    log = built_book.log
    assert built_book.returncode == 0, log[-4000:]
    assert not book_warnings(log), log[-4000:]
    if os.environ.get("ASTROLAB_BOOK_EXPECT_CACHED") == "1":
        # `make test` executed and validated every notebook just before (coursetools.nbcache): the
        # book must reuse those outputs, not execute anything again.
        executed = [line for line in log.splitlines() if "Executing notebook" in line]
        assert not executed, "the book executed notebooks that make test had run already:\n" + "\n".join(executed)
    html = built_book.html
    for source in toc_files(REPO / "toc.yml"):
        page = html / source.relative_to(REPO).with_suffix(".html")
        assert page.is_file(), f"missing page {page}"
    welcome = (html / "notebooks" / "00-welcome" / "01-how-to-use-this-course.html").read_text()
    assert "Self-check" not in welcome, "remove-cell self-checks must not reach the book"
    assert "solution" in welcome and "dropdown" in welcome
    # The kernels use the inline backend (not agg), so every plt.show() leaves a PNG in the page.
    figures = re.findall(r'<img [^>]*src="[./]*_images/[^"]+\.png"', welcome)
    assert len(figures) >= 2, "the welcome notebook's figures are missing from the book"
