"""The command catalogue: which shell has which command, and what does the same job elsewhere.

Shared by the portability rules (DF301, DF302, DF309, …) and by ``dflint fix``'s translator.
Three shells are described:

``sh``
    ``/bin/sh`` in a Linux image with the usual tools on ``PATH`` (coreutils or BusyBox).
``cmd``
    ``cmd.exe`` in a Windows image: its built-in commands plus the programs Windows ships
    in ``System32`` (``curl.exe`` and ``tar.exe`` since Windows 10 1803 / Server 2019).
``powershell``
    Windows PowerShell 5.1 (and pwsh on Windows): cmdlets, the aliases and functions it
    defines (``ls``, ``cat``, ``rm``, ``curl``, ``mkdir``, …) and the ``System32`` programs.
    pwsh on Linux also runs every Linux program; see :func:`exists`.

Every entry is written for people: ``equivalents`` are complete command lines a user can
paste (``FILE``, ``URL``, ``DIR``, ``NAME``, ``VALUE`` are placeholders), ``forms`` refine
them for one option (``rm -rf`` is not ``rm -f``).

Typical use::

    from dflint.analyse import catalogue
    info = catalogue.lookup("uname")
    catalogue.exists("uname", "cmd")                      # False
    catalogue.equivalent("uname", ["-a"], "cmd")         # 'echo %PROCESSOR_ARCHITECTURE% …'
    catalogue.powershell_alias("ls")                       # 'Get-ChildItem'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

ShellName = Literal["sh", "cmd", "powershell"]
SHELL_NAMES: tuple[ShellName, ...] = ("sh", "cmd", "powershell")

SH: frozenset[ShellName] = frozenset({"sh"})
CMD: frozenset[ShellName] = frozenset({"cmd"})
PS: frozenset[ShellName] = frozenset({"powershell"})
WINDOWS: frozenset[ShellName] = frozenset({"cmd", "powershell"})
ALL: frozenset[ShellName] = frozenset(SHELL_NAMES)


@dataclass(frozen=True, slots=True)
class CommandInfo:
    """One command name and where it works.

    ``shells``: where the name runs and does this job. A name can exist elsewhere with
    another meaning (``type`` in sh prints how a name resolves; ``dir`` is a GNU coreutils
    program that takes no ``/B`` switch); ``foreign_options`` catches those uses.
    """

    name: str  # canonical spelling
    shells: frozenset[ShellName]
    purpose: str
    equivalents: Mapping[ShellName, str] = field(default_factory=dict)
    # refinements by option, as written in the command's home shell: {"-rf": {...}}
    forms: Mapping[str, Mapping[ShellName, str]] = field(default_factory=dict)
    # under the keyed shell, an argument of this shape means the line was written for another
    # shell's command of the same name (`dir /B` under sh, `mkdir -p` under cmd)
    foreign_options: Mapping[ShellName, re.Pattern[str]] = field(default_factory=dict)
    note: str = ""

    def available(self, shell: ShellName) -> bool:
        return shell in self.shells


_WINDOWS_SWITCH = re.compile(r"/[A-Za-z?](?::\S*)?|/[A-Z]{2}")


def _entry(
    name: str,
    shells: frozenset[ShellName],
    purpose: str,
    *,
    sh: str | None = None,
    cmd: str | None = None,
    ps: str | None = None,
    forms: Mapping[str, Mapping[ShellName, str]] | None = None,
    foreign: Mapping[ShellName, re.Pattern[str]] | None = None,
    note: str = "",
) -> CommandInfo:
    equivalents: dict[ShellName, str] = {}
    for shell, text in (("sh", sh), ("cmd", cmd), ("powershell", ps)):
        if text is not None:
            equivalents[shell] = text  # type: ignore[index]
    return CommandInfo(
        name,
        shells,
        purpose,
        MappingProxyType(equivalents),
        MappingProxyType(dict(forms or {})),
        MappingProxyType(dict(foreign or {})),
        note,
    )


def _forms(**by_option: Mapping[ShellName, str]) -> dict[str, Mapping[ShellName, str]]:
    # option names are not identifiers: rf -> "-rf", a -> "-a"
    return {"-" + key.replace("_", "-"): value for key, value in by_option.items()}


_ENTRIES: tuple[CommandInfo, ...] = (
    # --- Linux utilities -----------------------------------------------------------------
    _entry(
        "uname",
        SH,
        "print the kernel and machine name",
        cmd="echo %PROCESSOR_ARCHITECTURE%",
        ps="$env:PROCESSOR_ARCHITECTURE",
        forms=_forms(
            a={
                "cmd": "echo %PROCESSOR_ARCHITECTURE% %PROCESSOR_IDENTIFIER%",
                "powershell": "$env:PROCESSOR_ARCHITECTURE; $env:PROCESSOR_IDENTIFIER",
            },
            m={"cmd": "echo %PROCESSOR_ARCHITECTURE%", "powershell": "$env:PROCESSOR_ARCHITECTURE"},
        ),
    ),
    _entry(
        "ls",
        SH | PS,
        "list a folder",
        cmd="dir /B",
        ps="Get-ChildItem -Name",
        note="PowerShell alias of Get-ChildItem; diamol's Windows base ships an ls.bat",
    ),
    _entry(
        "cat",
        SH | PS,
        "print a file",
        cmd="type FILE",
        ps="Get-Content FILE",
        note="PowerShell alias of Get-Content; cmd's type needs \\ separators",
    ),
    _entry(
        "rm",
        SH | PS,
        "remove files",
        cmd="del /Q FILE",
        ps="Remove-Item -Force FILE",
        forms=_forms(
            rf={"cmd": "rmdir /S /Q DIR", "powershell": "Remove-Item -Recurse -Force DIR"},
            fr={"cmd": "rmdir /S /Q DIR", "powershell": "Remove-Item -Recurse -Force DIR"},
            r={"cmd": "rmdir /S /Q DIR", "powershell": "Remove-Item -Recurse DIR"},
            Rf={"cmd": "rmdir /S /Q DIR", "powershell": "Remove-Item -Recurse -Force DIR"},
            f={"cmd": "del /Q FILE", "powershell": "Remove-Item -Force FILE"},
        ),
        note="PowerShell alias of Remove-Item",
    ),
    _entry(
        "cp",
        SH | PS,
        "copy files",
        cmd="copy FILE DEST",
        ps="Copy-Item FILE DEST",
        forms=_forms(
            r={"cmd": "xcopy /E /I DIR DEST", "powershell": "Copy-Item -Recurse DIR DEST"},
            a={"cmd": "xcopy /E /I /K DIR DEST", "powershell": "Copy-Item -Recurse DIR DEST"},
        ),
        note="PowerShell alias of Copy-Item",
    ),
    _entry(
        "mv",
        SH | PS,
        "move or rename",
        cmd="move FILE DEST",
        ps="Move-Item FILE DEST",
        note="PowerShell alias of Move-Item",
    ),
    _entry(
        "mkdir",
        ALL,
        "make a folder",
        sh="mkdir -p DIR",
        cmd="mkdir DIR",
        ps="New-Item -ItemType Directory -Force DIR",
        foreign={"cmd": re.compile(r"-p|--parents|-m|--mode(=\S*)?")},
        note="cmd's mkdir creates missing parents by itself and has no options: "
        "`mkdir -p x` makes a folder named -p",
    ),
    _entry(
        "touch",
        SH,
        "create an empty file",
        cmd="type nul >> FILE",  # `>` would empty an existing file
        ps="if (-not (Test-Path FILE)) { New-Item -ItemType File FILE }",
    ),
    _entry(
        "chmod",
        SH,
        "change permission bits",
        cmd="icacls FILE /grant USER:F",
        ps="icacls FILE /grant USER:F",
        note="Windows files have no exec bit: usually just drop it",
    ),
    _entry("chown", SH, "change file owner", cmd="icacls FILE /setowner USER"),
    _entry("chgrp", SH, "change file group", cmd="icacls FILE /grant GROUP:F"),
    _entry(
        "ln",
        SH,
        "make a link",
        cmd="mklink LINK TARGET",
        ps="New-Item -ItemType SymbolicLink -Path LINK -Target TARGET",
        forms=_forms(
            s={
                "cmd": "mklink LINK TARGET",
                "powershell": "New-Item -ItemType SymbolicLink -Path LINK -Target TARGET",
            },
            sf={
                "cmd": "mklink LINK TARGET",
                "powershell": "New-Item -ItemType SymbolicLink -Force -Path LINK -Target TARGET",
            },
        ),
    ),
    _entry(
        "grep",
        SH,
        "search text",
        cmd='findstr "PATTERN" FILE',
        ps="Select-String -Pattern PATTERN FILE",
    ),
    _entry(
        "sed",
        SH,
        "edit a stream",
        ps="(Get-Content FILE) -replace 'A','B' | Set-Content FILE",
    ),
    _entry("awk", SH, "process text by fields", ps="ForEach-Object { $_.Split() }"),
    _entry("head", SH, "first lines of a file", ps="Get-Content FILE -TotalCount N"),
    _entry("tail", SH, "last lines of a file", ps="Get-Content FILE -Tail N"),
    _entry("cut", SH, "cut fields", ps="ForEach-Object { $_.Split('D')[N] }"),
    _entry("tr", SH, "translate characters", ps="ForEach-Object { $_ -replace 'A','B' }"),
    _entry("wc", SH, "count lines", ps="(Get-Content FILE | Measure-Object -Line).Lines"),
    _entry("xargs", SH, "run a command per input line", ps="ForEach-Object { COMMAND $_ }"),
    _entry("tee", SH | PS, "copy input to a file", ps="Tee-Object -FilePath FILE"),
    _entry("sort", ALL, "sort lines", note="cmd runs sort.exe, PowerShell Sort-Object"),
    _entry("uniq", SH, "drop repeated lines", ps="Get-Unique"),
    _entry("which", SH, "find a program on PATH", cmd="where NAME", ps="Get-Command NAME"),
    _entry(
        "sleep",
        SH | PS,
        "wait",
        cmd="ping -n N 127.0.0.1 > nul",
        ps="Start-Sleep N",
        note="PowerShell alias of Start-Sleep; Nano Server has no timeout.exe",
    ),
    _entry(
        "wget",
        SH | PS,
        "download a file",
        cmd="curl -fSLo FILE URL",
        ps="Invoke-WebRequest -Uri URL -OutFile FILE -UseBasicParsing",
        note="Windows PowerShell alias of Invoke-WebRequest (different options)",
    ),
    _entry(
        "curl",
        ALL,
        "download a file",
        sh="curl -fsSLo FILE URL",
        cmd="curl -fSLo FILE URL",
        ps="Invoke-WebRequest -Uri URL -OutFile FILE -UseBasicParsing",
        note="curl.exe ships with Windows since 1803; in Windows PowerShell `curl` is an "
        "alias of Invoke-WebRequest, so write curl.exe there",
    ),
    _entry(
        "tar",
        ALL,
        "pack and unpack archives",
        note="bsdtar ships with Windows since 1803 and also reads .zip",
    ),
    _entry(
        "unzip",
        SH,
        "extract a zip",
        cmd="tar -xf FILE",
        ps="Expand-Archive FILE -DestinationPath DIR",
    ),
    _entry("zip", SH, "make a zip", ps="Compress-Archive -Path DIR -DestinationPath FILE"),
    _entry("gzip", SH, "compress", cmd="tar -czf FILE DIR"),
    _entry("gunzip", SH, "decompress", cmd="tar -xzf FILE"),
    _entry("xz", SH, "compress", cmd="tar -xJf FILE"),
    _entry("bzip2", SH, "compress", cmd="tar -xjf FILE"),
    _entry(
        "sha256sum",
        SH,
        "check a SHA-256 digest",
        cmd="certutil -hashfile FILE SHA256",
        ps="if ((Get-FileHash FILE -Algorithm sha256).Hash -ne $env:SHA) { exit 1 }",
    ),
    _entry(
        "sha512sum",
        SH,
        "check a SHA-512 digest",
        cmd="certutil -hashfile FILE SHA512",
        ps="Get-FileHash FILE -Algorithm SHA512",
    ),
    _entry(
        "sha1sum",
        SH,
        "check a SHA-1 digest",
        cmd="certutil -hashfile FILE SHA1",
        ps="Get-FileHash FILE -Algorithm SHA1",
    ),
    _entry(
        "md5sum",
        SH,
        "check an MD5 digest",
        cmd="certutil -hashfile FILE MD5",
        ps="Get-FileHash FILE -Algorithm MD5",
    ),
    _entry("gpg", SH, "verify signatures", note="on Windows, install Gpg4win and call gpg.exe"),
    _entry(
        "export", SH, "set an environment variable", cmd="set NAME=VALUE", ps="$env:NAME = 'VALUE'"
    ),
    _entry(
        "source",
        SH,
        "run a script in this shell",
        cmd="call FILE.bat",
        ps=". FILE.ps1",
        note="bash only; POSIX sh has `.`",
    ),
    _entry("test", SH, "test a condition", cmd="if exist FILE ...", ps="Test-Path FILE"),
    _entry("[", SH, "test a condition", cmd="if exist FILE ...", ps="Test-Path FILE"),
    _entry("true", SH, "succeed", cmd="ver > nul", ps="$null"),
    _entry("false", SH, "fail", cmd="cmd /c exit 1", ps="cmd /c exit 1"),
    _entry("env", SH, "show or set the environment", cmd="set", ps="Get-ChildItem env:"),
    _entry("printenv", SH, "show the environment", cmd="set", ps="Get-ChildItem env:"),
    _entry("pwd", SH | PS, "print the folder", cmd="cd", ps="Get-Location"),
    _entry("kill", SH | PS, "stop a process", cmd="taskkill /PID PID", ps="Stop-Process -Id PID"),
    _entry("ps", SH | PS, "list processes", cmd="tasklist", ps="Get-Process"),
    _entry("id", SH, "print user identity", cmd="whoami", ps="whoami"),
    _entry("whoami", ALL, "print user name"),
    _entry("hostname", ALL, "print host name"),
    _entry("df", SH, "disk usage", ps="Get-PSDrive"),
    _entry("du", SH, "folder size"),
    _entry("free", SH, "memory usage"),
    _entry("file", SH, "identify a file type"),
    _entry("ldd", SH, "list shared libraries"),
    _entry("ldconfig", SH, "refresh the shared library cache"),
    _entry("strip", SH, "strip binaries"),
    _entry(
        "update-ca-certificates",
        SH,
        "refresh CA certificates",
        ps="Import-Certificate -FilePath FILE -CertStoreLocation Cert:\\LocalMachine\\Root",
    ),
    _entry("locale-gen", SH, "generate locales"),
    _entry("useradd", SH, "add a user", cmd="net user NAME /add", ps="New-LocalUser NAME"),
    _entry("adduser", SH, "add a user", cmd="net user NAME /add", ps="New-LocalUser NAME"),
    _entry("groupadd", SH, "add a group", cmd="net localgroup NAME /add", ps="New-LocalGroup NAME"),
    _entry("addgroup", SH, "add a group", cmd="net localgroup NAME /add", ps="New-LocalGroup NAME"),
    _entry("usermod", SH, "change a user", cmd="net localgroup GROUP NAME /add"),
    _entry("sudo", SH, "run as root", note="use `USER ContainerAdministrator` on Windows"),
    _entry("su", SH, "run as another user", note="use USER on Windows"),
    _entry("chroot", SH, "change the root folder"),
    _entry("mknod", SH, "make a device node"),
    _entry("setcap", SH, "set file capabilities"),
    _entry("getent", SH, "query user and host databases"),
    _entry("dpkg-architecture", SH, "print the Debian architecture triplet"),
    _entry("update-alternatives", SH, "choose default programs"),
    _entry("systemctl", SH, "control services"),
    _entry("ulimit", SH, "set resource limits"),
    _entry(
        "apt-get",
        SH,
        "Debian/Ubuntu packages",
        cmd="choco install -y NAME",
        ps="choco install -y NAME",
    ),
    _entry(
        "apt", SH, "Debian/Ubuntu packages", cmd="choco install -y NAME", ps="choco install -y NAME"
    ),
    _entry("apk", SH, "Alpine packages", cmd="choco install -y NAME", ps="choco install -y NAME"),
    _entry(
        "yum", SH, "RHEL-like packages", cmd="choco install -y NAME", ps="choco install -y NAME"
    ),
    _entry(
        "dnf", SH, "RHEL-like packages", cmd="choco install -y NAME", ps="choco install -y NAME"
    ),
    _entry(
        "microdnf",
        SH,
        "RHEL-like packages",
        cmd="choco install -y NAME",
        ps="choco install -y NAME",
    ),
    _entry(
        "tdnf",
        SH,
        "Photon/Mariner packages",
        cmd="choco install -y NAME",
        ps="choco install -y NAME",
    ),
    _entry(
        "zypper", SH, "openSUSE packages", cmd="choco install -y NAME", ps="choco install -y NAME"
    ),
    _entry("pacman", SH, "Arch packages", cmd="choco install -y NAME", ps="choco install -y NAME"),
    _entry(
        "dpkg",
        SH,
        "Debian package files",
        cmd="msiexec /i FILE.msi /quiet",
        ps="Start-Process msiexec -ArgumentList '/i FILE.msi /quiet' -Wait",
    ),
    _entry(
        "rpm",
        SH,
        "RPM package files",
        cmd="msiexec /i FILE.msi /quiet",
        ps="Start-Process msiexec -ArgumentList '/i FILE.msi /quiet' -Wait",
    ),
    _entry(
        "find",
        ALL,
        "find files (Windows find.exe searches text instead)",
        sh="find DIR -name PATTERN",
        cmd="dir /S /B DIR\\PATTERN",
        ps="Get-ChildItem -Recurse -Filter PATTERN DIR",
        foreign={
            "cmd": re.compile(
                r"-(name|iname|type|exec|execdir|print0?|delete|maxdepth|mindepth|path|mtime"
                r"|perm|size|newer|user|group|prune|empty|regex|links)"
            )
        },
    ),
    _entry(
        "ping",
        ALL,
        "check a host",
        foreign={"cmd": re.compile(r"-c|-W|-i")},
        note="Windows ping counts with -n, not -c",
    ),
    # --- cmd.exe built-ins and Windows programs ------------------------------------------
    _entry(
        "dir",
        WINDOWS | SH,
        "list a folder",
        sh="ls -1",
        cmd="dir /B",
        ps="Get-ChildItem -Name",
        foreign={"sh": _WINDOWS_SWITCH},
        note="GNU coreutils has a dir program, but not cmd's /B-style switches; "
        "PowerShell alias of Get-ChildItem",
    ),
    _entry(
        "copy",
        WINDOWS,
        "copy files",
        sh="cp FILE DEST",
        ps="Copy-Item FILE DEST",
        note="PowerShell alias of Copy-Item",
    ),
    _entry("xcopy", WINDOWS, "copy folders", sh="cp -r DIR DEST", ps="Copy-Item -Recurse DIR DEST"),
    _entry(
        "robocopy", WINDOWS, "copy folders", sh="cp -a DIR DEST", ps="Copy-Item -Recurse DIR DEST"
    ),
    _entry(
        "del",
        WINDOWS,
        "delete files",
        sh="rm -f FILE",
        ps="Remove-Item -Force FILE",
        note="PowerShell alias of Remove-Item",
    ),
    _entry("erase", WINDOWS, "delete files", sh="rm -f FILE", ps="Remove-Item -Force FILE"),
    _entry("rd", WINDOWS, "remove a folder", sh="rm -rf DIR", ps="Remove-Item -Recurse -Force DIR"),
    _entry(
        "rmdir",
        ALL,
        "remove a folder",
        sh="rm -rf DIR",
        cmd="rmdir /S /Q DIR",
        ps="Remove-Item -Recurse -Force DIR",
        foreign={"sh": _WINDOWS_SWITCH},
    ),
    _entry(
        "md", WINDOWS, "make a folder", sh="mkdir -p DIR", ps="New-Item -ItemType Directory DIR"
    ),
    _entry("move", WINDOWS, "move files", sh="mv FILE DEST", ps="Move-Item FILE DEST"),
    _entry("ren", WINDOWS, "rename", sh="mv FILE NEW", ps="Rename-Item FILE NEW"),
    _entry(
        "type",
        WINDOWS | SH,
        "print a file",
        sh="cat FILE",
        ps="Get-Content FILE",
        foreign={"sh": _WINDOWS_SWITCH},
        note="sh's type says how a name resolves; it does not print files",
    ),
    _entry("cls", WINDOWS, "clear the screen", sh="clear"),
    _entry(
        "set",
        WINDOWS | SH,
        "set a variable",
        sh="export NAME=VALUE",
        cmd="set NAME=VALUE",
        ps="$env:NAME = 'VALUE'",
        foreign={"sh": re.compile(r'"?[A-Za-z_][A-Za-z0-9_]*=.*|/[aApP]')},
        note="sh's set changes shell options and positional parameters, not the environment",
    ),
    _entry(
        "setx",
        WINDOWS,
        "set a persistent environment variable",
        sh="ENV NAME=VALUE (a Dockerfile instruction)",
        ps="[Environment]::SetEnvironmentVariable('NAME', 'VALUE', 'Machine')",
    ),
    _entry(
        "mklink",
        CMD,
        "make a link",
        sh="ln -s TARGET LINK",
        ps="New-Item -ItemType SymbolicLink -Path LINK -Target TARGET",
    ),
    _entry("icacls", WINDOWS, "change file permissions", sh="chmod MODE FILE"),
    _entry("takeown", WINDOWS, "take file ownership", sh="chown USER FILE"),
    _entry("attrib", WINDOWS, "change file attributes", sh="chmod MODE FILE"),
    _entry(
        "certutil",
        ALL,
        "hash files, manage certificates",
        sh="sha256sum FILE",
        note="Linux has an unrelated certutil (NSS tools)",
    ),
    _entry("msiexec", WINDOWS, "install an MSI package", sh="apt-get install -y NAME"),
    _entry("choco", WINDOWS, "Chocolatey packages", sh="apt-get install -y NAME"),
    _entry("winget", WINDOWS, "Windows packages", sh="apt-get install -y NAME"),
    _entry("dism", WINDOWS, "enable Windows features"),
    _entry("reg", WINDOWS, "edit the registry"),
    _entry(
        "net",
        ALL,
        "users, groups, services",
        sh="useradd NAME",
        note="Samba ships an unrelated net program for Linux",
    ),
    _entry("netsh", WINDOWS, "network settings"),
    _entry("wmic", WINDOWS, "query system settings"),
    _entry("sc", CMD, "control services", note="in PowerShell `sc` is Set-Content: use sc.exe"),
    _entry(
        "start",
        WINDOWS | SH,
        "start a program",
        sh="COMMAND &",
        foreign={"sh": _WINDOWS_SWITCH},
        note="many Linux images have their own start script, so only `start /w` is cmd's",
    ),
    _entry(
        "timeout",
        WINDOWS | SH,
        "wait",
        sh="sleep N",
        cmd="timeout /t N /nobreak",
        ps="Start-Sleep N",
        foreign={"sh": _WINDOWS_SWITCH},
        note="coreutils timeout runs a command with a time limit",
    ),
    _entry(
        "findstr",
        WINDOWS,
        "search text",
        sh="grep PATTERN FILE",
        ps="Select-String -Pattern PATTERN FILE",
    ),
    _entry(
        "where",
        CMD,
        "find a program on PATH",
        sh="command -v NAME",
        ps="Get-Command NAME",
        note="in PowerShell `where` is Where-Object: use where.exe",
    ),
    _entry("ver", WINDOWS, "print the Windows version", sh="cat /etc/os-release"),
    _entry("tasklist", WINDOWS, "list processes", sh="ps"),
    _entry("taskkill", WINDOWS, "stop a process", sh="kill PID"),
    _entry("ipconfig", WINDOWS, "network configuration", sh="ip addr"),
    _entry("call", CMD, "run a batch file", sh=". FILE"),
    _entry("rem", CMD, "a comment", sh="# comment"),
    _entry("goto", CMD, "jump to a label"),
    _entry(
        "pushd",
        ALL,
        "change folder, remembering the old one",
        note="bash and cmd only: dash and BusyBox ash lack pushd",
    ),
    _entry("popd", ALL, "return to the remembered folder"),
    _entry(
        "powershell",
        WINDOWS,
        "Windows PowerShell",
        sh="pwsh -Command ...",
        note="on Linux, PowerShell is installed as pwsh",
    ),
    _entry("cmd", WINDOWS, "the Windows command interpreter", sh="sh -c ..."),
    # --- PowerShell cmdlets ----------------------------------------------------------------
    _entry(
        "Invoke-WebRequest",
        PS,
        "download a file",
        sh="curl -fsSLo FILE URL",
        cmd="curl -fSLo FILE URL",
    ),
    _entry("Invoke-RestMethod", PS, "call a web API", sh="curl -fsSL URL", cmd="curl -fsSL URL"),
    _entry(
        "Expand-Archive", PS, "extract a zip", sh="unzip FILE -d DIR", cmd="tar -xf FILE -C DIR"
    ),
    _entry("Compress-Archive", PS, "make a zip", sh="zip -r FILE DIR", cmd="tar -a -cf FILE DIR"),
    _entry("Remove-Item", PS, "remove files or folders", sh="rm -rf PATH", cmd="rmdir /S /Q DIR"),
    _entry("Copy-Item", PS, "copy files", sh="cp -r PATH DEST", cmd="xcopy /E /I PATH DEST"),
    _entry("Move-Item", PS, "move files", sh="mv PATH DEST", cmd="move PATH DEST"),
    _entry("Rename-Item", PS, "rename", sh="mv PATH NEW", cmd="ren PATH NEW"),
    _entry("New-Item", PS, "make a file or folder", sh="mkdir -p DIR", cmd="mkdir DIR"),
    _entry("Get-ChildItem", PS, "list a folder", sh="ls", cmd="dir /B"),
    _entry("Get-Content", PS, "print a file", sh="cat FILE", cmd="type FILE"),
    _entry(
        "Set-Content", PS, "write a file", sh="printf '%s\\n' TEXT > FILE", cmd="echo TEXT> FILE"
    ),
    _entry(
        "Add-Content",
        PS,
        "append to a file",
        sh="printf '%s\\n' TEXT >> FILE",
        cmd="echo TEXT>> FILE",
    ),
    _entry("Write-Host", PS, "print text", sh="echo TEXT", cmd="echo TEXT"),
    _entry("Write-Output", PS, "print text", sh="echo TEXT", cmd="echo TEXT"),
    _entry(
        "Get-FileHash", PS, "hash a file", sh="sha256sum FILE", cmd="certutil -hashfile FILE SHA256"
    ),
    _entry("Test-Path", PS, "test that a path exists", sh="test -e PATH", cmd="if exist PATH"),
    _entry("Start-Process", PS, "run a program", sh="COMMAND", cmd="start /w COMMAND"),
    _entry("Start-Sleep", PS, "wait", sh="sleep N", cmd="ping -n N 127.0.0.1 > nul"),
    _entry(
        "Select-String", PS, "search text", sh="grep PATTERN FILE", cmd='findstr "PATTERN" FILE'
    ),
    _entry("Set-Location", PS, "change folder", sh="cd DIR", cmd="cd /d DIR"),
    _entry("Get-Location", PS, "print the folder", sh="pwd", cmd="cd"),
    _entry("Get-Command", PS, "find a program", sh="command -v NAME", cmd="where NAME"),
    _entry("Get-Process", PS, "list processes", sh="ps", cmd="tasklist"),
    _entry("Stop-Process", PS, "stop a process", sh="kill PID", cmd="taskkill /PID PID"),
    _entry("Out-Null", PS, "discard output", sh="> /dev/null", cmd="> nul"),
    _entry("Set-ItemProperty", PS, "set a registry value or file property"),
    _entry("New-ItemProperty", PS, "add a registry value"),
    _entry("Get-Item", PS, "get a file or registry item", sh="stat PATH"),
    _entry("Set-Item", PS, "set an item's value"),
    _entry("Invoke-Expression", PS, "run a string as code", sh="eval TEXT"),
    _entry("Import-Module", PS, "load a module"),
    _entry("Install-Module", PS, "install a module"),
    _entry("Install-PackageProvider", PS, "install a package provider"),
    _entry(
        "Add-WindowsFeature",
        PS,
        "enable a Windows feature",
        cmd="dism /Online /Enable-Feature /FeatureName:NAME",
    ),
    _entry(
        "Install-WindowsFeature",
        PS,
        "enable a Windows feature",
        cmd="dism /Online /Enable-Feature /FeatureName:NAME",
    ),
    _entry(
        "Enable-WindowsOptionalFeature",
        PS,
        "enable a Windows feature",
        cmd="dism /Online /Enable-Feature /FeatureName:NAME",
    ),
    _entry("New-Object", PS, "make a .NET object"),
    _entry("Select-Object", PS, "select properties"),
    _entry("Where-Object", PS, "filter objects", sh="grep PATTERN"),
    _entry("ForEach-Object", PS, "run a block per object", sh="xargs COMMAND"),
    _entry("Sort-Object", PS, "sort objects", sh="sort"),
    _entry("Measure-Object", PS, "count objects", sh="wc -l"),
    _entry("ConvertFrom-Json", PS, "parse JSON", sh="jq ."),
    _entry("ConvertTo-Json", PS, "write JSON", sh="jq -n ..."),
    _entry("Push-Location", PS, "change folder, remembering the old one", sh="cd DIR"),
    _entry("Pop-Location", PS, "return to the remembered folder", sh="cd -"),
    _entry("Get-Date", PS, "print the date", sh="date"),
    _entry("Set-ExecutionPolicy", PS, "allow scripts to run"),
    _entry("Unblock-File", PS, "trust a downloaded file"),
    _entry("Import-Certificate", PS, "add a certificate to a store", sh="update-ca-certificates"),
    _entry("Register-PSRepository", PS, "add a module source"),
    _entry("Set-PSRepository", PS, "configure a module source"),
    _entry("Get-Service", PS, "list services", sh="systemctl list-units"),
    _entry("Set-Service", PS, "configure a service"),
    _entry("Start-Service", PS, "start a service", sh="systemctl start NAME"),
    _entry("Stop-Service", PS, "stop a service", sh="systemctl stop NAME"),
    _entry("New-LocalUser", PS, "add a user", sh="useradd NAME", cmd="net user NAME /add"),
    _entry("Add-LocalGroupMember", PS, "add a user to a group", sh="usermod -aG GROUP NAME"),
    _entry("Write-Error", PS, "report an error", sh="echo TEXT >&2"),
    _entry("Write-Verbose", PS, "print verbose text", sh="echo TEXT"),
    _entry("Clear-RecycleBin", PS, "empty the recycle bin"),
)

_BY_NAME: dict[str, CommandInfo] = {entry.name.lower(): entry for entry in _ENTRIES}

# Windows PowerShell 5.1's built-in aliases and functions that look like commands of other
# shells (Get-Alias, and the mkdir/more functions): under a PowerShell SHELL these work.
POWERSHELL_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "cat": "Get-Content",
        "cd": "Set-Location",
        "chdir": "Set-Location",
        "clear": "Clear-Host",
        "cls": "Clear-Host",
        "copy": "Copy-Item",
        "cp": "Copy-Item",
        "curl": "Invoke-WebRequest",
        "del": "Remove-Item",
        "diff": "Compare-Object",
        "dir": "Get-ChildItem",
        "echo": "Write-Output",
        "erase": "Remove-Item",
        "fc": "Format-Custom",
        "gc": "Get-Content",
        "gci": "Get-ChildItem",
        "gcm": "Get-Command",
        "gi": "Get-Item",
        "gp": "Get-ItemProperty",
        "gps": "Get-Process",
        "group": "Group-Object",
        "h": "Get-History",
        "history": "Get-History",
        "iex": "Invoke-Expression",
        "irm": "Invoke-RestMethod",
        "iwr": "Invoke-WebRequest",
        "kill": "Stop-Process",
        "ls": "Get-ChildItem",
        "man": "help",
        "md": "mkdir",
        "measure": "Measure-Object",
        "mi": "Move-Item",
        "mkdir": "New-Item -ItemType Directory",
        "more": "more",
        "mount": "New-PSDrive",
        "move": "Move-Item",
        "mv": "Move-Item",
        "ni": "New-Item",
        "popd": "Pop-Location",
        "ps": "Get-Process",
        "pushd": "Push-Location",
        "pwd": "Get-Location",
        "rd": "Remove-Item",
        "ren": "Rename-Item",
        "ri": "Remove-Item",
        "rm": "Remove-Item",
        "rmdir": "Remove-Item",
        "sc": "Set-Content",
        "select": "Select-Object",
        "set": "Set-Variable",
        "si": "Set-Item",
        "sl": "Set-Location",
        "sleep": "Start-Sleep",
        "sls": "Select-String",
        "sort": "Sort-Object",
        "sp": "Set-ItemProperty",
        "start": "Start-Process",
        "tee": "Tee-Object",
        "type": "Get-Content",
        "wget": "Invoke-WebRequest",
        "where": "Where-Object",
        "write": "Write-Output",
    }
)

# PowerShell's approved verbs: `Verb-Noun` names with one of these are cmdlets (or
# functions following the convention), never Linux programs, which are lower case.
_VERBS = frozenset(
    [
        "Add",
        "Approve",
        "Assert",
        "Backup",
        "Block",
        "Build",
        "Checkpoint",
        "Clear",
        "Close",
        "Compare",
        "Complete",
        "Compress",
        "Confirm",
        "Connect",
        "Convert",
        "ConvertFrom",
        "ConvertTo",
        "Copy",
        "Debug",
        "Deny",
        "Deploy",
        "Disable",
        "Disconnect",
        "Dismount",
        "Edit",
        "Enable",
        "Enter",
        "Exit",
        "Expand",
        "Export",
        "Find",
        "Format",
        "Get",
        "Grant",
        "Group",
        "Hide",
        "Import",
        "Initialize",
        "Install",
        "Invoke",
        "Join",
        "Limit",
        "Lock",
        "Measure",
        "Merge",
        "Mount",
        "Move",
        "New",
        "Open",
        "Optimize",
        "Out",
        "Ping",
        "Pop",
        "Protect",
        "Publish",
        "Push",
        "Read",
        "Receive",
        "Redo",
        "Register",
        "Remove",
        "Rename",
        "Repair",
        "Request",
        "Reset",
        "Resize",
        "Resolve",
        "Restart",
        "Restore",
        "Resume",
        "Revoke",
        "Save",
        "Search",
        "Select",
        "Send",
        "Set",
        "Show",
        "Skip",
        "Split",
        "Start",
        "Step",
        "Stop",
        "Submit",
        "Suspend",
        "Switch",
        "Sync",
        "Test",
        "Trace",
        "Unblock",
        "Undo",
        "Uninstall",
        "Unlock",
        "Unprotect",
        "Unpublish",
        "Unregister",
        "Update",
        "Use",
        "Wait",
        "Watch",
        "Where",
        "Write",
        "ForEach",
        "Tee",
        "Sort",
    ]
)
_CMDLET = re.compile(r"([A-Z][A-Za-z]+)-[A-Z][A-Za-z0-9]+\Z")

# Package managers and the Linux families whose images have them (analysis family names).
PACKAGE_MANAGERS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "apt-get": frozenset({"debian", "ubuntu"}),
        "apt": frozenset({"debian", "ubuntu"}),
        "aptitude": frozenset({"debian", "ubuntu"}),
        "apk": frozenset({"alpine"}),
        "yum": frozenset({"rhel-like"}),
        "dnf": frozenset({"rhel-like"}),
        "microdnf": frozenset({"rhel-like"}),
        "zypper": frozenset({"suse"}),
        "pacman": frozenset({"arch"}),
        "tdnf": frozenset({"photon", "mariner", "azurelinux"}),
    }
)
# The install command of each family's package manager, for messages.
FAMILY_INSTALL: Mapping[str, str] = MappingProxyType(
    {
        "debian": "apt-get install -y",
        "ubuntu": "apt-get install -y",
        "alpine": "apk add --no-cache",
        "rhel-like": "dnf install -y (microdnf on ubi-minimal)",
    }
)


def _key(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1].lower().removesuffix(".exe")


def lookup(name: str) -> CommandInfo | None:
    """The entry for a command as invoked (folder, ``.exe`` and case ignored)."""
    return _BY_NAME.get(_key(name))


def entries() -> tuple[CommandInfo, ...]:
    """Every catalogue entry, Linux utilities first."""
    return _ENTRIES


def powershell_alias(name: str) -> str | None:
    """What a Windows PowerShell alias or built-in function stands for (``ls`` → Get-ChildItem)."""
    return POWERSHELL_ALIASES.get(name.lower())


def is_cmdlet(name: str) -> bool:
    """``Invoke-WebRequest``-style names: a catalogued cmdlet or an approved ``Verb-Noun``."""
    entry = _BY_NAME.get(name.lower())
    if entry is not None and entry.shells == PS and "-" in entry.name:
        return True
    match = _CMDLET.match(name)
    return match is not None and match.group(1) in _VERBS


def exists(name: str, shell: ShellName, os: str = "windows") -> bool | None:
    """Whether ``name`` runs under ``shell``; None when the catalogue does not know it.

    ``os`` matters for PowerShell only: pwsh on Linux runs Linux programs as well.
    An explicit ``.exe`` under PowerShell means the program, never an alias.
    """
    if shell == "powershell":
        if not name.lower().endswith(".exe") and powershell_alias(name) is not None:
            return True
        if is_cmdlet(name):
            return True
    entry = lookup(name)
    if entry is None:
        return None
    if shell == "powershell" and os == "linux":
        return "sh" in entry.shells or entry.shells == PS
    return shell in entry.shells


def equivalent(name: str, args: Sequence[str], shell: ShellName) -> str | None:
    """A command line doing the same job under ``shell``, refined by the options used."""
    entry = lookup(name)
    if entry is None:
        return None
    for arg in args:
        if not arg.startswith("-"):
            continue
        form = entry.forms.get(arg)
        if form is not None and shell in form:
            return form[shell]
    return entry.equivalents.get(shell)


def foreign_option(name: str, args: Iterable[str], shell: ShellName) -> str | None:
    """The first argument that shows ``name``, run under ``shell``, was written for another
    shell's command of the same name (``/B`` in ``dir /B`` under sh, ``-p`` in ``mkdir -p``
    under cmd)."""
    entry = lookup(name)
    pattern = entry.foreign_options.get(shell) if entry is not None else None
    if pattern is None:
        return None
    for arg in args:
        if pattern.fullmatch(arg):
            return arg
    return None


# --- translations: what `dflint fix` may write, by meaning --------------------------------
#
# The entries above say where a name exists and what people use instead; the equivalents are
# advice, matched by name. A translation is stricter: it matches one command line of one shell
# (a program and its exact options) and states what that line does in the terms that tell two
# command lines apart: what happens when the operand already exists or is missing, whether
# parent folders are created, whether folders and wildcards are handled, whether a file is
# truncated, and whether the line can fail. Each target form listed does exactly that; a form
# that only looks similar is listed under ``rejected`` with the difference, so that nobody
# "fixes" a translation back into it. What matches no translation is not translated.
#
# Templates: ``{path}`` is an operand written by the form inside its own double quotes,
# ``{pattern}`` an operand with a ``*`` (a cmd ``for`` set), ``{word}``/``{words}`` the operand
# or all operands quoted as the shell needs, ``{parent}`` the operand's parent folder.
# ``each`` forms repeat per operand, joined so that the first failure fails the line.

Outcome = Literal["ok", "error", "created", "n/a"]


@dataclass(frozen=True, slots=True)
class Behaviour:
    """What a command line does, as far as a translation must keep it."""

    does: str
    existing: Outcome = "n/a"  # an operand that already exists
    missing: Outcome = "n/a"  # an operand that does not exist
    parents: Outcome = "n/a"  # a missing parent folder: "created" or "error"
    files: Outcome = "n/a"  # a file operand
    folders: Outcome = "n/a"  # a folder operand (removed with everything in it: "ok")
    wildcards: bool = False  # `*` in an operand: every match the OS does not hide
    truncates: bool = False  # an existing file loses its content
    keeps_content: bool = False  # an existing file keeps its content
    prints: str = ""  # what it writes to stdout, when that is its job


@dataclass(frozen=True, slots=True)
class Form:
    """One shell's command line for a translation."""

    template: str
    each: bool = False  # repeated per operand
    pattern: str | None = None  # per operand with a `*`; None: wildcards are not handled
    compound: bool = False  # an if/for block (cmd) or group: bracketed beside operators
    resets_status: bool = True  # cmd: leaves ERRORLEVEL 0 when it succeeds


