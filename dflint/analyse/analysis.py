"""Per-stage facts: target OS, base family, shell, ARG/ENV scope and the stage graph.

One pass over the instructions builds everything, in time linear in the file. The queries
are O(1) (``facts``, ``shell``, ``stage_by_name``), O(log n) per variable referenced
(``expand``, ``lookup``), or O(visible names) for ``scope``, which has to build a dict:
variable values live in per-name histories instead of a dict copied per instruction, and a
child stage reaches its parent's variables through a memoised link instead of a copy.

Variable semantics follow BuildKit (``frontend/dockerfile/dockerfile2llb`` and the
``shell`` lexer):

* ARGs before the first FROM are visible in FROM lines only; a stage imports one with a
  bare ``ARG NAME``. The automatic platform ARGs (``TARGETARCH``, ...) are global with
  values that are unknown until the build runs.
* ARG and ENV both write the variables that later instructions of the stage expand; the
  last writer wins, as BuildKit's ``AddEnv`` does for both.
* ``FROM <stage>`` inherits the parent's ENV and ARG values: BuildKit carries a stage's ARGs
  into the stages built from it (moby/buildkit#1977; the reference was corrected in #5381),
  although the classic builder and older documentation end an ARG with its stage.
* A value that depends on something unknown keeps the reference as written (``$NAME`` or
  ``${NAME...}``) and remembers the name, so later readers still see the literal parts.
"""

from __future__ import annotations

import re
import warnings
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from dflint import lazyre
from dflint.core.archnames import ARCH_NAMESPACES, ARCH_TOKENS
from dflint.core.reference import split_written
from dflint.read.model import Dockerfile, Instruction, Stage

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from typing import Literal, TypeAlias

    from dflint.analyse.shell.model import ShellView

OS: TypeAlias = 'Literal["linux", "windows", "unknown"]'
BindingKind: TypeAlias = 'Literal["ARG", "ENV", "platform"]'

PLATFORM_ARGS: tuple[str, ...] = (
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
)
LINUX_SHELL: tuple[str, ...] = ("/bin/sh", "-c")
WINDOWS_SHELL: tuple[str, ...] = ("cmd", "/S", "/C")

# --- image-name data -------------------------------------------------------------------

# Registries that mean Docker Hub; only Hub has "official" (library) images.
_HUB_REGISTRIES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
# Hub namespaces that republish official images for one architecture (arm64v8/alpine).
_ARCH_NAMESPACES = frozenset(ARCH_NAMESPACES) | {"library"}
# Repository prefixes (registry included) that only hold Windows images, with their family.
_WINDOWS_REPOSITORIES: tuple[tuple[str, str], ...] = (
    ("mcr.microsoft.com/windows/nanoserver", "nanoserver"),
    ("mcr.microsoft.com/windows/servercore", "servercore"),
    ("mcr.microsoft.com/windows/", "unknown"),
    ("mcr.microsoft.com/windows", "unknown"),
    ("mcr.microsoft.com/dotnet/framework/", "servercore"),
    ("microsoft/windowsservercore", "servercore"),
    ("microsoft/nanoserver", "nanoserver"),
    ("microsoft/dotnet-framework", "servercore"),
    ("microsoft/aspnet", "servercore"),
    ("microsoft/iis", "servercore"),
)
# Words anywhere in an image reference that only Windows images carry.
_WINDOWS_WORDS: tuple[tuple[str, str], ...] = (
    ("nanoserver", "nanoserver"),
    ("servercore", "servercore"),  # also windowsservercore
)
# Whole tokens of a tag or repository name (split on - _ .) that mark a Windows image.
_WINDOWS_TOKEN = lazyre.compile(r"(?:^|[-_./])(?:windows|ltsc20\d\d)(?=$|[-_./])")

