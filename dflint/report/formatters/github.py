"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` line a finding.

GitHub turns each into an annotation on the file and line in the run summary and the pull
request diff. The plain summary line at the end is ordinary log output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dflint.core.findings import Finding, Severity
from dflint.report.formatters import described, printable
from dflint.report.formatters.text import summary

if TYPE_CHECKING:
    from dflint.report.summary import Report

# GitHub has no "info" annotation; "notice" is its lowest level.
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(report: Report, colour: bool = False) -> str:
    lines = [annotation(finding) for finding in report.findings]
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def annotation(finding: Finding) -> str:
    properties = [("file", printable(finding.path)), ("line", str(finding.line))]
    if finding.end_line == finding.line:
        # The runner drops col/endColumn when line and endLine differ, so send them only
        # for one-line spans. endColumn is exclusive, as in SARIF and in dflint's findings.
        properties.append(("col", str(finding.column)))
        properties.append(("endLine", str(finding.end_line)))
        properties.append(("endColumn", str(max(finding.end_column, finding.column))))
    else:
        properties.append(("endLine", str(finding.end_line)))
    properties.append(("title", f"{finding.code} {finding.name}"))
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{LEVELS[finding.severity]} {joined}::{escape_data(described(finding))}"


def escape_data(text: str) -> str:
    """The message part: a raw newline would end the command, % starts an escape."""
    text = printable(text, keep="\t\r\n")
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: also ``:`` (ends the properties) and ``,`` (separates them)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
