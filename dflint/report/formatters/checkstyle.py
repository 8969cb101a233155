"""Checkstyle XML, which Jenkins (warnings-ng), reviewdog, Bitbucket and many CI tools read.

Every linted file gets a ``<file>`` element, with or without errors, as Checkstyle does; skipped
files get none. ``source`` is ``dflint.`` and the rule code (``dflint.DF207``), in the dotted
form of Checkstyle's own check names: Jenkins warnings-ng shows the text after the last ``.`` as
the warning's type and the part before it as its category, so a bare ``DF207`` would have none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dflint import lazyre
from dflint.report.formatters import described, printable

if TYPE_CHECKING:
    from dflint.report.summary import Report

SOURCE_PREFIX = "dflint."
# Characters XML 1.0 cannot carry at all, even escaped. Lone surrogates (bytes of a file name
# that are not UTF-8) are written as \xNN before this applies, as in every format.
_NOT_XML = lazyre.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    # a raw newline or tab in an attribute is normalised to a space by every XML parser
    "\n": "&#10;",
    "\r": "&#13;",
    "\t": "&#9;",
}


def render(report: Report, colour: bool = False) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<checkstyle version="4.3">']
    for item in report.files:
        if item.skipped is not None:
            continue
        if not item.findings:
            lines.append(f"  <file name={attribute(item.path)}/>")
            continue
        lines.append(f"  <file name={attribute(item.path)}>")
        for finding in item.findings:
            lines.append(
                f"    <error line={attribute(str(finding.line))}"
                f" column={attribute(str(finding.column))}"
                f" severity={attribute(finding.severity.value)}"
                f" message={attribute(described(finding))}"
                f" source={attribute(SOURCE_PREFIX + finding.code)}/>"
            )
        lines.append("  </file>")
    lines.append("</checkstyle>")
    return "\n".join(lines) + "\n"


def attribute(value: str) -> str:
    """A double-quoted XML attribute value that survives parsing unchanged."""
    cleaned = _NOT_XML.sub("\ufffd", printable(value, keep="\t\r\n"))
    return '"' + "".join(_ESCAPES.get(char, char) for char in cleaned) + '"'
