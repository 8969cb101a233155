from __future__ import annotations

from conftest import codes, lint


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
