"""DF004 invalid-instruction."""

from __future__ import annotations

from collections.abc import Iterator

from dflint.analyse.fromline import from_value
from dflint.core.findings import Severity
from dflint.core.reference import ReferenceError, parse_reference
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.read.instructions import go_quote
from dflint.read.model import Instruction, Stage


class InvalidInstruction(Rule):
    """An instruction BuildKit refuses, so the file does not build at all.

    What it does
    Checks every instruction the way BuildKit does after reading the lines: the number of
    arguments (`WORKDIR` with none, `COPY onlyone`, `FROM a b`), the flags each instruction
    accepts (an unknown flag such as `--chmodd`, a flag given twice, `--link=maybe`), their
    values (`RUN --mount` specs, `--network`, `--security`, `HEALTHCHECK` durations and
    `--retries`, `COPY --chmod`, `ADD --checksum`, `EXPOSE` ports, `STOPSIGNAL` names),
    `KEY=value` forms (`ENV =value`), `SHELL` in JSON form, `ONBUILD` triggers (no `FROM`,
    `MAINTAINER` or `ONBUILD ONBUILD`), a heredoc as `COPY` destination, instructions other
    than `ARG` before the first `FROM`, lines over 65,535 bytes, an unparseable `# check=`
    directive, and what BuildKit checks when it sets up the stages: a `FROM` image that is
    blank or not a valid reference once its ARGs are expanded, and `COPY --from` or
    `RUN --mount=from=` naming the same stage or a later one. The message gives
    BuildKit's reason and what to write instead.

    Why is this bad?
    `docker build` stops with "dockerfile parse error" before running anything: nothing
    else in the file matters until this is fixed. Values that come from `$VARIABLES` are
    judged by BuildKit only at build time and are left alone here.

    Example
    ```dockerfile
    FROM alpine:3.20
    COPY --chmodd=755 entrypoint.sh /usr/local/bin/
    HEALTHCHECK --interval=50ns CMD wget -q -O- http://localhost/
    ```

    Use instead
    ```dockerfile
    FROM alpine:3.20
    COPY --chmod=755 entrypoint.sh /usr/local/bin/
    HEALTHCHECK --interval=30s CMD wget -q -O- http://localhost/
    ```

    Fix safety
    No automatic fix: which argument or flag was meant is the author's call; the message
    names the likely one.

    References
    - https://docs.docker.com/reference/dockerfile/
    - https://github.com/moby/buildkit/blob/master/frontend/dockerfile/instructions/parse.go
    """

    code = "DF004"
    name = "invalid-instruction"
    severity = Severity.ERROR

    def check_file(self, ctx: RuleContext) -> Iterator[Violation]:
        for problem in ctx.dockerfile.problems:
            if problem.kind == "invalid-instruction":
                yield Violation(problem.span, problem.message)
        refused = {problem.span.line for problem in ctx.dockerfile.problems}
        stages = ctx.dockerfile.stages
        # the last stage of each name: once per file (a name per source was all the stages
        # per COPY, quadratic in a file of thousands of stages)
        aliases = {stage.alias: stage.index for stage in stages if stage.alias}
        for stage in stages:
            instruction = stage.from_instruction
            if instruction.start_line not in refused:
                yield from _base_name(ctx, stage.index, instruction)
            for item in stage.instructions:
                # only COPY --from and RUN --mount name a stage (most instructions: no flags)
                wanted = item.flags and item.keyword in ("COPY", "RUN")
                if wanted and item.start_line not in refused:
                    yield from _stage_order(ctx, stage.index, item, aliases)


def _stage_name(stage: Stage) -> str:
    return stage.alias if stage.alias is not None else f"stage-{stage.index}"


def _base_name(ctx: RuleContext, index: int, instruction: Instruction) -> Iterator[Violation]:
    """BuildKit's checks of the expanded FROM image (dockerfile2llb buildDispatchStates)."""
    written = instruction.args[0] if instruction.args else ""
    try:
        value, _undeclared = from_value(ctx.analysis, instruction, written)
    except LookupError:
        return  # a --build-arg may give the value
    if value == "":
        yield Violation(
            instruction.span,
            f"base name ({written}) should not be blank: declare the ARG it uses with a default "
            "before the first FROM (`ARG <name>=<image>`), or name the image",
        )
        return
    earlier = {stage.alias for stage in ctx.dockerfile.stages[:index] if stage.alias}
    if value == "scratch" or value in earlier or "$" in value:
        return
    try:
        parse_reference(value)
    except ReferenceError as exc:
        detail = str(exc)
        reason = "invalid reference format"
        if detail.startswith("repository name") and "lowercase" in detail:
            reason += f": {detail}"
        yield Violation(
            instruction.span,
            f"failed to parse stage name {go_quote(value)}: {reason}: write an image reference "
            "such as alpine:3.20 (lower case), or the name of an earlier stage",
        )


def _stage_order(
    ctx: RuleContext, index: int, instruction: Instruction, aliases: dict[str, int]
) -> Iterator[Violation]:
    """COPY --from / RUN --mount from= naming this stage or a later one (BuildKit's dispatch)."""
    stages = ctx.dockerfile.stages
    current = _stage_name(stages[index])
    sources: list[tuple[str, str | None]] = []
    if instruction.keyword == "COPY":
        sources = [(value, None) for value in instruction.flag_values("from")]
    elif instruction.keyword == "RUN":
        for mount in instruction.flag_values("mount"):
            fields = dict(part.partition("=")[::2] for part in mount.split(","))
            lowered = {key.lower(): value for key, value in fields.items()}
            if "from" in lowered:
                path = lowered.get("target", lowered.get("dst", lowered.get("destination", "")))
                sources.append((lowered["from"], path))
    for name, target in sources:
        if not name or "$" in name:
            continue
        if name.isdigit():
            source = int(name)
            if source >= len(stages):
                yield Violation(
                    instruction.span,
                    f"invalid stage index {source}: the file has {len(stages)} stage(s); "
                    "name the stage with AS and use the name",
                )
                continue
        else:
            found = aliases.get(name.lower())
            if found is None:
                continue  # an image
            source = found
        if source == index:
            yield Violation(
                instruction.span,
                f"circular dependency detected on stage: {current}: copy from an earlier stage",
            )
        elif source > index:
            if target is None:
                reason = (
                    f"cannot copy from stage {go_quote(name)}, it needs to be defined before "
                    f"current stage {go_quote(current)}"
                )
            else:
                reason = (
                    f"cannot mount from stage {go_quote(name)} to {go_quote(target)}, stage "
                    "needs to be defined before current command"
                )
            yield Violation(instruction.span, f"{reason}: move that stage above this one")
