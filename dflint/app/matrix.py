"""``dflint platforms``: for each Dockerfile, which target platforms it can be built for.

The targets are lint's (:mod:`dflint.analyse.targets`): the declared ones (``--platform``, config,
a ``# dflint: platform=`` comment) or the default set, never guessed from the file. Each
target is judged by the lint rules themselves, so ``lint`` and ``platforms`` cannot disagree:
a target is not buildable (✗) when a finding that breaks it names it (``Finding.breaks``:
a base image without that platform, a stage pinned to another one, a binary for another
CPU, a final stage on the build platform, ...), whatever ``select``/``ignore`` say; it is
unknown (?) when a base image the target needs could not be resolved (DF207). The other
platforms the final image's base offers are judged the same way and shown apart; declared
targets of another operating system are left to that system's Dockerfile.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from dflint.analyse.analysis import Analysis, analyze
from dflint.core.platform import Platform, describe
from dflint.errors import InputError
from dflint.lint.bases import bases_for
from dflint.read.fileio import read_input
from dflint.registry.stages import BaseImages, StageBase, stage_chain

if TYPE_CHECKING:
    from dflint.core.findings import Finding
    from dflint.lint.options import Options
    from dflint.read.model import Dockerfile
    from dflint.registry.resolver import Resolution
    from dflint.settings.config import Config

Status = Literal["yes", "no", "unknown"]
Role = Literal["target", "offered", "other-os"]

_UNRESOLVED = "DF207"
_MARKS = {"yes": "✓", "no": "✗", "unknown": "?"}
_ASCII_MARKS = {"yes": "yes", "no": "no", "unknown": "?"}


@dataclass(slots=True)
class Reason:
    """A finding that keeps a platform from building, or leaves that unknown (DF207)."""

    kind: str  # the name of the rule that reports it (base-image-lacks-platform, ...)
    code: str
    stage: str
    line: int
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "code": self.code,
            "stage": self.stage,
            "line": self.line,
            "message": self.message,
        }

    @property
    def shown(self) -> str:
        return f"line {self.line}: {self.message} ({self.code})"


@dataclass(slots=True)
class Row:
    """One platform in the matrix: whether the file builds for it, and why not."""

    platform: str
    status: Status
    reasons: list[Reason] = field(default_factory=list)
    role: Role = "target"

    def to_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "role": self.role,
            "buildable": {"yes": True, "no": False, "unknown": None}[self.status],
            "reasons": [reason.to_dict() for reason in self.reasons],
        }


@dataclass(slots=True)
class FileMatrix:
    """One Dockerfile's part of the matrix: its targets, stage bases and a row per platform."""

    path: str
    targets: tuple[str, ...] = ()
    targets_from: str = ""
    own: str | None = None  # the one platform the file says it is for, with the evidence
    left_out: tuple[str, ...] = ()
    bases: list[StageBase] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    error: str | None = None  # the file could not be read or parsed

    def to_dict(self) -> dict[str, Any]:
        if self.error is not None:
            return {"path": self.path, "error": self.error}
        return {
            "path": self.path,
            "targets": list(self.targets),
            "targets_from": self.targets_from,
            "own_platform": self.own,
            "left_to_another_os": list(self.left_out),
            "bases": [_base_dict(base) for base in self.bases],
            "platforms": [row.to_dict() for row in self.rows],
        }

    @property
    def target_rows(self) -> list[Row]:
        return [row for row in self.rows if row.role == "target"]


def _base_dict(base: StageBase) -> dict[str, Any]:
    stage = base.facts.stage
    result: dict[str, Any] = {
        "stage": stage.name,
        "line": stage.from_instruction.start_line,
        "image": stage.image,
        "kind": base.kind,
        "platform_flag": base.platform_flag,
    }
    if base.kind == "stage" and base.facts.parent is not None:
        result["parent_stage"] = base.facts.parent.stage.name
    resolution = base.resolution
    if resolution is not None:
        result.update(
            reference=resolution.reference,
            platforms=[str(item) for item in resolution.platforms] if resolution.known else None,
            complete=resolution.complete,
            source=resolution.source,
            reason=resolution.reason,
            digest=resolution.digest,
        )
    return result


