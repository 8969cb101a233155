"""Strict parsers for the command lines the translator can carry to another shell.

These are not the rule pack's shell parsers (``dflint.analyse.shell``), which must read *any* script
and find the commands in it. Translation needs the opposite: the whole structure of a line,
and a refusal for anything outside a small, fully understood subset: simple commands with
their arguments, ``$VAR``/``%VAR%``/``$env:VAR`` references, quotes, simple redirections and
the operators that join commands. Loops, conditionals, substitutions, functions, here-strings
and the like raise :class:`~dflint.generate.paths.Untranslatable`, so they are copied and
marked rather than half-translated. cmd lines are split by the rule pack's cmd tokenizer
(:func:`dflint.analyse.shell.cmd.tokenize`), so lint and fix agree on where a cmd command,
operator or redirection begins; only the refusals are this module's.

Line breaks of the Dockerfile's continuation lines are kept as ``"\\n"`` in the input text;
a word or step after one remembers the indentation, so the output can keep the layout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from dflint import lazyre
from dflint.analyse.shell.cmd import CmdToken, split_redirect, tokenize
from dflint.generate.paths import Untranslatable

Dialect = Literal["sh", "cmd", "powershell"]

_NAME = lazyre.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGNMENT = lazyre.compile(r"([A-Za-z_][A-Za-z0-9_]*)=")
_SH_KEYWORDS = frozenset(
    {
        "if",
        "then",
        "else",
        "elif",
        "fi",
        "for",
        "while",
        "until",
        "do",
        "done",
        "case",
        "esac",
        "function",
        "select",
        "{",
        "}",
        "!",
        "[[",
        "]]",
        "time",
        "coproc",
    }
)
_CMD_BLOCKS = frozenset({"if", "for", "goto", "call", "setlocal", "endlocal", "shift"})
_CMD_FILE_REDIRECTS = {
    ">": ">",
    "1>": ">",
    ">>": ">>",
    "1>>": ">>",
    "2>": "2>",
    "2>>": "2>>",
    "<": "<",
}
_CMD_VARIABLE = lazyre.compile(r"[A-Za-z_][A-Za-z0-9_()]*")
_PS_BLOCKS = frozenset(
    {"if", "else", "elseif", "foreach", "for", "while", "do", "switch", "try", "function", "param"}
)


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of a word: literal text or a variable's name, and whether it was quoted."""

    text: str  # literal text, or a variable's name
    var: bool = False
    quoted: bool = False  # inside quotes (or escaped) in the source: no globbing, no splitting


@dataclass(slots=True)
class Word:
    """A word of a translatable command line, in literal and variable parts."""

    parts: list[Part]
    raw: str
    # indentation of the new line when a line break came just before this word
    break_before: str | None = None

    @property
    def literal(self) -> str | None:
        """The text when the word holds no variable reference, else None."""
        if any(part.var for part in self.parts):
            return None
        return "".join(part.text for part in self.parts)

    @property
    def has_vars(self) -> bool:
        return any(part.var for part in self.parts)

    @property
    def globbing(self) -> bool:
        return any(
            not p.var and not p.quoted and any(c in p.text for c in "*?[") for p in self.parts
        )


@dataclass(slots=True)
class Redirect:
    """A simple redirection of a command (``> file``, ``2>&1``)."""

    op: str  # ">", ">>", "<", "2>", "2>>", "2>&1", "&>"
    target: Word | None  # None for 2>&1


@dataclass(slots=True)
class Command:
    """A simple command: its name, arguments, assignments and redirections."""

    name: Word | None  # None for a bare assignment (``A=1``, ``$env:A = 1``)
    args: list[Word] = field(default_factory=list)
    assignments: list[tuple[str, Word]] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)
    raw_rest: str = ""  # cmd.exe: the text after the name as written (echo prints it raw)
    out_null: bool = False  # PowerShell: ``| Out-Null`` at the end

    @property
    def program(self) -> str:
        """The command's name without folder or ``.exe``, lower case ("" for an assignment)."""
        if self.name is None:
            return ""
        text = self.name.literal
        if text is None:
            raise Untranslatable(f"the command name {self.name.raw} is a variable")
        base = text.replace("\\", "/").rsplit("/", 1)[-1].lower()
        return base.removesuffix(".exe")


