"""How BuildKit splits one logical line into keyword, flags and arguments.

Each instruction has its own argument rule (JSON or shell form, whitespace lists,
``KEY=value`` pairs, ONBUILD's nested instruction). These follow BuildKit's parser so that
dflint sees exactly the arguments the builder will see.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import cache

from dflint import lazyre
from dflint.errors import InputError
from dflint.read.model import KNOWN_KEYWORDS

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    import json

# Go's unicode.IsSpace for the characters that matter, and regexp's [\t\v\f\r ].
GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_TOKEN_WHITESPACE = lazyre.compile(r"[\t\v\f\r ]+")
_JSON_WHITESPACE = " \t\n\r"


def go_quote(text: str) -> str:
    """Go's %q for the printable text of error messages."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def go_trim_space(text: str) -> str:
    return text.strip(GO_SPACE)


class NotStringArrayError(InputError):
    pass


@dataclass(slots=True)
class ParsedLine:
    """One logical line as BuildKit's parser splits it: keyword, flags and arguments."""

    keyword: str  # upper case; matched as BuildKit does, by Go's ToLower
    raw_keyword: str
    flags: list[str]
    arg_text: str
    args: list[str]
    json: bool
    pair_separator: str | None = None
    sub: ParsedLine | None = None


def split_command(line: str) -> tuple[str, list[str], str]:
    """Keyword as written, builder flags (``--x=y`` before the arguments), the rest."""
    parts = _TOKEN_WHITESPACE.split(go_trim_space(line), maxsplit=1)
    keyword = parts[0]
    if len(parts) < 2:
        return keyword, [], ""
    rest, flags = _extract_builder_flags(parts[1])
    return keyword, flags, go_trim_space(rest)


def _extract_builder_flags(line: str) -> tuple[str, list[str]]:
    words: list[str] = []
    pos = 0
    length = len(line)
    while True:
        while pos < length and line[pos] in GO_SPACE:
            pos += 1
        if pos >= length:
            return "", words
        if not line.startswith("--", pos):
            return line[pos:], words
        word: list[str] = []
        quote = ""
        blank_ok = False
        while pos < length:
            ch = line[pos]
            if quote:
                if ch == quote:
                    quote = ""
                elif ch == "\\" and pos + 1 < length:
                    pos += 1
                    word.append(line[pos])
                elif ch != "\\":
                    word.append(ch)
                else:  # a backslash at the very end closes the quote
                    quote = ""
                pos += 1
                continue
            if ch in GO_SPACE:
                break
            if ch in "'\"":
                quote = ch
                blank_ok = True
            elif ch == "\\":
                if pos + 1 < length:
                    pos += 1
                    word.append(line[pos])
            else:
                word.append(ch)
            pos += 1
        text = "".join(word)
        if pos >= length:
            if text != "--" and (blank_ok or text):
                words.append(text)
            return "", words
        if text == "--":
            return line[pos:], words
        if blank_ok or text:
            words.append(text)


_GO_SPACE_RUN = lazyre.compile(f"[{re.escape(GO_SPACE)}]+")


def parse_words(rest: str, escape: str) -> list[str]:
    """Split on whitespace, keeping quotes and escapes in the words (BuildKit's parseWords)."""
    if escape not in rest and "'" not in rest and '"' not in rest:
        # nothing to keep together: the words are the runs between blanks
        return [word for word in _GO_SPACE_RUN.split(rest) if word]
    words: list[str] = []
    word: list[str] = []
    in_word = False
    quote = ""
    blank_ok = False
    pos = 0
    length = len(rest)
    while pos < length:
        ch = rest[pos]
        if not in_word:
            if ch in GO_SPACE:
                pos += 1
                continue
            in_word = True
        if quote:
            if ch == quote:
                quote = ""
            if ch == escape and quote != "'":
                if pos + 1 == length:
                    quote = ""
                    pos += 1
                    continue
                word.append(ch)
                pos += 1
                ch = rest[pos]
            word.append(ch)
            pos += 1
            continue
        if ch in GO_SPACE:
            if blank_ok or word:
                words.append("".join(word))
            word = []
            blank_ok = False
            in_word = False
            pos += 1
            continue
        if ch in "'\"":
            quote = ch
            blank_ok = True
        if ch == escape:
            if pos + 1 == length:
                pos += 1
                continue
            word.append(ch)
            pos += 1
            ch = rest[pos]
        word.append(ch)
        pos += 1
    if in_word and (blank_ok or word):
        words.append("".join(word))
    return words


