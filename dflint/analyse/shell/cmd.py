"""cmd.exe command lines, read by a small tokenizer.

cmd has no grammar worth a parser generator: a line is split on ``&&``, ``||``, ``&`` and
``|`` outside double quotes, ``^`` escapes the next character, ``( … )`` groups commands, and
``if``/``for`` prefix a command with a test or a loop. Variables are ``%NAME%`` (expanded when
the line is read) and ``!NAME!`` (delayed expansion).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from dflint import lazyre
from dflint.analyse.shell.model import (
    Assignment,
    Command,
    Condition,
    ConditionKind,
    Script,
    VariableRef,
    Word,
)
from dflint.analyse.shell.source import SourceMap

_SPACE = " \t\r\n"
_OPERATORS = ("&&", "||", "&", "|")
# %NAME% and %NAME:~0,5% / %NAME:a=b%; not %%i or %1 (batch and for-loop parameters)
_PERCENT = lazyre.compile(r"(?<!%)%([A-Za-z_][A-Za-z0-9_#$'()*+,\-.?@\[\]`{}~]*)(:[^%\n]*)?%")
_DELAYED = lazyre.compile(r"!([A-Za-z_][A-Za-z0-9_]*)!")
# sh and PowerShell syntax that cmd leaves alone (rules report it)
_DOLLAR = lazyre.compile(
    r"\$\{(env:)?([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|\$(env:)?([A-Za-z_][A-Za-z0-9_]*)", re.I
)
_REDIRECT = lazyre.compile(r"[0-9]?(?:>>|>|<)(?:&[0-9])?")
_COMPARISONS = frozenset({"equ", "neq", "lss", "leq", "gtr", "geq"})


@dataclass(slots=True)
class CmdToken:
    """A token of a cmd.exe line (a word, an operator, a parenthesis or a redirect)."""

    kind: str  # word, op, open, close, redirect
    text: str  # as written (a redirect holds its target: `> out.txt`, `2>&1`)
    start: int
    end: int


def parse_cmd(
    text: str,
    source: SourceMap,
    origin: str,
    skip: list[tuple[int, int]] | None = None,
) -> Script:
    """Read a cmd line. ``skip`` holds ranges owned by nested scripts (``powershell -Command``)
    whose ``$`` syntax is theirs, not cmd's."""
    script = Script("cmd", origin, text, source)
    try:
        tokens = tokenize(text)
        _Parser(script, tokens).sequence(0, (), closing=False)
    except Exception as exc:  # a tokenizer bug must not stop the lint, nor go unseen
        script.parser_failed(exc)
    add_variables(script, skip or [])
    return script


def add_variables(script: Script, skip: list[tuple[int, int]]) -> None:
    """Record %VAR% and !VAR! everywhere, and $VAR / $env:VAR outside ``skip`` ranges."""
    text = script.text
    for match in _PERCENT.finditer(text):
        _reference(script, match.group(1), "cmd", match.start(), match.end())
    for match in _DELAYED.finditer(text):
        _reference(script, match.group(1), "cmd-delayed", match.start(), match.end())
    for match in _DOLLAR.finditer(text):
        if any(start <= match.start() < end for start, end in skip):
            continue
        env = match.group(1) or match.group(3)
        name = match.group(2) or match.group(4)
        _reference(script, name, "ps-env" if env else "sh", match.start(), match.end())
    script.variables.sort(key=lambda ref: ref.start)


def _reference(script: Script, name: str, syntax: str, start: int, end: int) -> None:
    script.variables.append(
        VariableRef(name, syntax, script.text[start:end], start, end, script.map)  # type: ignore[arg-type]
    )


def unquote(text: str) -> str:
    """cmd's view of a word: carets removed outside quotes, quotes removed."""
    if '"' not in text and "^" not in text:
        return text
    out: list[str] = []
    quoted = False
    index = 0
    while index < len(text):
        char = text[index]
        if char == '"':
            quoted = not quoted
        elif char == "^" and not quoted and index + 1 < len(text):
            index += 1
            out.append(text[index])
        else:
            out.append(char)
        index += 1
    return "".join(out)


def split_redirect(text: str) -> tuple[str, str]:
    """A redirect token's operator and target: ``("2>", "err.txt")`` of ``2> err.txt``,
    ``("2>&1", "")`` of ``2>&1``."""
    match = _REDIRECT.match(text)
    operator = match.group(0) if match else text
    return operator, text[len(operator) :].lstrip(" \t")