@dataclass(frozen=True, slots=True)
class Translation:
    """A command line of one shell and the forms in other shells that do the same."""

    key: str  # how tests and reports name it: "rm -rf", "cmd: dir /B"
    source: ShellName
    program: str
    options: frozenset[str]
    behaviour: Behaviour
    forms: Mapping[ShellName, Form]
    operands: tuple[int, int | None] = (0, None)
    shallow: bool = False  # every operand must be a single name or a child of the root
    rejected: Mapping[str, str] = field(default_factory=dict)  # form -> why it differs


def _tr(
    key: str,
    source: ShellName,
    program: str,
    options: Iterable[str],
    behaviour: Behaviour,
    forms: Mapping[ShellName, Form],
    *,
    operands: tuple[int, int | None] = (0, None),
    shallow: bool = False,
    rejected: Mapping[str, str] | None = None,
) -> Translation:
    return Translation(
        key,
        source,
        program,
        frozenset(options),
        behaviour,
        MappingProxyType(dict(forms)),
        operands,
        shallow,
        MappingProxyType(dict(rejected or {})),
    )


_FAIL_CMD = "cmd /c exit 1"  # a failing step: `exit /b 1` outside a batch file ends cmd.exe
_RM_LITERAL = {
    # (recursive, force): the cmd form for one operand without a wildcard
    (True, True): 'if exist "{path}\\*" (rmdir /S /Q "{path}") else if exist "{path}" '
    'del /F /Q "{path}"',
    (True, False): 'if exist "{path}\\*" (rmdir /S /Q "{path}") else if exist "{path}" '
    f'(del /F /Q "{{path}}") else {_FAIL_CMD}',
    (False, True): f'if exist "{{path}}\\*" ({_FAIL_CMD}) else if exist "{{path}}" '
    'del /F /Q "{path}"',
    (False, False): f'if exist "{{path}}\\*" ({_FAIL_CMD}) else if exist "{{path}}" '
    f'(del /F /Q "{{path}}") else {_FAIL_CMD}',
}
_RM_PS = {
    (True, True): "if (Test-Path {word}) {{ Remove-Item -Recurse -Force {word} }}",
    (True, False): "Remove-Item -Recurse -Force {word}",
    (False, True): "if (Test-Path {word} -PathType Container) {{ throw 'rm: {word} is a folder' }} "
    "elseif (Test-Path {word}) {{ Remove-Item -Force {word} }}",
    (False, False): "if (Test-Path {word} -PathType Container) {{ throw 'rm: {word} is a folder' }}"
    "; Remove-Item -Force {word}",
}


