"""What dflint writes: reports and names in every format (valid UTF-8 whatever the file
names hold), --output-file (atomic, never an input), stdout that cannot be written,
`fix --write` through a symbolic link, temporary files on a signal, --show-config."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

GOOD = "FROM alpine:3.20\nRUN echo $TARGETARCH\n"
NAME = os.fsdecode(b"Dockerfile.\xff")  # a file name that is not UTF-8


def dflint(*args: str, cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    if "stdout" not in kwargs:
        kwargs["capture_output"] = True
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "dflint", *args],
        cwd=cwd,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
        **kwargs,
    )


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "checkstyle"])
def test_a_name_that_is_not_utf8_is_written_as_xNN_in_every_format(
    tmp_path: Path, fmt: str
) -> None:
    (tmp_path / NAME).write_text(GOOD)
    for args in (("--format", fmt), ("--format", fmt, "--output-file", "report")):
        result = dflint("lint", *args, ".", cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        out = (tmp_path / "report").read_bytes() if "--output-file" in args else result.stdout
        text = out.decode("utf-8")  # valid UTF-8, whatever the name held
        if fmt == "json":
            assert json.loads(text)["findings"][0]["path"] == "Dockerfile.\\xff"
        elif fmt == "sarif":
            location = json.loads(text)["runs"][0]["results"][0]["locations"][0]
            # the URI names the real file: its bytes, percent-encoded
            assert location["physicalLocation"]["artifactLocation"]["uri"] == "Dockerfile.%FF"
        elif fmt == "checkstyle":
            assert ElementTree.fromstring(text).find("file").get("name") == "Dockerfile.\\xff"  # type: ignore[union-attr]
        elif fmt == "github":
            assert text.startswith("::error file=Dockerfile.\\xff,line=2,")
        else:
            assert text.startswith("Dockerfile.\\xff:2:10: DF308")


def test_parse_and_platforms_write_such_names_and_text_safely(tmp_path: Path) -> None:
    (tmp_path / NAME).write_bytes(b"FROM alpine:3.20\nRUN echo caf\xe9\n")
    parsed = dflint("parse", NAME, cwd=tmp_path)
    assert parsed.returncode == 0
    document = json.loads(parsed.stdout.decode("utf-8"))
    assert document["path"] == "Dockerfile.\\xff"
    assert document["instructions"][1]["original"] == "RUN echo caf\\xe9"
    platforms = dflint("platforms", "--format", "json", NAME, cwd=tmp_path)
    assert json.loads(platforms.stdout.decode("utf-8"))["files"][0]["path"] == "Dockerfile.\\xff"
    fix = dflint("fix", "--multiarch", "--diff", NAME, cwd=tmp_path)
    fix.stdout.decode("utf-8")
    assert b"Traceback" not in fix.stderr


def test_output_file_is_never_one_of_the_inputs(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(GOOD)
    (tmp_path / "link").symlink_to("Dockerfile")
    for target in ("Dockerfile", "./Dockerfile", "link"):
        result = dflint("lint", "--output-file", target, "Dockerfile", cwd=tmp_path)
        assert result.returncode == 2
        assert result.stderr.decode() == (
            "dflint: error: --output-file: Dockerfile is one of the files being linted; "
            "not overwritten\n"
        )
        assert (tmp_path / "Dockerfile").read_text() == GOOD


def test_output_file_is_replaced_atomically(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(GOOD)
    old = b'{"the previous report": true}\n'
    (tmp_path / "report.json").write_bytes(old)

    def small_files() -> None:  # the disk "fills up" after 100 bytes
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (100, 100))

    result = dflint(
        "lint", "-f", "json", "-o", "report.json", "Dockerfile", cwd=tmp_path,
        preexec_fn=small_files,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.decode().startswith("dflint: error: report.json: cannot write: ")
    assert (tmp_path / "report.json").read_bytes() == old  # not truncated
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Dockerfile", "report.json"]
    # a report file behind a symbolic link: the link stays, its target gets the report
    (tmp_path / "reports").mkdir()
    (tmp_path / "latest.json").symlink_to("reports/run1.json")
    assert (
        dflint("lint", "-f", "json", "-o", "latest.json", "Dockerfile", cwd=tmp_path).returncode
        == 1
    )
    assert (tmp_path / "latest.json").is_symlink()
    assert json.loads((tmp_path / "reports" / "run1.json").read_text())["findings"]


@pytest.mark.parametrize(
    "args",
    [
        ("lint", "Dockerfile"),
        ("lint", "--format", "json", "Dockerfile"),
        ("parse", "Dockerfile"),
        ("platforms", "Dockerfile"),
        ("rules",),
        ("rule", "DF308"),
        ("lint", "--show-config", "Dockerfile"),
        ("fix", "--os", "windows", "--diff", "Dockerfile"),
    ],
    ids=lambda args: " ".join(args),
)
def test_stdout_that_cannot_be_written_is_one_line_exit_2(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    (tmp_path / "Dockerfile").write_text(GOOD)
    with open("/dev/full", "wb") as full:
        result = dflint(*args, cwd=tmp_path, stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == 2
    errors = result.stderr.decode()
    assert "Traceback" not in errors  # (fix also prints its notes on the way)
    lines = errors.splitlines()
    assert lines[-1] == "dflint: error: cannot write the output: No space left on device"
    assert all(line.startswith("dflint: ") for line in lines)


def test_a_closed_pipe_ends_the_run_quietly(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(GOOD)
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before dflint writes (`| head` that has quit)
    try:
        result = dflint(
            "parse", "Dockerfile", cwd=tmp_path, stdout=write_end, stderr=subprocess.PIPE
        )
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (2, b"")


def test_fix_write_through_a_symlink_fixes_its_target(tmp_path: Path) -> None:
    (tmp_path / "real.Dockerfile").write_text("FROM --platform=linux/amd64 alpine:3.20\n")
    (tmp_path / "Dockerfile").symlink_to("real.Dockerfile")
    result = dflint("fix", "--multiarch", "--write", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert (tmp_path / "Dockerfile").is_symlink()
    assert (tmp_path / "real.Dockerfile").read_text() == "FROM alpine:3.20\n"


SLOW_FSYNC = """
import os, sys, time
real_fsync = os.fsync
def slow_fsync(fd):
    print("WRITING", flush=True)
    time.sleep(30)
    real_fsync(fd)
