"""Which files a `dflint lint PATH...` run looks at."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from pathlib import Path

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


def expand(paths: list[Path]) -> Iterator[tuple[Path, str | None]]:
    """(file, None) for each file to lint, or (path, error) for a path that cannot be used.

    Files named on the command line are linted whatever their name; directories are searched
    for Dockerfile names. Symbolic links to directories are not followed, so loops end.
    """
    for path in paths:
        if path.is_dir():
            found = []
            for folder, dirs, files in os.walk(path, onerror=None, followlinks=False):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
                for name in files:
                    if is_dockerfile_name(name):
                        found.append(Path(folder, name))
            for item in sorted(found):
                yield item, None
        elif path.exists():
            yield path, None
        elif path.is_symlink():
            yield path, "broken symbolic link"
        else:
            yield path, "no such file or directory"
