"""DF201 base-image-lacks-platform."""

from __future__ import annotations

from collections.abc import Iterator

from dflint.analyse.arch import PIN_RULES, image_pin
from dflint.core.findings import Severity
from dflint.core.platform import describe
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.read.model import Instruction

# Answers that come from the registry itself (now or earlier); others say where they came from.
_LIVE_SOURCES = ("registry", "cache", "cache (revalidated)")


class BaseImageLacksPlatform(Rule):
    """A `FROM` image that does not exist for a platform the Dockerfile is built for.

    What it does
    Looks up which platforms each `FROM` image exists for (the registry, dflint's cache, or
    its offline tables) and reports the target platforms it lacks, naming those it has.
    Stages built with `--platform=$BUILDPLATFORM` run on the build machine and are not
    checked against the targets; a stage with a constant `--platform` is checked against that
    platform. Targets of an operating system the image does not have at all (a Linux image in
    a file whose targets also list `windows/amd64`) are left to the Dockerfile for that
    system, unless the image has none of the targets' operating systems; a stage known to be
    Linux (or Windows) by its image name or SHELL is reported for targets of only the other
    system even when no table lists the image. An image named for one architecture (such as
    `arm64v8/alpine`) is reported here only when none of the rules about such names (DF202,
    DF209, DF210, DF311), which name the multi-arch image to use instead, reports it.

    Why is this bad?
    `docker buildx build --platform linux/arm64` fails with "no match for platform in
    manifest" when the base image has no arm64 image, and a builder that falls back to
    another platform ships binaries that do not run. The image's platform list is the only
    place that says so before a build.

    Example
    ```dockerfile
    FROM archlinux:latest
    RUN pacman -Syu --noconfirm git
    ```

    Use instead
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y --no-install-recommends git
    ```

    Fix safety
    No automatic fix: a base image with the missing platforms has to be chosen by hand.

    Options
    The targets (`platforms`), and where platforms come from: `offline`, `registry-mirrors`,
    `insecure-registries`, `cache-ttl`, `registry-timeout`. An image that cannot be resolved
    is DF207's finding.

    References
    - https://docs.docker.com/build/building/multi-platform/
    - https://github.com/opencontainers/image-spec/blob/main/image-index.md
    """

    code = "DF201"
    name = "base-image-lacks-platform"
    severity = Severity.WARNING
    nodes = frozenset({"FROM"})
    needs_base_images = True
    blocks = True

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        facts = ctx.analysis.facts(instruction)
        if facts is None or ctx.base_images is None:
            return
        base = ctx.base_images.for_stage(facts.stage.index)
        if base is None or base.kind not in ("image", "unknown") or base.on_build_platform:
            return
        wanted = base.wanted(ctx.targets.platforms)
        if not wanted:
            return
        resolution = base.resolution
        known = resolution is not None and resolution.known
        offered = {item.os for item in resolution.platforms} if resolution and known else set()
        stage_os = facts.os
        wanted_os = {item.os for item in wanted}
        if (
            stage_os != "unknown"
            and stage_os not in wanted_os
            and not offered & wanted_os
            and not (resolution is not None and resolution.complete and known)
        ):
            # no table lists the image completely, but its name or SHELL says its OS
            names = ", ".join(item.target for item in wanted)
            yield Violation(
                instruction.span,
                f"stage {facts.stage.name} is a {stage_os.capitalize()} stage "
                f"({facts.os_evidence}): it cannot be built for {names}",
                platform=",".join(item.target for item in wanted),
                breaks=True,
            )
            return
        if base.kind != "image" or resolution is None or not known:
            return
        # An image named for one architecture: the pin rules say the same with the image to
        # use instead, and when one of them is reported here this finding is dropped.
        covered_by = (
            PIN_RULES
            if stage_os != "windows"
            and base.pinned_platform is None
            and base.image is not None
            and image_pin(base.image) is not None
            else frozenset()
        )
        relevant = [item for item in wanted if item.os in offered] or wanted
        missing = [item for item in relevant if resolution.covers(item) is False]
        if not missing:
            return
        names = ", ".join(item.target for item in missing)
        where = "" if resolution.source in _LIVE_SOURCES else f" (per {resolution.source})"
        yield Violation(
            instruction.span,
            f"base image `{base.shown}` has no {names} image; it exists for "
            f"{describe(resolution.platforms)}{where}",
            platform=",".join(item.target for item in missing),
            breaks=True,
            covered_by=covered_by,
        )
