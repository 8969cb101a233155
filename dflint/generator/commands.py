"""One command line in one shell → the same command line in another shell.

The line is parsed strictly (``shellsyntax``); each simple command is then recognised as an
operation of the command map (``ls`` → list, ``rm -rf`` → remove-tree, ...), one of the few
commands handled here (``echo``, ``uname``, ``export``/``set``, downloads), or a program that
exists on both systems with the same command line (``go``, ``python``, ``curl``, ``tar``). It
is written out in the target shell with its paths and variables translated. Anything else
raises :class:`~dflint.generator.paths.Untranslatable`: the caller copies the line unchanged
and marks it, so nothing is half-translated.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from dflint import catalogue
from dflint.generator import commandmap, paths
from dflint.generator.paths import TargetOS, Untranslatable
from dflint.generator.shellsyntax import (
    Command,
    Dialect,
    Part,
    Redirect,
    Step,
    Word,
    drop_prefix,
    parse,
)

_SH_SAFE = re.compile(r"[A-Za-z0-9_./:=,@%+-]+\Z")
_SH_GLOB_SAFE = re.compile(r"[A-Za-z0-9_./:=,@%+*?\[\]-]+\Z")
_PS_SAFE = re.compile(r"[A-Za-z0-9_./:\\=+*?-]+\Z")
_CMD_SPECIAL = re.compile(r"[\s&|<>^()]")
_CMD_FLAG = re.compile(r"(?:/[A-Za-z](?::\S*)?)+\Z")
_SCRIPT_SUFFIXES = (".sh", ".bash", ".ps1", ".cmd", ".bat")


def _identity(text: str) -> str:
    return text


@dataclass(frozen=True, slots=True)
class Context:
    """Where a command line comes from and where it goes."""

    source_os: TargetOS
    source: Dialect
    target_os: TargetOS
    target: Dialect
    path_map: Mapping[str, str] = field(default_factory=dict)  # user paths: linux -> windows
    programs: frozenset[str] = frozenset()  # user-declared cross-platform programs
    # rewrites platform names in printed text ("Built as: linux/arm64" → windows/amd64)
    retarget: Callable[[str], str] = _identity
    # absolute paths the Dockerfile itself puts programs at (COPY destinations, go build -o):
    # a program run from one of them was built or copied for the target
    produced: frozenset[str] = frozenset()


def translate_line(text: str, ctx: Context) -> list[str]:
    """A shell-form command line in the target shell, as output lines.

    ``text`` holds the Dockerfile's continuation breaks as ``"\\n"``. Every line but the last
    ends where the escape character must be appended; layout (one command per line, the
    indentation) follows the source.
    """
    steps = parse(text, ctx.source)
    rendered: list[tuple[list[str], str | None, str | None]] = []
    for step in steps:
        outputs = _translate_command(step.command, ctx)
        # a line break before the command name (after its NAME=value prefixes) is kept
        name_break = step.command.name.break_before if step.command.name is not None else None
        for index, segments in enumerate(outputs):
            last = index == len(outputs) - 1
            op = _operator(step, ctx) if last else _and(ctx)
            brk = step.break_after if last else (name_break if index == len(outputs) - 2 else None)
            rendered.append((segments, op, brk))
    lines = [""]
    for segments, op, brk in rendered:
        lines[-1] += segments[0]
        lines.extend(segments[1:])
        if op is not None:
            lines[-1] += ("" if op.startswith(";") else " ") + op + " "
            if brk is not None:
                lines.append(brk)
    return lines


def _and(ctx: Context) -> str:
    return ";" if ctx.target == "powershell" else "&&"


def _operator(step: Step, ctx: Context) -> str | None:
    op = step.op
    if op is None:
        return None
    if ctx.target == "sh":
        if op in ("&&", "||", "|"):
            return op
        return "&&" if ctx.source == "powershell" else ";"  # cmd's & runs on regardless
    if ctx.target == "cmd":
        return {"&&": "&&", "||": "||", ";": "&", "&": "&", "|": "|"}[op]
    if op == "&&":
        # Windows PowerShell 5.1 has no &&: stop on a failed native command by hand.
        return "; if (-not $?) { exit 1 };"
    if op in (";", "&"):
        return ";"
    raise Untranslatable(f"`{op}` has no Windows PowerShell 5.1 counterpart")


# --- commands ----------------------------------------------------------------------------


def _program(command: Command, dialect: Dialect) -> str:
    """The name the catalogue knows the command by (a PowerShell alias as its cmdlet)."""
    program = command.program
    if dialect == "powershell":
        alias = catalogue.powershell_alias(program)
        if alias is not None and " " not in alias:
            return alias.lower()
    return program


def _translate_command(command: Command, ctx: Context) -> list[list[str]]:
    """The command as one or more target commands (prefix assignments become their own)."""
    outputs = [[_set_variable(name, value, ctx)] for name, value in command.assignments]
    if command.name is None:
        if command.redirects:
            raise Untranslatable("a redirection without a command")
        return outputs
    if command.out_null and ctx.target != "powershell":
        command.redirects.append(Redirect(">", Word([Part("NUL")], "NUL")))
    program = _program(command, ctx.source)
    handler = _HANDLERS.get((ctx.source, program))
    main: list[str] | None = None
    # A Windows line may be what the catalogue gives for a Linux command (dir /B is ls;
    # echo %PROCESSOR_ARCHITECTURE% %PROCESSOR_IDENTIFIER% is uname -a); that reading wins
    # over the general one for echo, while set and setx have their own meaning.
    if ctx.source_os != ctx.target_os and ctx.source != "sh" and program not in ("set", "setx"):
        main = _reverse_lookup(command, program, ctx)
    if main is None:
        main = handler(command, ctx) if handler is not None else _resolve(command, program, ctx)
    main = [*main[:-1], main[-1] + _redirects(command.redirects, ctx)]
    return [*outputs, main]


def is_produced(path: str, produced: frozenset[str]) -> bool:
    """``path`` is, or lies in a folder that is, a place the Dockerfile writes programs to."""
    normal = path.replace("\\", "/").rstrip("/")
    for item in produced:
        place = item.replace("\\", "/").rstrip("/")
        if normal == place or normal.startswith(place + "/"):
            return True
    return False


def _unknown(program: str, ctx: Context) -> Untranslatable:
    return Untranslatable(
        f"`{program}` is not in the command catalogue; if it exists on {ctx.target_os} with the "
        "same command line, list it in [tool.dflint.fix] commands"
    )


def _resolve(command: Command, program: str, ctx: Context) -> list[str]:
    """The command through the catalogue: kept where the target has it, else its equivalent."""
    name = command.name
    assert name is not None
    literal = name.literal or ""
    if "/" in literal or "\\" in literal:
        if literal.lower().endswith(_SCRIPT_SUFFIXES):
            raise Untranslatable(f"`{literal}` is a script for another shell")
        if not is_produced(literal, ctx.produced):
            raise Untranslatable(
                f"`{literal}` is a program of the {ctx.source_os} image; nothing in this "
                f"Dockerfile builds or copies it for {ctx.target_os}"
            )
        return _passthrough(command, program, ctx)
    entry = catalogue.lookup(program)
    if entry is not None and _installs_packages(entry):
        raise Untranslatable(
            f"`{program}` installs packages, which are named and packaged differently on "
            f"{ctx.target_os}"
        )
    if entry is None:
        if program in commandmap.CROSS_PLATFORM_PROGRAMS | ctx.programs:
            return _passthrough(command, program, ctx)
        if ctx.target_os == "windows" and program in commandmap.WINDOWS_PROGRAM_NAMES:
            return _passthrough(command, program, ctx)
        raise _unknown(program, ctx)
    flags, operands = _options(command, program, ctx.source)
    native = _native(entry, program, command, flags, ctx)
    equivalent = _equivalent(entry, flags, ctx)
    # Linux → Windows: a command Windows has itself (curl, tar, mkdir) keeps the user's
    # options. Windows → Linux: the same names mean other things in sh (type, dir, set),
    # so the catalogue's equivalent comes first.
    sh_way = entry.equivalents.get("sh")
    if ctx.source != "sh" and sh_way is not None:
        # The catalogue says sh does this job another way: another program (type → cat),
        # or the same one with options cmd does not need (mkdir → mkdir -p). A line that
        # already passes its own options (curl -o …) means the program itself.
        same_program = sh_way.split(" ", 1)[0].lower() == program
        native = native and same_program and _has_options(command)
    if native:
        return _passthrough(command, program, ctx)
    if equivalent is not None:
        return [_fill(equivalent, operands, entry.name, ctx)]
    own = entry.equivalents.get(ctx.source)
    if own is not None and ctx.target in entry.equivalents:
        raise Untranslatable(
            f"`{program}`: the command catalogue's {ctx.target} form is for `{own}` only"
        )
    if flags:
        raise Untranslatable(
            f"`{program} {' '.join(sorted(flags))}`: the command catalogue has no {ctx.target} "
            "form for these options"
        )
    raise Untranslatable(f"`{program}`: the command catalogue has no {ctx.target} equivalent")


def _has_options(command: Command) -> bool:
    return any((word.literal or "").startswith(("-", "/")) for word in command.args)


_INSTALLERS = frozenset({"choco", "winget", "msiexec", "scoop"})


def _installs_packages(entry: catalogue.CommandInfo) -> bool:
    """A package manager, or a command whose equivalent is one: not a translation."""
    if entry.name in catalogue.PACKAGE_MANAGERS or entry.name.lower() in _INSTALLERS:
        return True
    programs = {text.split(" ", 1)[0].lower() for text in entry.equivalents.values()}
    return bool(programs & (_INSTALLERS | set(catalogue.PACKAGE_MANAGERS)))


def _native(
    entry: catalogue.CommandInfo,
    program: str,
    command: Command,
    flags: frozenset[str],
    ctx: Context,
) -> bool:
    """The target shell runs this name as the same command, with these options."""
    if ctx.target not in entry.shells:
        return False
    args = [word.literal or word.raw for word in command.args]
    if catalogue.foreign_option(program, args, ctx.target) is not None:
        return False
    if ctx.target == "powershell" and catalogue.powershell_alias(program) is not None:
        if program in commandmap.POWERSHELL_ALIAS_MISMATCH:
            return "cmd" in entry.shells  # the program itself is there: curl.exe
        # PowerShell would run its alias (ls is Get-ChildItem), which takes other options;
        # the catalogue's cmdlet form says what is meant more plainly
        return not flags and entry.equivalents.get("powershell") is None
    return True


def _equivalent(entry: catalogue.CommandInfo, flags: frozenset[str], ctx: Context) -> str | None:
    """The catalogue's command line for the target, refined by the options used."""
    target: catalogue.ShellName = ctx.target
    if not flags:
        own = entry.equivalents.get(ctx.source)
        if ctx.source != "sh" and own is not None and _shape(own, ctx.source)[1]:
            # the equivalent is for a switch this line does not use (dir is not dir /B)
            return None
        return entry.equivalents.get(target)
    if ctx.source == "sh":
        for key in _option_keys(flags):
            form = entry.forms.get(key)
            if form is not None and target in form:
                return form[target]
    own = entry.equivalents.get(ctx.source)
    if own is not None and _shape(own, ctx.source)[1] == flags:
        return entry.equivalents.get(target)
    return None


