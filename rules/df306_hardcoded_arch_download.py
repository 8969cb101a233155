"""DF306 hardcoded-arch-download."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from dflint.analysis import PLATFORM_ARGS, Binding, StageFacts
from dflint.arch import (
    Dispatches,
    Literal,
    has_literal,
    literals,
    stage_arch,
    stages_where_arch_matters,
    target_form,
)
from dflint.findings import Edit, Fix, Severity
from dflint.model import Instruction, Span
from dflint.rule import Rule, RuleContext, Violation
from dflint.shell import (
    Assignment,
    Command,
    Script,
    VariableRef,
    Word,
    program_name,
    script_text,
    shell_view,
)
from dflint.shell.source import argument_text

# Programs that fetch what their arguments name.
_DOWNLOADERS = frozenset(
    {"curl", "wget", "aria2c", "fetch", "invoke-webrequest", "iwr", "start-bitstransfer"}
)
# Programs whose file arguments are the downloaded asset (unpacked, installed, moved).
_ASSET_COMMANDS = frozenset(
    {
        "tar",
        "unzip",
        "gunzip",
        "xz",
        "bzip2",
        "7z",
        "dpkg",
        "apt",
        "apt-get",
        "rpm",
        "yum",
        "dnf",
        "microdnf",
        "zypper",
        "apk",
        "install",
        "mv",
        "cp",
        "ln",
        "chmod",
        "sh",
        "bash",
        "sha256sum",
        "sha512sum",
        "gpg",
        "grep",
        "expand-archive",
    }
)
_FILE_NAME = re.compile(
    r"\.(?:tar|tgz|tbz2?|txz|zip|gz|xz|bz2|zst|deb|rpm|apk|msi|exe|appimage|bin|run|jar|sh)\b",
    re.I,
)
_URL = "://"


@dataclass(frozen=True, slots=True)
class _Site:
    """One literal to report: where, what it is in, and how to fix it."""

    span: Span
    literal: Literal
    what: str  # "the download URL", "the value of ARG PS_PACKAGE, …", ...
    instruction: Instruction  # the one the literal is written in
    fix_in_shell: bool  # the replacement lands in shell text (so $(uname -m) works)
    quoted_single: bool  # inside '…': no shell expansion there


class HardcodedArchDownload(Rule):
    """A download or asset name pinned to one CPU architecture.

    What it does
    Finds architecture names (`amd64`, `x86_64`, `arm64`, `aarch64`, `x64`, …) in the URLs
    and file names that RUN, ADD and COPY fetch, unpack or install, including those that
    reach them through an ARG or ENV value or a shell variable set in the same RUN. A name
    inside an arch dispatch in the same RUN (`case`/`if` on `dpkg --print-architecture`,
    `apk --print-arch`, `uname -m`, `rpm … %{ARCH}` or `$TARGETARCH`) is correct and is not
    reported; neither are Windows-only files (Windows images are amd64) and per-architecture
    files (`Dockerfile.arm64`, `…/amd64/Dockerfile`).

    Why is this bad?
    Built for another platform, the image still downloads the amd64 binary: the build
    either fails when the binary is first run, or succeeds and ships a program that cannot
    start (`exec format error`) on the other CPU.

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

    def check_file(self, ctx: RuleContext) -> Iterator[Violation]:
        seen: set[tuple[int, int]] = set()
        for facts in stages_where_arch_matters(ctx.analysis):
            for instruction in facts.stage.instructions:
                keyword = instruction.keyword
                if keyword == "RUN":
                    sites = self._run(ctx, instruction)
                elif keyword in ("ADD", "COPY") and not instruction.json:
                    sites = self._copy(ctx, instruction)
                else:
                    continue
                for site in sites:
                    key = (site.span.line, site.span.column)
                    if key in seen:
                        continue
                    seen.add(key)
                    violation = self._violation(ctx, facts, site)
                    if violation is not None:
                        yield violation

    # --- where the literals are -----------------------------------------------------------

    def _run(self, ctx: RuleContext, instruction: Instruction) -> Iterator[_Site]:
        text = script_text(instruction)
        bound = _bound_names(ctx, instruction, text)
        if not has_literal(text) and not bound:
            return
        for script in shell_view(ctx.analysis, instruction).scripts:
            if script.dialect == "exec":
                continue
            dispatches = Dispatches(script)
            index = _ScriptIndex(script)
            for command in script.commands:
                if dispatches.inside(command.conditions):
                    continue
                for word in command.words:
                    if not _is_asset_word(ctx, instruction, command, word):
                        continue
                    what = "The download URL" if _URL in word.value else "The file name"
                    yield from _script_sites(
                        instruction, script, dispatches, word.start, word.text, what
                    )
                    yield from _through_variables(ctx, instruction, index, word, dispatches, bound)
            for assignment in script.assignments:
                if _URL not in assignment.value or dispatches.inside(assignment.conditions):
                    continue
                text = script.text[assignment.start : assignment.end]
                what = f"The URL in `{assignment.name}`"
                yield from _script_sites(
                    instruction, script, dispatches, assignment.start, text, what
                )

    def _copy(self, ctx: RuleContext, instruction: Instruction) -> Iterator[_Site]:
        sources = instruction.args[:-1]
        if not sources:
            return
        piece = argument_text(ctx.dockerfile, instruction)
        for source in sources:
            offset = piece.text.find(source)
            expanded, _ = ctx.analysis.expand(source, instruction)
            if instruction.keyword == "COPY" and _URL in expanded:
                continue  # COPY cannot fetch URLs: BuildKit rejects it anyway
            if offset >= 0:
                for literal in literals(source):
                    start = offset + literal.start
                    what = "The URL" if _URL in source else "The source path"
                    yield _Site(
                        piece.map.span(start, start + len(literal.token)),
                        literal,
                        what,
                        instruction,
                        False,
                        False,
                    )
            for name in _names_in(source):
                binding = ctx.analysis.lookup(name, instruction)
                if binding is not None:
                    yield from _binding_sites(ctx, binding, f"a {instruction.keyword} source")

    # --- the finding ---------------------------------------------------------------------

    def _violation(self, ctx: RuleContext, facts: StageFacts, site: _Site) -> Violation | None:
        arch = site.literal.arch
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
        return Violation(
            site.span,
            f"{site.what} names `{site.literal.token}`: every platform gets the {arch} build, "
            f"but the targets include {', '.join(others)}; {hint}",
            platform=",".join(others),
            fix=fix,
        )

    def _fix(self, ctx: RuleContext, site: _Site) -> Fix | None:
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


