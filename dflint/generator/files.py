"""Previews and writes: unified diffs, and atomic writes that never lose the original.

A write goes to a temporary file in the target's own folder (so the final rename never
crosses file systems), is flushed and fsynced, and then replaces the target with
``os.replace``, which is atomic. Just before the rename the target is read again: if it no
longer holds what the change was computed from (someone edited it meanwhile), nothing is
replaced. A read-only target is refused, although a rename could replace it, because the
mode is the owner's way of saying "do not change this file".
"""

from __future__ import annotations

import contextlib
import difflib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path


class WriteError(Exception):
    """A file that was not written; the original (if any) is untouched."""


def read_bytes(path: Path) -> bytes | None:
    """The file's bytes, or None when it does not exist."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def unified_diff(path: str, old: str | None, new: str) -> str:
    """A unified diff from ``old`` (None: no file yet) to ``new``, with git-style names."""
    before = (old or "").splitlines(keepends=True)
    after = new.splitlines(keepends=True)
    lines = difflib.unified_diff(
        before,
        after,
        fromfile="/dev/null" if old is None else f"a/{path}",
        tofile=f"b/{path}",
    )
    out: list[str] = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _read_only(mode: int) -> bool:
    return not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def write_atomic(path: Path, data: bytes, expected: bytes | None) -> None:
    """Replace ``path`` with ``data``, provided it still holds ``expected`` (None: absent)."""
    try:
        current_stat: os.stat_result | None = path.stat()
    except FileNotFoundError:
        current_stat = None
    if current_stat is not None:
        if not stat.S_ISREG(current_stat.st_mode):
            raise WriteError(f"{path}: not a regular file")
        if _read_only(current_stat.st_mode) or not os.access(path, os.W_OK):
            raise WriteError(f"{path}: the file is read-only")
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".dflint", dir=folder)
    except OSError as exc:
        raise WriteError(f"{path}: cannot write in {folder}: {exc.strerror or exc}") from None
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if current_stat is not None:
            os.chmod(temp, stat.S_IMODE(current_stat.st_mode))
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o666 & ~umask)  # mkstemp's 0600 would surprise the user
        if read_bytes(path) != expected:
            raise WriteError(f"{path}: changed on disk since dflint read it; run dflint again")
        os.replace(temp, path)
    except WriteError:
        temp.unlink(missing_ok=True)
        raise
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise WriteError(f"{path}: cannot write: {exc.strerror or exc}") from None
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; not every system can open a folder for this."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


@dataclass(slots=True)
class Change:
    """One file a command wants to write: where, what it holds now, and what it would hold."""

    path: Path
    shown: str  # as printed (relative, forward slashes)
    old: bytes | None
    new: str
    variant: bool  # a file dflint generates (else the file being fixed in place)

    @property
    def changed(self) -> bool:
        return self.old is None or self.old != self.new.encode("utf-8")

    @property
    def old_text(self) -> str | None:
        return None if self.old is None else self.old.decode("utf-8", errors="replace")


def refusal(change: Change, write: bool, force: bool) -> str | None:
    """Why ``change`` may not be written with these options, or None when it may.

    A new file may always be written. An existing one needs ``--write`` when it is the file
    being fixed or a variant dflint generated, and ``--force`` when it is anything else: a
    hand-written ``Dockerfile.windows`` must not be lost to a regeneration.
    """
    from dflint.generator.layout import is_generated_text

    if change.old is None or force:
        return None
    if change.variant and not is_generated_text(change.old_text or ""):
        return "exists and was not generated by dflint (use --force to replace it)"
    if not write:
        return "would change (use --write to apply, --diff to preview)"
    return None
