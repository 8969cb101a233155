"""``dflint data import-official-images``: an offline table from docker-library/official-images.

The input is a clone of https://github.com/docker-library/official-images (or its
``library/`` folder). Each ``library/<image>`` file is in bashbrew's RFC 2822-like format:

* ``#`` at the start of a line is a comment; a blank line ends a paragraph; a line that
  starts with white space continues the field above; field names are case-insensitive;
* the first paragraph holds the defaults of the others (``Maintainers``, ``GitRepo``, often
  ``Architectures``); each later paragraph is one build with its ``Tags``;
* ``Architectures`` defaults to ``amd64``; ``SharedTags`` may appear in several paragraphs,
  and then names one multi-platform tag for all of them (``python:3.14`` is a Linux build plus
  Windows builds); ``Constraints`` such as ``windowsservercore-ltsc2022`` name the Windows
  release a build is for, which gives its ``os.version``.

A JSON file of the same facts, in the shape of ``{"tags": {"python:3.14": {"arch": [...],
"constraints": [...]}}}`` (bashbrew architecture names), is accepted as input too.

The table written lists, per ``image:tag``, every platform as ``os/arch[/variant][:os.version]``.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dflint.core.platform import Platform
from dflint.registry.offline import IMPORTED_FORMAT, builtin_table

# bashbrew's architecture names (architecture/oci-platform.go in docker-library/bashbrew).
BASHBREW_ARCHES: dict[str, Platform] = {
    "amd64": Platform("linux", "amd64"),
    "arm32v5": Platform("linux", "arm", "v5"),
    "arm32v6": Platform("linux", "arm", "v6"),
    "arm32v7": Platform("linux", "arm", "v7"),
    "arm64v8": Platform("linux", "arm64", "v8"),
    "i386": Platform("linux", "386"),
    "mips64le": Platform("linux", "mips64le"),
    "ppc64le": Platform("linux", "ppc64le"),
    "riscv64": Platform("linux", "riscv64"),
    "s390x": Platform("linux", "s390x"),
    "windows-amd64": Platform("windows", "amd64"),
}


class ImportFailure(ValueError):
    """The input is not an official-images clone or platforms file; the message says why."""


@dataclass(slots=True)
class Build:
    """One build of a ``library/<image>`` file: its tags, architectures and constraints."""

    tags: list[str]
    shared_tags: list[str]
    arches: list[str]
    constraints: list[str]


@dataclass(slots=True)
class ImportResult:
    """What an import of official-images read: the platforms per tag, and what it left out."""

    tags: dict[str, list[str]] = field(default_factory=dict)
    images: int = 0
    skipped: list[str] = field(default_factory=list)  # "image: why"
    unknown_arches: set[str] = field(default_factory=set)
    commit: str | None = None


def _paragraphs(text: str) -> list[dict[str, str]]:
    paragraphs: list[dict[str, str]] = []
    current: dict[str, str] = {}
    field_name: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("#"):
            continue
        if not line.strip():
            if current:
                paragraphs.append(current)
            current, field_name = {}, None
            continue
        if line[0] in " \t":
            if field_name is None:
                raise ValueError(f"line {number}: a continuation line with no field above it")
            current[field_name] += " " + line.strip()
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise ValueError(f"line {number}: not a `Field: value` line")
        field_name = name.strip().lower()
        current[field_name] = value.strip()
    if current:
        paragraphs.append(current)
    return paragraphs


def _list(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def parse_library_file(text: str) -> list[Build]:
    """The builds of one ``library/<image>`` file; ValueError when it is not that format."""
    paragraphs = _paragraphs(text)
    if not paragraphs:
        return []
    defaults = paragraphs[0]
    if "maintainers" not in defaults:
        raise ValueError("the first paragraph has no Maintainers field (not a bashbrew file)")
    builds = []
    for paragraph in paragraphs[1:]:
        tags = _list(paragraph.get("tags"))
        shared = _list(paragraph.get("sharedtags"))
        if not tags and not shared:
            raise ValueError("a paragraph without Tags")
        arches = _list(paragraph.get("architectures") or defaults.get("architectures"))
        constraints = _list(paragraph.get("constraints") or defaults.get("constraints"))
        builds.append(Build(tags, shared, arches or ["amd64"], constraints))
    return builds


def _platforms(arches: list[str], constraints: list[str], result: ImportResult) -> list[str]:
    windows_builds = builtin_table().windows_builds
    # windowsservercore-ltsc2022, nanoserver-1809 -> the OS builds the Windows images run on
    versions = []
    for constraint in constraints:
        release = constraint.rsplit("-", 1)[-1].lower()
        if constraint.startswith(("windowsservercore-", "nanoserver-")) and release:
            build = windows_builds.get(release)
            if build is not None and build not in versions:
                versions.append(build)
    found: list[str] = []
    for arch in arches:
        platform = BASHBREW_ARCHES.get(arch)
        if platform is None:
            result.unknown_arches.add(arch)
            continue
        if platform.os == "windows" and versions:
            items = [Platform("windows", platform.architecture, "", v) for v in versions]
        else:
            items = [platform]
        for item in items:
            if str(item) not in found:
                found.append(str(item))
    return found


def _add(result: ImportResult, key: str, platforms: list[str]) -> None:
    current = result.tags.setdefault(key, [])
    for item in platforms:
        if item not in current:
            current.append(item)


def import_library(directory: Path) -> ImportResult:
    """Read every ``library/*`` file (``directory`` is the clone or its library folder)."""
    library = directory / "library" if (directory / "library").is_dir() else directory
    files = sorted(path for path in library.iterdir() if path.is_file())
    if not files:
        raise ImportFailure(f"{library} has no library files")
    result = ImportResult(commit=_git_commit(directory))
    for path in files:
        if path.name.startswith("."):
            continue
        try:
            builds = parse_library_file(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            result.skipped.append(f"{path.name}: {exc}")
            continue
        if builds:
            result.images += 1
        # Tags first, then SharedTags: a shared tag is the union of the builds naming it.
        for build in builds:
            for tag in build.tags:
                _add(
                    result,
                    f"{path.name}:{tag}",
                    _platforms(build.arches, build.constraints, result),
                )
        for build in builds:
            for tag in build.shared_tags:
                _add(
                    result,
                    f"{path.name}:{tag}",
                    _platforms(build.arches, build.constraints, result),
                )
    if not result.tags:
        raise ImportFailure(f"no tags found in {library}: is it docker-library/official-images?")
    return result


def import_platforms_json(path: Path) -> ImportResult:
    """A JSON file of ``{"tags": {"image:tag": {"arch": [...], "constraints": [...]}}}``."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ImportFailure(f"{path}: not readable JSON ({exc})") from None
    tags = data.get("tags") if isinstance(data, dict) else None
    if not isinstance(tags, dict):
        raise ImportFailure(f'{path}: has no "tags" table of image:tag entries')
    meta = data.get("_meta") if isinstance(data.get("_meta"), dict) else {}
    commit = meta.get("source_commit") if isinstance(meta, dict) else None
    result = ImportResult(commit=commit if isinstance(commit, str) else None)
    images = set()
    for key, value in tags.items():
        arches = value.get("arch") if isinstance(value, dict) else None
        if not isinstance(key, str) or ":" not in key or not isinstance(arches, list):
            result.skipped.append(f"{key}: not an image:tag entry with an arch list")
            continue
        constraints = value.get("constraints") or []
        platforms = _platforms(
            [str(a) for a in arches], [str(c) for c in constraints if isinstance(c, str)], result
        )
        _add(result, key, platforms)
        images.add(key.split(":", 1)[0])
    result.images = len(images)
    if not result.tags:
        raise ImportFailure(f"{path}: no image:tag entries")
    return result


def import_official_images(source: Path) -> ImportResult:
    """A clone (or its library folder), or a JSON platforms file (or a folder holding one)."""
    if source.is_file():
        return import_platforms_json(source)
    if not source.is_dir():
        raise ImportFailure(f"{source}: no such file or directory")
    if (source / "library").is_dir() or any(
        path.is_file() and not path.suffix for path in source.iterdir()
    ):
        return import_library(source)
    candidates = sorted(source.glob("*.json"))
    if len(candidates) == 1:
        return import_platforms_json(candidates[0])
    raise ImportFailure(
        f"{source} is neither a clone of docker-library/official-images (no library/ folder) "
        "nor a folder with one platforms JSON file"
    )


def _git_commit(directory: Path) -> str | None:
    if not (directory / ".git").exists():
        return None
    try:
        done = subprocess.run(
            ["git", "-C", str(directory), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and commit else None


def write_table(result: ImportResult, source: Path, output: Path) -> None:
    """Write the table atomically: a dflint run reading it sees the old or the new one."""
    document: dict[str, Any] = {
        "format": IMPORTED_FORMAT,
        "source": str(source),
        "source_commit": result.commit,
        "imported": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "tags": dict(sorted(result.tags.items())),
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, separators=(",", ":"))
        os.replace(tmp, output)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
