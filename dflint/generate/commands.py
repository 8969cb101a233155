"""One command line in one shell → the same command line in another shell, by meaning.

The line is parsed strictly (``shellsyntax``); each simple command is then matched against
the command catalogue's translations (``dflint.analyse.catalogue.translation``): a program with an
exact set of options whose behaviour (missing and existing operands, parents, folders,
wildcards, truncation) the catalogue states, and whose forms in the other shells do the same.
A few commands are handled here (``echo``, ``export``/``set``, downloads), and programs that
exist on both systems with the same command line (``go``, ``python``, ``curl``) are kept.

The line as a whole keeps its meaning too:

- ``set -e`` (``set -eux``): the script stops at the first failure, so ``;`` becomes ``&&``
  (``-x`` only traces; ``-u`` is kept only when no variable is read);
- a variable set earlier in the line is read with delayed expansion (``!NAME!``) in cmd, which
  expands ``%NAME%`` when it reads the line, before ``set`` runs;
- cmd exits with ``ERRORLEVEL``, which ``echo`` and ``if`` leave as a failed step set it, so
  a line that can succeed after a failure (``false || echo recovered``) ends by resetting it.

Anything else raises :class:`~dflint.generate.paths.Untranslatable`: the caller copies the
line unchanged and marks it, so nothing is half-translated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from dflint import lazyre
from dflint.analyse import catalogue
from dflint.generate import paths
from dflint.generate.paths import TargetOS, Untranslatable
from dflint.generate.shellsyntax import (
    Command,
    Dialect,
    Part,
    Redirect,
    Step,
    Word,
    drop_prefix,
    parse,
)

_SH_SAFE = lazyre.compile(r"[A-Za-z0-9_./:=,@%+-]+\Z")
_SH_GLOB_SAFE = lazyre.compile(r"[A-Za-z0-9_./:=,@%+*?\[\]-]+\Z")
_PS_SAFE = lazyre.compile(r"[A-Za-z0-9_./:\\=+*?-]+\Z")
_CMD_SPECIAL = lazyre.compile(r"[\s&|<>^()]")
_CMD_FLAG = lazyre.compile(r"(?:/[A-Za-z](?::\S*)?)+\Z")
_CMD_PATTERN_SAFE = lazyre.compile(r"[A-Za-z0-9_.:\\*%!-]+\Z")
_SCRIPT_SUFFIXES = (".sh", ".bash", ".ps1", ".cmd", ".bat")
_WINDOWS_PROGRAM_SUFFIXES = (".exe", ".bat", ".cmd", ".ps1", ".msi", ".com")
_RESET_CMD = "cmd /c exit 0"  # leaves ERRORLEVEL 0 (cmd exits with ERRORLEVEL)
# Catalogue entries that are the same program, with the same options, on both systems.
_SAME_PROGRAM = frozenset({"curl", "tar", "hostname", "whoami", "exit"})


def _identity(text: str) -> str:
    return text


@dataclass(slots=True)
class _LineState:
    """What one line's translation has learnt so far."""

    assigned: set[str] = field(default_factory=set)  # names set by an earlier step
    delayed: bool = False  # a `!NAME!` was written
    used: list[str] = field(default_factory=list)  # catalogue translations and handlers used
    later_names: set[str] = field(default_factory=set)


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
    # cmd: the caller runs the line with delayed expansion (cmd /V:ON) when it asks for it
    delayed_expansion: bool = False
    state: _LineState | None = None


@dataclass(frozen=True, slots=True)
class Translated:
    """A translated command line: its output lines and what it took."""

    lines: list[str]
    used: tuple[str, ...]  # the catalogue translations and handlers, by key
    delayed: bool  # cmd: needs delayed expansion (SHELL ["cmd", "/S", "/V:ON", "/C"])


def translate_line(text: str, ctx: Context) -> list[str]:
    """A shell-form command line in the target shell, as output lines.

    ``text`` holds the Dockerfile's continuation breaks as ``"\\n"``. Every line but the last
    ends where the escape character must be appended; layout (one command per line, the
    indentation) follows the source.
    """
    return translate_command_line(text, ctx).lines


