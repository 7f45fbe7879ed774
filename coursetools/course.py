"""Course housekeeping: the table of contents, notebook hygiene, the student edition and slides.

Command line::

    python -m coursetools.course student --out _build/student   # solutions removed
    python -m coursetools.course slides --out _build/slides     # reveal.js decks (lecture mode)
    python -m coursetools.course annotate-slides                 # slide metadata on every cell
    python -m coursetools.course list                            # notebooks in toc order
    python -m coursetools.course exercises-sync                  # solutions from astrolab.exercises
    python -m coursetools.course autograder --out _build/autograder  # otter autograders (instructor mode)
    python -m coursetools.course grade --autograder Z.zip S.ipynb   # grade a submission
    pip freeze | python -m coursetools.course constraints        # re-pin constraints.txt
"""

from __future__ import annotations

import argparse
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from astrolab._paths import write_text_atomic
from coursetools.slides import annotate_slides, build_slides

__all__ = ["course_root", "toc_files", "toc_notebooks", "strip_solutions", "student_edition", "write_student_edition",
           "pin_constraints", "is_directive_cell", "annotate_slides", "build_slides"]

SOLUTION_TAG = "solution"
HIDDEN_TAG = "remove-cell"


def course_root() -> Path:
    """The checkout the package is installed from (the folder holding ``toc.yml``)."""
    root = Path(__file__).resolve().parent.parent
    if not (root / "toc.yml").is_file():
        raise FileNotFoundError(f"toc.yml not found in {root}: run the course tools from a checkout of the course")
    return root


def _walk(entries) -> Iterator[str]:
    for entry in entries or []:
        if "file" in entry:
            yield entry["file"]
        for key in ("parts", "chapters", "sections"):
            yield from _walk(entry.get(key))


