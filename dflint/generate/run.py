"""What ``dflint fix`` and ``dflint render`` do, apart from reading the command line.

Every command here first computes all the files it would write, checks each variant
(it must parse, and it is linted for its own platform), and only then previews (``--diff``)
or writes them. Output follows the pre-commit convention: ``Fixing <path>`` for each file
written.

Exit codes of ``fix --os``/``--platforms``: 0 the variants are written (or already up to
date) and complete; 1 they are written but some lines could not be translated (each is
listed, and marked in the file) or a variant has findings; 2 an error: unreadable input, a
source OS the content does not tell, a write refused or failed. With ``--check`` (or
``--diff``) nothing is written: 0 every variant is up to date, 1 one is stale or missing.
``fix --multiarch`` and ``render``: 0 nothing to change; 1 a file changed (or would change)
or something could not be translated; 2 an error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from dflint import lazyre
from dflint.analyse.analysis import analyze
from dflint.analyse.targets import DEFAULT_TARGETS
from dflint.core.findings import Finding, Severity
from dflint.core.platform import Platform
from dflint.errors import DflintError, InputError
from dflint.generate import layout
from dflint.generate.files import (
    Change,
    WriteError,
    read_bytes,
    refusal,
    unified_diff,
    write_atomic,
)
from dflint.generate.paths import TargetOS
from dflint.generate.translator import (
    UNTRANSLATED,
    ShellChoice,
    UnknownSourceOS,
    platform_suffix,
    source_platform,
    translate,
)
from dflint.lint.engine import Options, config_for, lint_bytes
from dflint.read.fileio import check_input, printable_name, read_input, real_path, same_file
from dflint.read.parser import parse_bytes, parse_text
from dflint.settings.config import Config

EXIT_CLEAN = 0
EXIT_CHANGED = 1
EXIT_INCOMPLETE = 1  # variants written, with untranslated lines (or --check: stale)
EXIT_ERROR = 2

Echo = Callable[[str], None]
_SUFFIX = lazyre.compile(r"\.(?:linux|windows)(?:-[a-z0-9]+)*\Z", re.I)
_TEMPLATE_SUFFIX = lazyre.compile(r"\.(?:j2|jinja2?)\Z", re.I)


@dataclass(slots=True)
class Outcome:
    """What a command found, changed and failed at; ``exit_code`` sums it up."""

    out: Echo
    err: Echo
    changed: bool = False
    problems: bool = False  # untranslated lines, refused writes, findings in a variant
    errors: bool = False
    variants: bool = False  # fix --os/--platforms: the exit code says written vs complete
    checking: bool = False  # --check or --diff: nothing is written
    stale: bool = False  # a variant is missing or out of date

    def exit_code(self) -> int:
        if self.errors:
            return EXIT_ERROR
        if self.variants and self.checking:
            return EXIT_INCOMPLETE if self.stale else EXIT_CLEAN
        if self.variants:
            return EXIT_INCOMPLETE if self.problems else EXIT_CLEAN
        return EXIT_CHANGED if self.changed or self.problems else EXIT_CLEAN


@dataclass(slots=True)
class Request:
    """``dflint fix``: which mode, and how to write."""

    paths: list[tuple[Path, str]]  # (file, as shown)
    os: TargetOS | None = None
    from_os: TargetOS | None = None  # the OS of stages whose content does not say
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
    check: bool = False
    options: Options = field(default_factory=Options)


def variant_name(source: str, platform: Platform, per_platform: bool) -> str:
    """``Dockerfile`` → ``Dockerfile.windows`` (``--os``) or ``Dockerfile.linux-amd64``."""
    suffix = platform_suffix(platform) if per_platform else platform.os
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
    variants = not request.multiarch
    outcome = Outcome(
        out, err, variants=variants, checking=variants and (request.check or request.diff)
    )
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
        except UnknownSourceOS as exc:  # says the line, not the file: name it
            err(f"dflint: error: {shown}: {exc}")
            outcome.errors = True
        except DflintError as exc:
            err(f"dflint: error: {exc}")
            outcome.errors = True
    if request.check:
        report_stale(changes, outcome)
    else:
        apply_changes(changes, request.diff, request.write, request.force, outcome)
    return outcome.exit_code()


def report_stale(changes: list[Change], outcome: Outcome) -> None:
    """--check: name every variant that is missing or out of date; write nothing."""
    for change in changes:
        if change.old is None:
            outcome.err(f"dflint: {change.shown}: missing (run dflint fix to write it)")
            outcome.stale = True
        elif change.changed:
            outcome.err(f"dflint: {change.shown}: out of date (run dflint fix --write)")
            outcome.stale = True


# --- --os and --platforms ----------------------------------------------------------------


def _variants(path: Path, shown: str, request: Request, outcome: Outcome) -> list[Change]:
    data = _read(path, shown, outcome)
    if data is None:
        return []
    config = config_for(path, request.options)
    dockerfile = parse_bytes(data, shown)
    analysis = analyze(dockerfile)
    source = source_platform(dockerfile, analysis, request.from_os)
    per_platform = bool(request.platforms)
    if per_platform:
        platforms = request.platforms
    elif request.os == "windows":
        platforms = (Platform("windows", "amd64"),)
    else:
        arch = source.architecture if source.os == "linux" else "amd64"
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
        f"dflint fix {quoted} --platforms {','.join(str(p) for p in platforms)}"
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
        plan = translate(
            dockerfile,
            analysis,
            platform,
            request.shell,
            config.fix,
            in_place,
            request.from_os,
            _shell_lookup(config, request.options),
        )
        for problem in [] if request.check else plan.problems:
            # --check says only what is stale; the variant itself carries its markers
            label = "untranslated" if problem.untranslated else "note"
            outcome.err(
                f"dflint: {shown}:{problem.line}: {label} for {platform}: {problem.message}"
            )
            if problem.untranslated:
                outcome.problems = True
        shown_target = _shown(target, folder, shown_folder)
        if plan.identical and in_place:
            text = data.decode("utf-8", errors="surrogateescape")
        else:
            from dflint.generate.render import render_plan

            header = layout.header("fix", plan.source, str(platform), command)
            text = render_plan(plan, header, request.template)
        if _check_variant(text, shown_target, platform, request.options, config, outcome):
            changes.append(
                Change(target, shown_target, read_bytes(target), text, variant=not in_place)
            )
        written.append((platform, name))
    if per_platform:
        changes += _publishing(folder, shown_folder, written, source_name, path, request)
    return changes


def _shell_lookup(config: Config, options: Options) -> Callable[[str], tuple[str, ...] | None]:
    """The shell a Windows base runs: dflint's tables first, then the image's own config from
    its registry (unless offline), where an image without Shell runs Windows' default, cmd."""
    from dflint.generate.images import CMD_SHELL, known_shell

    def lookup(image: str) -> tuple[str, ...] | None:
        found = known_shell(image)
        if found is not None or options.offline or config.offline:
            return found
        from dflint.core.reference import ReferenceError, parse_reference
        from dflint.registry.resolver import resolver_for

        try:
            ref = parse_reference(image)
        except ReferenceError:
            return None
        shell = resolver_for(config.registry).shell(ref, "windows", "amd64")
        if shell == ():
            return CMD_SHELL
        return shell

    return lookup


