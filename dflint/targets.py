"""Which platforms a Dockerfile is built for (its targets), and which one it says it is for.

One model for ``lint``, ``platforms`` and ``fix`` (DESIGN.md, "Target platforms"):

* *Declared* targets come from the first source that answers: ``--platform``, the config
  (``per-file-platforms`` globs, then ``platforms``), a ``# dflint: platform=`` comment.
  Without a declaration the targets are the default set: linux/amd64 and linux/arm64, or
  windows/amd64 for a Windows image.
* What the file *implies* (:class:`OwnPlatform`: a per-architecture name or folder, a
  constant ``FROM --platform`` on the final stage, an architecture-pinned final base) is a
  fact the rules check the file against and report on, never a reason to be silent. Only
  ``per-arch-files = "accept"`` turns it into the file's target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dflint.analysis import Analysis, StageFacts, arch_evidence_in_path

if TYPE_CHECKING:
    from dflint.arch import ImagePin
    from dflint.config import Config

DEFAULT_TARGETS = ("linux/amd64", "linux/arm64")
WINDOWS_TARGETS = ("windows/amd64",)
_PLATFORM = re.compile(r"[a-z0-9]+/[a-z0-9]+(/[a-z0-9]+)?\Z")
_PRAGMA = re.compile(r"dflint:\s*platforms?\s*=\s*(\S+)")
# Docker's canonical platform for an architecture named by itself.
_ARCH_PLATFORM = {
    "amd64": "amd64",
    "arm64": "arm64",
    "arm": "arm/v7",
    "386": "386",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
    "riscv64": "riscv64",
}


def valid_platform(text: str) -> bool:
    return bool(_PLATFORM.match(text))


def normalise_platform(text: str) -> str:
    text = text.strip().lower()
    if text.count("/") == 1:
        os_name, arch = text.split("/")
        if arch == "arm":
            return f"{os_name}/arm/v7"
        if arch == "arm64/v8":
            return f"{os_name}/arm64"
    return text


def arch_of(platform: str) -> str:
    """``arm/v7`` of ``linux/arm/v7``."""
    return platform.split("/", 1)[1] if "/" in platform else platform


@dataclass(frozen=True, slots=True)
class OwnPlatform:
    """The one platform a Dockerfile says it is for."""

    platform: str  # linux/arm64
    evidence: str  # "folder arm64", "`FROM --platform=linux/arm64` (line 6)", ...
    layout: bool  # named for it (file name or folder): one of a per-architecture set
    line: int | None = None  # the FROM line that says so, when a FROM line does

    @property
    def arch(self) -> str:
        return arch_of(self.platform)

    @property
    def family(self) -> str:
        """The architecture without its variant (arm for arm/v7)."""
        return self.arch.split("/", 1)[0]

    def describe(self) -> str:
        """How messages name the file: "this linux/arm64 file (folder arm64)"."""
        return f"this {self.platform} file ({self.evidence})"


@dataclass(frozen=True, slots=True)
class Targets:
    platforms: tuple[str, ...]
    source: str  # where they came from, for messages and --show-config
    declared: bool = False
    own: OwnPlatform | None = None
    # declared targets of another operating system than the file's: left to the Dockerfile
    # for that system (a Linux file in a build for linux/amd64 and windows/amd64)
    left_out: tuple[str, ...] = ()

    @property
    def explicit(self) -> bool:
        return self.declared

    @property
    def oses(self) -> frozenset[str]:
        return frozenset(item.split("/")[0] for item in self.platforms)

    @property
    def arches(self) -> frozenset[str]:
        return frozenset(arch_of(item) for item in self.platforms if "/" in item)

    @property
    def multi_arch(self) -> bool:
        return len(self.arches) > 1

    def other_than(self, arch: str) -> list[str]:
        """The targets of another CPU family than ``arch`` (arm/v6 and arm/v7 are one)."""
        family = arch.split("/", 1)[0]
        return [p for p in self.platforms if arch_of(p).split("/", 1)[0] != family]

    @property
    def per_arch_accepted(self) -> bool:
        """``per-arch-files = "accept"`` made the file's own platform its target."""
        return self.own is not None and self.source.endswith(_ACCEPTED)


_ACCEPTED = '(per-arch-files = "accept")'


