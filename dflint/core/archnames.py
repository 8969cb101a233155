"""Architecture names as different tools spell them, mapped to Docker's."""

from __future__ import annotations

from dflint import lazyre

# Docker Official Images' per-architecture namespaces (arm64v8/alpine, ...).
ARCH_NAMESPACES: dict[str, str] = {
    "amd64": "amd64",
    "arm64v8": "arm64",
    "arm32v7": "arm/v7",
    "arm32v6": "arm/v6",
    "arm32v5": "arm/v5",
    "i386": "386",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
    "riscv64": "riscv64",
    "mips64le": "mips64le",
    "winamd64": "amd64",
}

# Spellings of an architecture in tags, file names and download URLs.
ARCH_TOKENS: dict[str, str] = {
    "amd64": "amd64",
    "x86_64": "amd64",
    "x86-64": "amd64",
    "x64": "amd64",
    "arm64": "arm64",
    "aarch64": "arm64",
    "arm64v8": "arm64",
    "armv8": "arm64",
    "armv7": "arm/v7",
    "armv7l": "arm/v7",
    "armhf": "arm/v7",
    "arm32v7": "arm/v7",
    "armel": "arm/v6",
    "armv6": "arm/v6",
    "arm32v6": "arm/v6",
    "i386": "386",
    "i686": "386",
    "386": "386",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
    "riscv64": "riscv64",
}

_TOKEN_SPLIT = lazyre.compile(r"[-_.]")


def arch_tokens_in_tag(tag: str) -> list[str]:
    """Architecture tokens found in an image tag, as Docker architectures."""
    found = []
    lowered = tag.lower()
    for token in ("x86_64", "x86-64"):
        if token in lowered:
            found.append("amd64")
            lowered = lowered.replace(token, "")
    for part in _TOKEN_SPLIT.split(lowered):
        if part in ARCH_TOKENS and part not in ("x64", "386", "armel"):
            found.append(ARCH_TOKENS[part])
    return found