# The last repository component (its first token, trailing digits dropped) naming a family.
_NAME_FAMILY: dict[str, str] = {
    "alpine": "alpine",
    "debian": "debian",
    "ubuntu": "ubuntu",
    "busybox": "busybox",
    "centos": "rhel-like",
    "fedora": "rhel-like",
    "rockylinux": "rhel-like",
    "almalinux": "rhel-like",
    "oraclelinux": "rhel-like",
    "amazonlinux": "rhel-like",
    "rhel": "rhel-like",
    "ubi": "rhel-like",
    "scratch": "scratch",
}
# Tag tokens (trailing digits dropped) that name the family of the image's variant.
_TAG_FAMILY: dict[str, str] = {
    "alpine": "alpine",
    "slim": "debian",
    "debian": "debian",
    "jessie": "debian",
    "stretch": "debian",
    "buster": "debian",
    "bullseye": "debian",
    "bookworm": "debian",
    "trixie": "debian",
    "sid": "debian",
    "ubuntu": "ubuntu",
    "xenial": "ubuntu",
    "bionic": "ubuntu",
    "focal": "ubuntu",
    "jammy": "ubuntu",
    "noble": "ubuntu",
    "oracular": "ubuntu",
    "plucky": "ubuntu",
    "ubi": "rhel-like",
    "centos": "rhel-like",
    "rockylinux": "rhel-like",
    "almalinux": "rhel-like",
    "oraclelinux": "rhel-like",
    "amazonlinux": "rhel-like",
    "al": "rhel-like",  # amazoncorretto:21-al2023
    "fedora": "rhel-like",
    "busybox": "busybox",
    "distroless": "distroless",
    "chiseled": "distroless",  # Ubuntu chiselled images: no shell, no package manager
}
# When tag tokens disagree (8.0-jammy-chiseled), the more restrictive family matters more.
_FAMILY_PRIORITY: tuple[str, ...] = (
    "distroless",
    "busybox",
    "alpine",
    "rhel-like",
    "ubuntu",
    "debian",
)
# Official images whose plain version tags (python:3.12, node:20) are built on one family
# for Linux. Several (python, golang, traefik) are multi-OS tags, so this is weak evidence.
_OFFICIAL_DEFAULT_FAMILY: dict[str, str] = {
    "python": "debian",
    "node": "debian",
    "golang": "debian",
    "ruby": "debian",
    "php": "debian",
    "perl": "debian",
    "rust": "debian",
    "gcc": "debian",
    "buildpack-deps": "debian",
    "httpd": "debian",
    "nginx": "debian",
    "redis": "debian",
    "postgres": "debian",
    "haproxy": "debian",
    "memcached": "debian",
    "erlang": "debian",
    "elixir": "debian",
    "haskell": "debian",
    "julia": "debian",
    "r-base": "debian",
    "wordpress": "debian",
    "drupal": "debian",
    "ghost": "debian",
    "influxdb": "debian",
    "telegraf": "debian",
    "eclipse-temurin": "ubuntu",
    "maven": "ubuntu",
    "gradle": "ubuntu",
    "tomcat": "ubuntu",
    "mongo": "ubuntu",
    "rabbitmq": "ubuntu",
    "swift": "ubuntu",
    "amazoncorretto": "rhel-like",
    "mysql": "rhel-like",
    "traefik": "alpine",
    "caddy": "alpine",
    "docker": "alpine",
    "registry": "alpine",
    "composer": "alpine",
    "bash": "alpine",
}
# Repositories (registry included) that only hold images of one Linux family.
_REPOSITORY_FAMILY: tuple[tuple[str, str], ...] = (
    ("gcr.io/distroless/", "distroless"),
    ("registry.access.redhat.com/", "rhel-like"),
    ("registry.redhat.io/", "rhel-like"),
    ("quay.io/centos/", "rhel-like"),
    ("public.ecr.aws/amazonlinux/", "rhel-like"),
)
# Multi-OS repositories whose plain tags are Debian on Linux (and nanoserver on Windows).
_DEFAULT_FAMILY_PREFIXES: tuple[tuple[str, str], ...] = (("mcr.microsoft.com/dotnet/", "debian"),)
# Linux-only images whose family is none of the above (tdnf, pacman, zypper, apk-wolfi, ...).
_LINUX_ONLY_NAMES = frozenset(
    {
        "photon",
        "mariner",
        "cbl-mariner",
        "azurelinux",
        "archlinux",
        "opensuse",
        "leap",
        "tumbleweed",
        "clearlinux",
        "gentoo",
        "wolfi-base",
        "kali-rolling",
        "blackarch",
        "void-linux",
        "mageia",
    }
)
_WINDOWS_FAMILIES = frozenset({"servercore", "nanoserver"})

# --- SHELL and file-name data ------------------------------------------------------------

_WINDOWS_SHELLS = frozenset({"cmd", "powershell"})
_LINUX_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"})
# How many folders above the file still describe it (src/<image>/<os>/<arch>/Dockerfile).
_PATH_DEPTH = 3
_PATH_TOKEN = lazyre.compile(r"x86_64|x86-64|[^._\-]+")
_NAME_ARCH: dict[str, str] = {
    token: docker.split("/", 1)[0] for token, docker in ARCH_TOKENS.items()
} | {"arm": "arm", "arm32v5": "arm"}

# A reference left as written because its value is unknown (masked before name matching).
_LEFT_REFERENCE = lazyre.compile(r"\$\{[^}]*\}?|\$[A-Za-z_][A-Za-z0-9_]*")
_MASK = "\x00"


@dataclass(frozen=True, slots=True)
class Binding:
    """What a variable holds at some point: the value, or the fact that it is unknown."""

    name: str
    text: str | None  # None: declared without a known value
    unknown: frozenset[str]  # names left as written inside ``text`` (so it is partly known)
    kind: BindingKind
    instruction: Instruction | None  # where it was set (None for the automatic ARGs)

    @property
    def value(self) -> str | None:
        """The value when it is fully known, else None."""
        return self.text if not self.unknown else None


@dataclass(slots=True)
class StageFacts:
    """What the analysis knows of one stage: its image, OS, base family and parent stage."""

    stage: Stage
    image: str | None  # FROM image after ARG substitution; None when an ARG value is unknown
    os: OS
    os_evidence: str  # short human reason for ``os``
    family: str  # debian, ubuntu, alpine, rhel-like, busybox, distroless, scratch, ...
    parent: StageFacts | None  # FROM <earlier stage>
    copies_from: list[str]  # COPY --from / RUN --mount=from= values as written, in order
    arch_in_name: str | None  # architecture named by the file or folder name


