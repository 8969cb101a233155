"""dflint's logical-line reader: bytes to directives, comments and instructions, as BuildKit
reads them.

The rules it follows (BuildKit's ``parser.Parse``):

* the parser-directive block (``syntax``, ``check``, ``escape``) is the run of ``# key=value``
  comment lines at the top of the file; any other line (comment, blank or instruction) ends it;
* a line continues when the escape token is its last non-blank character and is not itself
  preceded by the escape token;
* comment lines and blank lines inside a continuation are skipped, not ends;
* heredocs are read for RUN, COPY and ADD (and ONBUILD of those) in shell form only;
* CRLF endings, a leading BOM and tabs are accepted.
"""

from __future__ import annotations

import re

from dflint.errors import InputError
from dflint.lineparse import GO_SPACE, ParsedLine, parse_line
from dflint.model import (
    HEREDOC_KEYWORDS,
    Comment,
    Directive,
    Heredoc,
    Instruction,
    ParseWarning,
)

VALID_DIRECTIVES = ("syntax", "check", "escape")
# Longest physical line BuildKit's scanner reads (bufio.MaxScanTokenSize - 1), in bytes.
MAX_LINE_BYTES = 65535
_DIRECTIVE = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*\Z", re.S)
_CONTINUATION = {
    "\\": re.compile(r"([^\\])\\[ \t]*\Z|^\\[ \t]*\Z"),
    "`": re.compile(r"([^`])`[ \t]*\Z|^`[ \t]*\Z"),
}
_HEREDOC_WORD = re.compile(r"(\d*)<<(-?)[\t\n\f\r ]*([^<]*)\Z", re.S)
_BOM = "\ufeff"


def decode(data: bytes) -> str:
    """UTF-8 text of a Dockerfile; binary or undecodable input is an InputError with a position."""
    nul = data.find(b"\x00")
    if nul >= 0:
        line, column = _byte_position(data, nul)
        raise InputError("binary file (NUL byte)", line, column)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _byte_position(data, exc.start)
        raise InputError(f"invalid UTF-8 (byte 0x{data[exc.start]:02x})", line, column) from None


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


class DirectiveBlock:
    """The parser directives at the top of the file (BuildKit's DirectiveParser)."""

    def __init__(self) -> None:
        self.done = False
        self.directives: list[Directive] = []
        self.escape = "\\"

    def feed(self, text: str, line: int) -> None:
        if self.done:
            return
        if not text.startswith("#"):
            self.done = True
            return
        match = _DIRECTIVE.match(text[1:].lstrip(GO_SPACE))
        if match is None or match.group(1).lower() not in VALID_DIRECTIVES:
            self.done = True
            return
        name, value = match.group(1).lower(), match.group(2)
        if any(item.name == name for item in self.directives):
            raise InputError(f"only one {name} parser directive can be used", line, 1)
        if name == "escape":
            if value not in ("`", "\\"):
                raise InputError(f"invalid escape token '{value}' does not match ` or \\", line, 1)
            self.escape = value
        self.directives.append(Directive(name, value, line))


def split_physical_lines(text: str) -> list[str]:
    """Lines with their endings, split on LF only (as bufio does), never on other breaks."""
    if text.startswith(_BOM):
        text = text[1:]
    lines = text.split("\n")
    result = [item + "\n" for item in lines[:-1]]
    if lines[-1]:
        result.append(lines[-1])
    return result


def _long_lines(raw_lines: list[str], bom: bool) -> list[tuple[int, int]]:
    """(line number, bytes) of each line longer than BuildKit's scanner reads (65,535 bytes
    without the LF; the BOM counts on the first line)."""
    found = []
    for index, line in enumerate(raw_lines):
        if len(line) <= MAX_LINE_BYTES // 4:
            continue  # at most 4 bytes a character: cannot be too long
        size = len(line.removesuffix("\n").encode("utf-8")) + (3 if bom and index == 0 else 0)
        if size > MAX_LINE_BYTES:
            found.append((index + 1, size))
    return found


def _trim_newline(line: str) -> str:
    return line.rstrip("\r\n")


def _is_comment(line: str) -> bool:
    return line.lstrip(GO_SPACE).startswith("#")


