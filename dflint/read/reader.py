"""dflint's logical-line reader: bytes to directives, comments and instructions, as BuildKit
reads them.

The rules it follows (BuildKit's ``parser.Parse``):

* the parser-directive block (``syntax``, ``check``, ``escape``) is the run of ``# key=value``
  comment lines at the top of the file; any other line (comment, blank or instruction) ends it;
* a line continues when the escape token is its last non-blank character and is not itself
  preceded by the escape token;
* comment lines and blank lines inside a continuation are skipped, not ends;
* heredocs are read for RUN, COPY and ADD (and ONBUILD of those) in shell form only;
* CRLF endings, a leading BOM and tabs are accepted;
* after a first line starting with ``#!`` (a shebang, which ends that block), the frontend
  still reads ``syntax`` and ``check`` from the directive block that follows it (BuildKit's
  ``DetectSyntax`` and ``ParseDirective`` drop the shebang first); ``escape`` it does not.
"""

from __future__ import annotations

import re

from dflint import lazyre
from dflint.errors import InputError
from dflint.read.lineparse import GO_SPACE, ParsedLine, parse_line
from dflint.read.model import (
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
_DIRECTIVE = lazyre.compile(
    r"([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*\Z", re.S
)
_HEREDOC_WORD = lazyre.compile(r"(\d*)<<(-?)[\t\n\f\r ]*([^<]*)\Z", re.S)
_BOM = "\ufeff"


_UTF16_BOMS = {b"\xff\xfe": "FF FE", b"\xfe\xff": "FE FF"}


def decode(data: bytes) -> str:
    """The text of a Dockerfile, read as BuildKit reads it.

    BuildKit never decodes: its parser splits bytes. So bytes that are not UTF-8 (a Latin-1
    ``é`` in a comment) do not stop it, and here they become surrogate escapes (PEP 383),
    one character per byte, which keeps every column and line where it was and encodes back
    to the same bytes (``surrogateescape``). A NUL byte means a binary file; UTF-16 text,
    which BuildKit cannot read, gets its own message.
    """
    bom = _UTF16_BOMS.get(data[:2])
    if bom is not None and not data.startswith(b"\xff\xfe\x00\x00"):
        raise InputError(
            f"UTF-16 text (byte order mark {bom}): BuildKit reads Dockerfiles as UTF-8; "
            "save the file as UTF-8",
            1,
            1,
        )
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise InputError("UTF-32 text: BuildKit reads Dockerfiles as UTF-8; save it as UTF-8")
    nul = data.find(b"\x00")
    if nul >= 0:
        if _looks_like_utf16(data):
            raise InputError(
                "UTF-16 text without a byte order mark: BuildKit reads Dockerfiles as UTF-8; "
                "save the file as UTF-8"
            )
        line, column = byte_position(data, nul)
        raise InputError("binary file (NUL byte)", line, column)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="surrogateescape")


def _looks_like_utf16(data: bytes) -> bool:
    """ASCII text saved as UTF-16: every other byte of the first characters is NUL."""
    head = data[:64]
    if len(head) < 4 or len(head) % 2:
        head = head[: len(head) - len(head) % 2]
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    little = not odd.strip(b"\x00") and b"\x00" not in even
    big = not even.strip(b"\x00") and b"\x00" not in odd
    return little or big


def byte_position(data: bytes, offset: int) -> tuple[int, int]:
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


def directives_after_shebang(lines: list[str]) -> list[Directive]:
    """The ``syntax`` and ``check`` directives BuildKit's frontend reads below a leading
    ``#!`` line. Its DirectiveParser there sees the raw lines (no indentation allowed) and
    stops quietly at a repeated name, keeping what it read before."""
    if not lines or not lines[0].startswith("#!"):
        return []
    found: list[Directive] = []
    seen: set[str] = set()
    for number, line in enumerate(lines[1:], start=2):
        match = _DIRECTIVE.match(line[1:].lstrip(GO_SPACE)) if line.startswith("#") else None
        if match is None or match.group(1).lower() not in VALID_DIRECTIVES:
            break
        name = match.group(1).lower()
        if name in seen:
            break
        seen.add(name)
        if name != "escape":
            found.append(Directive(name, match.group(2), number))
    return found


def split_physical_lines(text: str) -> list[str]:
    """Lines with their endings, split on LF only (as bufio does), never on other breaks."""
    if text.startswith(_BOM):
        text = text[1:]
    lines = text.split("\n")
    result = [item + "\n" for item in lines[:-1]]
    if lines[-1]:
        result.append(lines[-1])
    return result


def _long_lines(lines: list[str], endings: dict[int, str], bom: bool) -> list[tuple[int, int]]:
    """(line number, bytes) of each line longer than BuildKit's scanner reads (65,535 bytes
    without the LF; the BOM counts on the first line)."""
    found: list[tuple[int, int]] = []
    if not lines or max(map(len, lines)) <= MAX_LINE_BYTES // 4:
        return found  # at most 4 bytes a character: no line can be too long (nearly all files)
    for index, line in enumerate(lines):
        if len(line) <= MAX_LINE_BYTES // 4:
            continue
        whole = (line + endings.get(index, "\n")).removesuffix("\n")
        size = len(whole.encode("utf-8", "surrogateescape")) + (3 if bom and index == 0 else 0)
        if size > MAX_LINE_BYTES:
            found.append((index + 1, size))
    return found