def _rm(recursive: bool, force: bool) -> Translation:
    options = {"-r"} if recursive else set()
    if force:
        options.add("-f")
    letters = ("r" if recursive else "") + ("f" if force else "")
    key = f"rm -{letters}" if letters else "rm"
    behaviour = Behaviour(
        "remove " + ("files and folders" if recursive else "files"),
        missing="ok" if force else "error",
        files="ok",
        folders="ok" if recursive else "error",
        wildcards=recursive and force,
    )
    pattern = (
        '(for /D %i in ({pattern}) do @rmdir /S /Q "%i") & '
        '(for %i in ({pattern}) do @del /F /Q "%i")'
        if recursive and force
        else None
    )
    rejected = {}
    if recursive and force:
        rejected = {
            "rmdir /S /Q DIR": "fails on a missing path and on a file, and takes no wildcards",
            "Remove-Item -Recurse -Force PATH": "fails on a missing path under "
            "$ErrorActionPreference = 'Stop'",
        }
    return _tr(
        key,
        "sh",
        "rm",
        options,
        behaviour,
        {
            "cmd": Form(
                _RM_LITERAL[(recursive, force)],
                each=True,
                pattern=pattern,
                compound=True,
                resets_status=False,
            ),
            "powershell": Form(_RM_PS[(recursive, force)], each=True, compound=True),
        },
        operands=(1, None),
        rejected=rejected,
    )


