"""DF311 wrong-arch-in-per-arch-file."""

from __future__ import annotations

from collections.abc import Iterator

from dflint import lazyre
from dflint.analyse.analysis import StageFacts
from dflint.analyse.arch import DOCKER_ARCH, image_pin, same_arch
from dflint.analyse.targets import OwnPlatform, constant_platform, final_chain, stage_role
from dflint.core.archnames import ARCH_NAMESPACES
from dflint.core.findings import Edit, Fix, Severity
from dflint.lint.archsites import DownloadSite, FlagSite, build_flag_sites, download_sites
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.read.model import Instruction, Span

# How each architecture is spelled by the names a fix may swap: Docker's (and Go's) and
# uname -m's. Other spellings (x64, armhf) are the vendor's own and are left to the author.
_DOCKER_SPELLING = {"amd64": "amd64", "arm64": "arm64"}
_UNAME_SPELLING = {"amd64": "x86_64", "arm64": "aarch64"}
_NAMESPACE = {
    arch: namespace for namespace, arch in ARCH_NAMESPACES.items() if namespace != "winamd64"
}
_WORD_END = lazyre.compile(r"[\s\"';|&)]")


class WrongArchInPerArchFile(Rule):
    """A per-architecture file that downloads, builds or starts from another architecture.

    What it does
    Checks a file that says which one architecture it is for against that architecture: a
    per-architecture name or folder (`Dockerfile.linux-arm64`, `…/linux/arm64/Dockerfile`,
    `v1.18/arm64/debian/Dockerfile`), a constant `FROM --platform=linux/arm64` on the final
    stage, or a final base image named for one architecture (`arm64v8/ruby`). It reports
    what names another architecture: a download or unpacked file (`gosu-amd64`), a build
    setting (`GOARCH=amd64`, `dotnet publish -r linux-x64`), a COPY source
    (`.build/linux-amd64/app`), a base image (`amd64/alpine`) or a constant `--platform` on
    a stage the final image is built from. Names inside an arch dispatch are correct; stages
    pinned to another platform on purpose (`FROM --platform=linux/amd64 … AS tools`) and
    stages on `$BUILDPLATFORM` may download for the machine they run on.

    Why is this bad?
    Per-architecture files are copies of one another, and the classic copy-paste bug ships:
    the arm64 image holds an amd64 binary that fails with `exec format error` on every
    arm64 host, while a CI runner with QEMU hides it. Unlike a pin in a multi-architecture
    file, nothing about this file is right for any platform it is built for.

    Example
    ```dockerfile
    FROM --platform=linux/arm64 debian:bookworm-slim
    ADD https://github.com/tianon/gosu/releases/download/1.17/gosu-amd64 /usr/local/bin/gosu
    ```

    Use instead
    ```dockerfile
    FROM --platform=linux/arm64 debian:bookworm-slim
    ADD https://github.com/tianon/gosu/releases/download/1.17/gosu-arm64 /usr/local/bin/gosu
    ```

    Fix safety
    `GOARCH=amd64` in an arm64 file becomes `GOARCH=arm64` (Go names architectures as
    Docker does), and an official image's per-architecture namespace (`amd64/alpine`)
    becomes the file's own (`arm64v8/alpine`): both are safe. A download named `amd64` or
    `x86_64` becomes `arm64` or `aarch64`; that is unsafe, as the vendor's name for the
    other build is a guess. Other spellings have no fix.

    Options
    `per-arch-files = "accept"` keeps these checks (it only accepts the layout).

    References
    - https://docs.docker.com/build/building/multi-platform/
    - https://github.com/docker-library/official-images#architectures-other-than-amd64
    """

    code = "DF311"
    name = "wrong-arch-in-per-arch-file"
    severity = Severity.ERROR
    platforms = ("linux",)
    fixable = True
    blocks = True

    def check_file(self, ctx: RuleContext) -> Iterator[Violation]:
        own = ctx.targets.own
        analysis = ctx.analysis
        if own is None or analysis.is_windows_only:
            return
        chain = final_chain(analysis)
        seen: set[tuple[int, int]] = set()
        for facts in analysis.stages:
            if facts.os == "windows":
                continue
            role = stage_role(analysis, own.arch, facts)
            constant = constant_platform(analysis, facts)
            if constant is not None and any(item is facts for item in chain):
                if role == "other":
                    yield self._platform(facts, own, constant)
            elif role == "own":
                violation = self._base(ctx, facts, own)
                if violation is not None:
                    yield violation
            if role == "other":
                continue  # pinned to another platform on purpose: its own business
            for instruction in facts.stage.instructions:
                if role == "own":  # on the build machine a stage may fetch tools for it
                    for site in download_sites(ctx, instruction):
                        key = (site.span.line, site.span.column)
                        if key not in seen and not same_arch(site.literal.arch, own.arch):
                            seen.add(key)
                            yield self._download(ctx, own, site)
                for flag in build_flag_sites(ctx, instruction):
                    key = (flag.span.line, flag.span.column)
                    arch = DOCKER_ARCH.get(flag.token.lower(), flag.token.lower())
                    if key not in seen and not same_arch(arch, own.arch):
                        seen.add(key)
                        yield self._flag(ctx, own, flag, arch)

    def _platform(self, facts: StageFacts, own: OwnPlatform, constant: str) -> Violation:
        instruction = facts.stage.from_instruction
        return Violation(
            instruction.span,
            f"{own.describe()} builds stage {facts.stage.name}, which the final image is "
            f"built from, for {constant} (`--platform={facts.stage.platform}`): the image "
            f"is not {own.platform}",
            platform=own.platform,
            breaks=True,
        )

    def _base(self, ctx: RuleContext, facts: StageFacts, own: OwnPlatform) -> Violation | None:
        if facts.image is None or facts.parent is not None:
            return None
        pin = image_pin(facts.image)
        if pin is None or same_arch(pin.arch, own.arch):
            return None
        instruction = facts.stage.from_instruction
        shown = f"`{facts.stage.image}`"
        if facts.stage.image != facts.image:
            shown += f" (`{facts.image}`)"
        fix = None
        replacement = _NAMESPACE.get(own.arch)
        if pin.where == "namespace" and replacement is not None:
            fix = _swap(ctx, instruction, pin.token + "/", replacement + "/")
        return Violation(
            instruction.span,
            f"{own.describe()} starts stage {facts.stage.name} from {shown}, built for "
            f"{pin.arch} only: the stage cannot be built for {own.platform} (or runs "
            f"{pin.arch} binaries under emulation)",
            platform=own.platform,
            fix=fix,
            breaks=True,
        )

    def _download(self, ctx: RuleContext, own: OwnPlatform, site: DownloadSite) -> Violation:
        token = site.literal.token
        arch = site.literal.arch
        name = _asset_name(ctx, site.span) or token
        verb = "copies" if site.instruction.keyword == "COPY" else "downloads"
        swap = _swapped(token, arch, own.arch)
        fix = None
        if swap is not None and site.span.line == site.span.end_line:
            span = site.span
            edit = Edit(span.line, span.column, span.end_line, span.end_column, swap)
            fix = Fix(f"use the {own.arch} name `{swap}`", (edit,), safe=False)
        return Violation(
            site.span,
            f"{own.describe()} {verb} `{name}`, the {arch} build ({_lower_first(site.what)} "
            f"names `{token}`): on {own.platform} it cannot run; use the {own.arch} one",
            platform=own.platform,
            fix=fix,
            breaks=True,
        )

    def _flag(self, ctx: RuleContext, own: OwnPlatform, site: FlagSite, arch: str) -> Violation:
        fix = None
        span = site.span
        if site.go and span.line == span.end_line:
            value = own.arch.split("/", 1)[0]  # Go's GOARCH: arm (with GOARM), not arm/v7
            edit = Edit(span.line, span.column, span.end_line, span.end_column, value)
            fix = Fix(f"build for `{value}` instead of `{site.token}`", (edit,), safe=True)
        return Violation(
            span,
            f"{own.describe()} builds for {arch} with `{site.what}`: the {own.platform} "
            f"image gets a binary its CPU cannot run",
            platform=own.platform,
            fix=fix,
            breaks=True,
        )


