"""DF307 hardcoded-arch-build-flag."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from dflint.analysis import PLATFORM_ARGS, StageFacts
from dflint.arch import (
    DOCKER_ARCH,
    Dispatches,
    has_literal,
    literals,
    stages_where_arch_matters,
)
from dflint.findings import Edit, Fix, Severity
from dflint.model import Instruction, Span
from dflint.rule import Rule, RuleContext, Violation
from dflint.shell import Command, Script, program_name, script_text, shell_view
from dflint.shell.source import argument_text

# Go's GOARCH values are Docker's TARGETARCH values, so `GOARCH=$TARGETARCH` is exact.
_GO_ARCHES = frozenset({"amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64"})
# Variables that choose the architecture a build produces.
_ARCH_VARIABLES = frozenset(
    {
        "GOARCH",
        "CARGO_BUILD_TARGET",
        "RUST_TARGET",
        "NPM_CONFIG_ARCH",
        "NPM_CONFIG_TARGET_ARCH",
        "DOTNET_RUNTIME_IDENTIFIER",
        "RUNTIME_IDENTIFIER",
    }
)
# Options whose value names a target architecture or triple, by program ("" = any).
_VALUE_OPTIONS: dict[str, frozenset[str]] = {
    "dotnet": frozenset({"-r", "--runtime", "-a", "--arch"}),
    "": frozenset(
        {"--target", "--host", "--build", "--platform", "--arch", "--target-arch", "--target_arch"}
    ),
}
_PROPERTY = re.compile(r"[-/]p:(?:RuntimeIdentifiers?|PlatformTarget)=(\S+)", re.I)
# Cheap tests before parsing: a variable that picks the architecture, or an option that
# can name one together with an architecture name somewhere in the text.
_VARIABLE_HINT = re.compile(
    r"GOARCH|CARGO_BUILD_TARGET|RUST_TARGET|npm_config_|RUNTIME_IDENTIFIER", re.I
)
_OPTION_HINT = re.compile(
    r"--target|--host=|--build=|--platform|--arch|\s-[ar]\s|RuntimeIdentifier|\brustup\b"
)


@dataclass(frozen=True, slots=True)
class _Site:
    span: Span
    token: str  # the arch literal
    what: str  # "GOARCH=amd64", "dotnet -r linux-x64", ...
    go: bool  # a GOARCH value: ${TARGETARCH} is exact
    instruction: Instruction


class HardcodedArchBuildFlag(Rule):
    """A compiler or packager told to build for one fixed CPU architecture.

    What it does
    Finds build settings that name an architecture: `GOARCH=amd64` (as an env prefix,
    `export`, ENV or ARG), `dotnet publish -r linux-x64` / `-a x64`,
    `cargo build --target x86_64-unknown-linux-gnu`, `rustup target add …`,
    `./configure --host=aarch64-linux-gnu`, `pip download --platform manylinux2014_x86_64`,
    `npm_config_arch=x64`. Settings inside an arch dispatch in the same RUN are correct, and
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
    adds `ARG TARGETARCH` to the stage; it is safe. Other flags have no automatic fix: .NET
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

    def check_file(self, ctx: RuleContext) -> Iterator[Violation]:
        seen: set[tuple[int, int]] = set()
        for facts in stages_where_arch_matters(ctx.analysis):
            for instruction in facts.stage.instructions:
                if instruction.keyword == "RUN":
                    sites = _run(ctx, instruction)
                elif instruction.keyword in ("ENV", "ARG"):
                    sites = _setting(ctx, instruction)
                else:
                    continue
                for site in sites:
                    key = (site.span.line, site.span.column)
                    if key in seen:
                        continue
                    seen.add(key)
                    violation = _violation(ctx, facts, site)
                    if violation is not None:
                        yield violation


