from __future__ import annotations

from conftest import codes, lint

from dflint.read.parser import parse_text


def test_escape_after_a_comment_is_reported_with_the_reason() -> None:
    text = "# Windows image\n# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
    [finding] = [f for f in lint(text) if f.code == "DF101"]
    assert (finding.line, finding.column) == (2, 1)
    assert "comment on line 1" in finding.message


def test_escape_after_a_blank_line_and_after_an_instruction() -> None:
    assert "DF101" in codes("\n# escape=`\nFROM alpine\n")
    assert "DF101" in codes("FROM alpine\n# syntax=docker/dockerfile:1\nRUN true\n")


def test_directive_keys_are_case_insensitive() -> None:
    assert "DF101" in codes("FROM alpine\n#  ESCAPE = `\nRUN true\n")


def test_directives_in_the_block_are_fine() -> None:
    text = "# syntax=docker/dockerfile:1\n# check=skip=all\n# escape=\\\nFROM alpine\n"
    assert "DF101" not in codes(text)


def test_ordinary_comments_with_equals_are_not_directives() -> None:
    assert "DF101" not in codes("FROM alpine\n# version=1.2\n# see https://x?a=b\nRUN true\n")


def test_check_comment_directly_above_an_instruction_is_not_misplaced() -> None:
    """Since frontend 1.21 a `# check=` above an instruction applies to it (BuildKit's
    testRedundantTargetPlatform and testSecretsUsedInArgOrEnv)."""
    text = "\n# check=skip=RedundantTargetPlatform\nFROM --platform=$TARGETPLATFORM scratch\n"
    assert [f for f in lint(text) if f.code == "DF101"] == []
    text = "FROM scratch\nARG A\n# check=skip=all // local to this instruction\nENV B=1\n"
    assert [f for f in lint(text) if f.code == "DF101"] == []


def test_check_comment_that_applies_to_nothing_is_reported() -> None:
    [finding] = [f for f in lint("FROM alpine\nRUN true\n# check=skip=all\n") if f.code == "DF101"]
    assert finding.line == 3
    assert finding.message.endswith(
        "move it to the top of the file, or directly above the instruction it is for"
    )


def test_empty_comment_line_detaches_a_check_comment() -> None:
    """An empty `#` line empties BuildKit's list of comments above the next instruction."""
    text = "FROM alpine\n# check=skip=all\n#\nRUN true\n"
    assert [f.line for f in lint(text) if f.code == "DF101"] == [2]


def test_the_reason_names_what_ended_the_directive_block() -> None:
    """BuildKit's directive block ends at the first line that is not a directive: a blank
    line (directives_test.go: "#escape=\\\n# key = FOO bar\n\n# smth" keeps only escape), a
    comment, or an instruction."""
    after_blank = "# escape=`\n\n# syntax=docker/dockerfile:1\nFROM alpine\n"
    [finding] = [f for f in lint(after_blank) if f.code == "DF101"]
    assert (finding.line, finding.column) == (3, 1)
    assert "(the blank line 2 ends the directive block)" in finding.message
    [first] = [f for f in lint("\n# escape=`\nFROM alpine\n") if f.code == "DF101"]
    assert "(the blank line 1 ends the directive block)" in first.message
    text = "FROM alpine\n# syntax=docker/dockerfile:1\nRUN true\n"
    [finding] = [f for f in lint(text) if f.code == "DF101"]
    assert finding.message == (
        "`# syntax=docker/dockerfile:1` is not a parser directive here (the instruction on "
        "line 1 ends the directive block): BuildKit reads it as a comment; move it to the top "
        "of the file"
    )


def test_syntax_and_check_below_a_shebang_are_directives_but_escape_is_not() -> None:
    # BuildKit's frontend drops a leading `#!` line before it reads `syntax` (DetectSyntax)
    # and `check` (ParseDirective); the parser's own block, which holds `escape`, ends there
    text = (
        "#!/usr/bin/env -S docker build -f\n"
        "# syntax=docker/dockerfile:1\n"
        "# check=skip=all\n"
        "# escape=`\n"
        "FROM alpine\n"
    )
    [finding] = [f for f in lint(text) if f.code == "DF101"]
    assert (finding.line, finding.column) == (4, 1)
    assert "the shebang on line 1 ends the directive block" in finding.message
    assert finding.message.endswith("remove the `#!` line to use it")
    directives = parse_text(text).directives
    assert [(d.name, d.value, d.line) for d in directives] == [
        ("syntax", "docker/dockerfile:1", 2),
        ("check", "skip=all", 3),
    ]


def test_below_a_shebang_the_block_still_ends_at_a_blank_line_or_a_repeat() -> None:
    text = "#!/bin/sh\n# check=skip=all\n# check=error=true\n\n# syntax=x\nFROM alpine\n"
    assert [(d.name, d.line) for d in parse_text(text).directives] == [("check", 2)]
    # (the repeated check= sits above the FROM, which it applies to since frontend 1.21)
    [finding] = [f for f in lint(text) if f.code == "DF101"]
    assert finding.line == 5 and "the comment on line 3 ends the directive block" in finding.message
    # an indented `#!` is no shebang, and nothing after it is a directive
    assert parse_text(" #!/bin/sh\n# syntax=x\nFROM alpine\n").directives == []
