"""OCI platforms: parsing, containerd's normalisation, and which image serves which target."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from dflint import lazyre

_PLATFORM_TEXT = lazyre.compile(
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
    """A platform as OCI names it: OS, architecture, variant and (Windows) OS version."""

    os: str
    architecture: str
    variant: str = ""
    os_version: str = ""  # Windows build, e.g. 10.0.20348.2582; "" elsewhere

    @classmethod
    def parse(cls, text: str) -> Platform:
        """``os/arch[/variant][:os.version]`` (crane's notation); ValueError when malformed."""
        return _parsed(text)

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
        return _normalised(self)

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


# --- target platforms a user names (--platform, config, `# dflint: platform=`) ------------

# The operating systems dflint's rules and generator know. BuildKit builds for others
# (freebsd), but nothing here could judge such a file.
TARGET_OSES = ("linux", "windows")
# Go's GOARCH values that OCI images use (the image-index spec points to Go's list).
TARGET_ARCHES = (
    "amd64",
    "arm64",
    "arm",
    "386",
    "ppc64le",
    "s390x",
    "riscv64",
    "mips64le",
    "mips64",
    "mipsle",
    "mips",
    "ppc64",
    "loong64",
)
WINDOWS_ARCHES = ("amd64", "arm64")
# Variants containerd's platform matcher knows for each architecture.
TARGET_VARIANTS: dict[str, tuple[str, ...]] = {
    "arm": ("v5", "v6", "v7", "v8"),
    "arm64": (
        "v8",
        *(f"v8.{minor}" for minor in range(10)),
        "v9",
        *(f"v9.{minor}" for minor in range(6)),
    ),
    "amd64": ("v1", "v2", "v3", "v4"),
    "riscv64": ("rva20u64", "rva22u64"),
}
_TARGET_TEXT = lazyre.compile(r"[a-z0-9_.-]+/[a-z0-9_.-]+(?:/[a-z0-9_.-]+)?\Z")


class PlatformError(ValueError):
    """A target platform that is not one; the message says why, with a suggestion."""


def _distance(first: str, second: str) -> int:
    """Edit distance with transpositions (``amd46`` is one edit from ``amd64``)."""
    previous_row: list[int] | None = None
    row = list(range(len(second) + 1))
    for i, a in enumerate(first, start=1):
        before, previous_row, row = previous_row, row, [i] + [0] * len(second)
        for j, b in enumerate(second, start=1):
            row[j] = min(previous_row[j] + 1, row[j - 1] + 1, previous_row[j - 1] + (a != b))
            if before is not None and i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                row[j] = min(row[j], before[j - 2] + 1)
    return row[-1]


def _closest(word: str, choices: Iterable[str], limit: int = 2) -> str | None:
    best: tuple[int, str] | None = None
    for choice in choices:
        distance = _distance(word, choice)
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, choice)
    return best[1] if best else None


def _arch_guess(word: str) -> str | None:
    """``arm64``, ``arm/v7``, … for an architecture as some tool spells it, or a typo."""
    from dflint.core.archnames import ARCH_TOKENS

    if word in TARGET_ARCHES:
        return word
    if word in ARCH_TOKENS:
        return ARCH_TOKENS[word]
    return _closest(word, TARGET_ARCHES, 1 if len(word) <= 4 else 2)


def _suggestion(os_name: str, arch: str, variant: str) -> str | None:
    guess = _arch_guess(arch)
    if guess is None:
        return None
    if os_name not in TARGET_OSES:
        os_name = _closest(os_name, TARGET_OSES) or "linux"
    if "/" in guess:  # arm/v7 from armhf: the variant comes with it
        guess, variant = guess.split("/")
    if os_name == "windows" and guess not in WINDOWS_ARCHES:
        guess, variant = "amd64", ""
    if variant and variant not in TARGET_VARIANTS.get(guess, ()):
        variant = _closest(variant, TARGET_VARIANTS.get(guess, ()), 1) or ""
    if _problem(os_name, guess, variant) is not None:
        return None
    guess, variant = normalise_arch(guess, variant)
    return f"{os_name}/{guess}" + (f"/{variant}" if variant else "")


def _hint(suggestion: str | None) -> str:
    return f" (did you mean {suggestion!r}?)" if suggestion else ""


def _problem(os_name: str, arch: str, variant: str) -> str | None:
    if os_name not in TARGET_OSES:
        return f"unknown operating system {os_name!r} (dflint targets linux and windows)"
    if arch not in TARGET_ARCHES:
        return f"unknown architecture {arch!r}"
    if os_name == "windows" and arch not in WINDOWS_ARCHES:
        return f"Windows images are {' or '.join(WINDOWS_ARCHES)}, not {arch}"
    known = TARGET_VARIANTS.get(arch, ())
    if variant and variant not in known:
        listed = f" ({', '.join(known[:4])}{', …' if len(known) > 4 else ''})" if known else ""
        return f"unknown variant {variant!r} for {arch}{listed}"
    return None


def check_target(text: str) -> str:
    """A target platform checked and normalised (``linux/arm`` → ``linux/arm/v7``,
    ``linux/arm64/v8`` → ``linux/arm64``); PlatformError, with a did-you-mean, when it is not
    ``os/arch[/variant]`` of an OS dflint knows and an architecture and variant of OCI's."""
    raw = text.strip().lower()
    if not _TARGET_TEXT.match(raw):
        guess = _arch_guess(raw) if "/" not in raw else None
        raise PlatformError(
            f"{text!r} is not an os/arch[/variant] platform such as linux/arm64"
            + _hint(_suggestion("linux", raw, "") if guess else None)
        )
    os_name, arch, *rest = raw.split("/")
    variant = rest[0] if rest else ""
    # spellings containerd's parser accepts and normalises itself (`--platform linux/x86_64`
    # builds linux/amd64, `linux/arm/7` linux/arm/v7) are platforms, not typos
    arch, variant = normalise_arch(arch, variant)
    problem = _problem(os_name, arch, variant)
    if problem is not None:
        suggestion = _suggestion(os_name, arch, variant)
        raise PlatformError(f"{text!r} is not a known platform: {problem}{_hint(suggestion)}")
    return f"{os_name}/{arch}" + (f"/{variant}" if variant else "")


def target_problem(text: str) -> str | None:
    """Why ``text`` is not a valid target platform, or None."""
    try:
        check_target(text)
    except PlatformError as exc:
        return str(exc)
    return None


def describe(platforms: Iterable[Platform]) -> str:
    """A short human list: targets once each, Windows builds folded into one entry."""
    seen: dict[str, dict[str, None]] = {}  # ordered sets: linear in the platform count
    for item in platforms:
        versions = seen.setdefault(item.target, {})
        if item.os_version:
            versions.setdefault(item.os_version)
    parts = []
    for target, versions in seen.items():
        parts.append(f"{target} ({', '.join(versions)})" if versions else target)
    return ", ".join(parts) if parts else "no platform"


# A file asks the same few questions about its platforms once per stage and rule: a run
# answers each once (the instances are immutable, so the answers can be shared).
@lru_cache(maxsize=4096)
def _parsed(text: str) -> Platform:
    match = _PLATFORM_TEXT.match(text.strip().lower())
    if match is None:
        raise ValueError(f"{text!r} is not an os/arch[/variant] platform")
    return Platform(match["os"], match["arch"], match["variant"] or "", match["osversion"] or "")


@lru_cache(maxsize=4096)
def _normalised(platform: Platform) -> Platform:
    arch, variant = normalise_arch(platform.architecture, platform.variant)
    return Platform(platform.os, arch, variant, platform.os_version)