class _Env:
    """The variables of one scope (the global ARGs, or one stage), as per-name histories.

    Every write is an event with an increasing index; an instruction remembers how many
    events came before it, so "the value before this instruction" is a bisect, and nothing
    is copied per instruction.
    """

    __slots__ = (
        "_cache",
        "_inherited",
        "_start",
        "base",
        "count",
        "events",
        "inherit_all",
        "names",
    )

    def __init__(self, base: _Env | None, inherit_all: bool = True) -> None:
        self.base = base  # the scope this one starts from (the parent stage, or the platform)
        self.inherit_all = inherit_all  # False: only ENV bindings come through from ``base``
        self.count = 0
        self.events: list[Binding] = []
        self.names: dict[str, tuple[list[int], list[Binding]]] = {}
        self._inherited: dict[str, Binding | None] = {}
        self._start: dict[str, str | None] | None = None
        self._cache: tuple[int, dict[str, str | None]] | None = None

    def add(self, binding: Binding) -> None:
        entry = self.names.get(binding.name)
        if entry is None:
            self.names[binding.name] = ([self.count], [binding])
        else:
            entry[0].append(self.count)
            entry[1].append(binding)
        self.events.append(binding)
        self.count += 1

    def get(self, name: str, pos: int) -> Binding | None:
        """The binding of ``name`` after the first ``pos`` events; None when undeclared."""
        entry = self.names.get(name)
        if entry is not None:
            indexes, bindings = entry
            if indexes[-1] < pos:
                return bindings[-1]
            found = bisect_left(indexes, pos)
            if found:
                return bindings[found - 1]
        return self.inherited(name)

    def final(self, name: str) -> Binding | None:
        return self.get(name, self.count)

    def _own_last(self, name: str, inherit_all: bool) -> Binding | None:
        """The last binding this scope set itself that a scope built on it can see."""
        entry = self.names.get(name)
        if entry is None:
            return None
        for binding in reversed(entry[1]):
            if inherit_all or binding.kind == "ENV":
                return binding
        return None

    def inherited(self, name: str) -> Binding | None:
        """The binding of ``name`` when this scope starts, from the scopes below it."""
        # Iterative and memoised per scope: a chain of thousands of FROM <stage> links is
        # walked once per name, never once per lookup.
        chain: list[_Env] = []
        env: _Env = self
        result: Binding | None = None
        while True:
            if name in env._inherited:
                result = env._inherited[name]
                break
            chain.append(env)
            base = env.base
            if base is None:
                break
            result = base._own_last(name, env.inherit_all)
            if result is not None:
                break
            env = base
        for item in chain:
            item._inherited[name] = result
        return result

    def start_dict(self) -> dict[str, str | None]:
        """Every variable visible when this scope starts, name -> known value or None."""
        chain: list[_Env] = []
        env: _Env | None = self
        while env is not None and env._start is None:
            chain.append(env)
            env = env.base
        for item in reversed(chain):
            base = item.base
            start: dict[str, str | None] = {}
            if base is not None:
                assert base._start is not None  # the deeper scopes are done first
                start = dict(base._start)
                for name in base.names:
                    binding = base._own_last(name, item.inherit_all)
                    if binding is not None:
                        start[name] = binding.value
            item._start = start
        assert self._start is not None
        return self._start

    def scope_at(self, pos: int) -> dict[str, str | None]:
        # In-order queries (the usual pattern of a rule walking the file) extend the last
        # answer with the events since; each distinct answer costs one C-level dict copy.
        cached = self._cache
        if cached is not None and cached[0] == pos:
            return cached[1]
        if cached is not None and cached[0] < pos:
            start, result = cached[0], dict(cached[1])
        else:
            start, result = 0, dict(self.start_dict())
        for binding in self.events[start:pos]:
            result[binding.name] = binding.value
        self._cache = (pos, result)
        return result


class _SubstitutionError(Exception):
    """A word BuildKit would refuse (unterminated quote): its value is unknown."""


_SPECIALS: dict[tuple[str, str | None, bool], re.Pattern[str]] = {}


def _special_chars(escape: str, stop: str | None, word: bool) -> re.Pattern[str]:
    key = (escape, stop, word)
    pattern = _SPECIALS.get(key)
    if pattern is None:
        chars = "$" + escape + (stop or "") + ("'\"" if word else "")
        pattern = re.compile("[" + re.escape(chars) + "]")
        _SPECIALS[key] = pattern
    return pattern


def _is_name(name: str) -> bool:
    return bool(name) and (name[0].isalpha() or name[0] == "_")


