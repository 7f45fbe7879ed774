"""Instructor mode: an otter-grader autograder for every notebook, built from astrolab.exercises.

Command line (see the book's instructor guide)::

    python -m coursetools autograder --out _build/autograder           # one zip per notebook
    python -m coursetools grade --autograder _build/autograder/01-02.zip \\
        --student-id s123 submissions/s123/02-exponential-growth.ipynb      # one submission
    python -m coursetools grade --autograder _build/autograder/01-02.zip \\
        --csv grades.csv submissions/*/02-exponential-growth.ipynb         # a class (id = folder name)

Why otter-grader (rather than nbgrader): ``otter run`` grades a notebook on the instructor's machine
without Docker, a course directory or a gradebook database; its hidden tests are plain Python files
that never reach the students; and the same zip works on Gradescope. nbgrader would need its own
cell metadata (solution and grade cells) in every notebook, a second definition of each exercise
beside :mod:`astrolab.exercises`.

Each exercise becomes one hidden otter test that calls :func:`astrolab.exercises.grade` in the
namespace of the executed submission: the expected answer is computed from *that* run's data, so
a student's variant (``ASTROLAB_STUDENT_ID``, :func:`astrolab.exercises.seed`) is graded against
its own data. Answers copied from another student's variant fail.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import zipfile
from pathlib import Path

__all__ = ["hidden_test_text", "build_autograder", "build_all", "grade", "main"]

_TEST = '''"""Hidden test of exercise {label!r} of notebook {notebook} (astrolab; generated, do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False
name = {name!r}
points = {points!r}


@test_case(points={points!r}, hidden=True)
def test_{attribute}(env):
    import astrolab.exercises as ax

    assert ax.grade({notebook!r}, {label!r}, env), "{label}: not right (or not answered)"
'''

_CONFIG = {"lang": "python", "pdf": False, "logo": False, "print_summary": False, "show_stdout": False,
           "show_hidden": False}


def hidden_test_text(notebook_id: str, label: str, points: float = 1) -> str:
    """The text of the hidden otter test of one exercise."""
    if not (isinstance(points, (int, float)) and points > 0):
        raise ValueError(f"points must be a positive number, got {points!r}")
    return _TEST.format(notebook=notebook_id, label=label, attribute=label.replace("-", "_"),
                        name=f"{notebook_id}/{label}", points=points)


def build_autograder(notebook_id: str, out) -> Path:
    """Write ``out/<notebook_id>.zip``: otter's configuration and one hidden test per exercise."""
    from astrolab._paths import atomic_path
    from astrolab.exercises import registry

    exercises = registry(notebook_id)
    if not exercises:
        raise ValueError(f"notebook_id {notebook_id!r} has no exercises in astrolab.exercises")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("otter_config.json", json.dumps(_CONFIG, indent=2))
        zf.writestr("requirements.txt", "# the course environment (make lab) already has astrolab\n")
        for i, label in enumerate(exercises):
            zf.writestr(f"tests/q{i + 1:02d}_{label.replace('-', '_')}.py", hidden_test_text(notebook_id, label))
    target = Path(out) / f"{notebook_id}.zip"
    with atomic_path(target) as tmp:
        Path(tmp).write_bytes(buffer.getvalue())
    return target


def build_all(out, notebooks=None) -> list[Path]:
    """An autograder zip for every course notebook that has exercises."""
    from coursetools.course import toc_notebooks
    from coursetools.exercises import notebook_id_of

    return [build_autograder(notebook_id_of(p), out) for p in (notebooks or toc_notebooks())
            if "al.exercises.notebook(" in Path(p).read_text(encoding="utf-8")]


_RUN = """
import contextlib, io, json, sys
from otter.api import grade_submission
with contextlib.redirect_stderr(io.StringIO()):
    results = grade_submission(sys.argv[1], sys.argv[2], quiet=True)
tests = {name: results.get_score(name) for name in sorted(results.results)}
print("ASTROLAB-GRADE " + json.dumps({"score": float(results.total), "possible": float(results.possible),
                                      "tests": tests}))
"""


def grade(submission, autograder, *, student_id: str | None = None, timeout: float = 900) -> dict:
    """Grade one submitted notebook with an autograder zip; return ``{"score", "possible", "tests"}``.

    The submission is executed (errors in its cells are ignored, as in otter) with
    ``ASTROLAB_STUDENT_ID=student_id``, so its data is that student's variant. Otter runs in a
    separate Python process, so its kernels, threads and environment never touch the caller's.
    """
    import subprocess
    import sys

    submission, autograder = Path(submission), Path(autograder)
    for name, path, suffix in (("submission", submission, ".ipynb"), ("autograder", autograder, ".zip")):
        if path.suffix != suffix or not path.is_file():
            raise ValueError(f"{name} must be an existing {suffix} file, got {str(path)!r}")
    if student_id is not None and (not isinstance(student_id, str) or not student_id.strip()):
        raise TypeError(f"student_id must be a non-empty string or None, got {student_id!r}")
    env = {k: v for k, v in os.environ.items() if k not in ("ASTROLAB_STUDENT_ID", "ASTROLAB_EXERCISE_STRICT")}
    if student_id:
        env["ASTROLAB_STUDENT_ID"] = student_id.strip()
    run = subprocess.run([sys.executable, "-c", _RUN, str(submission.resolve()), str(autograder.resolve())],
                         env=env, capture_output=True, text=True, timeout=timeout)
    line = next((ln for ln in run.stdout.splitlines() if ln.startswith("ASTROLAB-GRADE ")), None)
    if run.returncode != 0 or line is None:
        raise RuntimeError(f"grading {submission.name} failed (exit {run.returncode}):\n{run.stderr[-2000:]}")
    return json.loads(line[len("ASTROLAB-GRADE "):])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coursetools autograder|grade", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("autograder", help="write an otter autograder zip per notebook")
    build.add_argument("--out", default="_build/autograder", help="output folder")
    build.add_argument("notebooks", nargs="*", type=Path, help="notebooks (default: all with exercises)")
    run = sub.add_parser("grade", help="grade submitted notebooks with an autograder zip")
    run.add_argument("--autograder", required=True, type=Path, help="the notebook's autograder zip")
    run.add_argument("--student-id", default=None, help="the student (default: each submission's folder name)")
    run.add_argument("--csv", type=Path, default=None, help="also write the grades to this CSV file")
    run.add_argument("submissions", nargs="+", type=Path)
    args = parser.parse_args(argv)
    if args.command == "autograder":
        written = build_all(args.out, args.notebooks or None)
        print(f"Autograder: {len(written)} zips in {args.out}/")
        return 0
    rows = []
    for path in args.submissions:
        student = args.student_id or path.parent.name
        result = grade(path, args.autograder, student_id=student)
        rows.append({"student": student, "submission": str(path), "score": result["score"],
                     "possible": result["possible"], **result["tests"]})
        print(f"{student}: {result['score']:g} / {result['possible']:g}")
    if args.csv:
        from astrolab._paths import write_text_atomic

        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        write_text_atomic(args.csv, text.getvalue())
    return 0
