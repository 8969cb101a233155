"""Findings, fixes and severities: what rules produce and formatters print."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls(text.strip().lower())


_RANK = {Severity.INFO: 1, Severity.WARNING: 2, Severity.ERROR: 3}

# failure-threshold values: a severity, or "none" to never fail on findings.
THRESHOLDS = ("error", "warning", "info", "none")


@dataclass(frozen=True, slots=True)
class Edit:
    """A replacement in the Dockerfile: the span it replaces and the new text."""

    line: int
    column: int
    end_line: int
    end_column: int
    replacement: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A finding's fix: what it does, its edits, and whether it is safe to apply unasked."""

    description: str
    edits: tuple[Edit, ...]
    safe: bool = True


@dataclass(slots=True)
class Finding:
    """A problem a rule reports in a file: where, what, for which platforms, and its fix."""

    path: str
    code: str
    name: str
    severity: Severity
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    platform: str | None = None
    fix: Fix | None = field(default=None, compare=False)
    # the platforms named cannot be built, or are built wrong (see rule.Violation)
    breaks: bool = field(default=False, compare=False)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "path": self.path,
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "message": self.message,
            "platform": self.platform,
        }
        if self.fix is not None:
            result["fix"] = {
                "description": self.fix.description,
                "safe": self.fix.safe,
                "edits": [
                    {
                        "line": edit.line,
                        "column": edit.column,
                        "end_line": edit.end_line,
                        "end_column": edit.end_column,
                        "replacement": edit.replacement,
                    }
                    for edit in self.fix.edits
                ],
            }
        return result