class Reader:
    """One pass over the physical lines, producing instructions with their spans."""

    def __init__(self, text: str) -> None:
        self.raw_lines = split_physical_lines(text)
        self.long_lines = _long_lines(self.raw_lines, text.startswith(_BOM))
        self.lines = [_trim_newline(item) for item in self.raw_lines]
        self.block = DirectiveBlock()
        self.comments: list[Comment] = []
        self.instructions: list[Instruction] = []
        self.warnings: list[ParseWarning] = []
        # comments since the last instruction, as BuildKit keeps them: (line, text)
        self.pending_comments: list[tuple[int, str]] = []

    @property
    def escape(self) -> str:
        return self.block.escape

    def _continues(self, text: str) -> tuple[str, bool]:
        pattern = _CONTINUATION[self.block.escape]
        if pattern.search(text):
            return pattern.sub(lambda m: m.group(1) or "", text), True
        return text, False

    def read(self) -> None:
        lines = self.lines
        count = len(lines)
        index = 0
        while index < count:
            raw = lines[index]
            number = index + 1
            stripped = raw.lstrip(GO_SPACE)
            is_comment = stripped.startswith("#")
            if is_comment:
                self.comments.append(
                    Comment(
                        number, len(raw) - len(stripped) + 1, stripped[1:].strip(GO_SPACE), False
                    )
                )
                directives = len(self.block.directives)
            self.block.feed(stripped, number)
            if is_comment and len(self.block.directives) == directives:
                # BuildKit's node.PrevComment: the text after the line's first character
                # (for an indented comment that keeps the '#'); an empty one starts afresh
                text = raw[1:].strip(GO_SPACE)
                if text:
                    self.pending_comments.append((number, text))
                else:
                    self.pending_comments = []
            index += 1
            text, continued = self._continues("" if is_comment else stripped)
            if not continued and text == "":
                continue
            start_line = number
            physical = [number]
            empty_continuation = False
            while continued and index < count:
                raw = lines[index]
                number = index + 1
                self.block.feed(raw, number)
                index += 1
                if _is_comment(raw):
                    stripped = raw.lstrip(GO_SPACE)
                    self.comments.append(
                        Comment(
                            number, len(raw) - len(stripped) + 1, stripped[1:].strip(GO_SPACE), True
                        )
                    )
                    continue
                if raw.strip(GO_SPACE) == "":
                    empty_continuation = True
                    continue
                part, continued = self._continues(raw)
                text += part
                physical.append(number)
            if empty_continuation:
                self.warnings.append(
                    ParseWarning(start_line, "Empty continuation line found in: " + text)
                )
            try:
                parsed = parse_line(text, self.block.escape)
            except InputError as exc:
                exc.line, exc.column = start_line, self._first_column(start_line)
                raise
            heredocs: list[Heredoc] = []
            if _can_contain_heredoc(parsed) and "<<" in text:
                names = heredocs_from_line(text, start_line)
                for name, expand, chomp, fd in names:
                    body: list[str] = []
                    body_start = index + 1
                    terminated = False
                    while index < count:
                        candidate = lines[index]
                        if chomp:
                            candidate = candidate.lstrip("\t")
                        index += 1
                        if candidate == name:
                            terminated = True
                            break
                        body.append(self.raw_lines[index - 1])
                    if not terminated:
                        raise InputError(
                            f"unterminated heredoc <<{name} (no line reads {name!r} before the "
                            "end of the file)",
                            start_line,
                            self._first_column(start_line),
                        )
                    heredocs.append(
                        Heredoc(name, "".join(body), expand, chomp, fd, body_start, index)
                    )
            end_line = index if heredocs else physical[-1]
            if not heredocs and continued:
                # a continuation that ran into the end of the file (or only skipped lines)
                end_line = max(physical[-1], index)
            instruction = self._instruction(parsed, text, start_line, end_line, physical, heredocs)
            instruction.prev_comments = self.pending_comments
            self.pending_comments = []
            self.instructions.append(instruction)

    def _first_column(self, line: int) -> int:
        raw = self.lines[line - 1]
        return len(raw) - len(raw.lstrip(GO_SPACE)) + 1

    def _instruction(
        self,
        parsed: ParsedLine,
        text: str,
        start_line: int,
        end_line: int,
        physical: list[int],
        heredocs: list[Heredoc],
    ) -> Instruction:
        last = self.lines[end_line - 1]
        sub = None
        if parsed.sub is not None:
            sub = self._instruction(
                parsed.sub, parsed.arg_text, start_line, end_line, physical, heredocs
            )
        return Instruction(
            keyword=parsed.keyword,
            raw_keyword=parsed.raw_keyword,
            flags=parsed.flags,
            args=parsed.args,
            json=parsed.json,
            original=text,
            arg_text=parsed.arg_text,
            start_line=start_line,
            end_line=end_line,
            column=self._first_column(start_line),
            end_column=len(last.rstrip(GO_SPACE)) + 1,
            heredocs=heredocs if sub is None else [],
            sub=sub,
            lines=physical,
            pair_separator=parsed.pair_separator,
        )