def translate_command_line(text: str, ctx: Context) -> Translated:
    state = _LineState()
    ctx = replace(ctx, state=state)
    steps = _without_shell_options(parse(text, ctx.source), ctx)
    rendered: list[tuple[list[str], str | None, str | None]] = []
    stale = False  # cmd: ERRORLEVEL may be non-zero although the line has not failed
    many = len(steps) > 1
    for index, step in enumerate(steps):
        _check_prefix(step, index == len(steps) - 1, ctx)
        _check_bare_assignment(step, steps[index + 1 :], ctx)
        outputs, resets = _translate_command(step.command, ctx, many)
        before = steps[index - 1] if index else None
        recovered = (
            before is not None and before.op in ("||", "&", ";") and _may_fail(before.command)
        )
        stale = (stale or recovered) and not resets
        # a line break before the command name (after its NAME=value prefixes) is kept
        name_break = step.command.name.break_before if step.command.name is not None else None
        for position, segments in enumerate(outputs):
            last = position == len(outputs) - 1
            op = _operator(step, ctx) if last else _and(ctx)
            brk = (
                step.break_after if last else (name_break if position == len(outputs) - 2 else None)
            )
            rendered.append((segments, op, brk))
        _remember_assignments(step.command, ctx)
    lines = [""]
    for segments, op, brk in rendered:
        lines[-1] += segments[0]
        lines.extend(segments[1:])
        if op is not None:
            lines[-1] += ("" if op.startswith(";") else " ") + op + " "
            if brk is not None:
                lines.append(brk)
    if ctx.target == "cmd" and stale:
        lines[-1] += f" && {_RESET_CMD}"
        state.used.append("cmd: ERRORLEVEL reset")
    if ctx.source == "cmd" and _cmd_fails_stale(steps):
        raise Untranslatable(
            "cmd exits with the ERRORLEVEL a failed step left (echo and if do not reset it), "
            "so this line fails where sh's would succeed"
        )
    if state.delayed and not ctx.delayed_expansion:
        raise Untranslatable(
            "a variable set earlier in the line: cmd expands %NAME% when it reads the line"
        )
    return Translated(lines, tuple(dict.fromkeys(state.used)), state.delayed)


# --- the line as a whole -------------------------------------------------------------------


def _without_shell_options(steps: list[Step], ctx: Context) -> list[Step]:
    """``set -e``/``-x``/``-u`` steps folded into the operators of the others."""
    if ctx.source != "sh":
        return steps
    out: list[Step] = []
    errexit = False
    nounset = False
    pending: str | None = None  # the operator before a dropped `set`
    for step in steps:
        options = _shell_options(step.command)
        if options is not None:
            for option in options:
                if option in ("-e", "+e"):
                    errexit = option == "-e"
                elif option == "-u":
                    nounset = True
                elif option not in ("-x", "+x", "-v", "+v", "+u"):
                    raise Untranslatable(f"set {option} has no {ctx.target} counterpart")
            if step.op not in (None, ";", "&&"):
                raise Untranslatable(f"`set {' '.join(options)} {step.op}`")
            if out and pending is None:
                pending = out[-1].op
            continue
        if pending is not None and out:
            out[-1].op = pending
        pending = None
        out.append(Step(step.command, step.op, step.break_after))
        if errexit:
            out[-1].op = _errexit_operator(out[-1].op)
    if out and pending is not None:
        out[-1].op = None
    if out and out[-1].op is not None:
        out[-1].op = None
    if errexit:
        _check_errexit_lists(steps)
    if nounset and any(_reads_variables(step.command) for step in out):
        raise Untranslatable(
            "set -u stops at an unset variable; cmd and PowerShell have no such check"
        )
    if not out:
        raise Untranslatable("only shell options")
    return out


def _errexit_operator(op: str | None) -> str | None:
    return "&&" if op == ";" else op


def _check_errexit_lists(steps: list[Step]) -> None:
    """Under ``set -e`` a failure left of ``&&`` does not stop the script (POSIX exempts
    every command of an AND-OR list but the last); as ``&&`` it would."""
    groups: list[list[Step]] = [[]]
    for step in steps:
        groups[-1].append(step)
        if step.op in (";", None):
            groups.append([])
    groups = [group for group in groups if group]
    for group in groups[:-1]:
        if any(step.op == "&&" for step in group[:-1]):
            raise Untranslatable(
                "under set -e a failure left of && does not stop sh, but it would stop "
                "the translated chain"
            )


