"""Bad input end to end: each bad file gets a one-line error or a finding, never a traceback
or a hang; the other files are still linted and the exit code is 2 when any input failed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

GOOD = "FROM alpine:3.20\nRUN echo $TARGETARCH\n"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dflint", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1"},
    )


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stdout + result.stderr


def test_ten_thousand_files(tmp_path: Path) -> None:
    for index in range(10_000):
        folder = tmp_path / f"d{index // 100}"
        folder.mkdir(exist_ok=True)
        (folder / f"{index}.Dockerfile").write_text(GOOD)
    result = run("lint", "--format", "json", ".", cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 1
    assert result.stdout.count('"code": "DF308"') == 10_000


def test_symlink_loops_and_broken_links(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "Dockerfile").write_text(GOOD)
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "a" / "self").symlink_to(tmp_path / "a" / "self")
    (tmp_path / "Dockerfile.dangling").symlink_to(tmp_path / "missing")
    result = run("lint", ".", "a/self", cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 2
    assert "a/Dockerfile:2:" in result.stdout
    assert "a/self: " in result.stderr


def test_unreadable_file_among_good_ones(tmp_path: Path) -> None:
    (tmp_path / "good.Dockerfile").write_text(GOOD)
    fifo = tmp_path / "Dockerfile"
    os.mkfifo(fifo)  # opening it would block: it must be refused, not read
    result = run("lint", ".", cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 2
    assert "Dockerfile:1:1: DF001 [any] not a regular file" in result.stdout
    assert "good.Dockerfile:2:" in result.stdout


def test_fifty_megabyte_binary_named_dockerfile(tmp_path: Path) -> None:
    chunk = bytes(range(256)) * 4096
    with (tmp_path / "Dockerfile").open("wb") as handle:
        for _ in range(50):
            handle.write(chunk)
    (tmp_path / "ok.Dockerfile").write_text(GOOD)
    result = run("lint", ".", cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 2
    assert "Dockerfile:1:1: DF001 [any] binary file (NUL byte)" in result.stdout
    assert "ok.Dockerfile:2:" in result.stdout


def test_invalid_utf8_nul_and_endless_heredoc_side_by_side(tmp_path: Path) -> None:
    (tmp_path / "a.Dockerfile").write_bytes(b"FROM alpine\n# caf\xe9\nRUN true\n")
    (tmp_path / "b.Dockerfile").write_bytes(b"FROM alpine\nRUN echo \x00\n")
    (tmp_path / "c.Dockerfile").write_bytes(b"FROM alpine\nRUN <<EOF\n" + b"echo\n" * 10_000)
    (tmp_path / "d.Dockerfile").write_text(GOOD)
    result = run("lint", ".", cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 2
    lines = result.stdout.splitlines()
    # BuildKit reads a Latin-1 comment (it never decodes): no finding for a.Dockerfile
    assert not any(line.startswith("a.Dockerfile") for line in lines)
    assert "b.Dockerfile:2:10: DF001 [any] binary file (NUL byte)" in lines
    assert any(
        line.startswith("c.Dockerfile:2:1: DF001 [any] unterminated heredoc") for line in lines
    )
    assert any(line.startswith("d.Dockerfile:2:") for line in lines)