def _option_keys(flags: frozenset[str]) -> list[str]:
    """The catalogue's spellings of a set of short options (``-rf``, ``-fr``)."""
    letters = sorted(flag[1:] for flag in flags if len(flag) == 2)
    if len(letters) != len(flags) or len(letters) > 3:
        return []
    return ["-" + "".join(order) for order in itertools.permutations(letters)]


def _options(command: Command, program: str, dialect: Dialect) -> tuple[frozenset[str], list[Word]]:
    args = command.args
    if dialect == "sh":
        if any(word.literal is None and word.raw.startswith("-") for word in args):
            raise Untranslatable(f"an option of {program} set by a variable")
        flags, positions = _sh_flags([word.literal or "" for word in args])
    elif dialect == "cmd":
        flags, positions = _cmd_flags(args)
    else:
        flags, positions = _ps_params(args)
    return flags, [args[index] for index in positions]


_PLACEHOLDERS = frozenset(
    {"FILE", "DIR", "DEST", "PATH", "URL", "NAME", "VALUE", "LINK", "TARGET", "NEW", "TEXT"}
)
_LIST_PLACEHOLDERS = frozenset({"FILE", "DIR", "PATH"})
# Placeholders the translator cannot fill (inside a larger word, or for things it does not
# know, like a user or a pattern): such a form is advice for people, not a translation.
_OPAQUE_PLACEHOLDER = re.compile(
    r"\b(?:FILE|DIR|DEST|PATH|URL|NAME|VALUE|PATTERN|COMMAND|USER|GROUP|MODE|PID|LINK|TARGET"
    r"|NEW|TEXT)\b|\.\.\.|(?<![\w/-])N(?![\w])"
)
# Two kinds of operand in one form: only a source-then-destination pair reads in the same
# order as the Linux command's operands (cp a b → copy a b; ln -s a b is *not* mklink a b).
_ORDERED_PAIRS = frozenset(
    {(first, second) for first in ("FILE", "DIR", "PATH") for second in ("DEST", "NEW")}
)


