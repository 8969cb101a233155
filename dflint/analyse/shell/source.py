"""Where each character of a shell script sits in the Dockerfile.

A script is rarely a verbatim slice of the file: the logical line joins continued physical
lines (dropping the escape character), exec form decodes JSON strings, heredoc bodies follow
the instruction line, and an inline ``sh -c`` or ``powershell -Command`` string loses its
quotes. :class:`SourceMap` keeps a piecewise-linear map from offsets in the script text to
physical (line, column) positions, so a finding inside a script points at the right spot.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from dflint import lazyre
from dflint.read.lineparse import GO_SPACE
from dflint.read.model import Dockerfile, Instruction, Span

# A JSON string token, as in an exec-form argument list.
_JSON_STRING = lazyre.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_JSON_ESCAPES = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}


_FAR = 1 << 62  # past any offset: the last run goes on


class SourceMap:
    """Maps offsets in a script's text to 1-based (line, column) in the Dockerfile.

    Built from runs: a run starting at text offset ``o`` maps ``o + k`` to the same line,
    column ``c + k``. Runs never cross a physical line. Offsets past the end map just after
    the last character.
    """

    __slots__ = ("_columns", "_lines", "_starts")

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._lines: list[int] = []
        self._columns: list[int] = []  # 1-based column of the run's first character

    def add(self, offset: int, line: int, column: int) -> None:
        """Start a run at text ``offset`` that sits at (line, column)."""
        if self._starts and self._starts[-1] == offset:
            self._lines[-1], self._columns[-1] = line, column
            return
        self._starts.append(offset)
        self._lines.append(line)
        self._columns.append(column)

    def position(self, offset: int) -> tuple[int, int]:
        if not self._starts:
            return 1, 1
        index = bisect_right(self._starts, offset) - 1
        if index < 0:
            return self._lines[0], self._columns[0]
        return self._lines[index], self._columns[index] + offset - self._starts[index]

    def span(self, start: int, end: int) -> Span:
        """The span of text[start:end] (end exclusive), on the Dockerfile's lines."""
        line, column = self.position(start)
        if end <= start:
            return Span(line, column, line, column)
        end_line, end_column = self.position(end - 1)
        return Span(line, column, end_line, end_column + 1)

    def same_as(self, other: SourceMap) -> bool:
        """Both maps put every offset at the same (line, column)."""
        return (
            self._starts == other._starts
            and self._lines == other._lines
            and self._columns == other._columns
        )

    def runs(self) -> list[tuple[int, int, int]]:
        """(text offset, line, column) of each run, in order."""
        return list(zip(self._starts, self._lines, self._columns, strict=True))

    def slice(self, start: int, end: int) -> SourceMap:
        """The map of text[start:end], re-based at offset 0."""
        result = SourceMap()
        line, column = self.position(start)
        result.add(0, line, column)
        first = bisect_right(self._starts, start)
        for index in range(first, len(self._starts)):
            run_start = self._starts[index]
            if run_start >= end:
                break
            result.add(run_start - start, self._lines[index], self._columns[index])
        return result

    def derive(self, offsets: list[int]) -> SourceMap:
        """The map of a text whose i-th character is this text's ``offsets[i]``.

        A negative offset marks a character that is not in the source (a joining space);
        it sits just after the character before it.
        """
        result = SourceMap()
        previous: tuple[int, int] | None = None
        starts = self._starts
        last = -3  # the previous offset, while it sits inside one of this map's runs (-3: none)
        run_end = -1  # where the run holding ``last`` ends
        for index, offset in enumerate(offsets):
            if offset == last + 1 and offset < run_end and previous is not None:
                # the next character of the same run: one column on, nothing to add
                previous = (previous[0], previous[1] + 1)
                last = offset
                continue
            if offset < 0:
                here = (previous[0], previous[1] + 1) if previous else self.position(0)
                last = -3
            else:
                here = self.position(offset)
                run = bisect_right(starts, offset) - 1
                if run >= 0:
                    last = offset
                    run_end = starts[run + 1] if run + 1 < len(starts) else _FAR
                else:
                    last = -3
            if previous is None or here != (previous[0], previous[1] + 1):
                result.add(index, here[0], here[1])
            previous = here
        return result


@dataclass(slots=True)
class Piece:
    """A slice of script text with its map."""

    text: str
    map: SourceMap


