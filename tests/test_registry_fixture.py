"""The registry fixture itself: without the binary it skips, or fails under CI; a binary that
does not start fails at once with its log, never hangs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = "tests/test_platforms_registry.py::test_a_missing_tag_is_unknown_and_remembered"


def run_probe(registry_bin: str, ci: bool) -> tuple[subprocess.CompletedProcess[str], float]:
    environment = {k: v for k, v in os.environ.items() if k != "CI"}
    environment["REGISTRY_BIN"] = registry_bin
    if ci:
        environment["CI"] = "1"
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rsfE", "-p", "no:cacheprovider", PROBE],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=environment,
    )
    return done, time.monotonic() - start


@pytest.mark.parametrize("ci", [False, True])
def test_a_missing_binary(tmp_path: Path, ci: bool) -> None:
    done, _ = run_probe(str(tmp_path / "no-such-registry"), ci)
    hint = "no CNCF Distribution registry binary: apt-get install docker-registry"
    assert hint in done.stdout
    if ci:
        assert done.returncode == 1
        assert "CI is set, so the registry tests must run" in done.stdout
    else:
        assert done.returncode == 0
        assert "2 skipped" in done.stdout  # both registry kinds of the parametrised test


def test_a_binary_that_does_not_start_fails_fast(tmp_path: Path) -> None:
    fake = tmp_path / "registry"
    fake.write_text("#!/bin/sh\necho 'listen tcp: address already in use' >&2\nexit 1\n")
    fake.chmod(0o755)
    done, elapsed = run_probe(str(fake), ci=True)
    assert done.returncode == 1
    assert "did not start on 127.0.0.1" in done.stdout
    assert "address already in use" in done.stdout  # the registry's own log, to see why
    assert elapsed < 60
