from __future__ import annotations

from conftest import lint, span

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


def test_a_nested_shell_string_is_reported_once() -> None:
    # the outer script's argument and the `bash -c` script are the same text
    [finding] = hits('FROM debian\nENV APP=/app\nRUN bash -c "cd %APP%"\n')
    assert (finding.line, finding.column, finding.end_column) == (3, 17, 22)
    assert finding.message == "sh does not expand `%APP%` (cmd syntax); use `${APP}`"
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        'SHELL ["powershell", "-Command"]\n'
        'RUN powershell -Command "Remove-Item %TEMP%\\*"\n'
    )
    [finding] = hits(text)
    assert (finding.line, finding.column, finding.end_column) == (3, 38, 44)
    assert "PowerShell does not expand `%TEMP%`" in finding.message


def test_percent_under_sh_only_for_declared_names() -> None:
    assert hits("FROM debian\nRUN cd %NOT_DECLARED% && ls\n") == []


def test_cmd_expands_percent_before_a_nested_sh_starts() -> None:
    assert hits(NANO + 'ENV APP=x\nRUN bash -c "echo %APP%"\n') == []


def test_exec_form_powershell_gets_percent_unexpanded() -> None:
    # no cmd between the builder and PowerShell: nothing expands %TEMP%
    text = NANO.replace("nanoserver", "servercore") + (
        'RUN ["powershell", "-Command", "Remove-Item %TEMP%\\\\*"]\n'
    )
    [finding] = hits(text)
    assert (finding.line, finding.column, finding.end_column) == (2, 45, 51)
    assert finding.message == "PowerShell does not expand `%TEMP%` (cmd syntax); use `$env:TEMP`"


def test_dollar_under_cmd_without_any_shell_line() -> None:
    [finding] = hits(NANO + "ENV HOST_NAME=localhost\nCMD C:\\certs.bat ${HOST_NAME}\n")
    assert (finding.line, finding.column, finding.end_column) == (3, 18, 30)
    assert finding.message == (
        "cmd does not expand `${HOST_NAME}`: this stage's shell is cmd; use `%HOST_NAME%`"
    )


def test_powershell_own_variables_are_not_environment_variables() -> None:
    ps = 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command"]\n'
    # $HOME is PowerShell's automatic variable, even with an ENV HOME
    assert hits(ps + "ENV HOME=C:\\\\home\nRUN Write-Host $HOME\n") == []
    # the script sets $V itself
    assert hits(ps + "ENV V=1\nRUN $V = 2; Write-Host $V\n") == []
    # a loop variable and a script block's parameter
    assert hits(ps + "ENV V=1\nRUN foreach ($V in 1,2) { Write-Host $V }\n") == []
    assert hits(ps + "ENV V=1\nRUN & { param($V) Write-Host $V } 3\n") == []
    # neither ARG nor ENV declares it (next to a declared name the script sets itself)
    assert hits(ps + "ENV V=1\nRUN $V = 2; Write-Host $V $NotDeclared\n") == []


def test_percent_in_a_windows_builder_instruction() -> None:
    [finding] = hits(NANO + "ENV APP=C:\\\\app\nWORKDIR %APP%\n")
    assert (finding.line, finding.column, finding.end_column) == (3, 9, 14)
    assert finding.message == "the builder does not expand `%APP%` in WORKDIR; use `${APP}`"
    # %PATH% stays DF402's on Windows, even after an ENV PATH
    assert hits(NANO + 'ENV PATH=C:\\\\x\nENV PATH="%PATH%;C:\\\\y"\n') == []


def test_builder_instructions_skip_undeclared_names_on_linux() -> None:
    assert hits("FROM debian\nWORKDIR %UNDECLARED%\n") == []


def test_a_global_arg_has_no_stage_to_check() -> None:
    assert hits("ARG TOOLS=%PATH%\nFROM debian\n") == []


def test_a_reference_across_a_line_continuation_has_no_fix() -> None:
    [finding] = hits("FROM debian\nENV APP_HOME=/app\nRUN cd %APP_\\\nHOME% && ls\n")
    assert span(finding) == (3, 8, 4, 6)
    assert "`%APP_HOME%`" in finding.message
    assert finding.fix is None