def _can_contain_heredoc(parsed: ParsedLine) -> bool:
    target = parsed.sub if parsed.keyword == "ONBUILD" and parsed.sub else parsed
    return target.keyword in HEREDOC_KEYWORDS and not target.json


def _shell_words(line: str, raw_quotes: bool, raw_escapes: bool) -> list[str] | None:
    """Split like BuildKit's shell lexer with unset variables kept as written.

    Returns None for an unterminated quote. ``<<`` absorbs the blanks after it, so that
    ``<<  EOF`` is one word (BuildKit >= 0.22).
    """
    words: list[str] = []
    word: list[str] = []
    have_word = False
    pos = 0
    length = len(line)
    while pos < length:
        ch = line[pos]
        if ch in " \t\r\n\v\f":
            if have_word:
                words.append("".join(word))
            word, have_word = [], False
            pos += 1
            continue
        have_word = True
        if ch == "'":
            end = line.find("'", pos + 1)
            if end < 0:
                return None
            inner = line[pos + 1 : end]
            word.append(f"'{inner}'" if raw_quotes else inner)
            pos = end + 1
            continue
        if ch == '"':
            pos += 1
            if raw_quotes:
                word.append('"')
            while True:
                if pos >= length:
                    return None
                ch = line[pos]
                if ch == '"':
                    pos += 1
                    break
                if ch == "\\":
                    if raw_escapes:
                        word.append(ch)
                    nxt = line[pos + 1] if pos + 1 < length else ""
                    if nxt == "":
                        pos += 1
                        continue
                    if nxt in '"$\\':
                        pos += 1
                        ch = nxt
                word.append(ch)
                pos += 1
            if raw_quotes:
                word.append('"')
            continue
        if ch == "\\":
            if raw_escapes:
                word.append(ch)
            if pos + 1 < length:
                word.append(line[pos + 1])
            pos += 2
            continue
        if ch == "$" and line.startswith("${", pos):
            end = line.find("}", pos)
            end = length - 1 if end < 0 else end
            word.append(line[pos : end + 1])
            pos = end + 1
            continue
        if ch == "<" and line.startswith("<<", pos):
            # BuildKit's lexer keeps the blanks right after `<<` in the word (`<<  EOF` is one
            # word, a heredoc named EOF). `-` is not special there: `<< -EOF` names -EOF, and
            # `<<- EOF` is two words, so no heredoc at all.
            start = pos
            pos += 2
            while pos < length and line[pos] in " \t\r":
                pos += 1
            word.append(line[start:pos])
            continue
        word.append(ch)
        pos += 1
    if have_word:
        words.append("".join(word))
    return words


def heredocs_from_line(line: str, line_number: int) -> list[tuple[str, bool, bool, int]]:
    """(name, expand, chomp, file descriptor) for each heredoc the line opens, in order."""
    words = _shell_words(line, raw_quotes=True, raw_escapes=True)
    found: list[tuple[str, bool, bool, int]] = []
    for word in words or []:
        match = _HEREDOC_WORD.match(word)
        if match is None or match.group(3) == "":
            continue
        rest = match.group(3)
        plain = _shell_words(rest, raw_quotes=False, raw_escapes=False)
        if plain is None:
            raise InputError(f"invalid heredoc name {rest!r}", line_number, 1)
        if len(plain) != 1:
            continue
        quoted = _shell_words(rest, raw_quotes=True, raw_escapes=False) or []
        name = plain[0]
        expand = _quote_count(name) == _quote_count(quoted[0] if quoted else name)
        found.append((name, expand, match.group(2) == "-", int(match.group(1) or 0)))
    return found


def _quote_count(word: str) -> int:
    return word.count("'") + word.count('"')


def read_text(text: str) -> Reader:
    reader = Reader(text)
    reader.read()
    if not reader.instructions:
        raise InputError("file with no instructions", max(len(reader.lines), 1), 1)
    return reader