def _parse_json(rest: str) -> list[str] | None:
    """The array of a JSON-form argument, or None when the text is not a JSON array.

    Raises NotStringArrayError for a well-formed array holding something other than strings.
    """
    rest = rest.lstrip(GO_SPACE)
    if not rest.startswith("["):
        return None
    try:
        value, end = _json_decoder().raw_decode(rest)
    except (ValueError, RecursionError):
        return None
    if rest[end:].strip(_JSON_WHITESPACE):
        return None  # trailing text: BuildKit reads the line as shell form
    if not isinstance(value, list):
        return None
    if not all(isinstance(item, str) for item in value):
        raise NotStringArrayError(
            "when using JSON array syntax, arrays must be comprised of strings only"
        )
    return value


@cache
def _json_decoder() -> json.JSONDecoder:
    """One decoder for the process (making one builds its scanner); exec forms only: a file
    of shell forms never imports json."""
    import json

    return json.JSONDecoder(parse_constant=_reject_constant)


def _reject_constant(name: str) -> object:
    raise ValueError(name)  # Go's JSON has no NaN or Infinity


def _whitespace_list(rest: str) -> list[str]:
    if rest == "":
        return []
    return _TOKEN_WHITESPACE.split(rest)


def _maybe_json(rest: str) -> tuple[list[str], bool]:
    if rest == "":
        return [], False
    array = _parse_json(rest)
    if array is not None:
        return array, True
    return [rest], False


def _maybe_json_to_list(rest: str) -> tuple[list[str], bool]:
    array = _parse_json(rest)
    if array is not None:
        return array, True
    return _whitespace_list(rest), False


def _name_val(rest: str, keyword: str, escape: str) -> tuple[list[str], str | None]:
    words = parse_words(rest, escape)
    if not words:
        return [], None
    if "=" not in words[0]:
        parts = _TOKEN_WHITESPACE.split(rest, maxsplit=1)
        if len(parts) < 2:
            raise InputError(f"{keyword} must have two arguments")
        return [parts[0], parts[1]], ""
    args: list[str] = []
    for word in words:
        if "=" not in word:
            raise InputError(
                f"Syntax error - can't find = in {go_quote(word)}. Must be of the form: name=value"
            )
        key, _, value = word.partition("=")
        args += [key, value]
    return args, "="


def _health(rest: str) -> tuple[list[str], bool]:
    sep = 0
    while sep < len(rest) and rest[sep] not in GO_SPACE:
        sep += 1
    if sep == 0:
        return [], False
    nxt = sep
    while nxt < len(rest) and rest[nxt] in GO_SPACE:
        nxt += 1
    command, is_json = _maybe_json(rest[nxt:])
    return [rest[:sep], *command], is_json


def parse_line(line: str, escape: str) -> ParsedLine:
    """Parse one logical line. Raises InputError (without a position) on invalid syntax."""
    raw_keyword, flags, rest = split_command(line)
    # one string per spelling, not one per instruction: a file of a million lines holds
    # a million instructions
    raw_keyword = sys.intern(raw_keyword)
    keyword = sys.intern(canonical_keyword(raw_keyword))
    separator: str | None = None
    sub: ParsedLine | None = None
    is_json = False
    if keyword in ("ADD", "COPY", "VOLUME"):
        args, is_json = _maybe_json_to_list(rest)
    elif keyword in ("CMD", "ENTRYPOINT", "RUN", "SHELL"):
        args, is_json = _maybe_json(rest)
    elif keyword in ("ENV", "LABEL"):
        args, separator = _name_val(rest, keyword, escape)
    elif keyword == "ARG":
        args = parse_words(rest, escape)
    elif keyword in ("EXPOSE", "FROM"):
        args = _whitespace_list(rest)
    elif keyword in ("MAINTAINER", "STOPSIGNAL", "USER", "WORKDIR"):
        args = [rest] if rest else []
    elif keyword == "HEALTHCHECK":
        args, is_json = _health(rest)
    elif keyword == "ONBUILD":
        args = []
        if rest:
            sub = parse_line(rest, escape)
            args = sub.args
    else:
        args = []  # BuildKit ignores an unknown instruction's arguments
    return ParsedLine(keyword, raw_keyword, flags, rest, args, is_json, separator, sub)


_INSTRUCTIONS = {name.lower(): name for name in KNOWN_KEYWORDS}


def canonical_keyword(raw: str) -> str:
    """BuildKit lower-cases the keyword to look it up; unknown words keep their own letters
    (upper-cased ASCII only, so that e.g. a long s never turns into an S)."""
    lowered = raw.lower()
    known = _INSTRUCTIONS.get(lowered)
    if known is not None:
        return known
    return "".join(ch.upper() if ch.isascii() else ch for ch in lowered)
