"""DF101 misplaced-parser-directive."""

from __future__ import annotations

from collections.abc import Iterator

from dflint import lazyre
from dflint.core.findings import Severity
from dflint.lint.rule import Rule, RuleContext, Violation, line_span
from dflint.read.instructions import check_comment
from dflint.read.reader import VALID_DIRECTIVES

_LOOKS_LIKE_DIRECTIVE = lazyre.compile(r"([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(\S.*?)\s*\Z")


class MisplacedParserDirective(Rule):
    """A parser directive that is not at the top of the file, so it is only a comment.

    What it does
    Finds `# escape=`, `# syntax=` and `# check=` comments that come after a comment, a blank
    line or an instruction. A `# check=` comment among the comments directly above an
    instruction is not reported: since Dockerfile frontend 1.21 BuildKit applies it to that
    instruction (above a FROM, to the checks BuildKit runs on that FROM). Below a first line
    starting with `#!` BuildKit still reads `syntax` and `check`, but not `escape`.

    Why is this bad?
    BuildKit reads parser directives only in the block of `# key=value` lines at the very top
    of the file. Anything else ends that block, and a directive after it is silently an
    ordinary comment. A misplaced `` # escape=` `` leaves `\\` as the escape character, so the
    Windows paths and backtick continuations written for it break the file.

    Example
    ```dockerfile
    # Windows image
    # escape=`
    FROM mcr.microsoft.com/windows/servercore:ltsc2022
    RUN dir C:\\
    ```

    Use instead
    ```dockerfile
    # escape=`
    # Windows image
    FROM mcr.microsoft.com/windows/servercore:ltsc2022
    RUN dir C:\\
    ```

    Fix safety
    No automatic fix: moving the directive changes how every line of the file is read.

    References
    - https://docs.docker.com/reference/dockerfile/#parser-directives
    """

    code = "DF101"
    name = "misplaced-parser-directive"
    severity = Severity.ERROR

    def check_file(self, ctx: RuleContext) -> Iterator[Violation]:
        active = {item.line for item in ctx.dockerfile.directives}
        # A `# check=` comment directly above an instruction applies to it (frontend >= 1.21)
        above = {
            line
            for instruction in ctx.dockerfile.instructions
            for line, text in instruction.prev_comments
            if check_comment(text) is not None
        }
        for comment in ctx.dockerfile.comments:
            if comment.line in active or comment.line in above:
                continue
            match = _LOOKS_LIKE_DIRECTIVE.match(comment.text)
            if match is None or match.group(1).lower() not in VALID_DIRECTIVES:
                continue
            key = match.group(1).lower()
            reason = _why_not_a_directive(ctx, comment.line, key)
            advice = "move it to the top of the file"
            if key == "escape" and ctx.dockerfile.lines[0].startswith("#!"):
                advice = "remove the `#!` line to use it"
            elif key == "check":
                advice += ", or directly above the instruction it is for"
            yield Violation(
                line_span(ctx, comment.line, comment.column - 1),
                f"`# {key}={match.group(2)}` is not a parser directive here ({reason}): "
                f"BuildKit reads it as a comment; {advice}",
            )


def _why_not_a_directive(ctx: RuleContext, line: int, key: str) -> str:
    """What ended the directive block before ``line``."""
    lines = ctx.dockerfile.lines
    active = {item.line for item in ctx.dockerfile.directives}
    for number in range(1, line):
        text = lines[number - 1].strip()
        if number in active:
            continue
        if number == 1 and lines[0].startswith("#!"):
            if key == "escape":
                return (
                    "the shebang on line 1 ends the directive block; after one BuildKit "
                    "reads only `syntax` and `check`"
                )
            continue  # the frontend reads syntax and check below a shebang
        if not text:
            return f"the blank line {number} ends the directive block"
        if text.startswith("#"):
            return f"the comment on line {number} ends the directive block"
        return f"the instruction on line {number} ends the directive block"
    return "it is not at the top of the file"
