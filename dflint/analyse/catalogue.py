"""The command catalogue: which shell has which command, and what does the same job elsewhere.

Shared by the portability rules (DF301, DF302, DF309, …) and by ``dflint fix``'s translator.
Three shells are described:

``sh``
    ``/bin/sh`` in a Linux image with the usual tools on ``PATH`` (coreutils or BusyBox).
``cmd``
    ``cmd.exe`` in a Windows image: its built-in commands plus the programs Windows ships
    in ``System32`` (``curl.exe`` and ``tar.exe`` since Windows 10 1803 / Server 2019).
``powershell``
    Windows PowerShell 5.1 (and pwsh on Windows): cmdlets, the aliases and functions it
    defines (``ls``, ``cat``, ``rm``, ``curl``, ``mkdir``, …) and the ``System32`` programs.
    pwsh on Linux also runs every Linux program; see :func:`exists`.

Every entry is written for people: ``equivalents`` are complete command lines a user can
paste (``FILE``, ``URL``, ``DIR``, ``NAME``, ``VALUE`` are placeholders), ``forms`` refine
them for one option (``rm -rf`` is not ``rm -f``).

The tables are data: ``catalogue.json`` beside this module (its ``about`` section says what
each table means). This module holds their types, the loader and the questions the rest of
dflint asks. The file is read once, at the first question, not at import: a lint run that
never needs it does not pay for it. ``load(path)`` checks a whole file and names the entry
and the key of anything it does not understand; the tests run it on the shipped file.

Typical use::

    from dflint.analyse import catalogue
    info = catalogue.lookup("uname")
    catalogue.exists("uname", "cmd")                      # False
    catalogue.equivalent("uname", ["-a"], "cmd")         # 'echo %PROCESSOR_ARCHITECTURE% …'
    catalogue.powershell_alias("ls")                       # 'Get-ChildItem'
"""

from __future__ import annotations

import os
import re
from _string import formatter_parser  # type: ignore[import-not-found]
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from dflint import lazyre
from dflint.codecache import compile_pattern, read_json

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from typing import Any, Literal, TypeAlias

ShellName: TypeAlias = 'Literal["sh", "cmd", "powershell"]'
SHELL_NAMES: tuple[ShellName, ...] = ("sh", "cmd", "powershell")

SH: frozenset[ShellName] = frozenset({"sh"})
CMD: frozenset[ShellName] = frozenset({"cmd"})
PS: frozenset[ShellName] = frozenset({"powershell"})
WINDOWS: frozenset[ShellName] = frozenset({"cmd", "powershell"})
ALL: frozenset[ShellName] = frozenset(SHELL_NAMES)


@dataclass(frozen=True, slots=True)
class CommandInfo:
    """One command name and where it works.

    ``shells``: where the name runs and does this job. A name can exist elsewhere with
    another meaning (``type`` in sh prints how a name resolves; ``dir`` is a GNU coreutils
    program that takes no ``/B`` switch); ``foreign_options`` catches those uses.
    """

    name: str  # canonical spelling
    shells: frozenset[ShellName]
    purpose: str
    equivalents: Mapping[ShellName, str] = field(default_factory=dict)
    # refinements by option, as written in the command's home shell: {"-rf": {...}}
    forms: Mapping[str, Mapping[ShellName, str]] = field(default_factory=dict)
    # under the keyed shell, an argument of this shape means the line was written for another
    # shell's command of the same name (`dir /B` under sh, `mkdir -p` under cmd)
    foreign_options: Mapping[ShellName, re.Pattern[str]] = field(default_factory=dict)
    note: str = ""


# --- translations: what `dflint fix` may write, by meaning --------------------------------
#
# The entries say where a name exists and what people use instead; the equivalents are
# advice, matched by name. A translation is stricter: it matches one command line of one shell
# (a program and its exact options) and states what that line does in the terms that tell two
# command lines apart. Each target form listed does exactly that; a form that only looks
# similar is listed under ``rejected`` with the difference. What matches no translation is not
# translated. The data file's ``about.translations`` says what the templates' fields mean.

Outcome: TypeAlias = 'Literal["ok", "error", "created", "n/a"]'
OUTCOMES: tuple[Outcome, ...] = ("ok", "error", "created", "n/a")