def _shell_options(command: Command) -> list[str] | None:
    """The options of a ``set -eux`` step, or None when the step is something else."""
    if command.name is None or command.name.literal != "set" or command.assignments:
        return None
    words = [word.literal or "" for word in command.args]
    if not words:
        return None
    options: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word in ("-o", "+o") and index + 1 < len(words):
            options.append(f"{word} {words[index + 1]}")
            index += 2
            continue
        if not re.fullmatch(r"[-+][a-zA-Z]+", word):
            return None
        options += [word[0] + letter for letter in word[1:]]
        index += 1
    return options


def _reads_variables(command: Command) -> bool:
    words = [*command.args, *(value for _, value in command.assignments)]
    if command.name is not None:
        words.append(command.name)
    return any(word.has_vars for word in words)


def _check_prefix(step: Step, last: bool, ctx: Context) -> None:
    """``NAME=value cmd`` sets NAME for that command only; ``set`` keeps it for the rest."""
    command = step.command
    if command.assignments and command.name is not None and not last:
        raise Untranslatable(
            f"`{command.assignments[0][0]}=… {command.name.raw}` sets the variable for one "
            f"command; in {ctx.target} it would stay set for the rest of the line"
        )


def _check_bare_assignment(step: Step, later: list[Step], ctx: Context) -> None:
    """``NAME=value`` alone sets a shell variable that programs do not see; cmd's ``set``
    puts it in the environment of every program after it."""
    command = step.command
    if ctx.source != "sh" or command.name is not None or not command.assignments:
        return
    for other in later:
        name = other.command.name
        literal = (name.literal or "") if name is not None else ""
        if name is not None and (
            other.command.program in catalogue.CROSS_PLATFORM_PROGRAMS | ctx.programs
            or "/" in literal
        ):
            raise Untranslatable(
                f"{command.assignments[0][0]}=… is not exported, so `{literal}` does not see "
                f"it in sh; in {ctx.target} it would"
            )


def _remember_assignments(command: Command, ctx: Context) -> None:
    state = ctx.state
    if state is None:
        return
    names = [name for name, _ in command.assignments]
    if command.name is not None and ctx.source == "sh" and command.name.literal == "export":
        names += [word.raw.split("=", 1)[0] for word in command.args if "=" in word.raw]
    if command.name is not None and ctx.source == "cmd" and command.program == "set":
        body = command.raw_rest.strip().strip('"')
        if "=" in body:
            names.append(body.split("=", 1)[0])
    for name in names:
        state.assigned.add(paths.assigned_name(name, ctx.target_os).upper())


# cmd built-ins that leave ERRORLEVEL as it was when they succeed
_CMD_KEEPS_ERRORLEVEL = frozenset(
    {"echo", "echo.", "set", "rem", "rd", "rmdir", "if", "for", "start", "popd", "title", "cls"}
)


# commands that do not fail (so a failure is not what the step after them recovers from)
_NEVER_FAIL = frozenset({"echo", "echo.", "export", "set", "rem", "true", "cd ."})


def _may_fail(command: Command) -> bool:
    if command.name is None:
        return False
    literal = " ".join([command.name.raw, *(word.raw for word in command.args)]).lower()
    return command.program not in _NEVER_FAIL and literal != "cd ."


def _cmd_fails_stale(steps: list[Step]) -> bool:
    """The cmd line may end with a non-zero ERRORLEVEL after it recovered from a failure."""
    stale = False
    for index, step in enumerate(steps):
        keeps = step.command.name is None or step.command.program in _CMD_KEEPS_ERRORLEVEL
        before = steps[index - 1] if index else None
        recovered = before is not None and before.op in ("||", "&") and _may_fail(before.command)
        stale = (stale or recovered) and keeps
    return stale


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
        if not _is_program_step(step.command, ctx):
            raise Untranslatable(
                "`;` after a command that can fail: PowerShell stops at a failed cmdlet "
                "($ErrorActionPreference = 'Stop'), sh goes on"
            )
        return ";"
    raise Untranslatable(f"`{op}` has no Windows PowerShell 5.1 counterpart")


