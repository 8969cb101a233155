"""DF207 unresolved-base-image."""

from __future__ import annotations

from collections.abc import Iterator

from dflint.core.findings import Severity
from dflint.core.platform import describe
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.read.model import Instruction


class UnresolvedBaseImage(Rule):
    """A `FROM` image whose platforms dflint could not find out.

    What it does
    Reports a base image when neither the cache, the registry nor the offline tables say which
    platforms it exists for, with the reason: the registry could not be reached or refused
    anonymous access, the tag does not exist, an ARG the image name depends on has no value,
    or dflint is offline and has never seen the image. It also reports a target platform
    that only an incomplete answer (an offline table that lists some platforms) cannot
    confirm.

    Why is this bad?
    An image whose platforms are unknown cannot be checked by DF201, so a build for another
    platform may fail where dflint said nothing. The finding is information, not an error;
    with `--strict` it fails the run, for CI jobs that must verify every base image.

    Example
    ```dockerfile
    FROM registry.example.com/team/base:1.4
    RUN make
    ```

    Use instead
    ```dockerfile
    FROM alpine:3.20
    RUN apk add --no-cache make
    ```

    Options
    `--strict` makes this finding fail the run. `offline`, `registry-mirrors`,
    `insecure-registries`, `cache-ttl` and `registry-timeout` decide where platforms come
    from; `dflint data import-official-images` adds a fuller offline table.

    References
    - https://distribution.github.io/distribution/spec/api/
    """

    code = "DF207"
    name = "unresolved-base-image"
    severity = Severity.INFO
    nodes = frozenset({"FROM"})
    needs_base_images = True

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        facts = ctx.analysis.facts(instruction)
        if facts is None or ctx.base_images is None:
            return
        base = ctx.base_images.for_stage(facts.stage.index)
        if base is None or base.resolution is None or base.kind not in ("image", "unknown"):
            return
        resolution = base.resolution
        if not resolution.known:
            yield Violation(
                instruction.span,
                f"cannot tell which platforms `{base.shown}` exists for: {resolution.reason}",
            )
            return
        if base.on_build_platform or resolution.complete:
            return
        wanted = base.wanted(ctx.targets.platforms)
        offered = {item.os for item in resolution.platforms}
        open_ = [item for item in wanted if item.os in offered and resolution.covers(item) is None]
        if open_:
            names = ", ".join(item.target for item in open_)
            yield Violation(
                instruction.span,
                f"cannot tell whether `{base.shown}` exists for {names}: "
                f"{resolution.source} lists only {describe(resolution.platforms)}"
                + (f" ({resolution.reason})" if resolution.reason else ""),
                platform=",".join(item.target for item in open_),
            )