@dataclass(frozen=True, slots=True)
class Behaviour:
    """What a command line does, as far as a translation must keep it."""

    does: str
    existing: Outcome = "n/a"  # an operand that already exists
    missing: Outcome = "n/a"  # an operand that does not exist
    parents: Outcome = "n/a"  # a missing parent folder: "created" or "error"
    files: Outcome = "n/a"  # a file operand
    folders: Outcome = "n/a"  # a folder operand (removed with everything in it: "ok")
    wildcards: bool = False  # `*` in an operand: every match the OS does not hide
    truncates: bool = False  # an existing file loses its content
    keeps_content: bool = False  # an existing file keeps its content
    prints: str = ""  # what it writes to stdout, when that is its job


@dataclass(frozen=True, slots=True)
class Form:
    """One shell's command line for a translation."""

    template: str
    each: bool = False  # repeated per operand
    pattern: str | None = None  # per operand with a `*`; None: wildcards are not handled
    compound: bool = False  # an if/for block (cmd) or group: bracketed beside operators
    resets_status: bool = True  # cmd: leaves ERRORLEVEL 0 when it succeeds


@dataclass(frozen=True, slots=True)
class Translation:
    """A command line of one shell and the forms in other shells that do the same."""

    key: str  # how tests and reports name it: "rm -rf", "cmd: dir /B"
    source: ShellName
    program: str
    options: frozenset[str]
    behaviour: Behaviour
    forms: Mapping[ShellName, Form]
    operands: tuple[int, int | None] = (0, None)
    shallow: bool = False  # every operand must be a single name or a child of the root
    rejected: Mapping[str, str] = field(default_factory=dict)  # form -> why it differs


# (not a NamedTuple: that compiles each field's annotation, a string here, at every start)
@dataclass(frozen=True, slots=True)
class Catalogue:
    """Every table of the data file, as read by :func:`load`."""

    entries: tuple[CommandInfo, ...]  # Linux utilities first
    by_name: Mapping[str, CommandInfo]  # lower-case name -> entry
    powershell_aliases: Mapping[str, str]
    powershell_verbs: frozenset[str]
    package_managers: Mapping[str, frozenset[str]]
    family_install: Mapping[str, str]
    translations: tuple[Translation, ...]  # the sh ones first
    option_aliases: Mapping[str, Mapping[str, str]]
    cross_platform_programs: frozenset[str]
    windows_program_names: Mapping[str, str]
    powershell_alias_mismatch: frozenset[str]
    powershell_value_parameters: frozenset[str]
    powershell_path_parameters: tuple[str, ...]
    portable_tar_options: frozenset[str]


# --- reading and checking the data file -----------------------------------------------------

DATA_FILE = os.path.join(os.path.dirname(__file__), "catalogue.json")

# The placeholders an equivalent may use, and the capitalised words that are literal text.
PLACEHOLDERS = frozenset(
    {
        "FILE", "DIR", "PATH", "DEST", "NAME", "VALUE", "URL", "TEXT", "PATTERN", "N",
        "LINK", "TARGET", "COMMAND", "PID", "USER", "GROUP", "NEW", "MODE", "A", "B", "D",
    }
)  # fmt: skip
_LITERAL_CAPITALS = frozenset({"MD5", "SHA1", "SHA256", "SHA512", "ENV"})
# An all-capital word on its own: not %VAR%, not a /SWITCH, $env:NAME or -Param value.
_CAPITAL_WORD = r"(?<![\w%/$:.\\-])[A-Z][A-Z0-9_]*(?![\w%])"  # compiled when a file is checked
# The fields a translation's template may fill (see about.translations in the data file).
_TEMPLATE_FIELDS = frozenset({"path", "pattern", "word", "words", "parent", "dest"})

_COMMAND_KEYS = frozenset(
    {"name", "shells", "purpose", "equivalents", "forms", "foreign_options", "note"}
)
_TRANSLATION_KEYS = frozenset(
    {
        "key", "source", "program", "options", "behaviour", "forms",
        "min_operands", "max_operands", "shallow", "rejected",
    }
)  # fmt: skip
_BEHAVIOUR_OUTCOMES = ("existing", "missing", "parents", "files", "folders")
_BEHAVIOUR_FLAGS = ("wildcards", "truncates", "keeps_content")
_FORM_FLAGS = ("each", "compound", "resets_status")
_TABLES = (
    "commands",
    "powershell_aliases",
    "powershell_verbs",
    "package_managers",
    "family_install",
    "translations",
    "option_aliases",
    "cross_platform_programs",
    "windows_program_names",
    "powershell_alias_mismatch",
    "powershell_value_parameters",
    "powershell_path_parameters",
    "portable_tar_options",
)


