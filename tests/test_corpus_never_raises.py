"""dflint's parser over every file of ../shared/corpus: InputError is the only way it may fail.

That covers the real Dockerfiles, the dflint-tricky and BuildKit test inputs, and also the
corpus's own README, JSON and result files, which are not Dockerfiles at all: whatever the bytes,
the parser either returns a tree or reports an InputError with a position, never crashes.
Every script those trees run (RUN, CMD, ENTRYPOINT, HEALTHCHECK, nested `sh -c` and
`powershell -Command` strings) is then read by the shell readers, which must not fail either:
a reader that raised is recorded on the script (``failure``), apart from a script that is
merely broken (``errors``), and that record must stay empty.
"""

from __future__ import annotations

import pytest
from conftest import SHARED, shared_path

from dflint.analyse.analysis import analyze
from dflint.analyse.shell import shell_view
from dflint.analyse.shell.view import parser_failures
from dflint.errors import InputError
from dflint.read.model import Dockerfile
from dflint.read.parser import parse_bytes

MISSING = "shared-corpus-missing"


def _corpus_files() -> list[str]:
    root = SHARED / "corpus"
    if not root.is_dir():
        return [MISSING]
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@pytest.mark.parametrize("file", _corpus_files())
def test_only_input_error(file: str) -> None:
    path = shared_path("corpus", file)
    try:
        dockerfile = parse_bytes(path.read_bytes(), file)
    except InputError as exc:
        assert exc.path == file
        assert exc.line >= 1
        assert exc.column >= 1
        assert exc.message
    else:
        assert dockerfile.instructions
        for instruction in dockerfile.instructions:
            assert 1 <= instruction.start_line <= instruction.end_line <= len(dockerfile.lines)
        assert shell_readers_fail_on(dockerfile) == []


def shell_readers_fail_on(dockerfile: Dockerfile) -> list[str]:
    """The failures of dflint's shell readers on every script the file runs."""
    analysis = analyze(dockerfile)
    for instruction in dockerfile.instructions:
        shell_view(analysis, instruction)
    return parser_failures(analysis)
