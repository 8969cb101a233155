"""Image references, normalised as the distribution reference grammar does it.

This follows ``github.com/distribution/reference`` (``ParseNormalizedNamed`` and
``splitDockerDomain``), which Docker and BuildKit use for ``FROM``:

* the first path component is a registry only when it holds ``.`` or ``:``, is
  ``localhost``, or has upper-case letters; otherwise the registry is ``docker.io``;
* ``index.docker.io`` is the legacy spelling of ``docker.io``;
* on ``docker.io`` a single-component name gets ``library/``;
* the repository must be lower case; each component is alphanumerics joined by ``.``, ``_``,
  ``__`` or runs of ``-``; the whole name is at most 255 characters;
* a tag is ``[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}``; a digest is ``algorithm:hex`` with at least
  32 hex digits; a reference with neither means ``:latest``;
* a bare 64-hex-digit name is refused (it would be read as an image ID).

Registry host names are compared in lower case (DNS is case-insensitive).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from dflint import lazyre

DEFAULT_REGISTRY = "docker.io"
_LEGACY_DEFAULT = "index.docker.io"
# Docker Hub's API is not served on the name images use.
_HUB_API = "registry-1.docker.io"
MAX_NAME = 255

_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])"
_DOMAIN = rf"{_HOST}(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_REFERENCE = lazyre.compile(
    rf"(?P<name>(?:(?P<domain>{_DOMAIN})/)?(?P<path>{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*))"
    rf"(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?",
    re.ASCII,
)
_IDENTIFIER = lazyre.compile(r"[a-f0-9]{64}")


class ReferenceError(ValueError):
    """A string that is not a valid image reference; the message says why."""


@dataclass(frozen=True, slots=True)
class ImageRef:
    """An image reference, normalised: registry, repository, tag and digest."""

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

    @property
    def key(self) -> str:
        """What the image is looked up by: the digest when there is one (the tag is then
        ignored, as by Docker), else the tag, ``latest`` by default."""
        if self.digest:
            return f"{self.registry}/{self.repository}@{self.digest}"
        return f"{self.registry}/{self.repository}:{self.tag or 'latest'}"

    @property
    def familiar(self) -> str:
        """The short form people write: ``alpine:3.20`` for docker.io/library/alpine:3.20."""
        name = f"{self.registry}/{self.repository}"
        if self.registry == DEFAULT_REGISTRY:
            name = self.repository.removeprefix("library/")
        if self.digest:
            return f"{name}@{self.digest}"
        return f"{name}:{self.tag or 'latest'}"

    @property
    def reference(self) -> str:
        """What to ask the registry's manifest endpoint for."""
        return self.digest or self.tag or "latest"

    @property
    def api_host(self) -> str:
        return _HUB_API if self.registry == DEFAULT_REGISTRY else self.registry

    def __str__(self) -> str:
        text = f"{self.registry}/{self.repository}"
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def split_written(image: str) -> tuple[str, str, str]:
    """``(name, tag, digest)`` of a reference as written, neither normalised nor checked
    (it may still hold a variable or a mask): ``localhost:5000/app:1@sha256:…`` →
    ``("localhost:5000/app", "1", "sha256:…")``; the tag and digest are "" when absent.
    A colon before the last slash is a registry's port, not a tag. For what the reference
    means (its registry, ``library/`` namespace, defaults), :func:`parse_reference`."""
    name, _, digest = image.partition("@")
    colon = name.rfind(":")
    if colon > name.rfind("/"):
        return name[:colon], name[colon + 1 :], digest
    return name, "", digest


def host_without_port(host: str) -> str:
    if host.startswith("["):
        return host[1 : host.index("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def is_loopback_host(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1, with or without a port (Docker trusts these over HTTP)."""
    bare = host_without_port(host.lower())
    if bare == "localhost" or bare.endswith(".localhost"):
        return True
    import ipaddress  # a large module, needed only for a registry's host

    try:
        return ipaddress.ip_address(bare).is_loopback
    except ValueError:
        return False


# several rules and the base-image lookup read each FROM, and files of a project share their
# images (only valid references are kept: an error is raised anew; an ImageRef is frozen)
@lru_cache(maxsize=4096)
def parse_reference(text: str) -> ImageRef:
    """Normalise ``text`` as ``docker pull`` would; raise ReferenceError when it is invalid."""
    if not text:
        raise ReferenceError("empty image reference")
    if _IDENTIFIER.fullmatch(text):
        raise ReferenceError(
            f"invalid repository name ({text}): cannot be a 64-character hexadecimal string"
        )
    slash = text.find("/")
    first = text[:slash] if slash >= 0 else ""
    if slash < 0 or (
        not any(ch in first for ch in ".:") and first != "localhost" and first == first.lower()
    ):
        domain, remainder = DEFAULT_REGISTRY, text
    else:
        domain, remainder = first, text[slash + 1 :]
    if domain == _LEGACY_DEFAULT:
        domain = DEFAULT_REGISTRY
    if domain == DEFAULT_REGISTRY and "/" not in remainder:
        remainder = f"library/{remainder}"
    remote = remainder.split(":", 1)[0].split("@", 1)[0]
    if remote != remote.lower():
        raise ReferenceError(f"repository name ({remote}) must be lowercase")
    match = _REFERENCE.fullmatch(f"{domain}/{remainder}")
    if match is None:
        raise ReferenceError(f"invalid reference format: {text!r}")
    if len(match.group("name")) > MAX_NAME:
        raise ReferenceError(f"repository name must not be more than {MAX_NAME} characters")
    return ImageRef(
        registry=(match.group("domain") or DEFAULT_REGISTRY).lower(),
        repository=match.group("path"),
        tag=match.group("tag"),
        digest=match.group("digest"),
    )


def parse_image(reference: str) -> ImageRef | None:
    """Normalise ``reference``; None when it is invalid or still holds a variable."""
    text = reference.strip()
    if "$" in text:
        return None
    try:
        return parse_reference(text)
    except ReferenceError:
        return None
