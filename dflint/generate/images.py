"""Base images and their counterparts on another OS or architecture.

Three kinds of knowledge, tried in order:

1. the user's own pairs (``[tool.dflint.fix.images]``), both ways;
2. image families whose Windows tags follow a pattern (``python:3.12-slim`` ↔
   ``python:3.12-windowsservercore-ltsc2022``, ``golang``/``eclipse-temurin``/``openjdk``/the
   mcr.microsoft.com ``dotnet`` images ↔ their ``nanoserver``/``windowsservercore`` tags), and
   plain OS images (``alpine`` → Nano Server);
3. OS and architecture words in a tag (``diamol/base:linux-arm64`` → ``diamol/base:windows-amd64``)
   and the per-architecture namespaces of the official images (``arm64v8/alpine``).

What none of them knows raises :class:`~dflint.generate.paths.Untranslatable`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from dflint import lazyre
from dflint.core.archnames import ARCH_NAMESPACES
from dflint.core.reference import split_written
from dflint.generate.paths import TargetOS, Untranslatable
from dflint.settings.fix import DEFAULT_WINDOWS_RELEASE

# Windows flavours as the official images spell them in tags.
NANOSERVER = "nanoserver"
SERVERCORE = "windowsservercore"


@dataclass(frozen=True, slots=True)
class Family:
    """An image published for Linux and Windows under one repository, by tag pattern."""

    repository: str  # as people write it: python, mcr.microsoft.com/dotnet/sdk
    windows: tuple[str, ...]  # flavours it has, preferred first; () = none (see ``reason``)
    linux_suffix: str = ""  # the Linux variant a Windows tag maps back to (python: -slim)
    reason: str = ""  # why there is no Windows counterpart


FAMILIES: tuple[Family, ...] = (
    Family("python", (SERVERCORE,), "-slim"),
    Family("pypy", (SERVERCORE,), "-slim"),
    Family("golang", (NANOSERVER, SERVERCORE)),
    Family("eclipse-temurin", (NANOSERVER, SERVERCORE)),
    Family("openjdk", (NANOSERVER, SERVERCORE)),
    Family("mongo", (NANOSERVER, SERVERCORE)),
    Family("mcr.microsoft.com/dotnet/runtime", (NANOSERVER, SERVERCORE)),
    Family("mcr.microsoft.com/dotnet/aspnet", (NANOSERVER, SERVERCORE)),
    Family("mcr.microsoft.com/dotnet/sdk", (NANOSERVER, SERVERCORE)),
    Family(
        "node",
        (),
        reason="the official node images have no Windows tags; map it in [tool.dflint.fix.images]",
    ),
)
_FAMILY = {family.repository: family for family in FAMILIES}

# Linux-only base OS images, and the Windows base that does the same job.
OS_IMAGES = frozenset({"alpine", "busybox", "debian", "ubuntu", "scratch"})
WINDOWS_BASE = {
    NANOSERVER: "mcr.microsoft.com/windows/nanoserver",
    SERVERCORE: "mcr.microsoft.com/windows/servercore",
}
# The Linux image a bare Windows base maps back to (nanoserver is small and has only cmd).
LINUX_BASE = {
    "mcr.microsoft.com/windows/nanoserver": "alpine:3.20",
    "mcr.microsoft.com/windows/servercore": "debian:bookworm-slim",
}

# Tag words naming a Linux distribution or variant: dropped when going to Windows.
_LINUX_TAG_WORDS = lazyre.compile(
    r"(slim|alpine[\d.]*|bookworm|bullseye|buster|trixie|stretch|jammy|noble|focal|bionic"
    r"|ubi\d*|minimal|chiseled|extra|composite|cbl|mariner[\d.]*|azurelinux[\d.]*|debian\d*"
    r"|ubuntu\d*)\Z"
)
# Tag words that keep their meaning on both systems (Java's JRE/JDK, release candidates).
_KEPT_TAG_WORDS = lazyre.compile(r"(\d[\w.]*|jre|jdk|rc\d*|ea|latest)\Z")
_WINDOWS_TAG_WORDS = lazyre.compile(
    r"(nanoserver|windowsservercore|servercore|ltsc\d{4}|\d{4}|20h2)\Z"
)

# Spelling styles of architectures in tags: a token is replaced by the same style's word.
_ARCH_STYLES: tuple[dict[str, str], ...] = (
    {"amd64": "amd64", "arm64": "arm64", "arm/v7": "arm", "386": "386"},
    {"amd64": "x86_64", "arm64": "aarch64", "arm/v7": "armv7l", "386": "i686"},
    {"amd64": "x64", "arm64": "arm64", "arm/v7": "arm", "386": "x86"},
    {"amd64": "amd64", "arm64": "arm64v8", "arm/v7": "arm32v7", "386": "i386"},
    {"amd64": "amd64", "arm64": "aarch64", "arm/v7": "armhf", "386": "i386"},
)
_TOKEN_ARCH: dict[str, str] = {}
for _style in reversed(_ARCH_STYLES):
    for _arch, _token in _style.items():
        _TOKEN_ARCH[_token] = _arch
_TOKEN_ARCH.update({"armv7": "arm/v7", "arm32": "arm/v7", "aarch64": "arm64"})
# The official images' per-architecture namespace of each architecture the styles know.
_NAMESPACE_FOR_ARCH = {
    arch: namespace
    for namespace, arch in reversed(ARCH_NAMESPACES.items())
    if arch in _ARCH_STYLES[0]
}
_OS_TOKENS = {"linux": "linux", "windows": "windows", "win": "windows"}


@dataclass(frozen=True, slots=True)
class Target:
    """The platform a base image is mapped to, with the Windows flavour and release to use."""

    os: TargetOS
    arch: str  # amd64, arm64, arm/v7 (variant included)
    windows_flavour: str = NANOSERVER  # preferred flavour; servercore when PowerShell is needed
    windows_release: str = DEFAULT_WINDOWS_RELEASE


@dataclass(frozen=True, slots=True)
class Mapped:
    """A base image's counterpart on the target, with a note when it was a judgement call."""

    image: str
    note: str = ""  # a judgement call worth reviewing


