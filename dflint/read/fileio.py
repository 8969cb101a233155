"""How dflint opens the files it reads and replaces the files it writes.

Every command reads its inputs through :func:`read_input`: regular files only (a FIFO would
block, ``/dev/zero`` never ends), at most :data:`MAX_INPUT_BYTES`, symbolic links followed
(a loop is an error for that path, not a crash), and the checks made on the open descriptor,
so a file swapped for a FIFO between the check and the open cannot block the run. Paths may
hold bytes that are not UTF-8: Python carries them as surrogate escapes
(``os.fsdecode``), which open the right file; :func:`printable_name` shows them as ``\\xNN``
wherever a name or a quoted line is written out.

Every file dflint writes goes through :func:`atomic_write`: a temporary file in the target's
folder, flushed and fsynced, then renamed over the target, so a full disk or a crash leaves
the old file whole. A symbolic link is written through (its target is replaced, the link
stays), and the temporary file is removed when the process is interrupted (SIGINT, SIGTERM,
SIGHUP) while writing; one left by a process killed outright is removed by the next write in
that folder once it is an hour old.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from collections.abc import Callable, Iterator
from io import FileIO
from pathlib import Path
from types import FrameType

from dflint.errors import InputError

# A Dockerfile is rarely above a few hundred kilobytes; this bounds the memory a stray large
# file (a log, an image tarball) can take. BENCHMARKS.md measures 10 MB and 50 MB files.
MAX_INPUT_BYTES = 64 * 1024 * 1024
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOCTTY = getattr(os, "O_NOCTTY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _refusal(mode: int) -> str | None:
    """Why a file of this mode is not read, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory"
    # a FIFO or device would block or never end
    return f"not a regular file ({_kind(mode)})"


def describe_os_error(path: str | os.PathLike[str], exc: OSError) -> str:
    """The one-line reason a path could not be opened, in the words dflint uses."""
    code = exc.errno
    if code == errno.ELOOP:
        return "symbolic link loop"
    if code == errno.ENOENT:
        return "broken symbolic link" if os.path.islink(path) else "no such file or directory"
    if code == errno.ENOTDIR:
        return "no such file or directory (a part of the path is not a folder)"
    if code == errno.EISDIR:
        return "is a directory"
    return f"cannot read: {exc.strerror or exc}"


def check_input(path: str | os.PathLike[str], limit: int = MAX_INPUT_BYTES) -> str | None:
    """Why ``path`` would not be read by :func:`read_input`, or None (without opening it)."""
    try:
        info = os.stat(path)
    except OSError as exc:
        return describe_os_error(path, exc)
    except ValueError:  # a NUL byte in the name
        return "invalid file name"
    refusal = _refusal(info.st_mode)
    if refusal is None and info.st_size > limit:
        return _too_large(info.st_size, limit)
    return refusal


def _too_large(size: int, limit: int) -> str:
    return (
        f"file too large ({size / 1024 / 1024:.1f} MiB; dflint reads files of up to "
        f"{limit // 1024 // 1024} MiB)"
    )


def open_input(path: str | os.PathLike[str], limit: int | None = None) -> FileIO:
    """The regular file at ``path`` (symbolic links followed), open for reading as a stream:
    every command's one way in, also for inputs too large to read whole (``verify``'s image
    archives, ``limit`` None).

    Raises :class:`InputError` (at 1:1, without a path: the caller names the file) for a
    missing file, a broken link or a loop, a directory, a FIFO, socket or device, an
    unreadable file, and a file larger than ``limit``.
    """
    descriptor, _ = _open_checked(path, limit)
    try:
        os.set_blocking(descriptor, True)  # whoever reads the stream may wait on it
        return os.fdopen(descriptor, "rb", buffering=0)
    except BaseException:
        os.close(descriptor)
        raise


