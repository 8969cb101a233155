"""What ``dflint fix`` and ``dflint render`` do, apart from reading the command line.

Every command here first computes all the files it would write, checks each variant
(it must parse, and it is linted for its own platform), and only then previews (``--diff``)
or writes them. Output follows the pre-commit convention: ``Fixing <path>`` for each file
changed, and exit code 1 when something changed, so a hook run fails and shows the change.

Exit codes: 0 nothing to change; 1 a file changed (or would change), something could not
be translated, or a variant has findings; 2 an input, config or write error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from dflint.analysis import analyze
from dflint.config import Config
from dflint.engine import Options, config_for, lint_bytes
from dflint.errors import DflintError, InputError
from dflint.fileio import check_input, printable_name, read_input, real_path, same_file
from dflint.findings import Finding, Severity
from dflint.generator import layout
from dflint.generator.files import (
    Change,
    WriteError,
    read_bytes,
    refusal,
    unified_diff,
    write_atomic,
)
from dflint.generator.paths import TargetOS
from dflint.generator.translator import Platform, ShellChoice, source_platform, translate
from dflint.parser import parse_bytes, parse_text
from dflint.targets import DEFAULT_TARGETS

EXIT_CLEAN = 0
EXIT_CHANGED = 1
EXIT_ERROR = 2

Echo = Callable[[str], None]
_SUFFIX = re.compile(r"\.(?:linux|windows)(?:-[a-z0-9]+)*\Z", re.I)
_TEMPLATE_SUFFIX = re.compile(r"\.(?:j2|jinja2?)\Z", re.I)


@dataclass(slots=True)
class Outcome:
    """What a command found, changed and failed at; ``exit_code`` sums it up."""

    out: Echo
    err: Echo
    changed: bool = False
    problems: bool = False  # untranslated lines, refused writes, findings in a variant
    errors: bool = False

    def exit_code(self) -> int:
        if self.errors:
            return EXIT_ERROR
        return EXIT_CHANGED if self.changed or self.problems else EXIT_CLEAN


@dataclass(slots=True)
class Request:
    """``dflint fix``: which mode, and how to write."""

    paths: list[tuple[Path, str]]  # (file, as shown)
    os: TargetOS | None = None
    platforms: tuple[Platform, ...] = ()
    multiarch: bool = False
    shell: ShellChoice | None = None
    template: Path | None = None
    output_dir: Path | None = None
    image: str | None = None
    diff: bool = False
    write: bool = False
    force: bool = False
    unsafe: bool = False
    options: Options = field(default_factory=Options)


def variant_name(source: str, platform: Platform, per_platform: bool) -> str:
    """``Dockerfile`` → ``Dockerfile.windows`` (``--os``) or ``Dockerfile.linux-amd64``."""
    suffix = platform.suffix if per_platform else platform.os
    base = _SUFFIX.sub("", source)
    lowered = base.lower()
    if lowered.endswith(".dockerfile") and lowered != ".dockerfile":
        return f"{base[: -len('.dockerfile')]}.{suffix}{base[-len('.dockerfile') :]}"
    return f"{base}.{suffix}"


def _shown(path: Path, folder: Path, shown_folder: str) -> str:
    relative = path.name if path.parent == folder else str(path)
    return f"{shown_folder}/{relative}" if shown_folder not in ("", ".") else relative


def _read(path: Path, shown: str, outcome: Outcome) -> bytes | None:
    try:
        return read_input(path)
    except InputError as exc:
        outcome.err(f"dflint: error: {shown}: {exc.message}")
    outcome.errors = True
    return None


def _output_dir_problem(folder: Path | None) -> str | None:
    """A folder to write into must be one (it is created when missing, at write time)."""
    if folder is None or not os.path.lexists(folder) or os.path.isdir(folder):
        return None
    return f"--output-dir: {folder}: not a folder"


def run_fix(request: Request, out: Echo, err: Echo) -> int:
    outcome = Outcome(out, err)
    problem = _output_dir_problem(request.output_dir)
    if problem is not None:
        err(f"dflint: error: {problem}")
        return EXIT_ERROR
    changes: list[Change] = []
    for path, shown in request.paths:
        try:
            if request.multiarch:
                changes += _multiarch(path, shown, request, outcome)
            else:
                changes += _variants(path, shown, request, outcome)
        except DflintError as exc:
            err(f"dflint: error: {exc}")
            outcome.errors = True
    apply_changes(changes, request.diff, request.write, request.force, outcome)
    return outcome.exit_code()


# --- --os and --platforms ----------------------------------------------------------------


def _variants(path: Path, shown: str, request: Request, outcome: Outcome) -> list[Change]:
    data = _read(path, shown, outcome)
    if data is None:
        return []
    config = config_for(path, request.options)
    dockerfile = parse_bytes(data, shown)
    analysis = analyze(dockerfile)
    source = source_platform(dockerfile, analysis)
    per_platform = bool(request.platforms)
    if per_platform:
        platforms = request.platforms
    elif request.os == "windows":
        platforms = (Platform("windows", "amd64"),)
    else:
        arch = source.arch if source.os == "linux" else "amd64"
        platforms = (Platform("linux", arch, source.variant if source.os == "linux" else ""),)
    folder = request.output_dir or path.parent
    shown_folder = shown.rsplit("/", 1)[0] if "/" in shown else ""
    if request.output_dir is not None:
        shown_folder = str(request.output_dir)
    original = layout.generated_from(dockerfile)
    source_name = original[0] if original else path.name
    for name in dict.fromkeys((path.name, source_name)):
        _check_name(name, shown)
    quoted = layout.shell_word(source_name)
    command = (
        f"dflint fix {quoted} --platforms {','.join(p.text for p in platforms)}"
        if per_platform
        else f"dflint fix {quoted} --os {platforms[0].os}"
    )
    changes: list[Change] = []
    written: list[tuple[Platform, str]] = []
    for platform in platforms:
        name = variant_name(path.name, platform, per_platform)
        target = folder / name
        in_place = same_file(target, path)
        if original and name == original[0] and not in_place and folder == path.parent:
            # the file this one was generated from: the source of truth, never regenerated
            written.append((platform, name))
            continue
        plan = translate(dockerfile, analysis, platform, request.shell, config.fix, in_place)
        for problem in plan.problems:
            label = "untranslated" if problem.untranslated else "note"
            outcome.err(
                f"dflint: {shown}:{problem.line}: {label} for {platform.text}: {problem.message}"
            )
            if problem.untranslated:
                outcome.problems = True
        shown_target = _shown(target, folder, shown_folder)
        if plan.identical and in_place:
            text = data.decode("utf-8", errors="surrogateescape")
        else:
            from dflint.generator.render import render_plan

            header = layout.header("fix", plan.source, platform.text, command)
            text = render_plan(plan, header, request.template)
        if _check_variant(text, shown_target, platform, request.options, config, outcome):
            changes.append(
                Change(target, shown_target, read_bytes(target), text, variant=not in_place)
            )
        written.append((platform, name))
    if per_platform:
        changes += _publishing(folder, shown_folder, written, source_name, path, request)
    return changes


def _publishing(
    folder: Path,
    shown_folder: str,
    written: list[tuple[Platform, str]],
    source: str,
    path: Path,
    request: Request,
) -> list[Change]:
    from dflint.generator import publish

    image = request.image or _default_image(path)
    context = _relative(path.parent, folder)
    folder_from_context = _relative(folder, path.parent)
    for name in (context, folder_from_context):
        _check_name(name, f"the build context {name!r}")
    bake = publish.bake_file(written, image, source, context, folder_from_context)
    manifest = publish.manifest_script(written, image, source, context)
    changes = []
    for name, text in ((publish.BAKE_FILE, bake), (publish.MANIFEST_SCRIPT, manifest)):
        target = folder / name
        changes.append(
            Change(target, _shown(target, folder, shown_folder), read_bytes(target), text, True)
        )
    return changes


def _check_name(name: str, shown: str) -> None:
    """Refuse a name that the generated files could not hold (a newline, bytes that are not
    UTF-8): quoting can carry anything else."""
    problem = layout.name_problem(name)
    if problem is not None:
        raise DflintError(f"{shown}: cannot be named in the generated files: {problem}")


def _relative(target: Path, start: Path) -> str:
    """``target`` relative to ``start`` (both real paths), with forward slashes: the build
    context as seen from where the plan is written, or the reverse."""
    real_target = real_path(target if str(target) else ".")
    try:
        relative = os.path.relpath(real_target, real_path(start if str(start) else "."))
    except ValueError:  # another drive on Windows
        relative = real_target
    return relative.replace(os.sep, "/")


def _default_image(path: Path) -> str:
    """The image name when --image is not given: the project folder's name, made valid."""
    folder = Path(real_path(path)).parent.name.lower()
    name = re.sub(r"[^a-z0-9._-]+", "-", folder).strip("-._")
    return name or "app"


