"""Run every benchmark side by side and print a markdown table: ``make bench``.

Each ``benchmarks/bench_*.py`` module defines ``CASES``, a list of :class:`_harness.Case`, or a
function ``cases()`` returning one. Both sides of a case are timed in the same run, in
alternation, so their ratio is meaningful on any machine. Speed is measured here, never asserted in
tests.

Usage::

    .venv/bin/python benchmarks/run.py [--filter TEXT] [--repeat N | --quick] [--output FILE]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import sys
import traceback
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # already there when run as a script; bench modules need _harness
    sys.path.insert(0, str(HERE))

from _harness import HEADER, Case, markdown_row, run_case  # noqa: E402

from astrolab._paths import write_text_atomic  # noqa: E402


def load_module(path: Path) -> ModuleType:
    """Import a benchmark module from its file.

    Parameters
    ----------
    path : Path
        A ``bench_*.py`` file.

    Returns
    -------
    module
    """
    name = f"_astrolab_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look modules up by name
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def module_cases(module: ModuleType, path: Path) -> list[Case]:
    """The cases a benchmark module declares, checked.

    Parameters
    ----------
    module : module
        A loaded ``bench_*.py`` module with ``cases()`` or ``CASES``.
    path : Path
        Its file, for error messages.

    Returns
    -------
    list of Case
    """
    if callable(getattr(module, "cases", None)):
        cases = module.cases()
    elif hasattr(module, "CASES"):
        cases = module.CASES
    else:
        raise ValueError(f"{path.name} defines neither a list CASES nor a function cases()")
    cases = list(cases)
    for case in cases:
        if not isinstance(case, Case):
            raise TypeError(
                f"{path.name}: expected Case objects (from _harness import Case), got {type(case).__name__}: {case!r}"
            )
    return cases


def matches(case: Case, text: str) -> bool:
    """Whether ``text`` occurs (case-insensitively) in the case's chapter or task."""
    text = text.lower()
    return text in case.chapter.lower() or text in case.task.lower()


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".splitlines()[0]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; return the exit status (0 when every case ran).

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 1 when a module or case failed or nothing matched ``--filter``.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--filter", default="", metavar="TEXT", help="only cases whose chapter or task contains TEXT (case-insensitive)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=5,
        metavar="N",
        help="timed calls per side after one warm-up; the best is kept (default 5)",
    )
    parser.add_argument("--quick", action="store_true", help="one timed call per side (--repeat 1)")
    parser.add_argument("--output", type=Path, metavar="FILE", help="also write the table to FILE (markdown)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat must be >= 1, got {args.repeat}")
    if args.output is not None and not args.output.parent.is_dir():
        parser.error(f"--output folder does not exist: {args.output.parent}")
    repeat = 1 if args.quick else args.repeat

    lines = [
        f"Benchmarks on {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; best of {repeat} call(s) per side after one warm-up.",
        "",
        HEADER,
    ]
    print("\n".join(lines), flush=True)
    failures: list[str] = []
    n_run = 0
    for path in sorted(HERE.glob("bench_*.py")):
        try:
            cases = module_cases(load_module(path), path)
        except Exception as exc:
            traceback.print_exc()
            failures.append(f"{path.name} (loading): {_short(exc)}")
            continue
        for case in cases:
            if args.filter and not matches(case, args.filter):
                continue
            n_run += 1
            try:
                line = markdown_row(run_case(case, repeat))
            except Exception as exc:
                traceback.print_exc()
                failures.append(f"{path.name}, chapter {case.chapter}, '{case.task}': {_short(exc)}")
                continue
            lines.append(line)
            print(line, flush=True)

    if args.output is not None:
        write_text_atomic(args.output, "\n".join(lines) + "\n")
    if failures:
        print(
            f"\n{len(failures)} benchmark(s) FAILED (rows above are the ones that ran):",
            *(f"  - {f}" for f in failures),
            sep="\n",
            file=sys.stderr,
        )
        return 1
    if n_run == 0:
        print(
            f"no benchmark matches --filter {args.filter!r}"
            if args.filter
            else f"no benchmarks found in {HERE}/bench_*.py",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
