"""DF203 constant-platform-flag."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dflint.analysis import StageFacts
from dflint.findings import Edit, Fix, Severity
from dflint.instructions import platform_error
from dflint.model import Instruction
from dflint.platformdata import ARCH_TOKENS
from dflint.rule import Rule, RuleContext, Violation
from dflint.targets import normalise_platform


class ConstantPlatformFlag(Rule):
    """`FROM --platform=` with a fixed platform such as `linux/amd64`.

    What it does
    Finds `FROM --platform=<os>/<arch>` with a literal value in a Dockerfile meant for more
    platforms than that one.

    Why is this bad?
    A constant platform pins the stage to one architecture whatever the build targets. In a
    multi-platform build the final image for arm64 then contains amd64 binaries, or a build
    stage runs under slow emulation. A build stage should use `$BUILDPLATFORM` (and
    cross-compile for `$TARGETPLATFORM`); a final stage should not set `--platform` at all.
    Stages named for their platform (`AS build-amd64`), per-platform files and Windows-only
    files are exempt.

    Example
    ```dockerfile
    FROM --platform=linux/amd64 golang:1.22 AS build
    RUN go build -o /app .
    FROM alpine:3.20
    COPY --from=build /app /app
    ```

    Use instead
    ```dockerfile
    FROM --platform=$BUILDPLATFORM golang:1.22 AS build
    ARG TARGETOS TARGETARCH
    RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /app .
    FROM alpine:3.20
    COPY --from=build /app /app
    ```

    Fix safety
    On a build stage the fix writes `--platform=$BUILDPLATFORM`. That is only right when the
    stage cross-compiles for the target, so the fix is safe when the stage already reads
    `TARGETARCH`, `TARGETOS` or `TARGETPLATFORM`, and unsafe otherwise. On the final stage the
    fix removes the flag, so that the stage follows the target platform; that is safe.

    References
    - https://docs.docker.com/reference/build-checks/from-platform-flag-const-disallowed/
    """

    code = "DF203"
    name = "constant-platform-flag"
    severity = Severity.WARNING
    nodes = frozenset({"FROM"})
    fixable = True

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        facts = ctx.analysis.facts(instruction)
        platform = instruction.flag("platform")
        if facts is None or not platform or "$" in platform:
            return
        if platform_error(platform) is not None:
            return  # not a platform at all: DF006 reports BuildKit's error
        value = normalise_platform(platform)
        os_name = value.split("/", 1)[0]
        if os_name == "windows":
            return  # Windows images exist for amd64 only; pinning them is harmless
        alias = (facts.stage.alias or "").lower()
        if any(token in alias for token in _tokens_of(value)):
            return  # the stage is named for its platform, as in `AS build-amd64`
        targets = ctx.targets
        arch = value.split("/", 1)[1] if "/" in value else value
        # Only the architecture matters here: a Linux stage in a Windows build is a choice
        # of OS (cross-compiling, or copying files out of a Linux-packaged image).
        others = [p for p in targets.platforms if p.split("/", 1)[-1] != arch]
        if not others:
            return
        is_final = facts is ctx.analysis.stages[-1]
        advice = (
            "remove it, so the image is built for each target platform"
            if is_final
            else "use `--platform=$BUILDPLATFORM` and cross-compile for $TARGETPLATFORM"
        )
        yield Violation(
            instruction.span,
            f"`--platform={platform}` pins this stage to {value} but the targets include "
            f"{', '.join(others)}: {advice}",
            platform=",".join(others),
            fix=_fix(ctx, instruction, facts, is_final),
        )


_FLAG = re.compile(r"--platform=(?:\"[^\"]*\"|'[^']*'|\S+)")
_TARGET_ARGS = re.compile(r"\$\{?TARGET(?:ARCH|OS|PLATFORM|VARIANT)\b")


def _fix(ctx: RuleContext, instruction: Instruction, facts: StageFacts, final: bool) -> Fix | None:
    line = instruction.start_line
    text = ctx.line_text(line)
    flags = list(_FLAG.finditer(text))
    if len(flags) != 1:
        return None  # on a continuation line, or given twice: leave it to the author
    match = flags[0]
    start, end = match.start(), match.end()
    if final:
        while end < len(text) and text[end] in " \t":
            end += 1  # the blank after the flag goes with it
        edit = Edit(line, start + 1, line, end + 1, "")
        return Fix("remove the constant --platform", (edit,), safe=True)
    edit = Edit(line, start + 1, line, end + 1, "--platform=$BUILDPLATFORM")
    return Fix(
        "build on $BUILDPLATFORM and cross-compile",
        (edit,),
        safe=_cross_compiles(facts),
    )


def _cross_compiles(facts: StageFacts) -> bool:
    """The stage builds for the target whatever it runs on: it reads the TARGET* arguments."""
    return any(
        _TARGET_ARGS.search(item.original)
        for item in facts.stage.instructions
        if item.keyword != "ARG"
    )


def _tokens_of(platform: str) -> list[str]:
    arch = platform.split("/", 1)[1] if "/" in platform else platform
    spellings = [token for token, docker in ARCH_TOKENS.items() if docker == arch]
    return [arch.replace("/", ""), *spellings]
