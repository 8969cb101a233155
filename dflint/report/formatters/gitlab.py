"""GitLab Code Quality: the JSON report a job stores as ``artifacts: reports: codequality``.

GitLab reads a subset of the Code Climate issue format: a top-level array of objects with
``description``, ``check_name``, ``fingerprint``, ``severity`` (``info``, ``minor``, ``major``,
``critical`` or ``blocker``) and ``location`` (``path`` relative to the repository, and
``lines.begin``). It shows the findings in the merge request widget and on the diff, and keys
them by fingerprint: findings with one fingerprint show as one, so each finding gets its own
(``formatters.fingerprints``), the same from one pipeline to the next while the line is there.

dflint's severities map to ``major`` (error), ``minor`` (warning) and ``info``, which keeps their
order and leaves ``critical`` and ``blocker`` to security scanners sharing the widget. ``type``
and ``categories`` are Code Climate's required fields (GitLab ignores them), so the report is
also a valid Code Climate one. Inputs that could not be read have no place in the format; they
make the run exit 2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dflint.core.findings import Finding, Severity
from dflint.report.formatters import described, fingerprints, json_text

if TYPE_CHECKING:
    from dflint.report.summary import Report

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def render(report: Report, colour: bool = False) -> str:
    issues = [
        issue(finding, fingerprint)
        for item in report.files
        for finding, fingerprint in zip(item.findings, fingerprints(item), strict=True)
    ]
    # GitLab's parser refuses a byte order mark; json_text never writes one
    return json_text(issues) + "\n"


def issue(finding: Finding, fingerprint: str) -> dict[str, Any]:
    return {
        "type": "issue",
        "check_name": finding.code,
        "description": f"{finding.code} {described(finding)}",
        "categories": ["Compatibility"],
        "severity": SEVERITIES[finding.severity],
        "fingerprint": fingerprint,
        "location": {
            "path": finding.path,
            "lines": {"begin": max(finding.line, 1), "end": max(finding.end_line, finding.line, 1)},
        },
    }