def _publishing(
    folder: Path,
    shown_folder: str,
    written: list[tuple[Platform, str]],
    source: str,
    path: Path,
    request: Request,
) -> list[Change]:
    from dflint.generate import publish

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
        platforms=(str(platform),),
        select=options.select,
        ignore=options.ignore,
        config_path=options.config_path,
        no_config=options.no_config,
        offline=options.offline,
    )
    result = lint_bytes(text.encode("utf-8", errors="surrogateescape"), shown, check, config)
    marked = marked_lines(text)
    for finding in _reportable(result.findings, config):
        if finding.line in marked:
            continue  # a line kept as it was, already reported as untranslated
        outcome.err(
            f"dflint: {shown}:{finding.line}:{finding.column}: {finding.code} "
            f"[{platform}] {finding.message}"
        )
        outcome.problems = True
    return True


def marked_lines(text: str) -> set[int]:
    """The lines a variant keeps as they were under a ``# dflint: untranslated`` marker: the
    instruction after each marker, and the whole stage after a marked FROM."""
    try:
        dockerfile = parse_text(text, "Dockerfile")
    except InputError:
        return set()
    markers = {item.line for item in dockerfile.comments if UNTRANSLATED in item.text}
    lines: set[int] = set()
    stage_ends: dict[int, int] = {}
    for index, stage in enumerate(dockerfile.stages):
        following = dockerfile.stages[index + 1] if index + 1 < len(dockerfile.stages) else None
        end = following.from_instruction.start_line - 1 if following else len(dockerfile.lines)
        stage_ends[stage.from_instruction.start_line] = end
    for instruction in dockerfile.instructions:
        above = instruction.start_line - 1
        while (
            above > 0
            and above not in markers
            and dockerfile.lines[above - 1].lstrip().startswith("#")
        ):
            above -= 1
        if above not in markers:
            continue
        last = stage_ends.get(instruction.start_line, instruction.end_line)
        lines.update(range(instruction.start_line, last + 1))
    return lines


def _reportable(findings: list[Finding], config: Config) -> list[Finding]:
    threshold = config.failure_threshold
    if threshold == "none":
        return []
    rank = Severity.parse(threshold).rank
    return [finding for finding in findings if finding.severity.rank >= rank]


# --- --multiarch -------------------------------------------------------------------------


def _multiarch(path: Path, shown: str, request: Request, outcome: Outcome) -> list[Change]:
    from dflint.generate.fixes import fix_text

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
            outcome.stale = True
            continue
        reason = refusal(change, write, force)
        if reason is not None:
            outcome.err(f"dflint: {change.shown}: {reason}")
            outcome.problems = True
            outcome.errors = outcome.errors or outcome.variants
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
    """What ``dflint render`` is asked to do: the template, the platforms and the output."""

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
    return f"{base}.{platform_suffix(platform)}"


def run_render(request: RenderRequest, out: Echo, err: Echo) -> int:
    from dflint.generate.render import RenderContext, TemplateError, render_user_template

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
        command = f"dflint render {template.name} --platforms {platform}"
        header = layout.header("render", template.name, str(platform), command)
        try:
            text = render_user_template(template, context, header)
        except TemplateError as exc:
            err(f"dflint: error: {exc} (for {platform})")
            outcome.errors = True
            continue
        for problem in context.problems:
            err(f"dflint: {request.shown}: untranslated for {platform}: {problem}")
            outcome.problems = True
        target = folder / rendered_name(template.name, platform)
        shown = _shown(target, folder, shown_folder)
        if _check_variant(text, shown, platform, request.options, config, outcome):
            changes.append(Change(target, shown, read_bytes(target), text, variant=True))
    if not outcome.errors:
        apply_changes(changes, request.diff, request.write, request.force, outcome)
    return outcome.exit_code()
