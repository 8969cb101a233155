"""DF315 powershell-syntax-with-unseen-shell."""

from __future__ import annotations

from collections.abc import Iterator

from dflint import lazyre
from dflint.analyse import catalogue
from dflint.analyse.oscommands import may_hold_powershell, shell_is_cmd, stage_chain
from dflint.analyse.shell import SHELL_KEYWORDS, Script, dialect_of, script_text, shell_view
from dflint.core.findings import Edit, Fix, Severity
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.read.model import Instruction

_STATEMENT_START = lazyre.compile(r"\$[A-Za-z_{]|\[[\w.]+\]")
_SHELL = """SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]"""


class PowershellSyntaxWithUnseenShell(Rule):
    """PowerShell in a Windows stage whose shell comes from an image dflint cannot see.

    What it does
    Finds PowerShell syntax (`$env:NAME`, cmdlets such as `Invoke-WebRequest`, statements
    such as `$ErrorActionPreference = …`) in shell-form RUN, CMD and ENTRYPOINT of a
    Windows stage that sets no SHELL (neither do the stages it is built FROM) and whose base
    image comes from an ARG without a default (`FROM ${BASE_IMAGE}`). Stages on an image
    dflint knows (a literal name, or an ARG's default) are DF309's to judge.

    Why is this bad?
    On Windows the default shell is cmd, unless the base image's config sets another; with
    the image chosen by a build argument, which shell runs these lines depends on an image
    neither the reader nor dflint can see. Built on a base that keeps cmd, the RUN fails
    ("is not recognized as an internal or external command") or passes `$env:X` on as
    text. An explicit SHELL makes the file say what it needs.

    Example
    ```dockerfile
    # escape=`
    ARG BASE_IMAGE
    FROM ${BASE_IMAGE}
    RUN Invoke-WebRequest -Uri https://example.com/tool.zip -OutFile C:\tool.zip
    ```

    Use instead
    ```dockerfile
    # escape=`
    ARG BASE_IMAGE
    FROM ${BASE_IMAGE}
    SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]
    RUN Invoke-WebRequest -Uri https://example.com/tool.zip -OutFile C:\tool.zip
    ```

    Fix safety
    The fix adds that SHELL line after the stage's FROM. It is unsafe: if the base image
    keeps cmd, the stage's cmd lines then run under PowerShell.

    References
    - https://docs.docker.com/reference/dockerfile/#shell
    - https://learn.microsoft.com/virtualization/windowscontainers/manage-docker/manage-windows-dockerfile
    """

    code = "DF315"
    name = "powershell-syntax-with-unseen-shell"
    severity = Severity.WARNING
    platforms = ("windows",)
    nodes = SHELL_KEYWORDS
    fixable = True

    def __init__(self) -> None:
        self._reported: set[int] = set()  # one finding per stage

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        analysis = ctx.analysis
        facts = analysis.facts(instruction)
        if facts is None or facts.os != "windows" or instruction.json:
            return
        if facts.stage.index in self._reported:
            return
        text = script_text(instruction)
        if not may_hold_powershell(text):
            return
        if dialect_of(analysis.shell(instruction)) != "cmd":
            return  # a SHELL line in the file chose another shell
        root = stage_chain(analysis, facts)[-1]
        if root.image is not None or root.parent is not None:
            return  # the image is known (its default): DF309 judges what its shell is
        if shell_is_cmd(analysis, facts, instruction):
            return
        for script in shell_view(analysis, instruction).scripts:
            if script.dialect != "cmd" or script.parent is not None:
                continue
            what = _powershell_syntax(script)
            if what is None:
                continue
            self._reported.add(facts.stage.index)
            yield Violation(
                instruction.span,
                f"{what}, but no SHELL says PowerShell runs it: the stage starts from "
                f"`{root.stage.image}`, whose shell dflint cannot see (cmd unless that image "
                f"sets another); state it with `{_SHELL}`",
                platform="windows",
                fix=_fix(ctx, facts.stage.from_instruction),
            )
            return


def _powershell_syntax(script: Script) -> str | None:
    for command in script.commands:
        if catalogue.is_cmdlet(command.name):
            return f"`{command.name}` is a PowerShell cmdlet"
        if _STATEMENT_START.match(command.name):
            return f"`{command.name}` starts a PowerShell statement"
    for ref in script.variables:
        if ref.syntax == "ps-env":
            return f"`{ref.text}` is PowerShell syntax"
    return None


def _fix(ctx: RuleContext, from_instruction: Instruction) -> Fix:
    line = from_instruction.end_line
    end = len(ctx.line_text(line)) + 1
    edit = Edit(line, end, line, end, "\n" + _SHELL)
    return Fix("state the shell with a SHELL line", (edit,), safe=False)
