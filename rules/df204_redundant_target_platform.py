"""DF204 redundant-target-platform."""

from __future__ import annotations

from collections.abc import Iterator

from dflint import lazyre
from dflint.core.findings import Edit, Fix, Severity
from dflint.lint.rule import Rule, RuleContext, Violation, line_span
from dflint.read.model import Instruction

_REDUNDANT = lazyre.compile(r"\$\{?TARGETPLATFORM\}?\Z")


class RedundantTargetPlatform(Rule):
    """`FROM --platform=$TARGETPLATFORM`, which is what FROM does anyway.

    What it does
    Finds `--platform=$TARGETPLATFORM` (or `${TARGETPLATFORM}`) on a FROM line.

    Why is this bad?
    A stage is built for the target platform by default, so the flag changes nothing. It is
    usually a mistake for `$BUILDPLATFORM`: the author meant a build stage that runs natively
    and cross-compiles, and got one that runs under emulation for every foreign target.

    Example
    ```dockerfile
    FROM --platform=$TARGETPLATFORM alpine:3.20
    RUN echo hello
    ```

    Use instead
    ```dockerfile
    FROM alpine:3.20
    RUN echo hello
    ```

    Fix safety
    Safe: removing the flag leaves the build unchanged.

    References
    - https://docs.docker.com/reference/build-checks/redundant-target-platform/
    """

    code = "DF204"
    name = "redundant-target-platform"
    severity = Severity.INFO
    nodes = frozenset({"FROM"})
    fixable = True

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        platform = instruction.flag("platform")
        if platform is None or not _REDUNDANT.match(platform):
            return
        line = instruction.start_line
        text = ctx.line_text(line)
        start = text.find("--platform")
        fix = None
        span = instruction.span
        if start >= 0:
            end = start + len("--platform=") + len(platform)
            if text[start:end] == f"--platform={platform}":
                while end < len(text) and text[end] in " \t":
                    end += 1
                span = line_span(ctx, line, start, start + len("--platform=") + len(platform))
                fix = Fix(
                    "remove the redundant --platform flag",
                    (Edit(line, start + 1, line, end + 1, ""),),
                    safe=True,
                )
        yield Violation(
            span,
            f"`--platform={platform}` is redundant: FROM builds for the target platform by "
            "default (did you mean $BUILDPLATFORM?)",
            fix=fix,
        )