def _fill(text: str, operands: list[Word], name: str, ctx: Context) -> str:
    """The catalogue's command line with its placeholders replaced by the operands."""
    tokens = text.split(" ")
    slots = [index for index, token in enumerate(tokens) if token in _PLACEHOLDERS]
    for index, token in enumerate(tokens):
        if index not in slots and _OPAQUE_PLACEHOLDER.search(token):
            raise Untranslatable(f"`{name}`: the catalogue's {ctx.target} form is `{text}`")
    kinds = tuple(dict.fromkeys(tokens[index] for index in slots))
    if len(kinds) > 1 and (len(kinds) > 2 or kinds not in _ORDERED_PAIRS):
        raise Untranslatable(
            f"`{name}`: cannot tell which operand is which in the catalogue's form `{text}`"
        )
    rendered = [_word(word, ctx, "path") for word in operands]
    joiner = ", " if ctx.target == "powershell" else " "
    if not slots:
        return " ".join([*tokens, *rendered])
    if len(rendered) < len(slots) or (
        len(rendered) > len(slots) and tokens[slots[-1]] not in _LIST_PLACEHOLDERS
    ):
        raise Untranslatable(f"`{name}` with {len(rendered)} operands (the form is `{text}`)")
    for position, index in enumerate(slots):
        last = position == len(slots) - 1
        tokens[index] = joiner.join(rendered[position:]) if last else rendered[position]
    return " ".join(tokens)


