"""DF006 invalid-platform-value."""

from __future__ import annotations

from collections.abc import Iterator

from dflint.analyse.analysis import Analysis
from dflint.analyse.fromline import AUTOMATIC_ARGS, from_value
from dflint.core.findings import Severity
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.read.instructions import platform_error, suggest
from dflint.read.model import Instruction


def _suggestion(analysis: Analysis, names: set[str]) -> tuple[str, str]:
    keys = {*AUTOMATIC_ARGS}
    for item in analysis.dockerfile.global_args:
        for arg in item.args:
            keys.add(arg.partition("=")[0])
    for name in sorted(names):
        close = suggest(name, keys, case_sensitive=True)
        if close is not None:
            return name, close
    return "", ""


class InvalidPlatformValue(Rule):
    """A `FROM --platform` value that is empty or not a platform once its variables are set.

    What it does
    Expands `--platform` the way BuildKit does before the build: global `ARG` values and the
    automatic platform ARGs are substituted, and a variable that nothing declares is empty.
    When the result is empty (`--platform=$BULIDPLATFORM`) or does not parse as
    `os[/arch[/variant]]` (`--platform=linux/${MYARCH}` with `MYARCH` undeclared,
    `--platform=foobar`), it reports BuildKit's error, names the undeclared variable and
    suggests the closest declared or automatic ARG (`$BUILDPLATFORM`).

    Why is this bad?
    `docker build` stops with "empty platform value" or "failed to parse platform" before
    building anything. A misspelt automatic ARG is easy to miss because `FROM` lines give
    no other sign of it.

    Example
    ```dockerfile
    FROM --platform=$BULIDPLATFORM golang:1.22 AS build
    RUN go build -o /out/app .
    ```

    Use instead
    ```dockerfile
    FROM --platform=$BUILDPLATFORM golang:1.22 AS build
    RUN go build -o /out/app .
    ```

    Fix safety
    No automatic fix: the suggested name is only the closest one.

    References
    - https://docs.docker.com/reference/dockerfile/#automatic-platform-args-in-the-global-scope
    - https://docs.docker.com/reference/build-checks/undefined-arg-in-from/
    """

    code = "DF006"
    name = "invalid-platform-value"
    severity = Severity.ERROR
    nodes = frozenset({"FROM"})

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        written = instruction.flag("platform")
        if written is None or any(
            p.span.line == instruction.start_line for p in ctx.dockerfile.problems
        ):
            return
        try:
            value, undeclared = from_value(ctx.analysis, instruction, written)
        except LookupError:
            return  # a --build-arg may give the value
        if value == "":
            reason = f"empty platform value from expression {written}"
        else:
            error = platform_error(value)
            if error is None:
                return
            reason = f"failed to parse platform {written}: {error}"
        name, close = _suggestion(ctx.analysis, undeclared)
        if close:
            reason += f" (did you mean {close}?)"
            advice = f"${name} is not declared: write ${close}"
        elif undeclared:
            listed = ", ".join(f"${item}" for item in sorted(undeclared))
            advice = (
                f"{listed} {'is' if len(undeclared) == 1 else 'are'} not declared: add "
                "`ARG <name>=<value>` before the first FROM"
            )
        else:
            advice = "write os/arch such as linux/arm64, or $BUILDPLATFORM / $TARGETPLATFORM"
        yield Violation(instruction.span, f"{reason}: {advice}")
