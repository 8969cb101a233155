"""How every command opens its inputs (dflint.read.fileio.read_input) and reports what it could
not read: special files, size, symbolic links, permissions, walks, encodings.

Permission tests need a user the permission bits apply to: CI runs as root, so dflint is
started as `nobody` with setpriv (util-linux, in every Debian), in a folder made for it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import unprivileged

from dflint.errors import InputError
from dflint.read.fileio import MAX_INPUT_BYTES, read_input

GOOD = "FROM alpine:3.20\nRUN echo $TARGETARCH\n"
COMMANDS = [
    ("lint",),
    ("parse",),
    ("platforms",),
    ("fix", "--os", "windows"),
    ("fix", "--multiarch"),
    ("render", "--platforms", "linux/amd64"),
]


def dflint(
    *args: str, cwd: Path, user: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*(user or []), sys.executable, "-m", "dflint", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        env={**os.environ, "NO_COLOR": "1"},
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 2, (result.stdout, result.stderr)


# --- special files -------------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_a_fifo_is_refused_by_every_command(tmp_path: Path, command: tuple[str, ...]) -> None:
    os.mkfifo(tmp_path / "Dockerfile")  # opening it for reading would block for ever
    name, *options = command
    result = dflint(name, "Dockerfile", *options, cwd=tmp_path)
    one_line_error(result)
    assert "not a regular file (a FIFO)" in result.stdout + result.stderr


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_a_device_is_refused_by_every_command(tmp_path: Path, command: tuple[str, ...]) -> None:
    name, *options = command
    result = dflint(name, "/dev/zero", *options, cwd=tmp_path)  # would never end
    one_line_error(result)
    assert "not a regular file (a device)" in result.stdout + result.stderr


def test_a_file_over_the_size_cap_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "Dockerfile"
    with big.open("wb") as handle:  # sparse: costs no disk
        handle.truncate(MAX_INPUT_BYTES + 1)
    (tmp_path / "ok.Dockerfile").write_text(GOOD)
    result = dflint("lint", ".", cwd=tmp_path)
    one_line_error(result)
    assert "Dockerfile:1:1: DF001 [any] file too large (64.0 MiB; dflint reads" in result.stdout
    assert "ok.Dockerfile:2:" in result.stdout
    for command in (("parse",), ("fix", "--os", "windows")):
        one_line_error(dflint(*command, "Dockerfile", cwd=tmp_path))


def test_read_input_checks_the_open_file_not_only_the_name(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text(GOOD)
    assert read_input(path) == GOOD.encode()
    with pytest.raises(InputError, match="file too large"):
        read_input(path, limit=10)
    os.mkfifo(tmp_path / "fifo")
    link = tmp_path / "link"
    link.symlink_to("fifo")
    with pytest.raises(InputError, match="a FIFO"):
        read_input(link)


# --- symbolic links ------------------------------------------------------------------------


def test_a_symlink_loop_in_a_walked_folder_is_df001_for_that_path(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "Dockerfile.x").symlink_to("Dockerfile.x")
    (tmp_path / "d" / "Dockerfile").write_text(GOOD)
    result = dflint("lint", "d", cwd=tmp_path)
    one_line_error(result)
    assert "d/Dockerfile.x:1:1: DF001 [any] symbolic link loop" in result.stdout
    assert "d/Dockerfile:2:" in result.stdout
    for command in (("parse",), ("platforms",), ("fix", "--os", "windows")):
        result = dflint(*command, "d/Dockerfile.x", cwd=tmp_path)
        one_line_error(result)
        assert "symbolic link loop" in result.stdout + result.stderr


def test_a_self_loop_dockerfile_in_the_working_folder_harms_no_other_file(
    tmp_path: Path,
) -> None:
    (tmp_path / "Dockerfile").symlink_to("Dockerfile")
    (tmp_path / "other.Dockerfile").write_text("FROM alpine:3.20\n")
    result = dflint("lint", "other.Dockerfile", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "1 file linted; no findings.\n"


def test_a_broken_link_is_named_as_one(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").symlink_to("missing")
    for command in (("lint",), ("parse",), ("platforms",)):
        result = dflint(*command, "Dockerfile", cwd=tmp_path)
        one_line_error(result)
        output = result.stderr + result.stdout
        assert output.count("Dockerfile") == 1 and "broken symbolic link" in output


# --- permissions (as an unprivileged user) -----------------------------------------------


# unprivileged() and the shared_folder fixture are in conftest.py


def test_an_unreadable_file_on_the_command_line_is_df001_not_a_usage_error(
    shared_folder: Path,
) -> None:
    (shared_folder / "Dockerfile").write_text(GOOD)
    (shared_folder / "Dockerfile").chmod(0)
    (shared_folder / "good.Dockerfile").write_text(GOOD)
    result = dflint("lint", "Dockerfile", "good.Dockerfile", cwd=shared_folder, user=unprivileged())
    one_line_error(result)
    assert "Dockerfile:1:1: DF001 [any] cannot read: Permission denied" in result.stdout
    assert "good.Dockerfile:2:" in result.stdout


def test_a_folder_that_cannot_be_listed_is_reported(shared_folder: Path) -> None:
    (shared_folder / "Dockerfile").write_text("FROM alpine:3.20\n")
    (shared_folder / "sub").mkdir()
    (shared_folder / "sub" / "Dockerfile").write_text(GOOD)
    (shared_folder / "sub").chmod(0)
    user = unprivileged()
    result = dflint("lint", ".", cwd=shared_folder, user=user)
    assert result.returncode == 0  # the file it could read is clean
    assert result.stderr == (
        "dflint: warning: sub: cannot list this folder (Permission denied): not searched\n"
    )
    assert result.stdout == "1 file linted; no findings.\n"
    only = dflint("lint", "sub", cwd=shared_folder, user=user)  # nothing at all was linted
    one_line_error(only)
    assert "dflint: error: no Dockerfiles found in sub" in only.stderr


def test_a_folder_without_dockerfiles_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "README").write_text("not a Dockerfile\n")
    result = dflint("lint", "empty", cwd=tmp_path)
    one_line_error(result)
    assert result.stderr == "dflint: error: no Dockerfiles found in empty\n"
    platforms = dflint("platforms", ".", cwd=tmp_path)
    one_line_error(platforms)
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\n")
    mixed = dflint("lint", "empty", "Dockerfile", cwd=tmp_path)
    assert mixed.returncode == 0
    assert mixed.stderr == "dflint: warning: no Dockerfiles found in empty\n"


# --- encodings -----------------------------------------------------------------------------


def test_latin1_in_a_comment_is_read_as_buildkit_reads_it(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_bytes(b"FROM alpine:3.20\n# caf\xe9 cr\xe8me\nRUN echo ok\n")
    result = dflint("lint", "--no-config", "Dockerfile", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "1 file linted; no findings.\n")
    parsed = dflint("parse", "--format", "text", "Dockerfile", cwd=tmp_path)
    assert parsed.returncode == 0 and parsed.stdout.splitlines()[1] == '3-3: (run "echo ok")'


def test_bytes_that_are_not_utf8_in_an_instruction_are_df010(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_bytes(
        b"FROM alpine:3.20\nLABEL description=caf\xe9\nRUN echo na\xefve\n"
        b"COPY <<EOF /greeting\ncaf\xe9\nEOF\n"
    )
    result = dflint("lint", "--no-config", "--format", "json", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 1
    import json

    findings = json.loads(result.stdout)["findings"]
    assert [(f["code"], f["line"], f["column"]) for f in findings] == [
        ("DF010", 2, 22),
        ("DF010", 3, 12),
    ]  # not the heredoc body (file contents, kept byte for byte)
    assert "byte 0xe9 is not UTF-8: LABEL values go into the image config" in findings[0]["message"]


def test_fix_keeps_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    source = b"# caf\xe9\nFROM --platform=linux/amd64 alpine:3.20\nRUN echo caf\xe9\n"
    (tmp_path / "Dockerfile").write_bytes(source)
    result = dflint("fix", "--multiarch", "--write", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    fixed = (tmp_path / "Dockerfile").read_bytes()
    assert fixed == source.replace(b"--platform=linux/amd64 ", b"")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_has_its_own_message(tmp_path: Path, encoding: str) -> None:
    (tmp_path / "Dockerfile").write_bytes(GOOD.encode(encoding))
    result = dflint("lint", "Dockerfile", cwd=tmp_path)
    one_line_error(result)
    assert "DF001 [any] UTF-16 text" in result.stdout
    assert "save the file as UTF-8" in result.stdout