def _is_program_step(command: Command, ctx: Context) -> bool:
    if command.name is None:
        return True
    program = command.program
    return program in catalogue.CROSS_PLATFORM_PROGRAMS | ctx.programs | {"echo"}


# --- commands ----------------------------------------------------------------------------


def _program(command: Command, dialect: Dialect) -> str:
    """The name the catalogue knows the command by (a PowerShell alias as its cmdlet)."""
    program = command.program
    if dialect == "powershell":
        alias = catalogue.powershell_alias(program)
        if alias is not None and " " not in alias:
            return alias.lower()
    return program


def _translate_command(command: Command, ctx: Context, many: bool) -> tuple[list[list[str]], bool]:
    """The command as one or more target commands (prefix assignments become their own),
    and whether the last leaves cmd's ERRORLEVEL at 0 when it succeeds."""
    outputs = [[_set_variable(name, value, ctx)] for name, value in command.assignments]
    if command.name is None:
        if command.redirects:
            raise Untranslatable("a redirection without a command")
        if ctx.source == "sh" and ctx.state is not None:
            ctx.state.used.append("NAME=value")
        return outputs, False
    if command.out_null and ctx.target != "powershell":
        command.redirects.append(Redirect(">", Word([Part("NUL")], "NUL")))
    program = _program(command, ctx.source)
    handler = _HANDLERS.get((ctx.source, program))
    main: list[str] | None = None
    resets = True
    if ctx.source != "sh" and ctx.source_os != ctx.target_os and program not in ("set", "setx"):
        # A Windows line may be a form the catalogue writes for a Linux command (dir /B is
        # ls; cmd /c exit 1 is false): that reading wins over the general one
        main = _reverse_form(command, ctx)
    if main is None and handler is not None:
        main = handler(command, ctx)
        resets = program not in ("echo", "echo.", "export", "set", "write-output", "write-host")
    if main is None:
        main, resets = _resolve(command, program, ctx, many)
    redirects = _redirects(command.redirects, ctx)
    if redirects and ctx.target == "cmd" and program in ("echo", "echo."):
        # `echo text > file` writes the blank before `>` into the file
        main = [*main[:-1], f"({main[-1]}){redirects.lstrip()}"]
    else:
        main = [*main[:-1], main[-1] + redirects]
    return [*outputs, main], resets


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


def other_os_program(literal: str, ctx: Context) -> None:
    """A script or program that only the source OS can run."""
    lowered = literal.lower()
    if ctx.target_os == "linux" and lowered.endswith(_WINDOWS_PROGRAM_SUFFIXES):
        raise Untranslatable(f"`{literal}` is a Windows program or script")
    if ctx.target_os == "windows" and lowered.endswith((".sh", ".bash")):
        raise Untranslatable(f"`{literal}` is a shell script; Windows has no sh")


def _resolve(command: Command, program: str, ctx: Context, many: bool) -> tuple[list[str], bool]:
    """The command through the catalogue's translations, or kept where it is the same program."""
    name = command.name
    assert name is not None
    literal = name.literal or ""
    other_os_program(literal, ctx)
    if "/" in literal or "\\" in literal:
        if literal.lower().endswith(_SCRIPT_SUFFIXES):
            raise Untranslatable(f"`{literal}` is a script for another shell")
        if not is_produced(literal, ctx.produced):
            raise Untranslatable(
                f"`{literal}` is a program of the {ctx.source_os} image; nothing in this "
                f"Dockerfile builds or copies it for {ctx.target_os}"
            )
        return _passthrough(command, program, ctx), True
    if program == "exit" and any((word.literal or "").lower() == "/b" for word in command.args):
        raise Untranslatable("exit /b is for batch files (outside one it ends cmd.exe)")
    entry = catalogue.lookup(program)
    if entry is not None and _installs_packages(entry):
        raise Untranslatable(
            f"`{program}` installs packages, which are named and packaged differently on "
            f"{ctx.target_os}"
        )
    if entry is not None and entry.name.lower() in ("reg", "set-itemproperty", "new-itemproperty"):
        raise Untranslatable(f"`{program}` edits the Windows registry; Linux has none")
    flags, operands = _options(command, program, ctx.source)
    if ctx.source_os != ctx.target_os or ctx.source != ctx.target:
        found = catalogue.translation(ctx.source, program, flags)
        if found is not None and ctx.target in found.forms:
            return _render(found, operands, ctx, many)
    if entry is not None and entry.name.lower() in _SAME_PROGRAM:
        _check_same_program(entry.name.lower(), flags, ctx)
        return _passthrough(command, program, ctx), True
    if entry is None:
        known = catalogue.CROSS_PLATFORM_PROGRAMS | ctx.programs
        if program in known or (
            ctx.target_os == "windows" and program in catalogue.WINDOWS_PROGRAM_NAMES
        ):
            return _passthrough(command, program, ctx), True
        if literal.lower().endswith(".exe") and literal.lower()[:-4] in known:
            return _passthrough(command, program, ctx), True
        raise _unknown(program, ctx)
    shown = " ".join([program, *sorted(flags)])
    return _no_translation(entry, shown, ctx)


