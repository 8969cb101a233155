"""A shell reader that raises is a dflint bug: recorded apart from a broken script, reported
as an internal error, and caught by the fuzz and never-raises checks.

The readers catch their own exceptions so that one bad script does not stop a lint (the other
rules and instructions still report). Before, a caught exception only marked the script as
unparsed, like a script with a syntax error, so a tokenizer that always raised passed every
fuzz test. These tests make each reader raise and show each check now fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, dflint_cli, lint
from test_corpus_never_raises import shell_readers_fail_on
from test_fuzz import lint_never_crashes, shell_parsers_never_fail

from dflint.analyse.shell import _ts, cmd, posix
from dflint.lint.engine import Options, lint_bytes
from dflint.read.parser import parse_text

WINDOWS = (
    "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir /B && echo %PATH%\nCMD uname -a\n"
)
LINUX = "FROM alpine:3.20\nRUN [[ -f /x ]] && ls\nRUN echo $TARGETARCH\n"


@pytest.fixture(autouse=True)
def _no_kept_scripts() -> None:
    # a script read earlier in this process is reused, not read again: the reader these tests
    # break would never be asked
    from dflint.analyse.shell import view

    view.forget_scripts()


def boom(*args: object, **kwargs: object) -> Any:
    raise ZeroDivisionError("a bug in a reader")


class RaisingParser:
    def parse(self, data: bytes) -> Any:
        raise ZeroDivisionError("a bug in tree-sitter's use")


def test_a_cmd_tokenizer_that_raises_fails_the_fuzz_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cmd, "tokenize", boom)
    with pytest.raises(AssertionError, match="the cmd parser failed on line 2"):
        lint_never_crashes(WINDOWS.encode())
    with pytest.raises(AssertionError, match="parse_cmd"):
        shell_parsers_never_fail("dir /B")
    assert shell_readers_fail_on(parse_text(WINDOWS)) == [
        "the cmd parser failed on line 2 (shell form): ZeroDivisionError: a bug in a reader"
        f" at {Path(__file__).name}:{boom.__code__.co_firstlineno + 1}",
        "the cmd parser failed on line 3 (shell form): ZeroDivisionError: a bug in a reader"
        f" at {Path(__file__).name}:{boom.__code__.co_firstlineno + 1}",
    ]


def test_a_tree_sitter_parse_that_raises_fails_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_ts, "parser", lambda grammar: RaisingParser())
    with pytest.raises(AssertionError, match="the posix parser failed on line 2"):
        lint_never_crashes(LINUX.encode())
    with pytest.raises(AssertionError, match="parse_posix"):
        shell_parsers_never_fail("ls")
    assert len(shell_readers_fail_on(parse_text(LINUX))) == 2


def test_a_tree_walk_that_raises_fails_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(posix._Walker, "visit", boom)
    with pytest.raises(AssertionError, match="the posix parser failed on line 2"):
        lint_never_crashes(LINUX.encode())
    with pytest.raises(AssertionError, match="parse_posix"):
        shell_parsers_never_fail("ls")


def test_the_user_sees_an_internal_error_and_the_other_findings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(cmd, "tokenize", boom)
    (tmp_path / "Dockerfile").write_text(WINDOWS + "FROM alpine:3.20\nRUN echo $TARGETARCH\n")
    code, out, err = dflint_cli("lint", "Dockerfile", cwd=tmp_path)
    assert code == 2  # an internal error is never a clean run
    assert (
        "Dockerfile: internal error: the cmd parser failed on line 2 (shell form): "
        "ZeroDivisionError: a bug in a reader" in err
    )
    assert "Dockerfile:5:" in out and "DF308" in out  # the rest of the file was linted


def test_a_broken_script_is_not_a_reader_failure() -> None:
    """A syntax error is the script's: marked, findings kept, no internal error."""
    text = "FROM alpine:3.20\nRUN if then fi ( && echo $TARGETARCH\n"
    result = lint_bytes(text.encode(), "Dockerfile", Options(no_config=True))
    assert result.internal_errors == []
    assert [(f.code, f.line) for f in lint(text) if f.code == "DF308"] == [("DF308", 2)]
    source = posix.parse_posix("if then fi (", _map(), "shell form")
    assert source.errors and source.failure is None


def test_the_long_fuzz_run_fails_on_a_reader_that_raises(tmp_path: Path) -> None:
    """benchmarks/fuzz.py, with the cmd tokenizer made to raise in its processes."""
    (tmp_path / "sitecustomize.py").write_text(
        "import dflint.analyse.shell.cmd\n"
        "def _raise(text):\n"
        "    raise ZeroDivisionError('a bug in a reader')\n"
        "dflint.analyse.shell.cmd.tokenize = _raise\n"
    )
    command = [sys.executable, str(ROOT / "benchmarks" / "fuzz.py"), "--count", "20"]
    result = subprocess.run(
        [*command, "--jobs", "1", "--targets", "shell"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "20 inputs" in result.stdout and " 0 failures" not in result.stdout
    assert "parse_cmd" in result.stdout and "ZeroDivisionError" in result.stdout


def _map() -> Any:
    from dflint.analyse.shell.source import SourceMap

    source = SourceMap()
    source.add(0, 1, 1)
    return source
