"""Differential test: dockerfile-parse 2.0.1 beside dflint's reader.

For every file of ../shared/corpus/real (MANIFEST.tsv), and for the hand-written
../shared/corpus/dflint-tricky cases, both parsers give the instruction sequence as
(keyword upper case, first line, last line). The sequences must agree, except where a named,
documented divergence of dockerfile-parse explains the difference (DESIGN.md: dockerfile-parse
splits lines differently from BuildKit, and dflint follows BuildKit). Each divergence below is a
small function with a docstring:

* input normalisations rewrite the bytes given to dockerfile-parse (``bom_not_stripped``,
  ``check_directive_unknown``);
* output normalisations rewrite the two entry lists, each only where its own condition holds
  (``continuation_at_eof_dropped``, ``bare_keyword_at_eof_dropped``, ``lone_escape_first_line``,
  ``heredoc_bodies_become_instructions``, ``blank_line_ends_continuation``,
  ``escaped_escape_continues``); COMMENT entries are always dropped first;
* failure predicates explain a file one parser rejects (``crashes_on_non_utf8``,
  ``reports_no_errors``).

Templates (MANIFEST ``template`` = yes) are not Dockerfiles until rendered; one is skipped only
when a parser rejects it (dockerfile-parse never does, so in practice: when dflint does).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import SHARED, shared_path
from dockerfile_parse import DockerfileParser

from dflint.errors import InputError
from dflint.read.model import Dockerfile
from dflint.read.parser import parse_bytes

REAL = ("corpus", "real")
TRICKY = ("corpus", "dflint-tricky")
MISSING = "shared-corpus-missing"
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Entry:
    """One instruction: keyword (upper case), first and last line (1-based)."""

    keyword: str
    start: int
    end: int
    value: str = field(default="", compare=False)  # dockerfile-parse's text after the keyword


@dataclass(frozen=True)
class Source:
    """The file as dflint read it, for the divergence predicates."""

    data: bytes
    dockerfile: Dockerfile

    @property
    def lines(self) -> list[str]:
        return self.dockerfile.lines

    @property
    def escape(self) -> str:
        return self.dockerfile.escape

    def line(self, number: int) -> str:
        return self.dockerfile.lines[number - 1]


@dataclass
class Comparison:
    explained_by: list[str] = field(default_factory=list)
    skipped: str | None = None
    unexplained: str | None = None


Entries = list[Entry]
Normalised = tuple[Entries, Entries] | None


def _blank(line: str) -> bool:
    return line.strip() == ""


def _comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _dfp_continues(line: str, escape: str) -> bool:
    """dockerfile-parse's continuation rule: the escape character, then only whitespace."""
    return line.rstrip().endswith(escape)


def _escaped_escape(line: str, escape: str) -> bool:
    """The line ends in an escaped escape character, which BuildKit does not read as a
    continuation (its rule wants the last escape not to be preceded by another)."""
    return line.rstrip(" \t").endswith(escape * 2)


# --- input normalisations (bytes given to dockerfile-parse) --------------------------------


def bom_not_stripped(data: bytes, dockerfile: Dockerfile | None) -> bytes | None:
    """dockerfile-parse does not strip a UTF-8 byte-order mark.

    The first keyword becomes ``\\ufeffFROM``, and a ``\\ufeff# escape=`` line is read as an
    instruction, so the escape directive is lost. BuildKit strips the BOM from the first line.
    Normalisation: dockerfile-parse is given the bytes without the BOM.
    """
    return data[len(BOM) :] if data.startswith(BOM) else None


def check_directive_unknown(data: bytes, dockerfile: Dockerfile | None) -> bytes | None:
    """dockerfile-parse knows only the ``escape`` and ``syntax`` directives.

    ``# check=`` (a directive since BuildKit v0.14) ends its directive block, so an
    ``# escape=`` after it is ignored and the continuation character is wrong for the rest of
    the file. Normalisation: dockerfile-parse is given the ``check`` line spelt as a ``syntax``
    line (same line count), which it skips as BuildKit skips ``check``.
    """
    if dockerfile is None:
        return None
    names = [item.name for item in dockerfile.directives]
    if "check" not in names or "escape" not in names[names.index("check") :]:
        return None
    lines = data.split(b"\n")
    for item in dockerfile.directives:
        if item.name == "check":
            lines[item.line - 1] = re.sub(rb"(?i)check", b"syntax", lines[item.line - 1], count=1)
    return b"\n".join(lines)


INPUT_NORMALISATIONS: list[Callable[[bytes, Dockerfile | None], bytes | None]] = [
    bom_not_stripped,
    check_directive_unknown,
]


