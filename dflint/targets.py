"""Which platforms a Dockerfile is meant to be built for, and why dflint thinks so."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dflint.analysis import Analysis

DEFAULT_TARGETS = ("linux/amd64", "linux/arm64")
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
    """``os/arch[/variant]`` of a known OS, architecture and variant (one check for the CLI,
    config and pragmas: :func:`dflint.platforms.platform.check_target`)."""
    from dflint.platforms.platform import target_problem

    return target_problem(text) is None


def normalise_platform(text: str) -> str:
    text = text.strip().lower()
    if text.count("/") == 1:
        os_name, arch = text.split("/")
        if arch == "arm":
            return f"{os_name}/arm/v7"
        if arch == "arm64/v8":
            return f"{os_name}/arm64"
    return text


@dataclass(frozen=True, slots=True)
class Targets:
    platforms: tuple[str, ...]
    source: str  # where they came from, for messages and --show-config

    @property
    def explicit(self) -> bool:
        return self.source != "default"

    @property
    def oses(self) -> frozenset[str]:
        return frozenset(item.split("/")[0] for item in self.platforms)

    @property
    def arches(self) -> frozenset[str]:
        return frozenset(item.split("/", 1)[1] for item in self.platforms if "/" in item)

    @property
    def multi_arch(self) -> bool:
        return len(self.arches) > 1


def resolve_targets(
    analysis: Analysis,
    cli_platforms: tuple[str, ...] = (),
    config_platforms: tuple[str, ...] = (),
) -> Targets:
    """The target platforms, from the first source that answers (see DESIGN.md)."""
    if cli_platforms:
        return Targets(tuple(normalise_platform(p) for p in cli_platforms), "--platform")
    if config_platforms:
        return Targets(tuple(normalise_platform(p) for p in config_platforms), "config")
    dockerfile = analysis.dockerfile
    for comment in dockerfile.comments:
        match = _PRAGMA.match(comment.text)
        if match:
            found = tuple(
                normalise_platform(p) for p in match.group(1).split(",") if valid_platform(p)
            )
            if found:
                return Targets(found, f"comment on line {comment.line}")
    if analysis.stages:
        final = analysis.stages[-1]
        platform = final.stage.platform
        if platform and "$" not in platform and valid_platform(platform.lower()):
            return Targets((normalise_platform(platform),), "FROM --platform")
        if final.os == "windows":
            return Targets(("windows/amd64",), final.os_evidence)
        if final.arch_in_name:
            arch = _ARCH_PLATFORM.get(final.arch_in_name, final.arch_in_name)
            return Targets((f"linux/{arch}",), "file name")
    return Targets(DEFAULT_TARGETS, "default")
