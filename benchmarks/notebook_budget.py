"""The course budget: each notebook's run time and peak memory, as a markdown table (``make bench``).

Each notebook runs from top to bottom in a fresh kernel (nbclient), in its own folder, in toc
order, one at a time, with one BLAS/OpenMP thread (as under ``make test``, where pytest-xdist runs
one notebook per core). The time includes starting the kernel and ``import astrolab``. The peak
memory is the kernel's resident-memory high-water mark (``VmHWM``), or the largest resident total of
the kernel and its child processes seen by sampling, whichever is larger.

The house budget (CONVENTIONS.md): at most 60 s per notebook and 10 minutes for the whole course
on 2 CPU cores. Rows over budget are flagged; this is a report, never a test, and the exit status
is 0 unless a notebook failed to run.

Usage::

    .venv/bin/python benchmarks/notebook_budget.py [--filter TEXT] [--output FILE] [NOTEBOOK ...]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
for folder in (HERE, HERE.parent):  # benchmarks/ (there already when run as a script) and coursetools' checkout
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from astrolab._paths import write_text_atomic as write_atomic  # noqa: E402

NOTEBOOK_LIMIT_S = 60.0
TOTAL_LIMIT_S = 600.0
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
HEADER = "| # | Notebook | seconds | peak MiB | budget |\n|--:|---|--:|--:|---|"


@dataclass(frozen=True)
class Measurement:
    """Run time and peak memory of one notebook.

    Parameters
    ----------
    name : str
        The notebook, relative to ``notebooks/`` where it lies there.
    seconds : float
        Wall-clock time from starting the kernel to the end of the last cell.
    peak_mib : float
        Peak resident memory of the kernel (and its children), in MiB.
    error : str
        Empty when every cell ran; else the first line of the error.
    """

    name: str
    seconds: float
    peak_mib: float
    error: str = ""


def _hwm_mib(pid: int) -> float:
    """The resident-memory high-water mark of a live process (Linux), in MiB; 0 elsewhere."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return 0.0


class _Sampler(threading.Thread):
    """Poll the resident memory of a process tree until stopped; keep the largest total."""

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_mib = pid, interval, 0.0
        self._stop_event = threading.Event()

    def run(self) -> None:
        import psutil

        try:
            process = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._stop_event.is_set():
            try:
                total = process.memory_info().rss
                for child in process.children(recursive=True):
                    try:
                        total += child.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                return
            self.peak_mib = max(self.peak_mib, total / 2**20)
            self._stop_event.wait(self.interval)

    def stop(self) -> float:
        self._stop_event.set()
        self.join()
        return self.peak_mib


