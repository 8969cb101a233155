"""Which files a `dflint lint PATH...` run looks at: the one definition of "a Dockerfile".

The same definition decides what `dflint lint FOLDER` finds, which files the pre-commit hooks
run on (`.pre-commit-hooks.yaml` holds :data:`FILES_REGEX` and :data:`EXCLUDE_REGEX`, and a
test keeps them equal) and what the README lists:

* the names in :data:`NAMES`, in any case: Docker's and Podman's tools accept `dockerfile`
  as well as `Dockerfile`, editors and linguist `*.dockerfile` as well as `*.Dockerfile`,
  and a case-insensitive file system (macOS, Windows) makes no difference either;
* except templates, which are not Dockerfiles until rendered (:data:`TEMPLATE_SUFFIXES`, the
  names the engine skips as templates too), and BuildKit's per-Dockerfile ignore files
  (`Dockerfile.dockerignore`, `app.Dockerfile.dockerignore`);
* and nothing inside :data:`SKIP_DIRS` (version control, virtual environments, vendored
  packages).

identify's `dockerfile` tag, which pre-commit's `types:` uses, is narrower (no `dockerfile`,
`Dockerfile-dev`, `web.dockerfile`) and wider (`Dockerfile.dockerignore`), hence the regexes.
A file named on the command line is linted whatever its name.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dflint import lazyre
from dflint.read.fileio import check_input

NAMES = (
    "Dockerfile",
    "Dockerfile.*",
    "Dockerfile-*",
    "*.Dockerfile",
    "*.dockerfile",
    "Containerfile",
    "Containerfile.*",
)
TEMPLATE_SUFFIXES = ("template", "tmpl", "tpl", "j2", "jinja", "jinja2", "erb")
IGNORE_FILE_SUFFIXES = ("dockerignore",)
SKIP_DIRS = (".git", ".hg", ".svn", "node_modules", ".venv", "__pycache__", ".tox")


def _glob_regex(glob: str) -> str:
    """A file-name glob as a regex that never crosses a `/`."""
    return "".join("[^/]*" if char == "*" else re.escape(char) for char in glob)


def _names_regex() -> str:
    unique = list({name.lower(): name for name in reversed(NAMES)}.values())[::-1]
    return "(^|/)(?i:" + "|".join(_glob_regex(name) for name in unique) + ")$"


def _exclude_regex() -> str:
    suffixes = "|".join(re.escape(item) for item in (*TEMPLATE_SUFFIXES, *IGNORE_FILE_SUFFIXES))
    folders = "|".join(re.escape(item) for item in SKIP_DIRS)
    return rf"(?i:\.({suffixes}))$|(^|/)({folders})/"


# For pre-commit, which matches them against each path from the repository's root (`/`).
FILES_REGEX = _names_regex()
EXCLUDE_REGEX = _exclude_regex()
_FILES = lazyre.compile(FILES_REGEX)
_EXCLUDE = lazyre.compile(EXCLUDE_REGEX)
# A template's name, for the engine: such a file is skipped even when named on the command line.
TEMPLATE_NAME = lazyre.compile(
    rf"\.(?:{'|'.join(re.escape(item) for item in TEMPLATE_SUFFIXES)})\Z", re.I
)
_SKIP_DIRS = frozenset(SKIP_DIRS)


def is_dockerfile_name(name: str) -> bool:
    """Whether a file of this name (a base name, or a path with `/`) is a Dockerfile that a
    folder search finds."""
    return _FILES.search(name) is not None and _EXCLUDE.search(name) is None


def display_path(path: Path) -> str:
    """Relative to the working directory when below it, always with forward slashes."""
    if ".." not in path.parts:
        # pathlib has already dropped `.` parts and doubled separators: what relpath would
        # give is a prefix cut (relpath costs as much as linting a small file, many times)
        text = str(path)
        if not path.is_absolute():
            return text.replace(os.sep, "/")
        cwd = os.getcwd()
        if text == cwd:
            return "."
        prefix = cwd if cwd.endswith(os.sep) else cwd + os.sep
        if text.startswith(prefix):
            return text[len(prefix) :].replace(os.sep, "/")
        if os.sep == "/":
            return text  # outside the working directory: shown whole
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
        try:
            mode: int | None = os.stat(path).st_mode  # one stat for each named path
        except (OSError, ValueError):
            mode = None
        if mode is not None and stat.S_ISDIR(mode):
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
        elif mode is not None:
            yield Found(path)
        else:
            yield Found(path, problem=check_input(path) or "no such file or directory")
