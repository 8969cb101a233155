"""Shell completion scripts, generated from the command line's own parsers.

``dflint completion bash|zsh|fish`` prints one. Each command's options come from its argparse
parser (:func:`dflint.app.main.all_parsers`, handed in), so a new option completes without
anyone editing a script: option names, the words an option accepts (``--format``'s formats,
``--platform``'s common platforms), files and folders where a value or an argument is a path,
and rule codes for ``dflint rule``. zsh runs the bash script through its ``bashcompinit``.
"""

from __future__ import annotations

import argparse
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from dflint.app.options import PLATFORM_EXAMPLES, Choice, Parser


@dataclass(frozen=True, slots=True)
class Option:
    """A command's option as completion offers it: its names and the values it accepts."""

    names: tuple[str, ...]
    help: str
    takes_value: bool
    kind: str  # "words", "file", "dir" or "" (a value nothing can complete)
    words: tuple[str, ...] = ()


@dataclass(slots=True)
class Command:
    """A dflint command as completion offers it: its options, arguments and subcommands."""

    words: str  # after `dflint`, e.g. "data import-official-images"
    summary: str
    options: list[Option] = field(default_factory=list)
    argument: str = ""  # what its positional arguments are: "file", "words" or ""
    argument_words: tuple[str, ...] = ()
    sub: list[str] = field(default_factory=list)  # a group's own commands


def _kind(action: argparse.Action) -> tuple[str, tuple[str, ...]]:
    if isinstance(action.type, Choice):
        return "words", action.type.values
    metavar = str(action.metavar or "")
    if metavar == "PLATFORMS":
        return "words", PLATFORM_EXAMPLES
    if metavar in ("CODES", "CODE"):
        from dflint.lint.ruleset import rule_codes

        return "words", tuple(rule_codes())
    if metavar == "DIR":
        return "dir", ()
    if action.type is Path or metavar in ("PATH", "FILE", "TEMPLATE", "SOURCE"):
        return "file", ()
    return "", ()


def commands(parsers: list[tuple[str, Parser | None, str]]) -> list[Command]:
    """The completion model: every command with its options and arguments, from the command
    line's parsers (``dflint.app.main.all_parsers``)."""
    found: list[Command] = []
    groups: dict[str, Command] = {}
    for words, parser, summary in parsers:
        command = Command(words, summary)
        parent = words.rsplit(" ", 1)[0] if " " in words else ""
        if parent in groups:
            groups[parent].sub.append(words.rsplit(" ", 1)[1])
        if parser is None:
            groups[words] = command
        else:
            _describe(command, parser)
        found.append(command)
    return found


def _describe(command: Command, parser: Parser) -> None:
    for action in parser._actions:  # argparse keeps no public list of its actions
        kind, words = _kind(action)
        if action.option_strings:
            command.options.append(
                Option(
                    tuple(action.option_strings),
                    " ".join(str(action.help or "").split()),
                    action.nargs != 0,
                    kind,
                    words,
                )
            )
        else:
            command.argument, command.argument_words = kind, words


def script(shell: str, parsers: list[tuple[str, Parser | None, str]]) -> str:
    if shell == "bash":
        return _bash(commands(parsers))
    if shell == "zsh":
        return _zsh(commands(parsers))
    if shell == "fish":
        return _fish(commands(parsers))
    raise ValueError(f"no completion for {shell!r}")


# --- bash (and zsh through bashcompinit) -------------------------------------------------------


def _compgen(kind: str, words: tuple[str, ...]) -> str:
    if kind == "words":
        return f'COMPREPLY=($(compgen -W {shlex.quote(" ".join(words))} -- "$cur"))'
    if kind == "file":
        return 'COMPREPLY=($(compgen -f -- "$cur"))'
    if kind == "dir":
        return 'COMPREPLY=($(compgen -d -- "$cur"))'
    return "COMPREPLY=()"


