"""Exercises: objects that check a learner's answer, give hints and show the solution on request.

Each notebook binds its exercises once, after its imports::

    ex = al.exercises.notebook("01-02", globals())

and an exercise cell reads::

    doubling = ...  # your answer
    ex.growth_doubling.check(doubling)   # Correct! / Not quite: ... (never the answer)
    ex.growth_doubling.hint()            # the next hint
    ex.growth_doubling.solution()        # the solution (the book's dropdown shows the same)

The expected answers are computed here, from the notebook's own data, never in a cell a learner
can read. :func:`seed` gives each student a variant of a notebook's data (``ASTROLAB_STUDENT_ID``);
:func:`grade` is the hidden test the autograder runs (see the instructor guide).
:func:`check` compares any answer with an expected value (units, shapes, factor-of-ten hints).
"""

from astrolab.exercises._core import (
    KINDS,
    BoundExercise,
    Exercise,
    ExerciseSet,
    answers_for_grep,
    exercise,
    grade,
    notebook,
    registry,
    seed,
    set_student,
    student_id,
)
from astrolab.exercises._feedback import Feedback, check

__all__ = ["Feedback", "check", "Exercise", "BoundExercise", "ExerciseSet", "exercise", "notebook", "registry",
           "seed", "set_student", "student_id", "grade", "answers_for_grep", "KINDS"]
