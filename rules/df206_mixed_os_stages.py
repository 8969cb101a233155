"""DF206 mixed-os-stages."""

from __future__ import annotations

from collections.abc import Iterator

from dflint.analyse.analysis import StageFacts, mount_sources
from dflint.analyse.winbuild import build_name, windows_build
from dflint.core.findings import Severity
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.read.model import Instruction

# Evidence that only guesses the OS (a multi-OS tag read as Linux, a folder name, the
# escape directive): such a stage may well match the other one on the real host.
_WEAK_EVIDENCE = ("file name", "folder", "escape directive", "no evidence")


class MixedOsStages(Rule):
    """Stages for different operating systems (or Windows versions) in one build.

    What it does
    Finds `COPY --from` (and `RUN --mount=from=`) between a Linux stage and a Windows stage
    when neither names its platform with `FROM --platform`, and Windows stages on different
    Windows builds (`ltsc2019` and `ltsc2022`) that both run commands.

    Why is this bad?
    A classic build runs every stage on one daemon, which runs either Linux or Windows
    containers, so one of the stages cannot be built. Process-isolated Windows containers
    must match the host's build, so two Windows versions that both RUN cannot share a host
    without Hyper-V isolation. Cross-OS builds work only with buildx and an explicit
    `--platform` on the stage that runs elsewhere.

    Example
    ```dockerfile
    FROM golang:1.23-alpine AS build
    RUN go build -o /out/app.exe .

    FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
    COPY --from=build /out/app.exe C:/app/app.exe
    ```

    Use instead
    ```dockerfile
    FROM --platform=$BUILDPLATFORM golang:1.23-alpine AS build
    ARG TARGETOS TARGETARCH
    RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app.exe .

    FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
    COPY --from=build /out/app.exe C:/app/app.exe
    ```

    Fix safety
    No automatic fix.

    References
    - https://docs.docker.com/build/building/multi-platform/
    - https://learn.microsoft.com/virtualization/windowscontainers/deploy-containers/version-compatibility
    """

    code = "DF206"
    name = "mixed-os-stages"
    severity = Severity.ERROR
    nodes = frozenset({"COPY", "RUN"})

    def check_file(self, ctx: RuleContext) -> Iterator[Violation]:
        """Windows stages on different builds that both run commands."""
        running: list[tuple[StageFacts, int]] = []
        for facts in ctx.analysis.stages:
            if facts.os != "windows" or facts.stage.platform:
                continue
            if not any(item.keyword == "RUN" for item in facts.stage.instructions):
                continue
            build = windows_build(facts.image or "")
            if build is not None:
                running.append((facts, build))
        if not running:
            return
        first, first_build = running[0]
        for facts, build in running[1:]:
            if build == first_build:
                continue
            yield Violation(
                facts.stage.from_instruction.span,
                f"stage `{facts.stage.name}` runs Windows {build_name(build)}, but stage "
                f"`{first.stage.name}` runs {build_name(first_build)}: a process-isolated "
                "host runs one Windows build, so use one version for every stage that has RUN",
                platform="windows",
            )

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        facts = ctx.analysis.facts(instruction)
        if facts is None or not _strong(facts) or facts.stage.platform:
            return
        if instruction.keyword == "COPY":
            sources = instruction.flag_values("from")
        else:
            sources = mount_sources(instruction)
        for source in sources:
            other = ctx.analysis.stage_by_name(source)
            if other is None or other is facts or other.stage.platform:
                continue  # an image, or a stage that says where it runs
            if not _strong(other) or other.os == facts.os:
                continue
            yield Violation(
                instruction.span,
                f"this {facts.os} stage copies from stage `{other.stage.name}`, which is "
                f"{other.os} ({other.os_evidence}): one daemon cannot build both; give the "
                "build stage `FROM --platform=$BUILDPLATFORM` and build it with buildx, or "
                "use one OS",
                platform=facts.os,
            )


def _strong(facts: StageFacts) -> bool:
    if facts.os == "unknown":
        return False
    evidence = facts.os_evidence
    return not evidence.startswith(_WEAK_EVIDENCE) and "plain tag" not in evidence
