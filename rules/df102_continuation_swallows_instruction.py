"""DF102 continuation-swallows-instruction."""

from __future__ import annotations

from collections.abc import Iterator

from dflint import lazyre
from dflint.core.findings import Severity
from dflint.lint.rule import Rule, RuleContext, Violation, line_span
from dflint.read.lineparse import GO_SPACE
from dflint.read.model import KNOWN_KEYWORDS, Instruction

_WORD = lazyre.compile(r"[A-Z]+(?=\s|\Z)")
_WINDOWS_PATH_END = lazyre.compile(r"[A-Za-z]:\\(?:[^\s\\]+\\)*\s*\Z|[^\s]+\\[^\s\\]+\\\s*\Z")


class ContinuationSwallowsInstruction(Rule):
    """A line continuation joins the next instruction into this one.

    What it does
    Finds an instruction whose line ends in the escape character and whose next line starts
    with an instruction keyword, such as `COPY . C:\\app\\` followed by `RUN ...`. The keyword
    that is the instruction's own first argument is not reported: `HEALTHCHECK --interval=5m \\`
    followed by `CMD ...`, or `ONBUILD \\` followed by `RUN ...`, is one instruction on
    purpose.

    Why is this bad?
    A trailing `\\` continues the instruction onto the next line, even when it was meant as a
    Windows path separator. The next instruction becomes extra arguments of this one: it never
    runs, and the build either fails later or, worse, succeeds without it.

    Example
    ```dockerfile
    FROM mcr.microsoft.com/windows/servercore:ltsc2022
    COPY . C:\\app\\
    RUN dir C:\\app
    ```

    Use instead
    ```dockerfile
    # escape=`
    FROM mcr.microsoft.com/windows/servercore:ltsc2022
    COPY . C:\\app\\
    RUN dir C:\\app
    ```

    Fix safety
    No automatic fix: either the escape directive or the path has to change, and which one
    is the author's choice.

    References
    - https://docs.docker.com/reference/dockerfile/#escape
    """

    code = "DF102"
    name = "continuation-swallows-instruction"
    severity = Severity.ERROR
    nodes = KNOWN_KEYWORDS

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        if len(instruction.lines) < 2:
            return
        lines = ctx.dockerfile.lines
        first = lines[instruction.lines[0] - 1]
        indent = len(first) - len(first.lstrip(GO_SPACE))
        for previous, number in zip(instruction.lines, instruction.lines[1:], strict=False):
            text = lines[number - 1]
            stripped = text.lstrip(GO_SPACE)
            if len(text) - len(stripped) > indent:
                continue  # an indented line is a deliberate continuation
            match = _WORD.match(stripped)
            if match is None or match.group(0) not in KNOWN_KEYWORDS:
                continue
            if _first_argument(ctx, instruction, number):
                continue  # `HEALTHCHECK ... \` + `CMD ...`, `ONBUILD \` + `RUN ...`: by design
            keyword = match.group(0)
            escape = ctx.dockerfile.escape
            hint = ""
            if escape == "\\" and _WINDOWS_PATH_END.search(lines[previous - 1]):
                hint = "; for Windows paths make the first line the directive # escape=`"
            yield Violation(
                line_span(ctx, number, len(text) - len(stripped)),
                f"`{keyword}` on line {number} is swallowed by {instruction.keyword}: the "
                f"`{escape}` at the end of line {previous} continues {instruction.keyword} "
                f"onto it{hint}",
            )


def _first_argument(ctx: RuleContext, instruction: Instruction, number: int) -> bool:
    """The keyword on line ``number`` is HEALTHCHECK's CMD/NONE or ONBUILD's instruction: only
    the keyword and flags come before it, so it is the instruction's own first argument."""
    if instruction.keyword not in ("HEALTHCHECK", "ONBUILD"):
        return False
    escape = ctx.dockerfile.escape
    words: list[str] = []
    for line in instruction.lines:
        if line >= number:
            break
        words += ctx.dockerfile.lines[line - 1].rstrip(GO_SPACE).removesuffix(escape).split()
    return all(word.startswith("--") for word in words[1:])
