from __future__ import annotations

from conftest import lint

from dflint.core.findings import Finding

CODE = "DF301"
NANO = "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n"
CORE = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
POWERSHELL = 'SHELL ["powershell", "-Command", "$ErrorActionPreference = \'Stop\';"]\n'


def hits(text: str, path: str = "Dockerfile") -> list[Finding]:
    return [f for f in lint(text, path, select=(CODE,)) if f.code == CODE]


def test_uname_under_cmd_names_the_equivalent() -> None:
    [finding] = hits(NANO + "CMD uname -a && dir /B C:\\app\n")
    assert (finding.line, finding.column) == (2, 5)
    assert finding.message == (
        "`uname -a` does not exist under cmd; use "
        "`echo %PROCESSOR_ARCHITECTURE% %PROCESSOR_IDENTIFIER%`"
    )
    assert finding.platform == "windows"


def test_linux_commands_under_powershell() -> None:
    [finding] = hits(CORE + POWERSHELL + "RUN grep -r foo C:\\src\n")
    assert "`grep -r` does not exist under powershell" in finding.message
    assert "Select-String" in finding.message


def test_powershell_aliases_are_fine() -> None:
    text = (
        CORE + POWERSHELL + "RUN ls C:\\; cat C:\\x.txt; rm C:\\y -Force; curl.exe -o a b; wget u\n"
    )
    assert hits(text) == []


def test_commands_that_windows_also_has_are_fine() -> None:
    text = (
        NANO + "RUN curl -fSLo go.zip https://x.example/go.zip && tar -xf go.zip && mkdir C:\\go\n"
    )
    assert hits(text) == []


def test_linux_options_on_a_shared_name() -> None:
    [finding] = hits(NANO + "RUN mkdir -p C:\\app\\data\n")
    assert "`mkdir -p` runs cmd's mkdir, which has no -p option" in finding.message


def test_exec_form_in_a_windows_stage() -> None:
    [finding] = hits(NANO + 'CMD ["uname", "-a"]\n')
    assert finding.line == 2


def test_powershell_command_strings_under_cmd_are_powershell() -> None:
    text = NANO.replace("nanoserver", "servercore") + 'RUN powershell -Command "ls C:\\; cat x"\n'
    assert hits(text) == []


def test_bases_that_may_ship_linux_names_are_not_judged() -> None:
    # diamol's Windows base adds ls.bat, cat.bat, ...; golang's puts Git's usr\bin on PATH
    assert hits("FROM diamol/base:windows-amd64\nCMD ls C:\\app\n", path="Dockerfile.windows") == []
    assert hits("FROM golang:1.22-windowsservercore-ltsc2022\nRUN mv C:\\a C:\\b\n") == []


def test_installed_tools_count() -> None:
    text = (
        CORE
        + POWERSHELL
        + (
            "RUN Invoke-WebRequest https://x.example/gpg4win-4.0.exe -OutFile g.exe\n"
            "RUN gpg --batch --verify x.asc\n"
            "RUN choco install -y grep\n"
            "RUN grep foo bar\n"
        )
    )
    assert hits(text) == []


def test_base_image_shell_may_be_powershell() -> None:
    # a .NET Framework image sets SHELL powershell in its own config: ls is an alias there
    assert hits("FROM mcr.microsoft.com/dotnet/framework/sdk:4.8\nRUN ls C:\\\n") == []


def test_unknown_os_with_a_mixed_command_line() -> None:
    text = "FROM diamol/base\nCMD echo hi && uname -a && dir /B .\n"
    [finding] = hits(text)
    assert "the stage's OS is unknown" in finding.message
    assert "`dir /B`" in finding.message
    assert hits("FROM diamol/base\nCMD uname -a\n") == []


def test_linux_stages_are_not_judged() -> None:
    assert hits("FROM alpine\nCMD uname -a\n") == []


def test_no_equivalent_means_no_suggestion() -> None:
    [finding] = hits(CORE + "RUN sed -i s/a/b/ C:\\app\\web.config\n")
    assert (finding.line, finding.column) == (2, 5)
    assert finding.message == "`sed -i` does not exist under cmd"


def test_an_explicit_bash_runs_bash() -> None:
    # `bash -c` (Git for Windows, MSYS2, ...) runs its text with bash, not cmd
    assert hits(CORE + 'RUN bash -c "uname -a && chmod +x /c/app/run.sh"\n') == []
    [finding] = hits(CORE + 'RUN bash -c "uname -a" && chmod +x C:\\app\\run.sh\n')
    assert (finding.line, finding.column) == (2, 27)
    assert finding.message.startswith("`chmod` does not exist under cmd")


def test_a_cmd_shell_on_another_base_is_not_judged() -> None:
    # a SHELL cmd line makes cmd certain, but golang's image puts Git's usr\bin on PATH
    text = 'SHELL ["cmd", "/S", "/C"]\nRUN mv C:\\a C:\\b\n'
    assert hits("FROM golang:1.22-windowsservercore-ltsc2022\n" + text) == []
    [finding] = hits(CORE + text)
    assert (finding.line, finding.column) == (3, 5)
    assert finding.message == "`mv` does not exist under cmd; use `move FILE DEST`"


def test_unknown_os_judges_the_sh_command_line_only() -> None:
    # the PowerShell text runs under PowerShell on either system, where ls is an alias
    assert hits('FROM diamol/base\nRUN powershell -Command "ls C:\\; Get-ChildItem C:\\"\n') == []
    # uname under sh, Get-ChildItem under PowerShell: no cmd command on the sh line
    assert hits('FROM diamol/base\nRUN uname -a && powershell -Command "Get-ChildItem"\n') == []


def test_unknown_os_mixed_position() -> None:
    [finding] = hits("FROM diamol/base\nRUN rm -rf C:\\tmp && del /Q C:\\tmp\n")
    assert (finding.line, finding.column) == (2, 5)
    assert finding.message.startswith(
        "the stage's OS is unknown, and this command line mixes systems: it also runs "
        "`del /Q`, which only Windows has; on Windows `rm -rf` does not exist under cmd"
    )


def test_a_run_before_the_first_from_is_not_judged() -> None:
    assert hits("RUN uname -a && dir /B\n" + NANO) == []


def test_a_cmdlet_with_a_two_word_verb_is_a_windows_command() -> None:
    # ConvertTo-/ConvertFrom- are approved verbs: the quick scan once missed their inner capital
    text = "FROM diamol/base\nRUN uname -a && ConvertTo-SecureString x\n"
    [finding] = [f for f in lint(text) if f.code == "DF301"]
    assert (finding.line, finding.column) == (2, 5)
    assert "it also runs `ConvertTo-SecureString`, a PowerShell cmdlet; on Windows `uname -a`" in (
        finding.message
    )