@dataclass(slots=True)
class Step:
    """A command of a line and the operator that joins it to the next one."""

    command: Command
    op: str | None = None  # the operator to the next step: &&, ||, ; (sh), & (cmd), |
    break_after: str | None = None  # indentation when a line break follows the operator


def parse(text: str, dialect: Dialect) -> list[Step]:
    if dialect == "sh":
        return _ShParser(text).parse()
    if dialect == "cmd":
        return _CmdParser(text).parse()
    return _PsParser(text).parse()


# --- sh ----------------------------------------------------------------------------------


class _Tokens:
    """Shared scanning state: position, pending line break and the words of one step."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.pending_break: str | None = None

    def peek(self, offset: int = 0) -> str:
        index = self.i + offset
        return self.text[index] if index < len(self.text) else ""

    def skip_blanks(self) -> None:
        text = self.text
        while self.i < len(text) and text[self.i] in " \t\n":
            if text[self.i] == "\n":
                start = self.i + 1
                end = start
                while end < len(text) and text[end] in " \t":
                    end += 1
                self.pending_break = text[start:end]
                self.i = end
            else:
                self.i += 1

    def take_break(self) -> str | None:
        found, self.pending_break = self.pending_break, None
        return found


class _ShParser(_Tokens):
    _OPERATORS = ("&&", "||", ";", "|")

    def parse(self) -> list[Step]:
        steps: list[Step] = []
        command = Command(name=None)
        words: list[Word] = []
        while True:
            self.skip_blanks()
            if self.i >= len(self.text):
                break
            op = next((o for o in self._OPERATORS if self.text.startswith(o, self.i)), None)
            if op is not None:
                if op == "|" and self.peek(1) == "&":
                    raise Untranslatable("`|&` is a bash pipe")
                self.i += len(op)
                steps.append(self._finish(command, words, op))
                command, words = Command(name=None), []
                self.skip_blanks()
                steps[-1].break_after = self.take_break()
                continue
            redirect = self._redirect()
            if redirect is not None:
                command.redirects.append(redirect)
                continue
            if self.peek() in "()&<>":
                raise Untranslatable(f"`{self.peek()}` (subshell, background job or redirection)")
            if self.peek() == "#":
                raise Untranslatable("a shell comment inside the command")
            words.append(self._word())
        if words or command.redirects or command.assignments:
            steps.append(self._finish(command, words, None))
        elif steps and steps[-1].op not in (None, ";"):
            raise Untranslatable(f"the command ends with `{steps[-1].op}`")
        if steps and steps[-1].op == ";":
            steps[-1].op = None
        if not steps:
            raise Untranslatable("an empty command")
        return steps

    def _finish(self, command: Command, words: list[Word], op: str | None) -> Step:
        index = 0
        while index < len(words) and command.name is None:
            word = words[index]
            match = _ASSIGNMENT.match(word.raw)
            if match is None:
                break
            name = match.group(1)
            value = drop_prefix(word, len(name) + 1)
            command.assignments.append((name, value))
            index += 1
        rest = words[index:]
        if rest:
            command.name, command.args = rest[0], rest[1:]
            literal = rest[0].literal
            if literal in _SH_KEYWORDS and not rest[0].parts[0].quoted:
                raise Untranslatable(f"the shell keyword `{literal}`")
            if literal is not None and literal.startswith("~"):
                raise Untranslatable("tilde expansion")
        elif not command.assignments:
            raise Untranslatable(f"an empty command before `{op}`")
        return Step(command, op)

    def _redirect(self) -> Redirect | None:
        text = self.text
        if text.startswith("<<", self.i):
            raise Untranslatable("a here-document or here-string")
        for op in ("2>&1", "2>>", ">>", "2>", "1>", ">", "<"):
            if text.startswith(op, self.i):
                self.i += len(op)
                if op == "2>&1":
                    return Redirect(op, None)
                if self.peek() in ("&", "|"):
                    raise Untranslatable("a file-descriptor redirection")
                self.skip_blanks()
                self.take_break()
                return Redirect(">" if op == "1>" else op, self._word())
        return None

    def _word(self) -> Word:
        text = self.text
        start = self.i
        parts: list[Part] = []
        brk = self.take_break()
        while self.i < len(text):
            char = text[self.i]
            if char in " \t\n;&|<>()":
                break
            if char == "'":
                end = text.find("'", self.i + 1)
                if end < 0:
                    raise Untranslatable("an unterminated single quote")
                parts.append(Part(text[self.i + 1 : end], quoted=True))
                self.i = end + 1
            elif char == '"':
                self.i += 1
                parts += self._double_quoted()
            elif char == "\\":
                if self.i + 1 >= len(text) or text[self.i + 1] == "\n":
                    raise Untranslatable("a backslash at the end of a line")
                parts.append(Part(text[self.i + 1], quoted=True))
                self.i += 2
            elif char == "$":
                parts.append(self._variable())
            elif char == "`":
                raise Untranslatable("command substitution (backticks)")
            else:
                end = self.i
                while end < len(text) and text[end] not in " \t\n;&|<>()'\"\\$`":
                    end += 1
                parts.append(Part(text[self.i : end]))
                self.i = end
        return Word(_merge(parts), text[start : self.i], brk)

    def _double_quoted(self) -> list[Part]:
        text = self.text
        parts: list[Part] = []
        buffer: list[str] = []
        while True:
            if self.i >= len(text):
                raise Untranslatable("an unterminated double quote")
            char = text[self.i]
            if char == '"':
                self.i += 1
                break
            if char == "\\" and self.i + 1 < len(text) and text[self.i + 1] in '$`"\\':
                buffer.append(text[self.i + 1])
                self.i += 2
            elif char == "$":
                if buffer:
                    parts.append(Part("".join(buffer), quoted=True))
                    buffer = []
                parts.append(self._variable())
            elif char == "`":
                raise Untranslatable("command substitution (backticks)")
            elif char == "\n":
                raise Untranslatable("a quoted string across lines")
            else:
                buffer.append(char)
                self.i += 1
        if buffer or not parts:
            parts.append(Part("".join(buffer), quoted=True))
        return parts

    def _variable(self) -> Part:
        text = self.text
        self.i += 1
        if self.peek() == "{":
            end = text.find("}", self.i)
            if end < 0:
                raise Untranslatable("an unterminated ${...}")
            name = text[self.i + 1 : end]
            if not _NAME.fullmatch(name):
                raise Untranslatable(f"the parameter expansion ${{{name}}}")
            self.i = end + 1
            return Part(name, var=True)
        match = _NAME.match(text, self.i)
        if match is None:
            following = self.peek()
            if following == "(":
                raise Untranslatable("command substitution $(...)")
            if following in ("", " ", "\t", "\n", '"'):
                return Part("$", quoted=True)
            raise Untranslatable(f"the special parameter ${following}")
        self.i = match.end()
        return Part(match.group(0), var=True)


def _merge(parts: list[Part]) -> list[Part]:
    merged: list[Part] = []
    for part in parts:
        if merged and not part.var and not merged[-1].var and merged[-1].quoted == part.quoted:
            merged[-1] = Part(merged[-1].text + part.text, quoted=part.quoted)
        else:
            merged.append(part)
    return merged


def drop_prefix(word: Word, count: int) -> Word:
    """The word without its first ``count`` literal characters (``NAME=`` of an assignment)."""
    parts = list(word.parts)
    while count and parts:
        first = parts[0]
        if first.var:
            break
        if len(first.text) <= count:
            count -= len(first.text)
            parts.pop(0)
        else:
            parts[0] = Part(first.text[count:], quoted=first.quoted)
            count = 0
    return Word(parts or [Part("", quoted=True)], word.raw.split("=", 1)[1], word.break_before)


# --- cmd.exe -----------------------------------------------------------------------------


class _CmdParser:
    """cmd.exe, split by the lint's cmd tokenizer (:func:`dflint.analyse.shell.cmd.tokenize`,
    the one reading of where cmd's operators, groups, redirections and words are); this
    parser then refuses what it cannot carry over: groups, ``%`` that is not a variable,
    delayed expansion, redirections other than to and from files."""

    def __init__(self, text: str) -> None:
        self.text = text

    def parse(self) -> list[Step]:
        text = self.text
        steps: list[Step] = []
        words: list[CmdToken] = []
        for token in tokenize(text):
            if token.kind in ("open", "close"):
                raise Untranslatable("a parenthesised cmd block")
            if token.kind != "op":
                words.append(token)
                continue
            if not words:
                raise Untranslatable("an empty command")
            steps.append(Step(self._command(words, token.start), token.text, self._break(token)))
            words = []
        if words:
            steps.append(Step(self._command(words, len(text)), None, None))
        elif steps:
            raise Untranslatable(f"the command ends with `{steps[-1].op}`")
        if not steps:
            raise Untranslatable("an empty command")
        return steps

    def _break(self, operator: CmdToken) -> str | None:
        """The indentation of the next line when a line break follows ``operator``."""
        text = self.text
        end = operator.end
        while end < len(text) and text[end] in " \t":
            end += 1
        if end == len(text) or text[end] != "\n":
            return None
        stop = end + 1
        while stop < len(text) and text[stop] in " \t":
            stop += 1
        return text[end + 1 : stop]

    def _command(self, tokens: list[CmdToken], end: int) -> Command:
        written = self.text[tokens[0].start : end]
        if written.count("!") > 1:
            raise Untranslatable("delayed expansion (!VAR!)")
        words: list[Word] = []
        redirects: list[Redirect] = []
        name_end = end
        for token in tokens:
            if token.kind == "redirect":
                redirects.append(self._redirect(token))
            else:
                if not words:
                    name_end = token.end
                words.append(self._word(token.text))
        if not words:
            raise Untranslatable("a command with only redirections")
        name = words[0]
        if (name.literal or "").lower() in _CMD_BLOCKS:
            raise Untranslatable(f"the cmd statement `{name.raw}`")
        # what follows the name up to the operator, as written (echo prints it)
        rest = self.text[name_end:end].replace("\n", " ").rstrip(" \t")
        rest = rest[1:] if rest[:1] in (" ", "\t") else rest
        return Command(name=name, args=words[1:], redirects=redirects, raw_rest=rest)

    def _redirect(self, token: CmdToken) -> Redirect:
        op, target = split_redirect(token.text)
        if op == "2>&1":
            return Redirect(op, None)
        if op not in _CMD_FILE_REDIRECTS:
            raise Untranslatable(f"the redirection `{op}`")
        if not target:
            raise Untranslatable(f"the redirection `{op}` without a file")
        return Redirect(_CMD_FILE_REDIRECTS[op], self._word(target))

    def _word(self, text: str) -> Word:
        text = text.replace("\n", " ")  # a break inside quotes: the command is one line
        parts: list[Part] = []
        quoted = False
        buffer: list[str] = []

        def flush() -> None:
            if buffer:
                parts.append(Part("".join(buffer), quoted=quoted))
                buffer.clear()

        i = 0
        while i < len(text):
            char = text[i]
            if char == '"':
                flush()
                quoted = not quoted
                i += 1
            elif char == "^" and not quoted:
                if i + 1 < len(text):
                    flush()
                    parts.append(Part(text[i + 1], quoted=True))
                i += 2
            elif char in "()" and not quoted:
                raise Untranslatable("a parenthesised cmd block")
            elif char == "%":
                end = text.find("%", i + 1)
                name = text[i + 1 : end] if end > 0 else ""
                if not name or not _CMD_VARIABLE.fullmatch(name):
                    raise Untranslatable("a `%` that is not a %VARIABLE% reference")
                flush()
                parts.append(Part(name, var=True))
                i = end + 1
            else:
                buffer.append(char)
                i += 1
        if quoted:
            raise Untranslatable("an unterminated double quote")
        flush()
        return Word(_merge(parts) or [Part("", quoted=True)], text)


# --- PowerShell --------------------------------------------------------------------------


class _PsParser(_Tokens):
    """PowerShell statements separated by ``;``, each with a trailing ``| Out-Null`` at most."""

    _ENV_ASSIGNMENT = lazyre.compile(r"\$env:([A-Za-z_][A-Za-z0-9_]*)[ \t]*=(?!=)[ \t]*")

    def parse(self) -> list[Step]:
        steps: list[Step] = []
        words: list[Word] = []
        assigned: str | None = None
        out_null = False
        while True:
            self.skip_blanks()
            if self.i >= len(self.text):
                break
            char = self.peek()
            if char == ";":
                self.i += 1
                steps.append(Step(self._statement(words, assigned, out_null), ";"))
                words, assigned, out_null = [], None, False
                self.skip_blanks()
                steps[-1].break_after = self.take_break()
                continue
            if char == "|":
                self.i += 1
                self.skip_blanks()
                self.take_break()
                target = self._word()
                if (target.literal or "").lower() != "out-null":
                    raise Untranslatable("a PowerShell pipeline")
                out_null = True
                continue
            if char in "(){}[]@&<>#,":
                raise Untranslatable(f"PowerShell syntax `{char}`")
            if not words and assigned is None:
                match = self._ENV_ASSIGNMENT.match(self.text, self.i)
                if match is not None:
                    assigned = match.group(1)
                    self.i = match.end()
                    continue
            words.append(self._word())
        if words or assigned is not None:
            steps.append(Step(self._statement(words, assigned, out_null), None))
        elif steps:
            steps[-1].op = None
        if not steps:
            raise Untranslatable("an empty command")
        return steps

    def _statement(self, words: list[Word], assigned: str | None, out_null: bool) -> Command:
        if assigned is not None:
            if len(words) != 1:
                raise Untranslatable("a PowerShell assignment of an expression")
            return Command(name=None, assignments=[(assigned, words[0])])
        if not words:
            raise Untranslatable("an empty statement")
        first = words[0]
        if first.has_vars or first.raw.startswith("$"):
            raise Untranslatable("a PowerShell variable or expression statement")
        if (first.literal or "").lower() in _PS_BLOCKS:
            raise Untranslatable(f"the PowerShell statement `{first.raw}`")
        return Command(name=first, args=words[1:], out_null=out_null)

    def _word(self) -> Word:
        text = self.text
        start = self.i
        parts: list[Part] = []
        brk = self.take_break()
        while self.i < len(text):
            char = text[self.i]
            if char in " \t\n;|(){}[],":
                break
            if char == "'":
                end = text.find("'", self.i + 1)
                if end < 0 or text.startswith("'", end + 1):
                    raise Untranslatable("an unterminated or doubled single quote")
                parts.append(Part(text[self.i + 1 : end], quoted=True))
                self.i = end + 1
            elif char == '"':
                self.i += 1
                parts += self._double_quoted()
            elif char == "$":
                parts.append(self._variable())
            elif char == "`":
                raise Untranslatable("a PowerShell escape outside quotes")
            else:
                end = self.i
                while end < len(text) and text[end] not in " \t\n;|(){}[],'\"$`":
                    end += 1
                parts.append(Part(text[self.i : end]))
                self.i = end
        return Word(_merge(parts), text[start : self.i], brk)

    def _variable(self) -> Part:
        text = self.text
        if text.startswith("${env:", self.i):
            end = text.find("}", self.i)
            name = text[self.i + 6 : end] if end > 0 else ""
            if not _NAME.fullmatch(name):
                raise Untranslatable("a ${...} PowerShell reference")
            self.i = end + 1
            return Part(name, var=True)
        if text.startswith("$env:", self.i):
            match = _NAME.match(text, self.i + 5)
            if match is None:
                raise Untranslatable("a $env: reference without a name")
            self.i = match.end()
            return Part(match.group(0), var=True)
        raise Untranslatable("a PowerShell variable (only $env:NAME has a counterpart)")

    def _double_quoted(self) -> list[Part]:
        text = self.text
        parts: list[Part] = []
        buffer: list[str] = []
        while True:
            if self.i >= len(text):
                raise Untranslatable("an unterminated double quote")
            char = text[self.i]
            if char == '"':
                self.i += 1
                break
            if char == "`":
                following = text[self.i + 1 : self.i + 2]
                if following not in ('"', "$", "`"):
                    raise Untranslatable(f"the PowerShell escape `{following}")
                buffer.append(following)
                self.i += 2
            elif char == "$":
                if buffer:
                    parts.append(Part("".join(buffer), quoted=True))
                    buffer = []
                parts.append(self._variable())
            else:
                buffer.append(char)
                self.i += 1
        if buffer or not parts:
            parts.append(Part("".join(buffer), quoted=True))
        return parts
