"""The benchmark runner works (speed itself is never asserted in tests)."""

import subprocess
import sys
from pathlib import Path

import pytest

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


def test_slow_cases_can_skip_the_warm_up_and_cap_the_repeats():
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from _harness import Case, best_times, run_case
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    calls = []

    def ours():
        calls.append("ours")
        return 1

    _, results = best_times([ours], 3, warmup=False)
    assert calls == ["ours"] * 3 and results == [1]
    calls.clear()
    case = Case("0", "counting", ("ours", ours), ("theirs", lambda: 1), max_repeat=1, warmup=False,
                memory=lambda side: 0.0)
    run_case(case, repeat=5)
    assert calls == ["ours"]
    with pytest.raises(TypeError, match="max_repeat"):
        Case("0", "bad", ("ours", ours), ("theirs", ours), max_repeat=0)