def matrix_for(
    dockerfile: Dockerfile, options: Options, config: Config, extra_findings: bool = True
) -> FileMatrix:
    """The matrix of one parsed file: lint's targets, each judged by lint's findings.

    ``extra_findings`` False judges the targets by the base images alone (no rule other than
    DF201 and DF207 runs), for callers that only need the bases."""
    from dflint.lint.engine import lint_dockerfile

    analysis = analyze(dockerfile)
    result = FileMatrix(dockerfile.path)
    if not analysis.stages:
        result.error = "no FROM instruction"
        return result
    bases = bases_for(analysis, config, options.offline, options.base_images)
    result.bases = list(bases)
    known = dict(options.base_images)
    known.update(
        (base.ref.key, base.resolution)
        for base in bases
        if base.ref is not None and base.resolution is not None
    )
    # every rule judges, whatever the config selects: the matrix says what builds
    judge_config = replace(config, select=(), ignore=(), per_file_ignores=())
    judge = replace(
        options,
        select=() if extra_findings else ("DF201", _UNRESOLVED),
        ignore=(),
        base_images=known,
    )
    linted = lint_dockerfile(dockerfile, judge, judge_config)
    targets = linted.targets
    assert targets is not None  # a parsed file is always linted
    result.targets, result.targets_from = targets.platforms, targets.source
    result.own = f"{targets.own.platform} ({targets.own.evidence})" if targets.own else None
    result.left_out = targets.left_out
    stages = _StageLines(analysis, bases)
    result.rows = _rows(linted.findings, targets.platforms, stages, "target")
    result.rows += [Row(item, "unknown", [], "other-os") for item in targets.left_out]
    # a per-architecture file says which platform it is for: the others its base offers are
    # its siblings' business
    layout = targets.own is not None and targets.own.layout
    taken = set(targets.platforms) | set(targets.left_out)
    offered = [
        item
        for item in ([] if layout else _offered(bases, analysis))
        if item not in taken and item.split("/", 1)[0] in targets.oses
    ]
    if offered:
        again = lint_dockerfile(dockerfile, replace(judge, platforms=tuple(offered)), judge_config)
        result.rows += _rows(again.findings, tuple(offered), stages, "offered")
    return result


class _StageLines:
    """Which stage a finding's line is in, and whether that stage is built for the target."""

    def __init__(self, analysis: Analysis, bases: BaseImages) -> None:
        self._starts = [
            (facts.stage.from_instruction.start_line, facts.stage.name, facts.stage.index)
            for facts in analysis.stages
        ]
        self._bases = bases

    def stage(self, line: int) -> tuple[str, int | None]:
        found: tuple[str, int | None] = ("", None)
        for start, name, index in self._starts:
            if start <= line:
                found = (name, index)
        return found

    def follows_target(self, line: int) -> bool:
        _, index = self.stage(line)
        base = self._bases.for_stage(index) if index is not None else None
        return base is None or not base.on_build_platform


def _names(finding: Finding, platforms: set[str]) -> set[str]:
    if not finding.platform or finding.platform == "any":
        return platforms
    return {part.strip() for part in finding.platform.split(",")} & platforms


def _rows(
    findings: list[Finding], platforms: tuple[str, ...], stages: _StageLines, role: Role
) -> list[Row]:
    rows = []
    # which targets each finding names, worked out once: thousands of offered platforms
    # times the findings must stay linear
    everything = set(platforms)
    named = [(finding, _names(finding, everything)) for finding in findings]
    for target in platforms:
        row = Row(target, "yes", [], role)
        unknowns: list[Reason] = []
        for finding, names in named:
            if target not in names:
                continue
            stage, _ = stages.stage(finding.line)
            reason = Reason(finding.name, finding.code, stage, finding.line, finding.message)
            if finding.breaks:
                row.reasons.append(reason)
            elif finding.code == _UNRESOLVED and stages.follows_target(finding.line):
                unknowns.append(reason)
        if row.reasons:
            row.status = "no"
        elif unknowns:
            row.status, row.reasons = "unknown", unknowns
        rows.append(row)
    return rows


