"""DF301 linux-command-in-windows-stage."""

from __future__ import annotations

from collections.abc import Iterator

from dflint.analyse.oscommands import (
    Misfit,
    linux_misfits,
    mentions_linux_command,
    mentions_windows_command,
    on_microsoft_base,
    provided,
    shell_is_cmd,
    windows_misfits,
)
from dflint.analyse.shell import SHELL_KEYWORDS, Script, script_text, shell_view
from dflint.core.findings import Severity
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.read.model import Instruction


class LinuxCommandInWindowsStage(Rule):
    """A Linux command where the stage runs cmd or Windows PowerShell.

    What it does
    Finds commands that only Linux has (`uname`, `ls`, `cat`, `grep`, `chmod`, `apt-get`, …)
    and Linux-only options (`mkdir -p` under cmd) in RUN, CMD, ENTRYPOINT and HEALTHCHECK of
    a Windows stage built on a Microsoft base image, under the stage's shell. PowerShell
    aliases (`ls`, `cat`, `rm`, `curl`, `wget`, …) are not reported under a PowerShell
    SHELL. In a stage whose OS is unknown, a command line that also runs cmd commands (so it
    fails on both systems) is reported too.

    Why is this bad?
    cmd.exe answers "is not recognized as an internal or external command". In RUN the
    build fails; in CMD or ENTRYPOINT the image builds and the container fails when it
    starts.

    Example
    ```dockerfile
    FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
    CMD uname -a && dir /B C:\\app
    ```

    Use instead
    ```dockerfile
    FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
    CMD echo %PROCESSOR_ARCHITECTURE% %PROCESSOR_IDENTIFIER% && dir /B C:\\app
    ```

    Fix safety
    No automatic fix: `dflint fix --os windows` translates whole files with the same
    command catalogue.

    References
    - https://learn.microsoft.com/windows-server/administration/windows-commands/windows-commands
    - https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_aliases
    """

    code = "DF301"
    name = "linux-command-in-windows-stage"
    severity = Severity.ERROR
    platforms = ("windows",)
    nodes = SHELL_KEYWORDS

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        facts = ctx.analysis.facts(instruction)
        if facts is None or facts.os == "linux":
            return
        text = script_text(instruction)
        if not mentions_linux_command(text):
            return
        if facts.os == "unknown":
            if mentions_windows_command(text):  # a mix needs both
                yield from _mixed(shell_view(ctx.analysis, instruction).scripts)
            return
        if not on_microsoft_base(ctx.analysis, facts):
            return  # another base may ship its own ls.bat, cat.bat, Git's usr\bin, …
        for script in shell_view(ctx.analysis, instruction).scripts:
            if script.dialect == "posix":
                continue  # an explicit `bash -c` runs bash, wherever it comes from
            if _inherited_shell(script) and not shell_is_cmd(ctx.analysis, facts, instruction):
                continue  # the base image may set PowerShell, where ls and cat are aliases
            for misfit in linux_misfits(script):
                if provided(ctx.analysis, facts, misfit.command.program):
                    continue
                yield Violation(misfit.command.span, _message(misfit), platform="windows")


def _mixed(scripts: list[Script]) -> Iterator[Violation]:
    """An unknown-OS stage whose sh command line also runs cmd commands: fails everywhere."""
    for script in scripts:
        if script.dialect != "posix":
            continue
        windows = list(windows_misfits(script))
        if not windows:
            continue
        first = windows[0]
        what = "a PowerShell cmdlet" if first.kind == "cmdlet" else "which only Windows has"
        for misfit in linux_misfits(script, "cmd"):
            yield Violation(
                misfit.command.span,
                f"the stage's OS is unknown, and this command line mixes systems: it also "
                f"runs `{first.shown}`, {what}; on Windows {_message(misfit)}",
                platform="windows",
            )


def _inherited_shell(script: Script) -> bool:
    """The script is shell-form text run by the default shell (not `cmd /c …`, exec form)."""
    return script.parent is None and script.dialect == "cmd"


def _message(misfit: Misfit) -> str:
    shell = misfit.shell
    if misfit.kind == "option":
        text = (
            f"`{misfit.shown}` runs {shell}'s {misfit.command.name}, which has no "
            f"{misfit.option} option"
        )
    else:
        text = f"`{misfit.shown}` does not exist under {shell}"
    if misfit.suggestion:
        text += f"; use `{misfit.suggestion}`"
    return text
