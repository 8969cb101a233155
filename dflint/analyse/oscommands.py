"""Commands that belong to another OS's shell, for DF301, DF302 and DF309.

The catalogue says where each name exists; this module applies it to a parsed script with
what the Dockerfile says about the stage (its OS, its base image, tools it installs).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from dflint import lazyre
from dflint.analyse import catalogue
from dflint.analyse.analysis import Analysis, StageFacts
from dflint.analyse.catalogue import ShellName
from dflint.analyse.shell import Command, Script, dialect_of, program_name
from dflint.read.model import Instruction

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from typing import Literal, TypeAlias

MisfitKind: TypeAlias = 'Literal["missing", "option", "cmdlet"]'

# Microsoft's own Windows images ship only Windows' commands. Other bases may put Linux
# names on PATH (diamol's adds ls.bat, cat.bat, …; golang's Windows images put Git's
# usr\bin on PATH), so DF301 judges only stages built on these.
_MICROSOFT_IMAGE = lazyre.compile(r"(?:mcr\.microsoft\.com/|microsoft/)", re.I)
# A stage that puts a Unix toolset on PATH (Git for Windows' usr\bin, BusyBox, Cygwin, MSYS2).
_UNIX_TOOLSET = lazyre.compile(
    r"usr[\\/]+bin|git[\\/]+bin|busybox|cygwin|msys|gnuwin32|unxutils|gow\b", re.I
)
_INSTALLS = lazyre.compile(r"\b(?:choco|scoop|winget)(?:\.exe)?\s+install\b([^&|;\r\n]*)", re.I)
_EXPLICIT_PROGRAM = lazyre.compile(r"[\\/]|\.(?:exe|bat|cmd|ps1|com)\Z", re.I)

# Cheap tests before parsing: the words of the text (a set lookup each) against catalogued
# names, and for DF302 a `Verb-Noun` cmdlet (case matters: Linux programs are lower case,
# `apt-get`), a cmd-style switch or `set NAME=`.
# (The look-behinds come after the first character, so that re can skip to where one may
# start instead of trying every position.)
# (the final look-behind leaves out trailing dots: `apt-get.` at the end of a sentence)
_WORD = lazyre.compile(r"[A-Za-z](?<![\w.$:-][A-Za-z])[\w.-]*(?<!\.)")
# (Built at the first test, not at import: the catalogue is read when first asked.)


@cache
def _linux_names() -> frozenset[str]:
    return frozenset(
        entry.name.lower()
        for entry in catalogue.entries()
        if "sh" in entry.shells and ("cmd" not in entry.shells or entry.foreign_options.get("cmd"))
    )


@cache
def _windows_names() -> frozenset[str]:
    return frozenset(
        entry.name.lower() for entry in catalogue.entries() if "sh" not in entry.shells
    )


# (three searches, the last only where "set" is written: one pattern of the three had no
# first character to skip ahead to); ConvertTo-Json is a cmdlet too
_CMDLET = lazyre.compile(r"[A-Z](?<!\w[A-Z])[a-z]+(?:[A-Z][a-z]+)?-[A-Z][a-z]")
_SWITCH = lazyre.compile(r"\s/[A-Za-z?](?![\w/.-])")
_SET = lazyre.compile(r"s(?<!\ws)et\s+\"?\w+=")
# PowerShell syntax, found without parsing: `$env:` or `${env:`, `$name =`, a `Verb-Noun` in
# any case (PowerShell reads `invoke-webrequest` too), `[Type]::`.
_POWERSHELL_HINT = lazyre.compile(
    r"(?i:\$\{?env:)|\$[A-Za-z_]\w*\s*[+-]?=|(?i:\b[a-z]+-[a-z]{2})|\[[\w.]+\]::"
)


def may_hold_powershell(text: str) -> bool:
    """A cheap test before parsing (DF309, DF315): text that may hold PowerShell syntax."""
    return _POWERSHELL_HINT.search(text) is not None


def _windows_syntax(text: str) -> bool:
    return (
        _CMDLET.search(text) is not None
        or _SWITCH.search(text) is not None
        or ("set" in text and _SET.search(text) is not None)
    )


def _words(text: str) -> frozenset[str]:
    return _facts(text)[0]


def _facts(text: str) -> tuple[frozenset[str], bool]:
    """The text's words, and whether it shows cmd or PowerShell syntax: DF301 and DF302 ask
    about the same texts, and files of a project repeat their RUN lines (a long text is not
    kept)."""
    return _kept_facts(text) if len(text) <= _KEPT else _read_facts(text)


_KEPT = 8192


@lru_cache(maxsize=256)
def _kept_facts(text: str) -> tuple[frozenset[str], bool]:
    return _read_facts(text)


def _read_facts(text: str) -> tuple[frozenset[str], bool]:
    return _read_words(text), _windows_syntax(text)


def _read_words(text: str) -> frozenset[str]:
    if text.isascii():  # one lower() for the whole text
        return frozenset(_WORD.findall(text.lower()))
    return frozenset(word.lower() for word in _WORD.findall(text))


def mentions_linux_command(text: str) -> bool:
    """The text names a catalogued Linux command (a test before parsing)."""
    return not _linux_names().isdisjoint(_words(text))


def mentions_windows_command(text: str) -> bool:
    """The text names a catalogued Windows command or shows cmd/PowerShell syntax."""
    words, syntax = _facts(text)
    return syntax or not _windows_names().isdisjoint(words)


@dataclass(frozen=True, slots=True)
class Misfit:
    """A command that does not do what was meant under the shell that runs it."""

    command: Command
    shell: ShellName  # the shell it runs under
    kind: MisfitKind
    option: str | None  # the foreign option, for kind "option"
    suggestion: str | None

    @property
    def shown(self) -> str:
        """The command as quoted in messages: its name and a leading option (`uname -a`)."""
        name = self.command.name
        if self.option is not None:
            return f"{name} {self.option}"
        words = self.command.words
        if words and words[0].value[:1] in ("-", "/") and len(words[0].value) <= 12:
            return f"{name} {words[0].value}"
        return name


def linux_misfits(script: Script, shell: ShellName | None = None) -> Iterator[Misfit]:
    """Linux commands (and Linux-only options) in a script run by cmd or PowerShell.

    ``shell`` judges the commands as if that shell ran them (the Windows side of a stage
    whose OS is unknown); by default the script's own dialect decides.
    """
    if shell is None:
        shell = "powershell" if script.dialect == "powershell" else "cmd"
    for command in script.commands:
        name = command.name
        if not name or _EXPLICIT_PROGRAM.search(name) or name.startswith(("$", "%", "[", "(")):
            continue
        info = catalogue.lookup(name)
        if info is None or "sh" not in info.shells:
            continue  # not a Linux command (cmdlets under cmd are DF309's)
        args = command.args
        if catalogue.exists(name, shell) is False:
            yield Misfit(command, shell, "missing", None, catalogue.equivalent(name, args, shell))
            continue
        if shell == "cmd" and script.dialect in ("cmd", "posix"):
            option = catalogue.foreign_option(name, args, "cmd")
            if option is not None:
                yield Misfit(command, shell, "option", option, info.equivalents.get("cmd"))


def windows_misfits(script: Script) -> Iterator[Misfit]:
    """cmd and PowerShell commands (and cmd-style switches) in a script run by sh."""
    for command in script.commands:
        name = command.name
        program = program_name(name)
        if not name or program in ("powershell", "pwsh") or "/" in name:
            continue  # PowerShell is normal in Linux images that install it
        if program == "cmd" and script.dialect == "exec":
            continue  # an exec-form program that is a missing shell is DF310's
        args = command.args
        if catalogue.is_cmdlet(name):
            yield Misfit(command, "sh", "cmdlet", None, catalogue.equivalent(name, args, "sh"))
            continue
        info = catalogue.lookup(name)
        if info is None:
            continue
        if "sh" not in info.shells:
            yield Misfit(command, "sh", "missing", None, catalogue.equivalent(name, args, "sh"))
            continue
        option = catalogue.foreign_option(name, args, "sh")
        if option is not None:
            yield Misfit(command, "sh", "option", option, info.equivalents.get("sh"))


# Windows images known to start with cmd as their shell: Microsoft's bare OS images, and
# Nano Server images (no Windows PowerShell there) other than PowerShell's own.
_CMD_BASE = lazyre.compile(
    r"(?:mcr\.microsoft\.com/windows/|microsoft/(?:windowsservercore|nanoserver))"
)
_PERCENT_VARIABLE = lazyre.compile(r"%[A-Za-z_][A-Za-z0-9_]+%")


def shell_is_cmd(analysis: Analysis, facts: StageFacts, instruction: Instruction) -> bool:
    """cmd certainly runs the instruction's shell form.

    A SHELL line in the stage's chain decides. Without one, the base image's own SHELL
    applies (it lives in the image config): many Windows images (docker-library's python,
    .NET Framework's aspnet) set PowerShell, so cmd is certain only on a bare Microsoft OS
    image, on a Nano Server image (no Windows PowerShell there), or when the stage's other
    RUN lines use cmd's `%NAME%` and so show the author expects cmd.
    """
    chain = stage_chain(analysis, facts)
    if _shell_in_dockerfile(chain, instruction):
        return dialect_of(analysis.shell(instruction)) == "cmd"
    root = chain[-1]
    image = (root.image or root.stage.image).lower()
    if _CMD_BASE.match(image):
        return True
    if "nanoserver" in image and "powershell" not in image:
        return True
    return any(
        item.keyword == "RUN" and not item.json and _PERCENT_VARIABLE.search(item.original)
        for stage in chain
        for item in stage.stage.instructions
    )


def _shell_in_dockerfile(chain: list[StageFacts], instruction: Instruction) -> bool:
    for stage in chain:
        for item in stage.stage.instructions:
            if item is instruction:
                break
            if item.keyword == "SHELL":
                return True
    return False


def on_microsoft_base(analysis: Analysis, facts: StageFacts) -> bool:
    """The stage's chain of FROM <stage> ends at a Microsoft image (known to hold nothing
    but Windows' own commands)."""
    root = stage_chain(analysis, facts)[-1]
    image = root.image or ""
    return root.os == "windows" and _MICROSOFT_IMAGE.match(image) is not None


def stage_chain(analysis: Analysis, facts: StageFacts) -> list[StageFacts]:
    chain: list[StageFacts] = []
    current: StageFacts | None = facts
    while current is not None and current not in chain:
        chain.append(current)
        current = current.parent
    return chain


def provided(analysis: Analysis, facts: StageFacts, program: str) -> bool:
    """The stage chain installs ``program`` (choco/scoop/winget, a copied program, or a
    downloaded installer named after it, like gpg4win-….exe) or a whole Unix toolset."""
    toolset, names, text = _provisions(analysis, facts)
    if toolset or program in names:
        return True
    installer = rf"\b{re.escape(program)}(?:4win|-for-windows|[\w.-]*\.(?:exe|msi|zip|7z))"
    return re.search(installer, text, re.I) is not None


def _provisions(analysis: Analysis, facts: StageFacts) -> tuple[bool, frozenset[str], str]:
    toolset = False
    names: set[str] = set()
    texts: list[str] = []
    for stage in stage_chain(analysis, facts):
        for instruction in stage.stage.instructions:
            text = instruction.original
            texts.append(text)
            if instruction.keyword in ("ENV", "RUN") and _UNIX_TOOLSET.search(text):
                toolset = True
            for match in _INSTALLS.finditer(text):
                names.update(
                    word.lower() for word in match.group(1).split() if not word.startswith("-")
                )
            if instruction.keyword in ("COPY", "ADD") and instruction.args:
                for source in instruction.args[:-1]:
                    base = program_name(source)
                    names.add(re.sub(r"\.(?:bat|cmd)\Z", "", base))
    return toolset, frozenset(names), "\n".join(texts)
