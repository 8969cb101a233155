"""Errors that stop dflint reading a file. Each carries the position it refers to."""

from __future__ import annotations


class DflintError(Exception):
    """Base class for errors reported to the user as one line, exit code 2."""


class InputError(DflintError):
    """A file that cannot be read as a Dockerfile: the message names the position."""

    def __init__(self, message: str, line: int = 1, column: int = 1, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.path = path

    def with_path(self, path: str) -> InputError:
        self.path = path
        return self

    def __str__(self) -> str:
        where = f"{self.path}:" if self.path else ""
        return f"{where}{self.line}:{self.column}: {self.message}"


class ConfigError(DflintError):
    """An invalid or unreadable configuration file or option."""
