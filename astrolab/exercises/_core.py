"""Exercise objects: each exercise lives in the package with its checker, hints and solution.

In the spirit of Kaggle Learn's ``learntools``: the notebook holds the prompt and a cell where the
learner writes an answer; everything that knows the answer is here, so no cell a learner can read
computes or prints it. The expected value is computed *from the notebook's own data* (the
namespace the exercise set is bound to), so it is right for whatever seed -- and for per-student
variants (:func:`seed`).

A chapter module (``astrolab/exercises/ch01.py`` ...) defines its exercises with :func:`exercise`;
a notebook binds them once::

    ex = al.exercises.notebook("01-02", globals())

and each exercise cell ends with ``ex.growth_doubling.check(doubling)``; ``ex.growth_doubling.hint()``
gives the next hint, ``ex.growth_doubling.solution()`` shows the solution (the same text as the
book's dropdown).
"""

from __future__ import annotations

import hashlib
import importlib
import math
import os
import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from astrolab._validation import check_int, check_options
from astrolab.exercises._feedback import Feedback, _check

__all__ = ["Exercise", "BoundExercise", "ExerciseSet", "exercise", "notebook", "registry", "seed",
           "set_student", "student_id", "grade", "answers_for_grep", "KINDS"]

#: What an exercise asks for. ``value``: a number (or array, Quantity, text) compared with the
#: expected value; ``choice``: one letter of a multiple-choice question; ``judgement``: a choice
#: (a lambda, a threshold, a number of components ...) graded against the ground truth by the
#: exercise's own ``grade`` function, with a tolerance -- not against the notebook's own output.
KINDS = ("value", "choice", "judgement")

_NOTEBOOK_ID = re.compile(r"^\d\d-\d\d$")
_LABEL = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_REGISTRY: dict[str, dict[str, Exercise]] = {}
_STUDENT: list[str | None] = [None]
_RESULTS: dict[tuple[str, str], bool] = {}


@dataclass(frozen=True)
class Exercise:
    """One exercise of one notebook (see the module docstring).

    Parameters
    ----------
    notebook : str
        The notebook's id, ``"CC-NN"`` (chapter and number: ``"01-02"``).
    label : str
        The label of the notebook's ``{exercise-start}`` fence (lower case, dashes).
    title : str
        The exercise's title, as in the fence.
    answer : str
        The variable the learner assigns the answer to (``doubling = ...``).
    kind : {"value", "choice", "judgement"}
        See :data:`KINDS`.
    expected : callable, optional
        ``expected(ns) -> value``: the right answer computed from the notebook's namespace ``ns``
        (its data, never its solution cells). Required for ``value`` and ``choice``.
    grade : callable, optional
        ``grade(answer, ns) -> (correct, message)``, for ``judgement``: the message says what the
        learner's choice achieves (against the ground truth), never the best choice.
    hints : sequence of str
        Given one at a time by :meth:`BoundExercise.hint`.
    solution : str
        The code of the solution, verbatim the notebook's solution cell.
    name : str
        What the answer is, for the feedback ("the doubling time").
    rtol, atol : float
        Tolerances of a ``value`` exercise.
    choices : mapping, optional
        Letter -> text of a ``choice`` exercise.
    reveals : callable, optional
        ``reveals(ns) -> list of str``: text that gives the answer away and must not appear in the
        student edition (besides the expected value itself and the solution code).
    """

    notebook: str
    label: str
    title: str
    answer: str
    kind: str = "value"
    expected: Callable[[Mapping], Any] | None = None
    grade: Callable[[Any, Mapping], tuple[bool, str]] | None = None
    hints: tuple[str, ...] = ()
    solution: str = ""
    name: str = ""
    rtol: float = 1e-2
    atol: float = 0.0
    choices: Mapping[str, str] | None = None
    reveals: Callable[[Mapping], list] | None = None

    def __post_init__(self):
        if not isinstance(self.notebook, str) or not _NOTEBOOK_ID.match(self.notebook):
            raise ValueError(f"notebook must be a notebook id like '01-02', got {self.notebook!r}")
        if not isinstance(self.label, str) or not _LABEL.match(self.label):
            raise ValueError(f"label must be lower case words joined by dashes, got {self.label!r}")
        if not isinstance(self.answer, str) or not self.answer.isidentifier():
            raise ValueError(f"answer must be the name of a Python variable, got {self.answer!r}")
        check_options("kind", self.kind, KINDS)
        if self.kind in ("value", "choice") and self.expected is None:
            raise ValueError(f"exercise {self.label!r}: a {self.kind!r} exercise needs expected(ns)")
        if self.kind == "judgement" and self.grade is None:
            raise ValueError(f"exercise {self.label!r}: a judgement exercise needs grade(answer, ns)")
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"exercise {self.label!r}: a choice exercise needs its choices")
        if not self.hints:
            raise ValueError(f"exercise {self.label!r} needs at least one hint")
        if not self.solution.strip():
            raise ValueError(f"exercise {self.label!r} needs its solution code")
        if not (self.rtol >= 0 and self.atol >= 0):
            raise ValueError(f"rtol and atol must be non-negative, got {self.rtol!r}, {self.atol!r}")
        object.__setattr__(self, "hints", tuple(self.hints))
        object.__setattr__(self, "solution", textwrap.dedent(self.solution).strip("\n"))

    @property
    def attribute(self) -> str:
        """The attribute of the bound :class:`ExerciseSet`: the label with underscores."""
        return self.label.replace("-", "_")


