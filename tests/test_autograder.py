"""Instructor mode: the otter autograder grades a correct, a partly wrong and an empty submission."""

import zipfile

import nbformat
import pytest

from coursetools.autograder import build_autograder, grade, hidden_test_text
from coursetools.course import student_edition
from coursetools.exercises import exercise_blocks

pytest.importorskip("otter")
NOTEBOOK = "notebooks/01-big-data/02-exponential-growth.ipynb"


def test_autograder_zip_has_one_hidden_test_per_exercise(tmp_path):
    import astrolab.exercises as ax

    path = build_autograder("01-02", tmp_path)
    names = zipfile.ZipFile(path).namelist()
    tests = [n for n in names if n.startswith("tests/")]
    assert "otter_config.json" in names and len(tests) == len(ax.registry("01-02"))
    text = zipfile.ZipFile(path).read(tests[0]).decode()
    assert "hidden=True" in text and "ax.grade('01-02'" in text
    with pytest.raises(ValueError, match="notebook_id"):
        build_autograder("01-99", tmp_path)
    with pytest.raises(ValueError, match="points"):
        hidden_test_text("01-02", "growth-doubling", points=0)


def test_grades_a_correct_a_partly_wrong_and_an_empty_submission(tmp_path):
    """Three otter runs of one notebook, each as another student (per-student variants)."""
    autograder = build_autograder("01-02", tmp_path / "ag")
    source = nbformat.read(NOTEBOOK, as_version=4)
    correct = tmp_path / "correct" / "02-exponential-growth.ipynb"
    correct.parent.mkdir()
    nbformat.write(source, correct)
    # partly wrong: the e-folding time given as the doubling time
    wrong = nbformat.read(NOTEBOOK, as_version=4)
    cell = wrong.cells[exercise_blocks(wrong)["growth-doubling"].solution_cells[0]]
    cell.source = cell.source.replace("doubling = tau_b * np.log(2)", "doubling = tau_b")
    partly = tmp_path / "partly" / "02-exponential-growth.ipynb"
    partly.parent.mkdir()
    nbformat.write(wrong, partly)
    empty = tmp_path / "empty" / "02-exponential-growth.ipynb"
    empty.parent.mkdir()
    nbformat.write(student_edition(source), empty)

    n = 3
    result = grade(correct, autograder, student_id="ada")
    assert result["score"] == n, result
    result = grade(partly, autograder, student_id="grace")
    assert result["score"] == n - 1, result
    assert result["tests"]["01-02/growth-doubling"] == 0
    assert grade(empty, autograder, student_id="emmy")["score"] == 0
    with pytest.raises(ValueError, match="submission"):
        grade(tmp_path / "missing.ipynb", autograder)