def _shape(text: str, dialect: Dialect) -> tuple[str, frozenset[str], tuple[str, ...], int]:
    """A catalogue command line as (program, options, fixed operands, placeholder count)."""
    cached = _SHAPES.get((text, dialect))
    if cached is not None:
        return cached
    shape: tuple[str, frozenset[str], tuple[str, ...], int] = ("", frozenset(), (), 0)
    try:
        steps = parse(text, dialect)
    except Untranslatable:
        steps = []
    if len(steps) == 1 and steps[0].command.name is not None and not steps[0].command.redirects:
        command = steps[0].command
        program = _program(command, dialect)
        flags, operands = _options(command, program, dialect)
        slots = sum(1 for word in operands if word.raw in _PLACEHOLDERS)
        fixed = tuple(word.raw.lower() for word in operands if word.raw not in _PLACEHOLDERS)
        shape = (program, flags, fixed, slots)
    _SHAPES[(text, dialect)] = shape
    return shape


_SHAPES: dict[tuple[str, Dialect], tuple[str, frozenset[str], tuple[str, ...], int]] = {}


def _reverse_lookup(command: Command, program: str, ctx: Context) -> list[str] | None:
    """A Windows command line that the catalogue gives as the equivalent of a Linux one
    (``dir /B`` → ``ls``, ``echo %PROCESSOR_ARCHITECTURE% %PROCESSOR_IDENTIFIER%`` →
    ``uname -a``): the Linux command it stands for."""
    if ctx.target != "sh":
        return None
    try:
        flags, operands = _options(command, program, ctx.source)
    except Untranslatable:
        return None
    raws = tuple(word.raw.lower() for word in operands)
    for entry in catalogue.entries():
        if "sh" not in entry.shells or "sh" in entry.equivalents:
            continue  # only commands whose home is sh
        candidates = [(key, form.get(ctx.source)) for key, form in entry.forms.items()]
        candidates.append(("", entry.equivalents.get(ctx.source)))
        for key, text in candidates:
            if text is None:
                continue
            shape_program, shape_flags, fixed, slots = _shape(text, ctx.source)
            if shape_program != program or shape_flags != flags:
                continue
            if raws[: len(fixed)] != fixed or (fixed and len(raws) != len(fixed)):
                continue
            rest = operands[len(fixed) :]
            if slots and not rest:
                continue
            head = f"{entry.name} {key}".strip()
            return [" ".join([head, *(_word(word, ctx, "path") for word in rest)])]
    return None


