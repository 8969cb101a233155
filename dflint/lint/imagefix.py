"""The multi-architecture name of an image pinned to one architecture, confirmed by the
registry: the fix DF202, DF203 (in a per-architecture file) and DF210 share.

A rule cannot write this fix while it checks the file: whether ``alpine:3.20`` exists for
every target is the registry's answer, and lint does not ask about names nobody wrote.
``dflint fix --multiarch`` asks, through each such rule's :meth:`Rule.registry_fix`.
"""

from __future__ import annotations

import re

from dflint import lazyre
from dflint.core.archnames import ARCH_NAMESPACES, ARCH_TOKENS
from dflint.core.findings import Edit, Fix
from dflint.core.platform import Platform
from dflint.core.reference import ReferenceError, parse_reference, split_written
from dflint.registry.resolver import Resolver

_TAG_ARCH = lazyre.compile(
    r"[-_.]?(?<![A-Za-z0-9])("
    + "|".join(sorted(map(re.escape, ARCH_TOKENS), key=len, reverse=True))
    + r")(?![A-Za-z0-9])[-_.]?"
)
_FROM_IMAGE = lazyre.compile(r"(\s*FROM\s+(?:--\S+\s+)*)(\S+)", re.I)


def multi_arch_candidate(image: str) -> str | None:
    """The name an architecture-specific image is published under for every architecture:
    ``arm64v8/alpine:3.20`` → ``alpine:3.20``, ``example/app:1.2-amd64`` → ``example/app:1.2``."""
    repository, tag, digest = split_written(image)
    if digest:
        return None
    first, sep, rest = repository.partition("/")
    if sep and first in ARCH_NAMESPACES and "." not in first:
        return rest + (f":{tag}" if tag else "")
    if not tag:
        return None
    matches = list(_TAG_ARCH.finditer(tag))
    if len(matches) != 1:
        return None
    match = matches[0]
    left, right = tag[: match.start()], tag[match.end() :]
    joiner = tag[match.start()] if left and right and tag[match.start()] in "-_." else ""
    stripped = left + joiner + right
    return f"{repository}:{stripped}" if stripped else f"{repository}:latest"


def multi_arch_base(
    line_text: str, line: int, targets: tuple[str, ...], resolver: Resolver
) -> Fix | None:
    """The edit of the FROM on ``line`` (its text ``line_text``) that writes the image's
    multi-architecture name, when the resolver says that name exists for every target."""
    match = _FROM_IMAGE.match(line_text)
    if match is None:
        return None
    image = match.group(2)
    candidate = multi_arch_candidate(image)
    if candidate is None or "$" in image:
        return None
    try:
        reference = parse_reference(candidate)
    except ReferenceError:
        return None
    resolution = resolver.resolve(reference)
    if not all(resolution.covers(Platform.parse(target)) for target in targets):
        return None
    column = len(match.group(1)) + 1
    edit = Edit(line, column, line, column + len(image), candidate)
    # arm64v8/alpine:3.20 is alpine:3.20's arm64 image, republished: the same image for that
    # architecture. A tag without its architecture word is another tag, maybe another image.
    first = image.split("/", 1)[0]
    same_image = "/" in image and first in ARCH_NAMESPACES
    return Fix(
        f"use the multi-architecture `{candidate}` ({resolution.explained} lists every target)",
        (edit,),
        safe=same_image,
    )