def _open_checked(path: str | os.PathLike[str], limit: int | None) -> tuple[int, int]:
    """A descriptor of the regular file at ``path``, and its size (refused as
    :func:`open_input` refuses)."""
    try:
        # O_NONBLOCK: a FIFO put in the file's place must not block the open
        descriptor = os.open(path, os.O_RDONLY | _NONBLOCK | _NOCTTY | _CLOEXEC | _BINARY)
    except OSError as exc:
        raise InputError(describe_os_error(path, exc)) from None
    except ValueError:  # a NUL byte in the name
        raise InputError("invalid file name") from None
    try:
        info = os.fstat(descriptor)
        reason = _refusal(info.st_mode)
        if reason is not None:
            raise InputError(reason)
        if limit is not None and info.st_size > limit:
            raise InputError(_too_large(info.st_size, limit))
        # (still O_NONBLOCK, which does nothing to a regular file's reads)
        return descriptor, info.st_size
    except BaseException:
        os.close(descriptor)
        raise


def read_input(path: str | os.PathLike[str], limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of the regular file at ``path``, read whole; refused as :func:`open_input`
    refuses, and when larger than ``limit``."""
    reason = check_input(path, limit)
    if reason is not None:
        raise InputError(reason)
    descriptor, size = _open_checked(path, limit)
    try:
        # one read of the file's size and a byte more, into a single buffer (chunks joined
        # would hold the file twice); more reads only for a file that grew or a short read
        data = os.read(descriptor, size + 1)
        if len(data) > size or (data and len(data) < size):
            data += _rest(descriptor, limit + 1 - len(data))  # it grew, or a short read
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(descriptor)
    if len(data) > limit:  # the file grew while it was read
        raise InputError(_too_large(len(data), limit))
    return data


def _rest(descriptor: int, most: int) -> bytes:
    """What is left to read, up to ``most`` bytes."""
    parts: list[bytes] = []
    while most > 0:
        part = os.read(descriptor, min(most, 1 << 20))
        if not part:
            break
        parts.append(part)
        most -= len(part)
    return b"".join(parts)


def real_path(path: str | os.PathLike[str]) -> str:
    """``path`` with its symbolic links resolved; never raises (a loop is left unresolved,
    unlike ``Path.resolve``, which raises RuntimeError for one on Python 3.11)."""
    return os.path.realpath(os.path.abspath(path))


def same_file(first: str | os.PathLike[str], second: str | os.PathLike[str]) -> bool:
    """Whether two paths name one file (through links); False when either does not exist."""
    try:
        return os.path.samefile(first, second)
    except (OSError, ValueError):
        return real_path(first) == real_path(second)


# --- names ---------------------------------------------------------------------------------


def _escape(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, as os.fsdecode carries it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"  # any other lone surrogate


def has_surrogates(text: str) -> bool:
    if text.isascii():  # nearly all text: no character to look at
        return False
    return any("\ud800" <= char <= "\udfff" for char in text)


def escape_surrogates(text: str, backslash: str = "\\") -> str:
    """``text`` with lone surrogates (bytes of a name or file that are not UTF-8) written as
    ``\\xNN``; ``backslash="\\\\"`` writes them for the inside of a JSON string."""
    if not has_surrogates(text):
        return text
    return "".join(
        _escape(char).replace("\\", backslash) if "\ud800" <= char <= "\udfff" else char
        for char in text
    )


def printable_name(text: str) -> str:
    """A file name or quoted text as dflint prints it: bytes that are not UTF-8 as ``\\xNN``,
    control characters (a newline in a name would forge an output line) as U+FFFD."""
    text = escape_surrogates(text)
    if not any(char < " " or char == "\x7f" for char in text):
        return text
    return "".join("\ufffd" if char < " " or char == "\x7f" else char for char in text)


# --- stdout ---------------------------------------------------------------------------------


class OutputFailure(Exception):
    """stdout could not be written (a full disk, a closed pipe): one line, exit 2."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error)
        self.error = error


def write_stdout(text: str) -> None:
    """Write ``text`` to stdout and flush it, so a failure is seen here, not at exit."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as exc:
        raise OutputFailure(exc) from None


# --- writing --------------------------------------------------------------------------------


class WriteFailure(Exception):
    """A file that was not written; the original (if any) is untouched."""


_CLEANUP_SIGNALS = ("SIGTERM", "SIGHUP")


class _Interrupted(BaseException):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _interruptible() -> Iterator[None]:
    """SIGTERM and SIGHUP raise inside the block (as SIGINT does), so ``finally`` clauses run
    and remove temporary files; afterwards the process dies of the signal as it would have."""
    import signal  # only where a file is written: not on the start of every run
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise _Interrupted(signum)

    previous: dict[int, Callable[[int, FrameType | None], object] | int | None] = {}
    for name in _CLEANUP_SIGNALS:
        if hasattr(signal, name):  # SIGHUP is POSIX only
            signum = getattr(signal, name)
            previous[signum] = signal.signal(signum, handler)
    try:
        yield
    except _Interrupted as exc:
        for signum, old in previous.items():
            signal.signal(signum, old if old is not None else signal.SIG_DFL)
        previous.clear()
        signal.signal(exc.signum, signal.SIG_DFL)
        os.kill(os.getpid(), exc.signum)
        raise SystemExit(128 + exc.signum) from None  # where the signal is not fatal
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old if old is not None else signal.SIG_DFL)


def write_target(path: Path) -> Path:
    """Where a write to ``path`` lands: through a symbolic link, the file it points to."""
    if path.is_symlink():
        return Path(real_path(path))
    return path


def atomic_write(
    path: Path,
    data: bytes,
    check: Callable[[Path], None] | None = None,
    mode: int | None = None,
) -> Path:
    """Replace the file at ``path`` (through a symbolic link) with ``data``; returns the path
    written. ``check(target)`` runs just before the rename and may raise WriteFailure to keep
    the old file. ``mode`` is the new file's permissions (default: the old file's, else
    0o666 less the umask)."""
    target = write_target(path)
    try:
        current: os.stat_result | None = target.stat()
    except FileNotFoundError:
        current = None
    except OSError as exc:
        raise WriteFailure(f"{path}: {describe_os_error(target, exc)}") from None
    if current is not None and not stat.S_ISREG(current.st_mode):
        raise WriteFailure(f"{path}: not a regular file")
    import tempfile

    folder = target.parent if str(target.parent) else Path(".")
    _remove_stale_temporaries(folder)
    with _interruptible():
        try:
            handle, temp_name = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".dflint", dir=folder
            )
        except OSError as exc:
            raise WriteFailure(f"{path}: cannot write in {folder}: {exc.strerror or exc}") from None
        temp = Path(temp_name)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            if mode is None:
                if current is not None:
                    mode = stat.S_IMODE(current.st_mode)
                else:
                    umask = os.umask(0)
                    os.umask(umask)
                    mode = 0o666 & ~umask  # mkstemp's 0600 would surprise the user
            os.chmod(temp, mode)
            if check is not None:
                check(target)
            os.replace(temp, target)
        except OSError as exc:
            raise WriteFailure(f"{path}: cannot write: {exc.strerror or exc}") from None
        finally:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
    _fsync_folder(folder)
    return target


# A write keeps its temporary file for milliseconds; one this old was left by a process that
# was killed outright (SIGKILL, a power cut), which no handler can clean up after.
STALE_TEMPORARY_SECONDS = 3600.0


def _remove_stale_temporaries(folder: Path) -> None:
    """Remove dflint's temporary files (``.NAME.XXXXXXXX.dflint``) that a killed run left in
    ``folder``; a file of that shape younger than an hour may be another run's, and stays."""
    import time

    now = time.time()
    try:
        candidates = [
            entry
            for entry in os.scandir(folder)
            if entry.name.startswith(".") and entry.name.endswith(".dflint")
        ]
    except OSError:
        return
    for entry in candidates:
        with contextlib.suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime > STALE_TEMPORARY_SECONDS:
                os.unlink(entry.path)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; not every system can open a folder for this."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