def _passthrough(command: Command, program: str, ctx: Context) -> list[str]:
    """A program that exists on both systems: same arguments, paths and variables translated."""
    name = command.name
    assert name is not None
    segments = [_program_word(name, program, ctx)]
    for word in command.args:
        text = _word(word, ctx, "arg")
        if word.break_before is not None:
            segments[-1] += " "
            segments.append(word.break_before + text)
        else:
            segments[-1] += " " + text
    return segments


def _program_word(name: Word, program: str, ctx: Context) -> str:
    literal = name.literal
    if literal is None:
        raise Untranslatable(f"the command name {name.raw} is a variable")
    if literal.startswith(("./", ".\\")):
        rest = literal[2:]
        if ctx.target_os == "windows":
            return _quote(".\\" + rest.replace("/", "\\"), ctx)
        return _quote("./" + rest.replace("\\", "/"), ctx)
    if "/" in literal or "\\" in literal:
        return _quote(paths.translate(literal, ctx.target_os, ctx.path_map), ctx)
    if ctx.target_os == "windows":
        literal = commandmap.WINDOWS_PROGRAM_NAMES.get(literal, literal)
        if ctx.target == "powershell" and literal in commandmap.POWERSHELL_ALIAS_MISMATCH:
            return f"{literal}.exe"  # the program, not PowerShell's alias of the same name
    elif literal.lower().endswith(".exe"):
        literal = literal[:-4]
    # Linux names programs case-sensitively; cmd and PowerShell do not
    return _quote(literal if ctx.source == "sh" else literal.lower(), ctx)


def _sh_flags(words: list[str]) -> tuple[frozenset[str], list[int]]:
    """The options (``-rf`` as ``-r`` and ``-f``) and the positions of the operands."""
    flags: set[str] = set()
    operands: list[int] = []
    ended = False
    for index, word in enumerate(words):
        if ended or not word.startswith("-") or word == "-":
            operands.append(index)
        elif word == "--":
            ended = True
        elif word.startswith("--"):
            flags.add(word)
        else:
            flags.update(f"-{letter}" for letter in word[1:])
    return frozenset(flags), operands


def _cmd_flags(words: list[Word]) -> tuple[frozenset[str], list[int]]:
    flags: set[str] = set()
    operands: list[int] = []
    for index, word in enumerate(words):
        literal = word.literal
        if literal is not None and _CMD_FLAG.match(literal) and not word.parts[0].quoted:
            flags.update("/" + part for part in literal.lower().split("/") if part)
        else:
            operands.append(index)
    return frozenset(flags), operands


def _ps_params(words: list[Word]) -> tuple[frozenset[str], list[int]]:
    flags: set[str] = set()
    operands: list[int] = []
    index = 0
    while index < len(words):
        literal = words[index].literal
        lowered = (literal or "").lower()
        if literal is not None and lowered.startswith("-") and not words[index].parts[0].quoted:
            if lowered in commandmap.POWERSHELL_VALUE_PARAMETERS and index + 1 < len(words):
                flags.add(f"{lowered} {(words[index + 1].literal or '').lower()}")
                index += 2
                continue
            if lowered in commandmap.POWERSHELL_PATH_PARAMETERS and index + 1 < len(words):
                operands.append(index + 1)
                index += 2
                continue
            flags.add(lowered)
        else:
            operands.append(index)
        index += 1
    return frozenset(flags), operands


# --- words -------------------------------------------------------------------------------


def _variable(name: str, ctx: Context) -> str:
    if ctx.source_os == ctx.target_os:
        return name
    return paths.variable_name(name, ctx.target_os)


def _translated_parts(word: Word, ctx: Context, role: str) -> list[Part]:
    """The word's parts with its path and variable names in the target's spelling."""
    literal = word.literal
    if ctx.source_os == ctx.target_os:
        return list(word.parts)
    if literal is not None:
        # a glob stays unquoted so that the shell still expands it
        return [Part(_translate_literal(literal, ctx, role), quoted=not word.globbing)]
    parts: list[Part] = []
    after_variable = False
    for part in word.parts:
        if part.var:
            parts.append(Part(_variable(part.text, ctx), var=True))
            after_variable = True
            continue
        text = part.text
        if not parts and paths.looks_like_path(text, ctx.source_os):
            text = paths.translate(text, ctx.target_os, ctx.path_map)
        elif ctx.target_os == "linux":
            text = text.replace("\\", "/")
        elif role == "path" and after_variable:
            text = text.replace("/", "\\")
        parts.append(Part(text, quoted=part.quoted))
        after_variable = False
    return parts


