"""Lint many files: in this process for a few, across processes for many.

Process start-up costs more than linting a handful of files, so work is spread over
processes only above ``PARALLEL_THRESHOLD`` files, in chunks to keep the pickling cheap.

On Linux this process forks ``jobs - 1`` copies of itself and lints too:
the chunks are numbered in a pipe from which every process takes the next number (a read of
a few bytes from a pipe is atomic), so a fast process takes more of them, and each copy
sends its results back through a pipe of its own. That needs neither
``concurrent.futures`` nor ``multiprocessing`` (20-30 ms to import, a manager thread and a
feeder thread) nor an idle parent. A copy that dies, or one that cannot be forked, leaves its
chunks to this process. Elsewhere (macOS forks badly, Windows not at all) a
``ProcessPoolExecutor`` does the work.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from dflint.lint.options import Options

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    import _thread
    from collections.abc import Callable

    from dflint.core.reference import ImageRef
    from dflint.lint.engine import FileResult
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
    # the engine is imported by each process as it starts linting: the copies of a parallel
    # run import it side by side, not one after the other before the fork
    from dflint.lint.engine import lint_file

    return [lint_file(path, shown, options) for path, shown in chunk]


def lint_files(
    files: list[tuple[Path, str]], options: Options, jobs: int | None = None
) -> Iterator[FileResult]:
    """Results in the order of ``files``."""
    workers = default_jobs() if jobs is None else max(jobs, 1)
    if workers == 1 or len(files) < PARALLEL_THRESHOLD:
        from dflint.lint.engine import lint_file

        for path, shown in files:
            yield lint_file(path, shown, options)
        return
    if hasattr(os, "fork") and sys.platform.startswith("linux"):
        yield from _forked(files, options, workers)
        return
    from concurrent.futures import ProcessPoolExecutor  # only when it is used: a cold start

    chunks = [files[i : i + _CHUNK] for i in range(0, len(files), _CHUNK)]
    # the workers collect garbage as seldom as this process (a spawned worker would not know)
    with ProcessPoolExecutor(
        max_workers=workers, initializer=gc.set_threshold, initargs=gc.get_threshold()
    ) as pool:
        for results in pool.map(_lint_chunk, chunks, [options] * len(chunks)):
            yield from results


# A chunk's number in the pipe of chunks still to lint: 4 bytes, far below PIPE_BUF, and at
# most _MAX_CHUNKS of them, so that all are written before any process reads (64 KiB, the
# smallest capacity of a Linux pipe).
_NUMBER_BYTES = 4
_MAX_CHUNKS = 65536 // _NUMBER_BYTES
_LAST_CHUNK = 4


def _forked(files: list[tuple[Path, str]], options: Options, workers: int) -> Iterator[FileResult]:
    import _thread

    chunks = _guided_chunks(files, workers)
    numbers_in, numbers_out = os.pipe()
    os.write(numbers_out, b"".join(n.to_bytes(_NUMBER_BYTES, "little") for n in range(len(chunks))))
    os.close(numbers_out)  # once the numbers are taken, every reader sees the end
    done: dict[int, list[FileResult]] = {}
    copies: list[tuple[int, int]] = []  # (process id, the read end of its results)
    gc.freeze()  # what exists now is shared with the copies, not touched by their collector
    try:
        for _ in range(workers - 1):
            results_in, results_out = os.pipe()
            try:
                pid = os.fork()
            except OSError:  # no process to be had (a limit, memory): fewer copies lint
                os.close(results_in)
                os.close(results_out)
                break
            if pid == 0:  # the copy: lint, send, and leave without this process's exit steps
                status = 1
                try:
                    for _, other in copies:
                        os.close(other)
                    os.close(results_in)
                    _lint_taken(numbers_in, chunks, options, results_out)
                    status = 0
                finally:
                    os._exit(status)
            os.close(results_out)
            copies.append((pid, results_in))
        import pickle  # after the fork: each process imports it alongside the others

        # the readers start once every copy exists: a copy forked while a reader holds its
        # stream's lock would inherit the lock held
        readers = []
        for _, results_in in copies:
            finished = _thread.allocate_lock()
            finished.acquire()
            _thread.start_new_thread(_receive, (results_in, done, finished, pickle.loads))
            readers.append(finished)
        shown = 0
        while (number := _take(numbers_in)) is not None:
            done[number] = _lint_chunk(chunks[number], options)
            while shown in done:
                yield from done.pop(shown)
                shown += 1
        for finished in readers:
            finished.acquire()  # that copy's pipe has ended: it sent all it will send
        for pid, _ in copies:
            os.waitpid(pid, 0)
        copies.clear()
        for number in range(shown, len(chunks)):
            found = done.pop(number, None)
            # a copy that died took its chunk with it: that chunk is linted here
            yield from _lint_chunk(chunks[number], options) if found is None else found
    finally:
        gc.unfreeze()
        os.close(numbers_in)
        for pid, _ in copies:  # the run stopped early (an exception, ^C): so do the copies
            _stop(pid)


def _guided_chunks(files: list[tuple[Path, str]], workers: int) -> list[list[tuple[Path, str]]]:
    """Chunks that shrink as the work runs out: each a share of what is left (at most
    ``_CHUNK``, at least ``_LAST_CHUNK`` files), so that the processes finish together
    instead of one waiting on another's last large chunk."""
    smallest = max(_LAST_CHUNK, -(-len(files) // _MAX_CHUNKS))
    chunks = []
    start = 0
    while start < len(files):
        size = max(smallest, min(_CHUNK, (len(files) - start) // (2 * workers)))
        chunks.append(files[start : start + size])
        start += size
    return chunks


def _take(numbers: int) -> int | None:
    data = os.read(numbers, _NUMBER_BYTES)
    return int.from_bytes(data, "little") if len(data) == _NUMBER_BYTES else None


def _lint_taken(
    numbers: int, chunks: list[list[tuple[Path, str]]], options: Options, out: int
) -> None:
    """A copy's work: chunks until none is left, each sent as it is done."""
    from pickle import dumps

    with os.fdopen(out, "wb") as stream:
        while True:
            number = _take(numbers)
            if number is None:
                return
            payload = dumps((number, _lint_chunk(chunks[number], options)))
            stream.write(len(payload).to_bytes(8, "little"))
            stream.write(payload)
            stream.flush()


def _receive(
    pipe: int,
    done: dict[int, list[FileResult]],
    finished: _thread.LockType,
    loads: Callable[[bytes], tuple[int, list[FileResult]]],
) -> None:
    """Read a copy's results until its pipe ends (run in a thread of its own, so that a copy
    never waits on a full pipe while this process lints)."""
    try:
        with os.fdopen(pipe, "rb") as stream:
            while True:
                header = stream.read(8)
                if len(header) < 8:
                    return
                payload = stream.read(int.from_bytes(header, "little"))
                number, results = loads(payload)
                done[number] = results
    except Exception:  # a torn message: what did not arrive is linted again
        return
    finally:
        finished.release()


def _stop(pid: int) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    except OSError:
        pass


def prefetch(
    files: list[tuple[Path, str]], options: Options, always: bool = False
) -> dict[str, Resolution]:
    """Resolve the FROM images of all ``files`` at once; unreadable files are left to lint.

    Only files for which a rule that needs platforms is enabled count, unless ``always``."""
    from dflint.settings.registry import offline_from_env

    if options.offline or offline_from_env():
        # Offline answers come from local tables in microseconds, as each file is linted:
        # fetching them ahead would only parse every file twice (and no file's config can
        # turn the network back on).
        return {}
    from dflint.analyse.analysis import analyze
    from dflint.errors import DflintError
    from dflint.lint.engine import enabled_entries, has_template_markup
    from dflint.lint.options import config_for
    from dflint.read.fileio import read_input
    from dflint.read.parser import parse_bytes
    from dflint.registry.resolver import resolver_for
    from dflint.registry.stages import image_refs

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
