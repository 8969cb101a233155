"""The benchmark script's quick mode runs, so it cannot rot. Speed itself is measured by
`python benchmarks/bench.py`, never asserted here."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT, shared_path


def test_benchmark_smoke_mode_prints_every_measurement() -> None:
    shared_path("corpus", "real")
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for label in ("(a) throughput", "(b) cold start", "(b) the first run", "(c) scale", "(d) "):
        assert label in result.stdout
    assert "hadolint" in result.stdout


def test_fuzz_script_runs() -> None:
    shared_path("corpus", "real")
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "fuzz.py"), "--count", "200", "--jobs", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "200 inputs" in result.stdout and "0 failures" in result.stdout
