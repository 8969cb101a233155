"""Commands nested far deeper than Python's recursion limit are still read and judged: the
shell readers walk with an explicit stack (before, a RecursionError was swallowed and the
whole script went unjudged)."""

from __future__ import annotations

import pytest
from conftest import lint

DEPTH = 3000
WINDOWS = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"


@pytest.mark.parametrize(
    ("dockerfile", "code"),
    [
        ("FROM alpine:3.20\nRUN " + "( " * DEPTH + "dir /B" + " )" * DEPTH + "\n", "DF302"),
        (
            "FROM alpine:3.20\nRUN " + "if true; then " * DEPTH + "dir /B" + "; fi" * DEPTH,
            "DF302",
        ),
        ("FROM alpine:3.20\nRUN " + "echo $( " * DEPTH + "dir /B" + " )" * DEPTH, "DF302"),
        (WINDOWS + "RUN " + "( " * DEPTH + "uname -a" + " )" * DEPTH + "\n", "DF301"),
        (
            WINDOWS + "RUN " + "if exist x ( " * DEPTH + "uname -a" + " ) else ( ver )" * DEPTH,
            "DF301",
        ),
        (
            WINDOWS + 'SHELL ["powershell", "-Command"]\nRUN '
            + "& { " * DEPTH + "uname -a" + " }" * DEPTH,
            "DF301",
        ),
    ],
    ids=["sh-subshells", "sh-if", "sh-substitutions", "cmd-groups", "cmd-if", "powershell"],
)  # fmt: skip
def test_a_command_nested_thousands_deep_is_judged(dockerfile: str, code: str) -> None:
    findings = lint(dockerfile)
    assert code in [finding.code for finding in findings]


def test_the_walk_records_in_the_order_a_recursive_walk_did() -> None:
    from dflint.analyse.shell.posix import parse_posix
    from dflint.analyse.shell.source import SourceMap

    text = 'a "${X:-$(b ${Y})}" && for i in 1; do c; done; echo ${Z/x/y}'
    source = SourceMap()
    source.add(0, 1, 1)
    script = parse_posix(text, source, "test")
    assert [command.name for command in script.commands] == ["a", "b", "c", "echo"]
    assert [variable.name for variable in script.variables] == ["Y", "X", "Z"]
