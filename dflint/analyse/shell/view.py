"""Which scripts an instruction runs, in which dialect, and nested scripts inside them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from dflint import lazyre
from dflint.analyse.shell.model import Assignment, Command, Dialect, Script, ShellView, Word
from dflint.analyse.shell.source import (
    Piece,
    SourceMap,
    argument_text,
    heredoc_body,
    join_pieces,
    json_strings,
)
from dflint.read.model import Instruction

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from dflint.analyse.analysis import Analysis

SHELL_KEYWORDS = frozenset({"RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK"})
POSIX_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"})
POWERSHELLS = frozenset({"powershell", "pwsh"})
# Nesting deeper than this is not real code (and bounds the work on hostile input).
_MAX_DEPTH = 4
_HEREDOC_ONLY = lazyre.compile(r"\s*(?:\d*<<-?\s*(?:\"[^\"]*\"|'[^']*'|[^\s<>&|;]+)\s*)+\Z")
_SHELL_READS_STDIN = lazyre.compile(
    r"\s*(?:\S*/)?(sh|bash|ash|dash|zsh)\b(?:\s+-[A-Za-z]+|\s+[-+]o\s+\w+)*\s*\d*<<"
)
_SHEBANG = lazyre.compile(r"#!\s*(\S+)(?:\s+(\S+))?")
_PS_VALUE_FLAGS = frozenset(
    {
        "-executionpolicy",
        "-ep",
        "-ex",
        "-outputformat",
        "-of",
        "-inputformat",
        "-if",
        "-windowstyle",
        "-w",
        "-configurationname",
        "-version",
        "-psconsolefile",
        "-workingdirectory",
        "-wd",
        "-settingsfile",
    }
)


def script_text(instruction: Instruction) -> str:
    """The text an instruction's shell would see (arguments and heredoc bodies), for cheap
    substring tests before asking for a parse; the keyword and flags are not in it."""
    if not instruction.heredocs:
        return instruction.arg_text
    return instruction.arg_text + "\n" + "".join(h.content for h in instruction.heredocs)


def program_name(word: str) -> str:
    """``C:\\Windows\\System32\\cmd.EXE`` → ``cmd``, ``/bin/bash`` → ``bash``."""
    # asked for every command by the readers and the rules: short names are kept
    return _kept_program_name(word) if len(word) <= 256 else _program_name(word)


@lru_cache(maxsize=1024)
def _kept_program_name(word: str) -> str:
    return _program_name(word)


def _program_name(word: str) -> str:
    return word.replace("\\", "/").rsplit("/", 1)[-1].lower().removesuffix(".exe")


# Programs that run the command after them (`env GOARCH=amd64 go build`, `sudo -E make`,
# `gosu app ./start`): the options of each that take a value, and how many words (a user, a
# duration) come before the command. Not chroot: its command runs in another root file
# system (`chroot /rootfs apt-get install` after debootstrap, on any base).
_PREFIX_PROGRAMS: dict[str, tuple[frozenset[str], int]] = {
    "env": (frozenset({"-u", "--unset", "-C", "--chdir"}), 0),
    "sudo": (frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T"}), 0),
    "doas": (frozenset({"-u", "-C"}), 0),
    "time": (frozenset({"-f", "--format", "-o", "--output"}), 0),
    "nice": (frozenset({"-n", "--adjustment"}), 0),
    "ionice": (frozenset({"-c", "-n", "-p"}), 0),
    "nohup": (frozenset(), 0),
    "exec": (frozenset({"-a"}), 0),
    "command": (frozenset(), 0),
    "stdbuf": (frozenset({"-i", "-o", "-e"}), 0),
    "timeout": (frozenset({"-s", "--signal", "-k", "--kill-after"}), 1),
    "gosu": (frozenset(), 1),
    "su-exec": (frozenset(), 1),
}
# Options with which the prefix program only describes the command (`command -v`, below).
_ONLY_DESCRIBES: dict[str, frozenset[str]] = {
    "sudo": frozenset({"-l", "--list", "-e", "--edit", "-V", "--version", "-h", "--help"}),
    "env": frozenset({"--help", "--version"}),
}
_ENV_SETTING = lazyre.compile(r"([A-Za-z_][A-Za-z0-9_]*)=")


def unwrapped(command: Command) -> Command:
    """The command a prefix program runs: `sudo -u x env GOARCH=amd64 go build` is `go build`
    with `GOARCH=amd64` added to its ``env``. A command without a prefix is returned as is."""
    run = command
    while (known := _PREFIX_PROGRAMS.get(prefix := program_name(run.name))) is not None:
        options, positional = known
        words = run.words
        settings: list[Assignment] = []
        at = 0
        while at < len(words):
            value = words[at].value
            setting = _ENV_SETTING.match(value) if prefix == "env" else None
            if value in options:
                at += 2
            elif value.startswith("-"):
                if value in _ONLY_DESCRIBES.get(prefix, ()) or (
                    prefix == "command" and ("v" in value or "V" in value)
                ):
                    return run  # `command -v apk`, `sudo -l apk`: asks, runs nothing
                at += 1
            elif positional:
                positional -= 1
                at += 1
            elif setting is not None:
                word = words[at]
                settings.append(
                    Assignment(
                        setting.group(1),
                        value[setting.end() :],
                        word.start,
                        word.end,
                        run.conditions,
                        True,
                        word.source,
                    )
                )
                at += 1
            else:
                break
        if at >= len(words):
            return run  # `sudo -v`, `env`: nothing runs after the prefix
        name = words[at]
        run = replace(
            run,
            name=name.value,
            words=words[at + 1 :],
            name_start=name.start,
            name_end=name.end,
            env=run.env + tuple(settings),
        )
    return run


def dialect_of(shell: Sequence[str]) -> Dialect | None:
    """The dialect a SHELL list runs; None for a shell dflint does not read."""
    program = _interpreter(shell)
    if program in POSIX_SHELLS:
        return "posix"
    if program in POWERSHELLS:
        return "powershell"
    if program == "cmd":
        return "cmd"
    return None


def shell_view(analysis: Analysis, instruction: Instruction) -> ShellView:
    """The scripts a RUN/CMD/ENTRYPOINT/HEALTHCHECK runs, parsed once and cached.

    Never raises for any shell text; a script the parsers cannot fully read has
    ``errors`` set and keeps what could be read. ONBUILD triggers get an empty view: they
    run in another build, under that build's shell.
    """
    cache = analysis._shell_views
    found = cache.get(instruction)
    if found is None:
        found = _build(analysis, instruction)
        cache[instruction] = found
    return found


def parser_failures(analysis: Analysis) -> list[str]:
    """The exceptions dflint's shell parsers raised on the scripts parsed so far (bugs in
    dflint, kept apart from scripts that are merely broken), one message each."""
    found = []
    for view in analysis._shell_views.values():
        for script in view.scripts:
            if script.failure is not None:
                line = script.map.position(0)[0]
                found.append(
                    f"the {script.dialect} parser failed on line {line} ({script.origin}): "
                    f"{script.failure}"
                )
    return found


def _build(analysis: Analysis, instruction: Instruction) -> ShellView:
    keyword = instruction.keyword
    if keyword not in SHELL_KEYWORDS:
        return ShellView((), [])
    piece = argument_text(analysis.dockerfile, instruction)
    if keyword == "HEALTHCHECK":
        match = re.match(r"\s*cmd\s+", piece.text, re.I)
        if match is None:
            return ShellView((), [])  # HEALTHCHECK NONE
        piece = Piece(piece.text[match.end() :], piece.map.slice(match.end(), len(piece.text)))
    scripts: list[Script] = []
    if instruction.json:
        strings = json_strings(piece)
        if not strings:
            return ShellView((), [])
        shell = tuple(item.text for item in strings)
        exec_script = _exec_script(strings)
        exec_script.interpreter = program_name(strings[0].text)
        scripts.append(exec_script)
    else:
        shell = tuple(analysis.shell(instruction))
        dialect = dialect_of(shell)
        if dialect is None:
            return ShellView(shell, [])
        interpreter = _interpreter(shell)
        if keyword == "RUN" and instruction.heredocs and dialect == "posix":
            scripts.extend(_heredoc_scripts(analysis, instruction, piece, dialect, interpreter))
        else:
            script = parse(dialect, piece, "shell form")
            script.interpreter = interpreter
            scripts.append(script)
    result: list[Script] = []
    for script in scripts:
        _collect(script, result, 0)
    return ShellView(shell, result)


def _interpreter(shell: Sequence[str]) -> str:
    """The program of a SHELL list, seen through `env` and `busybox`."""
    items = list(shell)
    if items and program_name(items[0]) == "env":
        items = [item for item in items[1:] if "=" not in item and not item.startswith("-")]
    if not items:
        return ""
    program = program_name(items[0])
    if program == "busybox" and len(items) > 1:
        return program_name(items[1])
    return program


# Scripts already read in this process, by dialect, origin and text: Dockerfiles of one
# project repeat the same RUN lines (a variant per version or base), and a script read again
# at another place only needs its map changed. Bounded: the oldest half goes when full.
_READ: dict[tuple[Dialect, str, str], Script] = {}
_READ_LIMIT = 512
_KEPT_SIZE = 65536


def parse(dialect: Dialect, piece: Piece, origin: str) -> Script:
    """One script in one dialect (exec form excepted)."""
    key = (dialect, origin, piece.text)
    found = _READ.get(key)
    if found is not None:
        return found.relocated(piece.map)
    script = _parse(dialect, piece, origin)
    if len(piece.text) > _KEPT_SIZE or script.failure is not None:
        # a huge script is not kept past its file, and a reader that raised (a dflint bug)
        # is asked again, so that each place reports the failure
        return script
    if len(_READ) >= _READ_LIMIT:
        for old in list(_READ)[: _READ_LIMIT // 2]:
            del _READ[old]
    _READ[key] = script  # relocation reads what the parse found, not parent or interpreter
    return script


def forget_scripts() -> None:
    """Empty the cache of scripts read (benchmarks time passes that share nothing)."""
    _READ.clear()


def _parse(dialect: Dialect, piece: Piece, origin: str) -> Script:
    # The readers load on first use: a lint run that parses no shell pays nothing for them.
    from dflint.analyse.shell import posix, powershell

    if dialect == "posix":
        return posix.parse_posix(piece.text, piece.map, origin)
    if dialect == "powershell":
        return powershell.parse_powershell(piece.text, piece.map, origin)
    if dialect == "cmd":
        return _parse_cmd(piece, origin)
    raise ValueError(dialect)


def _parse_cmd(piece: Piece, origin: str) -> Script:
    from dflint.analyse.shell import cmd

    script = cmd.parse_cmd(piece.text, piece.map, origin)
    # A `powershell -Command …` inside owns its `$` syntax: re-read the variables without it.
    owned = [
        (command.words[0].start, command.end)
        for command in script.commands
        if program_name(command.name) in POWERSHELLS and command.words
    ]
    if owned:
        script.variables.clear()
        cmd.add_variables(script, owned)
    return script


def _exec_script(strings: list[Piece]) -> Script:
    joined = join_pieces(strings)
    script = Script("exec", "exec form", joined.text, joined.map)
    offset = 0
    words: list[Word] = []
    for index, item in enumerate(strings):
        start, end = offset, offset + len(item.text)
        if index:
            words.append(Word(item.text, item.text, start, end, joined.map))
        offset = end + 1
    first = strings[0]
    script.commands.append(
        Command(
            name=first.text,
            words=tuple(words),
            start=0,
            end=len(joined.text),
            name_start=0,
            name_end=len(first.text),
            conditions=(),
            env=(),
            source=joined.map,
        )
    )
    return script


def _heredoc_scripts(
    analysis: Analysis,
    instruction: Instruction,
    piece: Piece,
    dialect: Dialect,
    interpreter: str,
) -> list[Script]:
    dockerfile = analysis.dockerfile
    heredocs = instruction.heredocs
    scripts: list[Script] = []
    if _HEREDOC_ONLY.match(piece.text):
        # `RUN <<EOF`: each body is the script, run by the shell or by its #! line
        for heredoc in heredocs:
            body = heredoc_body(dockerfile, heredoc.start_line, heredoc.end_line)
            found = _shebang(body.text, dialect, interpreter)
            if found is not None:
                script = parse(found[0], body, f"heredoc <<{heredoc.name}")
                script.interpreter = found[1]
                scripts.append(script)
        return scripts
    # The line with its bodies, as the shell reads them (bodies are data to the line).
    bodies = heredoc_body(dockerfile, heredocs[0].start_line, heredocs[-1].end_line + 1)
    combined = join_pieces([piece, bodies], "\n")
    line_script = parse(dialect, combined, "shell form")
    line_script.interpreter = interpreter
    scripts.append(line_script)
    reader = _SHELL_READS_STDIN.match(piece.text)
    if reader is not None:
        for heredoc in heredocs:
            body = heredoc_body(dockerfile, heredoc.start_line, heredoc.end_line)
            script = parse("posix", body, f"heredoc <<{heredoc.name}")
            script.interpreter = reader.group(1)
            scripts.append(script)
    return scripts


def _shebang(text: str, dialect: Dialect, interpreter: str) -> tuple[Dialect, str] | None:
    """The dialect and program a heredoc script runs under (its #! line wins)."""
    match = _SHEBANG.match(text)
    if match is None:
        return dialect, interpreter
    program = program_name(match.group(1))
    if program == "env" and match.group(2):
        program = program_name(match.group(2))
    if program in POSIX_SHELLS:
        return "posix", program
    if program in POWERSHELLS:
        return "powershell", program
    return None  # python, node, …: not a shell script


# --- scripts inside scripts ----------------------------------------------------------------


def _collect(script: Script, into: list[Script], depth: int) -> None:
    into.append(script)
    if depth >= _MAX_DEPTH:
        return
    for command in list(script.commands):
        run = unwrapped(command)  # `sudo sh -c '…'` runs a script too
        program = program_name(run.name)
        if program not in POSIX_SHELLS and program not in POWERSHELLS and program != "cmd":
            continue
        found = inline_script(program, _argument_pieces(script, run))
        if found is None:
            continue
        dialect, piece, origin = found
        nested = parse(dialect, piece, origin)
        nested.parent = script
        nested.interpreter = "ash" if program == "busybox" else program
        _collect(nested, into, depth + 1)


def _argument_pieces(script: Script, command: Command) -> list[Piece]:
    """The command's arguments as the program receives them, each mapped to the file."""
    if script.dialect == "exec":
        return [Piece(word.value, script.map.slice(word.start, word.end)) for word in command.words]
    if script.dialect == "cmd":
        if not command.words:
            return []
        start = command.words[0].start
        return _windows_argv(script.text[start : command.end], start, script.map)
    from dflint.analyse.shell import posix, powershell

    unquote = posix.unquote if script.dialect == "posix" else powershell.unquote
    pieces: list[Piece] = []
    for word in command.words:
        value, offsets = unquote(word.text)
        pieces.append(Piece(value, script.map.derive([word.start + o for o in offsets])))
    return pieces


def _windows_argv(text: str, base: int, source: SourceMap) -> list[Piece]:
    """Split a command line as the Microsoft C runtime does (quotes, ``\\"``)."""
    pieces: list[Piece] = []
    chars: list[str] = []
    offsets: list[int] = []
    quoted = False
    started = False
    index = 0
    size = len(text)

    def flush() -> None:
        nonlocal chars, offsets, started
        if started:
            pieces.append(Piece("".join(chars), source.derive(offsets)))
        chars, offsets, started = [], [], False

    while index < size:
        char = text[index]
        if char == "\\":
            run = index
            while run < size and text[run] == "\\":
                run += 1
            count = run - index
            if run < size and text[run] == '"':
                for k in range(count // 2):
                    chars.append("\\")
                    offsets.append(base + index + k)
                if count % 2:
                    chars.append('"')
                    offsets.append(base + run)
                    index = run + 1
                else:
                    index = run
                started = True
                continue
            for k in range(count):
                chars.append("\\")
                offsets.append(base + index + k)
            index = run
            started = True
            continue
        if char == '"':
            if quoted and text[index + 1 : index + 2] == '"':
                chars.append('"')
                offsets.append(base + index)
                index += 2
                continue
            quoted = not quoted
            started = True
            index += 1
            continue
        if char in " \t" and not quoted:
            flush()
            index += 1
            continue
        # a run of plain characters is copied as one slice
        match = (_ARGV_QUOTED_SPECIAL if quoted else _ARGV_SPECIAL).search(text, index + 1)
        stop = size if match is None else match.start()
        chars.append(text[index:stop])
        offsets.extend(range(base + index, base + stop))
        started = True
        index = stop
    flush()
    return pieces


# Where a run of plain characters ends in a Windows command line, outside and inside quotes.
_ARGV_SPECIAL = lazyre.compile(r'[\\" \t]')
_ARGV_QUOTED_SPECIAL = lazyre.compile(r'[\\"]')


def inline_script(program: str, args: list[Piece]) -> tuple[Dialect, Piece, str] | None:
    """The script a shell program runs from its arguments: ``sh -c 'x'``,
    ``powershell -Command x y``, ``cmd /S /C x``. None when it runs a file or stdin."""
    if program == "busybox":
        if not args or program_name(args[0].text) not in POSIX_SHELLS - {"busybox"}:
            return None
        program, args = program_name(args[0].text), args[1:]
    if program in POSIX_SHELLS:
        return _posix_inline(program, args)
    if program in POWERSHELLS:
        return _powershell_inline(program, args)
    if program == "cmd":
        return _cmd_inline(args)
    return None


def _posix_inline(program: str, args: list[Piece]) -> tuple[Dialect, Piece, str] | None:
    seen_c = False
    index = 0
    while index < len(args):
        text = args[index].text
        if text in ("-o", "+o", "-O", "+O"):
            index += 2
            continue
        if text == "--":
            index += 1
            break
        if len(text) > 1 and text[0] in "-+":
            seen_c = seen_c or "c" in text[1:]
            index += 1
            continue
        break
    if seen_c and index < len(args):
        return "posix", args[index], f"{program} -c string"
    return None


def _powershell_inline(program: str, args: list[Piece]) -> tuple[Dialect, Piece, str] | None:
    index = 0
    while index < len(args):
        lowered = args[index].text.lower()
        if lowered in ("-command", "-c") or (len(lowered) >= 3 and "-command".startswith(lowered)):
            rest = args[index + 1 :]
            if not rest:
                return None
            return "powershell", join_pieces(rest), f"{program} -Command string"
        if lowered in _PS_VALUE_FLAGS:
            index += 2
            continue
        if lowered.startswith("-") and (
            "-file".startswith(lowered) or "-encodedcommand".startswith(lowered)
        ):
            return None  # a script file, or base64 text dflint cannot read
        if lowered.startswith("-"):
            index += 1
            continue
        # Windows PowerShell runs the rest as a command; pwsh treats it as a script file.
        if program == "powershell":
            return "powershell", join_pieces(args[index:]), f"{program} command"
        return None
    return None


def _cmd_inline(args: list[Piece]) -> tuple[Dialect, Piece, str] | None:
    strip_quotes = False
    for index, item in enumerate(args):
        lowered = item.text.lower()
        if not lowered.startswith("/"):
            return None
        switches = [part for part in lowered.split("/") if part]
        if "s" in switches:
            strip_quotes = True
        if "c" in switches or "k" in switches:
            rest = args[index + 1 :]
            if not rest:
                return None
            piece = join_pieces(rest)
            if strip_quotes and len(piece.text) >= 2 and piece.text[0] == piece.text[-1] == '"':
                piece = Piece(piece.text[1:-1], piece.map.slice(1, len(piece.text) - 1))
            return "cmd", piece, "cmd /C string"
    return None
