"""DF308 platform-arg-out-of-scope."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dflint import lazyre
from dflint.analyse.analysis import PLATFORM_ARGS
from dflint.core.findings import Edit, Fix, Severity
from dflint.lint.rule import Rule, RuleContext, Violation, line_span
from dflint.read.model import Dockerfile, Instruction

AUTOMATIC_PLATFORM_ARGS = frozenset(PLATFORM_ARGS)
# Instructions whose arguments the builder expands, or whose shell sees the build args.
_CHECKED = frozenset(
    {"RUN", "ENV", "ARG", "COPY", "ADD", "WORKDIR", "LABEL", "USER", "EXPOSE", "VOLUME"}
)
_REFERENCE = lazyre.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))")


class PlatformArgOutOfScope(Rule):
    """A build argument used in a stage that has not declared it, so it is empty there.

    What it does
    Finds `$TARGETARCH`, `$TARGETPLATFORM` and the other automatic platform arguments, and ARGs
    declared before the first FROM, used inside a stage that has no `ARG` line for them.

    Why is this bad?
    An ARG declared before FROM, and every automatic platform argument, is only in scope in
    FROM lines. Inside a stage it must be declared again with `ARG NAME`; otherwise it expands
    to an empty string. A download URL or `GOARCH=$TARGETARCH` then silently loses its
    architecture, and the build fetches or compiles the wrong thing.

    Example
    ```dockerfile
    FROM alpine:3.20
    RUN wget https://example.com/tool-linux-$TARGETARCH.tar.gz
    ```

    Use instead
    ```dockerfile
    FROM alpine:3.20
    ARG TARGETARCH
    RUN wget https://example.com/tool-linux-$TARGETARCH.tar.gz
    ```

    Fix safety
    The fix adds `ARG NAME` on the line after the stage's FROM. It is safe: without it the
    reference is always empty, which is never what the line means.

    References
    - https://docs.docker.com/reference/dockerfile/#understand-how-arg-and-from-interact
    - https://docs.docker.com/reference/dockerfile/#automatic-platform-args-in-the-global-scope
    """

    code = "DF308"
    name = "platform-arg-out-of-scope"
    severity = Severity.ERROR
    nodes = _CHECKED
    fixable = True

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        text = instruction.original
        if instruction.heredocs:
            text += "".join(heredoc.content for heredoc in instruction.heredocs)
        if "$" not in text:
            return  # most instructions reference nothing
        candidates = self._candidates(ctx)
        if not any(name in text for name in candidates):
            return
        if ctx.analysis.facts(instruction) is None:
            return  # a global ARG: FROM lines see every global name
        scope = ctx.analysis.scope(instruction)
        reported: set[str] = set()
        for line, offset, name in _references(ctx, instruction):
            if name not in candidates or name in scope or name in reported:
                continue
            if _assigned_in_script(instruction, name):
                continue
            reported.add(name)
            kind = (
                "an automatic platform argument"
                if name in AUTOMATIC_PLATFORM_ARGS
                else "declared before the first FROM"
            )
            yield Violation(
                line_span(ctx, line, offset, offset + len(name) + 1),
                f"`${name}` is {kind} but this stage does not declare it, so it is empty here: "
                f"add `ARG {name}` after the stage's FROM",
                fix=_declare(ctx, instruction, name),
            )

    def _candidates(self, ctx: RuleContext) -> frozenset[str]:
        """The names a stage must declare to see: the automatic platform ARGs and the
        global ones (computed once per file)."""
        cached: tuple[Dockerfile, frozenset[str]] | None = getattr(self, "_names", None)
        if cached is not None and cached[0] is ctx.dockerfile:
            return cached[1]
        global_names = {_arg_name(arg) for item in ctx.dockerfile.global_args for arg in item.args}
        found = AUTOMATIC_PLATFORM_ARGS | global_names
        self._names = (ctx.dockerfile, found)
        return found


def _declare(ctx: RuleContext, instruction: Instruction, name: str) -> Fix | None:
    """`ARG NAME` on a new line after the stage's FROM (as DF306's fix adds TARGETARCH)."""
    facts = ctx.analysis.facts(instruction)
    if facts is None:
        return None
    line = facts.stage.from_instruction.end_line
    end = len(ctx.line_text(line)) + 1
    return Fix(f"declare `ARG {name}` in the stage", (Edit(line, end, line, end, f"\nARG {name}"),))


def _arg_name(word: str) -> str:
    return word.split("=", 1)[0]


def _references(ctx: RuleContext, instruction: Instruction) -> Iterator[tuple[int, int, str]]:
    """(line, offset in line, name) of each $NAME / ${NAME…} in the instruction's lines."""
    lines = list(instruction.lines)
    for heredoc in instruction.heredocs:
        if heredoc.expand or instruction.keyword == "RUN":
            lines += range(heredoc.start_line, heredoc.end_line)
    escape = ctx.dockerfile.escape
    for number in lines:
        text = ctx.line_text(number)
        if text.lstrip().startswith("#"):
            continue
        for match in _REFERENCE.finditer(text):
            start = match.start()
            if start > 0 and text[start - 1] == escape and instruction.keyword != "RUN":
                continue  # an escaped `$` is literal for the builder
            yield number, start, match.group(1) or match.group(2)


def _assigned_in_script(instruction: Instruction, name: str) -> bool:
    """The RUN script sets the variable itself (`NAME=...`, `for NAME in`, `read NAME`)."""
    if instruction.keyword != "RUN":
        return False
    text = instruction.original + "".join(h.content for h in instruction.heredocs)
    pattern = rf"(?:^|[\s;&|(]){name}=|\bfor\s+{name}\s+in\b|\bread\b[^;&|\n]*\b{name}\b"
    return re.search(pattern, text) is not None
