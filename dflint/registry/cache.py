"""The on-disk cache of resolved platforms: one small JSON file per key, written atomically.

Keys are normalised references (``docker.io/library/alpine:3.20``) and manifest digests
(``sha256:…``). A digest names immutable content, so its entry never expires; a tag's entry
is fresh for the TTL and then revalidated with a HEAD request, which costs nothing against
Docker Hub's pull limit. Several dflint processes (pre-commit, CI jobs) may share the
directory: a reader sees either the old or the new file, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from dflint.core.platform import Platform
from dflint.userdirs import ENV_CACHE_DIR, user_cache_dir

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

FORMAT = 1
# An entry lists an image's platforms: a few kilobytes, some hundred for the largest indexes.
MAX_ENTRY_BYTES = 16 * 1024 * 1024


def default_cache_dir() -> Path:
    override = os.environ.get(ENV_CACHE_DIR)
    if override:
        return Path(override)
    return Path(user_cache_dir()) / "platforms"


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """One cached answer: an image's platforms (or why it has none), its digest and its age."""

    key: str
    platforms: tuple[Platform, ...] | None  # None: the registry said the image does not exist
    digest: str | None
    media_type: str | None
    reason: str | None  # why platforms is None
    fetched: float  # when the registry last sent the manifest
    checked: float  # when the registry last confirmed it (HEAD)

    def age(self, now: float | None = None) -> float:
        return (time.time() if now is None else now) - self.checked

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "key": self.key,
            "platforms": None
            if self.platforms is None
            else [item.to_oci() for item in self.platforms],
            "digest": self.digest,
            "media_type": self.media_type,
            "reason": self.reason,
            "fetched": self.fetched,
            "checked": self.checked,
        }

    @classmethod
    def from_json(cls, data: Any, key: str) -> CacheEntry | None:
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key:
            return None
        raw = data.get("platforms")
        platforms: tuple[Platform, ...] | None = None
        if isinstance(raw, list):
            found = [Platform.from_oci(item) for item in raw if isinstance(item, dict)]
            platforms = tuple(item for item in found if item is not None)
        elif raw is not None:
            return None
        fetched, checked = data.get("fetched"), data.get("checked")
        if not isinstance(fetched, int | float) or not isinstance(checked, int | float):
            return None
        return cls(
            key=key,
            platforms=platforms,
            digest=_text(data.get("digest")),
            media_type=_text(data.get("media_type")),
            reason=_text(data.get("reason")),
            fetched=float(fetched),
            checked=float(checked),
        )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


@cache
def _sha256() -> Callable[[bytes], Any]:
    """SHA-256 from Python's own implementation where it has one: `hashlib` loads OpenSSL
    first (3 ms of a 2-line lint), and the digest is the same. Found once: a module that is
    not there is looked for again on every import."""
    import importlib

    for module in ("_sha2", "_sha256"):  # Python 3.12 and later, 3.11
        try:
            found: Callable[[bytes], Any] = importlib.import_module(module).sha256
            return found
        except (ImportError, AttributeError):
            continue
    import hashlib

    return hashlib.sha256


def _sha256_hex(data: bytes) -> str:
    return str(_sha256()(data).hexdigest())


class DiskCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.write_errors = 0  # an unwritable cache slows runs down but must not fail them

    def _path(self, key: str) -> Path:
        # Hashed names: references hold ':' '/' '@', which not every filesystem accepts.
        return self.directory / (_sha256_hex(key.encode())[:40] + ".json")

    def get(self, key: str) -> CacheEntry | None:
        """The entry, or None. Anything that is not a well-formed entry is a miss, never an
        error: a missing or unreadable file, a FIFO or folder in its place (never opened
        for reading, so it cannot block), one torn by a crash, nested too deeply for the
        JSON decoder, or holding values of the wrong type. The next :meth:`put` replaces it.
        """
        from dflint.errors import InputError
        from dflint.read.fileio import read_input

        try:
            text = read_input(self._path(key), MAX_ENTRY_BYTES)
            import json  # only when there is an entry to read

            data = json.loads(text)
            return CacheEntry.from_json(data, key)
        except (InputError, ValueError, RecursionError, TypeError, OverflowError):
            return None

    def put(self, entry: CacheEntry) -> None:
        import json

        payload = json.dumps(entry.to_json(), separators=(",", ":")).encode()
        tmp_name: str | None = None
        target = self._path(entry.key)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            if target.is_dir() and not target.is_symlink():
                # a folder in an entry's place cannot be renamed over: clear it if empty
                target.rmdir()
            import tempfile  # 5 ms of start-up, paid only by a run that writes

            fd, tmp_name = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
            # the rename replaces whatever is there (a torn file, a FIFO, a symbolic link)
            os.replace(tmp_name, target)
            tmp_name = None
        except OSError:
            self.write_errors += 1
        finally:
            if tmp_name is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp_name)
