"""DF402 windows-path-env-overwrite."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dflint import lazyre
from dflint.analyse.shell.source import argument_text
from dflint.core.findings import Severity
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.read.model import Instruction

_PATH_REFERENCE = lazyre.compile(r"\$\{?path\b|%path%", re.I)
_SYSTEM = lazyre.compile(r"system32", re.I)


class WindowsPathEnvOverwrite(Rule):
    """`ENV PATH=…` in a Windows stage, which replaces the system PATH.

    What it does
    Finds ENV lines in Windows stages that set `PATH` by referring to the current one
    (`ENV PATH="C:\\go\\bin;${PATH}"`), or that set it without `C:\\Windows\\system32`.

    Why is this bad?
    A Windows base image's config holds no PATH (Windows builds it from the registry), so
    `${PATH}` expands to nothing and the container's PATH becomes just `C:\\go\\bin;`:
    cmd, PowerShell and every System32 program stop being found. `%PATH%` is not expanded
    at all. Set the machine PATH in the registry instead, as the official images do.

    Example
    ```dockerfile
    FROM mcr.microsoft.com/windows/servercore:ltsc2022
    ENV PATH="C:\\go\\bin;${PATH}"
    ```

    Use instead
    ```dockerfile
    FROM mcr.microsoft.com/windows/servercore:ltsc2022
    USER ContainerAdministrator
    RUN setx /M PATH "%PATH%;C:\\go\\bin"
    ```

    Fix safety
    No automatic fix: the replacement is a RUN line, under a user allowed to change the
    machine environment.

    References
    - https://github.com/moby/moby/issues/30059
    - https://learn.microsoft.com/windows-server/administration/windows-commands/setx
    """

    code = "DF402"
    name = "windows-path-env-overwrite"
    severity = Severity.ERROR
    platforms = ("windows",)
    nodes = frozenset({"ENV"})

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        facts = ctx.analysis.facts(instruction)
        if facts is None or facts.os != "windows":
            return
        for key, value in instruction.pairs():
            if key.upper() != "PATH":
                continue
            references = _PATH_REFERENCE.search(value) is not None
            if references:
                earlier = ctx.analysis.lookup(key, instruction)
                if earlier is not None and earlier.kind == "ENV":
                    continue  # an earlier ENV PATH set it (and is judged itself)
                why = (
                    "the image config has no PATH on Windows, so the old value expands to "
                    "nothing and the system folders drop out of PATH"
                )
            elif not _SYSTEM.search(value):
                why = "it replaces the system PATH, which holds C:\\Windows\\system32"
            else:
                continue  # a full, explicit PATH that keeps the system folders
            piece = argument_text(ctx.dockerfile, instruction)
            at = piece.text.upper().find("PATH")
            span = piece.map.span(max(at, 0), max(at, 0) + 4)
            yield Violation(
                span,
                f"`ENV {key}=…` in a Windows stage: {why}; use "
                '`RUN setx /M PATH "%PATH%;C:\\dir"` (as ContainerAdministrator)',
                platform="windows",
            )