def _without_continuation(text: str, escape: str) -> tuple[str, bool]:
    """The line without its continuation, and whether it continues: the escape token is the
    last non-blank character and is not itself escaped."""
    if escape not in text:
        return text, False
    body = text.rstrip(" \t")
    if not body.endswith(escape) or body[-2:-1] == escape:
        return text, False
    return body[:-1], True


def _physical_lines(text: str) -> tuple[list[str], dict[int, str]]:
    """The lines without their endings, as :func:`split_physical_lines` splits them, and the
    endings other than a plain ``\n`` by line index (a file's last line without one, CRs).

    Lines without a CR are the very strings ``split`` made: one copy of the file, not
    three, whatever its size."""
    if text.startswith(_BOM):
        text = text[1:]
    lines = text.split("\n")
    last = lines.pop()
    endings: dict[int, str] = {}
    if last:
        endings[len(lines)] = ""
        lines.append(last)
    if "\r" not in text:
        return lines, endings  # no CR to take off (nearly all files)
    for index, line in enumerate(lines):
        if line.endswith("\r"):
            trimmed = line.rstrip("\r")
            endings[index] = line[len(trimmed) :] + endings.get(index, "\n")
            lines[index] = trimmed
    return lines, endings


class Reader:
    """One pass over the physical lines, producing instructions with their spans."""

    def __init__(self, text: str) -> None:
        self.lines, self._endings = _physical_lines(text)
        self.long_lines = _long_lines(self.lines, self._endings, text.startswith(_BOM))
        self.block = DirectiveBlock()
        self.comments: list[Comment] = []
        self.instructions: list[Instruction] = []
        self.warnings: list[ParseWarning] = []
        # comments since the last instruction, as BuildKit keeps them: (line, text)
        self.pending_comments: list[tuple[int, str]] = []

    @property
    def escape(self) -> str:
        return self.block.escape

    def _raw_text(self, start: int, end: int) -> str:
        """Lines ``start`` to ``end`` (0-based, end excluded) with their endings, joined
        without a copy of each line first (a heredoc can be most of a large file)."""
        if start >= end:
            return ""
        endings = self._endings
        if len(endings) < end - start:
            plain = not any(start <= index < end for index in endings)
        else:
            plain = not any(index in endings for index in range(start, end))
        if plain:
            return "\n".join(self.lines[start:end]) + "\n"
        return "".join(self.raw_line(index) for index in range(start, end))

    def raw_line(self, index: int) -> str:
        """Line ``index`` (0-based) with its ending, as the file holds it."""
        return self.lines[index] + self._endings.get(index, "\n")

    def read(self) -> None:
        lines = self.lines
        count = len(lines)
        block = self.block
        comments = self.comments
        index = 0
        while index < count:
            raw = lines[index]
            number = index + 1
            stripped = raw.lstrip(GO_SPACE)
            index += 1
            if stripped.startswith("#"):
                comments.append(
                    Comment(
                        number, len(raw) - len(stripped) + 1, stripped[1:].strip(GO_SPACE), False
                    )
                )
                directives = len(block.directives)
                if not block.done:
                    block.feed(stripped, number)
                if len(block.directives) == directives:
                    # BuildKit's node.PrevComment: the text after the line's first character
                    # (for an indented comment that keeps the '#'); an empty one starts afresh
                    text = raw[1:].strip(GO_SPACE)
                    if text:
                        self.pending_comments.append((number, text))
                    else:
                        self.pending_comments = []
                continue
            if not block.done:
                block.feed(stripped, number)
            text, continued = _without_continuation(stripped, block.escape)
            if not continued and text == "":
                continue
            start_line = number
            physical = [number]
            parts = [text]
            empty_continuation = False
            while continued and index < count:
                raw = lines[index]
                number = index + 1
                if not block.done:
                    block.feed(raw, number)
                index += 1
                stripped = raw.lstrip(GO_SPACE)
                if stripped.startswith("#"):
                    comments.append(
                        Comment(
                            number, len(raw) - len(stripped) + 1, stripped[1:].strip(GO_SPACE), True
                        )
                    )
                    continue
                if not stripped:
                    empty_continuation = True
                    continue
                part, continued = _without_continuation(raw, block.escape)
                parts.append(part)
                physical.append(number)
            text = "".join(parts) if len(parts) > 1 else text
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
                    body_start = index + 1
                    first = index
                    terminated = False
                    while index < count:
                        candidate = lines[index]
                        if chomp:
                            candidate = candidate.lstrip("\t")
                        index += 1
                        if candidate == name:
                            terminated = True
                            break
                    if not terminated:
                        raise InputError(
                            f"unterminated heredoc <<{name} (no line reads {name!r} before the "
                            "end of the file)",
                            start_line,
                            self._first_column(start_line),
                        )
                    heredocs.append(
                        Heredoc(
                            name,
                            self._raw_text(first, index - 1),
                            expand,
                            chomp,
                            fd,
                            body_start,
                            index,
                        )
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
    reader.block.directives.extend(directives_after_shebang(reader.lines))
    if not reader.instructions:
        raise InputError("file with no instructions", max(len(reader.lines), 1), 1)
    return reader
