"""DF303 foreign-variable-syntax."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dflint import lazyre
from dflint.analyse.analysis import StageFacts
from dflint.analyse.oscommands import shell_is_cmd
from dflint.analyse.shell import SHELL_KEYWORDS, Script, program_name, script_text, shell_view
from dflint.analyse.shell.source import argument_text
from dflint.core.findings import Edit, Fix, Severity
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.read.model import Instruction, Span

# %NAME% with a name of two characters or more: `date +%Y%m%d` and `printf '%s%%'` never
# match, `%PATH%` and `%JAVA_HOME%` do.
_PERCENT = lazyre.compile(r"(?<![%\w])%([A-Za-z_][A-Za-z0-9_]+)%(?![\w%])")
# Environment variables every image of the OS has, so a reference to them needs no ARG/ENV.
_WELL_KNOWN: dict[str, frozenset[str]] = {
    "linux": frozenset({"PATH", "HOME", "USER", "PWD", "HOSTNAME"}),
    "windows": frozenset(
        {
            "PATH",
            "TEMP",
            "TMP",
            "USERPROFILE",
            "USERNAME",
            "APPDATA",
            "LOCALAPPDATA",
            "PROGRAMFILES",
            "PROGRAMDATA",
            "SYSTEMROOT",
            "SYSTEMDRIVE",
            "WINDIR",
            "COMPUTERNAME",
            "PROCESSOR_ARCHITECTURE",
            "PROCESSOR_IDENTIFIER",
        }
    ),
}
# Programs whose arguments are patterns or formats, where %NAME% is their own syntax
# (`sed 's/%VERSION%/1.2/'` fills a placeholder).
_TEXT_TOOLS = frozenset(
    {
        "sed",
        "awk",
        "gawk",
        "perl",
        "grep",
        "envsubst",
        "printf",
        "date",
        "stat",
        "find",
        "rpm",
        "scanelf",
        "xargs",
        "python",
        "python3",
        "node",
        "jq",
        "yq",
    }
)
# PowerShell's automatic and preference variables: never the environment's.
_PS_AUTOMATIC = frozenset(
    [
        "_",
        "args",
        "error",
        "errorview",
        "erroractionpreference",
        "progresspreference",
        "verbosepreference",
        "debugpreference",
        "warningpreference",
        "informationpreference",
        "confirmpreference",
        "false",
        "true",
        "null",
        "home",
        "host",
        "input",
        "lastexitcode",
        "matches",
        "myinvocation",
        "pid",
        "profile",
        "psboundparameters",
        "pscmdlet",
        "pscommandpath",
        "psculture",
        "pshome",
        "psitem",
        "psscriptroot",
        "psversiontable",
        "pwd",
        "shellid",
        "stacktrace",
        "this",
        "executioncontext",
        "iswindows",
        "islinux",
        "ismacos",
        "iscoreclr",
        "psnativecommandargumentpassing",
        "psstyle",
        "ofs",
    ]
)
_DOLLAR_NAME = lazyre.compile(r"\$\{?(?!env:)([A-Za-z_][A-Za-z0-9_]*)", re.I)
_SETTING_KEYWORDS = frozenset({"ENV", "ARG", "WORKDIR", "COPY", "ADD", "USER", "VOLUME"})


class ForeignVariableSyntax(Rule):
    """A variable written in another shell's syntax, so nothing expands it.

    What it does
    Finds `%NAME%` (cmd syntax) where `/bin/sh` or PowerShell runs the command, `$NAME` and
    `${NAME}` where cmd runs it (a shell-form RUN, CMD or ENTRYPOINT in a Windows stage whose
    SHELL was not set, remembering that SHELL does not survive FROM), `$NAME` for an
    environment variable in PowerShell (which means `$env:NAME`), and `%NAME%` in ENV, ARG,
    WORKDIR, COPY, ADD, USER and VOLUME, which the builder never expands. Only names the
    Dockerfile declares (ARG/ENV) or that every image has (`PATH`, `HOME`, …) are reported.

    Why is this bad?
    The text stays as written: the program gets a literal `${HOST_NAME}` or `%PATH%`, and
    fails, or worse, uses it as a file name. Docker substitutes variables in ENV, COPY and
    WORKDIR itself, but not in RUN, CMD or ENTRYPOINT, where only the shell does.

    Example
    ```dockerfile
    FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
    ENV HOST_NAME=localhost
    CMD C:\\generate-certs.bat ${HOST_NAME}
    ```

    Use instead
    ```dockerfile
    FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
    ENV HOST_NAME=localhost
    CMD C:\\generate-certs.bat %HOST_NAME%
    ```

    Fix safety
    The fix rewrites the reference in the shell's own syntax and is safe: it is what the
    line already meant.

    References
    - https://docs.docker.com/reference/dockerfile/#environment-replacement
    - https://docs.docker.com/reference/dockerfile/#shell
    """

    code = "DF303"
    name = "foreign-variable-syntax"
    severity = Severity.ERROR
    nodes = SHELL_KEYWORDS | _SETTING_KEYWORDS
    fixable = True

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        facts = ctx.analysis.facts(instruction)
        if facts is None:
            return
        if instruction.keyword in _SETTING_KEYWORDS:
            yield from self._setting(ctx, instruction, facts)
            return
        if facts.os == "unknown":
            return  # the shell's syntax is only known with the OS
        text = script_text(instruction)
        percent = "%" in text and _PERCENT.search(text) is not None
        if facts.os == "linux" and not percent:
            return
        if facts.os == "windows" and not percent and not self._dollar_names(ctx, instruction, text):
            return
        # `bash -c "cd %APP%"`: the outer script's argument and the nested script are the
        # same text, so the same reference is found twice; it is reported once
        seen: set[Span] = set()
        for violation in self._scripts(ctx, instruction, facts):
            if violation.span not in seen:
                seen.add(violation.span)
                yield violation

    def _scripts(
        self, ctx: RuleContext, instruction: Instruction, facts: StageFacts
    ) -> Iterator[Violation]:
        for script in shell_view(ctx.analysis, instruction).scripts:
            if script.dialect == "posix" and facts.os == "linux":
                yield from self._percent(ctx, instruction, script, "sh", "linux")
            elif script.dialect == "cmd" and facts.os == "windows":
                if script.parent is None and not shell_is_cmd(ctx.analysis, facts, instruction):
                    continue  # the base image's own SHELL may be PowerShell
                yield from self._dollar_under_cmd(ctx, instruction, script)
            elif script.dialect == "powershell" and facts.os == "windows":
                if not _under_cmd(script):  # cmd expands %NAME% before PowerShell starts
                    yield from self._percent(ctx, instruction, script, "PowerShell", "windows")
                yield from self._dollar_under_powershell(ctx, instruction, script)

    def _dollar_names(self, ctx: RuleContext, instruction: Instruction, text: str) -> bool:
        """Some `$NAME` in the text is a declared or well-known variable (before parsing)."""
        return any(
            self._known(ctx, instruction, name, "windows")
            for name in set(_DOLLAR_NAME.findall(text))
        )

    def _known(self, ctx: RuleContext, instruction: Instruction, name: str, os: str) -> bool:
        """The Dockerfile declares the name (ARG/ENV), or every image of the OS has it."""
        if name.upper() in _WELL_KNOWN.get(os, frozenset()):
            return True
        binding = ctx.analysis.lookup(name, instruction)
        return binding is not None and binding.kind in ("ARG", "ENV")

    def _percent(
        self,
        ctx: RuleContext,
        instruction: Instruction,
        script: Script,
        shell: str,
        os: str,
    ) -> Iterator[Violation]:
        """`%NAME%` where sh or PowerShell runs the text (neither expands it)."""
        if "%" not in script.text:
            return
        for command in script.commands:
            program = program_name(command.name)
            if program in _TEXT_TOOLS or program == "cmd":
                continue
            for word in command.words:
                for match in _PERCENT.finditer(word.text):
                    name = match.group(1)
                    if not self._known(ctx, instruction, name, os):
                        continue
                    start = word.start + match.start()
                    span = script.span(start, word.start + match.end())
                    replacement = f"${{{name}}}" if os == "linux" else f"$env:{name}"
                    yield _violation(
                        span,
                        f"{shell} does not expand `%{name}%` (cmd syntax); use `{replacement}`",
                        replacement,
                    )

    def _dollar_under_cmd(
        self, ctx: RuleContext, instruction: Instruction, script: Script
    ) -> Iterator[Violation]:
        for ref in script.variables:
            if ref.syntax != "sh" or not self._known(ctx, instruction, ref.name, "windows"):
                continue
            replacement = f"%{ref.name}%"
            origin = "cmd runs this text"
            if script.parent is None:
                origin = "this stage's shell is cmd"
                if any(item.keyword == "SHELL" for item in ctx.dockerfile.instructions):
                    origin += " (a SHELL line in another stage does not carry over)"
            yield _violation(
                ref.span,
                f"cmd does not expand `{ref.text}`: {origin}; use `{replacement}`",
                replacement,
            )

    def _dollar_under_powershell(
        self, ctx: RuleContext, instruction: Instruction, script: Script
    ) -> Iterator[Violation]:
        assigned = {item.name.lower() for item in script.assignments}
        lowered = script.text.lower()
        for ref in script.variables:
            if ref.syntax != "ps":
                continue
            key = ref.name.lower()
            if key in _PS_AUTOMATIC or key in assigned:
                continue
            binding = ctx.analysis.lookup(ref.name, instruction)
            if binding is None or binding.kind not in ("ARG", "ENV"):
                continue
            if re.search(rf"(?:foreach|for)\s*\(\s*\${re.escape(key)}\b|param\s*\(", lowered):
                continue
            replacement = f"$env:{ref.name}"
            yield _violation(
                ref.span,
                f"`{ref.text}` is a PowerShell variable, which is not set; the "
                f"{binding.kind} {ref.name} is the environment variable `{replacement}`",
                replacement,
            )

    def _setting(
        self, ctx: RuleContext, instruction: Instruction, facts: StageFacts
    ) -> Iterator[Violation]:
        if "%" not in instruction.original:
            return
        piece = argument_text(ctx.dockerfile, instruction)
        for match in _PERCENT.finditer(piece.text):
            name = match.group(1)
            if name.upper() == "PATH" and facts.os == "windows":
                continue  # DF402's: ${PATH} is no better, Windows images have none in config
            # ${NAME} only helps for what the image config holds: ARG/ENV, and PATH on Linux
            if not self._known(ctx, instruction, name, "") and not (
                name.upper() == "PATH" and facts.os == "linux"
            ):
                continue
            replacement = f"${{{name}}}"
            yield _violation(
                piece.map.span(match.start(), match.end()),
                f"the builder does not expand `%{name}%` in {instruction.keyword}; "
                f"use `{replacement}`",
                replacement,
            )


def _under_cmd(script: Script) -> bool:
    parent = script.parent
    while parent is not None:
        if parent.dialect == "cmd":
            return True
        parent = parent.parent
    return False


def _violation(span: Span, message: str, replacement: str) -> Violation:
    fix = None
    if span.line == span.end_line:
        fix = Fix(
            f"write `{replacement}`",
            (Edit(span.line, span.column, span.end_line, span.end_column, replacement),),
        )
    return Violation(span, message, fix=fix)
