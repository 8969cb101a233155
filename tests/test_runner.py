"""Linting many files across processes gives what linting them one by one gives.

`dflint.lint.runner` forks copies of the process on Linux (chunks handed out through a pipe,
results sent back through one pipe per copy); these tests run it in this process, so the
copies are forks of the test itself.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from dflint.lint import runner
from dflint.lint.engine import FileResult, Options

pytestmark = pytest.mark.skipif(
    not (hasattr(os, "fork") and sys.platform.startswith("linux")),
    reason="the forked runner is used on Linux only",
)

OPTIONS = Options(no_config=True, offline=True)


def _files(folder: Path, count: int) -> list[tuple[Path, str]]:
    """Files that differ in their findings: a per-arch base on some, a Windows command on
    others, nothing on the rest, and one that fails to parse."""
    files = []
    for number in range(count):
        path = folder / f"Dockerfile.{number}"
        if number % 3 == 0:
            body = f"FROM arm64v8/alpine:3.{number}\nRUN echo {number}\n"
        elif number % 3 == 1:
            body = f"FROM alpine:3.{number}\nRUN copy a{number} b\n"
        else:
            body = f"FROM alpine:3.{number}\nRUN echo {number}\n"
        if number == 40:
            body = "FROM alpine\nRUN <<EOF\necho never ends\n"
        path.write_text(body)
        files.append((path, str(path)))
    return files


def _summary(results: list[FileResult]) -> list[tuple[str, bool, list[tuple[str, int, str]]]]:
    return [
        (
            result.path,
            result.failed,
            [(finding.code, finding.line, finding.message) for finding in result.findings],
        )
        for result in results
    ]


@pytest.fixture
def copies(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The process ids of the copies the runner forks (other children of the test process,
    such as a registry fixture's server, are not the runner's)."""
    forked: list[int] = []
    fork = os.fork

    def recording_fork() -> int:
        pid = fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", recording_fork)
    return forked


def _all_reaped(pids: list[int]) -> bool:
    """Each copy has ended and been waited for (none left running or as a zombie)."""
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            continue
        return False
    return True


@pytest.mark.parametrize("jobs", [2, 3])
def test_forked_results_are_the_serial_results_in_order(
    tmp_path: Path, jobs: int, copies: list[int]
) -> None:
    files = _files(tmp_path, runner.PARALLEL_THRESHOLD * 2 + 5)
    serial = list(runner.lint_files(files, OPTIONS, jobs=1))
    forked = list(runner.lint_files(files, OPTIONS, jobs=jobs))
    assert [result.path for result in forked] == [path for _, path in files]
    assert _summary(forked) == _summary(serial)
    codes = {finding.code for result in forked for finding in result.findings}
    assert {"DF001", "DF202", "DF302"} <= codes  # the files did give findings to compare
    assert len(copies) == jobs - 1 and _all_reaped(copies)


def test_chunks_of_a_copy_that_dies_are_linted_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, copies: list[int]
) -> None:
    files = _files(tmp_path, runner.PARALLEL_THRESHOLD * 3)
    serial = list(runner.lint_files(files, OPTIONS, jobs=1))
    parent = os.getpid()
    lint_chunk = runner._lint_chunk

    def dies_in_a_copy(chunk: list[tuple[Path, str]], options: Options) -> list[FileResult]:
        if os.getpid() != parent:
            os._exit(3)  # as a crash in a grammar's C code would end it
        return lint_chunk(chunk, options)

    monkeypatch.setattr(runner, "_lint_chunk", dies_in_a_copy)
    forked = list(runner.lint_files(files, OPTIONS, jobs=2))
    assert _summary(forked) == _summary(serial)
    assert len(copies) == 1 and _all_reaped(copies)


def test_a_run_stopped_early_stops_its_copies(tmp_path: Path, copies: list[int]) -> None:
    files = _files(tmp_path, runner.PARALLEL_THRESHOLD * 4)
    results = runner.lint_files(files, OPTIONS, jobs=3)
    first = next(results)
    assert first.path == files[0][1]
    results.close()  # what an exception or ^C in the caller does to the generator
    assert len(copies) == 2 and _all_reaped(copies)


def test_chunks_cover_the_files_in_order_and_shrink_towards_the_end() -> None:
    files = [(Path(f"Dockerfile.{n}"), f"Dockerfile.{n}") for n in range(605)]
    chunks = runner._guided_chunks(files, 2)
    assert [item for chunk in chunks for item in chunk] == files
    sizes = [len(chunk) for chunk in chunks]
    assert max(sizes) == runner._CHUNK and sizes[-2] == runner._LAST_CHUNK
    assert sizes == sorted(sizes, reverse=True)  # the large ones first, the small ones last
    # a huge run keeps its chunk numbers within what the pipe holds before anyone reads
    many = [(Path("Dockerfile"), "Dockerfile")] * (runner._MAX_CHUNKS * runner._CHUNK * 2)
    assert len(runner._guided_chunks(many, 2)) <= runner._MAX_CHUNKS


def test_a_copy_that_cannot_be_forked_leaves_its_work_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _files(tmp_path, runner.PARALLEL_THRESHOLD * 2)
    serial = list(runner.lint_files(files, OPTIONS, jobs=1))

    def refused() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")  # EAGAIN: RLIMIT_NPROC

    monkeypatch.setattr(os, "fork", refused)
    assert _summary(list(runner.lint_files(files, OPTIONS, jobs=3))) == _summary(serial)


def test_a_result_carries_only_the_lines_its_findings_show() -> None:
    # results cross process boundaries: the code frames need the lines the findings point
    # into, not the whole file
    from dflint.lint.engine import lint_bytes

    text = "FROM alpine:3.20\nRUN echo one\nRUN copy a b \\\n    c\nRUN echo two\n"
    result = lint_bytes(text.encode(), "Dockerfile", OPTIONS)
    [finding] = [f for f in result.findings if f.code == "DF302"]
    assert (finding.line, finding.end_line) == (3, 4)  # the command runs on to line 4
    assert result.lines == ("", "", "RUN copy a b \\", "    c", "")
    broken = lint_bytes(b"FROM alpine\nRUN echo\nRUN <<EOF\nnever ends\n", "Dockerfile", OPTIONS)
    assert broken.failed and broken.lines == ("", "", "RUN <<EOF", "")