def _swap(ctx: RuleContext, instruction: Instruction, old: str, new: str) -> Fix | None:
    """Replace ``old`` at the start of the FROM image with ``new`` (a one-line FROM only)."""
    if instruction.start_line != instruction.end_line or not instruction.args:
        return None
    image = instruction.args[0]
    line = instruction.start_line
    text = ctx.line_text(line)
    at = text.find(image)
    if not image.startswith(old) or at < 0:
        return None
    replacement = new + image[len(old) :]
    edit = Edit(line, at + 1, line, at + 1 + len(image), replacement)
    return Fix(f"use `{replacement}`", (edit,), safe=True)


def _swapped(token: str, arch: str, own: str) -> str | None:
    """The same spelling for the file's own architecture (amd64 → arm64, x86_64 → aarch64)."""
    for table in (_DOCKER_SPELLING, _UNAME_SPELLING):
        if table.get(arch) == token and own in table:
            return table[own]
    return None


def _lower_first(text: str) -> str:
    """`The URL` → `the URL` inside a sentence; `ENV NAME` keeps its capitals."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def _asset_name(ctx: RuleContext, span: Span) -> str | None:
    """The word around a span; for a URL, its path component (`gosu-amd64`)."""
    if span.line != span.end_line:
        return None
    text = ctx.line_text(span.line)
    start = span.column - 1
    end = span.end_column - 1
    while start > 0 and not _WORD_END.match(text[start - 1]):
        start -= 1
    while end < len(text) and not _WORD_END.match(text[end]):
        end += 1
    word = text[start:end]
    if "://" in word:
        before = word.rfind("/", 0, span.column - 1 - start) + 1
        after = word.find("/", span.end_column - 1 - start)
        word = word[before : after if after >= 0 else len(word)]
    word = word.split("=", 1)[-1] if word.count("=") == 1 and "://" not in word else word
    return word or None