# --- output normalisations (dflint's entries, dockerfile-parse's entries) ------------------


def continuation_at_eof_dropped(src: Source, ours: Entries, theirs: Entries) -> Normalised:
    """dockerfile-parse drops an instruction that is still continuing at the end of the file.

    It appends an instruction only when a line ends it; when the last non-comment line ends in
    the escape character, the instruction in progress is lost. BuildKit keeps it, ending at the
    last line. Normalisation: the lost entry is restored on dockerfile-parse's side (keyword from
    the first word of its first line, as dockerfile-parse names instructions).
    """
    code = [number for number in range(1, len(src.lines) + 1) if not _comment(src.line(number))]
    if not code or not _dfp_continues(src.line(code[-1]), src.escape):
        return None
    covered = max((entry.end for entry in theirs), default=0)
    starts = [
        number
        for number in range(covered + 1, code[-1] + 1)
        if not _blank(src.line(number)) and not _comment(src.line(number))
    ]
    if not starts:
        return None
    keyword = src.line(starts[0]).split()[0].upper()
    return ours, [*theirs, Entry(keyword, starts[0], len(src.lines))]


def bare_keyword_at_eof_dropped(src: Source, ours: Entries, theirs: Entries) -> Normalised:
    """dockerfile-parse skips a keyword alone on an unterminated last line.

    Its instruction pattern wants whitespace after the keyword; on a last line without a line
    ending (``CMD`` at end of file) there is none, so the line is ignored. BuildKit reads an
    instruction without arguments. Normalisation: the entry is restored on dockerfile-parse's
    side.
    """
    last = src.data.rsplit(b"\n", 1)[-1].decode("utf-8")
    number = len(src.lines)
    words = last.split()
    if src.data.endswith(b"\n") or len(words) != 1 or last != last.strip() or _comment(last):
        return None
    if any(entry.end >= number for entry in theirs):
        return None  # it was read as part of an instruction
    return ours, [*theirs, Entry(words[0].upper(), number, number)]


def lone_escape_first_line(src: Source, ours: Entries, theirs: Entries) -> Normalised:
    """dockerfile-parse names an instruction after the first word of its first line, even when
    that line holds only the escape character.

    BuildKit joins such a line to the next one and takes the keyword from the joined text
    (template fragments such as ``\\t\\`` followed by ``\\t$link = ...`` give ``$link``).
    Normalisation: dockerfile-parse's keyword is taken from the first word of its own joined
    value.
    """
    changed = False
    result: Entries = []
    for entry in theirs:
        words = entry.value.split()
        if entry.keyword == src.escape and src.line(entry.start).strip() == src.escape and words:
            entry = Entry(words[0].upper(), entry.start, entry.end, entry.value)
            changed = True
        result.append(entry)
    return (ours, result) if changed else None


def heredoc_bodies_become_instructions(src: Source, ours: Entries, theirs: Entries) -> Normalised:
    """dockerfile-parse does not know heredocs: their bodies and terminators become
    instructions (``EOF`` included), and the opening instruction ends at its own line.

    BuildKit reads the body as part of the RUN/COPY/ADD, which ends at the terminator.
    Normalisation: dockerfile-parse entries lying inside a body (terminator included) are
    dropped, and dflint's entry ends where its logical line ends, before the bodies.
    """
    bodies: list[tuple[int, int]] = []
    result = list(ours)
    for instruction in src.dockerfile.instructions:
        heredocs = instruction.effective.heredocs
        if not heredocs:
            continue
        bodies.append((heredocs[0].start_line, heredocs[-1].end_line))
        for index, entry in enumerate(result):
            if entry.start == instruction.start_line:
                result[index] = Entry(entry.keyword, entry.start, instruction.lines[-1])
    if not bodies:
        return None
    kept = [
        entry
        for entry in theirs
        if not any(low <= entry.start and entry.end <= high for low, high in bodies)
    ]
    return result, kept


def blank_line_ends_continuation(src: Source, ours: Entries, theirs: Entries) -> Normalised:
    """dockerfile-parse ends an instruction at a blank line inside a continuation.

    BuildKit skips blank (and whitespace-only) lines inside a continuation and joins across them
    (with an "Empty continuation line" warning); dockerfile-parse ends the instruction at the
    blank line and reads what follows as new instructions. Normalisation: where dflint's
    instruction contains such a split, dockerfile-parse's pieces (the first one ending at a
    blank line, all inside dflint's span) are joined into one entry.
    """
    result = list(theirs)
    changed = False
    for entry in ours:
        pieces = [item for item in result if entry.start <= item.start <= entry.end]
        if not pieces or pieces[0].start != entry.start or pieces[0].end >= entry.end:
            continue
        if not _blank(src.line(pieces[0].end)) or any(item.end > entry.end for item in pieces):
            continue
        at = result.index(pieces[0])
        result = [item for item in result if item not in pieces]
        result.insert(at, Entry(pieces[0].keyword, entry.start, entry.end, pieces[0].value))
        changed = True
    return (ours, result) if changed else None