def _check_variant(
    text: str, shown: str, platform: Platform, options: Options, config: Config, outcome: Outcome
) -> bool:
    """A variant must parse (else it is not written), and should lint clean for its platform."""
    try:
        parse_text(text, shown)
    except InputError as exc:
        outcome.err(f"dflint: error: {shown} would not parse: {exc}")
        outcome.errors = True
        return False
    check = Options(
        platforms=(platform.text,),
        select=options.select,
        ignore=options.ignore,
        config_path=options.config_path,
        no_config=options.no_config,
        offline=options.offline,
    )
    result = lint_bytes(text.encode("utf-8", errors="surrogateescape"), shown, check, config)
    for finding in _reportable(result.findings, config):
        outcome.err(
            f"dflint: {shown}:{finding.line}:{finding.column}: {finding.code} "
            f"[{platform.text}] {finding.message}"
        )
        outcome.problems = True
    return True


def _reportable(findings: list[Finding], config: Config) -> list[Finding]:
    threshold = config.failure_threshold
    if threshold == "none":
        return []
    rank = Severity.parse(threshold).rank
    return [finding for finding in findings if finding.severity.rank >= rank]


# --- --multiarch -------------------------------------------------------------------------


def _multiarch(path: Path, shown: str, request: Request, outcome: Outcome) -> list[Change]:
    from dflint.generator.fixes import fix_text

    data = _read(path, shown, outcome)
    if data is None:
        return []
    config = config_for(path, request.options)
    options = request.options
    if not options.platforms and not config.platforms:
        # a file pinned to one platform would be judged for that one alone: make it portable
        # for the usual pair unless told otherwise
        options = replace(options, platforms=DEFAULT_TARGETS)
    # bytes that are not UTF-8 ride along as surrogate escapes and are written back as such
    text = data.decode("utf-8", errors="surrogateescape")
    result = fix_text(text, shown, options, config, unsafe=request.unsafe)
    if result.error is not None:
        outcome.err(f"dflint: error: {shown}: {result.error}")
        outcome.errors = True
        return []
    for applied in result.applied:
        outcome.err(f"dflint: {shown}:{applied.line}: {applied.code}: {applied.description}")
    if result.unsafe_skipped:
        outcome.err(
            f"dflint: {shown}: {result.unsafe_skipped} more fix(es) available with --unsafe-fixes"
        )
    return [Change(path, shown, data, result.text, variant=False)]


