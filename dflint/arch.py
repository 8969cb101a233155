"""Architecture literals in commands, and the arch dispatches that make them correct.

An ``amd64`` in a download URL pins the image to one CPU, unless the command sits in a branch
that chose it by looking at the machine: a ``case``/``if`` on ``dpkg --print-architecture``,
``apk --print-arch``, ``uname -m``, ``rpm --query … %{ARCH}``, ``$TARGETARCH``, or on a
variable set from one of those. :class:`Dispatches` answers that for one script.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from dflint.analysis import Analysis, StageFacts
from dflint.platformdata import ARCH_TOKENS
from dflint.shell.model import Condition, Script

# Spellings of a CPU architecture in asset names, bounded so that `x86_64` inside a longer
# word (`libx86_64abi`) or `arm64` in `arm64ec` does not count. `386`, `arm` and `x86` alone
# are left out: they are version numbers and ordinary words too often.
ARCH_LITERAL = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(amd64|x86_64|x86-64|x64|arm64|aarch64|arm64v8|armv8|armv7l?|armv6l?|armhf|armel"
    r"|arm32v7|arm32v6|i386|i686|ppc64le|s390x|riscv64)"
    r"(?![A-Za-z0-9])",
    re.I,
)

# Where a script learns the machine's architecture.
ARCH_SOURCE = re.compile(
    r"dpkg\s+--print-architecture|dpkg-architecture|apk\s+--print-arch"
    r"|uname\s+(?:-[a-z]*[mpi]|--machine|--processor|--hardware-platform)"
    r"|\$\(\s*arch\s*\)|`\s*arch\s*`|%\{_?arch\}|getconf\s+LONG_BIT|go\s+env\s+GOARCH"
    r"|process\.arch|PROCESSOR_ARCHITECTURE|\b(?:TARGET|BUILD)(?:ARCH|PLATFORM|VARIANT)\b"
    r"|\$\{?(?:HOSTTYPE|MACHTYPE)\b",
    re.I,
)
# A variable whose name says it holds an architecture ($arch, ${dpkgArch}, $ARCHITECTURE).
_ARCH_NAMED_REFERENCE = re.compile(r"\$\{?[#!]?[A-Za-z_]*arch[A-Za-z0-9_]*", re.I)
_REFERENCE = re.compile(r"\$\{?[#!]?([A-Za-z_][A-Za-z0-9_]*)")
_TEST_START = re.compile(r"\s*(?:!\s*)?(?:\[\[?|test\b)")

# How each spelling maps onto Docker's architecture names.
DOCKER_ARCH: dict[str, str] = {token: docker for token, docker in ARCH_TOKENS.items()} | {
    "armv6l": "arm/v6",
    "armv7l": "arm/v7",
}


@dataclass(frozen=True, slots=True)
class Literal:
    """An architecture spelling inside some text: ``text[start:end] == token``."""

    token: str
    start: int
    end: int

    @property
    def arch(self) -> str:
        """Docker's name of the architecture (``x86_64`` → ``amd64``)."""
        return DOCKER_ARCH.get(self.token.lower(), self.token.lower())


def literals(text: str) -> list[Literal]:
    return [Literal(m.group(1), m.start(1), m.end(1)) for m in ARCH_LITERAL.finditer(text)]


# Case-insensitive stems of every spelling above, without the word-boundary look-arounds
# that make ARCH_LITERAL slow on long text that holds none.
_STEMS = re.compile(r"amd64|x86|x64|arm|aarch64|i[36]86|ppc64le|s390x|riscv64", re.I)


def has_literal(text: str) -> bool:
    return _STEMS.search(text) is not None and ARCH_LITERAL.search(text) is not None


def target_form(token: str, in_shell: bool) -> str | None:
    """What to write instead of ``token``, when one expression names every architecture
    the same way: ``amd64``/``arm64`` are TARGETARCH's own values, ``x86_64``/``aarch64``
    what ``uname -m`` prints (so a shell is needed). Other spellings (``x64``, ``armhf``)
    and other casings (``AMD64``) need a mapping the user has to write."""
    if token in ("amd64", "arm64"):
        return "${TARGETARCH}"
    if token in ("x86_64", "aarch64") and in_shell:
        return "$(uname -m)"
    return None


