"""``# dflint:`` pragmas: ignore=, ignore-stage=, ignore-file= and platform=.

``#`` starts a comment only at the start of a line in a Dockerfile, so a pragma sits on its
own line, above the instruction (or the FROM of the stage) it applies to:

    # dflint: ignore=DF301,DF303 -- the image ships busybox
    RUN uname -a
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dflint import lazyre
from dflint.read.instructions import CheckOptions, check_comment, parse_check_options
from dflint.read.model import Comment, Dockerfile, Instruction, Span

_PRAGMA = lazyre.compile(r"dflint\s*:\s*(.*)\Z", re.S)
_DIRECTIVE = lazyre.compile(r"([a-z-]+)\s*=\s*([^\s]*)\s*(?:--\s*(.*))?\Z", re.S)
_CODE = lazyre.compile(r"DF\d{3}\Z")
KINDS = ("ignore", "ignore-stage", "ignore-file")


@dataclass(slots=True)
class Suppression:
    """A ``# dflint: ignore…`` comment: the codes it silences and the lines it covers."""

    kind: str  # ignore, ignore-stage or ignore-file
    codes: tuple[str, ...]
    comment: Comment
    first_line: int  # the lines it covers
    last_line: int
    used: set[str] = field(default_factory=set)

    def covers(self, code: str, line: int) -> bool:
        return code in self.codes and self.first_line <= line <= self.last_line


@dataclass(slots=True)
class Problem:
    """A ``# dflint:`` comment that dflint cannot apply, and why (DF002)."""

    span: Span
    message: str


@dataclass(slots=True)
class Pragmas:
    """A file's ``# dflint:`` comments: the suppressions, and the problems with the others."""

    suppressions: list[Suppression]
    problems: list[Problem]  # DF002


def read_pragmas(dockerfile: Dockerfile, known_codes: set[str]) -> Pragmas:
    suppressions: list[Suppression] = []
    problems: list[Problem] = []
    starts = {item.start_line: item for item in dockerfile.instructions}
    stage_ends: dict[int, int] = {}
    for index, stage in enumerate(dockerfile.stages):
        following = dockerfile.stages[index + 1] if index + 1 < len(dockerfile.stages) else None
        end = following.from_instruction.start_line - 1 if following else len(dockerfile.lines)
        stage_ends[stage.from_instruction.start_line] = end
    comment_lines = {item.line for item in dockerfile.comments}
    for comment in dockerfile.comments:
        match = _PRAGMA.match(comment.text)
        if match is None:
            continue
        raw_line = dockerfile.lines[comment.line - 1]
        span = Span(comment.line, comment.column, comment.line, len(raw_line.rstrip()) + 1)
        body = match.group(1).strip()
        if body.startswith("untranslated"):
            continue  # the marker `dflint fix` leaves above a line it could not translate
        directive = _DIRECTIVE.match(body)
        if directive is None:
            problems.append(Problem(span, f"cannot read the pragma {body!r}: expected ignore=CODE"))
            continue
        kind, value = directive.group(1), directive.group(2)
        if kind in ("platform", "platforms"):
            # read by dflint.analyse.targets, which passes over values that are not platforms
            problems.extend(Problem(span, message) for message in _platform_problems(value))
            continue
        if kind not in KINDS:
            hint = _closest(kind)
            problems.append(Problem(span, f"unknown pragma {kind!r}{hint}"))
            continue
        codes = tuple(code.strip().upper() for code in value.split(",") if code.strip())
        if not codes:
            problems.append(Problem(span, f"{kind}= names no rule code"))
            continue
        bad = [code for code in codes if not _CODE.match(code) or code not in known_codes]
        if bad:
            problems.append(Problem(span, f"{kind}= names unknown rule code(s) {', '.join(bad)}"))
            codes = tuple(code for code in codes if code not in bad)
            if not codes:
                continue
        if kind == "ignore-file":
            suppressions.append(Suppression(kind, codes, comment, 1, len(dockerfile.lines)))
            continue
        target = _next_instruction(comment.line, starts, comment_lines)
        if target is None:
            problems.append(Problem(span, f"{kind}= is not followed by an instruction"))
            continue
        if kind == "ignore":
            suppressions.append(
                Suppression(kind, codes, comment, target.start_line, target.end_line)
            )
        elif target.keyword != "FROM":
            problems.append(Problem(span, "ignore-stage= must be on the line above a FROM"))
        else:
            end = stage_ends.get(target.start_line, target.end_line)
            suppressions.append(Suppression(kind, codes, comment, target.start_line, end))
    return Pragmas(suppressions, problems)


def _platform_problems(value: str) -> list[str]:
    from dflint.core.platform import target_problem

    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items:
        return ["platform= names no platform (e.g. platform=linux/amd64,linux/arm64)"]
    found = [target_problem(item) for item in items]
    return [f"platform={value}: {problem}" for problem in found if problem is not None]


def _next_instruction(
    line: int, starts: dict[int, Instruction], comment_lines: set[int]
) -> Instruction | None:
    """The instruction starting after ``line`` with only comment lines between."""
    candidate = line + 1
    while candidate in comment_lines:
        candidate += 1
    return starts.get(candidate)


def _closest(kind: str) -> str:
    import difflib

    close = difflib.get_close_matches(kind, [*KINDS, "platform"], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


# --- BuildKit's `# check=` comments ----------------------------------------------------------
#
# dflint rules that are the same check as one of BuildKit's build checks: a `# check=skip=...`
# naming the BuildKit check (or skip=all) silences the dflint rule as it silences BuildKit's,
# for the whole file (in the parser-directive block) or for one instruction (a comment directly
# above it, Dockerfile frontend >= 1.21).
BUILDKIT_CHECKS = {
    "DF203": "FromPlatformFlagConstDisallowed",
    "DF204": "RedundantTargetPlatform",
}


def instruction_check_options(instruction: Instruction) -> CheckOptions | None:
    """The first `# check=` among the comments directly above the instruction (BuildKit's
    WithMergedConfigFromComments); None when there is none or it does not parse."""
    for _line, text in instruction.prev_comments:
        value = check_comment(text)
        if value is None:
            continue
        try:
            return parse_check_options(value.split(" ", 1)[0])
        except ValueError:
            return None
    return None


def check_skips(dockerfile: Dockerfile) -> dict[int, frozenset[str]]:
    """dflint codes that `# check=` comments skip, by the first line of the instruction."""
    value = dockerfile.directive("check")
    try:
        whole = parse_check_options(value.split(" ", 1)[0]) if value else CheckOptions()
    except ValueError:
        whole = CheckOptions()
    skipped: dict[int, frozenset[str]] = {}
    every = frozenset(code for code, check in BUILDKIT_CHECKS.items() if whole.skips(check))
    for instruction in dockerfile.instructions:
        if not instruction.prev_comments:
            if every:
                skipped[instruction.start_line] = every
            continue
        options = instruction_check_options(instruction)
        codes = {
            code
            for code, check in BUILDKIT_CHECKS.items()
            if whole.skips(check) or (options is not None and options.skips(check))
        }
        if codes:
            skipped[instruction.start_line] = frozenset(codes)
    return skipped
