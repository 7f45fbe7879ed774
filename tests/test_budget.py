"""The notebook budget report works (the budget itself is reported, never asserted in tests)."""

import subprocess
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

REPO = Path(__file__).resolve().parents[1]


def _budget_module():
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import notebook_budget
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    return notebook_budget


def _run(*args):
    return subprocess.run([sys.executable, "benchmarks/notebook_budget.py", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=300)


def test_budget_of_a_tiny_notebook(tmp_path):
    good = tmp_path / "tiny.ipynb"
    nbformat.write(new_notebook(cells=[
        new_code_cell("import os\nimport numpy as np\nprint(os.environ['OMP_NUM_THREADS'])"),
        new_code_cell("a = np.ones(200 * 2**20 // 8)  # 200 MiB, touched\nopen('here.txt', 'w').write('x')"),
    ]), good)
    bad = tmp_path / "broken.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("raise ValueError('broken on purpose')")]), bad)
    out = tmp_path / "budget.md"
    result = _run(good, bad, "--output", out)
    assert result.returncode == 1, result.stderr  # a notebook failed
    rows = [line for line in out.read_text().splitlines() if line.startswith("| ")]
    assert rows[1].startswith(f"| 1 | {good} |") and rows[1].endswith("| ok |")
    seconds, peak = (float(x) for x in rows[1].split("|")[3:5])
    assert 0 < seconds < 300 and peak >= 200
    assert rows[2].startswith(f"| 2 | {bad} |") and "failed" in rows[2] and "broken on purpose" in rows[2]
    assert "**total (2 notebooks)**" in rows[3]
    assert (tmp_path / "here.txt").is_file()  # each notebook runs in its own folder
    assert "1 notebook(s) failed" in out.read_text() and "| ok |" in result.stdout


def test_budget_command_line_errors():
    result = _run("--filter", "no such notebook anywhere")
    assert result.returncode == 2 and "no notebook matches" in result.stderr
    result = _run("--threads", "0")
    assert result.returncode == 2 and "--threads must be >= 1" in result.stderr


def test_report_flags_slow_notebooks_and_a_long_course():
    budget = _budget_module()
    slow = [budget.Measurement(f"n{i}.ipynb", 70.0, 100.0) for i in range(10)]
    text = budget.report(slow)
    assert text.count("**over 60 s**") == 10
    assert "**over** (limit 600 s)" in text and "The course takes 700 s" in text
    assert budget.report([budget.Measurement("a.ipynb", 5.0, 10.0)]).endswith("Within budget.")
