"""``dflint platforms``: for each Dockerfile, which target platforms it can be built for.

The targets are the configured ones (``--platform``, config, a ``# dflint: platform=``
comment, the file's name, ...), or, when nothing names them, every platform the final
stage's base image offers. A target is not buildable (✗) when a stage the final image needs
has a base without that platform, is pinned to another platform by a constant ``--platform``,
or is known to be of another operating system; or when a rule listed in
:data:`BLOCKING_RULES` reports something that breaks that platform (the hook for hard-coded
architecture downloads). It is unknown (?) when a base image's platforms could not be found
out. Stages built on ``$BUILDPLATFORM`` run on the build machine and do not limit targets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from dflint.analysis import analyze
from dflint.errors import InputError
from dflint.platforms.lint import bases_for, read_regular_file
from dflint.platforms.platform import Platform, describe
from dflint.platforms.stages import StageBase, copied_into_final, stage_chain
from dflint.targets import DEFAULT_TARGETS, resolve_targets

if TYPE_CHECKING:
    from dflint.config import Config
    from dflint.engine import Options
    from dflint.model import Dockerfile

Status = Literal["yes", "no", "unknown"]

# Rules whose findings break the platforms they name (Violation.platform, comma-separated),
# with the reason kind they stand for in the matrix. A rule that is not installed is skipped.
BLOCKING_RULES: dict[str, str] = {
    "DF306": "hard-coded-download",
    "DF307": "hard-coded-build-flag",
}
_MARKS = {"yes": "✓", "no": "✗", "unknown": "?"}
_ASCII_MARKS = {"yes": "yes", "no": "no", "unknown": "?"}


@dataclass(slots=True)
class Reason:
    kind: str  # base-lacks-platform, constant-platform, os-mismatch, unresolved, or a rule's
    stage: str
    line: int
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "stage": self.stage, "line": self.line, "message": self.message}


@dataclass(slots=True)
class Row:
    platform: str
    status: Status
    reasons: list[Reason] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "buildable": {"yes": True, "no": False, "unknown": None}[self.status],
            "reasons": [reason.to_dict() for reason in self.reasons],
        }


@dataclass(slots=True)
class FileMatrix:
    path: str
    targets: tuple[str, ...] = ()
    targets_from: str = ""
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
            "bases": [_base_dict(base) for base in self.bases],
            "platforms": [row.to_dict() for row in self.rows],
        }


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


def _where(base: StageBase) -> str:
    stage = base.facts.stage
    return f"`{base.shown}` (stage {stage.name}, line {stage.from_instruction.start_line})"


def _offered_targets(base: StageBase | None) -> tuple[str, ...]:
    if base is None or base.resolution is None or not base.resolution.known:
        return ()
    seen: dict[str, None] = {}  # ordered, and linear for an index of thousands
    for item in base.resolution.platforms:
        seen.setdefault(item.target)
    return tuple(seen)


def matrix_for(
    dockerfile: Dockerfile, options: Options, config: Config, extra_findings: bool = True
) -> FileMatrix:
    analysis = analyze(dockerfile)
    result = FileMatrix(dockerfile.path)
    if not analysis.stages:
        result.error = "no FROM instruction"
        return result
    bases = bases_for(analysis, config, options.offline, options.base_images)
    result.bases = list(bases)
    targets = resolve_targets(analysis, options.platforms, config.platforms)
    final = analysis.stages[-1]
    if targets.explicit:
        result.targets, result.targets_from = targets.platforms, targets.source
    else:
        root = bases.root(final.stage.index)
        offered = _offered_targets(root)
        if offered and root is not None:
            result.targets = offered
            result.targets_from = f"the platforms of the final stage's base `{root.shown}`"
        else:
            result.targets, result.targets_from = DEFAULT_TARGETS, "default"
    final_chain = stage_chain(final)
    in_final_chain = {id(item) for item in final_chain}
    needed = [*final_chain, *copied_into_final(analysis)]
    needed_bases = [bases.for_stage(item.stage.index) for item in needed]
    blocking = _blocking(dockerfile, options, config, result.targets) if extra_findings else []
    for text in result.targets:
        try:
            target = Platform.parse(text)
        except ValueError:
            continue
        row = Row(target.target, "yes")
        unknowns: list[Reason] = []
        for base in needed_bases:
            if base is None:
                continue
            _judge(base, target, id(base.facts) in in_final_chain, row.reasons, unknowns)
        for reason, platforms in blocking:
            if platforms is None or target.target in platforms:
                row.reasons.append(reason)
        if row.reasons:
            row.status = "no"
        elif unknowns:
            row.status, row.reasons = "unknown", unknowns
        result.rows.append(row)
    return result


def _judge(
    base: StageBase,
    target: Platform,
    in_final_chain: bool,
    reasons: list[Reason],
    unknowns: list[Reason],
) -> None:
    stage = base.facts.stage
    line = stage.from_instruction.start_line
    pinned = base.pinned_platform
    if pinned is not None and in_final_chain and not pinned.serves(target):
        reasons.append(
            Reason(
                "constant-platform",
                stage.name,
                line,
                f"stage {stage.name} (line {line}) is pinned to {pinned.target} by "
                f"`--platform={stage.platform}`",
            )
        )
    if base.kind in ("stage", "scratch") or base.on_build_platform:
        return
    wanted = pinned if pinned is not None else (target if base.follows_target else None)
    resolution = base.resolution
    if wanted is None or resolution is None:
        return
    covered = resolution.covers(wanted)
    if covered is False:
        where = "" if resolution.source == "registry" else f" (per {resolution.source})"
        reasons.append(
            Reason(
                "base-lacks-platform",
                stage.name,
                line,
                f"{_where(base)} has no {wanted.target} image; it exists for "
                f"{describe(resolution.platforms)}{where}",
            )
        )
    elif covered is None:
        stage_os = base.facts.os
        if stage_os != "unknown" and stage_os != wanted.os:
            reasons.append(
                Reason(
                    "os-mismatch",
                    stage.name,
                    line,
                    f"stage {stage.name} (line {line}) is a {stage_os.capitalize()} stage "
                    f"({base.facts.os_evidence}), not {wanted.os}",
                )
            )
        elif not resolution.known:
            unknowns.append(
                Reason("unresolved", stage.name, line, f"{_where(base)}: {resolution.reason}")
            )
        else:
            unknowns.append(
                Reason(
                    "unresolved",
                    stage.name,
                    line,
                    f"{_where(base)}: {resolution.source} lists only "
                    f"{describe(resolution.platforms)}",
                )
            )


def _blocking(
    dockerfile: Dockerfile, options: Options, config: Config, targets: tuple[str, ...]
) -> list[tuple[Reason, frozenset[str] | None]]:
    """Findings of the BLOCKING_RULES that are installed, with the platforms they break."""
    from dataclasses import replace

    from dflint.engine import lint_dockerfile
    from dflint.registry import all_rules

    installed = {rule.code for rule in all_rules()}
    codes = tuple(code for code in BLOCKING_RULES if code in installed)
    if not codes:
        return []
    scoped = replace(options, platforms=targets, select=codes, ignore=())
    found = []
    for finding in lint_dockerfile(dockerfile, scoped, config).findings:
        kind = BLOCKING_RULES.get(finding.code)
        if kind is None:
            continue
        platforms = (
            frozenset(part.strip() for part in finding.platform.split(","))
            if finding.platform and finding.platform != "any"
            else None
        )
        message = f"line {finding.line}: {finding.message} ({finding.code})"
        found.append((Reason(kind, "", finding.line, message), platforms))
    return found


def file_matrix(path: Path, shown: str, options: Options) -> FileMatrix:
    """The matrix of one file; a bad file is an error row, a bad config file raises."""
    from dflint.engine import config_for, has_template_markup
    from dflint.parser import parse_bytes

    try:
        config = config_for(path, options)
        dockerfile = parse_bytes(read_regular_file(path), shown)
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
    from dflint.formatters import json_text

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
        images = [base for base in item.bases if base.kind != "stage"]
        if images:
            lines.append("  base images:")
            width = max(len(base.shown) for base in images)
            for base in images:
                lines.append(
                    f"    line {base.facts.stage.from_instruction.start_line:<4} "
                    f"{base.shown.ljust(width)}  {_base_summary(base)}"
                )
        width = max([len(row.platform) for row in item.rows] + [len("platform")])
        lines.append(f"  {'platform'.ljust(width)}  buildable")
        for row in item.rows:
            mark = marks[row.status]
            first = row.reasons[0].message if row.reasons else ""
            lines.append(f"  {row.platform.ljust(width)}  {mark:<3} {first}".rstrip())
            for reason in row.reasons[1:]:
                lines.append(f"  {' ' * width}      {reason.message}")
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
