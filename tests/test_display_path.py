"""The paths in messages: the quick prefix cut gives what os.path.relpath gave."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dflint.read.discovery import display_path


def by_relpath(path: Path) -> str:
    """The definition: relative to the working directory when below it."""
    shown = os.path.relpath(path)
    if shown.startswith(".."):
        shown = str(path)
    return shown.replace(os.sep, "/")


@pytest.mark.parametrize(
    "written",
    [
        "Dockerfile",
        "a/b/Dockerfile",
        "./a//b/./Dockerfile",
        "a/../b/Dockerfile",
        "../outside/Dockerfile",
        "{cwd}/Dockerfile",
        "{cwd}/deep/er/Dockerfile",
        "{cwd}",
        "{cwd}/../sibling/Dockerfile",
        "{cwd}x/Dockerfile",  # a sibling folder whose name starts with the working folder's
        "/etc/Dockerfile",
        "/",
    ],
)
def test_the_same_as_relpath(written: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cwd = tmp_path / "work"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    path = Path(written.format(cwd=os.getcwd()))
    assert display_path(path) == by_relpath(path)


def test_at_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/")
    for written in ("/etc/Dockerfile", "etc/Dockerfile", "/"):
        assert display_path(Path(written)) == by_relpath(Path(written))