def _bound_names(ctx: RuleContext, instruction: Instruction, text: str) -> dict[str, Binding]:
    """ARG/ENV names referenced in the text whose value holds an arch literal."""
    found: dict[str, Binding] = {}
    if "$" not in text:
        return found
    for name in _names_in(text):
        if name in found or name in PLATFORM_ARGS:
            continue
        binding = ctx.analysis.lookup(name, instruction)
        if binding is not None and binding.text and has_literal(binding.text):
            found[name] = binding
    return found


_NAME = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def _names_in(text: str) -> set[str]:
    return set(_NAME.findall(text))


def _is_asset_word(
    ctx: RuleContext, instruction: Instruction, command: Command, word: Word
) -> bool:
    value = word.value
    if value.startswith("-") and "=" not in value:
        return False
    if "$" in value:
        value = ctx.analysis.expand(value, instruction)[0]
    if _URL in value:
        return True
    program = program_name(command.name)
    if program in _DOWNLOADERS:
        return True
    return program in _ASSET_COMMANDS and bool(_FILE_NAME.search(value) or "/" in value)


def _script_sites(
    instruction: Instruction,
    script: Script,
    dispatches: Dispatches,
    offset: int,
    text: str,
    what: str,
) -> Iterator[_Site]:
    """The literals in script text at ``offset`` that no arch dispatch decides."""
    for literal in literals(text):
        start = offset + literal.start
        if dispatches.covers(start):
            continue
        yield _Site(
            script.span(start, start + len(literal.token)),
            literal,
            what,
            instruction,
            True,
            script.is_literal(start),
        )