def exercise(notebook: str, label: str, **kwargs) -> Exercise:
    """Define an exercise and add it to the registry (see :class:`Exercise` for the arguments)."""
    ex = Exercise(notebook, label, **kwargs)
    book = _REGISTRY.setdefault(ex.notebook, {})
    if ex.label in book:
        raise ValueError(f"exercise {ex.label!r} of notebook {ex.notebook} is defined twice")
    book[ex.label] = ex
    return ex


def _load_chapter(notebook: str) -> None:
    chapter = notebook.split("-")[0]
    try:
        importlib.import_module(f"astrolab.exercises.ch{chapter}")
    except ModuleNotFoundError as err:
        if err.name != f"astrolab.exercises.ch{chapter}":
            raise


def registry(notebook: str | None = None) -> dict:
    """The defined exercises: ``{notebook: {label: Exercise}}``, or one notebook's ``{label: Exercise}``."""
    if notebook is None:
        for chapter in range(0, 8):
            _load_chapter(f"{chapter:02d}-00")
        return {nb: dict(book) for nb, book in sorted(_REGISTRY.items())}
    if not isinstance(notebook, str) or not _NOTEBOOK_ID.match(notebook):
        raise ValueError(f"notebook must be a notebook id like '01-02', got {notebook!r}")
    _load_chapter(notebook)
    return dict(_REGISTRY.get(notebook, {}))


# ----------------------------------------------------------------------------------- students
def set_student(student: str | None) -> None:
    """Make every later :func:`seed` a per-student variant (``None``: back to the course's seeds).

    The environment variable ``ASTROLAB_STUDENT_ID`` does the same for a whole session (that is how
    the autograder runs one student's notebook).
    """
    if student is not None and (not isinstance(student, str) or not student.strip()):
        raise TypeError(f"student must be a non-empty string (a student id) or None, got {student!r}")
    _STUDENT[0] = student.strip() if student is not None else None


def student_id() -> str | None:
    """The student id in force: :func:`set_student`, else ``ASTROLAB_STUDENT_ID``, else None."""
    if _STUDENT[0] is not None:
        return _STUDENT[0]
    value = os.environ.get("ASTROLAB_STUDENT_ID", "").strip()
    return value or None


def seed(default: int, notebook: str | None = None) -> int:
    """A notebook's random seed: ``default``, or a per-student variant of it.

    With no student id (:func:`student_id`) this returns ``default`` unchanged, so the course and its
    checks run on their usual seed. With one, it returns a seed derived from the id, the notebook and
    ``default`` (SHA-256), so each student gets the same exercises on different data -- and the
    exercises' expected answers, computed from the data, follow.

    Examples
    --------
    >>> set_student(None)
    >>> seed(2025)
    2025
    >>> set_student("ada"); a = seed(2025, "01-02"); set_student("grace"); b = seed(2025, "01-02")
    >>> a != b and a != 2025
    True
    >>> set_student(None)
    """
    default = check_int("default", default, min=0)
    student = student_id()
    if student is None:
        return default
    digest = hashlib.sha256(f"{student}\0{notebook or ''}\0{default}".encode()).digest()
    return int.from_bytes(digest[:4], "little")