def _no_translation(
    entry: catalogue.CommandInfo, shown: str, ctx: Context
) -> tuple[list[str], bool]:
    forms = [item for item in catalogue.semantics(entry.name) if item.source == ctx.source]
    if forms:
        known = ", ".join(f"`{item.key.removeprefix('cmd: ')}`" for item in forms)
        raise Untranslatable(f"`{shown}`: the command catalogue translates only {known} by meaning")
    raise Untranslatable(
        f"`{shown}`: the command catalogue has no {ctx.target} form that does the same"
    )


def _check_same_program(name: str, flags: frozenset[str], ctx: Context) -> None:
    if name == "tar":
        odd = sorted(
            flag for flag in flags if flag.split("=", 1)[0] not in catalogue.PORTABLE_TAR_OPTIONS
        )
        if odd:
            raise Untranslatable(
                f"tar {' '.join(odd)}: not an option GNU tar, BusyBox tar and Windows' bsdtar "
                "read the same way"
            )
    elif name in ("hostname", "whoami") and flags:
        raise Untranslatable(f"{name} {' '.join(sorted(flags))}: options differ between systems")


_INSTALLERS = frozenset({"choco", "winget", "msiexec", "scoop"})


def _installs_packages(entry: catalogue.CommandInfo) -> bool:
    """A package manager, or a command whose equivalent is one: not a translation."""
    if entry.name in catalogue.PACKAGE_MANAGERS or entry.name.lower() in _INSTALLERS:
        return True
    programs = {text.split(" ", 1)[0].lower() for text in entry.equivalents.values()}
    return bool(programs & (_INSTALLERS | set(catalogue.PACKAGE_MANAGERS)))


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


# --- catalogue forms -----------------------------------------------------------------------


def _render(
    found: catalogue.Translation, operands: list[Word], ctx: Context, many: bool
) -> tuple[list[str], bool]:
    form = found.forms[ctx.target]
    low, high = found.operands
    if len(operands) < low or (high is not None and len(operands) > high):
        raise Untranslatable(f"`{found.key.removeprefix('cmd: ')}` with {len(operands)} operand(s)")
    if found.shallow:
        for word in operands:
            if not _shallow(word):
                raise Untranslatable(
                    f"mkdir {word.raw}: without -p, mkdir fails when the parent folder is "
                    f"missing; {ctx.target}'s creates it (write mkdir -p if that is meant)"
                )
    if ctx.state is not None:
        ctx.state.used.append(found.key)
    if form.each:
        pieces = [_fill(form, [word], ctx) for word in operands]
        grouped = [
            _group(piece, ctx) if form.compound and len(pieces) > 1 else piece for piece in pieces
        ]
        text = _join_all(grouped, ctx)
        compound = form.compound or len(pieces) > 1
    else:
        text = _fill(form, operands, ctx)
        compound = form.compound
    if compound and many:
        text = _group(text, ctx)
    return [text], form.resets_status


def _join_all(pieces: list[str], ctx: Context) -> str:
    if ctx.target == "powershell":
        return "; ".join(pieces)
    return " && ".join(pieces)


def _group(text: str, ctx: Context) -> str:
    if ctx.target == "cmd":
        return f"({text})"
    if ctx.target == "sh":
        return "{ " + text + "; }"
    return text


