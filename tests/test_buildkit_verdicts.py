"""BuildKit's verdict on every snippet of its own tests, and dflint's.

The cases are in tests/buildkit_snippets.py; BuildKit's answers (produced by BuildKit's own
parser, instruction layer and Dockerfile frontend; see its README) are in
tests/data/buildkit/verdicts.json. For each case dflint must:

- reject exactly the files BuildKit rejects (DF001 when the lines cannot be read, DF004,
  DF005 or DF006 otherwise), with BuildKit's reason at BuildKit's line;
- read the same instructions: keyword, flags, arguments (as BuildKit's Node.Dump prints
  them), first and last line, heredocs;
- report DF204 where BuildKit warns RedundantTargetPlatform, and DF203 only where BuildKit
  warns FromPlatformFlagConstDisallowed (DF203 is quieter by design: it judges the pin
  against the target platforms, see its docs).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from buildkit_snippets import SNIPPETS, Snippet

from dflint.errors import InputError
from dflint.lint.engine import Options, lint_bytes
from dflint.read.parser import buildkit_dump, parse_bytes

VERDICTS: dict[str, dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "buildkit" / "verdicts.json").read_text(encoding="utf-8")
)
REJECTING = ("DF001", "DF004", "DF005", "DF006")
_PREFIX = re.compile(r"dockerfile parse error on line \d+: ")

# Where dflint words the same rejection differently (BuildKit's text -> dflint's).
REASONS = {
    # dflint names the heredoc and why it is unterminated
    "unterminated heredoc": "unterminated heredoc <<",
    # a JSON array that holds non-strings: the same words, reported by the reader
    "when using JSON array syntax, arrays must be comprised of strings only": (
        "when using JSON array syntax, arrays must be comprised of strings only"
    ),
}
# BuildKit places a scanner error on the last line it read; dflint on the long line itself.
LINE_DIFFERS = {"dockerfile line greater than max allowed size of 65535"}


# Cases where dflint knowingly gives another verdict, with the reason. `# check=...;error=true`
# turns BuildKit's own style checks (FromAsCasing, ConsistentInstructionCasing, ...) into build
# errors; dflint does not run those checks, so it cannot tell that such a file fails.
KNOWN_DIVERGENCES = {
    "frontend/dockerfile/dockerfile_check_test.go:testRuleCheckOption/6": "error=true",
    "frontend/dockerfile/dockerfile_check_test.go:testRuleCheckOption/7": "error=true",
}


def _ids() -> list[str]:
    return [item.id for item in SNIPPETS]


def _cases() -> list[Any]:
    return [
        pytest.param(
            item,
            id=item.id,
            marks=pytest.mark.xfail(reason=KNOWN_DIVERGENCES[item.id], strict=True)
            if item.id in KNOWN_DIVERGENCES
            else (),
        )
        for item in SNIPPETS
    ]


def test_every_snippet_has_buildkits_verdict() -> None:
    assert sorted(VERDICTS) == sorted(_ids())


def _findings(snippet: Snippet) -> list[Any]:
    options = Options(no_config=True, offline=True)
    result = lint_bytes(snippet.dockerfile.encode("utf-8"), "Dockerfile", options)
    # the other rules still run on a file BuildKit refuses, and none of them may break on it
    assert result.internal_errors == []
    return result.findings


@pytest.mark.parametrize("snippet", _cases())
def test_verdict(snippet: Snippet) -> None:
    expected = VERDICTS[snippet.id]
    findings = _findings(snippet)
    rejections = [f for f in findings if f.code in REJECTING and f.severity == "error"]
    if expected["verdict"] == "accepted":
        assert rejections == [], f"BuildKit accepts this file:\n{snippet.dockerfile}"
        return
    assert rejections, f"BuildKit rejects this file: {expected['error']}\n{snippet.dockerfile}"
    reason = _PREFIX.sub("", expected["error"])
    wanted = REASONS.get(reason, reason)
    matching = [f for f in rejections if f.message.startswith(wanted)]
    assert matching, (reason, [f.message for f in rejections])
    if expected["error_lines"] and reason not in LINE_DIFFERS:
        assert matching[0].line == expected["error_lines"][0], (reason, matching[0].line)


def _parsed(snippet: Snippet) -> Any:
    try:
        return parse_bytes(snippet.dockerfile.encode("utf-8"), "Dockerfile")
    except InputError:
        return None


@pytest.mark.parametrize("snippet", SNIPPETS, ids=_ids())
def test_parse_tree(snippet: Snippet) -> None:
    expected = VERDICTS[snippet.id]
    dockerfile = _parsed(snippet)
    if not expected["parsed"]:
        # BuildKit's parser refused it: dflint's reader refuses it too, or (for a line over
        # 65,535 bytes) reads it and reports DF004
        assert dockerfile is None or any(
            problem.reason.startswith("dockerfile line greater") for problem in dockerfile.problems
        )
        return
    assert dockerfile is not None, "BuildKit's parser reads this file"
    found = [
        {
            "keyword": item.raw_keyword,
            "flags": item.flags,
            "dump": buildkit_dump(item),
            "json": item.json,
            "start_line": item.start_line,
            "end_line": item.end_line,
            "heredocs": [
                {
                    "name": heredoc.name,
                    "content": heredoc.content,
                    "expand": heredoc.expand,
                    "chomp": heredoc.chomp,
                    "file_descriptor": heredoc.file_descriptor,
                }
                for heredoc in (item.heredocs or (item.sub.heredocs if item.sub else []))
            ],
            "comments": [text for _line, text in item.prev_comments],
        }
        for item in dockerfile.instructions
    ]
    for node in expected["ast"]:
        node["comments"] = node["comments"] or []  # Go's nil and empty slices
    assert found == expected["ast"]


@pytest.mark.parametrize("snippet", SNIPPETS, ids=_ids())
def test_shared_checks(snippet: Snippet) -> None:
    expected = VERDICTS[snippet.id]
    if expected["verdict"] == "rejected" and not expected["warnings"]:
        return
    findings = _findings(snippet)
    warned = {(item["rule"], item["line"]) for item in expected["warnings"]}
    redundant = {line for rule, line in warned if rule == "RedundantTargetPlatform"}
    constant = {line for rule, line in warned if rule == "FromPlatformFlagConstDisallowed"}
    assert {f.line for f in findings if f.code == "DF204"} == redundant
    assert {f.line for f in findings if f.code == "DF203"} <= constant


def test_dflint_parse_json_shows_buildkits_tree(tmp_path: Path) -> None:
    """`dflint parse --format json` prints the instructions, lines, flags and heredocs that
    BuildKit's parser produces, for every snippet BuildKit's parser reads."""
    from typer.testing import CliRunner

    from dflint.app.main import app

    runner = CliRunner()
    path = tmp_path / "Dockerfile"
    compared = 0
    for snippet in SNIPPETS:
        expected = VERDICTS[snippet.id]
        if not expected["parsed"] or _parsed(snippet) is None:
            continue
        path.write_bytes(snippet.dockerfile.encode("utf-8"))
        result = runner.invoke(app, ["parse", "--format", "json", str(path)])
        assert result.exit_code == 0, (snippet.id, result.output)
        tree = json.loads(result.output)
        shown = [
            {
                "keyword": item["raw_keyword"],
                "flags": item["flags"],
                "dump": item["buildkit_dump"],
                "start_line": item["start_line"],
                "end_line": item["end_line"],
                "heredocs": item["heredocs"],
            }
            for item in tree["instructions"]
        ]
        wanted = [
            {key: node[key] for key in ("keyword", "flags", "dump", "start_line", "end_line")}
            | {"heredocs": node["heredocs"]}
            for node in expected["ast"]
        ]
        assert shown == wanted, snippet.id
        rejected_by_instructions = expected["verdict"] == "rejected" and expected["parsed"]
        if not rejected_by_instructions:
            assert [p for p in tree["problems"] if p["kind"] != "invalid-instruction"] == []
        compared += 1
    assert compared > 300
