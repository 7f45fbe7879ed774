"""The benchmark runner works (speed itself is never asserted in tests)."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_bench_runner_prints_a_markdown_table(tmp_path):
    out = tmp_path / "table.md"
    result = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick", "--filter", "distance modulus",
         "--output", str(out)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    rows = [ln for ln in result.stdout.splitlines() if ln.startswith("| 0 |")]
    assert len(rows) == 1 and "max abs diff" in rows[0]
    assert out.read_text().count("| 0 |") == 1


def test_bench_runner_rejects_bad_repeat():
    result = subprocess.run([sys.executable, "benchmarks/run.py", "--repeat", "0"], cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "--repeat must be >= 1" in result.stderr
