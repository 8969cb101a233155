"""DF202 arch-specific-base-image."""

from __future__ import annotations

from collections.abc import Iterator

from dflint.analyse.arch import (
    ImagePin,
    per_arch_advice,
    repository_of,
    same_arch,
    stage_on_build_platform,
)
from dflint.analyse.targets import constant_platform, literal_pin
from dflint.core.findings import Fix, Severity
from dflint.lint.imagefix import multi_arch_base
from dflint.lint.rule import FixRequest, Rule, RuleContext, Violation
from dflint.read.model import Instruction


class ArchSpecificBaseImage(Rule):
    """A base image that exists for one CPU architecture only.

    What it does
    Finds `FROM` images whose name, as written, says they are built for one architecture:
    the per-architecture namespaces of the official images (`arm64v8/alpine`,
    `amd64/ubuntu`), tags or repository names with an architecture word
    (`diamol/base:linux-arm64`, `busybox-linux-amd64`), and repository names of Raspberry Pi
    builds (`gogs/gogs-rpi`, `hypriot/rpi-alpine`: 32-bit ARM), when a target platform has
    another architecture. In a per-architecture file (`…/arm64/Dockerfile`,
    `Dockerfile.linux-arm64`) the message says so and shows the one-Dockerfile form. Windows
    stages are exempt (Windows images are amd64 only); an architecture chosen by an ARG
    default is DF209's finding, one on a `$BUILDPLATFORM` stage DF210's, and one next to a
    constant `--platform` DF203's.

    Why is this bad?
    Such an image holds binaries for one CPU. Built for another platform, the stage either
    fails to pull or runs every step under emulation and ships binaries for the wrong CPU.
    The multi-arch name (`alpine`) lets the builder pick the right image for each platform,
    so one Dockerfile serves every architecture instead of one copy per architecture.

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
    `dflint fix --multiarch` writes the multi-arch name when the registry (or the offline
    table) confirms it exists for every target platform. The fix is safe for an official
    image's per-architecture namespace (`arm64v8/alpine:3.20` is `alpine:3.20`'s arm64
    image, republished) and unsafe for a tag without its architecture word, which may be
    another image.

    Options
    `per-arch-files = "accept"` makes a per-architecture file's own platform its target, so
    its pin is no finding. `platforms` declares the targets.

    References
    - https://github.com/docker-library/official-images#architectures-other-than-amd64
    - https://docs.docker.com/build/building/multi-platform/
    """

    code = "DF202"
    name = "arch-specific-base-image"
    severity = Severity.WARNING
    platforms = ("linux",)
    nodes = frozenset({"FROM"})
    fixable = True
    blocks = True

    def registry_fix(self, request: FixRequest) -> Fix | None:
        finding = request.finding
        return multi_arch_base(request.line_text, finding.line, request.targets, request.resolver)

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        facts = ctx.analysis.facts(instruction)
        if facts is None or facts.os == "windows":
            return
        if constant_platform(ctx.analysis, facts) is not None or stage_on_build_platform(
            ctx.analysis, facts
        ):
            return  # DF203 (constant --platform) or DF210 ($BUILDPLATFORM) reports the line
        pin = literal_pin(facts)
        if pin is None:
            return
        own = ctx.targets.own
        if own is not None and not same_arch(pin.arch, own.arch):
            return  # another architecture than the file's own: DF311's error
        others = ctx.targets.other_than(pin.arch)
        if not others:
            return
        yield Violation(
            instruction.span,
            _message(ctx, facts.stage.image, facts.image or facts.stage.image, pin, others),
            platform=",".join(others),
            breaks=True,
        )


def _message(ctx: RuleContext, written: str, image: str, pin: ImagePin, others: list[str]) -> str:
    shown = f"`{written}`" if written == image else f"`{written}` (`{image}`)"
    text = f"base image {shown} is built for {pin.arch} only, but the targets include "
    text += ", ".join(others)
    own = ctx.targets.own
    if own is not None and own.layout:
        return f"{own.describe()} is one of a per-architecture set: {text}; " + per_arch_advice(
            ctx.targets, pin.multi_arch or f"<a multi-arch tag of {repository_of(image)}>"
        )
    if pin.multi_arch:
        return f"{text}; use the multi-arch `{pin.multi_arch}`"
    return f"{text}; use the image's multi-arch tag"
