"""Writes under faults: the original is intact whatever fails, and nothing is overwritten
without --write/--force."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import unprivileged

from dflint.generate import files
from dflint.generate.files import Change, WriteError, refusal, unified_diff, write_atomic
from dflint.generate.run import Outcome, apply_changes

ORIGINAL = b"FROM alpine:3.20\nRUN echo original\n"
NEW = b"FROM alpine:3.20\nRUN echo new\n"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".dflint"))


def test_write_replaces_the_file_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "Dockerfile"
    target.write_bytes(ORIGINAL)
    target.chmod(0o640)
    write_atomic(target, NEW, ORIGINAL)
    assert target.read_bytes() == NEW
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == []


def test_a_new_file_gets_the_umask_mode_not_mkstemps(tmp_path: Path) -> None:
    target = tmp_path / "Dockerfile.windows"
    old = os.umask(0o022)
    try:
        write_atomic(target, NEW, None)
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_a_failed_rename_leaves_the_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "Dockerfile"
    target.write_bytes(ORIGINAL)

    def broken_replace(source: object, destination: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", broken_replace)
    with pytest.raises(WriteError, match="No space left on device"):
        write_atomic(target, NEW, ORIGINAL)
    assert target.read_bytes() == ORIGINAL
    assert leftovers(tmp_path) == []


def test_a_failed_fsync_leaves_the_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "Dockerfile"
    target.write_bytes(ORIGINAL)

    def broken_fsync(descriptor: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(files.os, "fsync", broken_fsync)
    with pytest.raises(WriteError, match="Input/output error"):
        write_atomic(target, NEW, ORIGINAL)
    assert target.read_bytes() == ORIGINAL
    assert leftovers(tmp_path) == []


def test_a_read_only_target_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "Dockerfile"
    target.write_bytes(ORIGINAL)
    target.chmod(0o444)
    with pytest.raises(WriteError, match="read-only"):
        write_atomic(target, NEW, ORIGINAL)
    assert target.read_bytes() == ORIGINAL
    assert leftovers(tmp_path) == []


def test_a_read_only_folder_is_an_error_not_a_traceback(shared_folder: Path) -> None:
    folder = shared_folder / "ro"
    folder.mkdir()
    (folder / "Dockerfile").write_bytes(ORIGINAL)
    folder.chmod(0o555)
    # as `nobody` when the tests run as root, who writes into read-only folders
    result = subprocess.run(
        [*unprivileged(), sys.executable, "-m", "dflint", "fix", "Dockerfile", "--os", "windows"],
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "dflint: error: Dockerfile.windows: cannot write in .: Permission denied" in (
        result.stderr.splitlines()
    )
    assert "Traceback" not in result.stdout + result.stderr
    assert sorted(os.listdir(folder)) == ["Dockerfile"]  # no variant, no temporary file
    assert (folder / "Dockerfile").read_bytes() == ORIGINAL


def test_a_file_changed_between_read_and_write_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "Dockerfile"
    target.write_bytes(ORIGINAL)
    edited = b"FROM alpine:3.20\nRUN echo edited by someone else\n"
    real_mkstemp = tempfile.mkstemp

    def mkstemp_then_edit(*args: object, **kwargs: object) -> tuple[int, str]:
        # another writer saves the file after dflint read it, while dflint writes its copy
        result = real_mkstemp(*args, **kwargs)  # type: ignore[call-overload]
        target.write_bytes(edited)
        return result  # type: ignore[no-any-return]

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp_then_edit)
    with pytest.raises(WriteError, match="changed on disk"):
        write_atomic(target, NEW, ORIGINAL)
    assert target.read_bytes() == edited
    assert leftovers(tmp_path) == []


def test_a_file_that_appeared_meanwhile_is_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "Dockerfile.windows"
    target.write_bytes(ORIGINAL)  # created after dflint found no file there
    with pytest.raises(WriteError, match="changed on disk"):
        write_atomic(target, NEW, None)
    assert target.read_bytes() == ORIGINAL


def test_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "Dockerfile.windows"
    os.mkfifo(fifo)
    with pytest.raises(WriteError, match="not a regular file"):
        write_atomic(fifo, NEW, None)


def change(tmp_path: Path, old: bytes | None, variant: bool) -> Change:
    path = tmp_path / "Dockerfile.windows"
    if old is not None:
        path.write_bytes(old)
    return Change(path, path.name, old, NEW.decode(), variant)


GENERATED = b"# escape=`\n# Generated by dflint fix from Dockerfile for windows/amd64. x\nFROM a\n"


@pytest.mark.parametrize(
    ("old", "variant", "write", "force", "refused"),
    [
        (None, True, False, False, False),  # a new file: always
        (GENERATED, True, False, False, True),  # a generated variant: --write
        (GENERATED, True, True, False, False),
        (ORIGINAL, True, True, False, True),  # a hand-written file in the way: --force only
        (ORIGINAL, True, False, True, False),
        (ORIGINAL, False, False, False, True),  # the file being fixed: --write
        (ORIGINAL, False, True, False, False),
    ],
)
def test_what_may_be_overwritten(
    tmp_path: Path, old: bytes | None, variant: bool, write: bool, force: bool, refused: bool
) -> None:
    assert (refusal(change(tmp_path, old, variant), write, force) is not None) == refused


def test_apply_changes_prints_fixing_and_refuses_quietly(tmp_path: Path) -> None:
    out: list[str] = []
    err: list[str] = []
    outcome = Outcome(out.append, err.append)
    hand_written = change(tmp_path, ORIGINAL, True)
    apply_changes([hand_written], diff=False, write=True, force=False, outcome=outcome)
    assert out == [] and "--force" in err[0]
    assert hand_written.path.read_bytes() == ORIGINAL
    assert outcome.exit_code() == 1
    apply_changes([hand_written], diff=False, write=False, force=True, outcome=outcome)
    assert out == ["Fixing Dockerfile.windows"]
    assert hand_written.path.read_bytes() == NEW


def test_diff_writes_nothing(tmp_path: Path) -> None:
    out: list[str] = []
    outcome = Outcome(out.append, out.append)
    item = change(tmp_path, ORIGINAL, False)
    apply_changes([item], diff=True, write=True, force=True, outcome=outcome)
    assert item.path.read_bytes() == ORIGINAL
    assert out[0].startswith("--- a/Dockerfile.windows\n+++ b/Dockerfile.windows\n")
    assert "-RUN echo original\n+RUN echo new" in out[0]
    assert outcome.exit_code() == 1


def test_unified_diff_of_a_new_file() -> None:
    text = unified_diff("Dockerfile.windows", None, "a\nb")
    assert text.startswith("--- /dev/null\n+++ b/Dockerfile.windows\n")
    assert text.endswith("+b\n\\ No newline at end of file\n")