def measure_notebook(path: str | Path, *, name: str | None = None, threads: int = 1,
                     timeout: int = 600) -> Measurement:
    """Run a notebook in a fresh kernel and measure it.

    Parameters
    ----------
    path : str or Path
        The ``.ipynb`` file; it runs in its own folder and is not modified.
    name : str, optional
        Name for the table (default: the file name).
    threads : int, default 1
        BLAS/OpenMP threads of the kernel.
    timeout : int, default 600
        Seconds allowed per cell.

    Returns
    -------
    Measurement
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    path = Path(path)
    if path.suffix != ".ipynb" or not path.is_file():
        raise ValueError(f"path must be an existing .ipynb file, got {str(path)!r}")
    if threads < 1:
        raise ValueError(f"threads must be >= 1, got {threads}")
    nb = nbformat.read(path, as_version=4)
    env = {**os.environ, **dict.fromkeys(THREAD_VARIABLES, str(threads))}
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.resolve().parent)}})
    error, hwm, sampler = "", 0.0, None
    start = time.perf_counter()
    try:
        with client.setup_kernel(env=env, cwd=str(path.resolve().parent)):
            pid = client.km.provisioner.pid
            sampler = _Sampler(pid)
            sampler.start()
            try:
                for index, cell in enumerate(nb.cells):
                    client.execute_cell(cell, index)
            finally:
                hwm = _hwm_mib(pid)  # before the kernel shuts down
    except (CellExecutionError, CellTimeoutError, RuntimeError) as exc:
        message = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip()  # no terminal colours
        error = f"{type(exc).__name__}: {message.splitlines()[-1] if message else ''}".replace("|", "\\|")
    seconds = time.perf_counter() - start
    sampled = sampler.stop() if sampler is not None else 0.0
    return Measurement(name or path.name, seconds, max(hwm, sampled), error)


def report(measurements: list[Measurement], *, notebook_limit: float = NOTEBOOK_LIMIT_S,
           total_limit: float = TOTAL_LIMIT_S) -> str:
    """The markdown table of the measurements, with the total and the budget verdicts.

    Parameters
    ----------
    measurements : list of Measurement
    notebook_limit, total_limit : float
        The budget per notebook and for the course, in seconds.

    Returns
    -------
    str

    Examples
    --------
    >>> print(report([Measurement("a.ipynb", 1.25, 200.0), Measurement("b.ipynb", 75.0, 900.5)]))
    | # | Notebook | seconds | peak MiB | budget |
    |--:|---|--:|--:|---|
    | 1 | a.ipynb | 1.2 | 200 | ok |
    | 2 | b.ipynb | 75.0 | 900 | **over 60 s** |
    | | **total (2 notebooks)** | **76.2** | max 900 | ok (limit 600 s) |
    <BLANKLINE>
    Over budget: 1 notebook(s) over 60 s: b.ipynb.
    """
    rows = [HEADER]
    for number, m in enumerate(measurements, 1):
        verdict = (f"**failed**: {m.error}" if m.error
                   else f"**over {notebook_limit:g} s**" if m.seconds > notebook_limit else "ok")
        rows.append(f"| {number} | {m.name} | {m.seconds:.1f} | {m.peak_mib:.0f} | {verdict} |")
    total = sum(m.seconds for m in measurements)
    peak = max((m.peak_mib for m in measurements), default=0.0)
    verdict = f"**over** (limit {total_limit:g} s)" if total > total_limit else f"ok (limit {total_limit:g} s)"
    rows.append(f"| | **total ({len(measurements)} notebooks)** | **{total:.1f}** | max {peak:.0f} | {verdict} |")
    slow = [m.name for m in measurements if m.seconds > notebook_limit]
    over = [f"{len(slow)} notebook(s) over {notebook_limit:g} s: {', '.join(slow)}."] if slow else []
    if total > total_limit:
        over.append(f"The course takes {total:.0f} s, over {total_limit:g} s.")
    summary = "Over budget: " + " ".join(over) if over else "Within budget."
    failed = [m.name for m in measurements if m.error]
    if failed:
        summary += f" {len(failed)} notebook(s) failed: {', '.join(failed)}."
    rows += ["", summary]
    return "\n".join(rows)


def course_notebooks(text: str = "") -> list[tuple[str, Path]]:
    """``(name, path)`` of the course's notebooks in toc order, those whose path contains ``text``."""
    from coursetools.course import course_root, toc_notebooks

    base = course_root() / "notebooks"
    found = [(path.relative_to(base).as_posix(), path) for path in toc_notebooks()]
    return [(name, path) for name, path in found if text.lower() in name.lower()]


def main(argv: list[str] | None = None) -> int:
    """Measure the notebooks and print the table; return 0 unless a notebook failed to run.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: the course, toc order)")
    parser.add_argument("--filter", default="", metavar="TEXT",
                        help="only notebooks whose path below notebooks/ contains TEXT (case-insensitive)")
    parser.add_argument("--output", type=Path, metavar="FILE", help="also write the report to FILE (markdown)")
    parser.add_argument("--threads", type=int, default=1, metavar="N", help="BLAS/OpenMP threads per kernel (1)")
    parser.add_argument("--timeout", type=int, default=600, metavar="S", help="seconds allowed per cell (600)")
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error(f"--threads must be >= 1, got {args.threads}")
    if args.output is not None and not args.output.parent.is_dir():
        parser.error(f"--output folder does not exist: {args.output.parent}")
    if args.notebooks:
        chosen = [(str(p), p) for p in args.notebooks if args.filter.lower() in str(p).lower()]
    else:
        chosen = course_notebooks(args.filter)
    if not chosen:
        parser.error(f"no notebook matches --filter {args.filter!r}")

    intro = (f"Notebook budget on {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}: "
             f"each notebook in a fresh kernel, {args.threads} BLAS thread(s), "
             f"MPLBACKEND={os.environ.get('MPLBACKEND', '(unset: inline)')}.")
    print(intro, "", HEADER, sep="\n", flush=True)
    measurements = []
    for number, (name, path) in enumerate(chosen, 1):
        m = measure_notebook(path, name=name, threads=args.threads, timeout=args.timeout)
        measurements.append(m)
        print(report([m]).splitlines()[2].replace("| 1 |", f"| {number} |", 1), flush=True)
    text = intro + "\n\n" + report(measurements)
    print("\n".join(report(measurements).splitlines()[len(measurements) + 2:]))
    if args.output is not None:
        write_atomic(args.output, text + "\n")
    return 1 if any(m.error for m in measurements) else 0


if __name__ == "__main__":
    sys.exit(main())
