"""OCI platforms: parsing, containerd's normalisation, and which image serves which target."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

_PLATFORM_TEXT = re.compile(
    r"(?P<os>[a-z0-9]+)/(?P<arch>[a-z0-9_-]+)(?:/(?P<variant>[a-z0-9.]+))?"
    r"(?::(?P<osversion>[0-9][0-9.]*))?\Z"
)


def normalise_arch(arch: str, variant: str) -> tuple[str, str]:
    """containerd's ``normalizeArch``: one spelling per architecture and default variant."""
    arch, variant = arch.lower(), variant.lower()
    if arch == "i386":
        return "386", ""
    if arch in ("x86_64", "x86-64", "amd64"):
        return "amd64", "" if variant == "v1" else variant
    if arch in ("aarch64", "arm64"):
        return "arm64", "" if variant in ("8", "v8", "v8.0") else variant
    if arch == "armhf":
        return "arm", "v7"
    if arch == "armel":
        return "arm", "v6"
    if arch == "arm":
        if variant in ("", "7"):
            return "arm", "v7"
        if variant in ("5", "6", "8"):
            return "arm", f"v{variant}"
    return arch, variant


def _variant_number(variant: str) -> float:
    try:
        return float(variant.lstrip("v") or "0")
    except ValueError:
        return -1.0


@dataclass(frozen=True, slots=True, order=True)
class Platform:
    os: str
    architecture: str
    variant: str = ""
    os_version: str = ""  # Windows build, e.g. 10.0.20348.2582; "" elsewhere

    @classmethod
    def parse(cls, text: str) -> Platform:
        """``os/arch[/variant][:os.version]`` (crane's notation); ValueError when malformed."""
        match = _PLATFORM_TEXT.match(text.strip().lower())
        if match is None:
            raise ValueError(f"{text!r} is not an os/arch[/variant] platform")
        return cls(match["os"], match["arch"], match["variant"] or "", match["osversion"] or "")

    @classmethod
    def from_oci(cls, data: Mapping[str, object]) -> Platform | None:
        """From an index descriptor's ``platform`` or an image config; None without os/arch."""
        os_name = data.get("os")
        arch = data.get("architecture")
        if not isinstance(os_name, str) or not isinstance(arch, str) or not os_name or not arch:
            return None
        variant = data.get("variant")
        version = data.get("os.version")
        return cls(
            os_name.lower(),
            arch.lower(),
            variant.lower() if isinstance(variant, str) else "",
            version if isinstance(version, str) else "",
        )

    def to_oci(self) -> dict[str, str]:
        result = {"os": self.os, "architecture": self.architecture}
        if self.variant:
            result["variant"] = self.variant
        if self.os_version:
            result["os.version"] = self.os_version
        return result

    @property
    def is_attestation(self) -> bool:
        """BuildKit's provenance/SBOM manifests sit in an index as unknown/unknown."""
        return self.os == "unknown" and self.architecture == "unknown"

    @property
    def normalised(self) -> Platform:
        arch, variant = normalise_arch(self.architecture, self.variant)
        return Platform(self.os, arch, variant, self.os_version)

    @property
    def target(self) -> str:
        """The os/arch[/variant] a build targets, as Docker prints it (no OS version)."""
        norm = self.normalised
        text = f"{norm.os}/{norm.architecture}"
        if norm.variant:
            text += f"/{norm.variant}"
        return text

    @property
    def os_build(self) -> str:
        """The Windows build that must match the host's: 10.0.20348 of 10.0.20348.2582."""
        return ".".join(self.os_version.split(".")[:3])

    def serves(self, target: Platform) -> bool:
        """Whether an image of this platform is what a build for ``target`` pulls.

        As containerd's matcher, an older ARM variant serves a newer one (arm/v6 runs on
        arm/v7). Unlike it, 32-bit images do not serve 64-bit targets (386 for amd64,
        arm for arm64): the build would succeed and ship the wrong binaries.
        """
        mine, wanted = self.normalised, target.normalised
        if mine.os != wanted.os or mine.architecture != wanted.architecture:
            return False
        if wanted.os_version and mine.os_version and mine.os_build != wanted.os_build:
            return False
        if mine.variant == wanted.variant:
            return True
        if mine.architecture in ("arm", "amd64"):
            return _variant_number(mine.variant) <= _variant_number(wanted.variant)
        return False

    def __str__(self) -> str:
        text = f"{self.os}/{self.architecture}"
        if self.variant:
            text += f"/{self.variant}"
        if self.os_version:
            text += f":{self.os_version}"
        return text


def describe(platforms: Iterable[Platform]) -> str:
    """A short human list: targets once each, Windows builds folded into one entry."""
    seen: dict[str, list[str]] = {}
    for item in platforms:
        versions = seen.setdefault(item.target, [])
        if item.os_version and item.os_version not in versions:
            versions.append(item.os_version)
    parts = []
    for target, versions in seen.items():
        parts.append(f"{target} ({', '.join(versions)})" if versions else target)
    return ", ".join(parts) if parts else "no platform"
