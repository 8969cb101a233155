from __future__ import annotations

from conftest import lint

from dflint.core.findings import Finding

CODE = "DF309"
CORE = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"


def hits(text: str, path: str = "Dockerfile") -> list[Finding]:
    return [f for f in lint(text, path, select=(CODE,)) if f.code == CODE]


def test_cmdlet_without_a_powershell_shell() -> None:
    [finding] = hits(CORE + "RUN Invoke-WebRequest https://x.example/t.zip -OutFile t.zip\n")
    assert (finding.line, finding.column) == (2, 5)
    assert "`Invoke-WebRequest` is a PowerShell cmdlet" in finding.message
    assert "SHELL" in finding.message


def test_shell_does_not_survive_from() -> None:
    text = (
        CORE + 'SHELL ["powershell", "-Command"]\nRUN Write-Host a\n' + CORE + "RUN Write-Host b\n"
    )
    [finding] = hits(text)
    assert finding.line == 5


def test_env_syntax_and_statements() -> None:
    text = CORE + "RUN [Net.ServicePointManager]::SecurityProtocol = 'Tls12'\nRUN echo $env:PATH\n"
    found = hits(text)
    assert [f.line for f in found] == [2, 3]
    assert "starts a PowerShell statement" in found[0].message
    assert "use `%PATH%`" in found[1].message


def test_powershell_command_strings_are_fine() -> None:
    text = CORE + (
        "RUN powershell -Command \"$ErrorActionPreference = 'Stop'; "
        'Invoke-WebRequest https://x.example/t.zip -OutFile t.zip; Expand-Archive t.zip C:\\t"\n'
    )
    assert hits(text) == []


def test_powershell_shell_is_fine() -> None:
    text = CORE + 'SHELL ["powershell", "-Command"]\nRUN Write-Host $env:PATH\n'
    assert hits(text) == []


def test_cmd_c_inside_powershell_is_judged_as_cmd() -> None:
    text = CORE + 'SHELL ["powershell", "-Command"]\nRUN cmd /c "Write-Host hi"\n'
    assert len(hits(text)) == 1


def test_base_images_with_their_own_shell_are_not_judged() -> None:
    # .NET Framework and docker-library Windows images set PowerShell in the image config
    assert (
        hits("FROM mcr.microsoft.com/dotnet/framework/aspnet:4.8\nRUN Add-WindowsFeature X\n") == []
    )
    assert hits("FROM bats-jenkins\nRUN Remove-Item -Force C:/x\n", path="Dockerfile-windows") == []


def test_linux_stages_are_not_judged() -> None:
    assert hits("FROM alpine\nRUN Write-Host hi\n") == []


def test_lower_case_cmdlets_are_found() -> None:
    [finding] = hits(CORE + "RUN invoke-webrequest https://x.example/t.zip -OutFile t.zip\n")
    assert (finding.line, finding.column) == (2, 5)
    assert finding.message.startswith("`invoke-webrequest` is a PowerShell cmdlet, but cmd runs")


def test_cmd_c_findings_name_the_string_without_shell_advice() -> None:
    text = CORE + 'SHELL ["powershell", "-Command"]\nRUN cmd /c "Write-Host hi"\n'
    [finding] = hits(text)
    assert (finding.line, finding.column) == (3, 13)
    assert finding.message == "`Write-Host` is a PowerShell cmdlet, but cmd runs this cmd /C string"


def test_cmd_variables_are_fine() -> None:
    [finding] = hits(CORE + "RUN echo %USERPROFILE% $env:USERPROFILE\n")
    assert (finding.line, finding.column) == (2, 24)
    assert finding.message == (
        "`$env:USERPROFILE` is PowerShell syntax and cmd leaves it as text; use `%USERPROFILE%`"
    )


def test_cmd_c_in_a_linux_stage_is_not_judged() -> None:
    assert hits('FROM alpine\nRUN cmd /c "Write-Host hi"\n') == []


def test_braced_env_syntax_is_found() -> None:
    # the braces are needed for names such as ProgramFiles(x86)
    [finding] = hits(CORE + 'RUN setx PATH "${env:ProgramFiles(x86)}\\Git\\cmd"\n')
    assert (finding.line, finding.column) == (2, 16)
    assert finding.message.startswith("`${env:ProgramFiles(x86)}` is PowerShell syntax")
