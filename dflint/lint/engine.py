"""Runs the rules over one Dockerfile and turns their violations into findings.

Order: read → parse → analyse → rules → suppressions and selection → findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from dflint import lazyre
from dflint.analyse.analysis import analyze
from dflint.analyse.targets import Targets, resolve_targets
from dflint.core.findings import Finding, Severity
from dflint.core.ruleindex import RuleEntry
from dflint.errors import InputError
from dflint.lint.options import Options as Options  # the engine's callers pass one
from dflint.lint.options import config_for as config_for
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.lint.ruleset import ENGINE_RULES, rule_class, rule_codes, rule_entries
from dflint.lint.suppressions import check_skips, read_pragmas
from dflint.read.discovery import TEMPLATE_NAME
from dflint.read.fileio import read_input
from dflint.read.model import Dockerfile, Span
from dflint.read.parser import parse_bytes
from dflint.read.reader import split_physical_lines
from dflint.settings import config as config_module
from dflint.settings.config import Config

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from collections.abc import Sequence

# Template languages whose markup means the file is not yet a Dockerfile: Jinja2 / Go
# templates ({{ }}, {% %}) and ERB/EJS (<% %>). A Go template inside a quoted argument
# (`docker inspect --format '{{.State}}'`) is normal Dockerfile text, so `{{` only counts
# where it cannot be quoted: at the start of a line or in a FROM line.
_TEMPLATE = lazyre.compile(
    r"\{%-?\s.*?%\}|<%[=-]?\s.*?%>|^[ \t]*\{\{|^[ \t]*FROM[^\n]*\{\{",
    re.M | re.I,
)


@cache  # compiled for the first file that holds a pair of markup characters, if any does
def _template_bytes() -> re.Pattern[bytes]:
    return re.compile(
        rb"\{%-?\s.*?%\}|<%[=-]?\s.*?%>|^(?:\xef\xbb\xbf)?[ \t]*\{\{|^[ \t]*FROM[^\n]*\{\{",
        re.M | re.I,
    )


# Names that say "render me first" (Dockerfile-linux.template, Dockerfile.j2, *.tmpl): their
# placeholders need not look like markup (docker-node's templates hold bare "${DEB_ARCH[@]}"
# lines that its generator replaces). The same names a folder search leaves out.
_TEMPLATE_NAME = TEMPLATE_NAME
_TEMPLATE_NAME_NOTE = "a template's file name (render it first)"


@dataclass(slots=True)
class FileResult:
    """What linting one file gave: its findings, or why it failed or was skipped."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    failed: bool = False  # the input could not be read or parsed
    skipped: str | None = None  # why the file was not linted
    internal_errors: list[str] = field(default_factory=list)
    # the physical lines, for code frames: each line a finding points into as written, every
    # other line "" (results cross process boundaries, so they are kept small)
    lines: tuple[str, ...] = ()
    # the platforms the file was linted for (None when it could not be linted)
    targets: Targets | None = None


def has_template_markup(text: str) -> bool:
    return _TEMPLATE.search(text) is not None


def lint_file(path: Path, display: str, options: Options) -> FileResult:
    config = config_for(path, options)
    try:
        data = read_input(path)
    except InputError as exc:
        return _failed(display, exc, config)
    return lint_bytes(data, display, options, config)


def lint_bytes(
    data: bytes, display: str, options: Options, config: Config | None = None
) -> FileResult:
    if config is None:
        config = config_for(Path(display), options)
    # on the bytes: a copy of a large file's text just for this check would cost its size
    # (each alternative of the pattern needs one of these pairs: most files have none)
    markup = (b"{{" in data or b"{%" in data or b"<%" in data) and (
        _template_bytes().search(data) is not None
    )
    try:
        dockerfile = parse_bytes(data, display)
    except InputError as exc:
        if markup:
            return FileResult(display, skipped="template markup ({{ }}, {% %} or <% %})")
        if _TEMPLATE_NAME.search(display):
            return FileResult(display, skipped=_TEMPLATE_NAME_NOTE)
        failed = _failed(display, exc, config)
        failed.lines = _shown_lines(_readable_lines(data), failed.findings)
        return failed
    if markup:
        return FileResult(display, skipped="template markup ({{ }}, {% %} or <% %})")
    if _TEMPLATE_NAME.search(display):
        return FileResult(display, skipped=_TEMPLATE_NAME_NOTE)
    return lint_dockerfile(dockerfile, options, config)


def _readable_lines(data: bytes) -> tuple[str, ...]:
    """The text of a file that failed to parse, when it is text at all (for a code frame)."""
    if b"\x00" in data:
        return ()
    text = data.decode("utf-8", errors="surrogateescape")  # as the reader reads it
    # split exactly as the parser numbers lines, so the frame shows the line the error names
    return tuple(line.rstrip("\r\n") for line in split_physical_lines(text))


def _failed(display: str, error: InputError, config: Config) -> FileResult:
    name, level, _ = ENGINE_RULES["DF001"]
    finding = Finding(
        path=display,
        code="DF001",
        name=name,
        severity=config.severity_for("DF001", Severity(level)),
        line=error.line,
        column=error.column,
        end_line=error.line,
        end_column=error.column,
        message=error.message,
    )
    return FileResult(display, [finding], failed=True)


