"""Output formats, one module per format, each a pure function of the report.

Every module has ``render(report, colour=False) -> str``. They are imported only when chosen,
so a run pays for the format it uses and nothing else.
"""

from __future__ import annotations

import importlib
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from dflint.findings import Finding, Severity

if TYPE_CHECKING:
    from dflint.report import Report

FORMATS = ("text", "json", "sarif", "github", "checkstyle")


class Formatter(Protocol):
    def render(self, report: Report, colour: bool = False) -> str: ...


def choose(name: str, environ: Mapping[str, str]) -> str:
    """The format ``auto`` stands for: annotations inside GitHub Actions, else text."""
    if name != "auto":
        return name
    # GitHub sets GITHUB_ACTIONS=true in every step; annotations there land on the diff.
    return "github" if environ.get("GITHUB_ACTIONS") == "true" else "text"


def get(name: str) -> Formatter:
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}")
    module: Formatter = importlib.import_module(f"dflint.formatters.{name}")
    return module


def described(finding: Finding) -> str:
    """The message with the platform it is about, for formats that have no platform field."""
    if finding.platform:
        return f"{finding.message} [{finding.platform}]"
    return finding.message


def printable(text: str, keep: str = "\t") -> str:
    """``text`` with control characters (other than those in ``keep``) shown as U+FFFD, and
    bytes that are not UTF-8 (lone surrogates) as ``\\xNN``.

    Messages quote the Dockerfile, which may hold escape sequences; sent to a terminal or a
    CI log they would be interpreted instead of shown.
    """
    from dflint.fileio import escape_surrogates

    return "".join(
        "\ufffd" if unicodedata.category(char) == "Cc" and char not in keep else char
        for char in escape_surrogates(text)
    )


def json_text(document: object, indent: int | None = 2) -> str:
    """JSON as dflint writes it: UTF-8 text kept as is, bytes of names or files that are not
    UTF-8 (lone surrogates, which no JSON encoder can write) as the text ``\\xNN``."""
    import json

    from dflint.fileio import escape_surrogates

    text = json.dumps(document, indent=indent, ensure_ascii=False)
    return escape_surrogates(text, backslash="\\\\")


SEVERITY_ORDER = (Severity.ERROR, Severity.WARNING, Severity.INFO)
