"""Applies the fixes that findings carry: ``dflint fix --multiarch``.

The engine knows nothing about any rule: it lints, takes every finding's :class:`Fix` (only
the safe ones unless unsafe fixes are allowed), applies those whose edits do not overlap,
and lints again, until nothing changes. A later round can then apply a fix that an earlier
one made possible or safe (DF307 puts ``${TARGETARCH}`` in a build stage; DF203's switch to
``$BUILDPLATFORM`` is safe from then on). Edits use the findings' positions: 1-based lines
and columns on the physical lines, end column exclusive.

Some fixes depend on what the registry says exists (an architecture-specific base image
becomes its multi-architecture name only when that name exists for every target: DF202,
DF203 in a per-architecture file, DF210). Their rules write them too, in
:meth:`Rule.registry_fix`, which this loop calls with the resolver and lint's targets
(`FileResult.targets`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dflint.analyse.targets import DEFAULT_TARGETS
from dflint.core.findings import Edit, Finding, Fix
from dflint.lint.engine import FileResult, Options, lint_bytes
from dflint.lint.rule import FixRequest, Rule, asks_registry_to_fix
from dflint.lint.ruleset import rule_class, rule_entries
from dflint.settings.config import Config

if TYPE_CHECKING:
    from dflint.registry.resolver import Resolver

MAX_ROUNDS = 10
_BOM = "\ufeff"


@dataclass(slots=True)
class Applied:
    """A fix ``dflint fix --multiarch`` applied: the rule's code, the line and what it did."""

    code: str
    line: int  # where the finding was, in the text of its round
    description: str


@dataclass(slots=True)
class FixResult:
    """What fixing one file gave: the fixed text, the fixes applied and the findings left."""

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
    resolver: Resolver | None = None
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
        lines = result.text.split("\n")
        for finding in linted.findings:
            fix = finding.fix
            rule = _registry_fixer(finding.code) if resolve_images else None
            if rule is not None:
                if resolver is None:
                    resolver = _resolver(options, config)
                line_text = (
                    lines[finding.line - 1].rstrip("\r") if finding.line <= len(lines) else ""
                )
                fix = rule.registry_fix(FixRequest(finding, line_text, targets, own, resolver))
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


def _registry_fixer(code: str) -> Rule | None:
    """The rule of ``code`` when its fix asks the registry (:meth:`Rule.registry_fix`)."""
    if not any(entry.code == code for entry in rule_entries()):
        return None  # the engine's own rules fix nothing
    rule = rule_class(code)
    return rule() if asks_registry_to_fix(rule) else None


def _resolver(options: Options, config: Config) -> Resolver:
    from dflint.registry.resolver import resolver_for

    return resolver_for(config.registry, offline=options.offline or config.offline)
