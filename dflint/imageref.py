"""Image references, normalised as the distribution reference grammar does it."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_REGISTRY = "docker.io"


@dataclass(frozen=True, slots=True)
class ImageRef:
    registry: str  # docker.io, ghcr.io, localhost:5000, ...
    repository: str  # library/alpine, arm64v8/alpine, windows/servercore
    tag: str | None
    digest: str | None

    @property
    def namespace(self) -> str:
        return self.repository.split("/", 1)[0] if "/" in self.repository else ""

    @property
    def name(self) -> str:
        """The last path component: alpine for arm64v8/alpine."""
        return self.repository.rsplit("/", 1)[-1]

    def __str__(self) -> str:
        text = f"{self.registry}/{self.repository}"
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def parse_image(reference: str) -> ImageRef | None:
    """Normalise ``reference``; None when it is empty or still holds a variable."""
    text = reference.strip()
    if not text or "$" in text or any(ch.isspace() for ch in text):
        return None
    digest = None
    if "@" in text:
        text, digest = text.split("@", 1)
    first, slash, rest = text.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, remainder = first, rest
    else:
        registry, remainder = DEFAULT_REGISTRY, text
    tag = None
    last_slash = remainder.rfind("/")
    colon = remainder.rfind(":")
    if colon > last_slash:
        remainder, tag = remainder[:colon], remainder[colon + 1 :]
    if not remainder:
        return None
    if registry == DEFAULT_REGISTRY and "/" not in remainder:
        remainder = f"library/{remainder}"
    return ImageRef(registry.lower(), remainder.lower(), tag, digest)
