"""DF208 final-stage-on-build-platform."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dflint import lazyre
from dflint.analyse.analysis import StageFacts
from dflint.analyse.arch import stage_on_build_platform
from dflint.analyse.targets import final_chain
from dflint.core.findings import Edit, Fix, Severity
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.read.model import Instruction
from dflint.registry.stages import copied_into_final

_FLAG = lazyre.compile(r"--platform=(?:\"[^\"]*\"|'[^']*'|\S+)")
# In an ARG only a value read from a TARGET argument counts (`ARG GOARCH=$TARGETARCH`):
# `ARG GOARCH` alone leaves it empty.
_TARGET_VALUE = lazyre.compile(r"\$\{?TARGET(?:ARCH|OS|PLATFORM|VARIANT)\b")
# elsewhere a compiler flag or Go variable naming the target counts too
_TARGET = lazyre.compile(_TARGET_VALUE.pattern + r"|\bGOARCH\b|--target\b")
# Compilers that build for the machine they run on unless told otherwise (not xx's
# `xx-go`/`xx-cargo` wrappers, which build for $TARGETPLATFORM).
_HOST_COMPILERS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (
        lazyre.compile(r"(?<![\w-])go\s+(?:build|install)\b"),
        "go build",
        "GOOS=$TARGETOS GOARCH=$TARGETARCH",
    ),
    (
        lazyre.compile(r"(?<![\w-])cargo\s+(?:build|install)\b"),
        "cargo build",
        "`--target` for $TARGETARCH",
    ),
)


class FinalStageOnBuildPlatform(Rule):
    """The image's own stage built on `$BUILDPLATFORM`.

    What it does
    Finds `FROM --platform=$BUILDPLATFORM` (or `$BUILDOS`/`$BUILDARCH`) on the final stage
    or on a stage the final stage is built FROM, and a `$BUILDPLATFORM` stage copied into
    the final image that compiles with `go build` or `cargo build` without any TARGET
    argument (so for the build machine).

    Why is this bad?
    `$BUILDPLATFORM` is the machine running the build. A final stage built there gives every
    target's image the build machine's userland: built on an amd64 runner, the linux/arm64
    image holds amd64 binaries and fails with `exec format error` on arm64 hosts (the
    manifest even says amd64). QEMU on the runner hides it in tests. Several public
    projects shipped exactly this. `$BUILDPLATFORM` belongs on build stages that
    cross-compile for `$TARGETPLATFORM`.

    Example
    ```dockerfile
    FROM --platform=$BUILDPLATFORM golang:1.23 AS build
    ARG TARGETOS TARGETARCH
    RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
    FROM --platform=$BUILDPLATFORM alpine:3.20
    COPY --from=build /out/app /usr/local/bin/app
    ```

    Use instead
    ```dockerfile
    FROM --platform=$BUILDPLATFORM golang:1.23 AS build
    ARG TARGETOS TARGETARCH
    RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
    FROM alpine:3.20
    COPY --from=build /out/app /usr/local/bin/app
    ```

    Fix safety
    On the final stage (or one it is built FROM) the fix removes the flag. It is safe when
    the stage's base image is known (registry, cache or offline table) to exist for every
    target, and unsafe otherwise: the build would then pull the base for each target. A
    copied stage has no fix: its compiler must be told the target.

    References
    - https://docs.docker.com/build/building/multi-platform/#cross-compilation
    - https://docs.docker.com/reference/dockerfile/#automatic-platform-args-in-the-global-scope
    """

    code = "DF208"
    name = "final-stage-on-build-platform"
    severity = Severity.ERROR
    platforms = ("linux",)
    nodes = frozenset({"FROM"})
    fixable = True
    needs_base_images = True
    blocks = True

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        analysis = ctx.analysis
        facts = analysis.facts(instruction)
        if facts is None or facts.os == "windows" or not analysis.stages:
            return
        if not stage_on_build_platform(analysis, facts):
            return
        chain = final_chain(analysis)
        if any(item is facts for item in chain):
            final = facts is analysis.stages[-1]
            where = (
                "the final stage"
                if final
                else (f"stage {facts.stage.name}, which the final stage is built FROM,")
            )
            yield Violation(
                instruction.span,
                f"{where} is built on `--platform={facts.stage.platform}`, the build machine: "
                "every target's image gets its userland (built on amd64, the linux/arm64 "
                "image holds amd64 binaries and fails with `exec format error`); remove the "
                "flag and keep it on build stages that cross-compile",
                fix=_fix(ctx, instruction, facts),
                breaks=True,
            )
            return
        if not any(item is facts for item in copied_into_final(analysis)):
            return
        found = _host_compile(facts)
        if found is None:
            return
        what, how = found
        yield Violation(
            instruction.span,
            f"stage {facts.stage.name} runs on `--platform={facts.stage.platform}` and "
            f"`{what}` without any TARGET argument, so it compiles for the build machine, "
            f"and its output is copied into the final image: pass {how}",
            breaks=True,
        )


def _host_compile(facts: StageFacts) -> tuple[str, str] | None:
    """A host-only compile in a stage that never reads a TARGET argument."""
    texts = []
    for instruction in facts.stage.instructions:
        text = instruction.original
        for heredoc in instruction.heredocs:
            text += "\n" + heredoc.content
        texts.append((instruction.keyword, text))
    if any(
        (_TARGET_VALUE if keyword == "ARG" else _TARGET).search(text) for keyword, text in texts
    ):
        return None
    for keyword, text in texts:
        if keyword != "RUN":
            continue
        for pattern, what, how in _HOST_COMPILERS:
            if pattern.search(text):
                return what, how
    return None


def _fix(ctx: RuleContext, instruction: Instruction, facts: StageFacts) -> Fix | None:
    line = instruction.start_line
    text = ctx.line_text(line)
    flags = list(_FLAG.finditer(text))
    if len(flags) != 1:
        return None
    start, end = flags[0].start(), flags[0].end()
    while end < len(text) and text[end] in " \t":
        end += 1
    edit = Edit(line, start + 1, line, end + 1, "")
    return Fix("build the stage for the target platform", (edit,), safe=_base_covers(ctx, facts))


def _base_covers(ctx: RuleContext, facts: StageFacts) -> bool:
    if ctx.base_images is None:
        return False
    base = ctx.base_images.root(facts.stage.index)
    if base is None:
        return False
    if base.kind == "scratch":
        return True
    resolution = base.resolution
    if base.kind != "image" or resolution is None or not resolution.known:
        return False
    from dflint.core.platform import Platform

    return all(resolution.covers(Platform.parse(p)) is True for p in ctx.targets.platforms)
