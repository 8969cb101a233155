"""DF314 build-arch-download-in-image."""

from __future__ import annotations

from collections.abc import Iterator

from dflint import lazyre
from dflint.analyse.analysis import StageFacts
from dflint.analyse.arch import stage_on_build_platform
from dflint.analyse.shell import Script, script_text, shell_view
from dflint.analyse.shell.source import argument_text
from dflint.analyse.targets import final_chain
from dflint.core.findings import Edit, Fix, Severity
from dflint.lint.archsites import is_asset_word
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.read.model import Instruction, Span

_BUILD = lazyre.compile(r"\$\{?(BUILD(?:ARCH|OS|PLATFORM|VARIANT))\b")
_NAME = lazyre.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_BUILD_ARGS = frozenset({"BUILDARCH", "BUILDOS", "BUILDPLATFORM", "BUILDVARIANT"})


class BuildArchDownloadInImage(Rule):
    """A download named for the build machine's architecture in the image's own stages.

    What it does
    Finds URLs and files that RUN and ADD fetch, unpack or install whose name comes from
    `$BUILDARCH`, `$BUILDOS`, `$BUILDPLATFORM` or `$BUILDVARIANT` (directly, or through a
    shell variable, ARG or ENV set from one of them), in the final stage or a stage it is
    built FROM: stages whose files are the image. Stages only copied from (a build stage
    on `$BUILDPLATFORM` that fetches a compiler for the machine it runs on) are not judged.

    Why is this bad?
    The build machine is not the target: on an amd64 CI runner building
    `--platform linux/arm64`, `$BUILDARCH` is amd64, so the arm64 image gets the amd64
    binary. QEMU on the runner hides it until the image runs on an arm64 host.

    Example
    ```dockerfile
    FROM alpine:3.20
    ARG BUILDARCH
    RUN wget -O /usr/local/bin/tool "https://example.com/tool-linux-${BUILDARCH}"
    ```

    Use instead
    ```dockerfile
    FROM alpine:3.20
    ARG TARGETARCH
    RUN wget -O /usr/local/bin/tool "https://example.com/tool-linux-${TARGETARCH}"
    ```

    Fix safety
    The fix writes the TARGET argument for the BUILD one (`$TARGETARCH` for `$BUILDARCH`;
    both hold Docker's architecture names) and declares it in the stage. It is safe: in a
    stage that is built for the target, the target's name is the one meant.

    References
    - https://docs.docker.com/reference/dockerfile/#automatic-platform-args-in-the-global-scope
    - https://docs.docker.com/build/building/multi-platform/#cross-compilation
    """

    code = "DF314"
    name = "build-arch-download-in-image"
    severity = Severity.ERROR
    platforms = ("linux",)
    fixable = True
    blocks = True

    def check_file(self, ctx: RuleContext) -> Iterator[Violation]:
        analysis = ctx.analysis
        for facts in final_chain(analysis):
            if facts.os == "windows" or stage_on_build_platform(analysis, facts):
                continue  # on $BUILDPLATFORM the whole stage is DF208's error
            for instruction in facts.stage.instructions:
                if "BUILD" not in _text(instruction) and not _bound(ctx, instruction):
                    continue
                if instruction.keyword == "RUN":
                    yield from self._run(ctx, facts, instruction)
                elif instruction.keyword == "ADD":
                    yield from self._add(ctx, facts, instruction)

    def _run(
        self, ctx: RuleContext, facts: StageFacts, instruction: Instruction
    ) -> Iterator[Violation]:
        if "BUILD" not in script_text(instruction) and not _bound(ctx, instruction):
            return
        bound = _bound(ctx, instruction)
        for script in shell_view(ctx.analysis, instruction).scripts:
            if script.dialect != "posix":
                continue
            from_build = _shell_names(script, bound)
            for command in script.commands:
                for word in command.words:
                    names = {match for match in _NAME.findall(word.text)}
                    build = names & (_BUILD_ARGS | from_build | set(bound))
                    if not build or not is_asset_word(ctx, instruction, command, word):
                        continue
                    yield self._violation(ctx, facts, instruction, script, word.start, word.end)
                    break

    def _add(
        self, ctx: RuleContext, facts: StageFacts, instruction: Instruction
    ) -> Iterator[Violation]:
        bound = _bound(ctx, instruction)
        piece = argument_text(ctx.dockerfile, instruction)
        for source in instruction.args[:-1]:
            names = set(_NAME.findall(source))
            if names & (_BUILD_ARGS | set(bound)):
                offset = max(piece.text.find(source), 0)
                span = piece.map.span(offset, offset + len(source))
                yield self._report(ctx, facts, instruction, span, source)

    def _violation(
        self,
        ctx: RuleContext,
        facts: StageFacts,
        instruction: Instruction,
        script: Script,
        start: int,
        end: int,
    ) -> Violation:
        return self._report(
            ctx, facts, instruction, script.span(start, end), script.text[start:end]
        )

    def _report(
        self,
        ctx: RuleContext,
        facts: StageFacts,
        instruction: Instruction,
        span: Span,
        text: str,
    ) -> Violation:
        return Violation(
            span,
            f"`{text}` is named with {_which(text)}, the build machine's, but stage "
            f"{facts.stage.name} is the image: built on amd64 for linux/arm64 it gets the "
            "amd64 file; name it with $TARGETARCH (or $TARGETOS, $TARGETPLATFORM)",
            platform=None,
            fix=_fix(ctx, facts, instruction, span),
            breaks=True,
        )


