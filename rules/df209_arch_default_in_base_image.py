"""DF209 arch-default-in-base-image."""

from __future__ import annotations

from collections.abc import Iterator

from dflint import lazyre
from dflint.analyse.arch import image_pin, stage_on_build_platform
from dflint.analyse.targets import constant_platform, literal_pin
from dflint.core.findings import Edit, Fix, Severity
from dflint.lint.archsites import DownloadSite, binding_sites
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.read.model import Instruction

_NAME = lazyre.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
# The values $TARGETARCH takes: a default spelled so can become ${TARGETARCH} as it is.
_TARGETARCH_VALUES = frozenset({"amd64", "arm64", "386", "ppc64le", "s390x", "riscv64"})


class ArchDefaultInBaseImage(Rule):
    """A FROM image whose architecture comes from an ARG default.

    What it does
    Finds a `FROM` image that names one architecture only because an ARG before it has an
    architecture as its default: `ARG ARCH="amd64"` then
    `FROM quay.io/prometheus/busybox-${OS}-${ARCH}:latest`, or
    `FROM gcr.io/distroless/static:nonroot-${ARCH}`, when a target platform has another
    architecture. Per-architecture files are left to DF311, which checks them against
    their own architecture.

    Why is this bad?
    `docker buildx build --platform linux/arm64` does not set `ARCH`: the build gets the
    amd64 base image for every platform (BuildKit pulls a single-platform image whatever
    the target, with a warning at most) and the arm64 image holds amd64 binaries. Only a
    build script that passes `--build-arg ARCH=…` for each architecture builds it right;
    `$TARGETARCH` does that for every build.

    Example
    ```dockerfile
    ARG ARCH="amd64"
    FROM quay.io/prometheus/busybox-linux-${ARCH}:latest
    ```

    Use instead
    ```dockerfile
    ARG ARCH="${TARGETARCH}"
    FROM quay.io/prometheus/busybox-linux-${ARCH}:latest
    ```

    Fix safety
    When the default is one of `$TARGETARCH`'s own values (`amd64`, `arm64`, `s390x`, …),
    the fix makes it `${TARGETARCH}`: an ARG before the first FROM sees the automatic
    platform arguments, and `--build-arg ARCH=…` still overrides it. The fix is unsafe:
    it assumes the image is published for each architecture under the same scheme.

    References
    - https://docs.docker.com/reference/dockerfile/#automatic-platform-args-in-the-global-scope
    - https://docs.docker.com/reference/dockerfile/#understand-how-arg-and-from-interact
    """

    code = "DF209"
    name = "arch-default-in-base-image"
    severity = Severity.WARNING
    platforms = ("linux",)
    nodes = frozenset({"FROM"})
    fixable = True
    blocks = True

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        analysis = ctx.analysis
        facts = analysis.facts(instruction)
        if facts is None or facts.os == "windows" or facts.image is None or facts.parent:
            return
        if ctx.targets.own is not None or "$" not in facts.stage.image:
            return
        if stage_on_build_platform(analysis, facts) or constant_platform(analysis, facts):
            return  # DF210 and DF203 report those lines
        pin = image_pin(facts.image)
        if pin is None or literal_pin(facts) is not None:
            return
        others = ctx.targets.other_than(pin.arch)
        if not others:
            return
        sites: list[DownloadSite] = []
        for name in sorted(set(_NAME.findall(facts.stage.image))):
            binding = analysis.lookup(name, instruction)
            if binding is not None:
                sites += [
                    site
                    for site in binding_sites(ctx, binding, "the FROM image")
                    if site.literal.arch.split("/")[0] == pin.family
                ]
        if not sites:
            return
        site = sites[0]
        where = f"`{site.instruction.original}` (line {site.instruction.start_line})"
        yield Violation(
            instruction.span,
            f"`{facts.stage.image}` is `{facts.image}` by the default of {where}: "
            f"`--platform` does not change an ARG, so {', '.join(others)} "
            f"{'gets' if len(others) == 1 else 'get'} the {pin.arch} image too; default the "
            "ARG to `${TARGETARCH}`",
            platform=",".join(others),
            fix=_fix(ctx, site),
            breaks=True,
        )


def _fix(ctx: RuleContext, site: DownloadSite) -> Fix | None:
    span = site.span
    token = site.literal.token
    if span.line != span.end_line or token not in _TARGETARCH_VALUES:
        return None
    line = ctx.line_text(span.line)
    before = line[: span.column - 1].rstrip("\"'")
    after = line[span.end_column - 1 :].lstrip("\"'")
    if not before.endswith("=") or (after and not after[0].isspace()):
        return None  # part of a longer value (go1.22.linux-amd64): no single mapping
    edit = Edit(span.line, span.column, span.end_line, span.end_column, "${TARGETARCH}")
    return Fix(f"default the ARG to `${{TARGETARCH}}` instead of `{token}`", (edit,), safe=False)