class _ScriptIndex:
    """A script's variable references in source order and its assignments by name, so a
    word finds its references and their assignments by bisection."""

    __slots__ = ("assignments", "references", "script", "starts")

    def __init__(self, script: Script) -> None:
        self.script = script
        self.references = sorted(script.variables, key=lambda ref: ref.start)
        self.starts = [ref.start for ref in self.references]
        self.assignments: dict[str, list[Assignment]] = {}
        for item in sorted(script.assignments, key=lambda item: item.end):
            self.assignments.setdefault(item.name, []).append(item)

    def references_in(self, start: int, end: int) -> list[VariableRef]:
        return self.references[bisect_left(self.starts, start) : bisect_left(self.starts, end)]

    def last_assignment(self, name: str, before: int) -> Assignment | None:
        items = self.assignments.get(name)
        if not items:
            return None
        ends = [item.end for item in items]
        found = bisect_right(ends, before)
        return items[found - 1] if found else None


def _through_variables(
    ctx: RuleContext,
    instruction: Instruction,
    index: _ScriptIndex,
    word: Word,
    dispatches: Dispatches,
    bound: dict[str, Binding],
) -> Iterator[_Site]:
    """Literals that reach the word through `$name`: a shell variable set earlier in the
    script (`consulArch=amd64`) or an ARG/ENV value."""
    script = index.script
    for ref in index.references_in(word.start, word.end):
        assignment = index.last_assignment(ref.name, ref.start)
        if assignment is not None:
            if dispatches.inside(assignment.conditions):
                continue
            text = script.text[assignment.start : assignment.end]
            value_at = text.find("=") + 1
            what = f"`{assignment.name}` (used by a download)"
            yield from _script_sites(
                instruction, script, dispatches, assignment.start + value_at, text[value_at:], what
            )
            continue
        binding = bound.get(ref.name)
        if binding is not None:
            yield from _binding_sites(ctx, binding, "a download")


def _binding_sites(
    ctx: RuleContext, binding: Binding, user: str, depth: int = 0
) -> Iterator[_Site]:
    """The arch literals behind an ARG/ENV value, on the line that wrote them."""
    instruction = binding.instruction
    if instruction is None or binding.name in PLATFORM_ARGS or not binding.text:
        return
    if not has_literal(binding.text) or depth > 4:
        return
    piece = argument_text(ctx.dockerfile, instruction)
    text = piece.text
    key = re.search(rf"(?:^|\s){re.escape(binding.name)}(=|\s+)", text)
    if key is None:
        return
    value_start = key.end()
    value_end = _value_end(text, value_start, instruction)
    raw = text[value_start:value_end]
    kind = binding.kind
    found = False
    for literal in literals(raw):
        found = True
        start = value_start + literal.start
        yield _Site(
            piece.map.span(start, start + len(literal.token)),
            literal,
            f"{kind} {binding.name} (used by {user})",
            instruction,
            False,
            False,
        )
    if found:
        return
    for name in _names_in(raw):  # the literal came from another ARG (A=amd64; B=x-$A)
        inner = ctx.analysis.lookup(name, instruction)
        if inner is not None:
            yield from _binding_sites(ctx, inner, user, depth + 1)


def _value_end(text: str, start: int, instruction: Instruction) -> int:
    if instruction.keyword == "ENV" and instruction.pair_separator == "":
        return len(text)  # legacy `ENV NAME value…`: the rest of the line
    quote = ""
    index = start
    while index < len(text):
        char = text[index]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char.isspace():
            break
        index += 1
    return index
