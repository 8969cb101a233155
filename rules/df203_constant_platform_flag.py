"""DF203 constant-platform-flag."""

from __future__ import annotations

from collections.abc import Iterator

from dflint import lazyre
from dflint.analyse.analysis import StageFacts
from dflint.analyse.arch import has_literal, image_pin, per_arch_advice, repository_of, same_arch
from dflint.analyse.targets import final_chain, normalise_platform
from dflint.core.archnames import ARCH_TOKENS
from dflint.core.findings import Edit, Fix, Severity
from dflint.lint.imagefix import multi_arch_base
from dflint.lint.rule import FixRequest, Rule, RuleContext, Violation
from dflint.read.instructions import platform_error
from dflint.read.model import Instruction


class ConstantPlatformFlag(Rule):
    """`FROM --platform=` with a fixed platform such as `linux/amd64`.

    What it does
    Finds `FROM --platform=<os>/<arch>` with a literal value when a target platform has
    another architecture. The constant does not make the file's targets: a file is built
    for the declared targets (`--platform`, `platforms`, `# dflint: platform=`) or the
    default set. In a per-architecture file (`…/arm64/Dockerfile`) the message says the file
    is one of a per-architecture set and shows the one-Dockerfile form.

    Why is this bad?
    A constant platform pins the stage to one architecture whatever the build targets. In a
    multi-platform build the final image for arm64 then contains amd64 binaries, or a build
    stage runs under slow emulation. A build stage should use `$BUILDPLATFORM` (and
    cross-compile for `$TARGETPLATFORM`); a final stage should not set `--platform` at all.
    Stages named for their platform (`AS build-amd64`) and Windows platforms are exempt.

    Example
    ```dockerfile
    FROM --platform=linux/amd64 golang:1.22 AS build
    RUN go build -o /app .
    FROM alpine:3.20
    COPY --from=build /app /app
    ```
    On the final stage the image is built for amd64 whatever the target (the platforms it
    names are marked ✗ by `dflint platforms`):
    ```dockerfile
    FROM --platform=linux/amd64 alpine:3.20
    RUN apk add --no-cache curl
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
    fix removes the flag, so that the stage follows the target platform. That is safe unless
    the file is one of a per-architecture set, its image is named for one architecture
    (`FROM arm64v8/ruby` alone fails on an amd64 builder) or the stage downloads files named
    for an architecture; then `dflint fix --multiarch` also writes the multi-arch image name
    (`ruby` for `arm64v8/ruby`) and calls it safe only when the registry or the offline table
    confirms that name exists for the file's own platform and every target.

    Options
    `per-arch-files = "accept"` makes a per-architecture file's own platform its target, so
    its pin is no finding.

    References
    - https://docs.docker.com/reference/build-checks/from-platform-flag-const-disallowed/
    - https://docs.docker.com/build/building/multi-platform/
    """

    code = "DF203"
    name = "constant-platform-flag"
    severity = Severity.WARNING
    nodes = frozenset({"FROM"})
    fixable = True
    blocks = True

    def registry_fix(self, request: FixRequest) -> Fix | None:
        """In a per-architecture file, the removal of the flag also writes the image's
        multi-arch name, and is safe then, when that name exists for the file's own platform
        and every target (`FROM --platform=linux/arm64 arm64v8/ruby` → `FROM ruby`)."""
        fix, own = request.finding.fix, request.own
        if fix is None or fix.safe or own is None:
            return fix
        wanted = tuple(dict.fromkeys((own.platform, *request.targets)))
        line = request.finding.line
        renamed = multi_arch_base(request.line_text, line, wanted, request.resolver)
        if renamed is None or not renamed.safe:
            return fix
        # one line, two edits: the flag goes, the image gets its multi-arch name
        return Fix(
            f"remove the constant --platform and {renamed.description}",
            (*fix.edits, *renamed.edits),
            safe=True,
        )

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
        if any(token in alias for token in (os_name, *_tokens_of(value))):
            # the stage is named for its platform, as in `AS build-amd64` or `AS linux`:
            # BuildKit's FromPlatformFlagConstDisallowed exempts the same names
            return
        targets = ctx.targets
        arch = value.split("/", 1)[1] if "/" in value else value
        # Only the architecture matters here: a Linux stage in a Windows build is a choice
        # of OS (cross-compiling, or copying files out of a Linux-packaged image).
        others = [p for p in targets.platforms if p.split("/", 1)[-1] != arch]
        if not others:
            return
        chain = final_chain(ctx.analysis)
        in_final_image = any(item is facts for item in chain)
        own = targets.own
        if own is not None and own.layout and (in_final_image or same_arch(arch, own.arch)):
            image = _multi_arch_name(facts)
            message = (
                f"{own.describe()} is one of a per-architecture set: `--platform={platform}` "
                f"pins it to {value}, but the targets include {', '.join(others)}; "
                + per_arch_advice(targets, image)
            )
        else:
            # a stage the final image is built FROM must follow the target too: on
            # $BUILDPLATFORM its files would be the build machine's (DF208)
            advice = (
                "remove it, so the image is built for each target platform"
                if in_final_image
                else "use `--platform=$BUILDPLATFORM` and cross-compile for $TARGETPLATFORM"
            )
            message = (
                f"`--platform={platform}` pins this stage to {value} but the targets include "
                f"{', '.join(others)}: {advice}"
            )
        yield Violation(
            instruction.span,
            message,
            platform=",".join(others),
            fix=_fix(ctx, instruction, facts, in_final_image),
            breaks=in_final_image,
        )


def _multi_arch_name(facts: StageFacts) -> str:
    image = facts.image
    pin = image_pin(image) if image else None
    if image is None or pin is None:
        return facts.stage.image
    return pin.multi_arch or f"<a multi-arch tag of {repository_of(image)}>"


_FLAG = lazyre.compile(r"--platform=(?:\"[^\"]*\"|'[^']*'|\S+)")
_TARGET_ARGS = lazyre.compile(r"\$\{?TARGET(?:ARCH|OS|PLATFORM|VARIANT)\b")


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
        return Fix("remove the constant --platform", (edit,), safe=_follows_safely(ctx, facts))
    edit = Edit(line, start + 1, line, end + 1, "--platform=$BUILDPLATFORM")
    return Fix(
        "build on $BUILDPLATFORM and cross-compile",
        (edit,),
        safe=_cross_compiles(facts),
    )


def _follows_safely(ctx: RuleContext, facts: StageFacts) -> bool:
    """Without its --platform the final stage builds what it built before for that platform,
    and something sound for the others: not in a per-architecture file (one of a set), not
    on an image named for one architecture (which other builders cannot pull), and not with
    downloads named for an architecture."""
    own = ctx.targets.own
    if own is not None and own.layout:
        return False
    if facts.image is None or image_pin(facts.image) is not None:
        return False
    return not any(
        item.keyword in ("RUN", "ADD") and has_literal(item.original)
        for chained in final_chain(ctx.analysis)
        for item in chained.stage.instructions
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
    # BuildKit looks for the architecture without its variant: `arm` of linux/arm/v7
    return [arch.split("/", 1)[0], *spellings]
