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
from functools import lru_cache

from dflint import lazyre
from dflint.analyse.analysis import Analysis, StageFacts
from dflint.analyse.shell.model import Condition, Script
from dflint.core.archnames import ARCH_NAMESPACES, ARCH_TOKENS, arch_tokens_in_tag

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeVar

    Found = TypeVar("Found")
    from dflint.analyse.targets import Targets

# Spellings of a CPU architecture in asset names, bounded so that `x86_64` inside a longer
# word (`libx86_64abi`) or `arm64` in `arm64ec` does not count. `386`, `arm` and `x86` alone
# are left out: they are version numbers and ordinary words too often.
ARCH_LITERAL = lazyre.compile(
    r"(?<![A-Za-z0-9])"
    r"(amd64|x86_64|x86-64|x64|arm64|aarch64|arm64v8|armv8|armv7l?|armv6l?|armhf|armel"
    r"|arm32v7|arm32v6|i386|i686|ppc64le|s390x|riscv64)"
    r"(?![A-Za-z0-9])",
    re.I,
)


class FoldedPattern:
    """A case-insensitive pattern that is quick to search.

    Python's ``re`` cannot skip ahead to a possible first character under IGNORECASE, so it
    tries every branch at every position; these tests run over every RUN line. On ASCII text
    (nearly all of it) a case-sensitive copy of the pattern searches the text folded to lower
    case instead, which finds the same places; other text gets the IGNORECASE pattern.
    """

    __slots__ = ("folded", "pattern")

    def __init__(self, source: str) -> None:
        if re.search(r"\\[A-Z]", source):  # \S, \W, \B, ... would change meaning
            raise ValueError(f"cannot fold {source!r}")
        self.pattern = lazyre.compile(source, re.I)
        self.folded = lazyre.compile(source.lower())

    def found(self, text: str) -> bool:
        if text.isascii():
            return self.folded.search(text.lower()) is not None
        return self.pattern.search(text) is not None

    def spans(self, text: str, group: int = 0) -> list[tuple[int, int]]:
        """(start, end) of the group in each non-overlapping match, in order."""
        pattern = self.folded if text.isascii() else self.pattern
        subject = text.lower() if text.isascii() else text
        return [match.span(group) for match in pattern.finditer(subject)]


# Where a script learns the machine's architecture.
ARCH_SOURCE = lazyre.compile(
    r"dpkg\s+--print-architecture|dpkg-architecture|apk\s+--print-arch"
    r"|uname\s+(?:-[a-z]*[mpi]|--machine|--processor|--hardware-platform)"
    r"|\$\(\s*arch\s*\)|`\s*arch\s*`|%\{_?arch\}|getconf\s+LONG_BIT|go\s+env\s+GOARCH"
    r"|process\.arch|PROCESSOR_ARCHITECTURE|\b(?:TARGET|BUILD)(?:ARCH|PLATFORM|VARIANT)\b"
    r"|\$\{?(?:HOSTTYPE|MACHTYPE)\b",
    re.I,
)
ARCH_SOURCE_TEST = FoldedPattern(ARCH_SOURCE.pattern)
# A variable whose name says it holds an architecture ($arch, ${dpkgArch}, $ARCHITECTURE).
ARCH_NAMED_REFERENCE = FoldedPattern(r"\$\{?[#!]?[A-Za-z_]*arch[A-Za-z0-9_]*")
_REFERENCE = lazyre.compile(r"\$\{?[#!]?([A-Za-z_][A-Za-z0-9_]*)")
_TEST_START = lazyre.compile(r"\s*(?:!\s*)?(?:\[\[?|test\b)")

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


_ARCH_LITERAL = FoldedPattern(ARCH_LITERAL.pattern)


def literals(text: str) -> list[Literal]:
    return [Literal(text[start:end], start, end) for start, end in _ARCH_LITERAL.spans(text, 1)]


# Stems of every spelling above, without the word-boundary look-arounds that make
# ARCH_LITERAL slow on long text that holds none.
_STEMS = FoldedPattern(r"amd64|x86|x64|arm|aarch64|i[36]86|ppc64le|s390x|riscv64")


def has_literal(text: str) -> bool:
    # rules ask about the same words and RUN texts in turn; a long text is not kept
    if len(text) > 8192:
        return _STEMS.found(text) and _ARCH_LITERAL.found(text)
    return _kept_has_literal(text)


@lru_cache(maxsize=4096)
def _kept_has_literal(text: str) -> bool:
    return _STEMS.found(text) and _ARCH_LITERAL.found(text)


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


@dataclass(frozen=True, slots=True)
class ImagePin:
    """An image reference that names one CPU architecture."""

    arch: str  # Docker's name: amd64, arm64, arm/v7, ...
    token: str  # the spelling in the reference: arm64v8, linux-amd64's amd64, x86_64, ...
    where: str  # "namespace", "tag" or "repository name"
    multi_arch: str | None  # the name published for every architecture, when it is known

    @property
    def family(self) -> str:
        """The architecture without its variant (arm for arm/v7)."""
        return self.arch.split("/", 1)[0]


_TAG_SPLIT = lazyre.compile(r"[-_.]")

# The rules that report an image named for one architecture (image_pin), each with the image
# or platform to use instead; DF201 yields to them (Violation.covered_by).
PIN_RULES = frozenset({"DF202", "DF209", "DF210", "DF311"})


