"""The uniform view of a shell script, whatever the shell: commands, variables, control.

Every offset is into :attr:`Script.text`; every :class:`~dflint.read.model.Span` is already on the
Dockerfile's physical lines (1-based, end column exclusive). Spans are computed when asked
for: most words of most scripts are never reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields

from dflint.analyse.shell.source import SourceMap
from dflint.codecache import exec_cached
from dflint.read.model import Span

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from typing import Literal, TypeAlias

Dialect: TypeAlias = 'Literal["posix", "powershell", "cmd", "exec"]'
"""posix: sh/bash/ash/dash; powershell: Windows PowerShell or pwsh; cmd: cmd.exe;
exec: an exec-form argument list run without a shell."""

VariableSyntax: TypeAlias = 'Literal["sh", "cmd", "cmd-delayed", "ps", "ps-env"]'
"""How a reference is written: ``$X``/``${X}`` (sh), ``%X%`` (cmd), ``!X!`` (cmd-delayed),
``$x`` (ps, a PowerShell variable), ``$env:X`` (ps-env)."""

ConditionKind: TypeAlias = 'Literal["case", "if", "else", "and", "or", "loop", "switch"]'


@dataclass(frozen=True, slots=True)
class Word:
    """One argument as written (``text``) and with quotes removed (``value``).

    Expansions stay as written in ``value`` (``"$HOME/x"`` gives ``$HOME/x``).
    """

    text: str
    value: str
    start: int
    end: int
    source: SourceMap = field(repr=False, compare=False)

    @property
    def span(self) -> Span:
        return self.source.span(self.start, self.end)


@dataclass(frozen=True, slots=True)
class Condition:
    """A control structure around a command: the branch it sits in and what is tested.

    ``test`` is the tested text as written: the subject of a ``case``/``switch``
    (``"$(dpkg --print-architecture)"``), the condition of an ``if``, or the command just
    before ``&&``/``||`` (so ``[ "$a" = x ] && b`` tests, ``a && b`` only sequences).
    ``pattern`` is the branch label of a ``case``/``switch`` (``amd64|x86_64``). An ``else``
    carries the tests of the branches it excludes.
    """

    kind: ConditionKind
    test: str
    pattern: str | None
    start: int  # of the test text in Script.text
    end: int
    source: SourceMap = field(repr=False, compare=False)

    @property
    def span(self) -> Span:
        return self.source.span(self.start, self.end)


@dataclass(frozen=True, slots=True)
class Arm:
    """One branch of a ``case`` or ``if``: the condition its commands carry, its label
    (a case pattern such as ``amd64|x86_64``, an if's test, or None for ``else``) with the
    label's offsets, and the offsets of its body."""

    condition: Condition
    label: str | None
    label_start: int
    label_end: int
    body_start: int
    body_end: int

    @property
    def is_fallback(self) -> bool:
        """``else``, or a case pattern that matches anything (``*``)."""
        if self.label is None:
            return True
        return self.condition.kind == "case" and any(
            part.strip() in ("*", "'*'", '"*"') for part in self.label.split("|")
        )


@dataclass(frozen=True, slots=True)
class Choice:
    """A ``case`` or an ``if``/``elif``/``else`` chain, with its branches in order."""

    kind: Literal["case", "if"]
    subject: str  # the case's subject as written; "" for an if
    start: int
    end: int
    arms: tuple[Arm, ...]
    conditions: tuple[Condition, ...]  # the control structures around the whole choice


@dataclass(frozen=True, slots=True)
class Assignment:
    """``NAME=value`` in sh, ``set NAME=value`` in cmd, ``$NAME = ...``/``$env:NAME = ...``."""

    name: str
    value: str  # as written
    start: int
    end: int
    conditions: tuple[Condition, ...]
    exported: bool  # visible to child processes (export, env prefix, set, $env:)
    source: SourceMap = field(repr=False, compare=False)

    @property
    def span(self) -> Span:
        return self.source.span(self.start, self.end)


@dataclass(frozen=True, slots=True)
class VariableRef:
    """A variable reference in a script (``$X``, ``%X%``, ``$env:X``, ...) and where it is."""

    name: str
    syntax: VariableSyntax
    text: str
    start: int
    end: int
    source: SourceMap = field(repr=False, compare=False)

    @property
    def span(self) -> Span:
        return self.source.span(self.start, self.end)


@dataclass(frozen=True, slots=True)
class Feature:
    """Syntax that only some shells accept (``[[``, arrays, ``<(…)``, ``$'…'``, …)."""

    name: str
    text: str
    start: int
    end: int
    source: SourceMap = field(repr=False, compare=False)

    @property
    def span(self) -> Span:
        return self.source.span(self.start, self.end)


@dataclass(frozen=True, slots=True)
class Command:
    """A simple command: its name as invoked, its arguments and where it sits."""

    name: str  # quotes removed: "apt-get", "/usr/bin/curl", "Invoke-WebRequest", "dir"
    words: tuple[Word, ...]  # the arguments, without redirections and env prefixes
    start: int
    end: int
    name_start: int
    name_end: int
    conditions: tuple[Condition, ...]  # outermost first
    env: tuple[Assignment, ...]  # prefix assignments: GOARCH=amd64 go build
    source: SourceMap = field(repr=False, compare=False)

    @property
    def span(self) -> Span:
        return self.source.span(self.start, self.end)

    @property
    def name_span(self) -> Span:
        return self.source.span(self.name_start, self.name_end)

    @property
    def program(self) -> str:
        """The name without its folder and ``.exe``, lower case (``C:\\x\\curl.EXE`` → curl)."""
        base = self.name.replace("\\", "/").rsplit("/", 1)[-1].lower()
        return base.removesuffix(".exe")

    @property
    def args(self) -> list[str]:
        return [word.value for word in self.words]


def _quick_init(cls: type) -> None:
    """Give a frozen, slotted dataclass an ``__init__`` that fills its slots directly.

    The generated one goes through ``object.__setattr__`` for each field (the price of
    ``frozen``), which made building the words and commands of a script cost twice as much;
    the slots' own setters keep the class frozen for everyone else. Every field is required.
    """
    names = [item.name for item in fields(cls)]
    setters = {f"_set_{name}": getattr(cls, name).__set__ for name in names}
    body = "".join(f"    _set_{name}(self, {name})\n" for name in names)
    namespace: dict[str, object] = {}
    exec_cached(f"def __init__(self, {', '.join(names)}):\n{body}", setters, namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"  # type: ignore[attr-defined]
    setattr(cls, "__init__", init)  # noqa: B010


for _frozen in (Word, Condition, Arm, Choice, Assignment, VariableRef, Feature, Command):
    _quick_init(_frozen)


@dataclass(slots=True, eq=False)
class Script:
    """One script in one dialect: a RUN's shell-form text, a heredoc body, an exec-form
    argument list, or a script nested in another (``sh -c '…'``, ``powershell -Command …``)."""

    dialect: Dialect
    origin: str  # for messages: "shell form", "heredoc <<EOF", "sh -c string", ...
    text: str
    map: SourceMap
    commands: list[Command] = field(default_factory=list)
    variables: list[VariableRef] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    features: list[Feature] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)  # case and if statements (posix)
    # (start, end) of single-quoted text (sh) or verbatim strings (PowerShell): no expansion
    literal_ranges: list[tuple[int, int]] = field(default_factory=list)
    parent: Script | None = None
    errors: bool = False  # the parser could not read all of it
    # an exception dflint's own parser raised on the text: a bug in dflint, never the
    # script's fault (``errors`` is set too); the engine reports it as an internal error
    failure: str | None = None
    # the program that runs the text: "sh", "bash", "cmd", "powershell", "pwsh", or for
    # exec form the program itself
    interpreter: str = ""

    def span(self, start: int, end: int) -> Span:
        return self.map.span(start, end)

    def parser_failed(self, error: Exception) -> None:
        """Record that a parser raised ``error`` on this script. Linting goes on with what
        was read, but the failure is not hidden: it reaches the report as an internal error
        (and the fuzz tests fail on it)."""
        import os
        import traceback  # only on this path: a failure is rare, start-up is not

        self.errors = True
        frame = traceback.extract_tb(error.__traceback__)[-1:]
        where = f" at {os.path.basename(frame[0].filename)}:{frame[0].lineno}" if frame else ""
        self.failure = f"{type(error).__name__}: {error}{where}"

    def is_literal(self, offset: int) -> bool:
        """The character at ``offset`` is inside single quotes (the shell expands nothing)."""
        return any(start <= offset < end for start, end in self.literal_ranges)

    def relocated(self, source: SourceMap) -> Script:
        """The same script read at another place: what was found, mapped through ``source``.

        Every word, command and condition is copied with the new map (objects shared inside
        the script stay shared: rules tell conditions apart by identity), unless the new map
        puts every character where the old one did: then the (frozen) objects are shared.
        ``parent`` and ``interpreter`` are left for the caller to set, as after a parse.
        """
        if source.same_as(self.map):
            # the same text at the same lines and columns (a file's twin in another folder):
            # what was found is already where it belongs, and is frozen, so it is shared
            twin = Script(self.dialect, self.origin, self.text, source)
            twin.assignments = list(self.assignments)
            twin.commands = list(self.commands)
            twin.variables = list(self.variables)
            twin.features = list(self.features)
            twin.choices = list(self.choices)
            twin.literal_ranges = list(self.literal_ranges)
            twin.errors = self.errors
            return twin
        conditions: dict[int, Condition] = {}
        assignments: dict[int, Assignment] = {}

        def condition(item: Condition) -> Condition:
            found = conditions.get(id(item))
            if found is None:
                found = Condition(item.kind, item.test, item.pattern, item.start, item.end, source)
                conditions[id(item)] = found
            return found

        def assignment(item: Assignment) -> Assignment:
            found = assignments.get(id(item))
            if found is None:
                found = Assignment(
                    item.name,
                    item.value,
                    item.start,
                    item.end,
                    tuple(map(condition, item.conditions)),
                    item.exported,
                    source,
                )
                assignments[id(item)] = found
            return found

        copy = Script(self.dialect, self.origin, self.text, source)
        copy.assignments = [assignment(item) for item in self.assignments]
        copy.commands = [
            Command(
                item.name,
                tuple(Word(w.text, w.value, w.start, w.end, source) for w in item.words),
                item.start,
                item.end,
                item.name_start,
                item.name_end,
                tuple(map(condition, item.conditions)),
                tuple(map(assignment, item.env)),
                source,
            )
            for item in self.commands
        ]
        copy.variables = [
            VariableRef(v.name, v.syntax, v.text, v.start, v.end, source) for v in self.variables
        ]
        copy.features = [Feature(f.name, f.text, f.start, f.end, source) for f in self.features]
        copy.choices = [
            Choice(
                item.kind,
                item.subject,
                item.start,
                item.end,
                tuple(
                    Arm(
                        condition(arm.condition),
                        arm.label,
                        arm.label_start,
                        arm.label_end,
                        arm.body_start,
                        arm.body_end,
                    )
                    for arm in item.arms
                ),
                tuple(map(condition, item.conditions)),
            )
            for item in self.choices
        ]
        copy.literal_ranges = list(self.literal_ranges)
        copy.errors = self.errors
        return copy


@dataclass(slots=True, eq=False)
class ShellView:
    """Every script an instruction runs, nested ones included, in source order."""

    shell: tuple[str, ...]  # the SHELL in force (shell form) or the exec-form program
    scripts: list[Script]

    def commands(self) -> Iterator[tuple[Script, Command]]:
        for script in self.scripts:
            for command in script.commands:
                yield script, command

    @property
    def empty(self) -> bool:
        return not self.scripts
