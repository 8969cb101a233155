"""DF005: unknown instructions, with BuildKit's "did you mean" (the issue's examples)."""

from __future__ import annotations

import pytest
from conftest import lint

CASES = [
    # (Dockerfile, line, column, BuildKit's reason, advice)
    ("FROM alpine\nBADCMD\n", 2, 1, "unknown instruction: BADCMD", "Dockerfile instructions"),
    ("FROM alpine\nRUNCMD docker\n", 2, 1, "unknown instruction: RUNCMD", "instructions"),
    (
        "FROM alpine\nFR\\om alpine\n",
        2,
        1,
        "unknown instruction: FR\\om (did you mean from?)",
        "write FROM",
    ),
    ("FROM\\ alpine\n", 1, 1, "unknown instruction: FROM\\ (did you mean FROM?)", "write FROM"),
    ("FORM alpine\n", 1, 1, "unknown instruction: FORM (did you mean FROM?)", "write FROM"),
    ("FROM alpine\n  cpoy a b\n", 2, 3, "unknown instruction: cpoy (did you mean copy?)", "COPY"),
]


@pytest.mark.parametrize(("text", "line", "column", "reason", "advice"), CASES)
def test_unknown_instruction(text: str, line: int, column: int, reason: str, advice: str) -> None:
    [finding] = [f for f in lint(text) if f.code == "DF005"]
    assert (finding.line, finding.column) == (line, column)
    assert finding.severity == "error"
    assert finding.message.startswith(reason + ": ")
    assert advice in finding.message


def test_heredoc_with_a_blank_after_dash_is_no_heredoc() -> None:
    """`RUN <<- EOF`: BuildKit reads no heredoc, so the body lines are instructions."""
    text = "FROM alpine\nRUN <<- EOF\necho hello\nEOF\n"
    found = [f for f in lint(text) if f.code == "DF005"]
    assert [(f.line, f.message.split(":")[0]) for f in found] == [
        (3, "unknown instruction"),
        (4, "unknown instruction"),
    ]
    assert "`<<- EOF` on line 2 is not a heredoc" in found[0].message
    assert "write `<<-EOF`" in found[0].message


def test_dash_name_after_blank_is_a_heredoc() -> None:
    """`RUN << -EOF` is a heredoc named -EOF for BuildKit (TestHeredocsFromLine)."""
    assert lint("FROM alpine\nRUN << -EOF\necho hello\n-EOF\n") == []


def test_onbuild_trigger_is_judged_in_the_child_build() -> None:
    """BuildKit checks an ONBUILD trigger's name only against FROM, MAINTAINER and ONBUILD."""
    assert [f for f in lint("FROM alpine\nONBUILD BADCMD x\n") if f.code == "DF005"] == []


def test_an_instruction_buildkit_refuses_for_its_arguments_is_df004_not_df005() -> None:
    found = [f for f in lint("FROM alpine\nWORKDIR\n") if f.code in ("DF004", "DF005")]
    assert [(f.code, f.line, f.column) for f in found] == [("DF004", 2, 1)]