def _familiar(name: str) -> str:
    for prefix in ("docker.io/library/", "index.docker.io/library/", "docker.io/", "library/"):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def map_image(
    image: str,
    source_os: TargetOS,
    source_arch: str,
    target: Target,
    user: Mapping[str, str] | None = None,
) -> Mapped:
    """The counterpart of ``image`` (as written) for ``target``."""
    user = user or {}
    if source_os == target.os and source_arch == target.arch:
        return Mapped(image)
    for linux, windows in user.items():
        if source_os == "linux" and target.os == "windows" and image == linux:
            return Mapped(windows)
        if source_os == "windows" and target.os == "linux" and image == windows:
            return Mapped(linux)
    if "$" in image:
        raise Untranslatable(f"the image {image} is chosen by a build argument")
    name, tag, digest = split_written(image)
    if digest and source_os != target.os:
        raise Untranslatable(f"{image} is pinned by digest to one image")
    familiar = _familiar(name)
    tokens_mapped = _tokens(name, tag, source_os, source_arch, target)
    if tokens_mapped is not None:
        return Mapped(tokens_mapped)
    if source_os == target.os:
        return Mapped(image)  # a multi-arch name: the builder picks the architecture
    if target.os == "windows":
        return _to_windows(familiar, name, tag, target)
    return _to_linux(familiar, name, tag)


def _to_windows(familiar: str, name: str, tag: str, target: Target) -> Mapped:
    family = _FAMILY.get(familiar)
    if family is not None:
        if not family.windows:
            raise Untranslatable(f"{familiar}: {family.reason}")
        flavour = target.windows_flavour if target.windows_flavour in family.windows else None
        flavour = flavour or family.windows[0]
        if flavour == NANOSERVER and target.windows_flavour == SERVERCORE:
            flavour = SERVERCORE
        kept = _kept_words(tag, familiar)
        windows_tag = "-".join([*kept, flavour, target.windows_release])
        return Mapped(f"{name}:{windows_tag}")
    base = familiar.split("/")[-1] if "/" not in familiar else familiar
    if base in OS_IMAGES:
        flavour = SERVERCORE if target.windows_flavour == SERVERCORE else NANOSERVER
        mapped = f"{WINDOWS_BASE[flavour]}:{target.windows_release}"
        return Mapped(
            mapped,
            f"{familiar}{':' + tag if tag else ''} has no Windows build; "
            f"{mapped} is the Windows base that does the same job",
        )
    raise Untranslatable(
        f"no known Windows counterpart of {familiar}{':' + tag if tag else ''}; "
        "add one in [tool.dflint.fix.images]"
    )


def _kept_words(tag: str, familiar: str) -> list[str]:
    words = [word for word in tag.split("-") if word] if tag not in ("", "latest") else []
    kept: list[str] = []
    for word in words:
        lowered = word.lower()
        if _LINUX_TAG_WORDS.match(lowered):
            continue
        if not _KEPT_TAG_WORDS.match(lowered):
            raise Untranslatable(f"{familiar}:{tag}: cannot tell what the tag word {word!r} means")
        kept.append(word)
    return kept


