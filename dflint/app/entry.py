"""The `dflint` program: the garbage collector set for a short run, then the command line.

A run builds many small objects that all live until it ends (modules, classes, parsed files,
analyses, findings). At the default thresholds the collector scans them again every few hundred
allocations: 15-20% of the time on a 100k-line file, and about 4 M instructions of a 2-line
run's imports, for no memory back (BENCHMARKS.md). mypy sets the same thresholds; the process
pool copies them into its workers. They are set here, before the command line's modules are
imported, and not in `dflint.app.main`, which tests and other programs import.

At exit the interpreter collects twice more, walking every object still alive only to find
them all reachable: 9% of the instructions of a 2-line run. :func:`gc.freeze` moves them out of
the collector's sight first; exit frees them as before.
"""

from __future__ import annotations

import gc

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from typing import NoReturn


def main() -> NoReturn:
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
    finally:
        gc.freeze()