@lru_cache(maxsize=1024)  # several rules ask about each FROM, and files share images
def image_pin(image: str) -> ImagePin | None:
    """The architecture an image reference names: an official image's per-architecture
    namespace (``arm64v8/ruby``), or one architecture word in the tag (``base:linux-amd64``)
    or in the repository's name (``busybox-linux-amd64``). None for a multi-arch name, a
    reference that still holds a variable, or one that names two architectures."""
    from dflint.core.reference import parse_image

    ref = parse_image(image)
    if ref is None or (ref.registry != "docker.io" and ref.namespace in ("", "library")):
        return None
    if ref.registry == "docker.io" and ref.namespace in ARCH_NAMESPACES:
        multi = ref.repository.split("/", 1)[1] + (f":{ref.tag}" if ref.tag else "")
        return ImagePin(ARCH_NAMESPACES[ref.namespace], ref.namespace, "namespace", multi)
    for where, text in (("tag", ref.tag or ""), ("repository name", ref.name)):
        found = set(arch_tokens_in_tag(text))
        if len(found) == 1:
            arch = found.pop()
            return ImagePin(arch, _spelling(text, arch), where, None)
        if found:
            return None
    for part in _TAG_SPLIT.split(ref.name.lower()):
        if part in _BOARD_NAMES:
            return ImagePin(_BOARD_NAMES[part], part, "repository name", None)
    return None


# Repository names that name a board or an OS built for one CPU, not an architecture:
# gogs/gogs-rpi, hypriot/rpi-alpine and resin/rpi-raspbian are the Raspberry Pi (32-bit ARM)
# builds of their projects. Only whole words of the name count (not a tag's).
_BOARD_NAMES = {"rpi": "arm", "raspbian": "arm"}


def _spelling(text: str, arch: str) -> str:
    lowered = text.lower()
    for token in ("x86_64", "x86-64"):
        if token in lowered and arch == "amd64":
            return token
    for part in _TAG_SPLIT.split(lowered):
        if ARCH_TOKENS.get(part) == arch:
            return part
    return arch


def repository_of(image: str) -> str:
    """The image without its tag or digest (``localhost:5000/app`` of ``…/app:1``)."""
    from dflint.core.reference import split_written

    return split_written(image)[0]


def same_arch(a: str, b: str) -> bool:
    """Two Docker architectures name the same CPU family (arm/v6 and arm/v7 are both arm)."""
    return a.split("/", 1)[0] == b.split("/", 1)[0]


_BUILD_ARGS = frozenset({"BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT"})
_TARGET_ARGS = frozenset({"TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT"})


def stage_on_build_platform(analysis: Analysis, facts: StageFacts) -> bool:
    """``FROM --platform=$BUILDPLATFORM``: the stage is built for the build machine."""
    written = facts.stage.platform
    if not written or "$" not in written:
        return False
    _, unknown = analysis.expand(written, facts.stage.from_instruction)
    return bool(unknown & _BUILD_ARGS)


def per_arch_advice(targets: Targets, image: str, written: str = "") -> str:
    """How a per-architecture file becomes one Dockerfile, or keeps its layout; ``written``
    is how the one-Dockerfile form names the image (`FROM x` without `--platform`)."""
    every = ",".join(sorted({*targets.platforms, *([targets.own.platform] if targets.own else [])}))
    written = written or f"`FROM {image}` without `--platform`"
    return (
        f"the one-Dockerfile form is {written}, built with "
        f'`docker buildx build --platform {every}`; set per-arch-files = "accept" to keep '
        "one file per architecture"
    )


def stage_arch(facts: StageFacts) -> str | None:
    """The architecture a constant ``FROM --platform`` pins the stage to, spelt as the
    literals of a file name it (``linux/arm`` → ``arm/v7``, ``linux/x86_64`` → ``amd64``)."""
    from dflint.core.platform import PlatformError, check_target

    platform = facts.stage.platform
    if not platform or "$" in platform:
        return None
    try:
        return check_target(platform).split("/", 1)[1]
    except PlatformError:
        return None


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
            if ARCH_SOURCE_TEST.found(value) or any(
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
        if ARCH_SOURCE_TEST.found(test) or ARCH_NAMED_REFERENCE.found(test):
            return True
        return any(name in self._arch_names for name in _REFERENCE.findall(test))

    def inside(self, conditions: tuple[Condition, ...]) -> bool:
        """Some enclosing branch was chosen by the architecture."""
        return any(self.is_arch_test(condition) for condition in conditions)

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


def dispatches_of(script: Script) -> Dispatches:
    """The script's :class:`Dispatches`, made once: DF306, DF307, DF312 and DF313 all ask."""
    return kept_per_script(_DISPATCHES, script, Dispatches)


_DISPATCHES: dict[int, tuple[Script, Dispatches]] = {}


def kept_per_script(
    kept: dict[int, tuple[Script, Found]], script: Script, make: Callable[[Script], Found]
) -> Found:
    """``make(script)``, kept in ``kept`` for the last scripts asked about (several rules
    ask about each script). Keys are ids, kept with the script itself, so an id is never
    taken for another's; a huge script is not kept past its file."""
    found = kept.get(id(script))
    if found is not None and found[0] is script:
        return found[1]
    made = make(script)
    if len(script.text) <= 65536:
        if len(kept) >= 64:
            kept.clear()
        kept[id(script)] = (script, made)
    return made


def references(text: str) -> Iterator[tuple[str, int, int]]:
    """``$NAME``/``${NAME…}`` references in text: (name, start, end of the name part)."""
    for match in _REFERENCE.finditer(text):
        yield match.group(1), match.start(), match.end()


def stages_where_arch_matters(analysis: Analysis, targets: Targets) -> Iterator[StageFacts]:
    """Stages whose architecture literals pin a multi-architecture file: not Windows stages
    (Windows images are amd64 only), and none of a per-architecture file (named or filed for
    one architecture: DF311 checks it against that architecture, and its own architecture's
    names are its purpose)."""
    if analysis.is_windows_only or (targets.own is not None and targets.own.layout):
        return
    for facts in analysis.stages:
        if facts.os != "windows":
            yield facts