class CatalogueError(ValueError):
    """The data file says something the catalogue does not understand (one line)."""


class _Problem(Exception):
    """A problem found while reading one table; :func:`load` adds the file's name."""


def _fail(where: str, problem: str) -> _Problem:
    return _Problem(f"{where}: {problem}")


def _text(value: Any, where: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value):
        raise _fail(where, f"expected {'a' if empty else 'a non-empty'} string, got {value!r}")
    return value


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(where, f"expected true or false, got {value!r}")
    return value


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(where, f"expected an object, got {type(value).__name__}")
    return value


def _texts(value: Any, where: str) -> list[str]:
    if not isinstance(value, list):
        raise _fail(where, f"expected a list of strings, got {type(value).__name__}")
    items = [_text(item, where) for item in value]
    if len(set(items)) != len(items):
        raise _fail(where, f"{next(i for i in items if items.count(i) > 1)!r} listed twice")
    return items


def _text_map(value: Any, where: str) -> dict[str, str]:
    table = _table(value, where)
    return {key: _text(item, f"{where}.{key}", empty=True) for key, item in table.items()}


def _shell(value: Any, where: str) -> ShellName:
    if value not in SHELL_NAMES:
        raise _fail(where, f"unknown shell {value!r} (one of sh, cmd, powershell)")
    shell: ShellName = value
    return shell


def _known_keys(table: Mapping[str, Any], known: Iterable[str], where: str) -> None:
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise _fail(where, f"unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})")


def _placeholders(text: str, where: str) -> str:
    for word in re.findall(_CAPITAL_WORD, text):
        if word not in PLACEHOLDERS and word not in _LITERAL_CAPITALS:
            raise _fail(
                where, f"unknown placeholder {word!r} in {text!r} (one of {sorted(PLACEHOLDERS)})"
            )
    return text


def _by_shell(value: Any, where: str) -> MappingProxyType[ShellName, str]:
    table = _table(value, where)
    return MappingProxyType(
        {
            _shell(shell, f"{where}.{shell}"): _placeholders(
                _text(text, f"{where}.{shell}"), f"{where}.{shell}"
            )
            for shell, text in table.items()
        }
    )


def _pattern(value: Any, where: str) -> re.Pattern[str]:
    try:
        return compile_pattern(_text(value, where))
    except re.error as error:
        raise _fail(where, f"not a regular expression ({error})") from None


def _command(raw: Any, where: str) -> CommandInfo:
    table = _table(raw, where)
    if "name" not in table:
        raise _fail(where, "no 'name'")
    name = _text(table["name"], f"{where}.name")
    where = f"command {name!r}"
    _known_keys(table, _COMMAND_KEYS, where)
    for required in ("shells", "purpose"):
        if required not in table:
            raise _fail(where, f"no {required!r}")
    shells = [_shell(shell, f"{where}.shells") for shell in _texts(table["shells"], where)]
    if not shells:
        raise _fail(f"{where}.shells", "empty")
    forms: dict[str, Mapping[ShellName, str]] = {}
    for option, by_shell in _table(table.get("forms", {}), f"{where}.forms").items():
        if not option.startswith("-"):
            raise _fail(f"{where}.forms", f"option {option!r} does not start with '-'")
        forms[option] = _by_shell(by_shell, f"{where}.forms.{option}")
    foreign = _table(table.get("foreign_options", {}), f"{where}.foreign_options")
    return CommandInfo(
        name,
        frozenset(shells),
        _text(table["purpose"], f"{where}.purpose"),
        _by_shell(table.get("equivalents", {}), f"{where}.equivalents"),
        MappingProxyType(forms),
        MappingProxyType(
            {
                _shell(shell, f"{where}.foreign_options.{shell}"): _pattern(
                    pattern, f"{where}.foreign_options.{shell}"
                )
                for shell, pattern in foreign.items()
            }
        ),
        _text(table.get("note", ""), f"{where}.note", empty=True),
    )