def toc_files(toc: str | Path | None = None) -> list[Path]:
    """Every source file named in a Jupyter Book 1 ``toc.yml``, in reading order.

    Entries have no suffix in the toc; the existing ``.ipynb`` or ``.md`` file is returned, or the
    path with ``.ipynb`` when neither exists (so a test can report it missing).
    """
    import yaml

    toc = Path(toc) if toc is not None else course_root() / "toc.yml"
    data = yaml.safe_load(toc.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "root" not in data:
        raise ValueError(f"{toc} is not a Jupyter Book table of contents (no 'root' entry)")
    names = [data["root"], *_walk(data.get("parts")), *_walk(data.get("chapters"))]
    files = []
    for name in names:
        base = toc.parent / name  # toc entries have no suffix; names may contain dots (v1.5-notes)
        candidates = [base.with_name(base.name + suffix) for suffix in (".ipynb", ".md")]
        files.append(next((path for path in candidates if path.is_file()), candidates[0]))
    return files


def toc_notebooks(toc: str | Path | None = None) -> list[Path]:
    """The notebooks of the course in reading order."""
    return [path for path in toc_files(toc) if path.suffix == ".ipynb"]


def is_directive_cell(cell, marker: str) -> bool:
    """True for a markdown cell that opens with the directive fence, e.g. ```{solution-start} ex1."""
    if cell.cell_type != "markdown":
        return False
    first = cell.source.lstrip().split("\n", 1)[0]
    return re.match(r"^(`{3,}|:{3,})\{" + re.escape(marker) + r"\}", first) is not None


def strip_solutions(nb):
    """Return a copy of notebook ``nb`` without solutions.

    Removes cells tagged ``solution`` and every cell of a gated ``{solution-start}`` ...
    ``{solution-end}`` block (sphinx-exercise syntax), so no empty dropdown is left behind.
    """
    import copy

    out = copy.deepcopy(nb)
    cells, inside = [], False
    for cell in out.cells:
        if is_directive_cell(cell, "solution-start"):
            if inside:
                raise ValueError("a {solution-start} block opens inside another one")
            inside = True
        if not inside and SOLUTION_TAG not in cell.get("metadata", {}).get("tags", []):
            cells.append(cell)
        if is_directive_cell(cell, "solution-end"):
            if not inside:
                raise ValueError(f"a {{solution-end}} cell ({cell.get('id', '?')}) has no {{solution-start}}")
            inside = False
    if inside:
        raise ValueError("a {solution-start} block has no matching {solution-end}")
    out.cells = cells
    return out


_LABEL_LINE = re.compile(r"^:label:\s*(\S+)\s*$", re.M)


def student_edition(nb):
    """Return the student edition of notebook ``nb``: what a learner opens in JupyterLab.

    :func:`strip_solutions`, and also: every cell tagged ``remove-cell`` (the hidden self-checks,
    whose bands and comments would give answers away) is dropped; each ``{exercise-start}`` fence
    becomes a plain Markdown heading that JupyterLab renders (no stray ``:label:`` lines), with the
    calls for a hint and the solution; ``{exercise-end}`` fences are dropped; outputs are cleared.
    """
    out = strip_solutions(nb)
    cells = []
    for cell in out.cells:
        if HIDDEN_TAG in cell.get("metadata", {}).get("tags", []) or is_directive_cell(cell, "exercise-end"):
            continue
        if is_directive_cell(cell, "exercise-start"):
            first, _, rest = cell.source.lstrip().partition("\n")
            title = re.sub(r"^(`{3,}|:{3,})\{exercise-start\}\s*", "", first).strip() or "Exercise"
            label = _LABEL_LINE.search(rest)
            attribute = label.group(1).replace("-", "_") if label else None
            lines = [f"### Exercise: {title}"]
            if attribute:
                lines += ["", f"*Stuck?* `ex.{attribute}.hint()` gives a hint; `ex.{attribute}.solution()` shows "
                          "a solution, but try first."]
            cell.source = "\n".join(lines)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    out.cells = cells
    return out


def write_student_edition(out: str | Path, root: str | Path | None = None, *,
                          keep_existing: bool = False) -> list[Path]:
    """Write the student edition (:func:`student_edition`) of ``root/notebooks`` to ``out``.

    With ``keep_existing`` a notebook already in ``out`` is left as it is (it holds a learner's
    work: ``make lab`` never overwrites it). Returns the notebooks written.
    """
    import nbformat

    root = Path(root) if root is not None else course_root()
    src, out = root / "notebooks", Path(out)
    if out.resolve() == src.resolve() or src.resolve() in out.resolve().parents:
        raise ValueError(f"out must lie outside {src}, got {out}")
    written = []
    for path in sorted(src.rglob("*")):
        if ".ipynb_checkpoints" in path.parts or path.is_dir():
            continue
        target = out / path.relative_to(src)
        if keep_existing and target.exists():
            continue
        if path.suffix == ".ipynb":
            nb = student_edition(nbformat.read(path, as_version=4))
            write_text_atomic(target, nbformat.writes(nb) + "\n")
            written.append(target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    return written


_CONSTRAINTS_HEADER = """\
# Exact versions that `make` installs (tested on CPython 3.11, Linux x86_64).
# torch is the CPU build; on other Python versions pip resolves the rest freely.
# Regenerate after changing pyproject.toml: make constraints
"""


def pin_constraints(freeze: str) -> str:
    """Turn ``pip freeze`` output into the text of ``constraints.txt``.

    torch is pinned without its local version label (``2.13.0``, not ``2.13.0+cpu``) so that pip
    picks the CPU wheel on disk; every other pin applies to the tested Python (3.11+) only.

    Examples
    --------
    >>> print(pin_constraints("torch==2.13.0+cpu\\nnumpy==2.4.6\\n").splitlines()[-2:])
    ['torch==2.13.0', 'numpy==2.4.6 ; python_version >= "3.11"']
    """
    lines = [ln.strip() for ln in freeze.splitlines() if ln.strip() and not ln.startswith("#")]
    torch = [ln.split("+")[0] for ln in lines if ln.lower().startswith("torch==")]
    rest = [f'{ln} ; python_version >= "3.11"' for ln in lines
            if not ln.lower().startswith(("torch==", "astrolab", "-e "))]
    return _CONSTRAINTS_HEADER + "\n".join(torch + rest) + "\n"


def main(argv: list[str] | None = None) -> int:
    import sys

    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in ("autograder", "grade"):  # instructor mode: coursetools.autograder
        from coursetools.autograder import main as autograder_main

        return autograder_main(argv)
    parser = argparse.ArgumentParser(prog="python -m coursetools.course", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    student = sub.add_parser("student", help="write the student edition (solutions removed)")
    student.add_argument("--out", default="_build/student", help="output folder")
    student.add_argument("--keep-existing", action="store_true",
                         help="leave notebooks already in --out as they are (a learner's work)")
    slides = sub.add_parser("slides", help="write a reveal.js slide deck of each notebook")
    slides.add_argument("--out", default="_build/slides", help="output folder")
    slides.add_argument("--execute", action="store_true", help="run each notebook first (outputs, figures)")
    slides.add_argument("--filter", default="", metavar="TEXT", help="only notebooks whose path contains TEXT")
    slides.add_argument("--asset", action="append", default=[], metavar="NAME=URL_OR_PATH",
                        help="load a script from a URL or a path relative to --out instead of its CDN; "
                             "NAME is reveal_url_prefix, require_js_url, jquery_url, mathjax_url or "
                             "mermaid_js_url (repeatable)")
    annotate = sub.add_parser("annotate-slides", help="add slide metadata to every cell, in place")
    annotate.add_argument("notebooks", nargs="*", type=Path,
                          help="notebook files (default: every notebook in toc.yml)")
    sub.add_parser("list", help="list the notebooks in toc order")
    sync = sub.add_parser("exercises-sync", help="write each exercise's solution from astrolab.exercises "
                          "into the notebook's solution cell")
    sync.add_argument("notebooks", nargs="*", type=Path, help="notebook files (default: every notebook in toc.yml)")
    sync.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook is out of sync")
    mutants = sub.add_parser("mutants", help="run the planted bugs: every notebook's self-check must fail")
    mutants.add_argument("--only", action="append", default=[], metavar="CC-NN[:NAME]",
                         help="only these notebooks or mutants (repeatable)")
    mutants.add_argument("--jobs", type=int, default=2, help="kernels at once (default 2)")
    mutants.add_argument("--list", action="store_true", help="list the mutants and check they apply; run none")
    mutants.add_argument("--report", default="_build/mutants.md", help="Markdown report (default %(default)s)")
    scatter = sub.add_parser("scatter", help="seed-to-seed scatter of a notebook's numbers (sizes its checks)")
    scatter.add_argument("notebook", metavar="CC-NN", help="e.g. 04-05")
    scatter.add_argument("--value", action="append", default=[], metavar="NAME=EXPR", required=True,
                         help="an expression evaluated in the kernel at the end (repeatable)")
    scatter.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                         help="replace the notebook line 'NAME = ...' (repeatable)")
    scatter.add_argument("--seeds", type=int, default=10, help="runs, seeds SEED, SEED+1, ... (default 10)")
    scatter.add_argument("--jobs", type=int, default=2, help="kernels at once (default 2)")
    scatter.add_argument("--save", action="store_true", help="merge into benchmarks/scatter/CC-NN.json")
    sub.add_parser("constraints", help="read `pip freeze` on stdin, print constraints.txt")
    args = parser.parse_args(argv)
    if args.command == "student":
        written = write_student_edition(args.out, keep_existing=args.keep_existing)
        print(f"Student edition: {len(written)} notebooks without solutions in {args.out}/")
    elif args.command == "slides":
        notebooks = [p for p in toc_notebooks() if args.filter in p.relative_to(course_root()).as_posix()]
        if not notebooks:
            parser.error(f"no notebook matches --filter {args.filter!r}")
        bad = [item for item in args.asset if "=" not in item]
        if bad:
            parser.error(f"--asset expects NAME=URL_OR_PATH, got {bad}")
        assets = dict(item.split("=", 1) for item in args.asset)
        written = build_slides(args.out, notebooks, execute=args.execute, assets=assets)
        print(f"Slides: {len(written)} decks in {args.out}/ (open {args.out}/index.html)")
    elif args.command == "exercises-sync":
        from coursetools.exercises import sync_solutions

        stale = {}
        for path in args.notebooks or toc_notebooks():
            changed = sync_solutions(path, check=args.check)
            if changed:
                stale[path] = changed
                print(f"{path}: {'out of sync' if args.check else 'solutions written'}: {', '.join(changed)}")
        if args.check and stale:
            return 1
    elif args.command == "annotate-slides":
        notebooks = args.notebooks or toc_notebooks()
        changed = {path: annotate_slides(path) for path in notebooks}
        for path, n in changed.items():
            if n:
                print(f"{path}: slide metadata on {n} cells")
        print(f"annotate-slides: {sum(1 for n in changed.values() if n)} of {len(changed)} notebooks changed")
    elif args.command == "mutants":
        from coursetools import mutants as mut

        chosen = [m for m in mut.registry()
                  if not args.only or any(m.id == o or m.notebook == o for o in args.only)]
        if not chosen:
            parser.error(f"no mutant matches --only {args.only}")
        if args.list:
            import nbformat

            for m in chosen:
                mut.plant(m, nbformat.read(mut.notebook_path(m.notebook), as_version=4))
                print(f"{m.id:<40s} {m.bug}")
            print(f"{len(chosen)} mutants, each applies")
            return 0
        results = mut.run(chosen, jobs=args.jobs, report=Path(args.report))
        return 0 if all(r.outcome == "killed" for r in results) else 1
    elif args.command == "scatter":
        from coursetools import scatter as sc

        def pairs(items, flag):
            bad = [item for item in items if "=" not in item]
            if bad:
                parser.error(f"{flag} expects NAME=..., got {bad}")
            return dict(item.split("=", 1) for item in items)

        result = sc.measure(args.notebook, pairs(args.value, "--value"), seeds=args.seeds, jobs=args.jobs,
                            settings=pairs(args.set, "--set"))
        if args.save:
            print(f"saved to {sc.save(result)}")
    elif args.command == "constraints":
        import sys

        sys.stdout.write(pin_constraints(sys.stdin.read()))
    else:
        for path in toc_notebooks():
            print(path.relative_to(course_root()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