class _Expander:
    """BuildKit's shell-word lexer (``shell.Lex.ProcessWord``), with unknown values.

    ``word`` mode is ProcessWord itself (quotes removed, escapes consumed), used for ARG
    and ENV values. Otherwise only variables are substituted and everything else, quotes
    and escapes included, stays as written; an escaped ``$`` is not a reference.
    ``definite`` is the FROM-line scope, where an undeclared name is simply empty; inside a
    stage the base image's ENV may define it, so it is unknown.
    """

    __slots__ = ("definite", "escape", "i", "resolve", "text", "undeclared", "unknown", "word")

    def __init__(
        self,
        text: str,
        escape: str,
        resolve: Callable[[str], Binding | None],
        word: bool,
        definite: bool,
    ) -> None:
        self.text = text
        self.i = 0
        self.escape = escape
        self.resolve = resolve
        self.word = word
        self.definite = definite
        self.unknown: set[str] = set()  # declared, value unknown
        self.undeclared: set[str] = set()

    def run(self) -> str:
        text, _ = self._until(None, False)
        return text

    def _until(self, stop: str | None, raw_escapes: bool) -> tuple[str, bool]:
        text = self.text
        size = len(text)
        specials = _special_chars(self.escape, stop, self.word)
        out: list[str] = []
        while self.i < size:
            match = specials.search(text, self.i)
            if match is None:
                out.append(text[self.i :])
                self.i = size
                break
            if match.start() > self.i:
                out.append(text[self.i : match.start()])
                self.i = match.start()
            char = text[self.i]
            if char == stop:
                self.i += 1
                return "".join(out), True
            if char == "$":
                out.append(self._dollar())
            elif char == "'" and self.word:
                out.append(self._single_quoted())
            elif char == '"' and self.word:
                out.append(self._double_quoted())
            else:  # the escape token
                self.i += 1
                if raw_escapes or not self.word:
                    out.append(char)
                if self.i < size:
                    out.append(text[self.i])
                    self.i += 1
        return "".join(out), stop is None

    def _single_quoted(self) -> str:
        end = self.text.find("'", self.i + 1)
        if end < 0:
            raise _SubstitutionError("unterminated single quote")
        result = self.text[self.i + 1 : end]
        self.i = end + 1
        return result

    def _double_quoted(self) -> str:
        text = self.text
        size = len(text)
        out: list[str] = []
        self.i += 1
        while True:
            if self.i >= size:
                raise _SubstitutionError("unterminated double quote")
            char = text[self.i]
            if char == '"':
                self.i += 1
                return "".join(out)
            if char == "$":
                out.append(self._dollar())
                continue
            self.i += 1
            if char == self.escape and self.i < size and text[self.i] in ('"', "$", self.escape):
                char = text[self.i]
                self.i += 1
            out.append(char)

    def _name(self) -> str:
        text = self.text
        size = len(text)
        start = self.i
        if start < size and text[start].isdigit():
            while self.i < size and text[self.i].isdigit():
                self.i += 1
            return text[start : self.i]
        if start < size and text[start] in "@*#?-$!0":
            self.i += 1
            return text[start]
        while self.i < size and (text[self.i].isalnum() or text[self.i] == "_"):
            self.i += 1
        return text[start : self.i]

    def _rest(self, start: int) -> str:
        # An unterminated ${...}: BuildKit fails; keep the text rather than guess.
        self.i = len(self.text)
        return self.text[start:]

    def _note(self, name: str, binding: Binding | None) -> None:
        if binding is None:
            self.undeclared.add(name)
        else:
            self.unknown.add(name)
            self.unknown.update(binding.unknown)

    def _plain(self, name: str, verbatim: str) -> str:
        if not _is_name(name):
            return "" if self.definite else verbatim  # $1, $@, ...: the shell's, not ours
        binding = self.resolve(name)
        if binding is None:
            self.undeclared.add(name)
            return "" if self.definite else verbatim
        if binding.text is None:
            self.unknown.add(name)
            return verbatim
        self.unknown.update(binding.unknown)
        return binding.text

    def _dollar(self) -> str:
        text = self.text
        size = len(text)
        start = self.i
        self.i += 1
        if self.i >= size or text[self.i] != "{":
            name = self._name()
            if not name:
                return "$"
            return self._plain(name, text[start : self.i])
        self.i += 1
        if self.i >= size:
            return self._rest(start)
        if text[self.i] in "{}:":
            return text[start : self.i]  # bad substitution: keep it literally
        name = self._name()
        if self.i >= size:
            return self._rest(start)
        op = text[self.i]
        self.i += 1
        if op == "}":
            return self._plain(name, text[start : self.i])
        colon = op == ":"
        if colon:
            if self.i >= size:
                return self._rest(start)
            op = text[self.i]
            self.i += 1
        if op in "-+?#%" or (op == "/" and not colon):
            return self._modifier(start, name, op, colon)
        end = text.find("}", self.i)
        if end < 0:
            return self._rest(start)
        self.i = end + 1
        return text[start : self.i]  # unsupported modifier: BuildKit fails; keep it

    def _sub_word(self, stop: str, raw_escapes: bool) -> tuple[str, bool, set[str], set[str]]:
        saved = self.unknown, self.undeclared
        self.unknown, self.undeclared = set(), set()
        try:
            word, closed = self._until(stop, raw_escapes)
            return word, closed, self.unknown, self.undeclared
        finally:
            self.unknown, self.undeclared = saved

    def _modifier(self, start: int, name: str, op: str, colon: bool) -> str:
        pattern = ""
        p_unknown: set[str] = set()
        p_undeclared: set[str] = set()
        if op == "/":
            if self.i < len(self.text) and self.text[self.i] == "/":
                op = "//"
                self.i += 1
            pattern, closed, p_unknown, p_undeclared = self._sub_word("/", True)
            if not closed:
                return self._rest(start)
        word, closed, w_unknown, w_undeclared = self._sub_word("}", op in "#%")
        if not closed:
            return self._rest(start)
        w_unknown |= p_unknown
        w_undeclared |= p_undeclared
        verbatim = self.text[start : self.i]

        def use_word(result: str) -> str:
            self.unknown |= w_unknown
            self.undeclared |= w_undeclared
            return result

        def left_as_written() -> str:
            self.unknown |= w_unknown
            self.undeclared |= w_undeclared
            return verbatim

        if not _is_name(name):
            if not self.definite:
                return verbatim
            binding = None
        else:
            binding = self.resolve(name)
        unset = binding is None and (self.definite or not _is_name(name))
        if not unset and (binding is None or binding.text is None):
            self._note(name, binding)
            return left_as_written()
        value = "" if binding is None or binding.text is None else binding.text
        partial = binding is not None and bool(binding.unknown)
        empty = not unset and value == "" and not partial
        if binding is None and _is_name(name):
            self.undeclared.add(name)  # referenced, but nothing declares it
        if op == "-":
            if unset or (colon and empty):
                return use_word(word)
            if colon and partial:
                self._note(name, binding)
                return left_as_written()
            self.unknown |= binding.unknown if binding else set()
            return value
        if op == "+":
            if unset or (colon and empty):
                return ""
            if colon and partial:
                self._note(name, binding)
                return left_as_written()
            return use_word(word)
        if op == "?":
            if unset or (colon and (empty or partial)):
                self._note(name, binding)
                return left_as_written()
            self.unknown |= binding.unknown if binding else set()
            return value
        # #, %, / and //: pattern operations need the whole value and pattern
        if partial or w_unknown or (w_undeclared and not self.definite):
            self._note(name, binding)
            return left_as_written()
        if op in "#%":
            return _trim(value, word, op, self.escape)
        return _replace(value, pattern, word, op == "//", self.escape)