def _shallow(word: Word) -> bool:
    literal = word.literal
    if literal is None:
        return False
    text = literal.replace("\\", "/").rstrip("/")
    if re.fullmatch(r"[A-Za-z]:", text[:2]) and len(text) > 2:
        text = text[2:]
    return "/" not in text.lstrip("/") and text not in ("", ".", "..")


def _fill(form: catalogue.Form, operands: list[Word], ctx: Context) -> str:
    values: dict[str, str] = {}
    template = form.template
    if operands and any(word.globbing for word in operands):
        if form.pattern is None or len(operands) != 1:
            raise Untranslatable(
                f"a wildcard in {operands[0].raw}: the translated form takes no wildcards"
            )
        template = form.pattern
        values["pattern"] = _cmd_pattern(operands[0], ctx)
    if operands:
        values["word"] = _word(operands[0], ctx, "path")
        if "{path}" in template:
            values["path"] = _bare_path(operands[0], ctx)
        if "{parent}" in template:
            parent = _parent(operands[0], ctx)
            if parent is None:
                template = template.split(" && ", 1)[1]
            else:
                values["parent"] = parent
    if len(operands) > 1:
        values["dest"] = (
            _bare_path(operands[1], ctx) if ctx.target == "cmd" else _word(operands[1], ctx, "path")
        )
    joiner = ", " if ctx.target == "powershell" else " "
    values["words"] = joiner.join(_word(word, ctx, "path") for word in operands)
    return template.format(**values).rstrip()


def _bare_path(word: Word, ctx: Context) -> str:
    """An operand as cmd text to go inside the form's own double quotes."""
    parts = _translated_parts(word, ctx, "path")
    out: list[str] = []
    for part in parts:
        if part.var:
            out.append(_cmd_reference(part.text, ctx))
            continue
        if '"' in part.text or "%" in part.text:
            raise Untranslatable(f"{word.raw}: a quote or % in a path (cmd cannot quote it)")
        if any(char in part.text for char in "*?["):
            raise Untranslatable(f"a wildcard in {word.raw}: the translated form takes none")
        out.append(part.text.replace("/", "\\"))
    text = "".join(out).rstrip("\\")
    if not text:
        raise Untranslatable(f"the path {word.raw}")
    return text


def _cmd_pattern(word: Word, ctx: Context) -> str:
    """A ``*`` pattern as a cmd ``for`` set: ``*`` in the last part only, no ``?`` or ``[``."""
    parts = _translated_parts(word, ctx, "path")
    out: list[str] = []
    for part in parts:
        if part.var:
            out.append(_cmd_reference(part.text, ctx))
            continue
        text = part.text.replace("/", "\\")
        if "?" in text or "[" in text:
            raise Untranslatable(f"{word.raw}: cmd wildcards have no ? or [...] of sh's kind")
        out.append(text)
    pattern = "".join(out)
    head = pattern.rpartition("\\")[0]
    if "*" in head:
        raise Untranslatable(f"{word.raw}: cmd takes a wildcard in the last part of a path only")
    if '"' in pattern:
        raise Untranslatable(f"{word.raw}: a quote in a path")
    return pattern if _CMD_PATTERN_SAFE.match(pattern) else f'"{pattern}"'


def _parent(word: Word, ctx: Context) -> str | None:
    """The parent folder of a cmd operand, in sh; None when there is none to make."""
    literal = word.literal
    if literal is None:
        raise Untranslatable(f"mkdir {word.raw}: a variable in the path")
    translated = _translate_literal(literal, ctx, "path").rstrip("/")
    head, _, _ = translated.rpartition("/")
    if head in ("", "."):
        return None
    return _sh_word([Part(head, quoted=True)])


def _reverse_form(command: Command, ctx: Context) -> list[str] | None:
    """A Windows command line that is a catalogue form of a Linux command written without
    operands (``cmd /c exit 1`` is false, ``echo %PROCESSOR_ARCHITECTURE% …`` is uname -a)."""
    if ctx.target != "sh" or command.name is None:
        return None
    text = " ".join([command.name.raw, *(word.raw for word in command.args)]).lower()
    for item in catalogue.translations():
        form = item.forms.get(ctx.source)
        if item.source != "sh" or form is None or "{" in form.template:
            continue
        if form.template.lower() == text:
            if ctx.state is not None:
                ctx.state.used.append(f"{ctx.source}: {item.key}")
            return [item.key]
    return None


