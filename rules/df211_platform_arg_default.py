"""DF211 platform-arg-default."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dflint.analyse.shell.source import argument_text
from dflint.analyse.targets import arch_of
from dflint.core.findings import Edit, Fix, Severity
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.read.model import Instruction

# The automatic arguments that describe the target, and what of a platform each holds.
_TARGET_ARGS = ("TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT")
_SOURCE = (
    "BuildKit's dispatchArg (frontend/dockerfile/dockerfile2llb/convert.go) keeps an ARG's "
    "default unless `--build-arg` names it; the automatic value only fills a bare `ARG NAME`"
)
_GLOBAL_SOURCE = (
    "BuildKit's buildMetaArgs (frontend/dockerfile/dockerfile2llb/convert.go) replaces the "
    "automatic value with the default unless `--build-arg` names it, for the FROM lines "
    "and every stage that declares it"
)


class PlatformArgDefault(Rule):
    """A default value given to an automatic platform argument (`ARG TARGETARCH=amd64`).

    What it does
    Finds `ARG TARGETARCH=…`, `ARG TARGETOS=…`, `ARG TARGETPLATFORM=…` and
    `ARG TARGETVARIANT=…` with a constant default, before the first FROM or in a stage,
    when a target platform has another value.

    Why is this bad?
    BuildKit sets these arguments from `--platform`, but a default wins over that value:
    in a stage, `dispatchArg` (frontend/dockerfile/dockerfile2llb/convert.go) uses the
    automatic value only for a bare `ARG TARGETARCH`, and before the first FROM,
    `buildMetaArgs` replaces the automatic value with the default. Only an explicit
    `--build-arg TARGETARCH=…` overrides it. So `docker buildx build --platform
    linux/arm64` still sees `amd64`: every build downloads or compiles for amd64.

    Example
    ```dockerfile
    FROM alpine:3.20
    ARG TARGETARCH=amd64
    RUN wget -O /usr/local/bin/tool "https://example.com/tool-linux-${TARGETARCH}"
    ```

    Use instead
    ```dockerfile
    FROM alpine:3.20
    ARG TARGETARCH
    RUN wget -O /usr/local/bin/tool "https://example.com/tool-linux-${TARGETARCH}"
    ```

    Fix safety
    The fix removes the default. It is unsafe: a build that relied on the default without
    `--platform` (a plain `docker build` on another machine) now gets the machine's own
    value.

    References
    - https://docs.docker.com/reference/dockerfile/#automatic-platform-args-in-the-global-scope
    - https://github.com/moby/buildkit/blob/master/frontend/dockerfile/dockerfile2llb/convert.go
    """

    code = "DF211"
    name = "platform-arg-default"
    severity = Severity.WARNING
    nodes = frozenset({"ARG"})
    fixable = True
    blocks = True

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        for item in instruction.args:
            name, equals, value = item.partition("=")
            if not equals or name not in _TARGET_ARGS or "$" in value:
                continue
            default = value.strip("\"'")
            others = _others(name, default, ctx.targets.platforms)
            if not others:
                continue
            in_global = ctx.analysis.facts(instruction) is None
            yield Violation(
                instruction.span,
                f"`ARG {name}={value}` pins {name} to `{default}` for every build that does "
                f"not pass `--build-arg {name}=…`, `--platform {others[0]}` included ("
                f"{_GLOBAL_SOURCE if in_global else _SOURCE}); declare it as `ARG {name}`",
                platform=",".join(others),
                fix=_fix(ctx, instruction, item),
                breaks=_used(ctx, instruction, name),
            )


def _others(name: str, default: str, targets: tuple[str, ...]) -> list[str]:
    """The targets for which the automatic value would differ from the default."""
    found = []
    for target in targets:
        os_name = target.split("/", 1)[0]
        arch = arch_of(target)
        value = {
            "TARGETPLATFORM": target,
            "TARGETOS": os_name,
            "TARGETARCH": arch.split("/", 1)[0],
            "TARGETVARIANT": arch.split("/", 1)[1] if "/" in arch else "",
        }[name]
        if value != default:
            found.append(target)
    return found


def _used(ctx: RuleContext, instruction: Instruction, name: str) -> bool:
    pattern = re.compile(rf"\${{?{name}\b")
    after = False
    for item in ctx.dockerfile.instructions:
        if item is instruction:
            after = True
        elif after and pattern.search(item.original):
            return True
    return False


def _fix(ctx: RuleContext, instruction: Instruction, item: str) -> Fix | None:
    if instruction.start_line != instruction.end_line:
        return None
    piece = argument_text(ctx.dockerfile, instruction)
    at = piece.text.find(item)
    if at < 0:
        return None
    name = item.partition("=")[0]
    start = at + len(name)
    span = piece.map.span(start, at + len(item))
    if span.line != span.end_line:
        return None
    edit = Edit(span.line, span.column, span.end_line, span.end_column, "")
    return Fix(f"declare `ARG {name}` without a default", (edit,), safe=False)