def _translate_literal(text: str, ctx: Context, role: str) -> str:
    target = ctx.target_os
    if paths.looks_like_path(text, ctx.source_os):
        return paths.translate(text, target, ctx.path_map)
    if role == "path" or (ctx.source_os == "windows" and "\\" in text and not paths.is_url(text)):
        return paths.translate(text, target, ctx.path_map)
    name, equals, value = text.partition("=")
    if equals and name.startswith("-") and paths.looks_like_path(value, ctx.source_os):
        return f"{name}={paths.translate(value, target, ctx.path_map)}"
    return text


def _word(word: Word, ctx: Context, role: str) -> str:
    parts = _translated_parts(word, ctx, role)
    return _quote_parts(parts, ctx)


def _quote(text: str, ctx: Context) -> str:
    return _quote_parts([Part(text, quoted=True)], ctx)


def _quote_parts(parts: list[Part], ctx: Context) -> str:
    if ctx.target == "sh":
        return _sh_word(parts)
    if ctx.target == "cmd":
        return _cmd_word(parts)
    return _ps_word(parts)


def _sh_variable(name: str, following: str) -> str:
    return "${" + name + "}" if following[:1].isalnum() or following[:1] == "_" else "$" + name


def _sh_word(parts: list[Part]) -> str:
    pieces: list[str] = []
    quoted: list[str] = []

    def close() -> None:
        if quoted:
            pieces.append('"' + "".join(quoted) + '"')
            quoted.clear()

    for index, part in enumerate(parts):
        following = parts[index + 1].text if index + 1 < len(parts) else ""
        if part.var:
            quoted.append(_sh_variable(part.text, following))
            continue
        safe = _SH_SAFE if part.quoted else _SH_GLOB_SAFE
        if part.text and safe.match(part.text) and not quoted:
            pieces.append(part.text)
        else:
            quoted.append(re.sub(r'(["\\$`])', r"\\\1", part.text))
    close()
    return "".join(pieces) or '""'


def _sh_double_quoted(parts: list[Part]) -> str:
    out: list[str] = []
    for index, part in enumerate(parts):
        if part.var:
            following = parts[index + 1].text if index + 1 < len(parts) else ""
            out.append(_sh_variable(part.text, following))
        else:
            out.append(re.sub(r'(["\\$`])', r"\\\1", part.text))
    return '"' + "".join(out) + '"'


def _cmd_word(parts: list[Part]) -> str:
    out: list[str] = []
    for part in parts:
        if part.var:
            out.append(f"%{part.text}%")
            continue
        if '"' in part.text:
            raise Untranslatable("a double quote inside an argument (cmd has no escape for it)")
        if "%" in part.text:
            raise Untranslatable("a literal % (cmd has no escape for it on a command line)")
        out.append(part.text)
    text = "".join(out)
    if not text or _CMD_SPECIAL.search(text):
        return f'"{text}"'
    return text


def _ps_string(parts: list[Part]) -> str:
    """Always a string literal: a bare value after `=` would be read as an expression."""
    if all(not part.var for part in parts):
        return "'" + "".join(part.text for part in parts).replace("'", "''") + "'"
    text = _ps_word(parts)
    return text if text.startswith('"') else f'"{text}"'


def _ps_word(parts: list[Part]) -> str:
    if all(not part.var for part in parts):
        text = "".join(part.text for part in parts)
        if _PS_SAFE.match(text):
            return text
        return "'" + text.replace("'", "''") + "'"
    out: list[str] = []
    for index, part in enumerate(parts):
        if part.var:
            following = parts[index + 1].text if index + 1 < len(parts) else ""
            braced = following[:1].isalnum() or following[:1] in ("_", ":")
            out.append("${env:" + part.text + "}" if braced else "$env:" + part.text)
        else:
            out.append(re.sub(r'(["$`])', r"`\1", part.text))
    return '"' + "".join(out) + '"'


# --- redirections ------------------------------------------------------------------------

_NULL_DEVICES = frozenset({"/dev/null", "nul", "$null"})


