"""One line of progress on a terminal, for runs that last more than about a second.

A run's :class:`Progress` writes to standard error only when that is a terminal, the run is
not in CI (``CI`` set, as every CI service does) and ``-q`` was not given; it stays silent for
its first :data:`AFTER` seconds, so quick runs never flicker. Each update rewrites the line
(``\\r``) and :meth:`Progress.clear` wipes it, so the report that follows starts on a clean
line. The CLI makes one per run (:func:`start`); code deeper down (the resolver) reports to
:func:`current`, which is silent unless a run started one.
"""

from __future__ import annotations

import _thread
import os
import sys
import time

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from typing import TextIO

AFTER = 1.0  # seconds of silence before the first line
_INTERVAL = 0.1  # at most this often on screen


def wanted(quiet: bool = False, stream: TextIO | None = None) -> bool:
    """Whether a run should show progress: a terminal, not CI, not ``-q``."""
    stream = sys.stderr if stream is None else stream
    if quiet or os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


class Progress:
    """A status line on ``stream`` (None: silent), shown once ``after`` seconds have passed."""

    def __init__(self, stream: TextIO | None, after: float = AFTER) -> None:
        self.stream = stream
        self.after = after
        self.start = time.monotonic()
        self._lock = _thread.allocate_lock()  # threading.Lock, without importing threading
        self._shown = 0  # width of the line on screen
        self._last = 0.0
        self._text = ""

    def update(self, text: str, force: bool = False) -> None:
        """Show ``text`` (a phase and its count) once the run is past ``after`` seconds.

        ``force`` draws it even within the rate limit: a phase's final count."""
        if self.stream is None:
            return
        now = time.monotonic()
        with self._lock:
            self._text = text
            if now - self.start < self.after:
                return
            if not force and now - self._last < _INTERVAL:
                return
            self._last = now
            padding = " " * max(self._shown - len(text), 0)
            self._write("\r" + text + padding)
            self._shown = len(text)

    def clear(self) -> None:
        """Wipe the line, if one is shown."""
        if self.stream is None:
            return
        with self._lock:
            if self._shown:
                self._write("\r" + " " * self._shown + "\r")
                self._shown = 0

    def _write(self, text: str) -> None:
        assert self.stream is not None
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            self.stream = None  # a terminal that went away: the run goes on without it


_SILENT = Progress(None)
_current = _SILENT


def start(quiet: bool = False) -> Progress:
    """The progress line of this run (silent when :func:`wanted` says so)."""
    global _current
    _current = Progress(sys.stderr if wanted(quiet) else None)
    return _current


def current() -> Progress:
    """The run's progress line, or a silent one outside a command."""
    return _current


def stop() -> None:
    """Wipe the line and go back to silence (the end of a run)."""
    global _current
    _current.clear()
    _current = _SILENT