def _passthrough(command: Command, program: str, ctx: Context) -> list[str]:
    """A program that exists on both systems: same arguments, paths and variables translated."""
    name = command.name
    assert name is not None
    if ctx.state is not None:
        ctx.state.used.append("program")
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
        literal = catalogue.WINDOWS_PROGRAM_NAMES.get(literal, literal)
        if ctx.target == "powershell" and literal in catalogue.POWERSHELL_ALIAS_MISMATCH:
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
            if lowered in catalogue.POWERSHELL_VALUE_PARAMETERS and index + 1 < len(words):
                flags.add(f"{lowered} {(words[index + 1].literal or '').lower()}")
                index += 2
                continue
            if lowered in catalogue.POWERSHELL_PATH_PARAMETERS and index + 1 < len(words):
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
    state = ctx.state
    if ctx.source == "cmd" and state is not None and name.upper() in state.assigned:
        raise Untranslatable(
            f"%{name}% after a set of {name} in the same line: cmd expands it when it reads "
            "the line, before set runs"
        )
    if ctx.source_os == ctx.target_os:
        return name
    return paths.variable_name(name, ctx.target_os)


def _cmd_reference(name: str, ctx: Context) -> str:
    """``%NAME%``, or ``!NAME!`` for a variable set earlier in the same line."""
    state = ctx.state
    if state is not None and name.upper() in state.assigned:
        state.delayed = True
        return f"!{name}!"
    return f"%{name}%"


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
    if ctx.source_os == "windows" and text.lower() == "nul":
        return "/dev/null"
    if ctx.source_os == "linux" and ctx.target_os == "windows" and text == "/dev/null":
        return "NUL"
    if role == "path" or (ctx.source_os == "windows" and "\\" in text and not paths.is_url(text)):
        translated = paths.translate(text, target, ctx.path_map)
        if target == "windows" and role == "path" and not paths.is_url(text):
            # a relative path too: cmd reads `a/b` as `a` and the switch /b
            translated = translated.replace("/", "\\")
        return translated
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
        return _cmd_word(parts, ctx)
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


def _cmd_word(parts: list[Part], ctx: Context) -> str:
    out: list[str] = []
    for part in parts:
        if part.var:
            out.append(_cmd_reference(part.text, ctx))
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
        if ctx.source == "sh" and any("\\" in part.text for word in words for part in word.parts):
            raise Untranslatable("echo of a backslash (dash's echo reads it as an escape)")
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
    _used(ctx, "echo")
    parts = _echo_parts(command, ctx)
    if ctx.source_os != ctx.target_os:
        parts = [
            Part(_variable(p.text, ctx), var=True)
            if p.var
            else Part(ctx.retarget(p.text), quoted=True)
            for p in parts
        ]
    if ctx.target == "sh":
        if any("\\" in part.text for part in parts if not part.var):
            raise Untranslatable("echo of a backslash (dash's echo reads it as an escape)")
        return [f"echo {_sh_double_quoted(parts)}" if parts else "echo"]
    if ctx.target == "powershell":
        return ["Write-Output " + (_ps_word(parts) if parts else "''")]
    return [_cmd_echo(parts, ctx)]


def _cmd_echo(parts: list[Part], ctx: Context) -> str:
    out: list[str] = []
    for part in parts:
        if part.var:
            out.append(_cmd_reference(part.text, ctx))
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
    body = "".join(_cmd_reference(p.text, ctx) if p.var else p.text for p in parts)
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
    _used(ctx, "export")
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
    _used(ctx, "set")
    rest = command.raw_rest.strip(" \t")
    if not rest:
        raise Untranslatable("set without a NAME=value lists the environment")
    if command.redirects:  # cmd cuts them out of the value, spaces before them kept
        raise Untranslatable("set with a redirection")
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
    _used(ctx, "wget")
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
    _used(ctx, "Invoke-WebRequest")
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


def _used(ctx: Context, key: str) -> None:
    if ctx.state is not None:
        ctx.state.used.append(f"{ctx.source}: {key}" if ctx.source != "sh" else key)


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