def _which(text: str) -> str:
    names = sorted({match.group(1) for match in _BUILD.finditer(text)})
    if not names:
        return "a variable set from $BUILDARCH or another BUILD argument"
    return " and ".join(f"${name}" for name in names)


def _text(instruction: Instruction) -> str:
    """The instruction's line and its heredoc bodies, where a RUN's script may be."""
    return instruction.original + "".join("\n" + h.content for h in instruction.heredocs)


def _bound(ctx: RuleContext, instruction: Instruction) -> dict[str, str]:
    """ARG/ENV names in the instruction whose value comes from a BUILD argument."""
    found: dict[str, str] = {}
    for name in set(_NAME.findall(_text(instruction))):
        if name in _BUILD_ARGS:
            continue
        binding = ctx.analysis.lookup(name, instruction)
        if binding is not None and binding.unknown & _BUILD_ARGS:
            found[name] = binding.kind
    return found


def _shell_names(script: Script, bound: dict[str, str]) -> set[str]:
    """Shell variables set from a BUILD argument (directly or through another)."""
    names: set[str] = set()
    for assignment in script.assignments:
        used = set(_NAME.findall(assignment.value))
        if used & (_BUILD_ARGS | names | set(bound)):
            names.add(assignment.name)
    return names


def _fix(ctx: RuleContext, facts: StageFacts, instruction: Instruction, span: Span) -> Fix | None:
    if span.line != span.end_line:
        return None
    line = ctx.line_text(span.line)
    text = line[span.column - 1 : span.end_column - 1]
    replaced = _BUILD.sub(lambda m: m.group(0).replace("BUILD", "TARGET"), text)
    if replaced == text:
        return None  # through a variable: the author must change where it is set
    edits = [Edit(span.line, span.column, span.end_line, span.end_column, replaced)]
    for match in _BUILD.finditer(text):
        target = match.group(1).replace("BUILD", "TARGET")
        declared = ctx.analysis.lookup(target, instruction)
        if declared is None or declared.kind == "platform":
            end_line = facts.stage.from_instruction.end_line
            end = len(ctx.line_text(end_line)) + 1
            edit = Edit(end_line, end, end_line, end, f"\nARG {target}")
            if edit not in edits:
                edits.append(edit)
    return Fix("name it for the target platform", tuple(edits), safe=True)
