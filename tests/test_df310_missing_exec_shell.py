from __future__ import annotations

from conftest import lint, span

from dflint.core.findings import Finding

CODE = "DF310"


def hits(text: str) -> list[Finding]:
    return [f for f in lint(text, select=(CODE,)) if f.code == CODE]


def test_bash_on_alpine() -> None:
    [finding] = hits('FROM alpine:3.20\nENTRYPOINT ["/bin/bash", "-c", "exec app"]\n')
    assert span(finding) == (2, 1, 2, 43)
    assert "`/bin/bash` is not in this stage's base `alpine:3.20`" in finding.message
    assert "apk add --no-cache bash" in finding.message


def test_installed_bash_is_fine() -> None:
    text = 'FROM alpine:3.20\nRUN apk add --no-cache bash\nSHELL ["/bin/bash", "-c"]\n'
    assert hits(text) == []
    assert hits('FROM bash:5.2\nCMD ["bash", "-c", "echo hi"]\n') == []


def test_shells_on_distroless_and_scratch() -> None:
    text = 'FROM gcr.io/distroless/static-debian12\nCMD ["/bin/sh", "-c", "app"]\n'
    assert len(hits(text)) == 1
    [shell_form] = hits("FROM scratch\nCOPY app /app\nRUN chmod +x /app\n")
    assert "shell form" in shell_form.message
    assert hits('FROM scratch\nCOPY app /app\nENTRYPOINT ["/app"]\n') == []


def test_windows_shells() -> None:
    assert (
        len(hits('FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCMD ["bash", "-c", "x"]\n'))
        == 1
    )
    nano = 'FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nSHELL ["powershell", "-Command"]\n'
    [finding] = hits(nano)
    assert "Nano Server" in finding.message
    # Nano Server 2016 still had PowerShell
    old = nano.replace("ltsc2022", "10.0.14393.2068")
    assert hits(old) == []


def test_windows_shells_on_linux() -> None:
    [finding] = hits('FROM debian\nCMD ["powershell", "-Command", "x"]\n')
    assert "pwsh" in finding.message
    assert len(hits('FROM debian\nCMD ["cmd", "/S", "/C", "dir"]\n')) == 1


def test_present_shells_are_fine() -> None:
    text = (
        'FROM debian\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
        'FROM alpine\nCMD ["/bin/sh", "-c", "x"]\n'
        'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command"]\n'
        'FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nSHELL ["cmd", "/S", "/C"]\n'
        'FROM ubuntu\nCMD ["pwsh", "-c", "x"]\n'
    )
    assert hits(text) == []


def test_unknown_bases_are_not_guessed() -> None:
    assert hits('ARG BASE\nFROM ${BASE}\nCMD ["/bin/bash", "-c", "x"]\n') == []