def _offered(bases: BaseImages, analysis: Analysis) -> list[str]:
    """The platforms the final image's base exists for (when it follows the target)."""
    root = bases.root(analysis.stages[-1].stage.index)
    if root is None or any(item.stage.platform for item in stage_chain(analysis.stages[-1])):
        return []
    resolution: Resolution | None = root.resolution
    if resolution is None or not resolution.known:
        return []
    seen: dict[str, None] = {}  # ordered, and linear for an index of thousands
    for item in resolution.platforms:
        seen.setdefault(Platform.parse(item.target).target)
    return list(seen)


def file_matrix(path: Path, shown: str, options: Options) -> FileMatrix:
    """The matrix of one file; a bad file is an error row, a bad config file raises."""
    from dflint.lint.engine import config_for, has_template_markup
    from dflint.read.parser import parse_bytes

    try:
        config = config_for(path, options)
        dockerfile = parse_bytes(read_input(path), shown)
    except IsADirectoryError:
        return FileMatrix(shown, error="is a directory")
    except FileNotFoundError:
        return FileMatrix(shown, error="no such file or directory")
    except OSError as exc:
        return FileMatrix(shown, error=f"cannot read: {exc.strerror or exc}")
    except InputError as exc:
        return FileMatrix(shown, error=f"{exc.line}:{exc.column}: {exc.message}")
    if has_template_markup("\n".join(dockerfile.lines)):
        return FileMatrix(shown, error="skipped: template markup ({{ }}, {% %} or <% %})")
    return matrix_for(dockerfile, options, config)


# --- output ------------------------------------------------------------------------------------


def render_json(matrices: Iterable[FileMatrix]) -> str:
    from dflint.report.formatters import json_text

    return json_text({"version": 1, "files": [item.to_dict() for item in matrices]})


def render_text(matrices: Iterable[FileMatrix], unicode: bool = True) -> str:
    marks = _MARKS if unicode else _ASCII_MARKS
    blocks = []
    for item in matrices:
        if item.error is not None:
            separator = ":" if item.error[:1].isdigit() else ": "  # path:line:column: message
            blocks.append(f"{item.path}{separator}{item.error}")
            continue
        lines = [f"{item.path}  (targets from {item.targets_from})"]
        if item.own is not None:
            lines.append(f"  the file says it is for: {item.own}")
        images = [base for base in item.bases if base.kind != "stage"]
        if images:
            lines.append("  base images:")
            width = max(len(base.shown) for base in images)
            for base in images:
                lines.append(
                    f"    line {base.facts.stage.from_instruction.start_line:<4} "
                    f"{base.shown.ljust(width)}  {_base_summary(base)}"
                )
        shown = [row for row in item.rows if row.role != "other-os"]
        width = max([len(row.platform) for row in shown] + [len("platform")])
        lines.append(f"  {'platform'.ljust(width)}  buildable")
        offered_header = False
        for row in shown:
            if row.role == "offered" and not offered_header:
                lines.append("  other platforms the base image offers:")
                offered_header = True
            mark = marks[row.status]
            first = row.reasons[0].shown if row.reasons else ""
            lines.append(f"  {row.platform.ljust(width)}  {mark:<3} {first}".rstrip())
            for reason in row.reasons[1:]:
                lines.append(f"  {' ' * width}      {reason.shown}")
        if item.left_out:
            lines.append(f"  left to another OS's Dockerfile: {', '.join(item.left_out)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _base_summary(base: StageBase) -> str:
    flag = f"--platform={base.facts.stage.platform}  " if base.facts.stage.platform else ""
    if base.kind == "scratch":
        return f"{flag}empty image: every platform"
    resolution = base.resolution
    if resolution is None:
        return flag.strip()
    if not resolution.known:
        return f"{flag}unknown: {resolution.reason}"
    partial = "" if resolution.complete else "at least "
    return f"{flag}{partial}{describe(resolution.platforms)}  [{resolution.explained}]"