def logical_line(dockerfile: Dockerfile, instruction: Instruction) -> Piece:
    """The instruction's logical line (continuations joined) with its map."""
    escape = dockerfile.escape if dockerfile.escape in ("\\", "`") else "\\"
    parts: list[str] = []
    source = SourceMap()
    offset = 0
    for index, number in enumerate(instruction.lines):
        raw = dockerfile.lines[number - 1] if 0 < number <= len(dockerfile.lines) else ""
        start = len(raw) - len(raw.lstrip(GO_SPACE)) if index == 0 else 0
        content = raw[start:]
        # The reader's rule: the escape token is the last non-blank character and is not
        # itself escaped.
        body = content.rstrip(" \t")
        if body.endswith(escape) and body[-2:-1] != escape:
            content = body[:-1]
        source.add(offset, number, start + 1)
        parts.append(content)
        offset += len(content)
    return Piece("".join(parts), source)


def argument_text(dockerfile: Dockerfile, instruction: Instruction) -> Piece:
    """The instruction's text after keyword and flags, mapped to the file.

    Falls back to mapping everything to the instruction's start when the joined lines do
    not reproduce the parser's text (which would be a reader bug, not a user error).
    """
    line = logical_line(dockerfile, instruction)
    text = instruction.arg_text
    end = len(line.text.rstrip(GO_SPACE))
    start = end - len(text)
    if start >= 0 and line.text[start:end] == text:
        return Piece(text, line.map.slice(start, end))
    fallback = SourceMap()
    fallback.add(0, instruction.start_line, instruction.column)
    return Piece(text, fallback)


def setting_value_start(text: str, name: str) -> int | None:
    """Where ``name``'s value starts in an ARG or ENV argument text (``NAME=value``, or the
    legacy ``NAME value``); None when the name is not written there."""
    key = re.search(rf"(?:^|\s){re.escape(name)}(=|\s+)", text)
    return None if key is None else key.end()


def heredoc_body(dockerfile: Dockerfile, start_line: int, end_line: int) -> Piece:
    """A heredoc body: physical lines start_line..end_line-1, joined with newlines."""
    source = SourceMap()
    parts: list[str] = []
    offset = 0
    for number in range(start_line, end_line):
        content = dockerfile.lines[number - 1] if 0 < number <= len(dockerfile.lines) else ""
        source.add(offset, number, 1)
        parts.append(content)
        offset += len(content) + 1
    return Piece("\n".join(parts) + ("\n" if parts else ""), source)


def json_strings(piece: Piece) -> list[Piece] | None:
    """The decoded strings of an exec-form JSON array, each mapped to its characters.

    None when the text is not a plain JSON array of strings.
    """
    import json  # exec forms only (a script needs none)

    text = piece.text
    try:
        values = json.loads(text)
    except ValueError:
        return None
    if not isinstance(values, list) or not all(isinstance(item, str) for item in values):
        return None
    tokens = list(_JSON_STRING.finditer(text))
    if len(tokens) != len(values):
        return None
    result: list[Piece] = []
    for token, value in zip(tokens, values, strict=True):
        decoded, offsets = _decode_json_string(text, token.start() + 1, token.end() - 1)
        if decoded != value:
            return None
        result.append(Piece(decoded, piece.map.derive(offsets)))
    return result


def _decode_json_string(text: str, start: int, end: int) -> tuple[str, list[int]]:
    out: list[str] = []
    offsets: list[int] = []
    index = start
    while index < end:
        char = text[index]
        if char != "\\" or index + 1 >= end:
            out.append(char)
            offsets.append(index)
            index += 1
            continue
        code = text[index + 1]
        if code == "u" and index + 6 <= end:
            value = int(text[index + 2 : index + 6], 16)
            size = 6
            if 0xD800 <= value < 0xDC00 and text.startswith("\\u", index + 6):
                low = int(text[index + 8 : index + 12], 16)
                value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                size = 12
            out.append(chr(value))
            offsets.append(index)
            index += size
            continue
        out.append(_JSON_ESCAPES.get(code, code))
        offsets.append(index)
        index += 2
    return "".join(out), offsets


def join_pieces(pieces: list[Piece], separator: str = " ") -> Piece:
    """Pieces joined with a separator that is not in the source (exec-form args)."""
    parts: list[str] = []
    combined = SourceMap()
    total = 0
    for index, piece in enumerate(pieces):
        if index:
            parts.append(separator)
            # the separator sits just after the previous piece
            if pieces[index - 1].text:
                line, column = pieces[index - 1].map.position(len(pieces[index - 1].text) - 1)
                combined.add(total, line, column + 1)
            total += len(separator)
        for run_start, run_line, run_column in piece.map.runs():
            combined.add(total + run_start, run_line, run_column)
        parts.append(piece.text)
        total += len(piece.text)
    return Piece("".join(parts), combined)
