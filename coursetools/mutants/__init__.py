"""Planted bugs: each mutant runs one notebook with a bug in it, and the notebook's self-check must fail.

A notebook's hidden self-check (the code cells tagged ``remove-cell``) is only worth something if it
fails when the science is wrong. A *mutant* plants one such error -- drop the measurement errors from a
likelihood, flip a Fourier sign, shuffle the labels -- and runs the notebook. The mutant is

``killed``
    when a ``remove-cell`` cell raises ``AssertionError`` (the self-check caught the bug);
``survived``
    when the notebook runs to the end (the self-check passed a wrong method: a defect);
``crashed``
    when another cell raises, or a self-check raises something other than ``AssertionError``
    (the bug is caught, but not by the self-check: pick a subtler bug).

The registry lives in ``coursetools/mutants/chNN*.py`` (a list ``MUTANTS`` in each; one file per
chapter, or per part of a chapter). A bug is
planted in one of two ways, or both:

``replace``
    pairs ``(old, new)`` of text in the notebook's visible code cells; each ``old`` must occur exactly
    once in them. Self-check cells (``remove-cell``) can never be edited: a mutant may not weaken
    the check that should catch it.
``prelude``
    code run in the kernel before the notebook's first cell, e.g. to monkeypatch a function of
    ``astrolab`` that the notebook calls.

Run ``make mutants`` (or ``python -m coursetools mutants [--only 04-01] [--jobs 2]``); it prints a
line per mutant, the kill rate per chapter, writes ``_build/mutants.md`` and exits non-zero unless
every mutant is killed.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

_REPO = Path(__file__).resolve().parents[2]
_NOTEBOOK_ID = re.compile(r"^\d\d-\d\d$")


@dataclasses.dataclass(frozen=True)
class Mutant:
    """One planted bug.

    Parameters
    ----------
    notebook : str
        ``"CC-NN"``: chapter folder number and notebook number, e.g. ``"04-01"``.
    name : str
        Short name, unique within the notebook (``drop-y-errors``).
    bug : str
        One sentence: what is wrong, in the words a referee would use.
    replace : tuple of (str, str)
        Text replacements in the notebook's visible code cells; each ``old`` occurs there exactly once.
    prelude : str
        Code run before the notebook's first cell.
    """

    notebook: str
    name: str
    bug: str
    replace: tuple[tuple[str, str], ...] = ()
    prelude: str = ""

    def __post_init__(self):
        if not isinstance(self.notebook, str) or not _NOTEBOOK_ID.match(self.notebook):
            raise ValueError(f"notebook must look like '04-01' (chapter-notebook), got {self.notebook!r}")
        if not self.name or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", self.name):
            raise ValueError(f"name must be lower-case words joined by '-', got {self.name!r}")
        if not self.replace and not self.prelude:
            raise ValueError(f"mutant {self.id}: give replace=((old, new), ...) or a prelude")
        object.__setattr__(self, "replace", tuple(tuple(pair) for pair in self.replace))
        for pair in self.replace:
            if len(pair) != 2 or not all(isinstance(s, str) for s in pair) or pair[0] == pair[1] or not pair[0]:
                raise ValueError(f"mutant {self.id}: replace expects (old, new) pairs of different, "
                                 f"non-empty strings, got {pair!r}")

    @property
    def id(self) -> str:
        return f"{self.notebook}:{self.name}"


def registry() -> list[Mutant]:
    """Every mutant, in chapter order; raises ValueError on a duplicate id."""
    mutants: list[Mutant] = []
    for path in sorted(Path(__file__).parent.glob("ch*.py")):
        module = importlib.import_module(f"coursetools.mutants.{path.stem}")
        mutants.extend(module.MUTANTS)
    seen: set[str] = set()
    for m in mutants:
        if m.id in seen:
            raise ValueError(f"two mutants are called {m.id}")
        seen.add(m.id)
    return mutants


def notebook_path(notebook_id: str, root: Path | None = None) -> Path:
    """The notebook file of ``"CC-NN"`` under ``root/notebooks`` (exactly one must match)."""
    root = Path(root) if root is not None else _REPO
    chapter, number = notebook_id.split("-")
    found = sorted((root / "notebooks").glob(f"{chapter}-*/{number}-*.ipynb"))
    if len(found) != 1:
        raise ValueError(f"notebook {notebook_id!r} matches {len(found)} files under {root / 'notebooks'}")
    return found[0]


def is_check_cell(cell) -> bool:
    return cell.cell_type == "code" and "remove-cell" in cell.get("metadata", {}).get("tags", [])


def plant(mutant: Mutant, nb):
    """Return a copy of notebook ``nb`` with the mutant's bug planted; ValueError if it does not apply."""
    import copy

    import nbformat

    nb = copy.deepcopy(nb)
    visible = [c for c in nb.cells if c.cell_type == "code" and not is_check_cell(c)]
    for old, new in mutant.replace:
        hits = [c for c in visible if old in c.source]
        count = sum(c.source.count(old) for c in hits)
        if count != 1:
            where = "self-check cells only" if count == 0 and any(
                old in c.source for c in nb.cells if is_check_cell(c)) else f"{count} times"
            raise ValueError(f"mutant {mutant.id}: {old!r} occurs {where} in the visible code "
                             "(it must occur exactly once there)")
        hits[0].source = hits[0].source.replace(old, new)
    if mutant.prelude:
        compile(mutant.prelude, f"<prelude of {mutant.id}>", "exec")
        nb.cells.insert(0, nbformat.v4.new_code_cell(mutant.prelude))
    return nb