# ----------------------------------------------------------------------------------- binding
class BoundExercise:
    """An :class:`Exercise` bound to a notebook's namespace: ``check``, ``hint``, ``solution``."""

    def __init__(self, ex: Exercise, ns: Mapping):
        self.exercise = ex
        self._ns = ns
        self._hints_given = 0

    def __repr__(self) -> str:
        return f"<exercise {self.exercise.label!r}: {self.exercise.title}>"

    def _expected(self):
        ex = self.exercise
        try:
            return ex.expected(self._ns)
        except KeyError as err:
            raise RuntimeError(f"exercise {ex.label!r} needs {err.args[0]!r} from the notebook: run the "
                               "cells above it first (Run > Run All Above Selected Cell)") from None

    def feedback(self, answer) -> Feedback:
        """The verdict on ``answer``, without printing it."""
        ex = self.exercise
        name = ex.name or ex.answer
        if answer is Ellipsis:
            return Feedback(False, f"Not answered yet: replace `...` with {name}.")
        if ex.kind == "judgement":
            if answer is None:
                return Feedback(False, f"{name[:1].upper() + name[1:]} is None: did you forget to assign it?")
            try:
                ok, message = ex.grade(answer, self._ns)
            except KeyError as err:
                raise RuntimeError(f"exercise {ex.label!r} needs {err.args[0]!r} from the notebook: run the "
                                   "cells above it first (Run > Run All Above Selected Cell)") from None
            except (TypeError, ValueError) as err:
                return Feedback(False, f"Not quite: {name} could not be used ({err}).")
            return Feedback(bool(ok), ("Correct! " if ok else "Not quite: ") + message)
        if ex.kind == "choice":
            if not isinstance(answer, str) or answer.strip().lower() not in {k.lower() for k in ex.choices}:
                letters = ", ".join(repr(k) for k in ex.choices)
                return Feedback(False, f"Not quite: answer with one of the letters {letters}.")
            ok = answer.strip().lower() == str(self._expected()).lower()
            return Feedback(ok, "Correct!" if ok else "Not quite: think again (try .hint()).")
        return _check(answer, self._expected(), rtol=ex.rtol, atol=ex.atol, name=name)

    def check(self, answer) -> Feedback:
        """Print whether ``answer`` is right, with a hint of what is wrong; never the answer.

        Under the course's own tests (``ASTROLAB_EXERCISE_STRICT=1``, set in the notebook kernels of
        ``make test``) a wrong answer raises an AssertionError, so a solution that does not earn
        "Correct!" fails its notebook; an unanswered ``...`` does not.
        """
        verdict = self.feedback(answer)
        _RESULTS[(self.exercise.notebook, self.exercise.label)] = bool(verdict)
        print(verdict.message)
        if not verdict and answer is not Ellipsis and os.environ.get("ASTROLAB_EXERCISE_STRICT") == "1":
            raise AssertionError(f"exercise {self.exercise.label!r} of notebook {self.exercise.notebook}: "
                                 f"the answer is judged wrong ({verdict.message})")
        return Feedback(verdict.correct, verdict.message, shown=True)

    def hint(self) -> None:
        """Print the next hint (the last one again once all have been given)."""
        hints = self.exercise.hints
        i = min(self._hints_given, len(hints) - 1)
        self._hints_given += 1
        print(f"Hint {i + 1} of {len(hints)}: {hints[i]}")

    def solution(self) -> None:
        """Show the solution code (the same as the book's dropdown). Try the hints first!"""
        text = self.exercise.solution
        try:
            from IPython.display import Markdown, display

            display(Markdown(f"Solution of *{self.exercise.title}*:\n\n```python\n{text}\n```"))
        except ImportError:  # pragma: no cover - IPython is installed with the course
            print(text)


class ExerciseSet(Mapping):
    """The exercises of one notebook, bound to its namespace; attribute access by label."""

    def __init__(self, notebook_id: str, ns: Mapping):
        self.notebook = notebook_id
        self._bound = {label: BoundExercise(ex, ns) for label, ex in registry(notebook_id).items()}

    def __getitem__(self, label: str) -> BoundExercise:
        key = label.replace("_", "-") if isinstance(label, str) else label
        if key not in self._bound:
            raise KeyError(f"notebook {self.notebook} has no exercise {label!r}; it has "
                           f"{sorted(self._bound)}")
        return self._bound[key]

    def __getattr__(self, name: str) -> BoundExercise:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError as err:
            raise AttributeError(str(err)) from None

    def __iter__(self):
        return iter(self._bound)

    def __len__(self) -> int:
        return len(self._bound)

    def __dir__(self):
        return [*super().__dir__(), *(k.replace("-", "_") for k in self._bound)]

    def __repr__(self) -> str:
        lines = [f"Exercises of notebook {self.notebook}:"]
        lines += [f"  ex.{b.exercise.attribute}: {b.exercise.title}" for b in self._bound.values()]
        return "\n".join(lines)


