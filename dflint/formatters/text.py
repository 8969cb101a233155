"""Plain text: ``path:line:col: CODE [platform] message``, one finding a line, then a summary."""

from __future__ import annotations

from dflint.findings import Severity
from dflint.report import Report

_COLOURS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}
_BOLD = "\x1b[1m"
_RESET = "\x1b[0m"


def render(report: Report, colour: bool = False) -> str:
    lines = []
    for finding in report.findings:
        code = finding.code
        location = f"{finding.path}:{finding.line}:{finding.column}:"
        if colour:
            code = f"{_COLOURS[finding.severity]}{code}{_RESET}"
            location = f"{_BOLD}{location}{_RESET}"
        platform = finding.platform or "any"
        lines.append(f"{location} {code} [{platform}] {finding.message}")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def summary(report: Report) -> str:
    counts = report.counts()
    total = sum(counts.values())
    files = report.linted
    parts = [f"{files} file{'s' if files != 1 else ''} linted"]
    if total == 0:
        parts.append("no findings")
    else:
        detail = ", ".join(
            _count(counts[level], level)
            for level in (Severity.ERROR, Severity.WARNING, Severity.INFO)
            if counts[level]
        )
        parts.append(f"{total} finding{'s' if total != 1 else ''} ({detail})")
        if report.fixable:
            parts.append(f"{report.fixable} fixable")
    skipped = sum(1 for item in report.files if item.skipped is not None)
    if skipped:
        parts.append(f"{skipped} skipped")
    return "; ".join(parts) + "."


def _count(number: int, level: Severity) -> str:
    plural = "s" if number != 1 and level is not Severity.INFO else ""
    return f"{number} {level.value}{plural}"
