"""DF306 hardcoded-arch-download."""

from __future__ import annotations

from collections.abc import Iterator

from dflint.analyse.analysis import StageFacts
from dflint.analyse.arch import stage_arch, stages_where_arch_matters, target_form
from dflint.analyse.targets import left_to_own_arch_check
from dflint.core.findings import Edit, Fix, Severity
from dflint.lint.archsites import DownloadSite, download_sites
from dflint.lint.rule import Rule, RuleContext, Violation

# the rule that reports an architecture other than the per-arch file's own
_OWN_ARCH_RULE = frozenset({"DF311"})


class HardcodedArchDownload(Rule):
    """A download or asset name pinned to one CPU architecture.

    What it does
    Finds architecture names (`amd64`, `x86_64`, `arm64`, `aarch64`, `x64`, …) in the URLs
    and file names that RUN, ADD and COPY fetch, unpack or install, including those that
    reach them through an ARG or ENV value (a stage's bare `ARG NAME` included, through the
    global ARG's default it takes) or a shell variable set in the same RUN. A name
    inside an arch dispatch in the same RUN (`case`/`if` on `dpkg --print-architecture`,
    `apk --print-arch`, `uname -m`, `rpm … %{ARCH}` or `$TARGETARCH`) is correct and is not
    reported; neither are Windows-only files (Windows images are amd64) and per-architecture
    files (`Dockerfile.arm64`, `…/amd64/Dockerfile`).

    Why is this bad?
    Built for another platform, the image still downloads the amd64 binary: the build
    either fails when the binary is first run, or succeeds and ships a program that cannot
    start (`exec format error`) on the other CPU. A path on the image that runs through an
    architecture's folder (`ln -s /usr/lib/x86_64-linux-gnu/libz.so.1 …`,
    `COPY --from=build /usr/lib/x86_64-linux-gnu/…`) names a folder the other CPU's image
    does not have: the link dangles, the copy fails.

    Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN curl -fsSLo /usr/local/bin/yq https://github.com/mikefarah/yq/releases/download/v4.44.1/yq_linux_amd64
    ```

    Use instead
    ```dockerfile
    FROM debian:bookworm-slim
    ARG TARGETARCH
    RUN curl -fsSLo /usr/local/bin/yq https://github.com/mikefarah/yq/releases/download/v4.44.1/yq_linux_${TARGETARCH}
    ```

    Fix safety
    The fix writes `${TARGETARCH}` (or `$(uname -m)` for `x86_64`/`aarch64` names in a RUN)
    and adds `ARG TARGETARCH` to the stage. It is unsafe: it guesses that the vendor names its
    other builds the same way, which must be checked.

    References
    - https://docs.docker.com/build/building/multi-platform/
    - https://docs.docker.com/reference/dockerfile/#automatic-platform-args-in-the-global-scope
    - `dflint verify` proves, after the push, that each platform's image holds binaries
      for that platform: https://github.com/dflint/dflint#after-you-push
    """

    code = "DF306"
    name = "hardcoded-arch-download"
    severity = Severity.WARNING
    platforms = ("linux",)
    fixable = True
    blocks = True

    def check_file(self, ctx: RuleContext) -> Iterator[Violation]:
        seen: set[tuple[int, int]] = set()
        for facts in stages_where_arch_matters(ctx.analysis, ctx.targets):
            for instruction in facts.stage.instructions:
                for site in download_sites(ctx, instruction):
                    key = (site.span.line, site.span.column)
                    if key in seen:
                        continue
                    seen.add(key)
                    violation = self._violation(ctx, facts, site)
                    if violation is not None:
                        yield violation

    # --- the finding ---------------------------------------------------------------------

    def _violation(
        self, ctx: RuleContext, facts: StageFacts, site: DownloadSite
    ) -> Violation | None:
        arch = site.literal.arch
        # another architecture than the file says it is for: DF311's error, when it is enabled
        covered_by = (
            _OWN_ARCH_RULE
            if left_to_own_arch_check(ctx.analysis, ctx.targets, facts, arch, build_flag=False)
            else frozenset()
        )
        if stage_arch(facts) == arch:
            # FROM --platform=linux/amd64: the stage only ever runs on amd64, so a tool it
            # downloads to run is right (what it builds for the image is DF307's question)
            return None
        others = [p for p in ctx.targets.platforms if p.split("/", 1)[-1] != arch]
        if not others:
            return None  # every target is this architecture: the literal is intended
        fix = self._fix(ctx, site)
        if fix is not None:
            hint = f"use `{fix.edits[0].replacement}`"
            if len(fix.edits) > 1:
                hint += " and declare `ARG TARGETARCH` in the stage"
        else:
            hint = (
                "map `${TARGETARCH}` (or `dpkg --print-architecture`, `uname -m`) to the "
                "vendor's name for each architecture in a `case`"
            )
        if site.in_folder:
            # a folder on the image named for the CPU: another architecture's is elsewhere
            consequence = (
                f", the {arch} folder: built for {', '.join(others)} it does not exist (that "
                "architecture's files are in its own)"
            )
        else:
            consequence = (
                f": every platform gets the {arch} build, but the targets include "
                f"{', '.join(others)}"
            )
        return Violation(
            site.span,
            f"{site.what} names `{site.literal.token}`{consequence}; {hint}",
            platform=",".join(others),
            breaks=True,
            fix=fix,
            covered_by=covered_by,
        )

    def _fix(self, ctx: RuleContext, site: DownloadSite) -> Fix | None:
        form = target_form(site.literal.token, site.fix_in_shell)
        if form is None or site.quoted_single or site.span.line != site.span.end_line:
            return None
        replacement = form
        span = site.span
        edits = [Edit(span.line, span.column, span.end_line, span.end_column, replacement)]
        stage = ctx.analysis.facts(site.instruction)
        if "TARGETARCH" in replacement and stage is not None:
            # A global ARG sees the automatic platform ARGs; a stage must declare it.
            declared = ctx.analysis.lookup("TARGETARCH", site.instruction)
            if declared is None or declared.kind == "platform":
                edits.append(_add_arg(ctx, stage))
        return Fix(f"replace `{site.literal.token}` with `{replacement}`", tuple(edits), safe=False)


def _add_arg(ctx: RuleContext, facts: StageFacts) -> Edit:
    """`ARG TARGETARCH` on a new line after the stage's FROM."""
    line = facts.stage.from_instruction.end_line
    end = len(ctx.line_text(line)) + 1
    return Edit(line, end, line, end, "\nARG TARGETARCH")