# --- writing -----------------------------------------------------------------------------


def apply_changes(
    changes: list[Change], diff: bool, write: bool, force: bool, outcome: Outcome
) -> None:
    """Preview or write every change, never overwriting what the options do not allow."""
    for change in changes:
        if not change.changed:
            continue
        if diff:
            outcome.out(unified_diff(change.shown, change.old_text, change.new).rstrip("\n"))
            outcome.changed = True
            continue
        reason = refusal(change, write, force)
        if reason is not None:
            outcome.err(f"dflint: {change.shown}: {reason}")
            outcome.problems = True
            continue
        try:
            if change.variant:  # --output-dir may name a folder that is not there yet
                change.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(change.path, change.data, change.old)
        except OSError as exc:
            outcome.err(f"dflint: error: {change.path.parent}: cannot create: {exc.strerror}")
            outcome.errors = True
            continue
        except WriteError as exc:
            outcome.err(f"dflint: error: {exc}")
            outcome.errors = True
            continue
        outcome.out(f"Fixing {printable_name(change.shown)}")
        outcome.changed = True


# --- dflint render -----------------------------------------------------------------------


@dataclass(slots=True)
class RenderRequest:
    template: Path
    shown: str
    platforms: tuple[Platform, ...]
    shell: ShellChoice | None = None
    output_dir: Path | None = None
    diff: bool = False
    write: bool = False
    force: bool = False
    options: Options = field(default_factory=Options)


def rendered_name(template: str, platform: Platform) -> str:
    """``Dockerfile.j2`` → ``Dockerfile.linux-amd64``."""
    base = _TEMPLATE_SUFFIX.sub("", template)
    return f"{base}.{platform.suffix}"


def run_render(request: RenderRequest, out: Echo, err: Echo) -> int:
    from dflint.generator.render import RenderContext, TemplateError, render_user_template

    outcome = Outcome(out, err)
    template = request.template
    problem = check_input(template)
    if problem is not None:
        err(f"dflint: error: {request.shown}: {problem}")
        return EXIT_ERROR
    problem = _output_dir_problem(request.output_dir)
    if problem is not None:
        err(f"dflint: error: {problem}")
        return EXIT_ERROR
    try:
        config = config_for(template, request.options)
    except DflintError as exc:
        err(f"dflint: error: {exc}")
        return EXIT_ERROR
    folder = request.output_dir or template.parent
    shown_folder = request.shown.rsplit("/", 1)[0] if "/" in request.shown else ""
    if request.output_dir is not None:
        shown_folder = str(request.output_dir)
    changes: list[Change] = []
    fix = config.fix
    for platform in request.platforms:
        context = RenderContext(platform, request.shell, fix.paths, fix.commands)
        command = f"dflint render {template.name} --platforms {platform.text}"
        header = layout.header("render", template.name, platform.text, command)
        try:
            text = render_user_template(template, context, header)
        except TemplateError as exc:
            err(f"dflint: error: {exc} (for {platform.text})")
            outcome.errors = True
            continue
        for problem in context.problems:
            err(f"dflint: {request.shown}: untranslated for {platform.text}: {problem}")
            outcome.problems = True
        target = folder / rendered_name(template.name, platform)
        shown = _shown(target, folder, shown_folder)
        if _check_variant(text, shown, platform, request.options, config, outcome):
            changes.append(Change(target, shown, read_bytes(target), text, variant=True))
    if not outcome.errors:
        apply_changes(changes, request.diff, request.write, request.force, outcome)
    return outcome.exit_code()
