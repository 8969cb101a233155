"""dflint's reader against BuildKit's own parser tests (../shared/corpus/buildkit-parser).

The corpus and its expected-result formats are described in its README.md. Case lists are
read at collection time when ../shared is present; when it is absent each test gets one
placeholder case, and ``shared_path`` skips it (or fails it when CI is set).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import SHARED, shared_path

from dflint.errors import InputError
from dflint.read.model import Directive, Dockerfile
from dflint.read.parser import buildkit_dump, parse_bytes

CORPUS = ("corpus", "buildkit-parser")
MISSING = "shared-corpus-missing"


def _case_names(*parts: str) -> list[str]:
    folder = SHARED.joinpath(*CORPUS, *parts)
    if not folder.is_dir():
        return [MISSING]
    return sorted(item.name for item in folder.iterdir() if item.is_dir())


def _load_json(*parts: str) -> Any:
    path = SHARED.joinpath(*CORPUS, *parts)
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _parse(path: Path) -> Dockerfile:
    return parse_bytes(path.read_bytes(), str(path))


# --- testfiles/<case>: Dockerfile + result (Node.Dump() of each instruction) ----------------


@pytest.mark.parametrize("case", _case_names("testfiles"))
def test_testfiles_dump_matches_result(case: str) -> None:
    folder = shared_path(*CORPUS, "testfiles", case)
    dockerfile = _parse(folder / "Dockerfile")
    dumped = ["(" + buildkit_dump(instruction) + ")" for instruction in dockerfile.instructions]
    expected = (folder / "result").read_text(encoding="utf-8").splitlines()
    assert dumped == expected


@pytest.mark.parametrize("case", _case_names("testfiles-negative"))
def test_testfiles_negative_are_rejected(case: str) -> None:
    path = shared_path(*CORPUS, "testfiles-negative", case, "Dockerfile")
    with pytest.raises(InputError):
        _parse(path)


# --- single-input tests transcribed from BuildKit's Go tests -------------------------------


def test_line_numbers() -> None:
    """TestParseIncludesLineNumbers: the (start, end) span of every instruction."""
    folder = shared_path(*CORPUS, "testfile-line")
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    dockerfile = _parse(folder / "Dockerfile")
    spans = [[item.start_line, item.end_line] for item in dockerfile.instructions]
    assert spans == expected["children_lines"]
    assert spans[0][0] == expected["ast_start"]
    assert spans[-1][1] == expected["ast_end"]


def _heredoc_children() -> list[tuple[int, Any]]:
    data = _load_json("heredoc", "expected.json")
    if data is None:
        return [(0, MISSING)]
    return [(index + 1, expected) for index, expected in enumerate(data["expected"])]


def _heredoc_id(param: Any) -> str:
    if isinstance(param, int):
        return f"child-{param}"
    if param is None:
        return "none"
    if param == MISSING:
        return MISSING
    return "+".join(item["Name"] for item in param)


@pytest.mark.parametrize(("child", "expected"), _heredoc_children(), ids=_heredoc_id)
def test_heredocs(child: int, expected: list[dict[str, Any]] | None) -> None:
    """TestParseExtractsHeredoc: expected.json entry i holds the heredocs of AST child i+1."""
    folder = shared_path(*CORPUS, "heredoc")
    listed = json.loads((folder / "expected.json").read_text(encoding="utf-8"))["expected"]
    dockerfile = _parse(folder / "Dockerfile")
    assert len(dockerfile.instructions) == len(listed) + 1  # child 0 is FROM
    heredocs = [
        {
            "Name": heredoc.name,
            "Content": heredoc.content,
            "Expand": heredoc.expand,
            "Chomp": heredoc.chomp,
            "FileDescriptor": heredoc.file_descriptor,
        }
        for heredoc in dockerfile.instructions[child].heredocs
    ]
    assert heredocs == (expected or [])


def test_json_form_has_no_heredocs() -> None:
    """TestParseJSONHeredoc: a JSON-form RUN never opens a heredoc."""
    folder = shared_path(*CORPUS, "heredoc-json")
    dockerfile = _parse(folder / "Dockerfile")
    runs = dockerfile.instructions[1:]
    assert [item.keyword for item in runs] == ["RUN", "RUN", "RUN"]
    for item in runs:
        assert item.json
        assert item.heredocs == []


def test_empty_continuation_warnings() -> None:
    """TestParseWarnsOnEmptyContinutationLine: two warnings, comment lines do not count."""
    folder = shared_path(*CORPUS, "empty-continuation-warning")
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    dockerfile = _parse(folder / "Dockerfile")
    messages = [warning.message for warning in dockerfile.warnings]
    assert len(messages) == expected["expected_warnings"]
    first, *per_warning = expected["warning_substrings"]
    assert all(first in message for message in messages)
    assert [text in message for text, message in zip(per_warning, messages, strict=True)] == [
        True,
        True,
    ]


# --- directives.json ------------------------------------------------------------------------
#
# dflint's reader implements the directive rules of BuildKit's Parse: the run of `# key=value`
# comment lines at the top of the file (syntax, check, escape); any other line ends it. The
# shebang skipping, `//key=value` and JSON forms exist only in BuildKit's DetectSyntax /
# ParseDirective, which pick a frontend before any Dockerfile is parsed; Parse itself treats a
# shebang as an ordinary comment (ending the block) and `//...` or `{...}` as an instruction.
#
# Every entry is classified here by its index in directives.json:
#   "parse"       - the entry tests a rule that Parse shares; checked against the Go test's value
#   "detect-only" - shebang, `//` or JSON form: checked in test_detect_syntax_forms_not_emulated
DIRECTIVE_ENTRY_KIND = {
    0: "parse",  # ParseAll: escape, then a non-directive comment ends the block
    1: "parse",  # ParseAll: directive names are case-insensitive
    2: "parse",  # DetectSyntax: Parse keeps the whole value, "dockerfile:experimental // opts"
    3: "parse",  # shebang skipped by DetectSyntax: dflint reads syntax below one too
    4: "parse",  # shebang, then a blank line: no directive for either
    5: "parse",  # no comments at all
    6: "detect-only",  # `//syntax=` form
    7: "detect-only",  # shebang + `//syntax=` form
    8: "detect-only",  # JSON form
    9: "detect-only",  # malformed JSON form
    10: "detect-only",  # JSON form followed by a `#` directive
    11: "parse",  # BOM before `# syntax =`
    12: "parse",  # ParseDirective("check"): Parse keeps the whole value
    13: "parse",  # shebang skipped by ParseDirective: dflint reads check below one too
    14: "parse",  # shebang, then a blank line: no directive for either
    15: "parse",  # no comments at all
    16: "detect-only",  # `//check=` form (not accepted even by ParseDirective)
}


def _directive_entries(kind: str) -> list[tuple[int, dict[str, Any]]]:
    data = _load_json("directives.json")
    if data is None:
        return [(-1, {"func": MISSING})]
    return [
        (index, entry)
        for index, entry in enumerate(data["inputs"])
        if DIRECTIVE_ENTRY_KIND.get(index) == kind
    ]


def _directive_id(param: Any) -> str:
    if isinstance(param, int):
        return f"{param:02d}"
    return str(param["func"]).replace('"', "")


def _directive_input(entry: dict[str, Any]) -> bytes:
    data = str(entry["input"]).encode("utf-8")
    if b"\nFROM " not in b"\n" + data:
        # A file without instructions is an InputError ("file with no instructions"), as in
        # BuildKit's Parse; append an instruction so the directives can be observed.
        if not data.endswith(b"\n"):
            data += b"\n"
        data += b"FROM scratch\n"
    return data


def test_directive_entries_all_classified() -> None:
    data = json.loads(shared_path(*CORPUS, "directives.json").read_text(encoding="utf-8"))
    assert sorted(DIRECTIVE_ENTRY_KIND) == list(range(len(data["inputs"])))


@pytest.mark.parametrize(("index", "entry"), _directive_entries("parse"), ids=_directive_id)
def test_directives(index: int, entry: dict[str, Any]) -> None:
    shared_path(*CORPUS, "directives.json")
    dockerfile = parse_bytes(_directive_input(entry), f"directives.json[{index}]")
    func, expected = entry["func"], entry["expected"]
    if func == "DirectiveParser.ParseAll":
        found = [[item.name, item.value] for item in dockerfile.directives]
        assert found == expected["directives"]
        return
    key = "syntax" if func == "DetectSyntax" else func.split('"')[1]
    matching = [item for item in dockerfile.directives if item.name == key]
    if not expected["ok"]:
        assert matching == []
        return
    # Parse keeps the whole value (DetectSyntax's `cmdline`); `ref` is only its first word.
    value = expected.get("cmdline", expected["ref"])
    assert value.split(" ")[0] == expected["ref"]
    assert matching == [Directive(key, value, expected.get("line", 1))]


@pytest.mark.parametrize(("index", "entry"), _directive_entries("detect-only"), ids=_directive_id)
def test_detect_syntax_forms_not_emulated(index: int, entry: dict[str, Any]) -> None:
    """dflint does not emulate DetectSyntax's `//` or JSON forms (it does skip a shebang).

    These inputs are Dockerfiles BuildKit's Parse accepts (`//syntax=foo` or
    `{"syntax": ...}` is an unknown instruction), and Parse finds no directive in any of them;
    dflint agrees with Parse, whatever DetectSyntax said.
    """
    shared_path(*CORPUS, "directives.json")
    data = str(entry["input"]).encode("utf-8")
    dockerfile = parse_bytes(data, f"directives.json[{index}]")
    assert dockerfile.directives == []
    assert dockerfile.escape == "\\"
    first = data.split(b"\n", 1)[0]
    if first.startswith(b"#!"):
        assert dockerfile.comments[0].line == 1  # the shebang is read as a comment
    else:
        assert dockerfile.instructions[0].start_line == 1
        assert not dockerfile.instructions[0].known  # `//syntax=...` or `{"syntax": ...}`
