"""Which files a `dflint lint PATH...` run looks at."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dflint.read.fileio import check_input

PATTERNS = ("Dockerfile", "Dockerfile.*", "*.Dockerfile", "*.dockerfile", "dockerfile")
_SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "__pycache__", ".tox"})


def is_dockerfile_name(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in PATTERNS)


def display_path(path: Path) -> str:
    """Relative to the working directory when below it, always with forward slashes."""
    try:
        shown = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        shown = str(path)
    if shown.startswith(".."):
        shown = str(path)
    return shown.replace(os.sep, "/")


@dataclass(frozen=True, slots=True)
class Found:
    """One result of :func:`expand`: a file to read, or a path that could not be used."""

    path: Path
    problem: str | None = None  # why the path cannot be used (an error)
    warning: str | None = None  # a folder that could not be searched, or held no Dockerfile


def expand(paths: list[Path]) -> Iterator[tuple[Path, str | None]]:
    """(file, None) for each file to lint, or (path, error) for a path that cannot be used.

    Files named on the command line are linted whatever their name; directories are searched
    for Dockerfile names. Symbolic links to directories are not followed, so loops end.
    Folders that cannot be searched are left out here; :func:`search` reports them.
    """
    for item in search(paths):
        if item.warning is None:
            yield item.path, item.problem


def search(paths: list[Path]) -> Iterator[Found]:
    """What :func:`expand` yields, plus a warning for each folder that could not be listed
    (its files were not seen) and for each folder argument that holds no Dockerfile."""
    for path in paths:
        if path.is_dir():
            found: list[Path] = []
            unlisted: list[Found] = []

            def failed(exc: OSError, unlisted: list[Found] = unlisted, top: Path = path) -> None:
                where = Path(exc.filename) if exc.filename else top
                reason = exc.strerror or str(exc)
                unlisted.append(
                    Found(where, warning=f"cannot list this folder ({reason}): not searched")
                )

            for folder, dirs, files in os.walk(path, onerror=failed, followlinks=False):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
                for name in files:
                    if is_dockerfile_name(name):
                        found.append(Path(folder, name))
            yield from unlisted
            for item in sorted(found):
                yield Found(item)
            if not found:
                yield Found(path, warning="no Dockerfiles found in this folder")
        elif path.exists():
            yield Found(path)
        else:
            yield Found(path, problem=check_input(path) or "no such file or directory")
