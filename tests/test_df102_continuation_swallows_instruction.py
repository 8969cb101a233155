from __future__ import annotations

from conftest import codes, lint


def test_windows_path_swallows_the_next_run() -> None:
    text = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY . C:\\app\\\nRUN dir C:\\app\n"
    [finding] = [f for f in lint(text) if f.code == "DF102"]
    assert (finding.line, finding.column) == (3, 1)
    assert "`RUN` on line 3 is swallowed by COPY" in finding.message
    assert "escape=`" in finding.message


def test_indented_continuations_are_deliberate() -> None:
    text = "FROM alpine\nRUN apk add \\\n    curl \\\n    && echo done\n"
    assert "DF102" not in codes(text)


def test_lower_case_shell_words_are_not_instructions() -> None:
    text = "FROM alpine\nRUN true && \\\nenv FOO=1 sh -c 'echo $FOO'\n"
    assert "DF102" not in codes(text)


def test_keyword_at_same_indent_after_comment_line() -> None:
    text = "FROM alpine\nRUN echo a \\\n# note\nCMD echo b\n"
    assert "DF102" in codes(text)


def test_healthcheck_type_on_the_next_line_is_by_design() -> None:
    text = (
        "FROM nginx\nHEALTHCHECK --interval=5m --timeout=3s \\\n"
        "CMD curl -f http://localhost/ || exit 1\n"
    )
    assert [f for f in lint(text) if f.code == "DF102"] == []
    assert [f for f in lint("FROM nginx\nHEALTHCHECK \\\nNONE\n") if f.code == "DF102"] == []


def test_onbuild_instruction_on_the_next_line_is_by_design() -> None:
    assert [f for f in lint("FROM alpine\nONBUILD \\\nRUN echo hi\n") if f.code == "DF102"] == []


def test_keyword_after_the_healthcheck_command_is_still_swallowed() -> None:
    text = "FROM nginx\nHEALTHCHECK CMD curl -f http://localhost/ \\\nRUN echo swallowed\n"
    assert [f.line for f in lint(text) if f.code == "DF102"] == [3]


def test_a_keyword_indented_under_its_instruction_is_an_argument() -> None:
    # the indent is measured against the instruction's first line, not the line itself
    text = "FROM alpine\nRUN echo \\\n    CMD is an argument\n"
    assert [f for f in lint(text) if f.code == "DF102"] == []


def test_no_windows_path_hint_without_a_windows_path() -> None:
    [finding] = [f for f in lint("FROM alpine\nRUN echo a \\\nCMD echo b\n") if f.code == "DF102"]
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (3, 1, 3, 11)
    assert finding.message == (
        "`CMD` on line 3 is swallowed by RUN: the `\\` at the end of line 2 continues RUN onto it"
    )
