"""What an arch dispatch (a ``case``/``if`` on the machine's architecture) covers.

Each tool that reports the architecture has its own vocabulary: ``uname -m`` prints
``aarch64`` where ``dpkg --print-architecture`` prints ``arm64`` and ``$TARGETARCH`` holds
``arm64``; ``apk --print-arch`` says ``armhf`` for ARMv6. :func:`read_choice` reads one
``case`` or ``if`` chain of a POSIX script: which tool it tests, which architectures each
branch matches, and what its fallback does. DF312 (incomplete dispatches) and DF313 (tests
against values the tool never prints) judge the result.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import lru_cache

from dflint import lazyre
from dflint.analyse.arch import (
    ARCH_NAMED_REFERENCE,
    ARCH_SOURCE_TEST,
    DOCKER_ARCH,
    dispatches_of,
    kept_per_script,
)
from dflint.analyse.shell.model import Arm, Assignment, Choice, Command, Script
from dflint.analyse.shell.posix import unquote_value

# What each tool prints on Linux, with Docker's name of the architecture.
VOCABULARY: dict[str, dict[str, str]] = {
    "uname -m": {
        "x86_64": "amd64",
        "aarch64": "arm64",
        "armv7l": "arm/v7",
        "armv8l": "arm/v7",  # a 32-bit userland on a 64-bit ARM kernel
        "armv6l": "arm/v6",
        "armv5tel": "arm/v5",
        "i686": "386",
        "i586": "386",
        "i486": "386",
        "i386": "386",
        "ppc64le": "ppc64le",
        "s390x": "s390x",
        "riscv64": "riscv64",
        "mips64": "mips64le",
        "loongarch64": "loong64",
    },
    "dpkg --print-architecture": {
        "amd64": "amd64",
        "arm64": "arm64",
        "armhf": "arm/v7",
        "armel": "arm/v5",
        "i386": "386",
        "ppc64el": "ppc64le",
        "s390x": "s390x",
        "riscv64": "riscv64",
        "mips64el": "mips64le",
        "loong64": "loong64",
    },
    "apk --print-arch": {
        "x86_64": "amd64",
        "aarch64": "arm64",
        "armv7": "arm/v7",
        "armhf": "arm/v6",
        "x86": "386",
        "ppc64le": "ppc64le",
        "s390x": "s390x",
        "riscv64": "riscv64",
        "loongarch64": "loong64",
    },
    "rpm %{_arch}": {
        "x86_64": "amd64",
        "aarch64": "arm64",
        "armv7hl": "arm/v7",
        "i686": "386",
        "ppc64le": "ppc64le",
        "s390x": "s390x",
        "riscv64": "riscv64",
        "loongarch64": "loong64",
    },
    "$TARGETARCH": {
        "amd64": "amd64",
        "arm64": "arm64",
        "arm": "arm",
        "386": "386",
        "ppc64le": "ppc64le",
        "s390x": "s390x",
        "riscv64": "riscv64",
        "mips64le": "mips64le",
        "loong64": "loong64",
    },
    "$TARGETPLATFORM": {
        "linux/amd64": "amd64",
        "linux/arm64": "arm64",
        "linux/arm64/v8": "arm64",
        "linux/arm/v7": "arm/v7",
        "linux/arm/v6": "arm/v6",
        "linux/arm/v5": "arm/v5",
        "linux/386": "386",
        "linux/ppc64le": "ppc64le",
        "linux/s390x": "s390x",
        "linux/riscv64": "riscv64",
        "linux/mips64le": "mips64le",
        "linux/loong64": "loong64",
    },
}
# Any tool's words, for a test whose tool is not known (a variable read from a file).
_ANY: dict[str, str] = {}
for _words in VOCABULARY.values():
    for _word, _arch in _words.items():
        _ANY.setdefault(_word, _arch)
for _word, _arch in DOCKER_ARCH.items():
    _ANY.setdefault(_word, _arch)
_ANY.update({"arm": "arm", "x86": "386", "x64": "amd64", "arm32": "arm", "armv7": "arm/v7"})

_TOOLS: tuple[tuple[re.Pattern[str], str], ...] = (
    (lazyre.compile(r"\buname\s+(?:-m\b|--machine\b)|\$\(\s*arch\s*\)|`\s*arch\s*`"), "uname -m"),
    (
        lazyre.compile(
            r"dpkg\s+--print-architecture|dpkg-architecture\s[^|;&]*"
            r"DEB_(?:HOST|BUILD)_ARCH(?![A-Z_])"
        ),
        "dpkg --print-architecture",
    ),
    (lazyre.compile(r"apk\s+--print-arch"), "apk --print-arch"),
    (lazyre.compile(r"%\{_?arch\}|%\{ARCH\}"), "rpm %{_arch}"),
    (lazyre.compile(r"\$\{?(?:TARGET|BUILD)ARCH\b"), "$TARGETARCH"),
    (lazyre.compile(r"\$\{?(?:TARGET|BUILD)PLATFORM\b"), "$TARGETPLATFORM"),
)
_REFERENCE = lazyre.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
# `subject = value` comparisons in a test: [ "$a" = x86_64 ], [[ $a == "x86_64" ]]
_COMPARISON = lazyre.compile(
    r"""(?P<left>"[^"]*"|'[^']*'|[^\s\[\]=!]+)\s*(?P<op>==|!=|=)\s*"""
    r"""(?P<right>"[^"]*"|'[^']*'|[^\s\[\];&|)]+)"""
)
_FAILING = frozenset({"exit", "return", "false", "die", "fatal", "abort", "fail"})
_ARCHY = lazyre.compile(r"arm|aarch|amd|x86|x64|i[3-6]86|ppc|s390|riscv|mips|loong", re.I)
# Words that name one architecture in a value a branch picks ("arm" alone included: Google
# names its arm64 builds so).
_PICKED = lazyre.compile(
    r"(?<![A-Za-z0-9])(?:x86_64|x86-64|amd64|x64|x86|i[3-6]86|386|aarch64|arm64|armv\d+\w*"
    r"|armhf|armel|arm|ppc64le|ppc64el|s390x|riscv64)(?![A-Za-z0-9])",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Value:
    """A value a branch compares the architecture with, and where it is written."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ReadArm:
    """One branch of an arch dispatch, read: the architectures it matches and what it does."""

    arm: Arm
    values: tuple[Value, ...]  # the compared values (case alternatives, if comparisons)
    arches: frozenset[str] | None  # the architectures it matches; None: cannot tell
    fails: bool  # the branch exits non-zero
    picks: tuple[str, ...]  # values assigned or printed
    assigned: tuple[str, ...]  # the variables it assigns
    picked_arch: str | None  # an architecture word among ``picks``
    printed: tuple[str, ...]  # the values it prints
    printed_arch: bool  # it prints an architecture word (echo x86_64 > /tmp/arch)


@dataclass(frozen=True, slots=True)
class ReadChoice:
    """An arch dispatch, read: the tool it tests, its branches in order and its fallback."""

    choice: Choice
    tool: str | None  # a key of VOCABULARY; None when the tool is not known
    arms: tuple[ReadArm, ...]  # the explicit branches, in order
    fallback: ReadArm | None  # `*)` or `else`

    @property
    def vocabulary(self) -> dict[str, str]:
        return VOCABULARY[self.tool] if self.tool is not None else _ANY

    @property
    def covered(self) -> frozenset[str] | None:
        """The architecture families the explicit branches match; None: cannot tell."""
        found: set[str] = set()
        for item in self.arms:
            if item.arches is None:
                return None
            found |= {arch.split("/", 1)[0] for arch in item.arches}
        return frozenset(found)

    def maps(self, script: Script) -> bool:
        """The explicit branches choose something for what follows (assign a variable read
        after the choice, or print an architecture's name), rather than run optional work
        for one architecture (install an extra package on x86_64)."""
        names = {name for item in self.arms for name in item.assigned}
        start, end = self.choice.start, self.choice.end
        if any(item.printed for item in self.arms):
            # x=$(if …; then echo linux64; else echo linux-aarch64; fi): what it prints
            names |= {
                item.name for item in script.assignments if item.start <= start and end <= item.end
            }
        if any(ref.name in names and ref.start >= end for ref in script.variables):
            return True
        return any(item.printed_arch for item in self.arms)

    @property
    def shown_tool(self) -> str:
        return f"`{self.tool}`" if self.tool is not None else "the architecture"


_BRANCH = lazyre.compile(r"\b(?:case|if)\b")


def may_dispatch(text: str) -> bool:
    """A cheap test before parsing: a `case`/`if` and something that names the architecture."""
    if len(text) <= 8192:  # DF312 and DF313 ask about the same texts: short ones are kept
        return _kept_may_dispatch(text)
    return _may_dispatch(text)


@lru_cache(maxsize=256)
def _kept_may_dispatch(text: str) -> bool:
    return _may_dispatch(text)


def _may_dispatch(text: str) -> bool:
    return (
        ("if" in text or "case" in text)
        and _BRANCH.search(text) is not None
        and (ARCH_SOURCE_TEST.found(text) or ARCH_NAMED_REFERENCE.found(text))
    )


def tool_of(text: str) -> str | None:
    for pattern, tool in _TOOLS:
        if pattern.search(text):
            return tool
    return None


def read_choices(script: Script) -> list[ReadChoice]:
    """Every arch dispatch of a POSIX script, read (once: DF312 and DF313 both ask)."""
    if script.dialect != "posix" or not script.choices:
        return []
    return kept_per_script(_READ, script, _read_choices)


_READ: dict[int, tuple[Script, list[ReadChoice]]] = {}


def _read_choices(script: Script) -> list[ReadChoice]:
    dispatches = dispatches_of(script)
    found = []
    members: _Members | None = None
    for choice in script.choices:
        if not any(dispatches.is_arch_test(arm.condition) for arm in choice.arms):
            continue
        if members is None:
            members = _members(script)
        read = _read(script, choice, members)
        if read is not None:
            found.append(read)
    return found


# The commands and assignments under each condition of a script, by the condition's id
# (conditions are told apart by identity), in source order.
_Members = dict[int, tuple[list[Command], list[Assignment]]]


def _members(script: Script) -> _Members:
    found: _Members = {}
    for command in script.commands:
        for condition in set(map(id, command.conditions)):
            found.setdefault(condition, ([], []))[0].append(command)
    for assignment in script.assignments:
        for condition in set(map(id, assignment.conditions)):
            found.setdefault(condition, ([], []))[1].append(assignment)
    return found


def _read(script: Script, choice: Choice, members: _Members) -> ReadChoice | None:
    tested = (
        choice.subject
        if choice.kind == "case"
        else " ".join(arm.condition.test for arm in choice.arms if arm.label is not None)
    )
    tool = _tool(script, choice, tested)
    vocabulary = VOCABULARY[tool] if tool is not None else _ANY
    arms: list[ReadArm] = []
    fallback: ReadArm | None = None
    for arm in choice.arms:
        fails, printed, given, assigned = _body(members.get(id(arm.condition), ([], [])))
        picks = printed + given
        picked = next((m.group(0) for p in picks for m in [_PICKED.search(p)] if m), None)
        printed_arch = any(_PICKED.fullmatch(value.strip()) for value in printed)
        if arm.is_fallback:
            fallback = ReadArm(arm, (), None, fails, picks, assigned, picked, printed, printed_arch)
            continue
        values = _values(script, arm, choice.kind)
        arches = _matched(values, vocabulary) if values is not None else None
        arms.append(
            ReadArm(
                arm, values or (), arches, fails, picks, assigned, picked, printed, printed_arch
            )
        )
    return ReadChoice(choice, tool, tuple(arms), fallback)


def _tool(script: Script, choice: Choice, tested: str) -> str | None:
    """The tool the tested text comes from: named in it, or through one variable assigned
    from it before the choice (and not reassigned in between)."""
    direct = tool_of(tested)
    if direct is not None:
        return direct
    names = {name for name in _REFERENCE.findall(tested)}
    tools: set[str | None] = set()
    for name in names:
        tools.add(_variable_tool(script, name, choice.start))
    tools.discard(None)
    return tools.pop() if len(tools) == 1 else None


def _variable_tool(script: Script, name: str, before: int, depth: int = 0) -> str | None:
    last = None
    for assignment in script.assignments:
        if assignment.name == name and assignment.end <= before:
            last = assignment
    if last is None or depth > 4:
        return None
    direct = tool_of(last.value)
    if direct is not None:
        return direct
    inner = set(_REFERENCE.findall(last.value))
    if len(inner) == 1:
        return _variable_tool(script, inner.pop(), last.start, depth + 1)
    return None


def _body(
    members: tuple[list[Command], list[Assignment]],
) -> tuple[bool, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Whether a branch fails, the values it prints, the values it assigns, and the names
    it assigns (from the commands and assignments under the branch's condition)."""
    fails = False
    printed: list[str] = []
    given: list[str] = []
    assigned: list[str] = []
    commands, assignments = members
    for command in commands:
        name = command.name.rsplit("/", 1)[-1]
        if name in _FAILING:
            args = [word.value for word in command.words]
            failing = name not in ("exit", "return") or not args or args[0] != "0"
            fails = fails or failing
        elif name in ("echo", "printf"):
            printed += [word.value for word in command.words if not word.value.startswith("-")]
    for assignment in assignments:
        given.append(unquote_value(assignment.value))
        if assignment.name not in assigned:
            assigned.append(assignment.name)
    return fails, tuple(printed), tuple(given), tuple(assigned)


def _values(script: Script, arm: Arm, kind: str) -> tuple[Value, ...] | None:
    """The literal values a branch compares with; None when the test is more than
    comparisons with literals (a `!=`, a `grep`, a variable on both sides)."""
    if arm.label is None:
        return ()
    if kind == "case":
        values = []
        offset = arm.label_start
        for part in script.text[arm.label_start : arm.label_end].split("|"):
            stripped = part.strip()
            start = offset + part.find(stripped) if stripped else offset
            offset += len(part) + 1
            value = unquote_value(stripped)
            if not value or "$" in value:
                return None
            values.append(Value(value, start, start + len(stripped)))
        return tuple(values)
    text = script.text[arm.label_start : arm.label_end]
    if "&&" in text or " -a " in text or "=~" in text:
        return None
    values = []
    for match in _COMPARISON.finditer(text):
        if match.group("op") == "!=":
            return None
        left, right = match.group("left"), match.group("right")
        literal, at = (
            (right, match.start("right"))
            if "$" in left or "`" in left
            else (left, match.start("left"))
        )
        if "$" in literal or "`" in literal:
            return None
        value = unquote_value(literal)
        values.append(Value(value, arm.label_start + at, arm.label_start + at + len(literal)))
    return tuple(values) if values else None


def _matched(values: tuple[Value, ...], vocabulary: dict[str, str]) -> frozenset[str]:
    found: set[str] = set()
    for value in values:
        found.update(arch for word, arch in vocabulary.items() if matches_pattern(word, value))
    return frozenset(found)


def matches_pattern(word: str, value: Value) -> bool:
    """Whether the case pattern (a glob) ``value`` matches ``word``."""
    pattern = value.text
    if "*" not in pattern and "?" not in pattern and "[" not in pattern:
        return word == pattern  # what fnmatch would say, without compiling a regex for it
    return fnmatch.fnmatchcase(word, pattern)


def looks_like_arch(value: str) -> bool:
    return bool(_ARCHY.search(value))


def spelling(tool: str, arch: str) -> str | None:
    """How ``tool`` prints Docker's ``arch`` (arm64 → aarch64 for uname -m)."""
    family = arch.split("/", 1)[0]
    for word, docker in VOCABULARY[tool].items():
        if docker == arch:
            return word
    for word, docker in VOCABULARY[tool].items():
        if docker.split("/", 1)[0] == family:
            return word
    return None


def arch_of_word(word: str) -> str | None:
    """Docker's architecture for any tool's word (x86_64, armhf, arm_64 → None)."""
    return _ANY.get(word.lower())
