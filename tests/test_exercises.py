"""astrolab.exercises: exercise objects, and every notebook's exercises kept in the package."""

import re

import nbformat
import numpy as np
import pytest

import astrolab.exercises as ax
from astrolab.exercises._core import _REGISTRY, Exercise
from coursetools.course import student_edition, toc_notebooks
from coursetools.exercises import exercise_blocks, notebook_id_of

NOTEBOOKS = toc_notebooks()
PORTED = [p for p in NOTEBOOKS if "al.exercises.notebook(" in p.read_text(encoding="utf-8")]


def _toy(**kwargs):
    base = dict(title="Toy", answer="x", expected=lambda ns: ns["data"].mean(), hints=("Average it.",),
                solution="x = data.mean()\nex.toy.check(x)")
    base.update(kwargs)
    return Exercise("99-01", "toy", **base)


def test_value_exercise_checks_hints_and_shows_the_solution(capsys):
    from astrolab.exercises._core import BoundExercise

    ns = {"data": np.arange(10.0)}
    bound = BoundExercise(_toy(name="the mean"), ns)
    assert not bound.check(...)
    assert "Not answered yet" in capsys.readouterr().out
    assert bound.check(4.5)
    assert not bound.check(45.0)
    out = capsys.readouterr().out
    assert "Correct!" in out and "factor of 10^+1" in out and "4.5" not in out.replace("45.0", "")
    bound.hint()
    bound.hint()
    assert capsys.readouterr().out.count("Hint 1 of 1") == 2


def test_choice_and_judgement_exercises():
    from astrolab.exercises._core import BoundExercise

    choice = BoundExercise(_toy(kind="choice", choices={"a": "yes", "b": "no"}, expected=lambda ns: "b"), {})
    assert choice.feedback("B") and not choice.feedback("a")
    assert "one of the letters" in choice.feedback("c").message
    judge = BoundExercise(_toy(kind="judgement", expected=None,
                               grade=lambda a, ns: (abs(a - 3) < 1, f"your choice scores {abs(a - 3):.1f}")), {})
    assert judge.feedback(3.2) and not judge.feedback(5.0)
    assert "could not be used" in judge.feedback("x").message


@pytest.mark.parametrize("kwargs, match", [
    (dict(notebook="1-2"), "notebook"), (dict(label="Bad Label"), "label"), (dict(answer="not a name"), "answer"),
    (dict(kind="essay"), "kind"), (dict(hints=()), "hint"), (dict(solution=" "), "solution"),
    (dict(kind="judgement"), "grade"), (dict(rtol=-1.0), "rtol"),
])
def test_exercise_definitions_are_validated(kwargs, match):
    base = dict(notebook="99-01", label="toy", title="Toy", answer="x", expected=lambda ns: 1.0,
                hints=("h",), solution="x = 1")
    base.update(kwargs)
    with pytest.raises(ValueError, match=match):
        Exercise(**base)


def test_seed_gives_each_student_a_variant(monkeypatch):
    monkeypatch.delenv("ASTROLAB_STUDENT_ID", raising=False)
    assert ax.seed(2025, "01-02") == 2025
    monkeypatch.setenv("ASTROLAB_STUDENT_ID", "s123")
    a = ax.seed(2025, "01-02")
    assert a != 2025 and a == ax.seed(2025, "01-02") and a != ax.seed(2025, "01-03")
    monkeypatch.setenv("ASTROLAB_STUDENT_ID", "s124")
    assert ax.seed(2025, "01-02") != a
    with pytest.raises(TypeError, match="student"):
        ax.set_student(3)
    with pytest.raises(ValueError, match="notebook_id"):
        ax.notebook("1-2", {})
    with pytest.raises(TypeError, match="namespace"):
        ax.notebook("01-02", [1])


def test_grade_is_silent_and_scores_missing_or_broken_answers_zero(capsys):
    ns = {"bayes": {"year": np.arange(1980.0, 2025.0), "count": np.exp((np.arange(1980.0, 2025.0) - 2010) / 7.0) * 50}}
    from astrolab.exercises.ch01 import _poisson_tau

    ns["doubling"] = _poisson_tau(ns["bayes"]["year"], ns["bayes"]["count"]) * np.log(2)
    assert ax.grade("01-02", "growth-doubling", ns)
    ns["doubling"] = ...
    assert not ax.grade("01-02", "growth-doubling", ns)
    del ns["doubling"]
    assert not ax.grade("01-02", "growth-doubling", ns)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("path", PORTED, ids=lambda p: p.stem)
def test_notebook_exercises_live_in_the_package(path):
    nb = nbformat.read(path, as_version=4)
    nid = notebook_id_of(path)
    defined = ax.registry(nid)
    blocks = exercise_blocks(nb)
    assert list(blocks) == list(defined), "the notebook's exercise labels and the package's differ"
    assert len(blocks) >= 2, "every notebook has at least two exercises"
    for label, block in blocks.items():
        ex = defined[label]
        assert block.title == ex.title, (label, block.title, ex.title)
        assert [nb.cells[i].source for i in block.solution_cells] == [ex.solution], \
            f"{label}: run `python -m coursetools exercises-sync {path}`"
        code = "\n".join(nb.cells[i].source for i in block.cells if nb.cells[i].cell_type == "code")
        assert re.search(rf"^{ex.answer}\s*=\s*\.\.\.", code, re.M), f"{label}: no `{ex.answer} = ...` cell"
        assert f"ex.{ex.attribute}.check({ex.answer})" in code, label
    student = student_edition(nb)
    text = "\n".join(c.source for c in student.cells)
    assert "expected_" not in text and "al.exercises.check(" not in text
    assert not any("remove-cell" in c.metadata.get("tags", []) for c in student.cells)
    assert ":label:" not in text and "{exercise-" not in text and "{solution-" not in text


def test_registry_covers_only_existing_notebooks():
    ids = {notebook_id_of(p) for p in NOTEBOOKS}
    registered = set(ax.registry())
    assert registered <= ids, registered - ids
    assert set(_REGISTRY) == registered


def test_every_notebook_keeps_its_exercises_in_the_package():
    assert [p.name for p in NOTEBOOKS if p not in PORTED] == []
    assert set(ax.registry()) == {notebook_id_of(p) for p in NOTEBOOKS}


def test_every_chapter_has_two_judgement_exercises():
    judgements = {}
    for nb, book in ax.registry().items():
        judgements.setdefault(nb[:2], []).extend(e.label for e in book.values() if e.kind == "judgement")
    assert {ch: labels for ch, labels in judgements.items() if len(labels) < 2} == {}
    assert len(judgements) == 8


def test_strict_mode_fails_a_wrong_solution_but_not_an_unanswered_one(monkeypatch, capsys):
    from astrolab.exercises._core import BoundExercise

    bound = BoundExercise(_toy(), {"data": np.arange(10.0)})
    monkeypatch.setenv("ASTROLAB_EXERCISE_STRICT", "1")
    assert not bound.check(...)
    assert bound.check(4.5)
    with pytest.raises(AssertionError, match="judged wrong"):
        bound.check(5.5)
