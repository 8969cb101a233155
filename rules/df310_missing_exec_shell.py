"""DF310 missing-exec-shell."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dflint import lazyre
from dflint.analyse.analysis import StageFacts
from dflint.analyse.oscommands import stage_chain
from dflint.analyse.shell import program_name
from dflint.analyse.winbuild import NANOSERVER_WITHOUT_POWERSHELL, windows_build
from dflint.core.findings import Severity
from dflint.core.reference import split_written
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.read.model import Instruction

_POSIX_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})
_SHELLS = _POSIX_SHELLS | {"powershell", "pwsh", "cmd"}
_NO_SHELL = frozenset({"distroless", "scratch"})
# Which shells a Linux family's images have at their usual paths.
_LINUX_HAS: dict[str, frozenset[str]] = {
    "debian": frozenset({"sh", "bash", "dash"}),
    "ubuntu": frozenset({"sh", "bash", "dash"}),
    "rhel-like": frozenset({"sh", "bash"}),
    "alpine": frozenset({"sh", "ash"}),
    "busybox": frozenset({"sh", "ash"}),
    "distroless": frozenset(),
    "scratch": frozenset(),
}
_WINDOWS_HAS: dict[str, frozenset[str]] = {
    "servercore": frozenset({"cmd", "powershell"}),
    "nanoserver": frozenset({"cmd"}),
}
_INSTALL_HINT = {
    "alpine": "install it first (`apk add --no-cache {shell}`)",
    "busybox": "start from alpine and install it (`apk add --no-cache {shell}`)",
}
# Distroless `:debug` tags (`debug`, `debug-nonroot`, `debug-arm64`) add BusyBox in /busybox.
_DEBUG_TAG = lazyre.compile(r"(?:^|-)debug(?:-|$)")


class MissingExecShell(Rule):
    """An exec-form command or SHELL that names a shell the base image does not have.

    What it does
    Finds exec-form RUN, CMD, ENTRYPOINT, HEALTHCHECK and SHELL whose program is a shell the
    stage's base lacks: `bash` on Alpine, BusyBox or distroless, `sh` on distroless or
    scratch, `sh`/`bash` on Windows, `powershell` on Nano Server or Linux (where PowerShell is
    `pwsh`), `cmd` on Linux. Shell-form instructions on distroless and scratch, which need
    `/bin/sh`, are reported too. A shell installed or copied in by an earlier instruction of
    the stage (or the stage it builds on) counts as present.

    Why is this bad?
    The build fails with `exec: "/bin/bash": stat /bin/bash: no such file or directory`, or,
    for CMD and ENTRYPOINT, the image builds and every container fails to start.

    Example
    ```dockerfile
    FROM alpine:3.20
    ENTRYPOINT ["/bin/bash", "-c", "exec myapp"]
    ```

    Use instead
    ```dockerfile
    FROM alpine:3.20
    ENTRYPOINT ["/bin/sh", "-c", "exec myapp"]
    ```

    Fix safety
    No automatic fix: the script may need bash, in which case install it instead.

    References
    - https://docs.docker.com/reference/dockerfile/#shell-and-exec-form
    - https://github.com/GoogleContainerTools/distroless#debug-images
    """

    code = "DF310"
    name = "missing-exec-shell"
    severity = Severity.ERROR
    nodes = frozenset({"RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK", "SHELL"})

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        facts = ctx.analysis.facts(instruction)
        if facts is None or facts.os == "unknown":
            return
        if instruction.json:
            args = instruction.args
            if instruction.keyword == "HEALTHCHECK":
                args = args[1:] if args and args[0].upper() == "CMD" else []
            if not args:
                return
            program = program_name(args[0])
            if program not in _SHELLS or _explicit_install_path(args[0], facts):
                return
            if _debug_busybox(args[0], facts, program):
                return
            shown = args[0]
        elif facts.family in _NO_SHELL and _shell_form_command(instruction):
            if _set_by_shell_line(ctx, facts, instruction):
                return  # the SHELL line itself is judged
            program, shown = "sh", "/bin/sh (shell form)"
        else:
            return
        missing = _missing(facts, program)
        if missing is None or _provided(ctx, facts, instruction, program):
            return
        yield Violation(
            instruction.span,
            f"`{shown}` is not in this stage's base `{facts.image or facts.stage.image}` "
            f"({missing}): {_advice(facts, program)}",
            platform=facts.os,
        )


def _missing(facts: StageFacts, program: str) -> str | None:
    """Why the base lacks the shell, or None when it has it (or nobody knows)."""
    family = facts.family
    if facts.os == "linux":
        if program in ("cmd", "powershell"):
            return "Linux has no cmd or Windows PowerShell; PowerShell for Linux is pwsh"
        has = _LINUX_HAS.get(family)
        if has is None or program in has or program == "pwsh":
            return None
        if family in _NO_SHELL:
            return f"{family} images have no shell"
        return f"{family} images have {' and '.join(sorted(has))} only"
    has = _WINDOWS_HAS.get(family)
    if program in _POSIX_SHELLS:
        return "Windows has no POSIX shell unless one is installed"
    if has is None or program in has or program == "pwsh":
        return None
    if family == "nanoserver":
        # Nano Server 2016 (14393) still had PowerShell; from 1709 on it has cmd only.
        build = windows_build(_root_image(facts))
        if build is None or build < NANOSERVER_WITHOUT_POWERSHELL:
            return None
        return "Nano Server has had no Windows PowerShell since 1709"
    return f"{family} has {' and '.join(sorted(has))} only"


def _root_image(facts: StageFacts) -> str:
    root = facts
    while root.parent is not None:  # parents are earlier stages: this ends
        root = root.parent
    return root.image or root.stage.image


def _advice(facts: StageFacts, program: str) -> str:
    if facts.os == "windows":
        if program in _POSIX_SHELLS:
            return 'use `["cmd", "/S", "/C", …]` or `["powershell", "-Command", …]`'
        return 'use `["cmd", "/S", "/C", …]`, or a Server Core base for Windows PowerShell'
    if program in ("cmd", "powershell"):
        return 'use `["/bin/sh", "-c", …]` (or install PowerShell and run `pwsh`)'
    if facts.family in _NO_SHELL:
        return "run the program directly in exec form, or use a `:debug` or full base image"
    install = _INSTALL_HINT.get(facts.family)
    if install is not None:
        return f"use `/bin/sh`, or {install.format(shell=program)}"
    return "use `/bin/sh`"


def _explicit_install_path(first: str, facts: StageFacts) -> bool:
    """`C:\\Program Files\\Git\\bin\\bash.exe`: a shell the author put there."""
    return facts.os == "windows" and (":" in first or "\\" in first)


def _shell_form_command(instruction: Instruction) -> bool:
    """A shell-form RUN, CMD, ENTRYPOINT or `HEALTHCHECK CMD`: run by `/bin/sh -c`."""
    if instruction.keyword == "HEALTHCHECK":
        return bool(instruction.args) and instruction.args[0].upper() == "CMD"
    return instruction.keyword in ("RUN", "CMD", "ENTRYPOINT")


def _debug_busybox(first: str, facts: StageFacts, program: str) -> bool:
    """`/busybox/sh` or `sh` on a distroless `:debug` image: its BusyBox, on PATH (it has
    no /bin/sh)."""
    if facts.family != "distroless" or program not in ("sh", "ash"):
        return False
    if "/" in first and not first.startswith("/busybox/"):
        return False
    return _DEBUG_TAG.search(split_written(_root_image(facts))[1]) is not None


def _set_by_shell_line(ctx: RuleContext, facts: StageFacts, instruction: Instruction) -> bool:
    for stage in stage_chain(ctx.analysis, facts):
        for item in stage.stage.instructions:
            if item is instruction:
                break
            if item.keyword == "SHELL":
                return True
    return False


def _provided(ctx: RuleContext, facts: StageFacts, instruction: Instruction, program: str) -> bool:
    """The image name mentions the shell (`bash:5`), or an earlier instruction of the stage
    chain installs, copies or runs it."""
    names = {program} | ({"busybox"} if program in ("sh", "ash") else set())
    image = (facts.image or facts.stage.image).lower()
    word = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, names)) + r")(?![\w-])", re.I)
    if word.search(image.rsplit("/", 1)[-1]):
        return True
    for stage in stage_chain(ctx.analysis, facts):
        for item in stage.stage.instructions:
            if item is instruction:
                break
            if item.keyword in ("RUN", "COPY", "ADD", "ENV") and word.search(item.original):
                return True
    return False