def _shell_pattern(pattern: str, escape: str) -> re.Pattern[str]:
    """A shell glob as a regex: * ? [...] and the escape token (fnmatch has no escapes)."""
    out: list[str] = []
    index = 0
    size = len(pattern)
    while index < size:
        char = pattern[index]
        index += 1
        if char == escape and index < size:
            out.append(re.escape(pattern[index]))
            index += 1
        elif char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        elif char == "[":
            end = pattern.find("]", index + 1)
            if end < 0:
                out.append(re.escape(char))
                continue
            body = pattern[index:end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            index = end + 1
        else:
            out.append(re.escape(char))
    try:
        with warnings.catch_warnings():
            # a bracket such as [[--x] draws Python's "possible set difference" FutureWarning,
            # which would otherwise reach the user's terminal
            warnings.simplefilter("ignore", FutureWarning)
            return re.compile("".join(out), re.S)
    except re.error:
        # a bracket expression Python cannot read (a reversed range such as [z-a], a POSIX
        # class): match the pattern as literal text rather than fail the whole analysis
        return re.compile(re.escape(pattern), re.S)


def _trim(value: str, word: str, op: str, escape: str) -> str:
    greedy = word.startswith(op)
    if greedy:
        word = word[1:]
    if not word:
        return value
    regex = _shell_pattern(word, escape)
    lengths = range(len(value), -1, -1) if greedy else range(len(value) + 1)
    for length in lengths:
        part = value[:length] if op == "#" else value[len(value) - length :]
        if regex.fullmatch(part):
            return value[length:] if op == "#" else value[: len(value) - length]
    return value


def _replace(value: str, pattern: str, replacement: str, every: bool, escape: str) -> str:
    if not pattern:
        return value
    regex = _shell_pattern(pattern, escape)
    return regex.sub(lambda _: replacement, value, count=0 if every else 1)


# --- image names -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Ref:
    """A FROM image split into registry, repository and tag, for telling its base family."""

    registry: str | None
    repository: str  # lower case, without registry
    tag: str  # lower case, "" when absent
    official: str | None  # the official image's name (python), None for others

    @property
    def full(self) -> str:
        return f"{self.registry}/{self.repository}" if self.registry else self.repository


@lru_cache(maxsize=1024)  # the files of a run share their base images
def _image_families(
    image_text: str,
) -> tuple[_Ref, str | None, str | None, str | None]:
    """What the image name says of its family: the split name, and the Windows family, the
    stated Linux family and the default family it names (each None when it names none).
    Unknown parts are masked so a variable's name (${WINDOWS_TAG}) is never read as part of
    the image name."""
    masked = _LEFT_REFERENCE.sub(_MASK, image_text).lower()
    ref = _split_image(masked)
    windows_family = _windows_family(ref, masked)
    if windows_family is not None:
        return ref, windows_family, None, None
    stated = _stated_family(ref)
    default = None if stated is not None else _default_family(ref)
    return ref, None, stated, default


def _split_image(image: str) -> _Ref:
    """Split a reference whose unknown parts are masked; nothing here needs it to be valid."""
    text, tag, _ = split_written(image.strip().lower())
    first, slash, rest = text.partition("/")
    registry: str | None = None
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, text = first, rest
    official = None
    if registry is None or registry in _HUB_REGISTRIES:
        parts = text.split("/")
        if len(parts) == 2 and parts[0] in _ARCH_NAMESPACES:
            parts = parts[1:]
        if len(parts) == 1 and _MASK not in parts[0]:
            official = parts[0]
    return _Ref(registry, text, tag, official)


def _tokens(text: str) -> list[str]:
    """Tokens of a name or tag, trailing version digits dropped (alpine3.19 -> alpine)."""
    return [token.rstrip("0123456789") or token for token in re.split(r"[-_.]", text)]


def _windows_family(ref: _Ref, masked: str) -> str | None:
    """The family when the image name marks a Windows-only image, else None."""
    full = ref.full
    for prefix, family in _WINDOWS_REPOSITORIES:
        if full == prefix.rstrip("/") or full.startswith(prefix):
            if family == "unknown":
                family = _windows_word_family(masked) or family
            return family
    word_family = _windows_word_family(masked)
    if word_family is not None:
        return word_family
    if _WINDOWS_TOKEN.search(ref.tag) or _WINDOWS_TOKEN.search(ref.repository):
        return "unknown"
    return None


def _windows_word_family(masked: str) -> str | None:
    for word, family in _WINDOWS_WORDS:
        if word in masked:
            return family
    return None


def _stated_family(ref: _Ref) -> str | None:
    """The Linux family the name states (alpine, -slim, ubi9, ...), else None."""
    if ref.repository == "scratch" and ref.registry is None:
        return "scratch"
    full = ref.full
    for prefix, family in _REPOSITORY_FAMILY:
        if full.startswith(prefix):
            return family
    for token in _tokens(ref.repository.rsplit("/", 1)[-1]):  # resin/armhf-alpine
        named = _NAME_FAMILY.get(token)
        if named is not None and named != "scratch":
            return named
    found = {_TAG_FAMILY[token] for token in _tokens(ref.tag) if token in _TAG_FAMILY}
    for candidate in _FAMILY_PRIORITY:
        if candidate in found:
            return candidate
    return None


def _default_family(ref: _Ref) -> str | None:
    """The family of a plain tag (python:3.12), which names a multi-OS image: weak evidence."""
    if _MASK in ref.tag:
        return None  # the variant may be chosen at build time
    if any(token in _LINUX_ONLY_NAMES for token in _tokens(ref.tag)):
        return None  # mcr.microsoft.com/dotnet/sdk:10.0-azurelinux3.0
    if ref.official is not None:
        return _OFFICIAL_DEFAULT_FAMILY.get(ref.official)
    full = ref.full
    for prefix, family in _DEFAULT_FAMILY_PREFIXES:
        if full.startswith(prefix):
            return family
    return None


def _linux_only(ref: _Ref) -> bool:
    """Linux-only images of no listed family (mcr.microsoft.com/azurelinux/..., :linux-amd64)."""
    if any(part in _LINUX_ONLY_NAMES for part in ref.repository.split("/")):
        return True
    return any(token in _LINUX_ONLY_NAMES or token == "linux" for token in _tokens(ref.tag))


# --- OS evidence -------------------------------------------------------------------------


def _shell_os(shell: list[str]) -> OS:
    if not shell:
        return "unknown"
    program = shell[0].replace("\\", "/").rsplit("/", 1)[-1].lower().removesuffix(".exe")
    if program in _WINDOWS_SHELLS:
        return "windows"
    if program in _LINUX_SHELLS:
        return "linux"
    return "unknown"  # pwsh runs on Linux as well


def _shell_text(shell: list[str]) -> str:
    first = '"' + shell[0] + '"' if shell else ""
    return f"SHELL [{first}, ...]" if len(shell) > 1 else f"SHELL [{first}]"


def _path_parts(path: str) -> list[str]:
    """The file name, then the nearest folders (an absolute path's far folders say nothing)."""
    parts = [part for part in path.replace("\\", "/").split("/") if part]
    return list(reversed(parts))[: _PATH_DEPTH + 1]


@lru_cache(maxsize=1024)  # the folders of a run's files are mostly the same few
def _path_tokens(part: str) -> tuple[str, ...]:
    return tuple(_PATH_TOKEN.findall(part.lower()))


def _path_os(path: str) -> tuple[OS, str] | None:
    for index, part in enumerate(_path_parts(path)):
        label = "file name" if index == 0 else "folder"
        lowered = part.lower()
        tokens = _path_tokens(part)
        # the last OS word wins: a variant's suffix (windows-app.Dockerfile.linux)
        for token in reversed(tokens):
            if token == "linux":
                return "linux", f"{label} {part}"
            if token in ("windows", "nanoserver", "servercore", "windowsservercore"):
                return "windows", f"{label} {part}"
        if any(w in lowered for w in ("nanoserver", "servercore")):
            return "windows", f"{label} {part}"
    return None


def arch_in_path(path: str) -> str | None:
    """The architecture a per-arch file is named for (Dockerfile.linux-arm64 -> arm64)."""
    found = arch_evidence_in_path(path)
    return found[0] if found is not None else None


@lru_cache(maxsize=256)  # asked by the analysis and by the targets of each file
def arch_evidence_in_path(path: str) -> tuple[str, str] | None:
    """The architecture a per-arch file is named for, and the part of the path that names it
    (``("arm64", "folder arm64")``).

    The nearest part of the path that names an architecture decides; a part that names two
    (``Dockerfile.ubuntu-cross-arm64-x64``: built on arm64 for x64) names none."""
    for index, part in enumerate(_path_parts(path)):
        found = {
            arch for token in _path_tokens(part) if (arch := _NAME_ARCH.get(token)) is not None
        }
        if len(found) == 1:
            label = "file name" if index == 0 else "folder"
            return found.pop(), f"{label} {part}"
        if found:
            return None
    return None


def mount_sources(instruction: Instruction) -> list[str]:
    """The ``from=`` values of a RUN's ``--mount`` flags, as written."""
    found: list[str] = []
    for value in instruction.flag_values("mount"):
        try:
            import csv  # rare: a comma-separated value

            fields = next(csv.reader([value]))
        except (csv.Error, StopIteration):
            continue
        for item in fields:
            key, equals, rest = item.partition("=")
            if equals and key.strip().lower() == "from":
                found.append(rest.strip())
    return found


# --- the analysis ------------------------------------------------------------------------


@dataclass(slots=True)
class _Where:
    """Where an instruction sits: its stage, the variable scope at that point and its shell."""

    stage: int  # index into Analysis.stages; -1 before the first FROM
    env: _Env
    pos: int  # events of ``env`` before the instruction
    definite: bool  # FROM-line scope: undeclared names are empty
    shell: tuple[str, ...] | None  # None: the stage OS's default


@dataclass(slots=True)
class Analysis:
    """The facts of a Dockerfile: each stage's, and each instruction's variable scope and shell."""

    dockerfile: Dockerfile
    stages: list[StageFacts]
    _where: dict[Instruction, _Where] = field(default_factory=dict, repr=False)
    _names: dict[str, StageFacts] = field(default_factory=dict, repr=False)
    # dflint.analyse.shell.shell_view's cache: one parse per instruction, only when a rule asks
    _shell_views: dict[Instruction, ShellView] = field(default_factory=dict, repr=False)

    def facts(self, instruction: Instruction) -> StageFacts | None:
        """The stage an instruction belongs to; None before the first FROM."""
        where = self._where.get(instruction)
        if where is None or where.stage < 0:
            return None
        return self.stages[where.stage]

    def shell(self, instruction: Instruction) -> list[str]:
        """The shell a shell-form instruction runs under."""
        where = self._where.get(instruction)
        if where is not None and where.shell is not None:
            return list(where.shell)
        if where is not None and where.stage >= 0 and self.stages[where.stage].os == "windows":
            return list(WINDOWS_SHELL)
        return list(LINUX_SHELL)

    def scope(self, instruction: Instruction) -> dict[str, str | None]:
        """ARG/ENV names visible just before the instruction -> value (None: unknown).

        The dict may be shared with other calls for the same point: do not modify it.
        Costs O(visible names) for a new point; use ``lookup`` for single names.
        """
        where = self._where.get(instruction)
        if where is None:
            return {}
        return where.env.scope_at(where.pos)

    def lookup(self, name: str, instruction: Instruction) -> Binding | None:
        """The binding of ``name`` just before the instruction; None when undeclared."""
        where = self._where.get(instruction)
        if where is None:
            return None
        return where.env.get(name, where.pos)

    def expand(
        self, text: str, instruction: Instruction, word: bool = False
    ) -> tuple[str, set[str]]:
        """Substitute variables as BuildKit would at the instruction (quotes kept, unless
        ``word``: then quotes are removed as BuildKit's ProcessWord does for FROM values).

        Returns the text and the names referenced whose value is unknown or that nothing
        declares; those references stay as written (in FROM lines, where nothing else can
        define them, an undeclared name is empty as BuildKit makes it).
        """
        where = self._where.get(instruction)
        if where is None:
            return text, set()
        if "$" not in text and not (word and any(char in text for char in "'\"\\`")):
            return text, set()
        try:
            result, unknown, undeclared = _expand(text, self.dockerfile.escape, where, word=word)
        except _SubstitutionError:
            if not word:
                raise
            return text, set()
        return result, unknown | undeclared

    def expand_default(self, text: str, instruction: Instruction) -> str | None:
        """A FROM-line value in a build without --build-arg: an ARG declared without a default
        is empty (as BuildKit makes it); None when it still depends on a platform ARG."""
        where = self._where.get(instruction)
        if where is None:
            return text
        env, pos = where.env, where.pos

        def resolve(name: str) -> Binding | None:
            binding = env.get(name, pos)
            if binding is not None and binding.text is None and binding.kind != "platform":
                return Binding(name, "", frozenset(), binding.kind, binding.instruction)
            return binding

        expander = _Expander(text, self.dockerfile.escape, resolve, True, where.definite)
        try:
            result = expander.run()
        except _SubstitutionError:
            return None
        return None if expander.unknown else result

    def stage_by_name(self, name: str) -> StageFacts | None:
        """A stage by alias (case-insensitive) or by index written as a number."""
        found = self._names.get(name.lower())
        if found is not None:
            return found
        if name.isdigit() and int(name) < len(self.stages):
            return self.stages[int(name)]
        return None

    @property
    def is_windows_only(self) -> bool:
        return bool(self.stages) and all(item.os == "windows" for item in self.stages)


def _expand(text: str, escape: str, where: _Where, word: bool) -> tuple[str, set[str], set[str]]:
    env, pos = where.env, where.pos

    def resolve(name: str) -> Binding | None:
        return env.get(name, pos)

    expander = _Expander(text, escape, resolve, word, where.definite)
    result = expander.run()
    return result, expander.unknown, expander.undeclared


def _word_binding(
    name: str,
    raw: str,
    kind: BindingKind,
    instruction: Instruction,
    escape: str,
    where: _Where,
) -> Binding:
    """A variable set to ``raw`` (as written), processed as BuildKit's ProcessWord does."""
    try:
        text, unknown, undeclared = _expand(raw, escape, where, word=True)
    except _SubstitutionError:
        return Binding(name, None, frozenset(), kind, instruction)
    names = unknown if where.definite else unknown | undeclared
    return Binding(name, text, frozenset(names), kind, instruction)


def _key(raw: str, escape: str) -> str:
    if not any(char in raw for char in "'\"$" + escape):
        return raw
    try:
        empty = _Where(-1, _Env(None), 0, True, None)
        return _expand(raw, escape, empty, word=True)[0] or raw
    except _SubstitutionError:
        return raw


class _Builder:
    def __init__(self, dockerfile: Dockerfile) -> None:
        self.dockerfile = dockerfile
        self.escape = dockerfile.escape
        platform = _Env(None)
        for name in PLATFORM_ARGS:
            platform.add(Binding(name, None, frozenset(), "platform", None))
        self.globals = _Env(platform)
        self.analysis = Analysis(dockerfile, [])
        self.arch = arch_in_path(dockerfile.path)
        self.path_os = _path_os(dockerfile.path)

    def run(self) -> Analysis:
        where_map = self.analysis._where
        first_from = self.dockerfile.stages[0].from_instruction if self.dockerfile.stages else None
        for instruction in self.dockerfile.instructions:
            if instruction is first_from:
                break
            where = _Where(-1, self.globals, self.globals.count, True, None)
            where_map[instruction] = where
            if instruction.keyword == "ARG":
                self._global_arg(instruction)
        final_shells: list[tuple[str, ...] | None] = []
        envs: list[_Env] = []
        for stage in self.dockerfile.stages:
            self._stage(stage, final_shells, envs)
        return self.analysis

    def _global_arg(self, instruction: Instruction) -> None:
        for item in instruction.args:
            key, equals, raw = item.partition("=")
            key = _key(key, self.escape)
            here = _Where(-1, self.globals, self.globals.count, True, None)
            if equals:
                binding = _word_binding(key, raw, "ARG", instruction, self.escape, here)
            else:
                binding = Binding(key, None, frozenset(), "ARG", instruction)
            self.globals.add(binding)

    def _stage(
        self,
        stage: Stage,
        final_shells: list[tuple[str, ...] | None],
        envs: list[_Env],
    ) -> None:
        analysis = self.analysis
        at_from = _Where(stage.index, self.globals, self.globals.count, True, None)
        # BuildKit expands the image as a word (ProcessWordWithMatches): quotes are removed
        try:
            image_text, image_unknown, _ = _expand(stage.image, self.escape, at_from, word=True)
        except _SubstitutionError:
            image_text, image_unknown, _ = _expand(stage.image, self.escape, at_from, word=False)
        image = None if image_unknown else image_text
        parent = self._parent(image_text if not image_unknown else None, stage.index)
        shell: tuple[str, ...] | None = None
        if parent is not None:
            shell = final_shells[parent.stage.index]
        at_from.shell = shell
        base = envs[parent.stage.index] if parent is not None else None
        env = _Env(base, inherit_all=True)
        analysis._where[stage.from_instruction] = at_from

        copies: list[str] = []
        evidence_shell: tuple[OS, str] | None = None
        for instruction in stage.instructions:
            where = _Where(stage.index, env, env.count, False, shell)
            analysis._where[instruction] = where
            keyword = instruction.keyword
            if instruction.sub is not None:
                analysis._where[instruction.sub] = where  # ONBUILD's: runs in a later build
            elif keyword == "ENV":
                self._env(instruction, env, where)
            elif keyword == "ARG":
                self._arg(instruction, env)
            elif keyword == "SHELL" and instruction.json and instruction.args:
                shell = tuple(instruction.args)
                if evidence_shell is None:
                    shell_os = _shell_os(instruction.args)
                    if shell_os != "unknown":
                        evidence_shell = shell_os, _shell_text(instruction.args)
            elif keyword == "COPY":
                copies.extend(instruction.flag_values("from"))
            elif keyword == "RUN":
                copies.extend(mount_sources(instruction))
        final_shells.append(shell)
        envs.append(env)

        os_name, evidence, family = self._os_and_family(
            stage, at_from, image_text, parent, evidence_shell
        )
        facts = StageFacts(
            stage=stage,
            image=image,
            os=os_name,
            os_evidence=evidence,
            family=family,
            parent=parent,
            copies_from=copies,
            arch_in_name=self.arch,
        )
        analysis.stages.append(facts)
        if stage.alias is not None:
            analysis._names.setdefault(stage.alias.lower(), facts)

    def _parent(self, image: str | None, index: int) -> StageFacts | None:
        if image is None:
            return None
        found = self.analysis._names.get(image.lower())
        if found is not None:
            return found
        if image.isdigit() and int(image) < index:
            return self.analysis.stages[int(image)]
        return None

    def _env(self, instruction: Instruction, env: _Env, where: _Where) -> None:
        # Every pair is expanded against the variables before the instruction (ENV a=1 b=$a
        # gives b the old a), then all are set.
        bindings = [
            _word_binding(_key(key, self.escape), raw, "ENV", instruction, self.escape, where)
            for key, raw in instruction.pairs()
        ]
        for binding in bindings:
            env.add(binding)

    def _arg(self, instruction: Instruction, env: _Env) -> None:
        # Unlike ENV, each name of one ARG line sees the ones before it (dispatchArg's loop).
        for item in instruction.args:
            key, equals, raw = item.partition("=")
            key = _key(key, self.escape)
            here = _Where(-1, env, env.count, False, None)
            if equals:
                binding = _word_binding(key, raw, "ARG", instruction, self.escape, here)
            else:
                imported = self.globals.final(key)
                current = env.get(key, env.count) if imported is None else None
                source = imported if imported is not None else current
                if source is not None and source.kind != "platform":
                    binding = Binding(key, source.text, source.unknown, "ARG", instruction)
                else:
                    binding = Binding(key, None, frozenset(), "ARG", instruction)
            env.add(binding)

    def _os_and_family(
        self,
        stage: Stage,
        at_from: _Where,
        image_text: str,
        parent: StageFacts | None,
        evidence_shell: tuple[OS, str] | None,
    ) -> tuple[OS, str, str]:
        ref, windows_family, stated, default = _image_families(image_text)
        if parent is not None:
            family = parent.family
            windows_family = stated = default = None
        else:
            family = windows_family or stated or default or "unknown"
        os_name, evidence = self._os(
            stage, at_from, parent, evidence_shell, windows_family, stated, default, ref, image_text
        )
        if os_name == "windows" and windows_family is None and family not in _WINDOWS_FAMILIES:
            family = "unknown"  # a multi-OS tag (python:3.12) resolved to its Windows side
        return os_name, evidence, family

    def _os(
        self,
        stage: Stage,
        at_from: _Where,
        parent: StageFacts | None,
        evidence_shell: tuple[OS, str] | None,
        windows_family: str | None,
        stated: str | None,
        default: str | None,
        ref: _Ref,
        image_text: str,
    ) -> tuple[OS, str]:
        """The stage's OS from the first evidence that answers, strongest first."""
        shown = image_text or stage.image
        if stage.platform:
            platform, unknown, _ = _expand(stage.platform, self.escape, at_from, word=False)
            os_part = platform.split("/", 1)[0].strip().lower()
            if not unknown and os_part in ("linux", "windows"):
                return ("windows" if os_part == "windows" else "linux"), f"--platform={platform}"
        if windows_family is not None:
            return "windows", f"image {shown}"
        if parent is not None and parent.os != "unknown":
            return parent.os, f"parent stage {parent.stage.name}"
        if evidence_shell is not None:
            return evidence_shell
        if parent is None:
            # Windows has no scratch image, and the families below are Linux-only.
            if stated == "scratch":
                return "linux", "image scratch"
            if stated is not None:
                return "linux", f"image {shown} ({stated})"
            if _linux_only(ref):
                return "linux", f"image {shown}"
        if self.path_os is not None:
            return self.path_os
        if self.dockerfile.escape == "`":
            return "windows", "escape directive `"
        if default is not None:
            # Last: python:3.12 also names a Windows image, so a `windows` folder or the
            # backtick escape says more about which one the file means.
            return "linux", f"image {shown} (plain tag, {default} on Linux)"
        return "unknown", "no evidence"


def analyze(dockerfile: Dockerfile) -> Analysis:
    """Per-stage facts and scopes for a parsed Dockerfile, in one pass."""
    return _Builder(dockerfile).run()
