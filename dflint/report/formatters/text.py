"""Plain text for a terminal: each finding with a code frame, then a summary line.

::

    Dockerfile:2:22: DF308 [any] `$TARGETARCH` is not declared in this stage ...
      |
    2 | RUN wget https://example.com/tool-$TARGETARCH.tgz
      |                                   ^^^^^^^^^^^^
      = error: platform-arg-out-of-scope

The first line of each finding keeps the ``path:line:col:`` shape that editors and
terminals turn into links.
"""

from __future__ import annotations

import unicodedata

from dflint.core.findings import Finding, Severity
from dflint.report.formatters import printable

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from dflint.report.summary import Report

_COLOURS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}
_BOLD = "\x1b[1m"
_GUTTER = "\x1b[34m"
_RESET = "\x1b[0m"

TAB_WIDTH = 4
# A span longer than this shows its first and last lines around an elision mark.
MAX_FRAME_LINES = 5
# Source wider than this (in terminal cells) is cut to a window around the span.
MAX_WIDTH = 120
_CONTEXT = 24  # cells kept before the span when a long line is cut


def render(report: Report, colour: bool = False, summary_line: bool = True) -> str:
    """The findings, then the summary line (left out for ``dflint lint -q``: then a run
    without findings prints nothing)."""
    blocks: list[str] = []
    for item in report.files:
        for finding in item.findings:
            blocks.append(_finding(finding, item.lines, colour))
    if summary_line:
        blocks.append(_paint(summary(report), _BOLD, colour))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _paint(text: str, style: str, colour: bool) -> str:
    return f"{style}{text}{_RESET}" if colour and text else text


def _finding(finding: Finding, lines: tuple[str, ...], colour: bool) -> str:
    style = _COLOURS[finding.severity]
    location = _paint(f"{_printable(finding.path)}:{finding.line}:{finding.column}:", _BOLD, colour)
    code = _paint(finding.code, style, colour)
    platform = finding.platform or "any"
    out = [f"{location} {code} [{platform}] {_printable(finding.message)}"]
    frame = _frame(finding, lines)
    width = max((len(str(number)) for number, _, _ in frame if number), default=1)
    bar = _paint("|", _GUTTER, colour)
    if frame:
        out.append(f"{' ' * width} {bar}")
    for number, text, carets in frame:
        if not number:
            out.append(f"{' ' * width} {bar} ...")
            continue
        gutter = _paint(str(number).rjust(width), _GUTTER, colour)
        out.append(f"{gutter} {bar} {text}".rstrip())
        if carets.strip():
            out.append(f"{' ' * width} {bar} {_paint(carets, style, colour)}".rstrip())
    note = f"{finding.severity.value}: {finding.name}"
    if finding.fix is not None:
        safety = "" if finding.fix.safe else " (unsafe)"
        note += f"; fix{safety}: {_printable(finding.fix.description)}"
    out.append(f"{' ' * width} {_paint('=', _GUTTER, colour)} {note}")
    return "\n".join(out)


def _frame(finding: Finding, lines: tuple[str, ...]) -> list[tuple[int, str, str]]:
    """(line number, source text, caret line) for each line shown; number 0 marks an elision."""
    first, last = finding.line, max(finding.end_line, finding.line)
    if not lines or not 0 < first <= len(lines):
        return []
    last = min(last, len(lines))
    numbers = list(range(first, last + 1))
    if len(numbers) > MAX_FRAME_LINES:
        keep = MAX_FRAME_LINES // 2
        numbers = [*numbers[:keep], 0, *numbers[-keep:]]
    frame = []
    for number in numbers:
        if number == 0:
            frame.append((0, "", ""))
            continue
        text = lines[number - 1]
        start = finding.column if number == first else _first_non_blank(text)
        end = finding.end_column if number == finding.end_line else len(text) + 1
        frame.append((number, *_underline(text, start, end)))
    return frame


def _first_non_blank(text: str) -> int:
    return len(text) - len(text.lstrip(" \t")) + 1


def _underline(text: str, start: int, end: int) -> tuple[str, str]:
    """The line as shown and the carets under columns [start, end), both in terminal cells.

    Tabs are expanded and wide characters count two cells, so the carets line up whatever
    the file holds; control characters are shown as U+FFFD rather than sent to the terminal.
    """
    start = max(start, 1)
    end = max(end, start + 1)  # an empty span (a position) still gets one caret
    if text.isascii() and text.isprintable():
        # one cell a character, nothing to replace (most lines): the cells need no building
        size = len(text)
        if start <= size + 1:
            carets = " " * (start - 1) + "^" * (min(end, size + 2) - start)
            return _window(text, carets.rstrip(), start - 1)
        return _window(text, (" " * (size + 1) + "^").rstrip(), size + 1)
    cells: list[tuple[str, int]] = []
    column = 0
    for char in text:
        if char == "\t":
            width = TAB_WIDTH - column % TAB_WIDTH
            cells.append((" " * width, width))
        else:
            shown = _printable(char)  # a byte that is not UTF-8 is shown as \xNN
            width = _text_width(shown)
            cells.append((shown, width))
        column += cells[-1][1]
    # one more cell past the end, so a span at the end of the line has somewhere to point
    cells.append(("", 1))
    shown_text = ""
    carets = ""
    offset = 0
    span_start_cell: int | None = None
    for index, (shown, width) in enumerate(cells, start=1):
        inside = start <= index < end
        if inside and span_start_cell is None:
            span_start_cell = offset
        shown_text += shown
        carets += ("^" if inside else " ") * width
        offset += width
    if span_start_cell is None:  # the span starts past the end of the line
        span_start_cell = offset
        carets += "^"
    return _window(shown_text, carets.rstrip(), span_start_cell)


def _window(text: str, carets: str, span_start: int) -> tuple[str, str]:
    """Cut a line wider than MAX_WIDTH to a window that shows the start of the span."""
    if len(carets) <= MAX_WIDTH and _text_width(text) <= MAX_WIDTH:
        return text, carets
    left = max(span_start - _CONTEXT, 0)
    right = left + MAX_WIDTH
    shown = _cut_cells(text, left, right)
    marks = carets[left:right]
    if left > 0:
        shown, marks = "..." + shown, "   " + marks
    if _text_width(text) > right:
        shown += "..."
    return shown, marks.rstrip()


def _cut_cells(text: str, left: int, right: int) -> str:
    out = []
    position = 0
    for char in text:
        width = _cell_width(char)
        if position >= left and position + width <= right:
            out.append(char)
        elif position < left < position + width:
            out.append(" ")  # half of a wide character at the left edge
        position += width
    return "".join(out)


def _text_width(text: str) -> int:
    if text.isascii():  # no wide or combining characters: one cell each
        return len(text)
    return sum(_cell_width(char) for char in text)


def _cell_width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _printable(text: str) -> str:
    return printable(text)


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
    if report.failed:
        parts.append(f"{report.failed} could not be read")
    skipped = sum(1 for item in report.files if item.skipped is not None)
    if skipped:
        parts.append(f"{skipped} skipped")
    return "; ".join(parts) + "."


def _count(number: int, level: Severity) -> str:
    plural = "s" if number != 1 and level is not Severity.INFO else ""
    return f"{number} {level.value}{plural}"
