"""Lint many files: in this process for a few, across processes for many.

Process start-up costs more than linting a handful of files, so work is spread over
processes only above ``PARALLEL_THRESHOLD`` files, in chunks to keep the pickling cheap.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

from dflint.lint.engine import (
    FileResult,
    Options,
    config_for,
    enabled_entries,
    has_template_markup,
    lint_file,
)

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from dflint.core.reference import ImageRef
    from dflint.registry.resolver import Resolution
    from dflint.settings.registry import RegistrySettings

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
    from concurrent.futures import ProcessPoolExecutor  # only when it is used: a cold start

    chunks = [files[i : i + _CHUNK] for i in range(0, len(files), _CHUNK)]
    # the workers collect garbage as seldom as this process (a spawned worker would not know)
    with ProcessPoolExecutor(
        max_workers=workers, initializer=gc.set_threshold, initargs=gc.get_threshold()
    ) as pool:
        for results in pool.map(_lint_chunk, chunks, [options] * len(chunks)):
            yield from results


def prefetch(
    files: list[tuple[Path, str]], options: Options, always: bool = False
) -> dict[str, Resolution]:
    """Resolve the FROM images of all ``files`` at once; unreadable files are left to lint.

    Only files for which a rule that needs platforms is enabled count, unless ``always``."""
    if options.offline:
        return {}  # offline answers come from local tables as each file is linted
    from dflint.analyse.analysis import analyze
    from dflint.errors import DflintError
    from dflint.read.fileio import read_input
    from dflint.read.parser import parse_bytes
    from dflint.registry.resolver import offline_from_env, resolver_for
    from dflint.registry.stages import image_refs

    if options.offline or offline_from_env():
        # Offline answers come from local tables in microseconds: fetching them ahead would
        # only parse every file twice (and no file's config can turn the network back on).
        return {}
    groups: dict[tuple[RegistrySettings, bool], dict[str, ImageRef]] = {}
    for path, shown in files:
        try:
            config = config_for(path, options)
            if config.offline:
                continue
            entries = enabled_entries(config, options, shown)
            if not always and not any(entry.needs_base_images for entry in entries):
                continue
            dockerfile = parse_bytes(read_input(path), shown)
        except (OSError, DflintError):
            continue  # the lint step reports it (a bad file with its position, a bad config)
        if has_template_markup("\n".join(dockerfile.lines)):
            continue
        group = groups.setdefault((config.registry, options.offline or config.offline), {})
        for ref in image_refs(analyze(dockerfile)):
            group.setdefault(ref.key, ref)
    results: dict[str, Resolution] = {}
    for (settings, offline), refs in groups.items():
        results.update(resolver_for(settings, offline=offline).resolve_many(refs.values()))
    return results