def _template(value: Any, where: str, *, needs: str | None = None) -> str:
    text = _text(value, where)
    try:
        # string.Formatter().parse, without importing `string` (its Template compiles a
        # pattern at import)
        fields = {name for _, name, _, _ in formatter_parser(text) if name is not None}
    except ValueError as error:
        raise _fail(where, f"{error} in {text!r} (write a literal brace as {{{{ or }}}})") from None
    unknown = sorted(fields - _TEMPLATE_FIELDS)
    if unknown:
        raise _fail(where, f"unknown field {{{unknown[0]}}} (one of {sorted(_TEMPLATE_FIELDS)})")
    if needs is not None and needs not in fields:
        raise _fail(where, f"has no {{{needs}}}")
    return text


def _form(raw: Any, where: str) -> Form:
    table = _table(raw, where)
    _known_keys(table, ("template", "pattern", *_FORM_FLAGS), where)
    if "template" not in table:
        raise _fail(where, "no 'template'")
    pattern = table.get("pattern")
    if pattern is not None:
        pattern = _template(pattern, f"{where}.pattern", needs="pattern")
    return Form(
        _template(table["template"], f"{where}.template"),
        **{flag: _flag(table[flag], f"{where}.{flag}") for flag in _FORM_FLAGS if flag in table},
        pattern=pattern,
    )


def _behaviour(raw: Any, where: str) -> Behaviour:
    table = _table(raw, where)
    _known_keys(table, ("does", "prints", *_BEHAVIOUR_OUTCOMES, *_BEHAVIOUR_FLAGS), where)
    if "does" not in table:
        raise _fail(where, "no 'does'")
    fields: dict[str, Any] = {}  # checked here, so typed by the dataclass
    for key in _BEHAVIOUR_OUTCOMES:
        if key in table:
            if table[key] not in OUTCOMES:
                raise _fail(f"{where}.{key}", f"{table[key]!r} is not one of {', '.join(OUTCOMES)}")
            fields[key] = table[key]
    for key in _BEHAVIOUR_FLAGS:
        if key in table:
            fields[key] = _flag(table[key], f"{where}.{key}")
    return Behaviour(
        _text(table["does"], f"{where}.does"),
        prints=_text(table.get("prints", ""), f"{where}.prints", empty=True),
        **fields,
    )


def _operands(table: Mapping[str, Any], where: str) -> tuple[int, int | None]:
    low = table.get("min_operands", 0)
    high = table.get("max_operands")
    for key, value in (("min_operands", low), ("max_operands", high)):
        if value is not None and (type(value) is not int or value < 0):
            raise _fail(f"{where}.{key}", f"expected a count, got {value!r}")
    if high is not None and high < low:
        raise _fail(where, f"max_operands {high} is below min_operands {low}")
    return (low, high)


def _translation(raw: Any, where: str) -> Translation:
    table = _table(raw, where)
    if "key" not in table:
        raise _fail(where, "no 'key'")
    where = f"translation {_text(table['key'], f'{where}.key')!r}"
    _known_keys(table, _TRANSLATION_KEYS, where)
    for required in ("source", "program", "options", "behaviour", "forms"):
        if required not in table:
            raise _fail(where, f"no {required!r}")
    source = _shell(table["source"], f"{where}.source")
    forms: dict[ShellName, Form] = {}
    for shell, form in _table(table["forms"], f"{where}.forms").items():
        target = _shell(shell, f"{where}.forms.{shell}")
        if target == source:
            raise _fail(f"{where}.forms.{shell}", "a form in the source shell itself")
        forms[target] = _form(form, f"{where}.forms.{shell}")
    if not forms:
        raise _fail(f"{where}.forms", "empty")
    return Translation(
        table["key"],
        source,
        _text(table["program"], f"{where}.program"),
        frozenset(_texts(table["options"], f"{where}.options")),
        _behaviour(table["behaviour"], f"{where}.behaviour"),
        MappingProxyType(forms),
        _operands(table, where),
        _flag(table.get("shallow", False), f"{where}.shallow"),
        MappingProxyType(_text_map(table.get("rejected", {}), f"{where}.rejected")),
    )