def stage_arch(facts: StageFacts) -> str | None:
    """The architecture a constant ``FROM --platform=linux/amd64`` pins the stage to."""
    platform = facts.stage.platform
    if not platform or "$" in platform:
        return None
    parts = platform.lower().split("/")
    return parts[1] if len(parts) > 1 else None


class Dispatches:
    """Which branches of one script were chosen by the machine's architecture."""

    __slots__ = ("_arch_names", "_cache", "_ranges", "_script")

    def __init__(self, script: Script, extra_names: frozenset[str] = frozenset()) -> None:
        self._script = script
        self._ranges: list[tuple[int, int]] | None = None
        # Variables assigned from an arch source, in order, transitively
        # (arch="$(dpkg --print-architecture)"; triplet="$arch-linux-gnu").
        names = set(extra_names)
        for assignment in script.assignments:
            value = assignment.value
            if ARCH_SOURCE.search(value) or any(
                name in names for name in _REFERENCE.findall(value)
            ):
                names.add(assignment.name)
        self._arch_names = frozenset(names)
        self._cache: dict[int, bool] = {}

    def is_arch_test(self, condition: Condition) -> bool:
        key = id(condition)
        found = self._cache.get(key)
        if found is None:
            found = self._test(condition)
            self._cache[key] = found
        return found

    def _test(self, condition: Condition) -> bool:
        test = condition.test
        if condition.kind in ("and", "or"):
            # `a && b` sequences more often than it tests: only `[ … ] && b` is a branch.
            test = re.split(r"&&|\|\|", test)[-1]
            if not _TEST_START.match(test):
                return False
        elif condition.kind == "loop":
            return False
        if (
            condition.kind in ("case", "switch")
            and condition.pattern
            and has_literal(condition.pattern)
        ):
            return True
        if ARCH_SOURCE.search(test) or _ARCH_NAMED_REFERENCE.search(test):
            return True
        return any(name in self._arch_names for name in _REFERENCE.findall(test))

    def inside(self, conditions: tuple[Condition, ...]) -> bool:
        """Some enclosing branch was chosen by the architecture."""
        return any(self.is_arch_test(condition) for condition in conditions)

    def arch_variables(self) -> frozenset[str]:
        return self._arch_names

    def covers(self, offset: int) -> bool:
        """The text at ``offset`` is decided by the architecture: it sits in a command or
        assignment inside an arch dispatch, or in the arch test itself (a literal nested in
        ``x=$(if [ "$(uname -m)" = x86_64 ]; then echo a; fi)`` is covered although the
        assignment around it is not)."""
        if self._ranges is None:
            self._ranges = self._dispatched_ranges()
        return any(start <= offset < end for start, end in self._ranges)

    def _dispatched_ranges(self) -> list[tuple[int, int]]:
        ranges: set[tuple[int, int]] = set()
        owners: list[tuple[int, int, tuple[Condition, ...]]] = [
            (item.start, item.end, item.conditions) for item in self._script.commands
        ]
        owners += [(item.start, item.end, item.conditions) for item in self._script.assignments]
        for start, end, conditions in owners:
            for condition in conditions:
                if self.is_arch_test(condition):
                    ranges.add((start, end))
                    ranges.add((condition.start, condition.end))
        return sorted(ranges)


def references(text: str) -> Iterator[tuple[str, int, int]]:
    """``$NAME``/``${NAME…}`` references in text: (name, start, end of the name part)."""
    for match in _REFERENCE.finditer(text):
        yield match.group(1), match.start(), match.end()


def stages_where_arch_matters(analysis: Analysis) -> Iterator[StageFacts]:
    """Stages whose architecture literals can be wrong: not Windows stages (Windows images
    are amd64 only) and not stages of a per-architecture file (the arch is intended)."""
    if analysis.is_windows_only:
        return
    for facts in analysis.stages:
        if facts.os != "windows" and facts.arch_in_name is None:
            yield facts