@dataclasses.dataclass
class Result:
    mutant: Mutant
    outcome: str  # killed | survived | crashed
    detail: str
    seconds: float


def _kernel_env(ipythondir: Path) -> dict:
    env = dict(os.environ, IPYTHONDIR=str(ipythondir), MPLBACKEND="agg", PYTHONWARNINGS="ignore",
               OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    mirror = _REPO.parent / "shared" / "realdata"
    if "ASTROLAB_MIRROR" not in env and mirror.is_dir():
        env["ASTROLAB_MIRROR"] = str(mirror)
    return env


def _failing_cell(nb):
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    return index, cell, out
    return None, None, None


def _assert_line(traceback: list[str]) -> str:
    """The source line of the failing ``assert`` in an IPython traceback (ANSI codes removed)."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(traceback))
    lines = [ln.strip() for ln in text.splitlines()]
    marked = [ln for ln in lines if re.match(r"-+>", ln)]
    if marked:
        return re.sub(r"^-+>\s*\d*\s*", "", marked[-1])[:160]
    return next((ln for ln in lines if "assert" in ln), "")[:160]


def run_mutant(mutant: Mutant, ipythondir: Path, timeout: int = 600) -> Result:
    """Execute the notebook with the bug planted and classify the outcome."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    path = notebook_path(mutant.notebook)
    start = time.perf_counter()
    try:
        nb = plant(mutant, nbformat.read(path, as_version=4))
    except ValueError as exc:
        return Result(mutant, "crashed", f"does not apply: {exc}", 0.0)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute(env=_kernel_env(ipythondir))
    except CellExecutionError:
        index, cell, out = _failing_cell(nb)
        seconds = time.perf_counter() - start
        if cell is None:
            return Result(mutant, "crashed", "a cell failed but no error output was found", seconds)
        number = index - (1 if mutant.prelude else 0)
        if is_check_cell(cell) and out.get("ename") == "AssertionError":
            line = _assert_line(out.get("traceback", []))
            value = (out.get("evalue") or "").replace("\n", " ")[:120]
            return Result(mutant, "killed", f"cell {number}: {line}" + (f"  -> {value}" if value else ""),
                          seconds)
        return Result(mutant, "crashed", f"cell {number} raised {out.get('ename')}: "
                      f"{(out.get('evalue') or '')[:160]}", seconds)
    except (CellTimeoutError, DeadKernelError, TimeoutError) as exc:
        return Result(mutant, "crashed", f"{type(exc).__name__}: {str(exc)[:160]}", time.perf_counter() - start)
    return Result(mutant, "survived", "every self-check passed", time.perf_counter() - start)


def run(mutants: list[Mutant], jobs: int = 2, report: Path | None = None, echo=print) -> list[Result]:
    """Run ``mutants`` on ``jobs`` kernels at once; print one line each and a summary per chapter."""
    import sys

    sys.path.insert(0, str(_REPO / "tests"))
    from offline_guard import write_profile

    ipythondir = write_profile(_REPO / "_build" / "mutants" / "ipython")
    results: list[Result] = []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for result in pool.map(lambda m: run_mutant(m, ipythondir), mutants):
            results.append(result)
            mark = {"killed": "killed  ", "survived": "SURVIVED", "crashed": "CRASHED "}[result.outcome]
            echo(f"{mark} {result.mutant.id:<40s} {result.seconds:5.1f} s  {result.detail}")
    lines = summary(results)
    for line in lines:
        echo(line)
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(markdown_report(results) + "\n")
    return results


def summary(results: list[Result]) -> list[str]:
    by_chapter: dict[str, list[Result]] = {}
    for r in results:
        by_chapter.setdefault(r.mutant.notebook[:2], []).append(r)
    lines = ["", "kill rate per chapter:"]
    for chapter, rs in sorted(by_chapter.items()):
        killed = sum(r.outcome == "killed" for r in rs)
        lines.append(f"  chapter {chapter}: {killed}/{len(rs)} killed ({100 * killed / len(rs):.0f} %)")
    killed = sum(r.outcome == "killed" for r in results)
    total = max(1, len(results))
    lines.append(f"  all: {killed}/{len(results)} killed ({100 * killed / total:.0f} %), "
                 f"{sum(r.outcome == 'survived' for r in results)} survived, "
                 f"{sum(r.outcome == 'crashed' for r in results)} crashed")
    return lines


def markdown_report(results: list[Result]) -> str:
    rows = ["| mutant | planted bug | outcome | the check that failed | s |", "|---|---|---|---|---|"]
    for r in results:
        detail = r.detail.replace("|", "\\|")
        rows.append(f"| `{r.mutant.id}` | {r.mutant.bug} | {r.outcome} | `{detail}` | {r.seconds:.0f} |")
    return "\n".join(rows + summary(results))