def enabled_entries(config: Config, options: Options, path: str) -> list[RuleEntry]:
    """The selected rules, from the index: nothing is imported to decide."""
    if config.per_file_ignores:
        return [entry for entry in rule_entries() if _enabled(entry.code, config, options, path)]
    # Without per-file ignores the selection is the same for every file of a run.
    key = (config.select, config.ignore, options.select, options.ignore)
    found = _SELECTIONS.get(key)
    if found is None:
        found = [entry for entry in rule_entries() if _enabled(entry.code, config, options, path)]
        _SELECTIONS[key] = found
    return list(found)


def enabled_rules(config: Config, options: Options, path: str) -> list[type[Rule]]:
    return [rule_class(entry.code) for entry in enabled_entries(config, options, path)]


_SELECTIONS: dict[tuple[tuple[str, ...], ...], list[RuleEntry]] = {}


@dataclass(frozen=True, slots=True)
class _Dispatch:
    """Which of the enabled rules check files, and which check each instruction keyword."""

    file_rules: tuple[int, ...]  # indexes into the enabled rules
    by_keyword: dict[str, tuple[int, ...]]


_PLANS: dict[
    tuple[tuple[str, ...], frozenset[str]], tuple[tuple[type[Rule], ...], _Dispatch, bool]
] = {}


def _plan(
    entries: list[RuleEntry], keywords: frozenset[str]
) -> tuple[tuple[type[Rule], ...], _Dispatch, bool]:
    """The rules that can fire on a file of these instructions, how they are dispatched, and
    whether one needs the base images; worked out once per selection and set of keywords."""
    key = (tuple(entry.code for entry in entries), keywords)
    found = _PLANS.get(key)
    if found is None:
        # a rule that checks no file and none of the file's instructions cannot fire: its
        # module is not even imported (a two-line file needs a handful of the rules)
        rules = tuple(
            rule_class(entry.code)
            for entry in entries
            if entry.checks_file or entry.nodes & keywords
        )
        found = (rules, _dispatch(rules), any(rule.needs_base_images for rule in rules))
        if len(_PLANS) >= 256:
            _PLANS.clear()
        _PLANS[key] = found
    return found


def _dispatch(rules: tuple[type[Rule], ...]) -> _Dispatch:
    by_keyword: dict[str, list[int]] = {}
    for index, rule in enumerate(rules):
        for keyword in rule.nodes:
            by_keyword.setdefault(keyword, []).append(index)
    return _Dispatch(
        tuple(
            index
            for index, rule in enumerate(rules)
            if rule.check_file is not Rule.check_file  # the base checks nothing
        ),
        {keyword: tuple(indexes) for keyword, indexes in by_keyword.items()},
    )


def _enabled(code: str, config: Config, options: Options, path: str) -> bool:
    # --select replaces the file's select; --ignore adds to the file's ignores
    select = options.select or config.select
    if select and not config_module.matches(code, select):
        return False
    if config_module.matches(code, config.ignore + options.ignore):
        return False
    return not config.per_file_ignored(code, path)


