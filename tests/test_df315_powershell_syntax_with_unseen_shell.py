"""DF315: PowerShell in a Windows stage whose shell depends on an image from an ARG."""

from __future__ import annotations

from pathlib import Path

from conftest import codes, dflint_cli, lint, span, write_file

TEXT = (
    "# escape=`\n"
    "ARG BASE_IMAGE\n"
    "FROM ${BASE_IMAGE}\n"
    "RUN Invoke-WebRequest -Uri https://example.com/tool.zip -OutFile C:\\tool.zip\n"
    "RUN Expand-Archive C:\\tool.zip -DestinationPath C:\\tool\n"
)


def test_reported_once_per_stage_with_the_shell_line() -> None:
    [finding] = [f for f in lint(TEXT) if f.code == "DF315"]
    assert span(finding) == (4, 1, 4, 77)
    assert finding.message == (
        "`Invoke-WebRequest` is a PowerShell cmdlet, but no SHELL says PowerShell runs it: the "
        "stage starts from `${BASE_IMAGE}`, whose shell dflint cannot see (cmd unless that "
        "image sets another); state it with "
        """`SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]`"""
    )


def test_env_references_count() -> None:
    text = "# escape=`\nARG BASE\nFROM $BASE\nRUN echo $env:USERPROFILE\n"
    assert "DF315" in codes(text)


def test_silent_with_a_shell_a_known_image_or_an_arg_default() -> None:
    with_shell = TEXT.replace(
        "FROM ${BASE_IMAGE}\n",
        'FROM ${BASE_IMAGE}\nSHELL ["powershell", "-Command"]\n',
    )
    assert "DF315" not in codes(with_shell)
    known = TEXT.replace(
        "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}", "FROM mcr.microsoft.com/dotnet/framework/aspnet:4.8"
    )
    assert "DF315" not in codes(known)
    default = TEXT.replace(
        "ARG BASE_IMAGE\n", "ARG BASE_IMAGE=mcr.microsoft.com/dotnet/framework/aspnet:4.8\n"
    )
    assert "DF315" not in codes(default)  # the image is known: DF309 judges its shell
    wrapped = (
        "# escape=`\nARG BASE\nFROM $BASE\n"
        'RUN powershell -Command "Invoke-WebRequest -Uri https://e.com/x -OutFile C:\\x"\n'
    )
    assert "DF315" not in codes(wrapped)


def test_fix_adds_the_shell_line(tmp_path: Path) -> None:
    path = write_file(tmp_path, "repo/windows/Dockerfile", TEXT)
    code, _, err = dflint_cli(
        "fix", "--multiarch", "--unsafe-fixes", "--no-config", "--write", str(path)
    )
    assert code == 1, err
    assert path.read_text().startswith(
        "# escape=`\nARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n"
        """SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]\n"""
    )
    assert "DF315" not in codes(path.read_text())


def _findings(text: str) -> list:  # type: ignore[type-arg]
    return [f for f in lint(text) if f.code == "DF315"]


UNSEEN = "# escape=`\nARG BASE\nFROM $BASE\n"


def test_env_reference_is_named_not_a_posix_variable_before_it() -> None:
    [finding] = _findings(UNSEEN + "RUN echo $HOME $env:USERPROFILE\n")
    assert span(finding) == (4, 1, 4, 32)
    assert finding.message.startswith("`$env:USERPROFILE` is PowerShell syntax, but no SHELL")


def test_braced_env_references_and_lowercase_cmdlets_count() -> None:
    """PowerShell reads `${env:NAME}` and cmdlet names in any case (DF309 reports them too)."""
    [braced] = _findings(UNSEEN + "RUN echo ${env:USERPROFILE}\n")
    assert braced.message.startswith("`${env:USERPROFILE}` is PowerShell syntax")
    [lower] = _findings(UNSEEN + "RUN invoke-webrequest -Uri https://e.com/x -OutFile C:\\x\n")
    assert span(lower) == (4, 1, 4, 57)
    assert lower.message.startswith("`invoke-webrequest` is a PowerShell cmdlet")


def test_statements_are_reported_by_their_first_word() -> None:
    [assignment] = _findings(UNSEEN + "RUN $ProgressPreference = 'SilentlyContinue'\n")
    assert span(assignment) == (4, 1, 4, 45)
    assert assignment.message.startswith(
        "`$ProgressPreference` starts a PowerShell statement, but no SHELL says PowerShell"
    )
    [static] = _findings(UNSEEN + "RUN [Net.ServicePointManager]::SecurityProtocol = 'Tls12'\n")
    assert static.message.startswith(
        "`[Net.ServicePointManager]::SecurityProtocol` starts a PowerShell statement"
    )


def test_silent_where_cmd_runs_the_line_whatever_the_base_image() -> None:
    """cmd /C, a SHELL naming cmd, a Windows OS image or `%NAME%` in the stage's other RUN
    lines: cmd certainly runs it, which is DF309's to report."""
    cmdlet = "Invoke-WebRequest -Uri https://e.com/x -OutFile x.zip"
    for text in (
        UNSEEN + f'RUN cmd /S /C "{cmdlet}"\n',
        UNSEEN + f'RUN ["cmd", "/S", "/C", "{cmdlet}"]\n',
        UNSEEN + 'ENTRYPOINT ["cmd", "/S", "/C", "echo $env:X"]\n',
        UNSEEN + f'SHELL ["cmd", "/S", "/C"]\nRUN {cmdlet}\n',
        UNSEEN + f"RUN echo %PATH%\nRUN {cmdlet}\n",
        f"# escape=`\nARG TAG\nFROM mcr.microsoft.com/windows/nanoserver:$TAG\nRUN {cmdlet}\n",
    ):
        assert _findings(text) == [], text
        assert "DF309" in codes(text), text


def test_fix_edit_inserts_at_the_end_of_the_from_line() -> None:
    [finding] = _findings(TEXT)
    assert finding.fix is not None and not finding.fix.safe
    [edit] = finding.fix.edits
    assert (edit.line, edit.column, edit.end_line, edit.end_column) == (3, 19, 3, 19)
    assert edit.replacement == (
        """\nSHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]"""
    )


def test_a_dollar_word_without_an_assignment_is_not_taken_for_powershell() -> None:
    """`$NAME` that starts a path is how a POSIX shell reads a variable: only an assignment
    (`$name = …`), `$env:` or a `[Type]::` call makes it a PowerShell statement."""
    text = UNSEEN + "ARG INSTALL_DIR=C:\\tools\nRUN $INSTALL_DIR\\setup.exe /quiet\n"
    assert _findings(text) == []
    [assignment] = _findings(text.replace("\\setup.exe /quiet", " = 'C:\\tools'"))
    assert assignment.line == 5
    assert assignment.message.startswith("`$INSTALL_DIR` starts a PowerShell statement")
