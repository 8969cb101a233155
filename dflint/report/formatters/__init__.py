"""Output formats, one module per format, each a pure function of the report.

Every module has ``render(report, colour=False) -> str``. They are imported only when chosen,
so a run pays for the format it uses and nothing else.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from dflint.core.findings import Finding, Severity

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from typing import Protocol

    from dflint.lint.engine import FileResult
    from dflint.report.summary import Report

    class Formatter(Protocol):
        """A formatter module."""

        def render(self, report: Report, colour: bool = False) -> str: ...


FORMATS = ("text", "json", "sarif", "github", "checkstyle", "gitlab")


def choose(name: str, environ: Mapping[str, str]) -> str:
    """The format ``auto`` stands for: annotations inside GitHub Actions, else text."""
    if name != "auto":
        return name
    # GitHub sets GITHUB_ACTIONS=true in every step; annotations there land on the diff.
    return "github" if environ.get("GITHUB_ACTIONS") == "true" else "text"


def get(name: str) -> Formatter:
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}")
    module: Formatter = importlib.import_module(f"dflint.report.formatters.{name}")
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
    if text.isascii() and text.isprintable():  # nearly all messages: nothing to replace
        return text
    import unicodedata

    from dflint.read.fileio import escape_surrogates

    return "".join(
        "\ufffd" if unicodedata.category(char) == "Cc" and char not in keep else char
        for char in escape_surrogates(text)
    )


def json_text(document: object, indent: int | None = 2) -> str:
    """JSON as dflint writes it: UTF-8 text kept as is, bytes of names or files that are not
    UTF-8 (lone surrogates, which no JSON encoder can write) as the text ``\\xNN``."""
    import json

    from dflint.read.fileio import escape_surrogates

    text = json.dumps(document, indent=indent, ensure_ascii=False)
    return escape_surrogates(text, backslash="\\\\")


SEVERITY_ORDER = (Severity.ERROR, Severity.WARNING, Severity.INFO)


def fingerprints(item: FileResult) -> list[str]:
    """A stable identity for each finding of a file, in the order of ``item.findings``.

    Code scanning (SARIF ``partialFingerprints``) and GitLab's Code Quality widget match a
    finding with the one of an earlier run by this value, so it must survive edits that do not
    touch the finding: it hashes the rule, the file, the text of the finding's first line with
    its white space normalised, and how many findings of the same rule on a line with the same
    text come before it in the file. Lines added above, re-indentation or a new finding of
    another rule leave it unchanged; two findings of one rule on one line (or on two identical
    lines) still get different values.
    """
    import hashlib

    order = sorted(
        range(len(item.findings)),
        key=lambda i: (item.findings[i].line, item.findings[i].column, i),
    )
    seen: dict[tuple[str, str], int] = {}
    result = [""] * len(item.findings)
    for position in order:
        finding = item.findings[position]
        content = _line_text(item.lines, finding.line)
        occurrence = seen.get((finding.code, content), 0)
        seen[finding.code, content] = occurrence + 1
        identity = "\0".join((finding.code, finding.path, content, str(occurrence)))
        result[position] = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()
    return result


def _line_text(lines: tuple[str, ...], number: int) -> str:
    """The line's text with runs of white space as one space (empty when it is not known)."""
    if not 0 < number <= len(lines):
        return ""
    return " ".join(lines[number - 1].split())
