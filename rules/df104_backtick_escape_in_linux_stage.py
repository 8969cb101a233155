"""DF104 backtick-escape-in-linux-stage."""

from __future__ import annotations

from collections.abc import Iterator

from dflint.core.findings import Severity
from dflint.lint.rule import Rule, RuleContext, Violation, line_span


class BacktickEscapeInLinuxStage(Rule):
    """`` # escape=` `` in a file whose stages all build Linux images.

    What it does
    Finds the backtick escape directive in a Dockerfile where every stage is a Linux stage.

    Why is this bad?
    The backtick escape exists for Windows, where `\\` is the path separator. In a Linux file
    it makes `\\` line continuations stop working and turns the backtick, which POSIX shells use
    for command substitution, into Dockerfile syntax: a copied Linux snippet breaks silently.

    Example
    ```dockerfile
    # escape=`
    FROM alpine:3.20
    RUN echo hello
    ```

    Use instead
    ```dockerfile
    FROM alpine:3.20
    RUN echo hello
    ```

    Fix safety
    No automatic fix: lines continued with backticks must be rewritten with `\\`.

    References
    - https://docs.docker.com/reference/dockerfile/#escape
    """

    code = "DF104"
    name = "backtick-escape-in-linux-stage"
    severity = Severity.WARNING
    platforms = ("linux",)

    def check_file(self, ctx: RuleContext) -> Iterator[Violation]:
        stages = ctx.analysis.stages
        if ctx.dockerfile.escape != "`" or not stages:
            return
        if any(stage.os != "linux" for stage in stages):
            return
        for directive in ctx.dockerfile.directives:
            if directive.name == "escape":
                evidence = stages[-1].os_evidence
                yield Violation(
                    line_span(ctx, directive.line),
                    f"the directive # escape=` in a Linux-only Dockerfile ({evidence}): the "
                    "backtick "
                    "escape is for Windows paths; use the default `\\`",
                    platform="linux",
                )
