"""DF205 cross-compile-stage-without-buildplatform."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dflint import lazyre
from dflint.analyse.analysis import StageFacts
from dflint.core.findings import Severity
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.registry.stages import copied_into_final, stage_chain

# Toolchains that build for another CPU with a flag, and whose output the final stage takes:
# (pattern over a RUN line, what it is, how to build for $TARGETPLATFORM from another CPU).
_COMPILERS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (
        lazyre.compile(r"\bgo\s+(?:build|install)\b"),
        "go build",
        " and set GOOS=$TARGETOS GOARCH=$TARGETARCH",
    ),
    (
        lazyre.compile(r"\bcargo\s+(?:build|install|zigbuild)\b"),
        "cargo build",
        " and pass `--target` for $TARGETARCH",
    ),
    (
        lazyre.compile(r"\bdotnet\s+(?:publish|build)\b"),
        "dotnet publish",
        " and pass `-a $TARGETARCH`",
    ),
    (lazyre.compile(r"\bzig\s+build\b"), "zig build", " and pass `-Dtarget` for $TARGETARCH"),
    (
        lazyre.compile(r"\bmvnw?\b[^\n]*\b(?:package|install|verify)\b"),
        "mvn package",
        "; the jar it builds runs on every CPU",
    ),
    (
        lazyre.compile(r"\bgradlew?\b[^\n]*\b(?:build|assemble|jar|bootJar|installDist)\b"),
        "gradle build",
        "; the jar it builds runs on every CPU",
    ),
)


def _compiler(facts: StageFacts) -> tuple[str, str] | None:
    for instruction in facts.stage.instructions:
        if instruction.keyword != "RUN":
            continue
        text = instruction.original
        for heredoc in instruction.heredocs:
            text += "\n" + heredoc.content
        for pattern, what, how in _COMPILERS:
            if pattern.search(text):
                return what, how
    return None


class CrossCompileStageWithoutBuildplatform(Rule):
    """A compile stage that runs under emulation instead of on `$BUILDPLATFORM`.

    What it does
    Finds a Linux stage that compiles (`go build`, `cargo build`, `dotnet publish`,
    `zig build`, `mvn package`, `gradle build`), whose output is copied into the final stage,
    and which has no `--platform` (neither on its own `FROM` nor on the stage it is built
    from), in a Dockerfile built for several architectures.

    Why is this bad?
    Without `--platform`, a stage is built for each target platform, so on an amd64 builder
    the arm64 build runs the compiler under QEMU emulation: often ten times slower, and some
    toolchains crash under emulation. These compilers can build for another CPU from the
    builder's own one: run the stage on `$BUILDPLATFORM` and pass the target through
    `$TARGETOS`/`$TARGETARCH`. A build that needs the target's C libraries (cgo) may need a
    cross toolchain first, which is why this is information only.

    Example
    ```dockerfile
    FROM golang:1.22 AS build
    WORKDIR /src
    COPY . .
    RUN go build -o /out/app .

    FROM alpine:3.20
    COPY --from=build /out/app /usr/local/bin/app
    ```

    Use instead
    ```dockerfile
    FROM --platform=$BUILDPLATFORM golang:1.22 AS build
    ARG TARGETOS TARGETARCH
    WORKDIR /src
    COPY . .
    RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .

    FROM alpine:3.20
    COPY --from=build /out/app /usr/local/bin/app
    ```

    Fix safety
    No automatic fix: the compile command must be told the target as well.

    References
    - https://docs.docker.com/build/building/multi-platform/#cross-compilation
    """

    code = "DF205"
    name = "cross-compile-stage-without-buildplatform"
    severity = Severity.INFO
    platforms = ("linux",)

    def check_file(self, ctx: RuleContext) -> Iterator[Violation]:
        analysis = ctx.analysis
        if not analysis.stages or not ctx.targets.multi_arch:
            return
        for facts in copied_into_final(analysis):
            if facts.os != "linux":
                continue  # Windows images are amd64 only; an unknown base may be Windows
            if any(item.stage.platform is not None for item in stage_chain(facts)):
                # a --platform of any kind (on this stage or the one it is built FROM) is a
                # choice; DF203/DF204 judge the constant ones
                continue
            found = _compiler(facts)
            if found is None:
                continue
            what, how = found
            yield Violation(
                facts.stage.from_instruction.span,
                f"stage `{facts.stage.name}` runs `{what}` for every target platform, under "
                "emulation on a builder of another CPU, and its output is copied into the "
                f"final stage: add `--platform=$BUILDPLATFORM` to its FROM{how}",
            )
