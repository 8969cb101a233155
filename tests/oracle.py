"""The execution oracle for ``dflint fix``: run a command line and its translation on the same
small file tree, and compare what each did.

The POSIX side runs as Docker runs a Linux RUN line, ``/bin/sh -c LINE``, under dash (Debian's
``/bin/sh``) and under BusyBox ``sh`` with BusyBox's own applets first on ``PATH`` (Alpine's
``/bin/sh`` and tools). The cmd side runs as Docker runs a Windows RUN line, ``cmd /S /C LINE``
(or the variant's ``SHELL``), under Wine's ``cmd.exe``. Wine starts slowly (a new prefix takes
about ten seconds, each start about one), so one Wine run serves many cases: a batch file
visits each case's folder and runs its line with the variant's shell.

The batch file must not read the line itself (it would expand ``%`` and split at ``&``), so it
reads the line from a file with ``for /f`` and hands it to the child ``cmd`` untouched: a
``for`` variable is substituted after the batch parser has found its operators and expanded
its ``%`` references, so the child gets the command line exactly as Docker would pass it, and
parses it in command-line mode (one ``%``, undefined ``%NAME%`` kept as written).

The Wine prefix is per test session, in a temporary folder owned by whoever runs the tests
(Wine refuses a prefix owned by another user, which matters for CI, which runs as root).

What "the same" means, as Docker sees a RUN line: the exit status is zero on both sides or
non-zero on both; when both succeed, the trees hold the same files and folders with the same
contents. (A failed RUN fails the build and its layer is thrown away, so what a failing line
left behind is not compared.) Text files are compared with CRLF read as LF: a line that cmd's
``echo`` writes ends in CRLF, Windows' own line end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pytest

# A tree: relative path -> file content, or None for a folder.
Tree = Mapping[str, str | None]

# BusyBox applets that stand in for coreutils on Alpine.
_APPLETS = (
    "cat",
    "cp",
    "echo",
    "env",
    "false",
    "ls",
    "mkdir",
    "mv",
    "printenv",
    "pwd",
    "rm",
    "rmdir",
    "sh",
    "test",
    "touch",
    "true",
    "uname",
    "[",
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one run of a line did."""

    status: int
    files: dict[str, str | None]
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.status == 0


def make_tree(root: Path, tree: Tree) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for name, content in tree.items():
        path = root / name
        if content is None:
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode("utf-8"))


def snapshot(root: Path) -> dict[str, str | None]:
    """Every file and folder under ``root``: relative POSIX path -> content (CRLF as LF)."""
    found: dict[str, str | None] = {}
    for path in sorted(root.rglob("*")):
        name = str(PurePosixPath(*path.relative_to(root).parts))
        if path.is_dir() and not path.is_symlink():
            found[name] = None
        else:
            found[name] = path.read_bytes().decode("utf-8", "replace").replace("\r\n", "\n")
    return found


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace").replace("\r\n", "\n")


class Posix:
    """``sh -c LINE`` in a folder, the way Docker runs a Linux RUN line."""

    def __init__(self, name: str, argv: Sequence[str], path: str) -> None:
        self.name = name
        self.argv = tuple(argv)
        self.path = path

    def run(self, line: str, root: Path, env: Mapping[str, str] | None = None) -> Outcome:
        environment = {"PATH": self.path, "HOME": str(root), "LC_ALL": "C", **(env or {})}
        result = subprocess.run(
            [*self.argv, line],
            cwd=root,
            env=environment,
            capture_output=True,
            timeout=60,
            check=False,
        )
        return Outcome(
            result.returncode, snapshot(root), _text(result.stdout), _text(result.stderr)
        )


def posix_shells(work: Path) -> list[Posix]:
    """dash with the system's coreutils, and BusyBox sh with BusyBox's applets first."""
    shells: list[Posix] = []
    dash = shutil.which("dash")
    if dash is not None:
        shells.append(Posix("dash", (dash, "-c"), "/usr/local/bin:/usr/bin:/bin"))
    busybox = shutil.which("busybox")
    if busybox is not None:
        applets = work / "busybox-bin"
        applets.mkdir(parents=True, exist_ok=True)
        for applet in _APPLETS:
            link = applets / applet
            if not link.exists():
                link.symlink_to(busybox)
        shells.append(Posix("busybox", (str(applets / "sh"), "-c"), f"{applets}:/usr/bin:/bin"))
    return shells


