"""dflint's reader against ../shared/corpus/dflint-tricky (our hand-written edge cases).

The oracle is ``buildkit-v0.12.5.json`` in each folder: BuildKit's own Go parser at v0.12.5, as
wrapped by the PyPI package ``dockerfile`` 3.4.0. Where that version (or the wrapper) is not
what current BuildKit does, the corpus README lists the corrected value; those corrections are
applied below as ORACLE_OVERRIDES. dflint's two deliberate divergences are in DFLINT_REJECTS and
in ``_compares_original``.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from conftest import SHARED, shared_path

from dflint.errors import InputError
from dflint.read.model import KNOWN_KEYWORDS, Instruction
from dflint.read.parser import parse_bytes

CORPUS = ("corpus", "dflint-tricky")
ORACLE = "buildkit-v0.12.5.json"
MISSING = "shared-corpus-missing"

# Corrections from dflint-tricky/README.md, "Where the v0.12.5 oracle is NOT current BuildKit"
# (checked there against the v0.32 source). case -> {index in the oracle's result list: the
# fields to replace, or None when current BuildKit has no such instruction}. Field names are the
# oracle's, plus "sub_flags" (the ONBUILD sub-command's flags, which the wrapper never reports).
ORACLE_OVERRIDES: dict[str, dict[int, dict[str, Any] | None]] = {
    # `check` is a valid directive since BuildKit v0.14, so the `# escape=`` after it still
    # applies: the backtick continues the RUN over line 6 and `two` is not an instruction.
    "syntax-check-escape": {
        1: {"end": 6, "value": ["echo one     two"], "original": "RUN echo one     two"},
        2: None,
    },
    # `RUN << EOF` (blank before the name) is a heredoc since BuildKit v0.22, so lines 3-4 are
    # its body and terminator, not the unknown instructions `echo` and `EOF`.
    "heredoc-space-name": {
        1: {"end": 4, "heredocs": [["EOF", "echo spaced\n"]]},
        2: None,
        3: None,
    },
    # Line 6, `CMD ["echo", "hi"] extra`: text after the array makes it shell form (since
    # BuildKit v0.15); v0.12.5 read the array and ignored the rest.
    "json-vs-shell": {
        5: {"json": False, "value": ['["echo", "hi"] extra']},
    },
    # Line 3, `ONBUILD COPY --from=build /a /b`: the flags belong to the sub-command; the
    # wrapper drops them (the ONBUILD node itself has none).
    "onbuild": {
        2: {"sub_flags": ["--from=build"]},
    },
    # The wrapper drops ONBUILD heredocs; BuildKit reads the body (lines 2-4 are right).
    "heredoc-onbuild": {
        1: {"heredocs": [["EOF", "echo onbuild heredoc\n"]]},
    },
}

# `non-utf8`, whose comment holds a Latin-1 byte, was once a deliberate divergence: dflint
# rejected what BuildKit reads. It now reads it as BuildKit does (the byte is a surrogate
# escape, and a comment is no finding), so the oracle applies to it like to every case.


def _case_names() -> list[str]:
    folder = SHARED.joinpath(*CORPUS)
    if not folder.is_dir():
        return [MISSING]
    return sorted(item.name for item in folder.iterdir() if (item / ORACLE).is_file())


def _expected(case: str, oracle: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The oracle's instructions with ORACLE_OVERRIDES applied."""
    overrides = ORACLE_OVERRIDES.get(case, {})
    result = []
    for index, item in enumerate(copy.deepcopy(oracle)):
        if index in overrides:
            fields = overrides[index]
            if fields is None:
                continue
            item.update(fields)
        if item["cmd"].upper() not in KNOWN_KEYWORDS and item["value"] == [""]:
            # README: the parser ignores an unknown instruction's arguments; the wrapper shows
            # that as [""], dflint's args are [] (the build fails later, "unknown instruction").
            item["value"] = []
        result.append(item)
    return result


def _observed(instruction: Instruction, expected: dict[str, Any]) -> dict[str, Any]:
    """dflint's view of one instruction, with the oracle's field names."""
    effective = instruction.effective
    observed: dict[str, Any] = {
        "cmd": instruction.raw_keyword,
        "sub": instruction.sub.raw_keyword if instruction.sub is not None else None,
        "json": effective.json,  # for ONBUILD the oracle reports the sub-instruction's json
        "start": instruction.start_line,
        "end": instruction.end_line,
        "flags": instruction.flags,
        # ENV/LABEL: dflint's args are the key/value pairs without BuildKit's separator nodes,
        # which is what the oracle's value holds too.
        "value": instruction.args,
        "heredocs": [[heredoc.name, heredoc.content] for heredoc in effective.heredocs],
        "original": instruction.original,
    }
    if "sub_flags" in expected:
        observed["sub_flags"] = instruction.sub.flags if instruction.sub is not None else None
    if not _compares_original(expected):
        del observed["original"]
    return observed


def _compares_original(expected: dict[str, Any]) -> bool:
    """Deliberate divergence (b): no `original` comparison for an instruction with heredocs.

    The oracle's `original` is the logical line followed by the heredoc bodies and terminators;
    dflint's ``Instruction.original`` is the logical line alone (the bodies are in
    ``Instruction.heredocs``).
    """
    return not expected["heredocs"]


@pytest.mark.parametrize("case", _case_names())
def test_tricky(case: str) -> None:
    folder = shared_path(*CORPUS, case)
    data = (folder / "Dockerfile").read_bytes()
    oracle = json.loads((folder / ORACLE).read_text(encoding="utf-8"))["result"]

    if isinstance(oracle, dict):
        with pytest.raises(InputError) as caught:
            parse_bytes(data, case)
        assert caught.value.message == oracle["error"]
        return

    dockerfile = parse_bytes(data, case)
    expected = _expected(case, oracle)
    observed = [
        _observed(instruction, item)
        for instruction, item in zip(dockerfile.instructions, expected, strict=False)
    ]
    comparable = [
        {key: value for key, value in item.items() if key != "original" or _compares_original(item)}
        for item in expected
    ]
    keywords = [instruction.raw_keyword for instruction in dockerfile.instructions]
    assert keywords == [item["cmd"] for item in expected]
    assert observed == comparable


def test_overrides_name_real_cases() -> None:
    """Every override points at an existing case and instruction, so none can silently rot."""
    for case, overrides in ORACLE_OVERRIDES.items():
        path = shared_path(*CORPUS, case, ORACLE)
        oracle = json.loads(path.read_text(encoding="utf-8"))["result"]
        assert isinstance(oracle, list)
        assert all(0 <= index < len(oracle) for index in overrides), case
