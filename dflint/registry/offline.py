"""The offline tables: the one shipped with dflint, and one imported from official-images.

Both answer only from a repository's name and tag, without a network. The built-in table
(``wellknown.json``) mostly gives a *floor*: platforms the tag certainly has, not all of them,
so a target it does not list is "unknown", never "missing", unless the entry is marked
complete. The imported table (``dflint data import-official-images``) lists each maintained
``docker.io/library`` tag with every platform its library file asks to be built.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from dflint import lazyre
from dflint.codecache import read_json
from dflint.core.archnames import ARCH_NAMESPACES, arch_tokens_in_tag
from dflint.core.platform import Platform
from dflint.core.reference import DEFAULT_REGISTRY, ImageRef
from dflint.userdirs import user_data_dir

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from typing import Any

ENV_DATA_DIR = "DFLINT_DATA_DIR"
IMPORTED_NAME = "official-images.json"
IMPORTED_FORMAT = "dflint-official-images/1"
_WINDOWS_WORDS = ("windowsservercore", "servercore", "nanoserver", "windows")
_WINDOWS_VERSION = lazyre.compile(r"10\.0\.\d{5}(?:\.\d+)?")
_TOKEN = lazyre.compile(r"[-_.]")
# Keys of a repository entry that are not tag variants.
_ENTRY_KEYS = frozenset({"linux", "complete", "windows", "windows_only", "tags"})


@dataclass(frozen=True, slots=True)
class TableAnswer:
    """What an offline table knows of an image: its platforms, and whether that is all."""

    platforms: tuple[Platform, ...]
    complete: bool  # False: the platforms are a floor; others may exist too
    source: str


def default_data_dir() -> Path:
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override)
    return Path(user_data_dir())


def imported_table_path() -> Path:
    return default_data_dir() / IMPORTED_NAME


def _tokens(tag: str) -> list[str]:
    return [token for token in _TOKEN.split(tag.lower()) if token]


def _variant_name(token: str) -> str:
    """alpine3 -> alpine: a tag token without its version digits."""
    return token.rstrip("0123456789") or token


class WellKnownTable:
    """The built-in table; see the ``about`` lines of wellknown.json for its rules."""

    source = "dflint's built-in table"

    def __init__(self, data: dict[str, Any]) -> None:
        self.windows_builds: dict[str, str] = dict(data["windows_builds"])
        self._sets: dict[str, tuple[Platform, ...]] = {
            name: tuple(Platform.parse(item) for item in items)
            for name, items in data["sets"].items()
        }
        self._repositories: dict[str, dict[str, Any]] = data["repositories"]
        self._prefixes: dict[str, dict[str, Any]] = data["prefixes"]

    def _set(self, value: Any) -> tuple[Platform, ...]:
        if isinstance(value, str):
            return self._sets[value]
        return tuple(Platform.parse(item) for item in value)

    def entry(self, ref: ImageRef) -> dict[str, Any] | None:
        name = f"{ref.registry}/{ref.repository}"
        found = self._repositories.get(name)
        if found is not None:
            return found
        if ref.registry == DEFAULT_REGISTRY and ref.namespace in ARCH_NAMESPACES:
            # Docker Hub's per-architecture copies of the official images (arm64v8/alpine)
            # hold that one platform, whatever the tag.
            arch = ARCH_NAMESPACES[ref.namespace]
            os_name = "windows" if ref.namespace.startswith("win") else "linux"
            return {
                "linux": [f"{os_name}/{arch}"],
                "complete": True,
                "architecture_namespace": True,
            }
        for prefix, item in self._prefixes.items():
            if name.startswith(prefix):
                return item
        return None

    def windows_platform(self, tag: str) -> Platform:
        """windows/amd64 with the OS build that the tag's release names, when it names one."""
        explicit = _WINDOWS_VERSION.search(tag)
        if explicit:
            return Platform("windows", "amd64", "", explicit.group(0))
        for token in _tokens(tag):
            build = self.windows_builds.get(token)
            if build is not None:
                return Platform("windows", "amd64", "", build)
        return Platform("windows", "amd64")

    def lookup(self, ref: ImageRef) -> TableAnswer | None:
        entry = self.entry(ref)
        if entry is None or ref.digest:
            return None  # a digest names one manifest, which a table cannot know
        tag = (ref.tag or "latest").lower()
        named = entry.get("tags", {}).get(tag)
        if named is not None:
            return TableAnswer(self._set(named), True, self.source)
        tokens = _tokens(tag)
        windows_tag = any(word in token for token in tokens for word in _WINDOWS_WORDS) or any(
            token.startswith("ltsc") for token in tokens
        )
        if entry.get("architecture_namespace"):
            return TableAnswer(self._set(entry["linux"]), True, self.source)
        if entry.get("windows_only") or windows_tag:
            return TableAnswer((self.windows_platform(tag),), True, self.source)
        if arch_tokens_in_tag(tag) or "linux" not in entry:
            return None  # linux-arm64, -amd64: a one-architecture tag is not the usual image
        platforms = self._set(entry["linux"])
        for token in tokens:
            name = _variant_name(token)
            if name not in _ENTRY_KEYS and name in entry:
                platforms = self._set(entry[name])
                break
        # A multi-OS tag (python:3.12) holds Windows images for some versions only.
        shared = all(token.isdigit() or token == "latest" for token in tokens)
        complete = bool(entry.get("complete")) and not (shared and entry.get("windows"))
        return TableAnswer(platforms, complete, self.source)


@cache
def builtin_table() -> WellKnownTable:
    # beside this module (importlib.resources would import zipfile for nothing)
    return WellKnownTable(read_json(os.path.join(os.path.dirname(__file__), "wellknown.json")))


class ImportedTable:
    """Tags of docker.io/library images, as ``dflint data import-official-images`` wrote them."""

    def __init__(self, path: Path, tags: dict[str, list[str]], commit: str | None) -> None:
        self.path = path
        self._tags = tags
        self.source = "the imported official-images table" + (
            f" (commit {commit[:12]})" if commit else ""
        )

    def __len__(self) -> int:
        return len(self._tags)

    def lookup(self, ref: ImageRef) -> TableAnswer | None:
        if ref.registry != DEFAULT_REGISTRY or ref.digest or ref.namespace != "library":
            return None
        found = self._tags.get(f"{ref.name}:{ref.tag or 'latest'}")
        if found is None:
            return None
        return TableAnswer(tuple(Platform.parse(item) for item in found), True, self.source)


def _valid_platforms(value: object) -> bool:
    """A table entry: a list of platforms that parse (an entry that does not would fail at
    lookup time, in the middle of a lint run)."""
    if not isinstance(value, list):
        return False
    for item in value:
        if not isinstance(item, str):
            return False
        try:
            Platform.parse(item)
        except ValueError:
            return False
    return True


def load_imported(path: Path) -> ImportedTable | None:
    """The imported table, or None when there is none (or it is unreadable: then the
    built-in table still answers)."""
    from dflint.errors import InputError
    from dflint.read.fileio import read_input

    try:
        text = read_input(path)
        import json  # only when a table was imported

        data = json.loads(text)
    except (InputError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("format") != IMPORTED_FORMAT:
        return None
    tags = data.get("tags")
    if not isinstance(tags, dict) or not all(_valid_platforms(item) for item in tags.values()):
        return None
    commit = data.get("source_commit")
    return ImportedTable(path, tags, commit if isinstance(commit, str) else None)
