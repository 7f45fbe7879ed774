"""Shared machinery of the benchmarks: a side-by-side case, its timing, memory and table row.

A benchmark module (``benchmarks/bench_<chapter>.py``) builds :class:`Case` objects; ``run.py``
hands each to :func:`run_case` and prints :func:`markdown_row` of the result under
:data:`HEADER`. Nothing here keeps state between calls.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["HEADER", "Case", "Result", "best_times", "markdown_row", "peak_memory", "run_case"]

HEADER = (
    "| Chapter | Task | Ours | Reference | t_ours | t_ref | ratio (ours/ref) "
    "| peak MiB ours / ref (ratio) | quality |\n"
    "|---|---|---|---|--:|--:|--:|--:|---|"
)


def _check_side(value: Any, field: str) -> None:
    ok = isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str) and value[0] and callable(value[1])
    if not ok:
        raise TypeError(
            f"Case.{field} must be a (name, zero-argument callable) tuple with a non-empty name, got {value!r}"
        )


@dataclass(frozen=True)
class Case:
    """One row of the table: our code and the established alternative on the same problem.

    Parameters
    ----------
    chapter : str
        Chapter the comparison belongs to (``"0"``, ``"3a"``, ...).
    task : str
        What is computed, e.g. ``"LASSO path, 200 x 1000"``.
    ours : tuple of (str, callable)
        Name of the course's way (reference implementation, course idiom) and a zero-argument
        callable that computes the result. Inputs reach it as closure variables.
    reference : tuple of (str, callable)
        Name of the established library or approach and a zero-argument callable that computes the
        same result.
    quality : callable, optional
        ``quality(result_ours, result_reference) -> str``: a short comparison of the two results,
        e.g. ``"max abs diff 3e-16"``. Called once, on the results of the last timed calls.
    setup : callable, optional
        Zero-argument callable run once, untimed, before either side is called. Use it for work
        that only this case needs (building a large input, say) so that ``--filter`` skips it; the
        usual pattern is a :func:`functools.cache`-wrapped builder that both sides call again
        (a cached call costs nanoseconds). Its return value is ignored.
    memory : callable, optional
        ``memory(side) -> MiB`` for ``side`` in ``"ours"``, ``"reference"``: the peak memory of one
        call, measured by the case itself. Use it when :func:`peak_memory` (tracemalloc) cannot see
        the allocations (Arrow buffers, worker threads of a scheduler): e.g. the resident-memory
        high-water mark of the call in a fresh process.
    max_repeat : int, optional
        At most this many timed calls per side, whatever ``--repeat`` says (cases that take minutes).
    warmup : bool, default True
        Call each side once untimed first; ``False`` for cases that take minutes.

    Examples
    --------
    >>> import math
    >>> case = Case("0", "square root of 2", ("math.sqrt", lambda: math.sqrt(2)),
    ...             ("power", lambda: 2 ** 0.5),
    ...             quality=lambda a, b: f"diff {abs(a - b):.0e}")
    >>> case.ours[0], case.quality(case.ours[1](), case.reference[1]())
    ('math.sqrt', 'diff 0e+00')
    """

    chapter: str
    task: str
    ours: tuple[str, Callable[[], Any]]
    reference: tuple[str, Callable[[], Any]]
    quality: Callable[[Any, Any], str] | None = None
    setup: Callable[[], Any] | None = None
    memory: Callable[[str], float] | None = None
    max_repeat: int | None = None
    warmup: bool = True

    def __post_init__(self) -> None:
        for field in ("chapter", "task"):
            value = getattr(self, field)
            if not isinstance(value, str) or not value:
                raise TypeError(f"Case.{field} must be a non-empty string, got {value!r}")
        _check_side(self.ours, "ours")
        _check_side(self.reference, "reference")
        if self.max_repeat is not None and not (isinstance(self.max_repeat, int) and self.max_repeat >= 1):
            raise TypeError(f"Case.max_repeat must be a positive int or None, got {self.max_repeat!r}")
        for field in ("quality", "setup", "memory"):
            value = getattr(self, field)
            if value is not None and not callable(value):
                raise TypeError(f"Case.{field} must be callable or None, got {value!r}")


@dataclass(frozen=True)
class Result:
    """Measurements of one :class:`Case`.

    Parameters
    ----------
    case : Case
        The case that was measured.
    t_ours, t_ref : float
        Best wall-clock time of one call, in seconds.
    mem_ours, mem_ref : float
        Peak memory allocated during one call, in MiB.
    quality : str
        Output of ``case.quality`` (empty when the case has none).
    """

    case: Case
    t_ours: float
    t_ref: float
    mem_ours: float
    mem_ref: float
    quality: str

    @property
    def ratio(self) -> float:
        """``t_ours / t_ref``: above 1, ours is slower."""
        return self.t_ours / self.t_ref if self.t_ref > 0 else float("inf")


def best_times(funcs: list[Callable[[], Any]], repeat: int, *, warmup: bool = True) -> tuple[list[float], list[Any]]:
    """Best wall-clock time of each callable, timed in alternation.

    Each callable is called once untimed (imports, caches, page faults; skipped with
    ``warmup=False``, for calls of minutes), then the callables are called in turn ``repeat``
    times, so that a slow spell of the machine hits all of them alike.

    Parameters
    ----------
    funcs : list of callable
        Zero-argument callables.
    repeat : int
        Number of timed calls of each callable (at least 1); the fastest is kept.

    Returns
    -------
    times : list of float
        Best time of each callable, in seconds.
    results : list
        What each callable returned on its last call.

    Examples
    --------
    >>> times, results = best_times([lambda: 1, lambda: 2], repeat=3)
    >>> results, all(t >= 0 for t in times)
    ([1, 2], True)
    """
    if repeat < 1:
        raise ValueError(f"repeat must be >= 1, got {repeat!r}")
    results = [func() for func in funcs] if warmup else [None] * len(funcs)
    times = [float("inf")] * len(funcs)
    for _ in range(repeat):
        for i, func in enumerate(funcs):
            start = time.perf_counter()
            results[i] = func()
            times[i] = min(times[i], time.perf_counter() - start)
    return times, results


def peak_memory(func: Callable[[], Any]) -> float:
    """Peak memory allocated during one call of ``func``, in MiB.

    Measured with :mod:`tracemalloc`, which sees Python objects and NumPy arrays but not memory that
    C libraries allocate on their own (some BLAS and I/O buffers).

    Parameters
    ----------
    func : callable
        Zero-argument callable.

    Returns
    -------
    float
        Peak of traced memory above the level before the call, in MiB.

    Examples
    --------
    >>> import numpy as np
    >>> round(peak_memory(lambda: np.ones(2**20)), 1)  # 8 MiB of float64
    8.0
    """
    already = tracemalloc.is_tracing()
    if not already:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        func()
        return (tracemalloc.get_traced_memory()[1] - before) / 2**20
    finally:
        if not already:
            tracemalloc.stop()


def run_case(case: Case, repeat: int) -> Result:
    """Time both sides of ``case``, measure their peak memory and compare their results.

    Parameters
    ----------
    case : Case
        The comparison to run.
    repeat : int
        Timed calls per side; the best is kept.

    Returns
    -------
    Result
    """
    if case.setup is not None:
        case.setup()
    if case.max_repeat is not None:
        repeat = min(repeat, case.max_repeat)
    (t_ours, t_ref), (r_ours, r_ref) = best_times([case.ours[1], case.reference[1]], repeat, warmup=case.warmup)
    quality = str(case.quality(r_ours, r_ref)) if case.quality is not None else ""
    del r_ours, r_ref
    if case.memory is not None:
        mem_ours, mem_ref = float(case.memory("ours")), float(case.memory("reference"))
    else:
        mem_ours = peak_memory(case.ours[1])
        mem_ref = peak_memory(case.reference[1])
    return Result(case, t_ours, t_ref, mem_ours, mem_ref, quality)


def _fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def _cell(text: str) -> str:
    """Make ``text`` safe inside a markdown table cell (``|`` would end the cell)."""
    return " ".join(str(text).split()).replace("|", r"\|")


def markdown_row(result: Result) -> str:
    """One markdown table row, columns as in :data:`HEADER`.

    Parameters
    ----------
    result : Result
        Measurements of one case.

    Returns
    -------
    str
    """
    c = result.case
    cells = [
        c.chapter,
        c.task,
        c.ours[0],
        c.reference[0],
        _fmt_time(result.t_ours),
        _fmt_time(result.t_ref),
        f"{result.ratio:.3g}",
        f"{result.mem_ours:.1f} / {result.mem_ref:.1f} ({result.mem_ours / result.mem_ref:.2g})"
        if result.mem_ref > 0 else f"{result.mem_ours:.1f} / {result.mem_ref:.1f}",
        result.quality,
    ]
    return "| " + " | ".join(_cell(x) for x in cells) + " |"