def _bash_function(model: list[Command]) -> str:
    top = [c.words for c in model if " " not in c.words]
    groups = [c for c in model if c.sub]
    lines = [
        "_dflint() {",
        '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"',
        '    local cmd="" word i',
        "    for ((i = 1; i < COMP_CWORD; i++)); do",
        '        word="${COMP_WORDS[i]}"',
        "        [[ $word == -* ]] && continue",
        '        case "$cmd" in',
        '            "") cmd="$word" ;;',
        *(f'            {shlex.quote(g.words)}) cmd="$cmd $word" ;;' for g in groups),
        "            *) break ;;",
        "        esac",
        "    done",
        '    case "$cmd" in',
        '        "")',
        f"            {_compgen('words', (*top, '-h', '--help', '--version'))} ;;",
    ]
    for command in model:
        lines.append(f"        {shlex.quote(command.words)})")
        if command.sub:
            lines.append(f"            {_compgen('words', (*command.sub, '-h', '--help'))} ;;")
            continue
        valued = [option for option in command.options if option.takes_value]
        if valued:
            lines.append('            case "$prev" in')
            for option in valued:
                pattern = "|".join(option.names)
                lines.append(f"                {pattern}) {_compgen(option.kind, option.words)}")
                lines.append("                    return ;;")
            lines.append("            esac")
        names = tuple(name for option in command.options for name in option.names)
        lines += [
            "            if [[ $cur == -* ]]; then",
            f"                {_compgen('words', names)}",
            "            else",
            f"                {_compgen(command.argument, command.argument_words)}",
            "            fi ;;",
        ]
    lines += ["    esac", "}"]
    return "\n".join(lines) + "\n"


def _bash(model: list[Command]) -> str:
    return (
        "# bash completion for dflint, generated by `dflint completion bash`.\n"
        '# Load it with: eval "$(dflint completion bash)"\n'
        + _bash_function(model)
        + "complete -o filenames -F _dflint dflint\n"
    )


def _zsh(model: list[Command]) -> str:
    return (
        "# zsh completion for dflint, generated by `dflint completion zsh`.\n"
        '# Load it with: eval "$(dflint completion zsh)" (after compinit in ~/.zshrc)\n'
        "autoload -U +X compinit && { (( ${+_comps} )) || compinit }\n"
        "autoload -U +X bashcompinit && bashcompinit\n"
        + _bash_function(model)
        + "complete -o filenames -F _dflint dflint\n"
    )


# --- fish -----------------------------------------------------------------------------------------


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish(model: list[Command]) -> str:
    top = [c for c in model if " " not in c.words]
    lines = [
        "# fish completion for dflint, generated by `dflint completion fish`.",
        "# Save it as ~/.config/fish/completions/dflint.fish",
        "complete -c dflint -f",
        "complete -c dflint -n __fish_use_subcommand -s h -l help -d 'Show this help.'",
        "complete -c dflint -n __fish_use_subcommand -l version -d 'Show the version.'",
    ]
    for command in top:
        lines.append(
            f"complete -c dflint -n __fish_use_subcommand -a {command.words} "
            f"-d {_fish_quote(command.summary)}"
        )
    for command in model:
        name = command.words.rsplit(" ", 1)[-1]
        if command.sub:
            subs = " ".join(command.sub)
            condition = (
                f"__fish_seen_subcommand_from {name}; and not __fish_seen_subcommand_from {subs}"
            )
            for sub in model:
                if sub.words in (f"{command.words} {item}" for item in command.sub):
                    lines.append(
                        f"complete -c dflint -n {_fish_quote(condition)} -a "
                        f"{sub.words.rsplit(' ', 1)[-1]} -d {_fish_quote(sub.summary)}"
                    )
            continue
        condition = _fish_quote(f"__fish_seen_subcommand_from {name}")
        for option in command.options:
            flags = " ".join(
                f"-l {item[2:]}" if item.startswith("--") else f"-s {item[1:]}"
                for item in option.names
            )
            value = ""
            if option.takes_value:
                if option.kind == "words":
                    value = f" -x -a {_fish_quote(' '.join(option.words))}"
                elif option.kind == "file":
                    value = " -r -F"
                elif option.kind == "dir":
                    value = " -x -a '(__fish_complete_directories)'"
                else:
                    value = " -x"
            lines.append(
                f"complete -c dflint -n {condition} {flags}{value} -d {_fish_quote(option.help)}"
            )
        if command.argument == "file":
            lines.append(f"complete -c dflint -n {condition} -F")
        elif command.argument == "words":
            words = _fish_quote(" ".join(command.argument_words))
            lines.append(f"complete -c dflint -n {condition} -a {words}")
    return "\n".join(lines) + "\n"
