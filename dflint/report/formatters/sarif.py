"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run. ``tool.driver.rules`` holds the rules that have results, with their docs; each result
points at its rule by id and index, carries its region (columns counted in Unicode code points,
end column exclusive), a ``partialFingerprints`` entry that stays the same across edits that do
not touch it (see ``formatters.fingerprints``) and, where the rule can repair it, a ``fixes``
entry with the edits.

``automationDetails.id`` is ``dflint/``: the category ``dflint``, under which GitHub code
scanning keeps the alerts of this tool apart from other tools' (a category given to
``upload-sarif`` does not replace it). ``DFLINT_SARIF_CATEGORY`` names another category, for a
repository linted by several jobs (one per folder, say), each replacing only its own alerts.
"""

from __future__ import annotations

import os
from pathlib import PureWindowsPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from dflint.core.findings import Edit, Finding, Severity
from dflint.report.formatters import described, fingerprints, json_text

if TYPE_CHECKING:
    from dflint.report.docs import RuleInfo
    from dflint.report.summary import Report

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# The key of dflint's own fingerprint; `primaryLocationLineHash` is GitHub's, which
# upload-sarif computes itself and warns about when a tool's value differs from its own.
FINGERPRINT_KEY = "dflint/v1"
CATEGORY_VARIABLE = "DFLINT_SARIF_CATEGORY"
DEFAULT_CATEGORY = "dflint"


def render(report: Report, colour: bool = False) -> str:
    category = os.environ.get(CATEGORY_VARIABLE, "").strip() or DEFAULT_CATEGORY
    return json_text(document(report, category)) + "\n"


def document(report: Report, category: str = DEFAULT_CATEGORY) -> dict[str, Any]:
    import dflint
    from dflint.report.docs import PROJECT_URL, rule_info

    findings = report.findings
    codes = sorted({finding.code for finding in findings})
    infos = {code: rule_info(code) for code in codes}
    index = {code: position for position, code in enumerate(codes)}
    driver: dict[str, Any] = {
        "name": "dflint",
        "version": dflint.__version__,
        "semanticVersion": dflint.__version__,
        "informationUri": PROJECT_URL,
        "rules": [_rule(code, infos[code]) for code in codes],
    }
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        # dflint counts columns in characters; SARIF's default is UTF-16 code units.
        "columnKind": "unicodeCodePoints",
        "results": [
            _result(finding, index[finding.code], fingerprint)
            for item in report.files
            for finding, fingerprint in zip(item.findings, fingerprints(item), strict=True)
        ],
        "invocations": [_invocation(report)],
        # a trailing slash: a category without a run id, as upload-sarif writes its `category`
        "automationDetails": {"id": category.rstrip("/") + "/"},
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _rule(code: str, info: RuleInfo | None) -> dict[str, Any]:
    if info is None:  # a finding from a rule this dflint does not know (a stale report)
        return {"id": code}
    from dflint.report.docs import render_rule, rule_markdown

    what = info.sections.get("What it does", info.summary)
    return {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": what, "markdown": what},
        "help": {"text": render_rule(info.code) or info.summary, "markdown": rule_markdown(info)},
        "helpUri": info.help_uri,
        "defaultConfiguration": {"level": LEVELS[info.severity]},
        "properties": {
            "tags": ["portability", *(p for p in info.platforms if p != "any")],
            "fixable": info.fixable,
        },
    }


def _result(finding: Finding, rule_index: int, fingerprint: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": described(finding)},
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(finding.path)},
                    "region": _region(
                        finding.line, finding.column, finding.end_line, finding.end_column
                    ),
                }
            }
        ],
    }
    if finding.platform:
        result["properties"] = {"platform": finding.platform}
    if finding.fix is not None:
        result["fixes"] = [
            {
                "description": {"text": finding.fix.description},
                # SARIF has no word for it; viewers that offer fixes can read it here
                "properties": {"safe": finding.fix.safe},
                "artifactChanges": [
                    {
                        "artifactLocation": {"uri": artifact_uri(finding.path)},
                        "replacements": [_replacement(edit) for edit in finding.fix.edits],
                    }
                ],
            }
        ]
    return result


def _region(line: int, column: int, end_line: int, end_column: int) -> dict[str, int]:
    # SARIF requires 1-based positions and an end not before the start.
    line, column = max(line, 1), max(column, 1)
    end_line = max(end_line, line)
    end_column = max(end_column, column) if end_line == line else max(end_column, 1)
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def _replacement(edit: Edit) -> dict[str, Any]:
    region = _region(edit.line, edit.column, edit.end_line, edit.end_column)
    return {"deletedRegion": region, "insertedContent": {"text": edit.replacement}}


def artifact_uri(path: str) -> str:
    """A relative path as a relative URI reference; an absolute one as a file: URI.

    The path's bytes are percent-encoded, so a name that is not UTF-8 (carried as surrogate
    escapes) names the same file in the URI."""
    windows = PureWindowsPath(path)
    if windows.drive:
        return windows.as_uri()
    raw = os.fsencode(path.replace("\\", "/"))
    if path.startswith("/"):
        return "file://" + quote(raw, safe="/")
    return quote(raw, safe="/")


def _invocation(report: Report) -> dict[str, Any]:
    notifications: list[dict[str, Any]] = []
    for path in report.input_errors:
        notifications.append(_notification("error", f"{path}: could not be read", path))
    for item in report.files:
        for message in item.internal_errors:
            notifications.append(_notification("error", f"internal error: {message}", item.path))
        if item.skipped is not None:
            notifications.append(_notification("note", f"skipped: {item.skipped}", item.path))
    # Unreadable inputs and rule crashes make the run incomplete; findings do not.
    successful = not report.input_errors and not any(
        item.failed or item.internal_errors for item in report.files
    )
    invocation: dict[str, Any] = {"executionSuccessful": successful}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def _notification(level: str, text: str, path: str) -> dict[str, Any]:
    return {
        "level": level,
        "message": {"text": text},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(path)}}}],
    }
