"""DF302 windows-command-in-linux-stage."""

from __future__ import annotations

from collections.abc import Iterator

from dflint.analyse.oscommands import (
    Misfit,
    linux_misfits,
    mentions_linux_command,
    mentions_windows_command,
    windows_misfits,
)
from dflint.analyse.shell import SHELL_KEYWORDS, script_text, shell_view
from dflint.core.findings import Severity
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.read.model import Instruction


class WindowsCommandInLinuxStage(Rule):
    """A cmd or PowerShell command where the stage runs a Linux shell.

    What it does
    Finds cmd commands (`copy`, `del`, `setx`, `mklink`, …), PowerShell cmdlets
    (`Invoke-WebRequest`, `Expand-Archive`, …) and cmd-style switches on names Linux shares
    (`dir /B`, `rmdir /S /Q`, `set NAME=value`) in RUN, CMD, ENTRYPOINT and HEALTHCHECK of a
    Linux stage, where `/bin/sh` runs them. `pwsh` (and scripts passed to it) is normal in
    images that install PowerShell and is not reported. In a stage whose OS is unknown, a
    command line that also runs Linux-only commands (so it fails on both systems) is
    reported too.

    Why is this bad?
    sh answers `not found`, or worse, runs a Linux program of the same name with a switch it
    reads as a file (`dir /B` lists a folder named `/B`, and fails). In CMD or ENTRYPOINT the
    image builds and the container fails when it starts.

    Example
    ```dockerfile
    FROM alpine:3.20
    CMD uname -a && dir /B /app
    ```

    Use instead
    ```dockerfile
    FROM alpine:3.20
    CMD uname -a && ls /app
    ```

    Fix safety
    No automatic fix: `dflint fix --os linux` translates whole files with the same command
    catalogue.

    References
    - https://pubs.opengroup.org/onlinepubs/9699919799/idx/utilities.html
    """

    code = "DF302"
    name = "windows-command-in-linux-stage"
    severity = Severity.ERROR
    platforms = ("linux",)
    nodes = SHELL_KEYWORDS

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        facts = ctx.analysis.facts(instruction)
        if facts is None or facts.os == "windows":
            return
        text = script_text(instruction)
        if not mentions_windows_command(text):
            return
        if facts.os == "unknown" and not mentions_linux_command(text):
            return  # a mix needs both
        for script in shell_view(ctx.analysis, instruction).scripts:
            if script.dialect not in ("posix", "exec"):
                continue  # pwsh, or a cmd/PowerShell script nested on purpose
            misfits = list(windows_misfits(script))
            if not misfits:
                continue
            prefix = ""
            if facts.os == "unknown":
                linux = next(iter(linux_misfits(script, "cmd")), None)
                if linux is None or script.dialect != "posix":
                    continue  # nothing says this line was not meant for Windows
                prefix = (
                    f"the stage's OS is unknown, and this command line mixes systems: it also "
                    f"runs `{linux.shown}`, which only Linux has; on Linux "
                )
            for misfit in misfits:
                yield Violation(misfit.command.span, prefix + _message(misfit), platform="linux")


def _message(misfit: Misfit) -> str:
    name = misfit.command.name
    if misfit.kind == "cmdlet":
        text = f"`{name}` is a PowerShell cmdlet, which sh cannot run"
    elif misfit.kind == "option":
        text = (
            f"`{misfit.shown}` is cmd syntax: sh runs the Linux {name}, which reads "
            f"{misfit.option} as an argument"
        )
    else:
        text = f"`{misfit.shown}` does not exist under sh"
    if misfit.suggestion:
        text += f"; use `{misfit.suggestion}`"
    return text