def escaped_escape_continues(src: Source, ours: Entries, theirs: Entries) -> Normalised:
    """dockerfile-parse joins the line after an escaped escape character (``C:\\\\data\\\\``).

    Its continuation test is "ends in the escape character"; BuildKit's also wants that
    character not to be escaped itself, so the instruction ends there. Normalisation: dflint's
    instructions that dockerfile-parse swallowed this way (each one but the last ending in an
    escaped escape, the rest of its span blank or comments) are joined into one entry.
    """
    result = list(ours)
    changed = False
    for other in theirs:
        group = [item for item in result if other.start <= item.start <= other.end]
        if not group or group[0].start != other.start or group[-1].end > other.end:
            continue
        if len(group) == 1 and group[0].end == other.end:
            continue  # they agree
        escaped = [_escaped_escape(src.line(item.end), src.escape) for item in group]
        if not all(escaped[:-1]):
            continue
        tail = range(group[-1].end + 1, other.end + 1)
        if tail and not (
            escaped[-1] and all(_blank(src.line(n)) or _comment(src.line(n)) for n in tail)
        ):
            continue
        at = result.index(group[0])
        result = [item for item in result if item not in group]
        result.insert(at, Entry(group[0].keyword, other.start, other.end))
        changed = True
    return (result, theirs) if changed else None


OUTPUT_NORMALISATIONS: list[Callable[[Source, Entries, Entries], Normalised]] = [
    continuation_at_eof_dropped,
    bare_keyword_at_eof_dropped,
    lone_escape_first_line,
    heredoc_bodies_become_instructions,
    blank_line_ends_continuation,
    escaped_escape_continues,
]


# --- failure predicates --------------------------------------------------------------------


def crashes_on_non_utf8(ours: InputError | None, theirs: Exception | None) -> bool:
    """dockerfile-parse decodes strictly and raises UnicodeDecodeError on non-UTF-8 bytes.

    BuildKit accepts the bytes (it never decodes), and so does dflint: it reads them as
    surrogate escapes (see test_tricky.py), so only dockerfile-parse fails.
    """
    return isinstance(theirs, UnicodeDecodeError) and ours is None


def reports_no_errors(ours: InputError | None, theirs: Exception | None, buildkit: str) -> bool:
    """dockerfile-parse reports no syntax errors (duplicate or invalid escape directives,
    non-string JSON arrays, ``ENV`` without a value...): it returns a structure for any text.

    Explained only where BuildKit itself reports dflint's error message (the dflint-tricky
    oracle), so that a wrong error from dflint never passes as this divergence.
    """
    return theirs is None and ours is not None and bool(buildkit) and ours.message == buildkit


DIVERGENCES = [
    *(item.__name__ for item in INPUT_NORMALISATIONS),
    *(item.__name__ for item in OUTPUT_NORMALISATIONS),
    crashes_on_non_utf8.__name__,
    reports_no_errors.__name__,
]


# --- the comparison --------------------------------------------------------------------------


def dflint_entries(dockerfile: Dockerfile) -> Entries:
    return [Entry(item.keyword, item.start_line, item.end_line) for item in dockerfile.instructions]


def dockerfile_parse_entries(data: bytes) -> Entries:
    """dockerfile-parse's structure, 1-based, without its COMMENT entries (BuildKit reports
    comments apart from instructions; this is a plain normalisation, not a divergence)."""
    parser = DockerfileParser(fileobj=io.BytesIO(data))
    return [
        Entry(item["instruction"], item["startline"] + 1, item["endline"] + 1, item["value"])
        for item in parser.structure
        if item["instruction"] != "COMMENT"
    ]


def _describe(ours: Entries, theirs: Entries) -> str:
    only_ours = [entry for entry in ours if entry not in theirs]
    only_theirs = [entry for entry in theirs if entry not in ours]

    def show(entries: Entries) -> str:
        text = ", ".join(f"{item.keyword} {item.start}-{item.end}" for item in entries[:6])
        return text + (", ..." if len(entries) > 6 else "")

    return f"dflint only [{show(only_ours)}]; dockerfile-parse only [{show(only_theirs)}]"