def lint_dockerfile(dockerfile: Dockerfile, options: Options, config: Config) -> FileResult:
    result = FileResult(dockerfile.path)
    analysis = analyze(dockerfile)
    targets = resolve_targets(analysis, options.platforms, config)
    result.targets = targets
    ctx = RuleContext(dockerfile, analysis, targets)
    raw: list[tuple[str, str, Severity, Violation]] = []
    entries = enabled_entries(config, options, dockerfile.path)
    keywords = frozenset(instruction.keyword for instruction in dockerfile.instructions)
    rules, dispatch, needs_base_images = _plan(entries, keywords)
    if needs_base_images:
        from dflint.lint.bases import bases_for

        ctx.base_images = bases_for(analysis, config, options.offline, options.base_images)
    instances = [rule_type() for rule_type in rules]
    for index in dispatch.file_rules:
        rule = instances[index]
        try:
            for violation in rule.check_file(ctx):
                raw.append((rule.code, rule.name, rule.severity, violation))
        except Exception as exc:  # a rule bug must not hide the other rules' findings
            result.internal_errors.append(f"{rule.code} crashed: {type(exc).__name__}: {exc}")
    by_keyword = dispatch.by_keyword
    for instruction in dockerfile.instructions:
        for index in by_keyword.get(instruction.keyword, ()):
            rule = instances[index]
            try:
                for violation in rule.check_instruction(ctx, instruction):
                    raw.append((rule.code, rule.name, rule.severity, violation))
            except Exception as exc:
                result.internal_errors.append(
                    f"{rule.code} crashed on line {instruction.start_line}: "
                    f"{type(exc).__name__}: {exc}"
                )
    if analysis._shell_views:  # scripts were parsed: did a parser of dflint's own fail?
        from dflint.analyse.shell.view import parser_failures

        result.internal_errors += parser_failures(analysis)
    if dockerfile.non_utf8 and _enabled("DF010", config, options, dockerfile.path):
        name, level, _ = ENGINE_RULES["DF010"]
        raw += [("DF010", name, Severity(level), item) for item in non_utf8_violations(dockerfile)]
    pragmas = read_pragmas(dockerfile, _known_codes())
    skipped_checks = check_skips(dockerfile)
    reported: list[tuple[str, str, Severity, Violation]] = []
    for code, name, default, violation in raw:
        line = violation.span.line
        if code in skipped_checks.get(line, ()):
            continue  # `# check=skip=<the same BuildKit check>`
        suppressed = False
        for suppression in pragmas.suppressions:
            if suppression.covers(code, line):
                suppression.used.add(code)
                suppressed = True
        if not suppressed:
            reported.append((code, name, default, violation))
    present = {(code, violation.span.line) for code, _, _, violation in reported}
    for code, name, default, violation in reported:
        line = violation.span.line
        if any((other, line) in present for other in violation.covered_by):
            continue  # a finding that says it better is reported on this line
        result.findings.append(
            _finding(dockerfile.path, code, name, config.severity_for(code, default), violation)
        )
    engine_enabled = {
        code: _enabled(code, config, options, dockerfile.path) for code in ("DF002", "DF003")
    }
    if engine_enabled["DF002"]:
        for problem in pragmas.problems:
            result.findings.append(
                _engine_finding(dockerfile.path, "DF002", problem.span, problem.message, config)
            )
    if engine_enabled["DF003"]:
        enabled_codes = {entry.code for entry in entries}
        for suppression in pragmas.suppressions:
            unused = [
                c for c in suppression.codes if c in enabled_codes and c not in suppression.used
            ]
            if unused:
                comment = suppression.comment
                span = Span(
                    comment.line,
                    comment.column,
                    comment.line,
                    len(dockerfile.lines[comment.line - 1].rstrip()) + 1,
                )
                message = f"{suppression.kind}={','.join(unused)} suppresses nothing here"
                result.findings.append(
                    _engine_finding(dockerfile.path, "DF003", span, message, config)
                )
    result.findings.sort(key=Finding.sort_key)
    if result.findings:
        result.lines = _shown_lines(dockerfile.lines, result.findings)
    return result


def _shown_lines(lines: Sequence[str], findings: list[Finding]) -> tuple[str, ...]:
    """``lines`` with only those the findings point into kept: the others are ""."""
    shown = [""] * len(lines)
    for finding in findings:
        last = max(finding.end_line, finding.line)
        for index in range(max(finding.line, 1) - 1, min(last, len(lines))):
            shown[index] = lines[index]
    return tuple(shown)


# Instructions whose arguments end up in the image config, which is JSON: Go's encoder
# writes each byte that is not UTF-8 as U+FFFD, so the value in the image is not the one
# written.
_CONFIG_KEYWORDS = frozenset(
    {
        "CMD",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    }
)
_NON_UTF8 = lazyre.compile("[\udc80-\udcff]")


def non_utf8_violations(dockerfile: Dockerfile) -> list[Violation]:
    """DF010: the first byte that is not UTF-8 in each instruction.

    Comments are not reported (BuildKit drops them), nor heredoc bodies (file contents,
    kept byte for byte)."""
    found: list[Violation] = []
    for instruction in dockerfile.instructions:
        body: set[int] = set()
        for heredoc in instruction.heredocs:
            body.update(range(heredoc.start_line, heredoc.end_line + 1))
        for number in instruction.lines:
            if number in body:
                continue
            match = _NON_UTF8.search(dockerfile.lines[number - 1])
            if match is None:
                continue
            byte = ord(match.group()) - 0xDC00
            keyword = instruction.effective.keyword
            if keyword in _CONFIG_KEYWORDS or instruction.keyword == "ONBUILD":
                effect = (
                    f"{keyword} values go into the image config, which is JSON, where "
                    "BuildKit writes U+FFFD in its place"
                )
            else:
                effect = (
                    "BuildKit passes the byte on as it is, but the image history (JSON) "
                    "records U+FFFD, and tools that read the file as text see something else"
                )
            span = Span(number, match.start() + 1, number, match.start() + 2)
            found.append(
                Violation(span, f"byte 0x{byte:02x} is not UTF-8: {effect}; write it in UTF-8")
            )
            break
    return found


@cache
def _known_codes() -> set[str]:
    return set(rule_codes())


def _finding(path: str, code: str, name: str, severity: Severity, violation: Violation) -> Finding:
    span = violation.span
    return Finding(
        path=path,
        code=code,
        name=name,
        severity=severity,
        line=span.line,
        column=span.column,
        end_line=span.end_line,
        end_column=span.end_column,
        message=violation.message,
        platform=violation.platform,
        fix=violation.fix,
        breaks=violation.breaks,
    )


def _engine_finding(path: str, code: str, span: Span, message: str, config: Config) -> Finding:
    name, level, _ = ENGINE_RULES[code]
    return _finding(
        path, code, name, config.severity_for(code, Severity(level)), Violation(span, message)
    )
