"""Seed-to-seed scatter of a notebook's key numbers, to size its self-check tolerances.

``python -m coursetools scatter 04-05 --seeds 10 --value "width=c_sd[0]" --value "bias=c_mean[0]-2"``
runs the notebook ``--seeds`` times, with its ``SEED = N`` line set to ``N, N+1, ...`` (the first run is
the notebook as it ships), and evaluates each ``--value`` expression in the kernel at the end. Self-check
cells still run, but their failures do not stop the run (the values are what is wanted). It prints, per
value, the mean, the standard deviation over seeds and the two-sided band ``mean +- 3 sd`` that the
standards ask a self-check to use, and with ``--save`` writes them to ``benchmarks/scatter/CC-NN.json``
(the record behind each tolerance).

``--set NAME=VALUE`` replaces another ``NAME = ...`` line in the notebook too (e.g. a number of live points).
"""

from __future__ import annotations

import json
import math
import re
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from coursetools.mutants import _REPO, _kernel_env, notebook_path

_MARK = "__ASTROLAB_SCATTER__"


def _set_assignment(nb, name: str, value: str) -> int:
    """Replace the line ``name = ...`` (the first one, at the start of a line) in the code; return its old value."""
    pattern = re.compile(rf"^({re.escape(name)}\s*=\s*)([^#\n]*?)(\s*(#.*)?)$", re.M)
    for cell in nb.cells:
        if cell.cell_type == "code":
            match = pattern.search(cell.source)
            if match:
                cell.source = cell.source[:match.start(2)] + value + cell.source[match.end(2):]
                return match.group(2)
    raise ValueError(f"no line '{name} = ...' in the notebook's code")


def _seed_value(text: str) -> int:
    """The shipped seed of a ``SEED = ...`` line: ``4`` or ``al.exercises.seed(4, "01-04")`` (a
    per-student variant of 4, which the scatter replaces by the literal seeds 4, 5, ...)."""
    match = re.fullmatch(r"\s*(?:\w+\.)*seed\(\s*(\d+)\s*(?:,[^)]*)?\)\s*|\s*(\d+)\s*", text)
    if not match:
        raise ValueError(f"the notebook's SEED line should be an integer or al.exercises.seed(N, ...), got {text!r}")
    return int(match.group(1) or match.group(2))


def run_seed(notebook_id: str, offset: int, values: dict[str, str], settings: dict[str, str],
             ipythondir: Path, timeout: int = 900) -> dict:
    import nbformat
    from nbclient import NotebookClient

    path = notebook_path(notebook_id)
    nb = nbformat.read(path, as_version=4)
    for name, value in settings.items():
        _set_assignment(nb, name, value)
    base = _seed_value(_set_assignment(nb, "SEED", "0"))
    seed = base + offset
    _set_assignment(nb, "SEED", str(seed))
    probe = ("import json as _j, numpy as _np\n"
             "_vals = {}\n"
             + "".join(f"try:\n    _vals[{k!r}] = float(_np.asarray({v}))\nexcept Exception as _e:\n"
                       f"    _vals[{k!r}] = repr(_e)\n" for k, v in values.items())
             + f"print({_MARK!r} + _j.dumps(_vals))")
    nb.cells.append(nbformat.v4.new_code_cell(probe))
    start = time.perf_counter()
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute(env=_kernel_env(ipythondir))
    failed = [i for i, c in enumerate(nb.cells[:-1]) if c.cell_type == "code"
              and any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    text = "".join(o.get("text", "") for o in nb.cells[-1].get("outputs", []))
    found = json.loads(text.split(_MARK, 1)[1]) if _MARK in text else {k: "no output" for k in values}
    return {"seed": seed, "values": found, "failed_cells": failed, "seconds": round(time.perf_counter() - start, 1)}


def measure(notebook_id: str, values: dict[str, str], seeds: int = 10, jobs: int = 2,
            settings: dict[str, str] | None = None, echo=print) -> dict:
    import sys

    if seeds < 2:
        raise ValueError(f"seeds must be at least 2 to measure a scatter, got {seeds}")
    if not values:
        raise ValueError("give at least one --value NAME=EXPRESSION")
    sys.path.insert(0, str(_REPO / "tests"))
    from offline_guard import write_profile

    ipythondir = write_profile(_REPO / "_build" / "scatter" / "ipython")
    settings = settings or {}
    runs = []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for run in pool.map(lambda k: run_seed(notebook_id, k, values, settings, ipythondir), range(seeds)):
            runs.append(run)
            shown = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in run["values"].items())
            echo(f"seed {run['seed']:>6d} ({run['seconds']:5.1f} s): {shown}"
                 + (f"   [cells {run['failed_cells']} raised]" if run["failed_cells"] else ""))
    stats = {}
    for name in values:
        # a value that is not a finite number (an exception's text, NaN, inf) is left out and counted
        xs = [r["values"][name] for r in runs
              if isinstance(r["values"].get(name), float) and math.isfinite(r["values"][name])]
        if len(xs) < 2:
            stats[name] = {"n": len(xs)}
            echo(f"{name:>20s}: only {len(xs)} finite values of {len(runs)}: no scatter")
            continue
        mean, sd = statistics.fmean(xs), statistics.stdev(xs)
        stats[name] = {"n": len(xs), "expression": values[name], "mean": mean, "sd": sd,
                       "min": min(xs), "max": max(xs), "band_3sd": [mean - 3 * sd, mean + 3 * sd],
                       "shipped_seed_value": runs[0]["values"].get(name)}
        echo(f"{name:>20s}: mean {mean:.5g}  sd {sd:.3g}  range [{min(xs):.5g}, {max(xs):.5g}]  "
             f"3 sd band [{mean - 3 * sd:.5g}, {mean + 3 * sd:.5g}]  (n = {len(xs)} of {len(runs)})")
    return {"notebook": notebook_id, "settings": settings, "seeds": [r["seed"] for r in runs],
            "stats": stats, "runs": runs}


def save(result: dict, folder: Path | None = None) -> Path:
    """Merge ``result`` into ``benchmarks/scatter/CC-NN.json`` (values measured before are kept)."""
    from astrolab._paths import write_text_atomic

    folder = Path(folder) if folder is not None else _REPO / "benchmarks" / "scatter"
    path = folder / f"{result['notebook']}.json"
    record = json.loads(path.read_text()) if path.is_file() else {"notebook": result["notebook"], "values": {}}
    for name, stat in result["stats"].items():
        record["values"][name] = dict(stat, seeds=result["seeds"], settings=result["settings"])
    folder.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(record, indent=1, sort_keys=True) + "\n")
    return path