def _redirects(redirects: list[Redirect], ctx: Context) -> str:
    out = ""
    for redirect in redirects:
        if redirect.target is None:
            out += " 2>&1"
            continue
        target = (redirect.target.literal or "").lower()
        if target in _NULL_DEVICES:
            if ctx.target == "powershell":
                if redirect.op not in (">", "2>"):
                    raise Untranslatable("an append to the null device")
                out += " | Out-Null" if redirect.op == ">" else " 2>$null"
                continue
            device = "NUL" if ctx.target == "cmd" else "/dev/null"
            out += f" {redirect.op}{device}" if ctx.target == "sh" else f" {redirect.op} {device}"
            continue
        if ctx.target == "powershell":
            raise Untranslatable("a file redirection (PowerShell 5.1 writes UTF-16)")
        out += f" {redirect.op} {_word(redirect.target, ctx, 'path')}"
    return out


# --- the commands handled here -----------------------------------------------------------


def _echo_parts(command: Command, ctx: Context) -> list[Part]:
    """What an echo prints, as literal text and variable references."""
    if ctx.source == "cmd":
        if command.redirects or not command.raw_rest:
            words = command.args
        else:
            return _cmd_text_parts(command.raw_rest.rstrip(" \t"))
    else:
        words = command.args
        if ctx.source == "sh" and words and (words[0].literal or "").startswith("-"):
            raise Untranslatable(f"echo {words[0].raw} (options differ between shells)")
    parts: list[Part] = []
    for index, word in enumerate(words):
        if index:
            parts.append(Part(" ", quoted=True))
        parts += word.parts
    return parts


def _cmd_text_parts(text: str) -> list[Part]:
    parts: list[Part] = []
    buffer: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "^" and index + 1 < len(text):
            buffer.append(text[index + 1])
            index += 2
            continue
        if char == "%":
            end = text.find("%", index + 1)
            name = text[index + 1 : end] if end > 0 else ""
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_()]*", name):
                raise Untranslatable("a `%` that is not a %VARIABLE% reference")
            if buffer:
                parts.append(Part("".join(buffer), quoted=True))
                buffer = []
            parts.append(Part(name, var=True))
            index = end + 1
            continue
        buffer.append(char)
        index += 1
    if buffer:
        parts.append(Part("".join(buffer), quoted=True))
    return parts


def _echo(command: Command, ctx: Context) -> list[str]:
    parts = _echo_parts(command, ctx)
    if ctx.source_os != ctx.target_os:
        parts = [
            Part(_variable(p.text, ctx), var=True)
            if p.var
            else Part(ctx.retarget(p.text), quoted=True)
            for p in parts
        ]
    if ctx.target == "sh":
        return [f"echo {_sh_double_quoted(parts)}" if parts else "echo"]
    if ctx.target == "powershell":
        return ["Write-Output " + (_ps_word(parts) if parts else "''")]
    return [_cmd_echo(parts)]


def _cmd_echo(parts: list[Part]) -> str:
    out: list[str] = []
    for part in parts:
        if part.var:
            out.append(f"%{part.text}%")
            continue
        if "%" in part.text or '"' in part.text:
            raise Untranslatable("echo of a literal % or double quote (cmd cannot print it as is)")
        out.append(re.sub(r"([&|<>^])", r"^\1", part.text))
    text = "".join(out).strip(" ")
    if not text:
        return "echo."
    if text.lower() in ("on", "off") or text.startswith("/?"):
        raise Untranslatable(f"echo {text} (cmd reads it as an option)")
    return f"echo {text}"


def _set_variable(name: str, value: Word, ctx: Context) -> str:
    """``NAME=value`` for the rest of the script, in the target shell."""
    if ctx.source_os != ctx.target_os:
        name = paths.assigned_name(name, ctx.target_os)
    parts = _value_parts(name, value, ctx)
    if ctx.target == "sh":
        return f"export {name}={_sh_word(parts)}"
    if ctx.target == "powershell":
        return f"$env:{name} = {_ps_string(parts)}"
    body = "".join(f"%{p.text}%" if p.var else p.text for p in parts)
    if '"' in body:
        raise Untranslatable("a double quote inside a variable's value")
    # the quoted form keeps the spaces before `&&` out of the value
    return f'set "{name}={body}"'


def _value_parts(name: str, value: Word, ctx: Context) -> list[Part]:
    if ctx.source_os == ctx.target_os:
        return list(value.parts)
    if not paths.is_path_list_name(name):
        return _translated_parts(value, ctx, "arg")
    source_sep, target_sep = (":", ";") if ctx.source_os == "linux" else (";", ":")
    parts: list[Part] = []
    for part in value.parts:
        if part.var:
            parts.append(Part(_variable(part.text, ctx), var=True))
            continue
        pieces = []
        for piece in part.text.split(source_sep):
            pieces.append(paths.translate(piece, ctx.target_os, ctx.path_map) if piece else piece)
        parts.append(Part(target_sep.join(pieces), quoted=True))
    return parts


