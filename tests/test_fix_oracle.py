"""The execution oracle: every catalogue translation `dflint fix` writes is run on both sides.

Each case is a command line and a small file tree. The line runs under sh (dash, and BusyBox
sh with its applets) in one copy of the tree; its translation runs under cmd.exe (Wine) in
another; then the exit status (zero or not), the files, their contents and, where printing
is the command's job, the output are compared (see tests/oracle.py for what "the same" means).
Cases run in the other direction too (a cmd line and its sh translation).

Which cmd.exe: Debian 12's Wine (8.0) has a cmd.exe that runs both sides of `&&` and `||`
whatever the first returns, and reads no wildcard in a quoted `for` set, so it cannot tell a
right translation from a wrong one. The oracle runs the cmd.exe of a newer Wine (10.0, a
Windows program that Wine 8 runs), which `.ci/install-oracle-cmd` takes from Debian's newer
release; `DFLINT_ORACLE_CMD` or /usr/local/lib/dflint-oracle/oracle-cmd.exe names it
(not cmd.exe: for that name Wine loads its own builtin). Where that
cmd.exe still differs from Windows' in a way that matters, the case says so and the test
relies on Microsoft's documentation instead (see WINE_DIFFERS).

PowerShell: no PowerShell can be installed from the package registries this project uses
(Debian 12 has none; PyPI's and npm's "powershell"/"pwsh" packages wrap an installed
PowerShell and ship none), and Windows PowerShell 5.1, which Windows images run, exists only
on Windows. So the PowerShell forms are checked against Microsoft's documented semantics
(test_powershell_forms_follow_the_documented_semantics), not run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from oracle import (
    CmdCase,
    Outcome,
    Posix,
    Tree,
    Wine,
    make_tree,
    need_posix_shells,
    need_wine,
    posix_shells,
    wine_path,
)

from dflint.analyse import catalogue
from dflint.generate import commands
from dflint.generate.images import CMD_SHELL
from dflint.generate.paths import Untranslatable
from dflint.generate.translator import CMD_DELAYED_SHELL

ORACLE_CMD_PATHS = (
    os.environ.get("DFLINT_ORACLE_CMD", ""),
    "/usr/local/lib/dflint-oracle/oracle-cmd.exe",
)

# Translations that are programs, not forms: the same program with the same command line on
# both systems (catalogue.CROSS_PLATFORM_PROGRAMS, curl, tar with the options all three tars
# read alike). Nothing is rewritten but paths and variables, which the cases below cover.
SAME_PROGRAM = "program"


@dataclass(frozen=True, slots=True)
class Case:
    """A line, the tree it runs on, and what its run must show."""

    proves: tuple[str, ...]  # the catalogue translations (keys) and handlers it runs
    line: str  # {root} is the case's folder
    tree: Tree = field(default_factory=dict)
    source: str = "sh"  # the side the line is written for: sh or cmd
    output: str = ""  # "": not compared; "text": line by line; "names": as a set; "arch"
    succeeds: bool | None = None  # the expected outcome, when the case is about it
    note: str = ""


A_TREE: Tree = {"app": None, "app/a.txt": "A\n", "app/sub": None, "app/sub/b.txt": "B\n"}
TMP_TREE: Tree = {
    "tmp": None,
    "tmp/a.log": "1\n",
    "tmp/cache": None,
    "tmp/cache/x": "2\n",
    "tmp/with space": None,
    "keep": None,
    "keep/k": "k\n",
}

CASES: tuple[Case, ...] = (
    # --- mkdir ---------------------------------------------------------------------------
    Case(("mkdir -p",), "mkdir -p {root}/app", {"app": None}, note="WORKDIR /app made it"),
    Case(("mkdir -p",), "mkdir -p {root}/app/data/deep", A_TREE),
    Case(("mkdir -p",), "mkdir -p a/b c", {}),
    Case(("mkdir -p",), "mkdir -p f", {"f": "a file\n"}, succeeds=False),
    Case(("mkdir",), "mkdir app", {}, succeeds=True),
    Case(("mkdir",), "mkdir app", {"app": None}, succeeds=False),
    Case(("cmd: mkdir",), "mkdir {root}\\app\\data", {}, source="cmd", succeeds=True),
    Case(("cmd: mkdir",), "mkdir {root}\\app", {"app": None}, source="cmd", succeeds=False),
    Case(("cmd: md",), "md one two", {}, source="cmd", succeeds=True),
    # --- rm ------------------------------------------------------------------------------
    Case(("rm -rf",), "rm -rf {root}/tmp/*", TMP_TREE, succeeds=True),
    Case(("rm -rf",), "rm -rf {root}/nothere", {}, succeeds=True, note="a missing path"),
    Case(("rm -rf",), "rm -rf keep/k", TMP_TREE, succeeds=True, note="a file"),
    Case(("rm -rf",), "rm -rf tmp keep", TMP_TREE, succeeds=True, note="folders"),
    Case(("rm -rf",), "rm -rf tmp/nomatch*", TMP_TREE, succeeds=True),
    Case(("rm -r",), "rm -r tmp", TMP_TREE, succeeds=True),
    Case(("rm -r",), "rm -r nothere", {}, succeeds=False),
    Case(("rm -f",), "rm -f tmp/a.log nothere", TMP_TREE, succeeds=True),
    Case(("rm -f",), "rm -f tmp", TMP_TREE, succeeds=False, note="a folder"),
    Case(("rm",), "rm tmp/a.log", TMP_TREE, succeeds=True),
    Case(("rm",), "rm nothere", {}, succeeds=False),
    Case(("rm",), "rm tmp", TMP_TREE, succeeds=False),
    Case(
        ("cmd: rmdir /S /Q",),
        "rmdir /S /Q {root}\\tmp",
        TMP_TREE,
        source="cmd",
        succeeds=True,
    ),
    Case(("cmd: rd /S /Q",), "rd /s /q keep", TMP_TREE, source="cmd", succeeds=True),
    # --- touch, cp -----------------------------------------------------------------------
    Case(("touch",), "touch existing.log", {"existing.log": "keep me\n"}, succeeds=True),
    Case(("touch",), "touch new.log other.log", {}, succeeds=True),
    Case(("touch",), "touch app", {"app": None}, succeeds=True, note="a folder"),
    Case(("cp",), "cp a.txt b.txt", {"a.txt": "A\n", "b.txt": "old\n"}, succeeds=True),
    Case(("cp",), "cp a.txt dir", {"a.txt": "A\n", "dir": None}, succeeds=True),
    Case(("cp",), "cp dir b", {"dir": None}, succeeds=False),
    Case(("cp",), "cp nothere b", {}, succeeds=False),
    # --- printing ------------------------------------------------------------------------
    Case(("ls",), "ls {root}/app", A_TREE, output="names", succeeds=True),
    Case(("ls",), "ls", A_TREE, output="names", succeeds=True),
    Case(("ls",), "ls nothere", {}, succeeds=False),
    Case(("cmd: dir /B",), "dir /B {root}\\app", A_TREE, source="cmd", output="names"),
    Case(("cat",), "cat app/a.txt app/sub/b.txt", A_TREE, output="text", succeeds=True),
    Case(("cat",), "cat nothere", {}, succeeds=False),
    Case(("cat",), "cat app/a.txt > copy.txt", A_TREE, succeeds=True),
    Case(("cmd: type",), "type app\\a.txt", A_TREE, source="cmd", output="text"),
    # `2>&1` is one redirection, not `2>` and an `&` (the strict cmd parser once split it)
    Case(("cmd: type",), "type app\\a.txt 2>&1", A_TREE, source="cmd", output="text"),
    Case(("cmd: mkdir",), "mkdir {root}\\app 2>&1", A_TREE, source="cmd", succeeds=False),
    Case(("cmd: mkdir",), "mkdir {root}\\app\\new 2>&1", A_TREE, source="cmd", succeeds=True),
    Case(("cat",), "cat app/a.txt 2>&1", A_TREE, output="text", succeeds=True),
    Case(("uname -m",), "uname -m", {}, output="arch", succeeds=True),
    Case(("uname -a",), "uname -a", {}, succeeds=True),
    Case(("uname",), "uname", {}, succeeds=True),
    Case(("uname -s",), "uname -s", {}, succeeds=True),
    Case(("pwd", "cd"), "cd app && pwd", A_TREE, succeeds=True),
    Case(("cd",), "cd nothere && touch x", {}, succeeds=False),
    Case(("cmd: cd",), "cd app && type a.txt", A_TREE, source="cmd", output="text"),
    Case(("cmd: cd /d",), "cd /d {root}\\app && type a.txt", A_TREE, source="cmd", output="text"),
    Case(("echo",), "echo hello world", {}, output="text", succeeds=True),
    Case(("echo",), "echo hello > out.txt", {}, succeeds=True),
    Case(("echo",), 'echo "a  b" c', {}, output="text"),
    Case(("cmd: echo",), "echo Built as: windows/amd64", {}, source="cmd", output="text"),
    Case(("cmd: uname -a",), "echo %PROCESSOR_ARCHITECTURE% %PROCESSOR_IDENTIFIER%", {}, "cmd"),
    # --- variables ------------------------------------------------------------------------
    Case(("export", "echo"), "export FOO=bar && echo $FOO", {}, output="text"),
    Case(("export", "echo"), "export FOO=bar; echo $FOO > v.txt", {}, succeeds=True),
    Case(("NAME=value", "echo"), "FOO=bar && echo $FOO", {}, output="text"),
    Case(("export", "mkdir -p"), "export D=made && mkdir -p $D/x", {}, succeeds=True),
    Case(("cmd: set", "cmd: echo"), 'set "GREETING=hi there" & echo x', {}, "cmd", "text"),
    # --- chains ---------------------------------------------------------------------------
    Case(("false", "echo", "cmd: ERRORLEVEL reset"), "false || echo recovered", {}, "sh", "text"),
    Case(("true",), "true && touch ok", {}, succeeds=True),
    Case(("false",), "false && touch never", {}, succeeds=False),
    Case(("false", "touch"), "false; touch after", {}, succeeds=True),
    Case(
        ("mkdir -p", "false", "touch"), "set -eux; mkdir -p a; false; touch b", {}, succeeds=False
    ),
    Case(("mkdir -p", "touch"), "set -e; mkdir -p a; touch a/b", {}, succeeds=True),
    Case(("mkdir -p", "false", "touch"), "mkdir -p a && false && touch b", {}, succeeds=False),
    Case(("rm -rf", "echo"), "rm -rf nothere || echo never", {}, output="text", succeeds=True),
    Case(("cat", "echo"), "cat nothere || echo missing", {}, output="text", succeeds=True),
    Case(("cmd: false", "cmd: echo"), "cmd /c exit 1 || echo recovered & cd .", {}, "cmd"),
    Case(("cmd: true",), "cmd /c exit 0 && type nul > ok.txt", {}, "cmd", succeeds=True),
)

# Where the oracle's cmd.exe (Wine 10) does not do what Windows' does, for lines the cases
# above do not write; kept here so nobody "fixes" a form to suit Wine.
WINE_DIFFERS = {
    "rmdir /S /Q FILE": "Wine removes the file and succeeds; Windows fails with 'The directory "
    "name is invalid.' (rmdir removes directories only: learn.microsoft.com/windows-server/"
    "administration/windows-commands/rmdir). The translation of rm -rf tests `X\\*` first.",
    "rmdir /S /Q MISSING": "Wine reports success; Windows fails ('The system cannot find the "
    "file specified.').",
    'if exist "FILE\\"': "Wine finds a file under a trailing backslash; Windows does not. The "
    'forms test a folder with "X\\*" instead, which both answer alike (an empty folder holds '
    "the `.` entry on NTFS).",
    'for %i in ("a\\*")': "Wine reads no wildcard in a quoted for set; Windows does. Patterns "
    "are written without quotes unless they need them.",
    "del MISSING": "Windows' del leaves ERRORLEVEL 0 even when it finds nothing; Wine sets 1. "
    "The forms call del only on a path that exists.",
}


def _oracle_cmd() -> Path | None:
    for candidate in ORACLE_CMD_PATHS:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


# PowerShell lines read by documented semantics (test_powershell_lines_to_sh...), and wget
# as curl (test_wget_and_its_curl_form_fetch_the_same), which Wine cannot run.
DOCUMENTED = frozenset({"powershell: Invoke-WebRequest", "powershell: echo", "wget"})
PROVEN: frozenset[str] = frozenset(
    {key for case in CASES for key in case.proves} | {SAME_PROGRAM} | DOCUMENTED
)


@dataclass(slots=True)
class Ran:
    case: Case
    sh_line: str
    cmd_line: str
    shell: tuple[str, ...]
    posix: dict[str, Outcome]
    cmd: Outcome
    used: tuple[str, ...]


def _context(case: Case, posix_root: Path, cmd_root: Path) -> commands.Context:
    mapping = {str(posix_root): wine_path(cmd_root)}
    if case.source == "sh":
        return commands.Context("linux", "sh", "windows", "cmd", mapping, delayed_expansion=True)
    return commands.Context("windows", "cmd", "linux", "sh", mapping)


def _run_all(work: Path, wine: Wine, shells: list[Posix]) -> list[Ran]:
    prepared: list[tuple[Case, str, str, tuple[str, ...], Path, tuple[str, ...]]] = []
    cmd_cases: list[CmdCase] = []
    for index, case in enumerate(CASES):
        posix_root = work / f"{index}-sh"
        cmd_root = work / f"{index}-cmd"
        make_tree(cmd_root, case.tree)
        ctx = _context(case, posix_root, cmd_root)
        try:
            if case.source == "sh":
                sh_line = case.line.replace("{root}", str(posix_root))
                translated = commands.translate_command_line(sh_line, ctx)
                cmd_line = "".join(translated.lines)
            else:
                cmd_line = case.line.replace("{root}", wine_path(cmd_root))
                translated = commands.translate_command_line(cmd_line, ctx)
                sh_line = "".join(translated.lines)
        except Untranslatable as exc:
            # reported by the case's own test; the others still run
            translated = commands.Translated([f"untranslated: {exc.reason}"], (), False)
            sh_line = cmd_line = "exit 99"
        shell: tuple[str, ...] = CMD_DELAYED_SHELL if translated.delayed else CMD_SHELL
        prepared.append((case, sh_line, cmd_line, shell, posix_root, translated.used))
        cmd_cases.append(CmdCase(cmd_line, cmd_root, shell))
    cmd_outcomes = wine.run_many(cmd_cases, work / "wine")
    ran: list[Ran] = []
    for (case, sh_line, cmd_line, shell, posix_root, used), cmd_outcome in zip(
        prepared, cmd_outcomes, strict=True
    ):
        posix: dict[str, Outcome] = {}
        for sh in shells:
            root = posix_root.with_name(f"{posix_root.name}-{sh.name}")
            make_tree(root, case.tree)
            line = sh_line.replace(str(posix_root), str(root))
            posix[sh.name] = sh.run(line, root)
        ran.append(Ran(case, sh_line, cmd_line, shell, posix, cmd_outcome, used))
    return ran


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[int, Ran]]:
    need_wine()
    cmd = _oracle_cmd()
    if cmd is None:
        message = (
            "no oracle cmd.exe (run .ci/install-oracle-cmd, or set DFLINT_ORACLE_CMD): Wine 8's "
            "own cmd.exe runs both sides of && and ||"
        )
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set, so the execution oracle must run)")
        pytest.skip(message)
    work = tmp_path_factory.mktemp("oracle")
    shells = posix_shells(work)
    need_posix_shells(shells)
    wine = Wine(work / "prefix", cmd)
    wine.start()
    try:
        ran = _run_all(work, wine, shells)
    finally:
        wine.stop()
    yield dict(enumerate(ran))
    shutil.rmtree(work, ignore_errors=True)


def _files(outcome: Outcome) -> Mapping[str, str | None]:
    return outcome.files


def _lines(text: str) -> list[str]:
    # cmd's echo keeps the blank before an operator (`echo a && …` prints "a ")
    return [line.rstrip(" ") for line in text.splitlines()]


_ARCH = {"x86_64": "AMD64", "aarch64": "ARM64"}


def _same_output(kind: str, sh: str, cmd: str) -> bool:
    if kind == "text":
        return _lines(sh) == _lines(cmd)
    if kind == "names":
        return sorted(_lines(sh)) == sorted(_lines(cmd))
    if kind == "arch":
        return _ARCH.get(sh.strip(), sh.strip()) == cmd.strip()
    return True


@pytest.mark.parametrize("index", range(len(CASES)), ids=[case.line for case in CASES])
def test_the_translation_does_what_the_line_does(results: dict[int, Ran], index: int) -> None:
    ran = results[index]
    case = ran.case
    shown = f"sh: {ran.sh_line!r}\ncmd ({' '.join(ran.shell)}): {ran.cmd_line!r}"
    for key in case.proves:
        assert key in ran.used, f"{key} is not what the translation used ({ran.used})\n{shown}"
    for name, posix in ran.posix.items():
        cmd = ran.cmd
        detail = f"{shown}\n{name}: {posix}\ncmd: {cmd}"
        assert posix.ok == cmd.ok, f"exit status differs\n{detail}"
        if case.succeeds is not None:
            assert posix.ok == case.succeeds, f"the case expects ok={case.succeeds}\n{detail}"
        if posix.ok:
            assert _files(posix) == _files(cmd), f"the files differ\n{detail}"
            assert _same_output(case.output, posix.stdout, cmd.stdout), f"output\n{detail}"


def test_dash_and_busybox_agree(results: dict[int, Ran]) -> None:
    """The POSIX side itself: Debian's and Alpine's sh do the same with every case."""
    for ran in results.values():
        outcomes = list(ran.posix.values())
        for other in outcomes[1:]:
            assert (other.ok, other.files) == (outcomes[0].ok, outcomes[0].files), ran.sh_line


def test_every_translation_of_the_catalogue_is_run() -> None:
    """A translation added to the catalogue without an oracle case fails here."""
    keys = {item.key for item in catalogue.translations() if "cmd" in item.forms}
    keys |= {f"cmd: {item.key}" for item in catalogue.translations() if item.source == "cmd"}
    keys = {key.replace("cmd: cmd: ", "cmd: ") for key in keys}
    ran = {key for case in CASES for key in case.proves}
    reverse = {
        f"cmd: {item.key}"
        for item in catalogue.translations()
        if item.source == "sh" and "{" not in item.forms["cmd"].template
    }
    missing = sorted(keys - ran - {key for key in reverse if key not in ran} - set())
    assert missing == [], f"translations with no oracle case: {missing}"


# --- the issue's examples: what the old translations did, run under the same cmd.exe ---------

REJECTED: tuple[tuple[str, str, Tree, str], ...] = (
    # (what, the old cmd line, tree, what goes wrong)
    ("mkdir -p /app after WORKDIR /app", "mkdir app", {"app": None}, "fails"),
    ("touch existing.log", "type nul > existing.log", {"existing.log": "keep me\n"}, "empties"),
    ("export FOO=bar && echo $FOO", 'set "FOO=bar" && echo %FOO%', {}, "prints %FOO%"),
    ("set -eux; false; touch b", "set -eux & cmd /c exit 1 & type nul > b", {}, "goes on"),
    ("false || echo recovered", "exit /b 1 || echo recovered", {}, "never recovers"),
)


@pytest.fixture(scope="module")
def rejected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Outcome]]:
    need_wine()
    cmd = _oracle_cmd()
    if cmd is None:
        if os.environ.get("CI"):
            pytest.fail("no oracle cmd.exe (CI is set, so the execution oracle must run)")
        pytest.skip("no oracle cmd.exe (run .ci/install-oracle-cmd)")
    work = tmp_path_factory.mktemp("rejected")
    wine = Wine(work / "prefix", cmd)
    wine.start()
    cases = []
    for index, (_, line, tree, _) in enumerate(REJECTED):
        root = work / str(index)
        make_tree(root, tree)
        cases.append(CmdCase(line, root))
    try:
        yield wine.run_many(cases, work / "wine")
    finally:
        wine.stop()
        shutil.rmtree(work, ignore_errors=True)


def test_the_old_translations_were_wrong_where_the_issue_says(rejected: list[Outcome]) -> None:
    """Run under the same cmd.exe, each old translation shows the fault the issue names, so
    the oracle tells a wrong form from a right one."""
    mkdir, touch, variable, errexit, exit_b = rejected
    assert not mkdir.ok  # cmd's mkdir fails on the folder WORKDIR made
    assert touch.ok and touch.files["existing.log"] == ""  # truncated
    assert variable.stdout.strip() == "%FOO%"  # expanded when the line was read
    assert errexit.files.get("b") == ""  # the chain went on after the failure
    assert "recovered" not in exit_b.stdout and not exit_b.ok  # exit /b ended cmd.exe


# --- what the translator refuses, and the text of the issue's examples --------------------


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("mkdir /app/data", "without -p"),
        ("rm -rf /tmp/a?", "? or [...]"),
        ("rm -rf /a/*/b", "last part"),
        ("touch *.log", "wildcard"),
        ("set -e; a=1 && false; touch x", "set -e"),
        ("set -u; echo $HOME", "set -u"),
        ("FOO=1 go build && go test", "for one command"),
        ("FOO=1 && go build", "not exported"),
        ("ls -la", "by meaning"),
        ("echo 'a\\nb'", "backslash"),
    ],
)
def test_what_has_no_form_with_the_same_meaning_is_refused(line: str, reason: str) -> None:
    ctx = commands.Context("linux", "sh", "windows", "cmd", delayed_expansion=True)
    with pytest.raises(Untranslatable) as caught:
        commands.translate_command_line(line, ctx)
    assert reason in caught.value.reason


def test_windows_lines_with_no_linux_meaning_are_refused() -> None:
    ctx = commands.Context("windows", "cmd", "linux", "sh")
    for line, reason in (
        ("exit /b 0", "batch files"),
        ('set "FOO=bar" && echo %FOO%', "before set runs"),
        ("C:\\innoextract.exe -e x", "Windows program"),
        ("reg add HKLM\\Software\\x", "registry"),
        ("del /Q C:\\x.zip", "does the same"),
        ("cmd /c exit 1 || echo recovered", "fails where sh's would succeed"),
        # cmd cuts the redirection out of the value, keeping the space before it
        ("set A=1 > nul", "set with a redirection"),
        ("type a.txt 3> x", "the redirection `3>`"),
        ("type a.txt >&2", "the redirection `>&2`"),
        ("(type a.txt)", "parenthesised"),
        ("echo !A! > x", "delayed expansion"),
    ):
        with pytest.raises(Untranslatable) as caught:
            commands.translate_command_line(line, ctx)
        assert reason in caught.value.reason, line


# --- PowerShell: documented semantics ---------------------------------------------------------

# What each PowerShell form must do, with Microsoft's documentation for it
# (learn.microsoft.com/powershell/module/microsoft.powershell.management/...):
PS_DOCUMENTED = {
    "mkdir -p": (
        "New-Item -ItemType Directory -Force",
        "New-Item: -Force 'Forces this cmdlet to create an item that writes over an existing "
        "read-only item'; with -ItemType Directory an existing folder is returned, not an "
        "error, and missing parents are created",
    ),
    "rm -rf": (
        "if (Test-Path ",
        "Remove-Item fails on a missing path (an error, which stops the script under "
        "$ErrorActionPreference = 'Stop'), so the form tests the path first; -Recurse -Force "
        "removes folders with hidden and read-only items",
    ),
    "touch": (
        ".LastWriteTime = Get-Date",
        "New-Item -ItemType File -Force replaces an existing file with an empty one; the form "
        "sets LastWriteTime on an existing file and creates only a missing one",
    ),
    "false": ("cmd /c exit 1", "exit 1 would end the whole script; a native failure sets $?"),
}


def test_powershell_forms_follow_the_documented_semantics() -> None:
    for key, (piece, _why) in PS_DOCUMENTED.items():
        found = next(item for item in catalogue.translations() if item.key == key)
        assert piece in found.forms["powershell"].template, key
    ctx = commands.Context("linux", "sh", "windows", "powershell")
    text = "".join(commands.translate_command_line("rm -rf /app/x && mkdir -p /app/y", ctx).lines)
    assert text == (
        "if (Test-Path C:\\app\\x) { Remove-Item -Recurse -Force C:\\app\\x }; "
        "if (-not $?) { exit 1 }; New-Item -ItemType Directory -Force C:\\app\\y"
    )
    # `;` after a cmdlet that can fail: PowerShell would stop where sh goes on
    with pytest.raises(Untranslatable):
        commands.translate_command_line("rm -r x; echo done", ctx)


def test_powershell_lines_to_sh_follow_the_documented_semantics() -> None:
    """Invoke-WebRequest -OutFile fails on an HTTP error status (a terminating error) and
    follows redirects (-MaximumRedirection, default 5): curl -fsSL -o does both. Write-Output
    and Write-Host print their text and a newline: echo does."""
    ctx = commands.Context("windows", "powershell", "linux", "sh")
    line = "Invoke-WebRequest -Uri https://example.com/a.zip -OutFile a.zip; Write-Output done"
    translated = commands.translate_command_line(line, ctx)
    assert "".join(translated.lines) == (
        'curl -fsSL -o a.zip https://example.com/a.zip && echo "done"'
    )
    assert set(translated.used) == {"powershell: Invoke-WebRequest", "powershell: echo"}


def test_wget_and_its_curl_form_fetch_the_same(tmp_path: Path) -> None:
    """wget -O FILE URL and the translation's curl -fsSL -o FILE URL, both run on Linux (the
    same curl that Windows ships as curl.exe): the same file, and both fail on a 404."""
    import http.server
    import subprocess
    import threading

    for program in ("wget", "curl"):
        if shutil.which(program) is None:
            pytest.skip(f"{program} is not installed")
    served = tmp_path / "served"
    served.mkdir()
    (served / "tool.tar.gz").write_bytes(b"payload\n")
    directory = str(served)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=directory, **kwargs)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        ctx = commands.Context("linux", "sh", "windows", "cmd", delayed_expansion=True)
        for name in ("tool.tar.gz", "missing.tar.gz"):
            line = f"wget -q -O out.bin {base}/{name}"
            cmd_line = "".join(commands.translate_command_line(line, ctx).lines)
            assert cmd_line == f"curl -fsSL -o out.bin {base}/{name}"
            results: list[tuple[bool, bytes | None]] = []
            for text in (line, cmd_line):
                work = tmp_path / f"{name}-{len(results)}"
                work.mkdir()
                run = subprocess.run(["sh", "-c", text], cwd=work, capture_output=True, check=False)
                ok = run.returncode == 0
                results.append((ok, (work / "out.bin").read_bytes() if ok else None))
            assert results[0] == results[1], (name, results)
        assert results[0] == (False, None)
    finally:
        server.shutdown()
