from __future__ import annotations

from conftest import lint

from dflint.core.findings import Finding

CODE = "DF302"


def hits(text: str, path: str = "Dockerfile") -> list[Finding]:
    return [f for f in lint(text, path, select=(CODE,)) if f.code == CODE]


def test_cmd_switch_on_a_name_linux_shares() -> None:
    text = (
        "FROM diamol/base:linux-amd64\nCMD echo built && \\\n    uname -a && \\\n    dir /B /app\n"
    )
    [finding] = hits(text)
    assert (finding.line, finding.column) == (4, 5)
    assert "`dir /B` is cmd syntax" in finding.message
    assert "use `ls -1`" in finding.message


def test_windows_only_commands() -> None:
    [copy, setx] = hits("FROM alpine\nRUN copy a b && setx PATH x\n")
    assert "`copy` does not exist under sh; use `cp FILE DEST`" in copy.message
    assert setx.column == 17


def test_cmdlets_under_sh() -> None:
    [finding] = hits("FROM debian\nRUN Invoke-WebRequest https://x.example/f -OutFile f\n")
    assert "PowerShell cmdlet" in finding.message
    assert "curl" in finding.message


def test_set_name_value_is_cmd_syntax() -> None:
    [finding] = hits("FROM debian\nRUN set PATH=/x && echo $PATH\n")
    assert "`set PATH=/x`" in finding.message
    assert hits("FROM debian\nRUN set -eux; echo hi\n") == []


def test_pwsh_is_normal_in_linux_images() -> None:
    text = (
        "FROM mcr.microsoft.com/powershell:ubuntu-22.04\n"
        'RUN pwsh -Command "Invoke-WebRequest https://x.example/m -OutFile m; Install-Module X"\n'
        'SHELL ["pwsh", "-Command"]\n'
        "RUN Get-ChildItem /; Write-Host done\n"
    )
    assert hits(text) == []


def test_linux_names_and_paths_are_fine() -> None:
    text = (
        "FROM debian\n"
        "RUN ls /tmp && rmdir /tmp/x && timeout 5 true && type curl && find / -name x\n"
    )
    assert hits(text) == []


def test_windows_stages_are_not_judged() -> None:
    assert hits("FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCMD dir /B\n") == []


def test_unknown_os_needs_a_mix() -> None:
    assert hits("FROM diamol/base\nCMD dir /B .\n") == []
    [finding] = hits("FROM diamol/base\nCMD uname -a && dir /B .\n")
    assert "the stage's OS is unknown" in finding.message


def test_cmd_in_a_linux_shell_form() -> None:
    [finding] = hits("FROM debian\nRUN cmd /c dir\n")
    assert "`cmd /c` does not exist under sh" in finding.message
    assert hits('FROM debian\nCMD ["cmd", "/c", "dir"]\n') == []  # DF310 reports the exec form


def test_start_needs_a_cmd_switch() -> None:
    assert hits("FROM debian\nCMD start\n") == []
    assert len(hits("FROM debian\nCMD start /w app.exe\n")) == 1


def test_exec_form_shell_string() -> None:
    text = 'FROM alpine\nCMD ["sh", "-c", "uname -a && dir /B /app"]\n'
    [finding] = hits(text)
    assert (finding.line, finding.column) == (2, text.splitlines()[1].index("dir") + 1)


def test_exec_form_in_windows_stages_is_not_judged() -> None:
    # an exec form runs no shell: on Windows `icacls` and `netsh` are the programs they name
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        'RUN ["icacls", "C:\\\\app", "/grant", "Users:F"]\n'
        'HEALTHCHECK CMD ["netsh", "http", "show", "urlacl"]\n'
    )
    assert hits(text) == []


def test_unknown_os_judges_the_linux_side_by_what_cmd_lacks() -> None:
    # mkdir is cmd's too: this line is for Windows; `mkdir -p` is not cmd's, so it mixes
    assert hits("FROM diamol/base\nRUN mkdir C:\\app && copy app.exe C:\\app\n") == []
    [finding] = hits("FROM diamol/base\nRUN mkdir -p /app && copy app.exe /app\n")
    assert (finding.line, finding.column) == (2, 22)
    assert "it also runs `mkdir -p`, which only Linux has" in finding.message
    assert finding.message.endswith("on Linux `copy` does not exist under sh; use `cp FILE DEST`")


def test_a_command_without_a_linux_equivalent_gets_no_advice() -> None:
    [netsh, cmdlet] = hits(
        "FROM debian\nRUN netsh winhttp reset proxy; Set-ExecutionPolicy Bypass\n"
    )
    assert (netsh.column, netsh.message) == (5, "`netsh` does not exist under sh")
    assert cmdlet.column == 32
    assert cmdlet.message == "`Set-ExecutionPolicy` is a PowerShell cmdlet, which sh cannot run"
