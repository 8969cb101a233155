"""Lint many files: in this process for a few, across processes for many.

Process start-up costs more than linting a handful of files, so work is spread over
processes only above ``PARALLEL_THRESHOLD`` files, in chunks to keep the pickling cheap.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from dflint.lint.engine import FileResult, Options, lint_file

PARALLEL_THRESHOLD = 64
_CHUNK = 32


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _lint_chunk(chunk: list[tuple[Path, str]], options: Options) -> list[FileResult]:
    return [lint_file(path, shown, options) for path, shown in chunk]


def lint_files(
    files: list[tuple[Path, str]], options: Options, jobs: int | None = None
) -> Iterator[FileResult]:
    """Results in the order of ``files``."""
    workers = default_jobs() if jobs is None else max(jobs, 1)
    if workers == 1 or len(files) < PARALLEL_THRESHOLD:
        for path, shown in files:
            yield lint_file(path, shown, options)
        return
    chunks = [files[i : i + _CHUNK] for i in range(0, len(files), _CHUNK)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for results in pool.map(_lint_chunk, chunks, [options] * len(chunks)):
            yield from results
