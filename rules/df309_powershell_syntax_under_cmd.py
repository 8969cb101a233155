"""DF309 powershell-syntax-under-cmd."""

from __future__ import annotations

from collections.abc import Iterator

from dflint import lazyre
from dflint.analyse import catalogue
from dflint.analyse.oscommands import may_hold_powershell, shell_is_cmd
from dflint.analyse.shell import (
    SHELL_KEYWORDS,
    Command,
    Script,
    dialect_of,
    script_text,
    shell_view,
)
from dflint.core.findings import Severity
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.read.model import Instruction

_STATEMENT_START = lazyre.compile(r"\$[A-Za-z_{]|\[[\w.]+\]")


class PowershellSyntaxUnderCmd(Rule):
    """PowerShell code where the stage's shell is cmd.

    What it does
    Finds PowerShell cmdlets (`Invoke-WebRequest`, `Expand-Archive`, …), `$env:NAME`
    references, and statements that begin like PowerShell (`$ErrorActionPreference = …`,
    `[Net.ServicePointManager]::…`) in RUN, CMD, ENTRYPOINT and HEALTHCHECK of a Windows
    stage whose shell is cmd: a SHELL line that chose cmd, or no SHELL line on a base image
    known to start with cmd (Microsoft's bare Windows images, Nano Server images), where a
    SHELL set in an earlier stage does not carry over. Text passed to `powershell -Command`
    is PowerShell's and is not reported. Other base images may set their own SHELL (the
    image config keeps it), so their stages are not judged.

    Why is this bad?
    cmd.exe does not know cmdlets ("is not recognized as an internal or external command")
    and leaves `$env:NAME` as literal text. The build fails at that RUN, or the container
    fails when it starts.

    Example
    ```dockerfile
    FROM mcr.microsoft.com/windows/servercore:ltsc2022
    RUN Invoke-WebRequest -Uri https://example.com/tool.zip -OutFile C:\\tool.zip
    ```

    Use instead
    ```dockerfile
    FROM mcr.microsoft.com/windows/servercore:ltsc2022
    SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]
    RUN Invoke-WebRequest -Uri https://example.com/tool.zip -OutFile C:\\tool.zip
    ```

    Fix safety
    No automatic fix: whether to add a SHELL line or to wrap the command in
    `powershell -Command` is a choice about the whole stage.

    References
    - https://docs.docker.com/reference/dockerfile/#shell
    - https://learn.microsoft.com/virtualization/windowscontainers/manage-docker/manage-windows-dockerfile
    """

    code = "DF309"
    name = "powershell-syntax-under-cmd"
    severity = Severity.ERROR
    platforms = ("windows",)
    nodes = SHELL_KEYWORDS

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        facts = ctx.analysis.facts(instruction)
        if facts is None or facts.os != "windows":
            return
        text = script_text(instruction)
        if not may_hold_powershell(text):
            return
        if dialect_of(ctx.analysis.shell(instruction)) != "cmd" and "cmd" not in text.lower():
            return  # no cmd runs any of it (exec form is checked through its program name)
        for script in shell_view(ctx.analysis, instruction).scripts:
            if script.dialect != "cmd":
                continue
            if script.parent is None and not shell_is_cmd(ctx.analysis, facts, instruction):
                continue  # the base image's own SHELL may well be PowerShell
            hint = _hint(script)
            for command in script.commands:
                what = _powershell(command)
                if what is not None:
                    yield Violation(
                        command.name_span,
                        f"{what}, but cmd runs this {script.origin}{hint}",
                        platform="windows",
                    )
            for ref in script.variables:
                if ref.syntax == "ps-env":
                    yield Violation(
                        ref.span,
                        f"`{ref.text}` is PowerShell syntax and cmd leaves it as text; "
                        f"use `%{ref.name}%`",
                        platform="windows",
                    )


def _powershell(command: Command) -> str | None:
    name = command.name
    if catalogue.is_cmdlet(name):
        return f"`{name}` is a PowerShell cmdlet"
    if _STATEMENT_START.match(name):
        return f"`{name}` starts a PowerShell statement"
    return None


def _hint(script: Script) -> str:
    if script.parent is not None:
        return ""
    return (
        ': set `SHELL ["powershell", "-Command"]` in this stage (SHELL does not carry '
        "over from an earlier stage) or run it with `powershell -Command`"
    )