def tokenize(text: str) -> list[CmdToken]:
    """The tokens of a cmd line; the one reading of cmd's lexical rules, shared by the
    lint (this module's lenient parser) and ``dflint fix`` (``generate.shellsyntax``)."""
    tokens: list[CmdToken] = []
    size = len(text)
    index = 0
    depth = 0
    command_start = True  # a `(` here opens a group
    first = ""  # the first word of the command being read
    while index < size:
        char = text[index]
        if char in _SPACE:
            index += 1
            continue
        operator = next((op for op in _OPERATORS if text.startswith(op, index)), None)
        if operator is not None:
            tokens.append(CmdToken("op", operator, index, index + len(operator)))
            index += len(operator)
            command_start, first = True, ""
            continue
        if char == "(" and command_start:
            tokens.append(CmdToken("open", char, index, index + 1))
            depth += 1
            index += 1
            first = ""
            continue
        if char == ")" and depth > 0:
            tokens.append(CmdToken("close", char, index, index + 1))
            depth -= 1
            index += 1
            command_start, first = False, ""
            continue
        redirect = _REDIRECT.match(text, index)
        if redirect is not None:
            start = index
            index = redirect.end()
            while index < size and text[index] in " \t":
                index += 1
            if not redirect.group(0).endswith(tuple("0123456789")):
                index = _word_end(text, index, depth)
            tokens.append(CmdToken("redirect", text[start:index], start, index))
            continue
        end = _word_end(text, index, depth)
        word = text[index:end]
        tokens.append(CmdToken("word", word, index, end))
        index = end
        # A group may open after an `if` test, `else` or a `for … do`; elsewhere `(` is an
        # ordinary character (`powershell -Command if ((Get-Item x).y) {…}` passes it on).
        lowered = unquote(word).lower()
        if not first:
            first = lowered.lstrip("@")
        command_start = (
            (first == "if" and not lowered.startswith("/"))
            or (lowered == "else" and first in ("if", "else"))
            or (lowered == "do" and first == "for")
        )
    return tokens


def _word_end(text: str, index: int, depth: int) -> int:
    size = len(text)
    quoted = False
    while index < size:
        char = text[index]
        if char == '"':
            quoted = not quoted
        elif not quoted:
            if char == "^" and index + 1 < size:
                index += 2
                continue
            if char in _SPACE or char in "&|<>":
                break
            if char == ")" and depth > 0:
                break
        index += 1
    return index


@dataclass(slots=True)
class _Group:
    """A ``( … )`` being read: the conditions it runs under, the guard of the statement
    being read (``a && b`` runs b only after a), and what to do once its ``)`` is read."""

    conditions: tuple[Condition, ...]
    guard: tuple[Condition, ...]
    previous: int  # where the statement before the next operator began
    closing: bool  # a ``)`` ends it (False: the whole line, where a stray ``)`` is skipped)
    after: Callable[[int], int] | None = None


