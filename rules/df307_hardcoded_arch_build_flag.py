"""DF307 hardcoded-arch-build-flag."""

from __future__ import annotations

from collections.abc import Iterator

from dflint.analyse.analysis import StageFacts
from dflint.analyse.arch import DOCKER_ARCH, stages_where_arch_matters
from dflint.analyse.targets import arch_of, left_to_own_arch_check
from dflint.core.findings import Edit, Fix, Severity
from dflint.lint.archsites import FlagSite, build_flag_sites
from dflint.lint.rule import Rule, RuleContext, Violation

# the rule that reports an architecture other than the per-arch file's own
_OWN_ARCH_RULE = frozenset({"DF311"})


class HardcodedArchBuildFlag(Rule):
    """A compiler or packager told to build for one fixed CPU architecture.

    What it does
    Finds build settings that name an architecture: `GOARCH=amd64` (as an env prefix,
    `export`, ENV or ARG), `dotnet publish -r linux-x64` / `-a x64`,
    `cargo build --target x86_64-unknown-linux-gnu`, `rustup target add …`,
    `./configure --host=aarch64-linux-gnu`, `pip download --platform manylinux2014_x86_64`,
    `npm_config_arch=x64`, also behind `env`, `sudo` or `time` and through an ARG, ENV or
    shell variable (`ARG T=x86_64-unknown-linux-gnu` … `--target $T`, reported where the
    name is written). Settings inside an arch dispatch in the same RUN are correct, and
    Windows stages and per-architecture files are not judged.

    Why is this bad?
    Built for arm64, such a stage still compiles an amd64 program, so the image holds a
    binary its CPU cannot run. Cross-compiling from the build platform is fine when the
    target comes from `TARGETARCH`.

    Example
    ```dockerfile
    FROM golang:1.23
    RUN GOOS=linux GOARCH=amd64 go build -o /out/app .
    ```

    Use instead
    ```dockerfile
    FROM --platform=$BUILDPLATFORM golang:1.23
    ARG TARGETOS TARGETARCH
    RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
    ```

    Fix safety
    For `GOARCH` the fix writes `$TARGETARCH` (Go and Docker name architectures alike) and
    adds `ARG TARGETARCH` to the stage; it is safe. A value read through a variable has no
    automatic fix (the variable may serve other commands). Other flags have none either: .NET
    runtime identifiers, Rust triples and wheel tags each need a mapping.

    References
    - https://docs.docker.com/build/building/multi-platform/#cross-compilation
    - https://go.dev/doc/install/source#environment
    - `dflint verify` proves, after the push, that each platform's image holds binaries
      for that platform: https://github.com/dflint/dflint#after-you-push
    """

    code = "DF307"
    name = "hardcoded-arch-build-flag"
    severity = Severity.WARNING
    platforms = ("linux",)
    fixable = True
    blocks = True

    def check_file(self, ctx: RuleContext) -> Iterator[Violation]:
        seen: set[tuple[int, int]] = set()
        for facts in stages_where_arch_matters(ctx.analysis, ctx.targets):
            for instruction in facts.stage.instructions:
                for site in build_flag_sites(ctx, instruction):
                    key = (site.span.line, site.span.column)
                    if key in seen:
                        continue
                    seen.add(key)
                    violation = _violation(ctx, facts, site)
                    if violation is not None:
                        yield violation


def _violation(ctx: RuleContext, facts: StageFacts, site: FlagSite) -> Violation | None:
    arch = DOCKER_ARCH.get(site.token.lower(), site.token.lower())
    # another architecture than the file says it is for: DF311's error, when it is enabled
    covered_by = (
        _OWN_ARCH_RULE
        if left_to_own_arch_check(ctx.analysis, ctx.targets, facts, arch, build_flag=True)
        else frozenset()
    )
    others = [p for p in ctx.targets.platforms if arch not in _arch_names(p)]
    if not others:
        return None
    fix = _fix(ctx, site) if site.go and site.direct else None
    advice = (
        "use `$TARGETARCH` (declared with `ARG TARGETARCH`)"
        if site.go
        else "derive it from `$TARGETARCH` (declared with `ARG TARGETARCH`)"
    )
    return Violation(
        site.span,
        f"`{site.what}` builds for {arch} on every platform, but the targets include "
        f"{', '.join(others)}: {advice}",
        platform=",".join(others),
        breaks=True,
        fix=fix,
        covered_by=covered_by,
    )


def _arch_names(platform: str) -> tuple[str, str]:
    """What a build flag for ``platform`` may say: its architecture with the variant
    (`armv7`, `armhf` → arm/v7) or without it (Go's `GOARCH=arm`)."""
    arch = arch_of(platform)
    return arch, arch.split("/", 1)[0]


def _fix(ctx: RuleContext, site: FlagSite) -> Fix | None:
    span = site.span
    if span.line != span.end_line:
        return None
    edits = [Edit(span.line, span.column, span.end_line, span.end_column, "${TARGETARCH}")]
    stage = ctx.analysis.facts(site.instruction)
    if stage is not None:
        declared = ctx.analysis.lookup("TARGETARCH", site.instruction)
        if declared is None or declared.kind == "platform":
            line = stage.stage.from_instruction.end_line
            end = len(ctx.line_text(line)) + 1
            edits.append(Edit(line, end, line, end, "\nARG TARGETARCH"))
    return Fix(f"build for `${{TARGETARCH}}` instead of `{site.token}`", tuple(edits))