@functools.cache
def compare(path: Path, template: bool = False, buildkit_error: str = "") -> Comparison:
    """Both parsers over one file; which divergences explain the difference, if any."""
    result = Comparison()
    data = path.read_bytes()
    dockerfile: Dockerfile | None = None
    our_error: InputError | None = None
    their_error: Exception | None = None
    try:
        dockerfile = parse_bytes(data, path.name)
    except InputError as exc:
        our_error = exc

    their_data = data
    for rewrite in INPUT_NORMALISATIONS:
        rewritten = rewrite(their_data, dockerfile)
        if rewritten is not None:
            their_data = rewritten
            result.explained_by.append(rewrite.__name__)
    theirs: Entries = []
    try:
        theirs = dockerfile_parse_entries(their_data)
    except Exception as exc:  # dockerfile-parse's failures are data here
        their_error = exc

    if our_error is not None or their_error is not None:
        if crashes_on_non_utf8(our_error, their_error):
            result.explained_by.append(crashes_on_non_utf8.__name__)
        elif reports_no_errors(our_error, their_error, buildkit_error):
            result.explained_by.append(reports_no_errors.__name__)
        elif template:
            result.skipped = f"template: dflint {our_error}; dockerfile-parse {their_error!r}"
        else:
            result.unexplained = f"dflint: {our_error}; dockerfile-parse: {their_error!r}"
        return result

    assert dockerfile is not None
    source = Source(data, dockerfile)
    ours = dflint_entries(dockerfile)
    for normalise in OUTPUT_NORMALISATIONS:
        if ours == theirs:
            break
        normalised = normalise(source, ours, theirs)
        if normalised is not None:
            ours, theirs = normalised
            result.explained_by.append(normalise.__name__)
    if ours != theirs:
        result.unexplained = _describe(ours, theirs)
    return result


# --- the cases -------------------------------------------------------------------------------


def _manifest() -> list[tuple[str, bool]]:
    path = SHARED.joinpath(*REAL, "MANIFEST.tsv")
    if not path.is_file():
        return [(MISSING, False)]
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [(row["file"], row["template"] == "yes") for row in rows]


def _tricky_cases() -> list[str]:
    folder = SHARED.joinpath(*TRICKY)
    if not folder.is_dir():
        return [MISSING]
    return sorted(item.name for item in folder.iterdir() if (item / "Dockerfile").is_file())


def _tricky_buildkit_error(folder: Path) -> str:
    """The error of the case's BuildKit oracle, "" when BuildKit parses it."""
    oracle = json.loads((folder / "buildkit-v0.12.5.json").read_text(encoding="utf-8"))
    return str(oracle["result"]["error"]) if isinstance(oracle["result"], dict) else ""


def _compare_real(file: str, template: bool) -> Comparison:
    return compare(shared_path(*REAL, file), template)


def _compare_tricky(case: str) -> Comparison:
    folder = shared_path(*TRICKY, case)
    return compare(folder / "Dockerfile", False, _tricky_buildkit_error(folder))


@pytest.mark.parametrize(("file", "template"), _manifest(), ids=[file for file, _ in _manifest()])
def test_real_file_agrees(file: str, template: bool) -> None:
    result = _compare_real(file, template)
    if result.skipped:
        pytest.skip(result.skipped)
    assert result.unexplained is None, f"{file}: {result.unexplained}"


@pytest.mark.parametrize("case", _tricky_cases())
def test_tricky_file_agrees(case: str) -> None:
    result = _compare_tricky(case)
    assert result.unexplained is None, f"{case}: {result.unexplained}"


def test_no_unexplained_files() -> None:
    """The whole real corpus at once, reporting every unexplained file together."""
    shared_path(*REAL, "MANIFEST.tsv")
    unexplained = []
    for file, template in _manifest():
        result = _compare_real(file, template)
        if result.unexplained is not None:
            unexplained.append(f"{file}: {result.unexplained}")
    assert not unexplained, f"{len(unexplained)} unexplained files:\n" + "\n".join(unexplained)


def test_every_divergence_is_needed() -> None:
    """Each named divergence explains at least one corpus file, so none is dead weight."""
    shared_path(*REAL, "MANIFEST.tsv")
    shared_path(*TRICKY)
    used: set[str] = set()
    for file, template in _manifest():
        used.update(_compare_real(file, template).explained_by)
    for case in _tricky_cases():
        used.update(_compare_tricky(case).explained_by)
    assert sorted(set(DIVERGENCES) - used) == []
