"""DF212 target-arch-as-image-namespace."""

from __future__ import annotations

from collections.abc import Iterator

from dflint import lazyre
from dflint.analyse.targets import arch_of
from dflint.core.archnames import ARCH_NAMESPACES
from dflint.core.findings import Edit, Fix, Severity
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.read.model import Instruction

# `${TARGETARCH}/debian`: a Docker Hub namespace taken from an architecture argument.
_NAMESPACE = lazyre.compile(r"\A\$\{?(?P<name>(?:TARGET|BUILD)ARCH)\}?/(?P<rest>[^\s/]+)\Z")
# The official images' namespace for each architecture, as Docker names it.
_OFFICIAL = {
    arch: namespace for namespace, arch in ARCH_NAMESPACES.items() if namespace != "winamd64"
}


class TargetArchAsImageNamespace(Rule):
    """`FROM ${TARGETARCH}/debian`: an architecture argument used as a Docker Hub namespace.

    What it does
    Finds a `FROM` image whose Docker Hub namespace is `$TARGETARCH` or `$BUILDARCH`, when
    a target's architecture is not itself an official namespace.

    Why is this bad?
    Docker names architectures `amd64`, `arm64`, `arm`, `386`; the official images'
    per-architecture namespaces are `amd64`, `arm64v8`, `arm32v7`, `i386`. So
    `${TARGETARCH}/debian` works for amd64 and fails for arm64 (`arm64/debian` does not
    exist: "pull access denied"). It is also needless: `FROM debian` already pulls the
    image of the platform being built.

    Example
    ```dockerfile
    FROM ${TARGETARCH}/debian:bookworm-slim
    RUN apt-get update
    ```

    Use instead
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update
    ```

    Fix safety
    The fix removes the namespace, leaving the multi-architecture official image. It is
    safe: for amd64 that is the same image `amd64/debian` was, and the others failed.

    References
    - https://github.com/docker-library/official-images#architectures-other-than-amd64
    - https://docs.docker.com/reference/dockerfile/#automatic-platform-args-in-the-global-scope
    """

    code = "DF212"
    name = "target-arch-as-image-namespace"
    severity = Severity.ERROR
    platforms = ("linux",)
    nodes = frozenset({"FROM"})
    fixable = True
    blocks = True

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        facts = ctx.analysis.facts(instruction)
        if facts is None or facts.os == "windows":
            return
        match = _NAMESPACE.match(facts.stage.image)
        if match is None:
            return
        broken = []
        for target in ctx.targets.platforms:
            arch = arch_of(target).split("/", 1)[0]
            if arch not in ARCH_NAMESPACES:  # arm64, arm, 386: not namespaces
                broken.append((target, arch))
        if not broken:
            return
        rest = match.group("rest")
        shown = ", ".join(
            f"`{arch}/{rest}` for {target}"
            + (
                f" (the namespace is `{_OFFICIAL[target.split('/', 1)[1]]}`)"
                if target.split("/", 1)[1] in _OFFICIAL
                else ""
            )
            for target, arch in broken
        )
        yield Violation(
            instruction.span,
            f"`{facts.stage.image}` is {shown}, which does not exist: Docker's architecture "
            f"names are not the official images' namespaces; `FROM {rest}` already pulls the "
            "image of the platform being built",
            platform=",".join(target for target, _ in broken),
            fix=_fix(ctx, instruction, facts.stage.image, rest),
            breaks=True,
        )


def _fix(ctx: RuleContext, instruction: Instruction, image: str, rest: str) -> Fix | None:
    line = instruction.start_line
    text = ctx.line_text(line)
    at = text.find(image)
    if at < 0 or instruction.end_line != line:
        return None
    edit = Edit(line, at + 1, line, at + 1 + len(image), rest)
    return Fix(f"use the multi-architecture `{rest}`", (edit,), safe=True)
