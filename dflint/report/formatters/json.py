"""JSON: ``{"version": 1, "findings": [...]}``, one object per finding."""

from __future__ import annotations

from dflint.report.formatters import json_text
from dflint.report.summary import Report


def render(report: Report, colour: bool = False) -> str:
    document = {
        "version": 1,
        "findings": [finding.to_dict() for finding in report.findings],
        "skipped": [
            {"path": item.path, "reason": item.skipped}
            for item in report.files
            if item.skipped is not None
        ],
    }
    return json_text(document) + "\n"
