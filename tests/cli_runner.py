"""Run `dflint ARGS` in this process, as a user's shell would run it: exit code, stdout, stderr.

The command line is dflint's own (`dflint.app.main.run`), with standard input, output and error
replaced by UTF-8 buffers that are not terminals. Tests that need a terminal, a real pipe or
environment variables seen at start-up run `python -m dflint` in a subprocess instead.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class _Stream(io.TextIOWrapper):
    """A UTF-8 text stream over bytes, like a pipe's (never a terminal)."""

    def __init__(self, data: bytes = b"") -> None:
        super().__init__(io.BytesIO(data), encoding="utf-8", errors="surrogateescape")

    def text(self) -> str:
        self.flush()
        buffer = self.buffer
        assert isinstance(buffer, io.BytesIO)
        return buffer.getvalue().decode("utf-8", errors="surrogateescape")


@contextlib.contextmanager
def _swapped(stdin: bytes) -> Iterator[tuple[_Stream, _Stream]]:
    saved = sys.stdin, sys.stdout, sys.stderr
    out, err = _Stream(), _Stream()
    sys.stdin, sys.stdout, sys.stderr = _Stream(stdin), out, err
    try:
        yield out, err
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved


def run_cli(*args: str, cwd: Path | None = None, stdin: bytes = b"") -> Result:
    from dflint.app.main import run

    previous = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        with _swapped(stdin) as (out, err):
            try:
                code = run(list(args))
            except SystemExit as exc:  # not expected: run() returns its exit code
                code = exc.code if isinstance(exc.code, int) else 1
            return Result(code, out.text(), err.text())
    finally:
        os.chdir(previous)
