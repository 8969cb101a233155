"""The Dockerfile tree: directives, comments, instructions and stages, with source spans.

Lines and columns are 1-based. ``end_column`` is exclusive (the column just past the
last character), as SARIF and LSP count it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from dflint.read.instructions import Problem

HEREDOC_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})
KNOWN_KEYWORDS = frozenset(
    {
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    }
)


@dataclass(frozen=True, slots=True)
class Span:
    """A place in the Dockerfile: 1-based line and column of its start and end."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(slots=True)
class Directive:
    """A parser directive at the top of the file (``# syntax=``, ``# check=``, ``# escape=``)."""

    name: str  # lower case: syntax, check or escape
    value: str
    line: int


@dataclass(slots=True)
class Comment:
    """A comment line of the Dockerfile: where its ``#`` is and the text after it."""

    line: int
    column: int  # column of the '#'
    text: str  # everything after the '#', stripped
    in_continuation: bool  # sits between the lines of a continued instruction


@dataclass(slots=True)
class Heredoc:
    """A heredoc of a RUN, COPY or ADD: its name, its body and the lines the body spans."""

    name: str
    content: str  # raw body with its line endings; leading tabs not chomped
    expand: bool  # False when any part of the name was quoted
    chomp: bool  # <<- form
    file_descriptor: int
    start_line: int  # first body line (== end_line when the body is empty)
    end_line: int  # the terminator line


@dataclass(slots=True, eq=False)
class Instruction:
    """An instruction: keyword, flags and arguments as BuildKit splits them, and its lines."""

    keyword: str  # upper case
    raw_keyword: str  # as written
    flags: list[str]  # e.g. ["--platform=linux/amd64"], in order
    args: list[str]  # arguments as BuildKit's parser splits them
    json: bool  # exec (JSON array) form
    original: str  # the logical line: continuations joined, comments dropped
    arg_text: str  # the text after keyword and flags
    start_line: int
    end_line: int  # includes heredoc bodies
    column: int
    end_column: int
    heredocs: list[Heredoc] = field(default_factory=list)
    sub: Instruction | None = None  # ONBUILD's instruction
    # physical lines that make up the logical line (first line included, comment and blank
    # lines inside the continuation excluded)
    lines: list[int] = field(default_factory=list)
    # ENV/LABEL: "" for the legacy `KEY value` form, "=" for `KEY=value` pairs
    pair_separator: str | None = None
    # BuildKit's PrevComment: (line, text) of the comments since the previous instruction
    # (parser directives left out; an empty `#` line starts the list afresh). A `# check=`
    # among them applies to this instruction (Dockerfile frontend >= 1.21).
    prev_comments: list[tuple[int, str]] = field(default_factory=list)

    @property
    def span(self) -> Span:
        return Span(self.start_line, self.column, self.end_line, self.end_column)

    @property
    def known(self) -> bool:
        return self.keyword in KNOWN_KEYWORDS

    def flag(self, name: str) -> str | None:
        """The value of ``--name=value`` (the last one wins, as in BuildKit), else None.

        A bare ``--name`` gives ``""``.
        """
        found: str | None = None
        prefix = f"--{name}"
        for item in self.flags:
            if item == prefix:
                found = ""
            elif item.startswith(prefix + "="):
                found = item[len(prefix) + 1 :]
        return found

    def flag_values(self, name: str) -> list[str]:
        prefix = f"--{name}="
        return [item[len(prefix) :] for item in self.flags if item.startswith(prefix)]

    def pairs(self) -> list[tuple[str, str]]:
        """ENV/LABEL key/value pairs (values as written, quotes kept)."""
        if self.pair_separator is None:
            return []
        return [(self.args[i], self.args[i + 1]) for i in range(0, len(self.args) - 1, 2)]

    @property
    def effective(self) -> Instruction:
        """The instruction that runs: ONBUILD's sub-instruction, else itself."""
        return self.sub if self.sub is not None else self


@dataclass(slots=True, eq=False)
class Stage:
    """A build stage: its FROM line and the instructions up to the next FROM."""

    index: int
    from_instruction: Instruction
    image: str  # as written, before ARG substitution
    alias: str | None
    platform: str | None  # --platform as written
    instructions: list[Instruction] = field(default_factory=list)  # FROM excluded

    @property
    def name(self) -> str:
        return self.alias if self.alias is not None else str(self.index)


@dataclass(slots=True)
class ParseWarning:
    """A warning BuildKit's parser gives about a line it still accepts."""

    line: int
    message: str


@dataclass(slots=True)
class Dockerfile:
    """A Dockerfile as read: its lines, directives, comments, instructions and stages."""

    path: str
    lines: list[str]  # physical lines without their line endings (BOM removed)
    escape: str
    directives: list[Directive]
    comments: list[Comment]
    instructions: list[Instruction]
    warnings: list[ParseWarning] = field(default_factory=list)
    global_args: list[Instruction] = field(default_factory=list)  # ARGs before the first FROM
    stages: list[Stage] = field(default_factory=list)
    # Why BuildKit refuses the file after reading its lines (dflint.read.instructions.Problem);
    # empty when it accepts every instruction
    problems: list[Problem] = field(default_factory=list)
    # the file holds bytes that are not UTF-8, carried in ``lines`` as surrogate escapes
    non_utf8: bool = False

    def directive(self, name: str) -> str | None:
        for item in self.directives:
            if item.name == name:
                return item.value
        return None
