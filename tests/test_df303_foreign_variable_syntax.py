from __future__ import annotations

from conftest import lint

from dflint.core.findings import Finding

CODE = "DF303"
NANO = "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n"


def hits(text: str, path: str = "Dockerfile") -> list[Finding]:
    return [f for f in lint(text, path, select=(CODE,)) if f.code == CODE]


def test_dollar_under_cmd_after_a_shell_reset() -> None:
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS build\n"
        'SHELL ["powershell", "-Command"]\n'
        "RUN Write-Host hi\n" + NANO + "ENV HOST_NAME=localhost\n"
        "CMD C:\\certs.bat ${HOST_NAME}\n"
    )
    [finding] = hits(text)
    assert (finding.line, finding.column, finding.end_column) == (6, 18, 30)
    assert "cmd does not expand `${HOST_NAME}`" in finding.message
    assert "another stage does not carry over" in finding.message
    assert finding.fix is not None and finding.fix.safe
    assert finding.fix.edits[0].replacement == "%HOST_NAME%"


def test_only_declared_or_well_known_names() -> None:
    assert hits(NANO + "CMD echo $NOT_DECLARED $1\n") == []
    assert len(hits(NANO + "CMD echo $PATH\n")) == 1


def test_powershell_inside_cmd_keeps_its_dollar() -> None:
    text = NANO.replace("nanoserver", "servercore") + (
        'ENV V=1\nRUN powershell -Command "$v = $env:V; Write-Host $v"\n'
    )
    assert hits(text) == []


def test_base_image_shell_may_be_powershell() -> None:
    # docker-library's python Windows images set SHELL powershell in the image config
    text = "FROM python:3.12-windowsservercore-ltsc2022\nENV V=1\nRUN Write-Host $env:V ${V}\n"
    assert hits(text) == []


def test_percent_under_sh() -> None:
    text = "FROM debian\nENV APP_HOME=/app\nRUN cd %APP_HOME% && ls\n"
    [finding] = hits(text)
    assert finding.message == "sh does not expand `%APP_HOME%` (cmd syntax); use `${APP_HOME}`"


def test_percent_formats_are_not_variables() -> None:
    text = (
        "FROM debian\nENV VERSION=1\n"
        "RUN date '+%Y%m%d%H%M%S' && printf '%s%%\\n' 5 && stat -c '%Y' / && "
        "rpm --queryformat='%{ARCH}' -q rpm && sed -i 's/%VERSION%/1/' /x\n"
    )
    assert hits(text) == []


def test_percent_under_powershell() -> None:
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        'SHELL ["powershell", "-Command"]\n'
        "RUN Remove-Item -Recurse %TEMP%\\*\n"
    )
    [finding] = hits(text)
    assert "use `$env:TEMP`" in finding.message


def test_cmd_expands_percent_before_powershell_starts() -> None:
    text = NANO.replace("nanoserver", "servercore") + 'RUN powershell Remove-Item "%TEMP%\\*"\n'
    assert hits(text) == []


def test_powershell_variable_for_an_environment_variable() -> None:
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        'SHELL ["powershell", "-Command"]\n'
        "ENV JAVA_HOME=C:\\\\java\n"
        "RUN Write-Host $JAVA_HOME; $url = 'x'; Write-Host $url $env:JAVA_HOME\n"
    )
    [finding] = hits(text)
    assert "`$JAVA_HOME` is a PowerShell variable" in finding.message
    assert finding.fix is not None and finding.fix.edits[0].replacement == "$env:JAVA_HOME"


def test_percent_in_a_builder_instruction() -> None:
    [finding] = hits("FROM debian\nENV APP=/x\nWORKDIR %APP%\n")
    assert "the builder does not expand `%APP%` in WORKDIR" in finding.message


def test_windows_path_env_is_left_to_df402() -> None:
    assert hits(NANO + 'ENV PATH="%PATH%;C:\\\\x"\n') == []


def test_builder_instructions_suggest_only_what_the_config_holds() -> None:
    # %ProgramFiles% is wrong in COPY, but ${ProgramFiles} would be empty too: not suggested
    assert hits(NANO + 'COPY app "%ProgramFiles%/app"\n') == []
    [finding] = hits("FROM debian\nENV PATH=%PATH%:/opt/bin\n")
    assert "use `${PATH}`" in finding.message


def test_exec_form_cmd_string() -> None:
    text = NANO + 'ENV HOST=x\nCMD ["cmd", "/S", "/C", "echo ${HOST}"]\n'
    [finding] = hits(text)
    assert finding.line == 3
    assert "cmd runs this text" in finding.message