def _to_linux(familiar: str, name: str, tag: str) -> Mapped:
    for windows_base, linux in LINUX_BASE.items():
        if familiar == windows_base:
            return Mapped(linux, f"{familiar} has no Linux build; {linux} does the same job")
    family = _FAMILY.get(familiar)
    if family is not None:
        words = [w for w in tag.split("-") if w and not _WINDOWS_TAG_WORDS.match(w.lower())]
        # a year-like version (1809 is also a Windows release) is rare enough to accept
        base = "-".join(words)
        suffix = family.linux_suffix
        if not base:
            return Mapped(f"{name}:{suffix.lstrip('-')}" if suffix else f"{name}:latest")
        return Mapped(f"{name}:{base}{suffix}")
    raise Untranslatable(
        f"no known Linux counterpart of {familiar}{':' + tag if tag else ''}; "
        "add one in [tool.dflint.fix.images]"
    )


def _tokens(
    name: str, tag: str, source_os: TargetOS, source_arch: str, target: Target
) -> str | None:
    """The image with the OS and architecture words of its tag or namespace rewritten.

    None when the name carries no such word (it is then a multi-platform name).
    """
    first, slash, rest = name.partition("/")
    if slash and "." not in first and ":" not in first and first in ARCH_NAMESPACES:
        if source_os != target.os:
            raise Untranslatable(f"{name} is an official image republished for one architecture")
        namespace = _NAMESPACE_FOR_ARCH.get(target.arch)
        if namespace is None:
            raise Untranslatable(f"no per-architecture namespace for {target.arch}")
        return f"{namespace}/{rest}" + (f":{tag}" if tag else "")
    if not tag:
        return None
    words = re.split(r"([-_.])", tag)
    found_os = found_arch = False
    out: list[str] = []
    for word in words:
        lowered = word.lower()
        if lowered in _OS_TOKENS:
            found_os = True
            out.append(
                target.os if lowered != "win" else ("win" if target.os == "windows" else "linux")
            )
            continue
        arch = _TOKEN_ARCH.get(lowered)
        if arch is not None:
            found_arch = True
            out.append(_arch_word(lowered, target.arch))
            continue
        out.append(word)
    if source_os != target.os and not found_os:
        return None
    if not found_os and not found_arch:
        return None
    return f"{name}:{''.join(out)}"


def _arch_word(token: str, arch: str) -> str:
    for style in _ARCH_STYLES:
        if token in style.values() and arch in style:
            return style[arch]
    raise Untranslatable(f"no spelling of {arch} in the style of {token!r}")


# --- the shell a Windows image runs RUN lines with ---------------------------------------------

# Docker's default on Windows, used when the image config sets no Shell.
CMD_SHELL = ("cmd", "/S", "/C")
# What docker-library's windowsservercore images set (their Dockerfiles' SHELL line).
POWERSHELL_SHELL = (
    "powershell",
    "-Command",
    "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue';",
)
# Families whose Windows images set no SHELL in their final stage (so cmd runs RUN lines):
# the Windows OS images themselves, .NET's images (dotnet/dotnet-docker's src/*/windowsservercore
# and nanoserver Dockerfiles), and diamol's base (sixeyed/diamol images/base/windows: FROM
# nanoserver, no SHELL).
_CMD_REPOSITORIES = (
    "mcr.microsoft.com/windows/",
    "mcr.microsoft.com/dotnet/",
    "diamol/base",
)
# docker-library's official images with Windows tags: SHELL powershell in the
# windowsservercore Dockerfiles, SHELL cmd in the nanoserver ones (golang, openjdk, python,
# eclipse-temurin; see their windows/*/Dockerfile).
_LIBRARY_WINDOWS = frozenset(
    family.repository for family in FAMILIES if "/" not in family.repository and family.windows
)


def known_shell(image: str) -> tuple[str, ...] | None:
    """The SHELL a Windows image runs RUN lines with, when dflint knows it; else None."""
    name, tag, _ = split_written(image.lower())
    familiar = _familiar(name)
    if familiar.startswith(_CMD_REPOSITORIES):
        return CMD_SHELL
    if familiar in _LIBRARY_WINDOWS:
        if NANOSERVER in tag:
            return CMD_SHELL
        if SERVERCORE in tag:
            return POWERSHELL_SHELL
    return None