_TRANSLATIONS: tuple[Translation, ...] = (
    # --- sh → cmd and PowerShell ------------------------------------------------------------
    _tr(
        "ls",
        "sh",
        "ls",
        (),
        Behaviour("list a folder", missing="error", prints="the names, one per line"),
        {
            "cmd": Form("dir /B {words}"),
            "powershell": Form("Get-ChildItem -Name {words}"),
        },
        operands=(0, 1),
        rejected={"ls -la": "a long listing has no cmd or PowerShell form with the same columns"},
    ),
    _tr(
        "cat",
        "sh",
        "cat",
        (),
        Behaviour("print files", missing="error", prints="the files' contents"),
        {"cmd": Form("type {words}"), "powershell": Form("Get-Content {words}")},
        operands=(1, None),
    ),
    _rm(True, True),
    _rm(True, False),
    _rm(False, True),
    _rm(False, False),
    _tr(
        "mkdir -p",
        "sh",
        "mkdir",
        ("-p",),
        Behaviour("make folders", existing="ok", parents="created", files="error", wildcards=False),
        {
            "cmd": Form(
                'if not exist "{path}\\*" mkdir "{path}"',
                each=True,
                compound=True,
                resets_status=False,
            ),
            "powershell": Form("New-Item -ItemType Directory -Force {words}"),
        },
        operands=(1, None),
        rejected={"mkdir DIR": "cmd's mkdir fails when the folder exists (a WORKDIR made it)"},
    ),
    _tr(
        "mkdir",
        "sh",
        "mkdir",
        (),
        Behaviour("make folders", existing="error", parents="error", files="error"),
        {
            "cmd": Form("mkdir {words}"),
            "powershell": Form("New-Item -ItemType Directory {words}"),
        },
        operands=(1, None),
        shallow=True,
        rejected={"mkdir DIR (deeper)": "cmd's mkdir creates missing parents; mkdir fails"},
    ),
    _tr(
        "touch",
        "sh",
        "touch",
        (),
        Behaviour(
            "create files, or give existing ones the current time",
            existing="ok",
            missing="created",
            keeps_content=True,
            folders="ok",
        ),
        {
            "cmd": Form(
                'if exist "{path}\\*" (cd .) else if exist "{path}" '
                '(copy /b "{path}"+,, "{path}" >nul) else type nul > "{path}"',
                each=True,
                compound=True,
            ),
            "powershell": Form(
                "if (Test-Path {word}) {{ (Get-Item {word}).LastWriteTime = Get-Date }} "
                "else {{ New-Item -ItemType File {word} | Out-Null }}",
                each=True,
                compound=True,
            ),
        },
        operands=(1, None),
        rejected={
            "type nul > FILE": "truncates an existing file",
            "New-Item -ItemType File -Force FILE": "truncates an existing file",
        },
    ),
    _tr(
        "cp",
        "sh",
        "cp",
        (),
        Behaviour("copy a file", existing="ok", missing="error", folders="error", files="ok"),
        {
            "cmd": Form(
                f'if exist "{{path}}\\*" ({_FAIL_CMD}) else copy /Y "{{path}}" "{{dest}}" >nul',
                compound=True,
            ),
            "powershell": Form(
                "if (Test-Path {word} -PathType Container) {{ throw 'cp: {word} is a folder' }}"
                "; Copy-Item -Force {word} {dest}",
                compound=True,
            ),
        },
        operands=(2, 2),
        rejected={"copy FILE DEST": "copy asks before overwriting and copies a folder's files"},
    ),
    _tr(
        "uname",
        "sh",
        "uname",
        (),
        Behaviour("print the kernel's name", prints="the OS name"),
        {"cmd": Form("echo %OS%", resets_status=False), "powershell": Form("$env:OS")},
        operands=(0, 0),
    ),
    _tr(
        "uname -s",
        "sh",
        "uname",
        ("-s",),
        Behaviour("print the kernel's name", prints="the OS name"),
        {"cmd": Form("echo %OS%", resets_status=False), "powershell": Form("$env:OS")},
        operands=(0, 0),
    ),
    _tr(
        "uname -m",
        "sh",
        "uname",
        ("-m",),
        Behaviour("print the machine's architecture", prints="the architecture"),
        {
            "cmd": Form("echo %PROCESSOR_ARCHITECTURE%", resets_status=False),
            "powershell": Form("$env:PROCESSOR_ARCHITECTURE"),
        },
        operands=(0, 0),
    ),
    _tr(
        "uname -a",
        "sh",
        "uname",
        ("-a",),
        Behaviour("print the system's description", prints="the architecture and processor"),
        {
            "cmd": Form(
                "echo %PROCESSOR_ARCHITECTURE% %PROCESSOR_IDENTIFIER%", resets_status=False
            ),
            "powershell": Form("$env:PROCESSOR_ARCHITECTURE; $env:PROCESSOR_IDENTIFIER"),
        },
        operands=(0, 0),
    ),
    _tr(
        "pwd",
        "sh",
        "pwd",
        (),
        Behaviour("print the working folder", prints="the folder"),
        {"cmd": Form("cd"), "powershell": Form("(Get-Location).Path")},
        operands=(0, 0),
    ),
    _tr(
        "cd",
        "sh",
        "cd",
        (),
        Behaviour("change the working folder", missing="error"),
        {"cmd": Form("cd {words}"), "powershell": Form("Set-Location {words}")},
        operands=(1, 1),
        rejected={"cd": "without a folder, sh goes to $HOME and cmd prints the folder"},
    ),
    _tr(
        "true",
        "sh",
        "true",
        (),
        Behaviour("succeed"),
        {"cmd": Form("cmd /c exit 0"), "powershell": Form("cmd /c exit 0")},
        operands=(0, 0),
    ),
    _tr(
        "false",
        "sh",
        "false",
        (),
        Behaviour("fail"),
        {"cmd": Form(_FAIL_CMD), "powershell": Form(_FAIL_CMD)},
        operands=(0, 0),
        rejected={
            "exit /b 1": "outside a batch file it ends cmd.exe, so `|| echo recovered` never runs",
            "exit 1": "ends PowerShell instead of failing one step",
        },
    ),
    # --- cmd → sh ---------------------------------------------------------------------------
    _tr(
        "cmd: dir /B",
        "cmd",
        "dir",
        ("/b",),
        Behaviour("list a folder", missing="error", prints="the names, one per line"),
        {"sh": Form("ls {words}")},
        operands=(0, 1),
    ),
    _tr(
        "cmd: type",
        "cmd",
        "type",
        (),
        Behaviour("print files", missing="error", prints="the files' contents"),
        {"sh": Form("cat {words}")},
        operands=(1, None),
    ),
    _tr(
        "cmd: mkdir",
        "cmd",
        "mkdir",
        (),
        Behaviour("make folders", existing="error", parents="created", files="error"),
        {"sh": Form("mkdir -p {parent} && mkdir {word}", each=True, compound=True)},
        operands=(1, None),
        rejected={"mkdir -p DIR": "succeeds when the folder exists; cmd's mkdir fails"},
    ),
    _tr(
        "cmd: md",
        "cmd",
        "md",
        (),
        Behaviour("make folders", existing="error", parents="created", files="error"),
        {"sh": Form("mkdir -p {parent} && mkdir {word}", each=True, compound=True)},
        operands=(1, None),
    ),
    _tr(
        "cmd: rmdir /S /Q",
        "cmd",
        "rmdir",
        ("/s", "/q"),
        Behaviour("remove folders", missing="error", files="error", folders="ok"),
        {"sh": Form("[ -d {word} ] && rm -rf {word}", each=True, compound=True)},
        operands=(1, None),
        rejected={"rm -rf DIR": "succeeds on a missing path and removes files"},
    ),
    _tr(
        "cmd: rd /S /Q",
        "cmd",
        "rd",
        ("/s", "/q"),
        Behaviour("remove folders", missing="error", files="error", folders="ok"),
        {"sh": Form("[ -d {word} ] && rm -rf {word}", each=True, compound=True)},
        operands=(1, None),
    ),
    _tr(
        "cmd: cd",
        "cmd",
        "cd",
        (),
        Behaviour("change the working folder", missing="error"),
        {"sh": Form("cd {words}")},
        operands=(1, 1),
    ),
    _tr(
        "cmd: cd /d",
        "cmd",
        "cd",
        ("/d",),
        Behaviour("change the working folder", missing="error"),
        {"sh": Form("cd {words}")},
        operands=(1, 1),
    ),
)