def notebook(notebook_id: str, namespace: Mapping) -> ExerciseSet:
    """Bind the exercises of notebook ``notebook_id`` (``"CC-NN"``) to its namespace (``globals()``).

    Examples
    --------
    >>> ex = notebook("01-02", {})
    >>> len(ex) >= 2
    True
    """
    if not isinstance(notebook_id, str) or not _NOTEBOOK_ID.match(notebook_id):
        raise ValueError(f"notebook_id must be a notebook id like '01-02', got {notebook_id!r}")
    if not isinstance(namespace, Mapping):
        raise TypeError(f"namespace must be the notebook's globals() (a mapping), got {type(namespace).__name__}")
    exercises = ExerciseSet(notebook_id, namespace)
    if not len(exercises):
        raise ValueError(f"notebook_id {notebook_id!r} has no exercises defined in astrolab.exercises")
    return exercises


# ----------------------------------------------------------------------------------- grading
def grade(notebook_id: str, label: str, namespace: Mapping) -> bool:
    """True when the variable the exercise asks for, in ``namespace``, is right (silent).

    The autograder's hidden test of one exercise: it runs in the namespace of the executed
    submission, so a missing variable (the cell never ran) counts as wrong.
    """
    exercises = notebook(notebook_id, namespace)
    if not isinstance(label, str):
        raise TypeError(f"label must be an exercise label (a string), got {type(label).__name__} {label!r}"[:200])
    try:
        bound = exercises[label]
    except KeyError as err:
        raise ValueError(f"label must name an exercise of notebook {notebook_id}: {err.args[0]}") from None
    if bound.exercise.answer not in namespace:
        return False
    try:
        return bool(bound.feedback(namespace[bound.exercise.answer]))
    except Exception:  # noqa: BLE001 - a broken submission scores zero, it does not crash the grader
        return False


def _number_forms(value) -> list[str]:
    """Ways a number may be written in a notebook: significant digits and decimals."""
    forms = set()
    for v in np.atleast_1d(np.asarray(value, dtype=float)).ravel()[:20]:
        if not math.isfinite(v) or v == 0:
            continue
        for digits in (3, 4, 5, 6):
            text = f"{v:.{digits}g}"
            if "e" in text:
                continue
            significant = len(text.lstrip("-").replace(".", "").lstrip("0"))
            if significant >= 3:
                forms.add(text)
        for decimals in (2, 3, 4):
            text = f"{v:.{decimals}f}"
            significant = len(text.lstrip("-").replace(".", "").lstrip("0").rstrip("0"))
            if significant >= 3:
                forms.add(text)
    return sorted(forms)


def answers_for_grep(notebook_id: str, namespace: Mapping) -> dict[str, list[str]]:
    """For each exercise, the texts that would give its answer away in the student edition.

    The expected value written as a number (3 to 6 significant digits, 2 to 4 decimals; forms with
    fewer than 3 significant digits are left out, they occur in any text), the exercise's own
    ``reveals``, and each line of its solution code longer than 20 characters (comments and
    ``ex.``-calls aside).
    """
    out = {}
    for label, bound in notebook(notebook_id, namespace).items():
        ex = bound.exercise
        texts = []
        if ex.kind == "value":
            value = bound._expected()
            if isinstance(value, str):
                texts.append(value)
            else:
                try:
                    import astropy.units as u

                    if isinstance(value, u.Quantity):
                        value = value.value
                    texts += _number_forms(value)
                except (TypeError, ValueError):
                    pass
        if ex.reveals is not None:
            texts += [str(t) for t in ex.reveals(namespace)]
        for line in ex.solution.splitlines():
            line = line.strip()
            if len(line) > 20 and not line.startswith(("#", "ex.", "print(")):
                texts.append(line)
        out[label] = texts
    return out