def _unique(names: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise _Problem(f"{what} {name!r}: listed twice")
        seen.add(name)


def _catalogue(data: Any) -> Catalogue:
    top = _table(data, "the file")
    _known_keys(top, ("about", *_TABLES), "the file")
    for name in _TABLES:
        if name not in top:
            raise _Problem(f"the file: no {name!r} table")
    about = _table(top.get("about", {}), "about")
    if set(about) != set(_TABLES):
        missing = sorted(set(_TABLES) - set(about)) or sorted(set(about) - set(_TABLES))
        raise _Problem(f"about: says nothing of, or knows no table, {missing[0]!r}")
    commands = top["commands"]
    if not isinstance(commands, list):
        raise _Problem("commands: expected a list")
    entries = tuple(_command(raw, f"commands[{index}]") for index, raw in enumerate(commands))
    _unique((entry.name.lower() for entry in entries), "command")
    raw_translations = top["translations"]
    if not isinstance(raw_translations, list):
        raise _Problem("translations: expected a list")
    translations = tuple(
        _translation(raw, f"translations[{index}]") for index, raw in enumerate(raw_translations)
    )
    _unique((item.key for item in translations), "translation")
    _unique(
        (f"{item.source} {item.program} {sorted(item.options)}" for item in translations),
        "translation of",
    )
    managers = _table(top["package_managers"], "package_managers")
    option_aliases = _table(top["option_aliases"], "option_aliases")
    return Catalogue(
        entries=entries,
        by_name=MappingProxyType({entry.name.lower(): entry for entry in entries}),
        powershell_aliases=MappingProxyType(
            _text_map(top["powershell_aliases"], "powershell_aliases")
        ),
        powershell_verbs=frozenset(_texts(top["powershell_verbs"], "powershell_verbs")),
        package_managers=MappingProxyType(
            {
                name: frozenset(_texts(families, f"package_managers.{name}"))
                for name, families in managers.items()
            }
        ),
        family_install=MappingProxyType(_text_map(top["family_install"], "family_install")),
        translations=translations,
        option_aliases=MappingProxyType(
            {
                program: MappingProxyType(_text_map(aliases, f"option_aliases.{program}"))
                for program, aliases in option_aliases.items()
            }
        ),
        cross_platform_programs=frozenset(
            _texts(top["cross_platform_programs"], "cross_platform_programs")
        ),
        windows_program_names=MappingProxyType(
            _text_map(top["windows_program_names"], "windows_program_names")
        ),
        powershell_alias_mismatch=frozenset(
            _texts(top["powershell_alias_mismatch"], "powershell_alias_mismatch")
        ),
        powershell_value_parameters=frozenset(
            _texts(top["powershell_value_parameters"], "powershell_value_parameters")
        ),
        powershell_path_parameters=tuple(
            _texts(top["powershell_path_parameters"], "powershell_path_parameters")
        ),
        portable_tar_options=frozenset(_texts(top["portable_tar_options"], "portable_tar_options")),
    )


_EMPTY: Mapping[Any, Any] = MappingProxyType({})


def _build(top: dict[str, Any]) -> Catalogue:
    """The tables of a file that passed the check, without checking again: what dflint reads
    at run time (tests/test_catalogue_data.py checks the shipped file and that both give the
    same tables)."""
    entries = tuple(
        CommandInfo(
            item["name"],
            frozenset(item["shells"]),
            item["purpose"],
            MappingProxyType(item["equivalents"]) if "equivalents" in item else _EMPTY,
            MappingProxyType(
                {option: MappingProxyType(by_shell) for option, by_shell in item["forms"].items()}
            )
            if "forms" in item
            else _EMPTY,
            MappingProxyType(
                {shell: lazyre.compile(text) for shell, text in item["foreign_options"].items()}
            )
            if "foreign_options" in item
            else _EMPTY,
            item.get("note", ""),
        )
        for item in top["commands"]
    )
    translations = tuple(
        Translation(
            item["key"],
            item["source"],
            item["program"],
            frozenset(item["options"]),
            Behaviour(**item["behaviour"]),
            MappingProxyType({shell: Form(**form) for shell, form in item["forms"].items()}),
            (item.get("min_operands", 0), item.get("max_operands")),
            item.get("shallow", False),
            MappingProxyType(item["rejected"]) if "rejected" in item else _EMPTY,
        )
        for item in top["translations"]
    )
    return Catalogue(
        entries=entries,
        by_name=MappingProxyType({entry.name.lower(): entry for entry in entries}),
        powershell_aliases=MappingProxyType(top["powershell_aliases"]),
        powershell_verbs=frozenset(top["powershell_verbs"]),
        package_managers=MappingProxyType(
            {name: frozenset(families) for name, families in top["package_managers"].items()}
        ),
        family_install=MappingProxyType(top["family_install"]),
        translations=translations,
        option_aliases=MappingProxyType(
            {
                program: MappingProxyType(aliases)
                for program, aliases in top["option_aliases"].items()
            }
        ),
        cross_platform_programs=frozenset(top["cross_platform_programs"]),
        windows_program_names=MappingProxyType(top["windows_program_names"]),
        powershell_alias_mismatch=frozenset(top["powershell_alias_mismatch"]),
        powershell_value_parameters=frozenset(top["powershell_value_parameters"]),
        powershell_path_parameters=tuple(top["powershell_path_parameters"]),
        portable_tar_options=frozenset(top["portable_tar_options"]),
    )


def load(path: str | os.PathLike[str] = DATA_FILE, *, check: bool = True) -> Catalogue:
    """Read a catalogue data file. With ``check``, every key, shell name, placeholder, pattern
    and template is checked first, and a problem raises :class:`CatalogueError`: one line
    naming the file and the entry (``catalogue.json: command 'rm': unknown key 'form' …``).

    dflint itself reads its packaged file without the check (it costs more than the reading;
    the tests check that file)."""
    shown = os.path.basename(path)
    try:
        if path == DATA_FILE:  # dflint's own, kept by the start-up cache
            data = read_json(DATA_FILE)
        else:
            import json  # (read_json imports it when it has to)

            with open(path, "rb") as stream:
                data = json.load(stream)
    except OSError as error:
        raise CatalogueError(f"{shown}: cannot be read ({error.strerror})") from None
    except ValueError as error:  # JSONDecodeError and bad UTF-8
        raise CatalogueError(f"{shown}: not JSON ({error})") from None
    if not check:
        return _build(data)
    try:
        return _catalogue(data)
    except _Problem as problem:
        raise CatalogueError(f"{shown}: {problem}") from None


# The packaged file, read at the first question (see the module docstring).
_loaded: Catalogue | None = None

# The module attributes that are tables of the data file: `catalogue.PACKAGE_MANAGERS` reads
# the file on first use (PEP 562), then the values are ordinary module globals.
_ATTRIBUTES = {
    "POWERSHELL_ALIASES": "powershell_aliases",
    "PACKAGE_MANAGERS": "package_managers",
    "FAMILY_INSTALL": "family_install",
    "CROSS_PLATFORM_PROGRAMS": "cross_platform_programs",
    "WINDOWS_PROGRAM_NAMES": "windows_program_names",
    "POWERSHELL_ALIAS_MISMATCH": "powershell_alias_mismatch",
    "POWERSHELL_VALUE_PARAMETERS": "powershell_value_parameters",
    "POWERSHELL_PATH_PARAMETERS": "powershell_path_parameters",
    "PORTABLE_TAR_OPTIONS": "portable_tar_options",
}

if TYPE_CHECKING:
    # Windows PowerShell 5.1's aliases and functions: alias -> what it stands for
    POWERSHELL_ALIASES: Mapping[str, str]
    # package manager -> the Linux families whose images have it (analysis family names)
    PACKAGE_MANAGERS: Mapping[str, frozenset[str]]
    # family -> its package manager's install command, for messages
    FAMILY_INSTALL: Mapping[str, str]
    # programs with the same command line on Linux and Windows images (the translator keeps them)
    CROSS_PLATFORM_PROGRAMS: frozenset[str]
    # Linux program name -> its name in the Windows images of the same tool
    WINDOWS_PROGRAM_NAMES: Mapping[str, str]
    # names PowerShell aliases to a cmdlet with another job's options (curl, wget)
    POWERSHELL_ALIAS_MISMATCH: frozenset[str]
    # PowerShell parameters that take a value; parameters whose value is a path, in order
    POWERSHELL_VALUE_PARAMETERS: frozenset[str]
    POWERSHELL_PATH_PARAMETERS: tuple[str, ...]
    # tar options that GNU tar, BusyBox tar and Windows' bsdtar read the same way
    PORTABLE_TAR_OPTIONS: frozenset[str]


def tables() -> Catalogue:
    """The packaged catalogue, read on the first call."""
    global _loaded
    if _loaded is None:
        _loaded = load(check=False)
        for attribute, table in _ATTRIBUTES.items():
            globals()[attribute] = getattr(_loaded, table)
    return _loaded


def __getattr__(name: str) -> object:
    if name in _ATTRIBUTES:
        return getattr(tables(), _ATTRIBUTES[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- the questions ----------------------------------------------------------------------------

_CMDLET = lazyre.compile(r"([A-Z][A-Za-z]+)-[A-Z][A-Za-z0-9]+\Z")


def _key(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1].lower().removesuffix(".exe")


def lookup(name: str) -> CommandInfo | None:
    """The entry for a command as invoked (folder, ``.exe`` and case ignored)."""
    return tables().by_name.get(_key(name))


def entries() -> tuple[CommandInfo, ...]:
    """Every catalogue entry, Linux utilities first."""
    return tables().entries


def powershell_alias(name: str) -> str | None:
    """What a Windows PowerShell alias or built-in function stands for (``ls`` → Get-ChildItem)."""
    return tables().powershell_aliases.get(name.lower())


def is_cmdlet(name: str) -> bool:
    """``Invoke-WebRequest``-style names: a catalogued cmdlet or an approved ``Verb-Noun``."""
    catalogue = tables()
    entry = catalogue.by_name.get(name.lower())
    if entry is not None and entry.shells == PS and "-" in entry.name:
        return True
    match = _CMDLET.match(name)
    return match is not None and match.group(1) in catalogue.powershell_verbs


def exists(name: str, shell: ShellName, os: str = "windows") -> bool | None:
    """Whether ``name`` runs under ``shell``; None when the catalogue does not know it.

    ``os`` matters for PowerShell only: pwsh on Linux runs Linux programs as well.
    An explicit ``.exe`` under PowerShell means the program, never an alias.
    """
    if shell == "powershell":
        if not name.lower().endswith(".exe") and powershell_alias(name) is not None:
            return True
        if is_cmdlet(name):
            return True
    entry = lookup(name)
    if entry is None:
        return None
    if shell == "powershell" and os == "linux":
        return "sh" in entry.shells or entry.shells == PS
    return shell in entry.shells


def equivalent(name: str, args: Sequence[str], shell: ShellName) -> str | None:
    """A command line doing the same job under ``shell``, refined by the options used."""
    entry = lookup(name)
    if entry is None:
        return None
    for arg in args:
        if not arg.startswith("-"):
            continue
        form = entry.forms.get(arg)
        if form is not None and shell in form:
            return form[shell]
    return entry.equivalents.get(shell)


def foreign_option(name: str, args: Iterable[str], shell: ShellName) -> str | None:
    """The first argument that shows ``name``, run under ``shell``, was written for another
    shell's command of the same name (``/B`` in ``dir /B`` under sh, ``-p`` in ``mkdir -p``
    under cmd)."""
    entry = lookup(name)
    pattern = entry.foreign_options.get(shell) if entry is not None else None
    if pattern is None:
        return None
    for arg in args:
        if pattern.fullmatch(arg):
            return arg
    return None


def translations() -> tuple[Translation, ...]:
    """Every translation, the sh ones first."""
    return tables().translations


def translation(source: ShellName, program: str, options: Iterable[str]) -> Translation | None:
    """The translation of ``program`` with exactly these options, written for ``source``."""
    catalogue = tables()
    aliases = catalogue.option_aliases.get(program, {})
    wanted = frozenset(aliases.get(option, option) for option in options) - {""}
    for item in catalogue.translations:
        if item.source == source and item.program == program and item.options == wanted:
            return item
    return None


def semantics(name: str) -> tuple[Translation, ...]:
    """What the command lines of one catalogue entry do, for the forms dflint writes."""
    entry = lookup(name)
    if entry is None:
        return ()
    return tuple(item for item in translations() if item.program == entry.name.lower())
