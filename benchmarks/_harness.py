"""Shared machinery of the benchmarks: a side-by-side case, timing, memory and the table."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    """One row of the table: our code and the established alternative on the same problem.

    Parameters
    ----------
    chapter : str
        Chapter the comparison belongs to ("0", "3a", ...).
    task : str
        What is computed, e.g. "LASSO path, 200 x 1000".
    ours, reference : (str, callable)
        A name and a zero-argument callable returning the result.
    quality : callable, optional
        ``quality(result_ours, result_reference) -> str``, how the two results compare.
    """

    chapter: str
    task: str
    ours: tuple[str, Callable]
    reference: tuple[str, Callable]
    quality: Callable | None = None


@dataclass(frozen=True)
class Row:
    case: Case
    t_ours: float
    t_ref: float
    mem_ours: float
    mem_ref: float
    quality: str

    @property
    def ratio(self) -> float:
        return self.t_ours / self.t_ref if self.t_ref > 0 else float("inf")


def best_time(func: Callable, repeat: int) -> tuple[float, object]:
    """Best wall-clock time of ``repeat`` calls after one warm-up call, and the last result."""
    result = func()  # warm-up: imports, caches, page faults
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def peak_memory(func: Callable) -> float:
    """Peak memory (MiB) that Python allocated during one call (tracemalloc)."""
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def run_case(case: Case, repeat: int) -> Row:
    t_ours, r_ours = best_time(case.ours[1], repeat)
    t_ref, r_ref = best_time(case.reference[1], repeat)
    quality = case.quality(r_ours, r_ref) if case.quality else ""
    return Row(case, t_ours, t_ref, peak_memory(case.ours[1]), peak_memory(case.reference[1]),
               quality)


def _fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


HEADER = ("| Chapter | Task | Ours | Reference | t ours | t ref | ratio ours/ref "
          "| peak MiB ours / ref | quality |\n|---|---|---|---|---|---|---|---|---|")


def markdown_row(row: Row) -> str:
    c = row.case
    return (f"| {c.chapter} | {c.task} | {c.ours[0]} | {c.reference[0]} | {_fmt_time(row.t_ours)} "
            f"| {_fmt_time(row.t_ref)} | {row.ratio:.2f} | {row.mem_ours:.1f} / {row.mem_ref:.1f} "
            f"| {row.quality} |")
