"""DF103 foreign-escape-character."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from dflint.core.findings import Severity
from dflint.lint.rule import Rule, RuleContext, Violation, line_span


class ForeignEscapeCharacter(Rule):
    """A line ends in the other escape character, so it does not continue.

    What it does
    Under `` # escape=` ``, finds a line ending in `\\` that was meant to continue (the next
    line is not an instruction); under the default `\\`, a line ending in a backtick.

    Why is this bad?
    Only the file's escape character continues a line. With the other one the instruction ends
    there, and the next line is read as an instruction of its own: the build fails with
    "unknown instruction", or the command runs without the rest of its arguments.

    Example
    ```dockerfile
    FROM mcr.microsoft.com/windows/servercore:ltsc2022
    RUN powershell -Command `
        Write-Host hello
    ```

    Use instead
    ```dockerfile
    # escape=`
    FROM mcr.microsoft.com/windows/servercore:ltsc2022
    RUN powershell -Command `
        Write-Host hello
    ```

    Fix safety
    No automatic fix: the escape directive changes how every line is read.

    References
    - https://docs.docker.com/reference/dockerfile/#escape
    """

    code = "DF103"
    name = "foreign-escape-character"
    severity = Severity.ERROR

    def check_file(self, ctx: RuleContext) -> Iterator[Violation]:
        dockerfile = ctx.dockerfile
        foreign = "\\" if dockerfile.escape == "`" else "`"
        instructions = dockerfile.instructions
        for current, following in pairwise(instructions):
            if following.known or current.heredocs:
                continue
            last = dockerfile.lines[current.end_line - 1].rstrip()
            if not last.endswith(foreign) or last.endswith(foreign * 2):
                continue
            fix = (
                "continue the line with a backtick, the escape character of this file"
                if foreign == "\\"
                else "make the first line the directive # escape=` to continue with backticks"
            )
            yield Violation(
                line_span(ctx, current.end_line, len(last) - 1, len(last)),
                f"line {current.end_line} ends in `{foreign}`, which does not continue a line "
                f"under escape `{dockerfile.escape}`: line {following.start_line} "
                f"(`{following.raw_keyword}`) is read as an unknown instruction; {fix}",
            )
