from __future__ import annotations

from conftest import lint

from dflint.core.findings import Finding

CODE = "DF401"


def hits(text: str, path: str = "Dockerfile") -> list[Finding]:
    return [f for f in lint(text, path, select=(CODE,)) if f.code == CODE]


def test_workdir_and_env() -> None:
    found = hits('FROM debian\nWORKDIR C:\\app\nENV JAVA_HOME="c:/openjdk" X=1\n')
    assert [(f.line, f.column, f.end_column) for f in found] == [(2, 9, 15), (3, 16, 26)]
    assert "use a Linux path such as `/app`" in found[0].message


def test_copy_destination_only() -> None:
    found = hits("FROM debian\nCOPY app.exe C:/app/\nADD https://x.example/f /tmp/\n")
    assert [f.line for f in found] == [2]


def test_windows_and_unknown_stages_are_fine() -> None:
    assert hits("FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nWORKDIR C:\\app\n") == []
    assert hits("ARG BASE\nFROM ${BASE}\nWORKDIR C:\\app\n") == []


def test_urls_and_colons_are_not_paths() -> None:
    assert hits("FROM debian\nENV URL=https://x.example/a LABEL=a:b\nVOLUME /data\n") == []
