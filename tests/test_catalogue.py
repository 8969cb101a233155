"""dflint.analyse.catalogue: which shell has which command, and the equivalents elsewhere."""

from __future__ import annotations

import pytest

from dflint.analyse import catalogue


@pytest.mark.parametrize(
    ("name", "shell", "expected"),
    [
        ("uname", "sh", True),
        ("uname", "cmd", False),
        ("uname", "powershell", False),
        ("ls", "cmd", False),
        ("ls", "powershell", True),  # an alias of Get-ChildItem
        ("cat", "powershell", True),
        ("rm", "powershell", True),
        ("curl", "powershell", True),  # an alias in Windows PowerShell, curl.exe elsewhere
        ("wget", "powershell", True),
        ("curl", "cmd", True),  # curl.exe ships with Windows
        ("tar", "cmd", True),
        ("dir", "sh", True),  # GNU coreutils has one (its switches differ)
        ("copy", "sh", False),
        ("setx", "sh", False),
        ("setx", "powershell", True),  # a System32 program
        ("mklink", "powershell", False),  # a cmd built-in, not a program
        ("Invoke-WebRequest", "powershell", True),
        ("invoke-webrequest", "powershell", True),
        ("Invoke-WebRequest", "cmd", False),
        ("Get-Anything", "powershell", True),  # any approved Verb-Noun
        ("C:\\tools\\UNAME.EXE", "cmd", False),
        ("no-such-tool", "sh", None),
    ],
)
def test_exists(name: str, shell: catalogue.ShellName, expected: bool | None) -> None:
    assert catalogue.exists(name, shell) is expected


def test_pwsh_on_linux_runs_linux_programs() -> None:
    assert catalogue.exists("uname", "powershell", os="linux") is True
    assert catalogue.exists("Invoke-WebRequest", "powershell", os="linux") is True
    assert catalogue.exists("uname", "powershell", os="windows") is False


@pytest.mark.parametrize(
    ("name", "args", "shell", "expected"),
    [
        ("uname", ["-a"], "cmd", "echo %PROCESSOR_ARCHITECTURE% %PROCESSOR_IDENTIFIER%"),
        ("uname", ["-m"], "powershell", "$env:PROCESSOR_ARCHITECTURE"),
        ("uname", [], "cmd", "echo %PROCESSOR_ARCHITECTURE%"),
        ("rm", ["-rf", "/x"], "cmd", "rmdir /S /Q DIR"),
        ("rm", ["-f", "x"], "powershell", "Remove-Item -Force FILE"),
        ("ls", [], "cmd", "dir /B"),
        ("cat", ["f"], "cmd", "type FILE"),
        ("dir", ["/B"], "sh", "ls -1"),
        ("Invoke-WebRequest", [], "sh", "curl -fsSLo FILE URL"),
        ("gcc", [], "cmd", None),
    ],
)
def test_equivalent(
    name: str, args: list[str], shell: catalogue.ShellName, expected: str | None
) -> None:
    assert catalogue.equivalent(name, args, shell) == expected


@pytest.mark.parametrize(
    ("name", "args", "shell", "expected"),
    [
        ("dir", ["/B", "."], "sh", "/B"),
        ("dir", ["/tmp"], "sh", None),
        ("rmdir", ["/S", "/Q", "x"], "sh", "/S"),
        ("set", ["PATH=x"], "sh", "PATH=x"),
        ("set", ["-eux"], "sh", None),
        ("mkdir", ["-p", "a/b"], "cmd", "-p"),
        ("mkdir", ["a\\b"], "cmd", None),
        ("find", [".", "-name", "x"], "cmd", "-name"),
        ("find", ['"text"', "file"], "cmd", None),
        ("timeout", ["/t", "5"], "sh", "/t"),
        ("timeout", ["5", "cmd"], "sh", None),
    ],
)
def test_foreign_options(
    name: str, args: list[str], shell: catalogue.ShellName, expected: str | None
) -> None:
    assert catalogue.foreign_option(name, args, shell) == expected


def test_powershell_aliases() -> None:
    assert catalogue.powershell_alias("LS") == "Get-ChildItem"
    assert catalogue.powershell_alias("wget") == "Invoke-WebRequest"
    assert catalogue.powershell_alias("uname") is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Invoke-WebRequest", True),
        ("Expand-Archive", True),
        ("Write-Host", True),
        ("apt-get", False),
        ("update-ca-certificates", False),  # a Linux program with a verb-like name
        ("add-apt-repository", False),
        ("Frobnicate-Thing", False),  # not an approved verb
    ],
)
def test_is_cmdlet(name: str, expected: bool) -> None:
    assert catalogue.is_cmdlet(name) is expected


def test_entries_are_consistent() -> None:
    names = [entry.name.lower() for entry in catalogue.entries()]
    assert len(names) == len(set(names)), "duplicate catalogue names"
    for entry in catalogue.entries():
        assert entry.shells, entry.name
        assert entry.purpose, entry.name
        for shell in (*entry.equivalents, *entry.foreign_options):
            assert shell in catalogue.SHELL_NAMES, (entry.name, shell)
        for option, forms in entry.forms.items():
            assert option.startswith("-"), (entry.name, option)
            assert set(forms) <= set(catalogue.SHELL_NAMES), (entry.name, option)


def test_every_alias_names_something_that_exists_in_powershell() -> None:
    for alias in catalogue.POWERSHELL_ALIASES:
        assert catalogue.exists(alias, "powershell") is True


def test_package_managers_know_their_families() -> None:
    assert "alpine" in catalogue.PACKAGE_MANAGERS["apk"]
    assert "debian" in catalogue.PACKAGE_MANAGERS["apt-get"]
    assert "rhel-like" in catalogue.PACKAGE_MANAGERS["microdnf"]
    for family in ("debian", "ubuntu", "alpine", "rhel-like"):
        assert family in catalogue.FAMILY_INSTALL