# Options spelled more than one way (normalised before matching a translation).
_OPTION_ALIASES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "rm": {"-R": "-r", "--recursive": "-r", "--force": "-f"},
        "mkdir": {"--parents": "-p"},
        "ls": {"-1": ""},
    }
)


def translations() -> tuple[Translation, ...]:
    """Every translation, the sh ones first."""
    return _TRANSLATIONS


def translation(source: ShellName, program: str, options: Iterable[str]) -> Translation | None:
    """The translation of ``program`` with exactly these options, written for ``source``."""
    aliases = _OPTION_ALIASES.get(program, {})
    wanted = frozenset(aliases.get(option, option) for option in options) - {""}
    for item in _TRANSLATIONS:
        if item.source == source and item.program == program and item.options == wanted:
            return item
    return None


def semantics(name: str) -> tuple[Translation, ...]:
    """What the command lines of one catalogue entry do, for the forms dflint writes."""
    entry = lookup(name)
    if entry is None:
        return ()
    return tuple(item for item in _TRANSLATIONS if item.program == entry.name.lower())


# --- programs the translator keeps as they are ---------------------------------------------

# Programs the entries above do not list that exist on Linux and Windows images alike with the
# same command line (toolchains install the same CLI on both). Users add their own in config:
# [tool.dflint.fix] commands = ["mytool"].
CROSS_PLATFORM_PROGRAMS = frozenset(
    {
        "bun",
        "bundle",
        "cargo",
        "cmake",
        "composer",
        "conda",
        "deno",
        "dotnet",
        "gem",
        "git",
        "go",
        "gofmt",
        "gradle",
        "jar",
        "java",
        "javac",
        "mvn",
        "ninja",
        "node",
        "npm",
        "npx",
        "php",
        "pip",
        "pnpm",
        "poetry",
        "python",
        "ruby",
        "rustc",
        "rustup",
        "uv",
        "yarn",
    }
)
# Linux program names spelled differently in the Windows images of the same tool (the python
# images for Windows have python.exe and pip.exe only).
WINDOWS_PROGRAM_NAMES: Mapping[str, str] = MappingProxyType({"python3": "python", "pip3": "pip"})
# Names PowerShell aliases to a cmdlet with another job's options, even without options
# (``curl URL`` prints a response object; the program is curl.exe).
POWERSHELL_ALIAS_MISMATCH = frozenset({"curl", "wget"})
# PowerShell parameters that take a value (the next word); the rest are switches.
POWERSHELL_VALUE_PARAMETERS = frozenset(
    {"-itemtype", "-erroraction", "-value", "-filter", "-encoding", "-uri", "-outfile"}
)
# PowerShell parameters whose value is an operand (a path), in the order the forms list them.
POWERSHELL_PATH_PARAMETERS = ("-path", "-literalpath", "-destination")
# tar options that GNU tar, BusyBox tar and Windows' bsdtar read the same way.
PORTABLE_TAR_OPTIONS = frozenset(
    {"-x", "-c", "-t", "-z", "-j", "-J", "-f", "-v", "-C", "--strip-components", "-o"}
)
