"""Run every benchmark side by side and print a markdown table: ``make bench``.

Each ``benchmarks/bench_*.py`` module defines ``cases()`` returning :class:`_harness.Case`
objects; both sides of a case are timed in the same run, so their ratio is meaningful on any
machine. Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import sys
import tempfile
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the bench modules import the sibling _harness module

from _harness import HEADER, markdown_row, run_case  # noqa: E402


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filter", default="", help="only cases whose chapter or task contains this")
    parser.add_argument("--repeat", type=int, default=5, help="timed calls per side (best is kept)")
    parser.add_argument("--quick", action="store_true", help="one timed call per side")
    parser.add_argument("--output", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat must be >= 1, got {args.repeat}")
    repeat = 1 if args.quick else args.repeat

    lines = [f"Benchmarks on {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
             f"Python {platform.python_version()}; best of {repeat}.", "", HEADER]
    print("\n".join(lines), flush=True)
    failures = 0
    for path in sorted(HERE.glob("bench_*.py")):
        try:
            cases = _load(path).cases()
        except Exception:
            failures += 1
            print(f"<!-- {path.name} failed to load -->", file=sys.stderr)
            traceback.print_exc()
            continue
        for case in cases:
            if args.filter and args.filter not in case.task and args.filter != case.chapter:
                continue
            try:
                line = markdown_row(run_case(case, repeat))
            except Exception:
                failures += 1
                print(f"<!-- {path.name}: '{case.task}' failed -->", file=sys.stderr)
                traceback.print_exc()
                continue
            lines.append(line)
            print(line, flush=True)
    if args.output:
        _write_atomic(args.output, "\n".join(lines) + "\n")
    if failures:
        print(f"{failures} benchmark(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
