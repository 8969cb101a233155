"""The `dflint` program: the garbage collector set for a short run, then the command line.

A run builds many small objects that all live until it ends (modules, classes, parsed files,
analyses, findings). At the default thresholds the collector scans them again every few hundred
allocations: 15-20% of the time on a 100k-line file, and about 4 M instructions of a 2-line
run's imports, for no memory back (BENCHMARKS.md). mypy sets the same thresholds; the process
pool copies them into its workers. They are set here, before the command line's modules are
imported, and not in `dflint.app.main`, which tests and other programs import.

At exit the interpreter collects twice more, walking every object still alive only to find
them all reachable: 9% of the instructions of a 2-line run. :func:`gc.freeze` moves them out of
the collector's sight first. Then it frees every module and object one by one, which nothing
needs from a program about to end (3 ms after a corpus run): once the exit handlers have run
and the output is flushed, the process ends with its code at once. A flush that fails (a
closed pipe) leaves the exit to Python, which reports it as before.
"""

from __future__ import annotations

import gc

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from typing import NoReturn


def main() -> NoReturn:
    """The `dflint` console script."""
    run(end_at_once=True)


def run(end_at_once: bool) -> NoReturn:
    """The command line, then exit; ``end_at_once`` skips the interpreter's teardown
    (``python -m dflint`` keeps it, so that a program running it through runpy can look
    around after its SystemExit)."""
    gc.set_threshold(200_000, 30, 30)
    try:
        from dflint.app.main import main as command_line

        command_line()
    except KeyboardInterrupt:
        import sys

        # ^C: one line and the shell's code for an interrupt, not the stack of wherever the
        # run was (the forked copies of a parallel run stop with it, silently)
        sys.stderr.write("dflint: interrupted\n")
        sys.exit(130)
    except SystemExit as exc:
        if end_at_once and (exc.code is None or isinstance(exc.code, int)):
            _end_now(exc.code or 0)
        raise
    finally:
        gc.freeze()


def _end_now(code: int) -> None:
    """Exit handlers, flushed output, then the end of the process, without the teardown."""
    import atexit
    import os
    import sys

    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return  # Python's own exit reports it
    os._exit(code)
