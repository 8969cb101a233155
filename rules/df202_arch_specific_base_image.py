"""DF202 arch-specific-base-image."""

from __future__ import annotations

from collections.abc import Iterator

from dflint.findings import Severity
from dflint.imageref import parse_image
from dflint.model import Instruction
from dflint.platformdata import ARCH_NAMESPACES, arch_tokens_in_tag
from dflint.rule import Rule, RuleContext, Violation


class ArchSpecificBaseImage(Rule):
    """A base image that exists for one CPU architecture only.

    What it does
    Finds `FROM` images named for one architecture: the per-architecture namespaces of the
    official images (`arm64v8/alpine`, `amd64/ubuntu`) and tags that name an architecture
    (`diamol/base:linux-arm64`, `…-amd64`), when the Dockerfile is meant for several
    architectures.

    Why is this bad?
    Such an image holds binaries for one CPU. Built for another platform, the stage either
    fails to pull or runs every step under emulation and ships binaries for the wrong CPU.
    The multi-arch name (`alpine`) lets the builder pick the right image for each platform.
    Per-architecture files (`Dockerfile.linux-arm64`) and Windows-only files are exempt.

    Example
    ```dockerfile
    FROM arm64v8/alpine:3.20
    RUN apk add --no-cache curl
    ```

    Use instead
    ```dockerfile
    FROM alpine:3.20
    RUN apk add --no-cache curl
    ```

    Fix safety
    No automatic fix yet: the multi-arch name must be confirmed to exist for every target.

    References
    - https://github.com/docker-library/official-images#architectures-other-than-amd64
    """

    code = "DF202"
    name = "arch-specific-base-image"
    severity = Severity.WARNING
    platforms = ("linux",)
    nodes = frozenset({"FROM"})

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        facts = ctx.analysis.facts(instruction)
        if facts is None or facts.os == "windows" or facts.image is None:
            return
        targets = ctx.targets
        if facts.arch_in_name is not None or not targets.multi_arch:
            return  # a per-architecture file, or a single target: the arch is intended
        platform = facts.stage.platform
        if platform and "$" not in platform:
            return  # a constant --platform is DF203's finding
        ref = parse_image(facts.image)
        if ref is None or (ref.registry != "docker.io" and ref.namespace in ("", "library")):
            return
        arch = None
        multi = None
        if ref.registry == "docker.io" and ref.namespace in ARCH_NAMESPACES:
            arch = ARCH_NAMESPACES[ref.namespace]
            multi = ref.repository.split("/", 1)[1] + (f":{ref.tag}" if ref.tag else "")
        elif ref.tag:
            found = set(arch_tokens_in_tag(ref.tag))
            if len(found) == 1:
                arch = found.pop()
        if arch is None:
            return
        others = sorted(p for p in targets.platforms if p.split("/", 1)[1] != arch)
        if not others:
            return
        suggestion = f"; use the multi-arch `{multi}`" if multi else ""
        shown = f"`{facts.image}`"
        if facts.stage.image != facts.image:
            shown = f"`{facts.stage.image}` (`{facts.image}` by the ARG defaults)"
            suggestion = "; derive the architecture from TARGETARCH instead of a default"
        yield Violation(
            instruction.span,
            f"base image {shown} is built for {arch} only, but the targets include "
            f"{', '.join(others)}{suggestion}",
            platform=",".join(others),
        )
