"""DF210 build-platform-with-arch-pinned-image."""

from __future__ import annotations

from collections.abc import Iterator

from dflint.analyse.arch import image_pin, stage_on_build_platform
from dflint.core.findings import Fix, Severity
from dflint.lint.imagefix import multi_arch_base
from dflint.lint.rule import FixRequest, Rule, RuleContext, Violation
from dflint.read.model import Instruction

# The machines a $BUILDPLATFORM stage runs on, in practice.
BUILD_MACHINES = ("linux/amd64", "linux/arm64")


class BuildPlatformWithArchPinnedImage(Rule):
    """`FROM --platform=$BUILDPLATFORM` with an image built for one architecture.

    What it does
    Finds a stage built on `$BUILDPLATFORM` (the machine running the build) whose image is
    named for one architecture: `mcr.microsoft.com/dotnet/sdk:8.0-jammy-arm64v8`,
    `arm64v8/golang`, `…:linux-amd64`.

    Why is this bad?
    `$BUILDPLATFORM` says "whatever machine builds this", but the image only runs natively
    on one kind: the stage is right on an arm64 laptop and, on an amd64 CI runner, runs
    every step of the compiler under emulation (slow, and some toolchains crash), or fails
    when no emulator is installed. The multi-arch name lets BuildKit pull the build
    machine's own image.

    Example
    ```dockerfile
    FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:8.0-jammy-arm64v8 AS build
    ARG TARGETARCH
    RUN dotnet publish -a $TARGETARCH -o /app
    FROM mcr.microsoft.com/dotnet/runtime-deps:8.0-jammy-chiseled
    COPY --from=build /app /app
    ```

    Use instead
    ```dockerfile
    FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:8.0-jammy AS build
    ARG TARGETARCH
    RUN dotnet publish -a $TARGETARCH -o /app
    FROM mcr.microsoft.com/dotnet/runtime-deps:8.0-jammy-chiseled
    COPY --from=build /app /app
    ```

    Fix safety
    `dflint fix --multiarch` writes the name without the architecture when the registry (or
    the offline table) confirms it exists for linux/amd64 and linux/arm64, the usual build
    machines; the fix is unsafe, as a tag without its architecture word may be another
    image.

    References
    - https://docs.docker.com/build/building/multi-platform/#cross-compilation
    """

    code = "DF210"
    name = "build-platform-with-arch-pinned-image"
    severity = Severity.WARNING
    platforms = ("linux",)
    nodes = frozenset({"FROM"})
    fixable = True

    def registry_fix(self, request: FixRequest) -> Fix | None:
        line = request.finding.line
        found = multi_arch_base(request.line_text, line, BUILD_MACHINES, request.resolver)
        return None if found is None else Fix(found.description, found.edits, safe=False)

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        analysis = ctx.analysis
        facts = analysis.facts(instruction)
        if facts is None or facts.os == "windows" or facts.image is None or facts.parent:
            return
        if not stage_on_build_platform(analysis, facts):
            return
        pin = image_pin(facts.image)
        if pin is None:
            return
        shown = f"`{facts.stage.image}`"
        if facts.stage.image != facts.image:
            shown += f" (`{facts.image}`)"
        other = "amd64" if pin.family != "amd64" else "arm64"
        yield Violation(
            instruction.span,
            f"`--platform={facts.stage.platform}` runs this stage on the build machine, but "
            f"{shown} is built for {pin.arch} only: on an {other} builder every step runs "
            f"under emulation, or fails without an emulator; use the image's multi-arch "
            + (f"name `{pin.multi_arch}`" if pin.multi_arch else "tag"),
        )