@dataclass(slots=True)
class CmdCase:
    """One line for Wine's cmd: the shell that runs it, its tree and its environment."""

    line: str
    root: Path
    shell: tuple[str, ...] = ("cmd", "/S", "/C")
    env: Mapping[str, str] = field(default_factory=dict)


def wine_path(path: Path) -> str:
    """A Unix path as Wine's programs see it: drive Z: is the Unix root."""
    return "Z:" + str(path.resolve()).replace("/", "\\")


class Wine:
    """Wine's cmd.exe in a prefix of its own."""

    def __init__(self, prefix: Path, cmd: Path | None = None) -> None:
        self.prefix = prefix
        self.cmd = wine_path(cmd) if cmd is not None else "cmd"
        self.env = {
            **os.environ,
            "WINEPREFIX": str(prefix),
            "WINEDEBUG": "-all",
            "WINEDLLOVERRIDES": "mscoree,mshtml=",  # no Mono or Gecko installer dialogs
            "DISPLAY": "",
        }

    def start(self) -> None:
        """Make the prefix (the first start takes about ten seconds)."""
        result = subprocess.run(
            ["wine", "cmd", "/c", "exit 0"],
            env=self.env,
            capture_output=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"wine does not start: {_text(result.stderr)[-2000:]}")
        drive = self.prefix / "dosdevices" / "z:"
        if not drive.exists():
            raise RuntimeError(f"the Wine prefix has no drive Z: ({drive})")

    def stop(self) -> None:
        subprocess.run(
            ["wineserver", "-k"], env=self.env, capture_output=True, timeout=60, check=False
        )

    def run_many(self, cases: Sequence[CmdCase], work: Path) -> list[Outcome]:
        """Run every case in one Wine start; each gets its own output files."""
        work.mkdir(parents=True, exist_ok=True)
        lines = ["@echo off"]
        for index, case in enumerate(cases):
            line_file = work / f"{index}.line"
            line_file.write_bytes(case.line.encode("utf-8") + b"\r\n")
            out, err, status = (
                wine_path(work / f"{index}.{kind}") for kind in ("out", "err", "rc")
            )
            program = self.cmd if case.shell[0].lower() == "cmd" else case.shell[0]
            shell = " ".join([program, *case.shell[1:]])
            lines.append("setlocal")
            for name, value in case.env.items():
                lines.append(f'set "{name}={value}"')
            lines.append(f'cd /d "{wine_path(case.root)}"')
            lines.append(
                f'for /f "usebackq eol=| delims=" %%L in ("{wine_path(line_file)}") '
                f'do >"{out}" 2>"{err}" {shell} %%L'
            )
            lines.append(f'>"{status}" echo %ERRORLEVEL%')
            lines.append("endlocal")
        script = work / "oracle.bat"
        script.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
        result = subprocess.run(
            ["wine", self.cmd, "/c", wine_path(script)],
            env=self.env,
            capture_output=True,
            timeout=600,
            check=False,
        )
        outcomes: list[Outcome] = []
        for index, case in enumerate(cases):
            status_file = work / f"{index}.rc"
            if not status_file.exists():
                raise RuntimeError(
                    f"case {index} did not run under Wine: {_text(result.stderr)[-2000:]}"
                )
            outcomes.append(
                Outcome(
                    int(status_file.read_text().strip()),
                    snapshot(case.root),
                    _text((work / f"{index}.out").read_bytes()),
                    _text((work / f"{index}.err").read_bytes()),
                )
            )
        return outcomes


def need_wine() -> None:
    """Skip without Wine, except under CI, which installs it (.ci/run)."""
    if shutil.which("wine") is None or shutil.which("wineserver") is None:
        message = "wine is not installed"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set, so the execution oracle must run)")
        pytest.skip(message)


def need_posix_shells(shells: Sequence[Posix]) -> None:
    if not shells:
        message = "neither dash nor busybox is installed"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set, so the execution oracle must run)")
        pytest.skip(message)
