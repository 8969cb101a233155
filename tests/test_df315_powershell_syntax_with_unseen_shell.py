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