def _export(command: Command, ctx: Context) -> list[str]:
    if not command.args:
        raise Untranslatable("export without a NAME=value")
    out: list[str] = []
    for word in command.args:
        match = re.match(r"([A-Za-z_][A-Za-z0-9_]*)=", word.raw)
        if match is None:
            raise Untranslatable(f"export {word.raw} (no value to set)")
        out.append(_set_variable(match.group(1), drop_prefix(word, len(match.group(0))), ctx))
    return [" && ".join(out)] if ctx.target == "cmd" else ["; ".join(out)]


def _cmd_set(command: Command, ctx: Context) -> list[str]:
    rest = command.raw_rest.strip(" \t")
    if not rest:
        return _resolve(command, "set", ctx)
    if rest.startswith("/"):
        raise Untranslatable(f"set {rest.split()[0]} (arithmetic or prompt)")
    quoted = rest.startswith('"') and rest.count('"') == 2 and rest.endswith('"')
    body = rest[1:-1] if quoted else rest
    name, equals, value = body.partition("=")
    if not equals or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise Untranslatable(f"set {rest}")
    parts = _cmd_text_parts(value)
    return [_set_variable(name, Word(parts or [Part("", quoted=True)], value), ctx)]


def _wget(command: Command, ctx: Context) -> list[str]:
    output: Word | None = None
    url: Word | None = None
    to_stdout = False
    args = command.args
    index = 0
    while index < len(args):
        text = args[index].literal
        if text in ("-q", "--quiet", "-nv", "--no-verbose"):
            index += 1
        elif text in ("-O", "-qO", "--output-document") and index + 1 < len(args):
            target = args[index + 1]
            to_stdout = target.literal == "-"
            output = None if to_stdout else target
            index += 2
        elif text in ("-O-", "-qO-"):
            to_stdout = True
            index += 1
        elif text is not None and text.startswith("--output-document="):
            value = text.split("=", 1)[1]
            to_stdout = value == "-"
            output = None if to_stdout else Word([Part(value)], value)
            index += 1
        elif url is None and (text is None or not text.startswith("-")):
            url = args[index]
            index += 1
        else:
            raise Untranslatable(f"wget {args[index].raw}")
    if url is None:
        raise Untranslatable("wget without a URL")
    words = ["-fsSL"]
    if output is not None:
        words += ["-o", _word(output, ctx, "path")]
    elif not to_stdout:
        words[0] += "O"
    program = "curl.exe" if ctx.target == "powershell" else "curl"
    return [" ".join([program, *words, _word(url, ctx, "arg")])]


def _invoke_webrequest(command: Command, ctx: Context) -> list[str]:
    url: Word | None = None
    output: Word | None = None
    args = command.args
    index = 0
    while index < len(args):
        text = (args[index].literal or "").lower()
        if text == "-usebasicparsing":
            index += 1
        elif text == "-uri" and index + 1 < len(args):
            url = args[index + 1]
            index += 2
        elif text == "-outfile" and index + 1 < len(args):
            output = args[index + 1]
            index += 2
        elif url is None and not text.startswith("-"):
            url = args[index]
            index += 1
        else:
            raise Untranslatable(f"Invoke-WebRequest {args[index].raw}")
    if url is None:
        raise Untranslatable("Invoke-WebRequest without -Uri")
    words = ["curl", "-fsSL"]
    if output is not None:
        words += ["-o", _word(output, ctx, "path")]
    return [" ".join([*words, _word(url, ctx, "arg")])]


def _setx(command: Command, ctx: Context) -> list[str]:
    raise Untranslatable(
        "setx in a command chain: it changes the environment of later steps, which only an "
        "ENV does on Linux"
    )


_Handler = Callable[[Command, Context], list[str]]
_HANDLERS: dict[tuple[Dialect, str], _Handler] = {
    ("sh", "echo"): _echo,
    ("sh", "export"): _export,
    ("sh", "wget"): _wget,
    ("cmd", "echo"): _echo,
    ("cmd", "echo."): _echo,
    ("cmd", "set"): _cmd_set,
    ("cmd", "setx"): _setx,
    ("powershell", "write-output"): _echo,
    ("powershell", "write-host"): _echo,
    ("powershell", "invoke-webrequest"): _invoke_webrequest,
}
