"""DF213 arch-specific-copy-source."""

from __future__ import annotations

from collections.abc import Iterator

from dflint.analyse.analysis import mount_sources
from dflint.analyse.arch import image_pin, per_arch_advice, repository_of
from dflint.core.findings import Severity
from dflint.lint.rule import Rule, RuleContext, Violation, line_span
from dflint.read.model import Instruction, Span


class ArchSpecificCopySource(Rule):
    """`COPY --from=` an image that exists for one CPU architecture only.

    What it does
    Finds `COPY --from=<image>` and `RUN --mount=…,from=<image>` naming an image (not a
    stage) whose name says it is built for one architecture: an official image's
    per-architecture namespace (`amd64/busybox`), or an architecture word in its tag or
    repository name (`tool:1.2-linux-amd64`), when a target platform has another
    architecture. Windows stages are exempt (Windows images are amd64 only).

    Why is this bad?
    BuildKit pulls a `--from` image for the platform being built, whatever stage copies from
    it. Built for arm64, `COPY --from=amd64/busybox /bin/busybox /bin/` either fails ("no
    match for platform") or, for an image without an index, copies the amd64 binary into the
    arm64 image: the image builds and its program cannot run.

    Example
    ```dockerfile
    FROM alpine:3.20
    COPY --from=amd64/busybox:1.36 /bin/busybox /usr/local/bin/busybox
    ```

    Use instead
    ```dockerfile
    FROM alpine:3.20
    COPY --from=busybox:1.36 /bin/busybox /usr/local/bin/busybox
    ```

    Fix safety
    No automatic fix: whether the multi-architecture name holds the same files for every
    platform is for the image's publisher to say.

    References
    - https://docs.docker.com/reference/dockerfile/#copy---from
    - https://docs.docker.com/build/building/multi-platform/
    - `dflint verify` proves, after the push, that each platform's image holds binaries
      for that platform: https://github.com/dflint/dflint#after-you-push
    """

    code = "DF213"
    name = "arch-specific-copy-source"
    severity = Severity.WARNING
    platforms = ("linux",)
    nodes = frozenset({"COPY", "RUN"})
    blocks = True

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        if instruction.keyword == "COPY":
            sources = [("--from=", value) for value in instruction.flag_values("from")]
        else:
            sources = [("from=", value) for value in mount_sources(instruction)]
        if not sources:
            return
        facts = ctx.analysis.facts(instruction)
        if facts is None or facts.os == "windows":
            return
        for written, image in sources:
            if ctx.analysis.stage_by_name(image) is not None:
                continue  # a stage of this file: its own platform rules apply
            pin = image_pin(image)
            if pin is None:
                continue
            others = ctx.targets.other_than(pin.arch)
            if not others:
                continue  # the file's own architecture, or only targets of that one
            yield Violation(
                _span(ctx, instruction, written + image),
                _message(ctx, instruction, image, pin.arch, pin.multi_arch, others),
                platform=",".join(others),
                breaks=True,
            )


def _span(ctx: RuleContext, instruction: Instruction, text: str) -> Span:
    """Where the flag naming the image is written (the instruction when it cannot be found)."""
    for line in range(instruction.start_line, instruction.end_line + 1):
        at = ctx.line_text(line).find(text)
        if at >= 0:
            return line_span(ctx, line, at, at + len(text))
    return instruction.span


def _message(
    ctx: RuleContext,
    instruction: Instruction,
    image: str,
    arch: str,
    multi_arch: str | None,
    others: list[str],
) -> str:
    if instruction.keyword == "COPY":
        how, effect = "copies from", "every platform's image gets its"
    else:
        how, effect = "mounts", "on every platform the command runs with its"
    text = (
        f"`{instruction.keyword}` {how} `{image}`, built for {arch} only, but the targets "
        f"include {', '.join(others)}: {effect} {arch} files"
    )
    own = ctx.targets.own
    if own is not None and own.layout:
        multi = multi_arch or f"<a multi-arch tag of {repository_of(image)}>"
        flag = "COPY --from" if instruction.keyword == "COPY" else "from"
        return f"{own.describe()}: {text}; " + per_arch_advice(
            ctx.targets, multi, f"`{flag}={multi}`"
        )
    if multi_arch:
        return f"{text}; use the multi-arch `{multi_arch}`"
    return f"{text}; use the image's multi-arch tag"