def resolve_targets(
    analysis: Analysis,
    cli_platforms: tuple[str, ...] = (),
    config: Config | None = None,
) -> Targets:
    """The file's targets and own platform, from the first source that answers."""
    own = own_platform(analysis)
    declared, source = _declared(analysis, cli_platforms, config)
    if declared:
        if own is not None and not own.layout and own.platform not in declared:
            own = None  # the declaration says what the FROM line is for; DF202/DF203 judge it
        platforms, left_out = _split_by_os(analysis, declared)
        return Targets(platforms, source, True, own, left_out)
    if own is not None and config is not None and config.per_arch_files == "accept":
        return Targets((own.platform,), f"{own.evidence} {_ACCEPTED}", True, own)
    final = analysis.stages[-1] if analysis.stages else None
    if final is not None and final.os == "windows":
        return Targets(WINDOWS_TARGETS, f"default for a Windows image ({final.os_evidence})")
    return Targets(DEFAULT_TARGETS, "default", False, own)


def _declared(
    analysis: Analysis, cli_platforms: tuple[str, ...], config: Config | None
) -> tuple[tuple[str, ...], str]:
    if cli_platforms:
        return tuple(normalise_platform(p) for p in cli_platforms), "--platform"
    if config is not None:
        platforms, where = config.platforms_for(analysis.dockerfile.path)
        if platforms:
            return tuple(normalise_platform(p) for p in platforms), where
    for comment in analysis.dockerfile.comments:
        match = _PRAGMA.match(comment.text)
        if match:
            found = tuple(
                normalise_platform(p) for p in match.group(1).split(",") if valid_platform(p)
            )
            if found:
                return found, f"comment on line {comment.line}"
    return (), ""


def _split_by_os(
    analysis: Analysis, declared: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Declared targets of the file's own OS, and those left to another OS's Dockerfile.

    When none is of the file's OS, all are kept: the file cannot be built for any of them,
    which the rules report."""
    final = analysis.stages[-1] if analysis.stages else None
    if final is None or final.os == "unknown":
        return declared, ()
    same = tuple(p for p in declared if p.split("/", 1)[0] == final.os)
    if not same:
        return declared, ()
    return same, tuple(p for p in declared if p not in same)


def final_chain(analysis: Analysis) -> list[StageFacts]:
    """The final stage and the stages it is built FROM."""
    chain: list[StageFacts] = []
    current = analysis.stages[-1] if analysis.stages else None
    while current is not None and all(current is not item for item in chain):
        chain.append(current)
        current = current.parent
    return chain


def own_platform(analysis: Analysis) -> OwnPlatform | None:
    """The one Linux platform the file says it is for: its name or folder, else a constant
    ``--platform`` on the final stage (or a stage it is built FROM), else an architecture
    named by the final stage's base image as written (an ARG default is not a statement)."""
    if not analysis.stages or analysis.stages[-1].os == "windows":
        return None
    named = arch_evidence_in_path(analysis.dockerfile.path)
    if named is not None:
        arch, where = named
        return OwnPlatform(f"linux/{_ARCH_PLATFORM.get(arch, arch)}", where, True)
    chain = final_chain(analysis)
    for facts in chain:
        written = facts.stage.platform or ""
        platform = constant_platform(analysis, facts) if "$" not in written else None
        if platform is not None and platform.startswith("linux/"):
            line = facts.stage.from_instruction.start_line
            return OwnPlatform(
                platform, f"`FROM --platform={facts.stage.platform}` on line {line}", False, line
            )
    root = chain[-1]
    pin = literal_pin(root)
    if pin is not None:
        line = root.stage.from_instruction.start_line
        return OwnPlatform(
            f"linux/{pin.arch}", f"base image `{root.stage.image}` on line {line}", False, line
        )
    return None


def constant_platform(analysis: Analysis, facts: StageFacts) -> str | None:
    """A stage's ``--platform`` when it is a constant (after ARG defaults), normalised."""
    written = facts.stage.platform
    if not written:
        return None
    value, unknown = analysis.expand(written, facts.stage.from_instruction)
    if unknown or "$" in value or not valid_platform(value.strip().lower()):
        return None
    return normalise_platform(value)


def literal_pin(facts: StageFacts) -> ImagePin | None:
    """The architecture a stage's base image names as written (``arm64v8/ruby``,
    ``$REPO:10.0-arm64v8``), not through an ARG default (``busybox-${ARCH}``)."""
    from dflint.arch import image_pin

    if facts.image is None or facts.parent is not None:
        return None
    pin = image_pin(facts.image)
    if pin is None:
        return None
    written = re.sub(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*", " ", facts.stage.image.lower())
    return pin if pin.token.lower() in written else None
