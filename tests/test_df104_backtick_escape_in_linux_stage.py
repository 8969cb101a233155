from __future__ import annotations

from conftest import codes, lint, span


def test_backtick_escape_in_an_alpine_file() -> None:
    [finding] = [f for f in lint("# escape=`\nFROM alpine:3.20\nRUN true\n") if f.code == "DF104"]
    assert span(finding) == (1, 1, 1, 11)  # `# escape=``
    assert finding.platform == "linux"


def test_windows_file_keeps_its_backtick() -> None:
    text = "# escape=`\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nRUN dir C:\\\n"
    assert "DF104" not in codes(text)


def test_unknown_os_is_not_reported() -> None:
    assert "DF104" not in codes("# escape=`\nFROM mycompany/base:1\nRUN true\n")


def test_mixed_os_file_is_not_reported() -> None:
    text = (
        "# escape=`\nFROM alpine AS tools\nRUN true\n"
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY --from=tools /x C:\\x\n"
    )
    assert "DF104" not in codes(text)


def test_the_default_escape_written_out_is_fine() -> None:
    assert "DF104" not in codes("# escape=\\\nFROM alpine:3.20\nRUN true\n")


def test_only_the_escape_directive_is_reported() -> None:
    text = "# syntax=docker/dockerfile:1\n# escape=`\nFROM alpine:3.20\nRUN true\n"
    [finding] = [f for f in lint(text) if f.code == "DF104"]
    assert span(finding) == (2, 1, 2, 11)