class _Parser:
    """Reads statements left to right. Groups nest on an explicit stack, not by recursion,
    so a command inside a thousand parentheses is read like any other."""

    __slots__ = ("groups", "script", "tokens")

    def __init__(self, script: Script, tokens: list[CmdToken]) -> None:
        self.script = script
        self.tokens = tokens
        self.groups: list[_Group] = []

    def sequence(self, index: int, conditions: tuple[Condition, ...], closing: bool) -> int:
        """Commands joined by operators, until the end or (inside a group) a ``)``."""
        base = len(self.groups)
        self.groups.append(_Group(conditions, conditions, index, closing))
        while len(self.groups) > base and index < len(self.tokens):
            group = self.groups[-1]
            token = self.tokens[index]
            if token.kind == "close":
                index += 1
                if group.closing:
                    self.groups.pop()
                    if group.after is not None:
                        index = group.after(index)
                continue
            if token.kind == "op":
                if token.text in ("&&", "||"):
                    # the test is the statement just before the operator
                    kind: ConditionKind = "and" if token.text == "&&" else "or"
                    test = self.condition(kind, self.tokens[group.previous : index])
                    group.guard = (*group.conditions, test)
                elif token.text == "&":
                    group.guard = group.conditions
                index += 1
                continue
            group.previous = index
            index = self.statement(index, group.guard)
        del self.groups[base:]
        return index

    def open_group(
        self,
        index: int,
        conditions: tuple[Condition, ...],
        after: Callable[[int], int] | None = None,
    ) -> int:
        """Start reading the group whose ``(`` is at ``index - 1``."""
        self.groups.append(_Group(conditions, conditions, index, True, after))
        return index

    def condition(
        self, kind: ConditionKind, tokens: list[CmdToken], pattern: str | None = None
    ) -> Condition:
        if not tokens:
            return Condition(kind, "", pattern, 0, 0, self.script.map)
        start, end = tokens[0].start, tokens[-1].end
        text = self.script.text[start:end]
        return Condition(kind, text, pattern, start, end, self.script.map)

    def statement(self, index: int, conditions: tuple[Condition, ...]) -> int:
        token = self.tokens[index]
        if token.kind == "open":
            return self.open_group(index + 1, conditions)
        words: list[CmdToken] = []
        redirects: list[CmdToken] = []
        while index < len(self.tokens) and self.tokens[index].kind in ("word", "redirect"):
            item = self.tokens[index]
            (words if item.kind == "word" else redirects).append(item)
            index += 1
        if not words:
            return index
        head = unquote(words[0].text).lstrip("@").lower()
        if head == "if":
            return self.if_statement(words, index, conditions)
        if head == "for":
            return self.for_statement(words, index, conditions)
        self.command(words, conditions)
        return index

    def if_statement(
        self, words: list[CmdToken], index: int, conditions: tuple[Condition, ...]
    ) -> int:
        position = 1
        lowered = [unquote(word.text).lower() for word in words]
        if position < len(words) and lowered[position] == "/i":
            position += 1
        if position < len(words) and lowered[position] == "not":
            position += 1
        size = 0
        if position < len(words):
            if lowered[position] in ("exist", "defined", "errorlevel", "cmdextversion"):
                size = 2
            elif position + 2 < len(words) and (
                lowered[position + 1] in _COMPARISONS or lowered[position + 1] == "=="
            ):
                size = 3
            else:
                size = 1  # "%A%"=="B" written as one word
        test_end = min(position + size, len(words))
        test = self.condition("if", words[1:test_end])
        body = words[test_end:]
        inner = (*conditions, test)
        other = (
            *conditions,
            Condition("else", test.test, None, test.start, test.end, self.script.map),
        )
        else_at = next(
            (i for i, word in enumerate(body) if unquote(word.text).lower() == "else"), None
        )
        if else_at is not None:
            if else_at:
                self.command(body[:else_at], inner)
            rest = body[else_at + 1 :]
            if rest:
                self.command(rest, other)
            elif index < len(self.tokens) and self.tokens[index].kind == "open":
                return self.open_group(index + 1, other)
            return index
        if body:
            self.command(body, inner)
            return index
        if index < len(self.tokens) and self.tokens[index].kind == "open":

            def after_body(index: int) -> int:
                # `) else (` continues the statement
                if (
                    index < len(self.tokens)
                    and self.tokens[index].kind == "word"
                    and unquote(self.tokens[index].text).lower() == "else"
                ):
                    index += 1
                    if index < len(self.tokens) and self.tokens[index].kind == "open":
                        return self.open_group(index + 1, other)
                    return self.statement(index, other) if index < len(self.tokens) else index
                return index

            return self.open_group(index + 1, inner, after_body)
        return index

    def for_statement(
        self, words: list[CmdToken], index: int, conditions: tuple[Condition, ...]
    ) -> int:
        do_at = next(
            (i for i, word in enumerate(words) if unquote(word.text).lower() == "do"), None
        )
        header = words[1:do_at] if do_at is not None else words[1:]
        loop = (*conditions, self.condition("loop", header))
        if do_at is not None and do_at + 1 < len(words):
            self.command(words[do_at + 1 :], loop)
        elif index < len(self.tokens) and self.tokens[index].kind == "open":
            return self.open_group(index + 1, loop)
        return index

    def command(self, words: list[CmdToken], conditions: tuple[Condition, ...]) -> None:
        if not words:
            return
        name_token = words[0]
        name = unquote(name_token.text)
        name_start = name_token.start
        if name.startswith("@"):
            name = name[1:]
            name_start += 1
        script = self.script
        start, end = name_token.start, words[-1].end
        if name.lower() == "set" and len(words) > 1:
            self.set_assignment(words[1:], conditions)
        script.commands.append(
            Command(
                name=name,
                words=tuple(
                    Word(word.text, unquote(word.text), word.start, word.end, script.map)
                    for word in words[1:]
                ),
                start=start,
                end=end,
                name_start=name_start,
                name_end=name_token.end,
                conditions=conditions,
                env=(),
                source=script.map,
            )
        )

    def set_assignment(self, words: list[CmdToken], conditions: tuple[Condition, ...]) -> None:
        """``set NAME=value`` (``set "NAME=value"``); not ``set /a`` or ``set /p``."""
        first = words[0]
        if first.text.startswith("/"):
            return
        start, end = first.start, words[-1].end
        text = unquote(self.script.text[start:end])
        name, equals, value = text.partition("=")
        if not equals or not name.strip():
            return
        self.script.assignments.append(
            Assignment(
                name.strip(),
                value,
                start,
                end,
                conditions,
                True,
                self.script.map,
            )
        )
