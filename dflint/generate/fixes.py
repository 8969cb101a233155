"""Applies the fixes that findings carry: ``dflint fix --multiarch``.

The engine knows nothing about any rule: it lints, takes every finding's :class:`Fix` (only
the safe ones unless unsafe fixes are allowed), applies those whose edits do not overlap,
and lints again, until nothing changes. A later round can then apply a fix that an earlier
one made possible or safe (DF307 puts ``${TARGETARCH}`` in a build stage; DF203's switch to
``$BUILDPLATFORM`` is safe from then on). Edits use the findings' positions: 1-based lines
and columns on the physical lines, end column exclusive.

Some steps are not a rule's fix, because they need the registry resolver: an
architecture-specific base image (DF202) becomes its multi-architecture name only when the
resolver confirms that name exists for every target platform; in a per-architecture file,
DF203's removal of a constant `--platform` also writes that name for an image pinned to the
file's own architecture (`FROM --platform=linux/arm64 arm64v8/ruby` → `FROM ruby`), and is
safe only when the name exists for the file's own platform and every target; a
`$BUILDPLATFORM` stage on a pinned image (DF210) gets the name when it exists for linux/amd64
and linux/arm64, the usual build machines. The targets are lint's (`FileResult.targets`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dflint.analyse.targets import DEFAULT_TARGETS, OwnPlatform
from dflint.core.archnames import ARCH_NAMESPACES, ARCH_TOKENS
from dflint.core.findings import Edit, Finding, Fix
from dflint.lint.engine import FileResult, Options, lint_bytes
from dflint.settings.config import Config

# The findings whose fix depends on what the registry says exists.
_NEEDS_RESOLVER = frozenset({"DF202", "DF203", "DF210"})
# The machines a $BUILDPLATFORM stage runs on, in practice.
_BUILD_MACHINES = ("linux/amd64", "linux/arm64")

MAX_ROUNDS = 10
_BOM = "\ufeff"


@dataclass(slots=True)
class Applied:
    code: str
    line: int  # where the finding was, in the text of its round
    description: str


@dataclass(slots=True)
class FixResult:
    text: str
    applied: list[Applied] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)  # findings left after fixing
    unsafe_skipped: int = 0  # fixes left out because they are unsafe
    error: str | None = None  # the input could not be linted (a parse error)


def _offsets(text: str) -> tuple[list[int], list[int]]:
    """Start offset and length (without the line ending) of every physical line."""
    starts: list[int] = []
    lengths: list[int] = []
    position = 0
    for line in text.split("\n"):
        starts.append(position)
        lengths.append(len(line.rstrip("\r")) if line.endswith("\r") else len(line))
        position += len(line) + 1
    return starts, lengths


def _span(edit: Edit, starts: list[int], lengths: list[int]) -> tuple[int, int] | None:
    if not (1 <= edit.line <= len(starts) and 1 <= edit.end_line <= len(starts)):
        return None
    start = starts[edit.line - 1] + min(edit.column - 1, lengths[edit.line - 1])
    end = starts[edit.end_line - 1] + min(edit.end_column - 1, lengths[edit.end_line - 1])
    if end < start:
        return None
    return start, end


def apply_fixes(text: str, fixes: list[Fix]) -> tuple[str, list[int]]:
    """The text with every fix applied whose edits overlap no fix applied before it.

    Returns the new text and the indexes of the fixes applied. Two insertions at one place
    conflict too (their order would be a guess), unless they are the same edit.
    """
    bom = text.startswith(_BOM)
    body = text[1:] if bom else text
    newline = "\r\n" if "\r\n" in body else "\n"
    starts, lengths = _offsets(body)
    taken: list[tuple[int, int, str]] = []
    chosen: list[int] = []
    order = sorted(range(len(fixes)), key=lambda i: min((e.line, e.column) for e in fixes[i].edits))
    for index in order:
        spans: list[tuple[int, int, str]] = []
        for edit in fixes[index].edits:
            span = _span(edit, starts, lengths)
            if span is None:
                spans = []
                break
            spans.append((span[0], span[1], edit.replacement.replace("\n", newline)))
        if not spans:
            continue
        new = [item for item in spans if item not in taken]
        if any(_overlaps(item, other) for item in new for other in taken):
            continue
        if any(_overlaps(a, b) for i, a in enumerate(new) for b in new[i + 1 :]):
            continue
        taken.extend(new)
        chosen.append(index)
    for start, end, replacement in sorted(taken, key=lambda item: (item[0], item[1]), reverse=True):
        body = body[:start] + replacement + body[end:]
    return (_BOM + body if bom else body), chosen


def _overlaps(a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
    if a[0] == a[1] or b[0] == b[1]:  # an insertion
        return a[0] == b[0] or (a[0] < b[0] < a[1]) or (b[0] < a[0] < b[1])
    return a[0] < b[1] and b[0] < a[1]


def fix_text(
    text: str,
    display: str,
    options: Options,
    config: Config,
    unsafe: bool = False,
    resolve_images: bool = True,
) -> FixResult:
    """Lint, apply the fixes, and repeat until the text stops changing."""
    result = FixResult(text)
    for _ in range(MAX_ROUNDS):
        linted = lint_bytes(
            result.text.encode("utf-8", errors="surrogateescape"), display, options, config
        )
        if linted.failed or linted.skipped:
            if result.applied:
                result.error = f"a fix made the file unreadable: {_first_message(linted)}"
            else:
                result.error = _first_message(linted)
            return result
        fixes: list[Fix] = []
        findings: list[Finding] = []
        skipped = 0
        targets = linted.targets.platforms if linted.targets else DEFAULT_TARGETS
        own = linted.targets.own if linted.targets else None
        for finding in linted.findings:
            fix = finding.fix
            if resolve_images and finding.code in _NEEDS_RESOLVER:
                fix = _resolved_fix(result.text, finding, fix, targets, own, options, config)
            if fix is None:
                continue
            if not fix.safe and not unsafe:
                skipped += 1
                continue
            fixes.append(fix)
            findings.append(finding)
        result.unsafe_skipped = skipped
        result.remaining = linted.findings
        if not fixes:
            break
        new_text, chosen = apply_fixes(result.text, fixes)
        if new_text == result.text:
            break
        result.applied += [
            Applied(findings[i].code, findings[i].line, fixes[i].description) for i in chosen
        ]
        result.text = new_text
    final = lint_bytes(
        result.text.encode("utf-8", errors="surrogateescape"), display, options, config
    )
    result.remaining = final.findings
    return result


def _first_message(result: FileResult) -> str:
    if result.skipped:
        return f"skipped: {result.skipped}"
    for finding in result.findings:
        return f"{finding.line}:{finding.column}: {finding.message}"
    return "cannot be read"


# --- DF202: the multi-architecture name, when the resolver confirms it ---------------------

_TAG_ARCH = re.compile(
    r"[-_.]?(?<![A-Za-z0-9])("
    + "|".join(sorted(map(re.escape, ARCH_TOKENS), key=len, reverse=True))
    + r")(?![A-Za-z0-9])[-_.]?"
)


def multi_arch_candidate(image: str) -> str | None:
    """The name an architecture-specific image is published under for every architecture:
    ``arm64v8/alpine:3.20`` → ``alpine:3.20``, ``example/app:1.2-amd64`` → ``example/app:1.2``."""
    name, _, digest = image.partition("@")
    if digest:
        return None
    slash, colon = name.rfind("/"), name.rfind(":")
    repository, tag = (name[:colon], name[colon + 1 :]) if colon > slash else (name, "")
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


def _resolved_fix(
    text: str,
    finding: Finding,
    fix: Fix | None,
    targets: tuple[str, ...],
    own: OwnPlatform | None,
    options: Options,
    config: Config,
) -> Fix | None:
    """The fix of a finding about a pinned image, once the resolver has been asked."""
    if finding.code == "DF202" and fix is None:
        return _multi_arch_base(text, finding, targets, options, config)
    if finding.code == "DF210" and fix is None:
        found = _multi_arch_base(text, finding, _BUILD_MACHINES, options, config)
        return None if found is None else Fix(found.description, found.edits, safe=False)
    if finding.code == "DF203" and fix is not None and not fix.safe and own is not None:
        wanted = tuple(dict.fromkeys((own.platform, *targets)))
        renamed = _multi_arch_base(text, finding, wanted, options, config)
        if renamed is not None and renamed.safe:
            # one line, two edits: the flag goes, the image gets its multi-arch name
            return Fix(
                f"remove the constant --platform and {renamed.description}",
                (*fix.edits, *renamed.edits),
                safe=True,
            )
    return fix


def _multi_arch_base(
    text: str,
    finding: Finding,
    targets: tuple[str, ...],
    options: Options,
    config: Config,
) -> Fix | None:
    from dflint.core.platform import Platform
    from dflint.core.reference import ReferenceError, parse_reference
    from dflint.registry.resolver import resolver_for

    lines = text.split("\n")
    if finding.line > len(lines):
        return None
    line = lines[finding.line - 1].rstrip("\r")
    match = re.match(r"(\s*FROM\s+(?:--\S+\s+)*)(\S+)", line, re.I)
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
    resolver = resolver_for(config.registry, offline=options.offline or config.offline)
    resolution = resolver.resolve(reference)
    if not all(resolution.covers(Platform.parse(target)) for target in targets):
        return None
    column = len(match.group(1)) + 1
    edit = Edit(finding.line, column, finding.line, column + len(image), candidate)
    # arm64v8/alpine:3.20 is alpine:3.20's arm64 image, republished: the same image for that
    # architecture. A tag without its architecture word is another tag, maybe another image.
    first = image.split("/", 1)[0]
    same_image = "/" in image and first in ARCH_NAMESPACES
    return Fix(
        f"use the multi-architecture `{candidate}` ({resolution.explained} lists every target)",
        (edit,),
        safe=same_image,
    )
