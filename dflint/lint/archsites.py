"""Where a Dockerfile names a CPU architecture: in what it downloads, unpacks or copies
(:func:`download_sites`) and in what it tells a compiler to build for
(:func:`build_flag_sites`). DF306, DF307 and DF311 judge the same sites against different
architectures: the targets of a multi-architecture file, or a per-architecture file's own.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, replace

from dflint import lazyre
from dflint.analyse.analysis import PLATFORM_ARGS, Binding
from dflint.analyse.arch import (
    Dispatches,
    FoldedPattern,
    Literal,
    dispatches_of,
    has_literal,
    literals,
)
from dflint.analyse.shell import (
    Assignment,
    Command,
    Script,
    VariableRef,
    Word,
    program_name,
    script_text,
    shell_view,
    unwrapped,
)
from dflint.analyse.shell.source import Piece, argument_text, setting_value_start
from dflint.lint.rule import RuleContext
from dflint.read.model import Instruction, Span

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
_FILE_NAME = lazyre.compile(
    r"\.(?:tar|tgz|tbz2?|txz|zip|gz|xz|bz2|zst|deb|rpm|apk|msi|exe|appimage|bin|run|jar|sh)\b",
    re.I,
)
_URL = "://"


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
_PROPERTY = lazyre.compile(r"[-/]p:(?:RuntimeIdentifiers?|PlatformTarget)=(\S+)", re.I)
# Cheap tests before parsing: a variable that picks the architecture, or an option that
# can name one together with an architecture name somewhere in the text.
_VARIABLE_HINT = FoldedPattern(
    r"GOARCH|CARGO_BUILD_TARGET|RUST_TARGET|npm_config_|RUNTIME_IDENTIFIER"
)
_OPTION_WORDS = ("--target", "--host=", "--build=", "--platform", "--arch", "RuntimeIdentifier")
_SHORT_OPTION = lazyre.compile(r"\s-[ar]\s")
_RUSTUP = lazyre.compile(r"\brustup\b")


def _option_hint(text: str) -> bool:
    """An option that can name an architecture (substring tests first: a pattern without a
    literal start is tried at every position of a long RUN line)."""
    return (
        any(word in text for word in _OPTION_WORDS)
        or (("-a" in text or "-r" in text) and _SHORT_OPTION.search(text) is not None)
        or ("rustup" in text and _RUSTUP.search(text) is not None)
    )


@dataclass(frozen=True, slots=True)
class DownloadSite:
    """One literal to report: where, what it is in, and how to fix it."""

    span: Span
    literal: Literal
    what: str  # "the download URL", "the value of ARG PS_PACKAGE, …", ...
    instruction: Instruction  # the one the literal is written in
    fix_in_shell: bool  # the replacement lands in shell text (so $(uname -m) works)
    quoted_single: bool  # inside '…': no shell expansion there
    # in a folder of a path on the image (`ln -s /usr/lib/x86_64-linux-gnu/libz.so …`),
    # which does not exist on another architecture, rather than in what is fetched
    in_folder: bool = False


@dataclass(frozen=True, slots=True)
class FlagSite:
    """An architecture a build is told to compile for (``GOARCH=amd64``, ``-r linux-x64``)."""

    span: Span
    token: str  # the arch literal
    what: str  # "GOARCH=amd64", "dotnet -r linux-x64", ...
    go: bool  # a GOARCH value: ${TARGETARCH} is exact
    instruction: Instruction  # the one the literal is written in
    # the literal is written in the flag itself, not in a variable the flag reads
    # (`ARG T=x86_64-unknown-linux-gnu` … `cargo build --target $T`)
    direct: bool = True


def download_sites(ctx: RuleContext, instruction: Instruction) -> Iterator[DownloadSite]:
    """Architecture names in what a RUN, ADD or COPY downloads, unpacks, installs or copies,
    outside arch dispatches; through ARG/ENV values and shell variables too."""
    if instruction.keyword == "RUN":
        yield from _download_run(ctx, instruction)
    elif instruction.keyword in ("ADD", "COPY") and not instruction.json:
        yield from _download_copy(ctx, instruction)


def build_flag_sites(ctx: RuleContext, instruction: Instruction) -> Iterator[FlagSite]:
    """Architecture names in build settings (GOARCH=, --target, -r linux-x64, ...) of a RUN,
    ENV or ARG, outside arch dispatches."""
    if instruction.keyword == "RUN":
        yield from _flag_run(ctx, instruction)
    elif instruction.keyword in ("ENV", "ARG"):
        yield from _flag_setting(ctx, instruction)


def _download_run(ctx: RuleContext, instruction: Instruction) -> Iterator[DownloadSite]:
    text = script_text(instruction)
    bound = _bound_names(ctx, instruction, text)
    if not has_literal(text) and not bound:
        return
    for script in shell_view(ctx.analysis, instruction).scripts:
        if script.dialect == "exec":
            continue
        dispatches = dispatches_of(script)
        index = _ScriptIndex(script)
        for command in script.commands:
            if dispatches.inside(command.conditions):
                continue
            for word in command.words:
                if not has_literal(word.text) and not index.references_in(word.start, word.end):
                    continue  # no architecture name here, whatever the word is
                if not is_asset_word(ctx, instruction, command, word):
                    continue
                what = "The download URL" if _URL in word.value else "The file name"
                local = word.value.startswith("/")  # a path on the image, not a download
                yield from _script_sites(
                    instruction, script, dispatches, word.start, word.text, what, local
                )
                yield from _through_variables(ctx, instruction, index, word, dispatches, bound)
        for assignment in script.assignments:
            if _URL not in assignment.value or dispatches.inside(assignment.conditions):
                continue
            text = script.text[assignment.start : assignment.end]
            what = f"The URL in `{assignment.name}`"
            yield from _script_sites(instruction, script, dispatches, assignment.start, text, what)


def _download_copy(ctx: RuleContext, instruction: Instruction) -> Iterator[DownloadSite]:
    sources = instruction.args[:-1]
    # a literal written in a source, or one reaching it through `$NAME`: nothing else counts
    if not any("$" in source or has_literal(source) for source in sources):
        return
    piece = argument_text(ctx.dockerfile, instruction)
    # from another stage or image, an absolute source is a path on that image (from the
    # build context, a path in the context)
    on_image = instruction.flag("from") is not None
    for source in sources:
        offset = piece.text.find(source)
        expanded, _ = ctx.analysis.expand(source, instruction)
        if instruction.keyword == "COPY" and _URL in expanded:
            continue  # COPY cannot fetch URLs: BuildKit rejects it anyway
        if offset >= 0:
            last_slash = source.rfind("/") if on_image and source.startswith("/") else -1
            for literal in literals(source):
                start = offset + literal.start
                what = "The URL" if _URL in source else "The source path"
                yield DownloadSite(
                    piece.map.span(start, start + len(literal.token)),
                    literal,
                    what,
                    instruction,
                    False,
                    False,
                    literal.start < last_slash,
                )
        for name in _names_in(source):
            binding = ctx.analysis.lookup(name, instruction)
            if binding is not None:
                yield from binding_sites(ctx, binding, f"a {instruction.keyword} source")


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


_NAME = lazyre.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def _names_in(text: str) -> set[str]:
    return set(_NAME.findall(text))


def is_asset_word(ctx: RuleContext, instruction: Instruction, command: Command, word: Word) -> bool:
    """The word names what a command downloads, unpacks, installs or moves: a URL, any
    argument of a downloader, a file name or path given to an archive or package tool."""
    value = word.value
    if value.startswith("-") and "=" not in value:
        return False
    program = program_name(unwrapped(command).name)
    if program in _DOWNLOADERS:
        return True  # whatever the value expands to (so it is not expanded)
    if "$" in value:
        value = ctx.analysis.expand(value, instruction)[0]
    if _URL in value:
        return True
    return program in _ASSET_COMMANDS and bool(_FILE_NAME.search(value) or "/" in value)


def _script_sites(
    instruction: Instruction,
    script: Script,
    dispatches: Dispatches,
    offset: int,
    text: str,
    what: str,
    local_path: bool = False,
) -> Iterator[DownloadSite]:
    """The literals in script text at ``offset`` that no arch dispatch decides
    (``local_path``: the text is a path on the image)."""
    last_slash = text.rfind("/") if local_path else -1
    for literal in literals(text):
        start = offset + literal.start
        if dispatches.covers(start):
            continue
        in_folder = literal.start < last_slash
        yield DownloadSite(
            script.span(start, start + len(literal.token)),
            literal,
            "The path" if in_folder else what,
            instruction,
            True,
            script.is_literal(start),
            in_folder,
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
) -> Iterator[DownloadSite]:
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
            yield from binding_sites(ctx, binding, "a download")


def binding_sites(
    ctx: RuleContext, binding: Binding, user: str, depth: int = 0
) -> Iterator[DownloadSite]:
    """The arch literals behind an ARG/ENV value, on the line that wrote them."""
    instruction = binding.instruction
    if instruction is None or binding.name in PLATFORM_ARGS or not binding.text:
        return
    if not has_literal(binding.text) or depth > 4:
        return
    written = written_value(ctx, instruction, binding.name)
    if written is None:
        return
    instruction, piece, value_start = written
    text = piece.text
    value_end = _value_end(text, value_start, instruction)
    raw = text[value_start:value_end]
    kind = binding.kind
    found = False
    for literal in literals(raw):
        found = True
        start = value_start + literal.start
        yield DownloadSite(
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
            yield from binding_sites(ctx, inner, user, depth + 1)


def written_value(
    ctx: RuleContext, instruction: Instruction, name: str
) -> tuple[Instruction, Piece, int] | None:
    """The line that writes ``name``'s value, its text, and where the value starts:
    ``instruction`` itself, or, for a stage's ``ARG NAME`` without a value, the last global
    ARG (before the first FROM) that gives the default the stage takes."""
    candidates = [instruction]
    if instruction.keyword == "ARG" and instruction not in ctx.dockerfile.global_args:
        candidates += reversed(ctx.dockerfile.global_args)
    for candidate in candidates:
        piece = argument_text(ctx.dockerfile, candidate)
        value_start = setting_value_start(piece.text, name)
        if value_start is not None:
            return candidate, piece, value_start
    return None


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


def _flag_run(ctx: RuleContext, instruction: Instruction) -> Iterator[FlagSite]:
    text = script_text(instruction)
    variable_hint = _VARIABLE_HINT.found(text)
    if not variable_hint and not _option_hint(text):
        return
    bound = _bound_names(ctx, instruction, text)
    if not variable_hint and not bound and not has_literal(text):
        return
    for script in shell_view(ctx.analysis, instruction).scripts:
        if script.dialect != "posix":
            continue
        dispatches = dispatches_of(script)
        flag = _Flag(script, dispatches, instruction, _ScriptIndex(script), bound)
        for assignment in script.assignments:
            if assignment.name.upper() not in _ARCH_VARIABLES:
                continue
            if dispatches.inside(assignment.conditions):
                continue
            text_at = script.text[assignment.start : assignment.end]
            value_at = text_at.find("=") + 1
            yield from _flag_value_sites(
                ctx,
                flag,
                assignment.start + value_at,
                text_at[value_at:],
                f"{assignment.name}={assignment.value}",
                go=assignment.name.upper() == "GOARCH",
            )
        for command in script.commands:
            if dispatches.inside(command.conditions):
                continue
            yield from _command_sites(ctx, flag, command)


@dataclass(frozen=True, slots=True)
class _Flag:
    """Where a flag is read: its script, the dispatches in it, the RUN, and the variables
    its value may come through."""

    script: Script
    dispatches: Dispatches
    instruction: Instruction
    index: _ScriptIndex
    bound: dict[str, Binding]


def _command_sites(ctx: RuleContext, flag: _Flag, command: Command) -> Iterator[FlagSite]:
    run = unwrapped(command)
    # `env NAME=value` settings (prefix assignments are the script's own assignments)
    for setting in run.env[len(command.env) :]:
        if setting.name.upper() in _ARCH_VARIABLES:
            written = flag.script.text[setting.start : setting.end]
            value_at = written.find("=") + 1
            yield from _flag_value_sites(
                ctx,
                flag,
                setting.start + value_at,
                written[value_at:],
                f"{setting.name}={setting.value}",
                go=setting.name.upper() == "GOARCH",
            )
    name, words = run.name, run.words
    program = program_name(name)
    options = _VALUE_OPTIONS.get(program, frozenset()) | _VALUE_OPTIONS[""]
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
            shown = f"{name} {value}"
        else:
            shown = f"{name} {value} {words[index + 1].value}"
        yield from _flag_value_sites(ctx, flag, target[0], target[1], shown, go=False)


def _flag_value_sites(
    ctx: RuleContext, flag: _Flag, offset: int, text: str, what: str, go: bool
) -> Iterator[FlagSite]:
    """The architecture names in a flag's value at ``offset`` of the script, and those that
    reach it through `$NAME`: a shell variable set earlier, or an ARG/ENV value."""
    found = False
    for site in _flag_literal_sites(
        flag.script, flag.dispatches, flag.instruction, offset, text, what, go
    ):
        found = True
        yield site
    if found or "$" not in text:
        return
    for ref in flag.index.references_in(offset, offset + len(text)):
        assignment = flag.index.last_assignment(ref.name, ref.start)
        if assignment is not None:
            if flag.dispatches.inside(assignment.conditions):
                continue
            written = flag.script.text[assignment.start : assignment.end]
            value_at = written.find("=") + 1
            for site in _flag_literal_sites(
                flag.script,
                flag.dispatches,
                flag.instruction,
                assignment.start + value_at,
                written[value_at:],
                what,
                go,
            ):
                yield replace(site, direct=False)
            continue
        binding = flag.bound.get(ref.name)
        if binding is not None:
            for download in binding_sites(ctx, binding, what):
                yield FlagSite(
                    download.span,
                    download.literal.token,
                    what,
                    go,
                    download.instruction,
                    direct=False,
                )


def _flag_literal_sites(
    script: Script,
    dispatches: Dispatches,
    instruction: Instruction,
    offset: int,
    text: str,
    what: str,
    go: bool,
) -> Iterator[FlagSite]:
    for literal in _arch_literals(text, go):
        start = offset + literal[1]
        if dispatches.covers(start):
            continue
        yield FlagSite(
            script.span(start, start + len(literal[0])), literal[0], what, go, instruction
        )


def _arch_literals(text: str, go: bool) -> list[tuple[str, int]]:
    """(token, offset) of architecture names; for GOARCH, Go's own `arm` and `386` too."""
    found = [(item.token, item.start) for item in literals(text)]
    if go and not found:
        bare = text.strip("'\"")
        if bare in _GO_ARCHES:
            found.append((bare, text.find(bare)))
    return found


def _flag_setting(ctx: RuleContext, instruction: Instruction) -> Iterator[FlagSite]:
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
        value_start = setting_value_start(piece.text, name)
        if value_start is None:
            continue
        go = name.upper() == "GOARCH"
        for token, offset in _arch_literals(value, go):
            start = value_start + piece.text[value_start:].find(value) + offset
            yield FlagSite(
                piece.map.span(start, start + len(token)),
                token,
                f"{instruction.keyword} {name}={value}",
                go,
                instruction,
            )
