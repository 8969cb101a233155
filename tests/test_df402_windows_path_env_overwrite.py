from __future__ import annotations

from conftest import lint

from dflint.core.findings import Finding

CODE = "DF402"
NANO = "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n"


def hits(text: str) -> list[Finding]:
    return [f for f in lint(text, select=(CODE,)) if f.code == CODE]


def test_path_that_refers_to_itself() -> None:
    [finding] = hits(NANO + 'ENV PATH="C:\\\\go\\\\bin;${PATH}"\n')
    assert (finding.line, finding.column, finding.end_column) == (2, 5, 9)
    assert "expands to nothing" in finding.message
    assert "setx /M PATH" in finding.message


def test_percent_and_lower_case_forms() -> None:
    assert len(hits(NANO + 'ENV Path "C:\\\\tools;%PATH%"\n')) == 1


def test_path_without_the_system_folders() -> None:
    [finding] = hits(NANO + "ENV PATH=C:\\\\tools\n")
    assert "system32" in finding.message


def test_full_explicit_path_is_fine() -> None:
    assert (
        hits(NANO + 'ENV PATH "C:\\\\mingit\\\\cmd;C:\\\\Windows\\\\system32;C:\\\\Windows;"\n')
        == []
    )


def test_linux_stages_are_fine() -> None:
    assert hits('FROM debian\nENV PATH="/opt/x/bin:${PATH}"\n') == []


def test_only_the_first_of_a_chain_is_reported() -> None:
    text = NANO + 'ENV PATH="C:\\\\a;${PATH}"\nENV PATH="C:\\\\b;${PATH}"\n'
    assert [f.line for f in hits(text)] == [2]
