from __future__ import annotations

from conftest import codes, lint, span


def test_backtick_continuation_without_the_directive() -> None:
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "RUN powershell -Command `\n    Write-Host hello\n"
    )
    [finding] = [f for f in lint(text) if f.code == "DF103"]
    assert (finding.line, finding.column) == (2, 25)
    assert "escape=`" in finding.message


def test_backslash_continuation_under_backtick_escape() -> None:
    text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN echo a \\\n    b\n"
    assert "DF103" in codes(text)


def test_windows_path_at_end_of_line_under_backtick_escape_is_fine() -> None:
    text = (
        "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "WORKDIR C:\\app\\\nRUN dir\n"
    )
    assert "DF103" not in codes(text)


def test_command_substitution_backtick_at_end_of_line_is_fine() -> None:
    assert "DF103" not in codes("FROM alpine\nRUN echo `date`\nCMD true\n")


def test_backslash_under_backtick_escape_says_to_use_a_backtick() -> None:
    text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN echo a \\\n    b\n"
    [finding] = [f for f in lint(text) if f.code == "DF103"]
    assert span(finding) == (3, 12, 3, 13)  # the backslash
    assert finding.message.endswith(
        "line 4 (`b`) is read as an unknown instruction; continue the line with a backtick, "
        "the escape character of this file"
    )


def test_a_doubled_foreign_character_is_a_literal_not_a_continuation_attempt() -> None:
    windows = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
    assert "DF103" not in codes(windows + "RUN echo a \\\\\n    b\n")
    assert "DF103" not in codes("FROM alpine\nRUN echo ``\n    b\n")