os.fsync = slow_fsync
sys.argv = ["dflint", *sys.argv[1:]]
from dflint.app.main import main
main()
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_write_interrupted_by_a_signal_leaves_no_temporary_file(
    tmp_path: Path, signum: int
) -> None:
    original = "FROM --platform=linux/amd64 alpine:3.20\n"
    (tmp_path / "Dockerfile").write_text(original)
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_FSYNC, "fix", "--multiarch", "--write", "Dockerfile"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "WRITING\n"  # the temporary file exists now
    assert any(p.name.endswith(".dflint") for p in tmp_path.iterdir())
    process.send_signal(signum)
    code = process.wait(timeout=60)
    assert code == (-signum if signum != signal.SIGINT else code)
    assert code != 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Dockerfile"]
    assert (tmp_path / "Dockerfile").read_text() == original


def test_temporary_files_a_killed_run_left_are_removed_by_the_next_write(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM --platform=linux/amd64 alpine:3.20\n")
    stale = tmp_path / ".Dockerfile.k1ll3d00.dflint"  # SIGKILL cannot be cleaned up after
    stale.write_text("FROM half a write")
    os.utime(stale, (0, 1_000_000_000))
    recent = tmp_path / ".Dockerfile.w0rk1ng0.dflint"  # maybe another run's, now
    recent.write_text("FROM another run")
    result = dflint("fix", "--multiarch", "--write", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".Dockerfile.w0rk1ng0.dflint",
        "Dockerfile",
    ]


def test_show_config_for_several_paths_is_valid_toml(tmp_path: Path) -> None:
    (tmp_path / "a.Dockerfile").write_text(GOOD)
    (tmp_path / "b.Dockerfile").write_text("# dflint: platform=linux/arm64\nFROM alpine:3.20\n")
    (tmp_path / NAME).write_text(GOOD)
    result = dflint(
        "lint", "--show-config", "a.Dockerfile", "b.Dockerfile", "a.Dockerfile", NAME,
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0
    document = tomllib.loads(result.stdout.decode("utf-8"))
    assert list(document) == ["a.Dockerfile", "b.Dockerfile", "Dockerfile.\\xff"]
    assert document["a.Dockerfile"]["failure-threshold"] == "warning"
    single = dflint("lint", "--show-config", "a.Dockerfile", cwd=tmp_path)
    assert tomllib.loads(single.stdout.decode())["select"] == []  # one path: top-level keys