def _run(ctx: RuleContext, instruction: Instruction) -> Iterator[_Site]:
    text = script_text(instruction)
    if not _VARIABLE_HINT.search(text) and not (has_literal(text) and _OPTION_HINT.search(text)):
        return
    for script in shell_view(ctx.analysis, instruction).scripts:
        if script.dialect != "posix":
            continue
        dispatches = Dispatches(script)
        for assignment in script.assignments:
            if assignment.name.upper() not in _ARCH_VARIABLES:
                continue
            if dispatches.inside(assignment.conditions):
                continue
            text_at = script.text[assignment.start : assignment.end]
            value_at = text_at.find("=") + 1
            yield from _literal_sites(
                script,
                dispatches,
                instruction,
                assignment.start + value_at,
                text_at[value_at:],
                f"{assignment.name}={assignment.value}",
                go=assignment.name.upper() == "GOARCH",
            )
        for command in script.commands:
            if dispatches.inside(command.conditions):
                continue
            yield from _command_sites(script, dispatches, instruction, command)


def _command_sites(
    script: Script, dispatches: Dispatches, instruction: Instruction, command: Command
) -> Iterator[_Site]:
    program = program_name(command.name)
    options = _VALUE_OPTIONS.get(program, frozenset()) | _VALUE_OPTIONS[""]
    words = command.words
    for index, word in enumerate(words):
        value = word.value
        option, equals, inline = value.partition("=")
        if not equals and ":" in value and value.startswith("-"):
            option, _, inline = value.partition(":")
            equals = ":"
        target = None
        if equals and option in options:
            target = (word.start + len(option) + 1, inline)
        elif value in options and index + 1 < len(words):
            following = words[index + 1]
            target = (following.start, following.text)
        elif program == "rustup" and index >= 2 and words[0].value == "target":
            target = (word.start, word.text)
        else:
            match = _PROPERTY.search(value)
            if match is not None:
                target = (word.start + match.start(1), match.group(1))
        if target is None:
            continue
        if program == "rustup":
            shown = f"rustup target add {value}"
        elif equals or not value.startswith("-"):
            shown = f"{command.name} {value}"
        else:
            shown = f"{command.name} {value} {words[index + 1].value}"
        yield from _literal_sites(
            script, dispatches, instruction, target[0], target[1], shown, go=False
        )


def _literal_sites(
    script: Script,
    dispatches: Dispatches,
    instruction: Instruction,
    offset: int,
    text: str,
    what: str,
    go: bool,
) -> Iterator[_Site]:
    for literal in _arch_literals(text, go):
        start = offset + literal[1]
        if dispatches.covers(start):
            continue
        yield _Site(script.span(start, start + len(literal[0])), literal[0], what, go, instruction)


def _arch_literals(text: str, go: bool) -> list[tuple[str, int]]:
    """(token, offset) of architecture names; for GOARCH, Go's own `arm` and `386` too."""
    found = [(item.token, item.start) for item in literals(text)]
    if go and not found:
        bare = text.strip("'\"")
        if bare in _GO_ARCHES:
            found.append((bare, text.find(bare)))
    return found


def _setting(ctx: RuleContext, instruction: Instruction) -> Iterator[_Site]:
    pairs = (
        instruction.pairs()
        if instruction.keyword == "ENV"
        else [tuple(item.split("=", 1)) for item in instruction.args if "=" in item]
    )
    wanted = [
        (name, value)
        for name, value in pairs
        if name.upper() in _ARCH_VARIABLES and name not in PLATFORM_ARGS
    ]
    if not wanted:
        return
    piece = argument_text(ctx.dockerfile, instruction)
    for name, value in wanted:
        at = re.search(rf"(?:^|\s){re.escape(name)}(=|\s+)", piece.text)
        if at is None:
            continue
        go = name.upper() == "GOARCH"
        for token, offset in _arch_literals(value, go):
            start = at.end() + piece.text[at.end() :].find(value) + offset
            yield _Site(
                piece.map.span(start, start + len(token)),
                token,
                f"{instruction.keyword} {name}={value}",
                go,
                instruction,
            )


def _violation(ctx: RuleContext, facts: StageFacts, site: _Site) -> Violation | None:
    arch = DOCKER_ARCH.get(site.token.lower(), site.token.lower())
    others = [p for p in ctx.targets.platforms if p.split("/", 1)[-1].split("/")[0] != arch]
    if not others:
        return None
    fix = _fix(ctx, site) if site.go else None
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
        fix=fix,
    )


def _fix(ctx: RuleContext, site: _Site) -> Fix | None:
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
