"""The command line: `dflint lint`, `parse`, `rule`, `rules`.

Heavy modules (the engine, rules, formatters) are imported inside the commands so that
`dflint --help` and a pre-commit run stay quick to start.
"""

from __future__ import annotations

import contextlib
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from dflint import __version__
from dflint.app.options import (
    ConfigOption,
    IgnoreOption,
    NoConfigOption,
    OfflineOption,
    SelectOption,
)

if TYPE_CHECKING:
    from dflint.lint.engine import Options

app = typer.Typer(
    name="dflint",
    help="Lint Dockerfiles for portability across operating systems and CPU architectures.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class LintFormat(StrEnum):
    auto = "auto"
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"
    checkstyle = "checkstyle"
    gitlab = "gitlab"


class RulesFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


class ParseFormat(StrEnum):
    json = "json"
    text = "text"


class Threshold(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"
    none = "none"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dflint {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_callback(
    version: Annotated[
        Optional[bool],  # noqa: UP045 - typer needs Optional on 3.11
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = None,
) -> None:
    """dflint: make Dockerfiles portable across operating systems and CPU architectures."""


def _split(values: list[str] | None) -> tuple[str, ...]:
    items: list[str] = []
    for value in values or []:
        items += [part.strip() for part in value.split(",") if part.strip()]
    return tuple(items)


def _error(message: str) -> None:
    from dflint.read.fileio import printable_name

    typer.echo(f"dflint: error: {printable_name(message)}", err=True)


def _note(message: str) -> None:
    from dflint.read.fileio import printable_name

    typer.echo(f"dflint: {printable_name(message)}", err=True)


def _warn(message: str) -> None:
    from dflint.read.fileio import printable_name

    typer.echo(f"dflint: warning: {printable_name(message)}", err=True)


def _out(text: str, nl: bool = False) -> None:
    from dflint.read.fileio import write_stdout

    write_stdout(text + "\n" if nl else text)


@app.command()
def lint(
    paths: Annotated[
        Optional[list[Path]],  # noqa: UP045
        typer.Argument(
            help="Dockerfiles or folders to search.", show_default=False, readable=False
        ),
    ] = None,
    format: Annotated[
        LintFormat,
        typer.Option(
            "--format",
            "-f",
            help="Output format; auto is github inside GitHub Actions (on stdout), else text.",
        ),
    ] = LintFormat.auto,
    output_file: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--output-file", "-o", help="Write the report to this file.", readable=False),
    ] = None,
    platform: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--platform", help="Target platforms, e.g. linux/amd64,linux/arm64."),
    ] = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    failure_threshold: Annotated[
        Optional[Threshold],  # noqa: UP045
        typer.Option("--failure-threshold", help="Lowest severity that fails the run."),
    ] = None,
    config: ConfigOption = None,
    no_config: NoConfigOption = False,
    show_config: Annotated[
        bool,
        typer.Option(
            "--show-config",
            help="Print the settings that apply to PATH (default: .) and where each came from.",
        ),
    ] = False,
    jobs: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            "--jobs", "-j", min=1, help="Processes to use for many files (default: CPUs)."
        ),
    ] = None,
    offline: OfflineOption = False,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Fail the run when a base image cannot be resolved (DF207)."),
    ] = False,
) -> None:
    """Lint Dockerfiles. Exit 0: clean; 1: findings at or above the threshold; 2: error."""
    from dflint.errors import ConfigError
    from dflint.lint.engine import Options, config_for
    from dflint.lint.runner import lint_files
    from dflint.report.summary import EXIT_ERROR, Report

    platforms = _target_platforms(platform)
    codes = {"select": _split(select), "ignore": _split(ignore)}
    options = Options(
        platforms=platforms,
        select=tuple(c.upper() for c in codes["select"]),
        ignore=tuple(c.upper() for c in codes["ignore"]),
        failure_threshold=failure_threshold.value if failure_threshold else None,
        config_path=config,
        no_config=no_config,
        offline=offline,
    )
    try:
        _check_codes(options.select, "--select")
        _check_codes(options.ignore, "--ignore")
        if show_config:
            from dflint.app.showconfig import describe

            _out(describe(paths or [Path(".")], options))
            raise typer.Exit(0)
        if not paths:
            _error("no paths: name the Dockerfiles or folders to lint (e.g. `dflint lint .`)")
            raise typer.Exit(EXIT_ERROR)
        threshold = options.failure_threshold
        if threshold is None:
            threshold = config_for(Path.cwd() / "Dockerfile", options).failure_threshold
        report = Report(failure_threshold=threshold, fail_codes=("DF207",) if strict else ())
        files, report.input_errors = _gather(paths)
        if output_file is not None:
            _check_output_file(output_file, files)
        options = _with_base_images(files, options)
        for result in lint_files(files, options, jobs):
            shown = result.path
            report.files.append(result)
            if result.skipped:
                _note(f"{shown}: skipped: {result.skipped}")
            for message in result.internal_errors:
                _error(f"{shown}: internal error: {message}")
    except ConfigError as exc:
        _error(str(exc))
        raise typer.Exit(EXIT_ERROR) from None
    import os

    from dflint.report import formatters

    environ = os.environ if output_file is None else {}
    formatter = formatters.get(formatters.choose(format.value, environ))
    # NO_COLOR (no-color.org) turns colour off even on a terminal.
    colour = output_file is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    rendered = formatter.render(report, colour=colour)
    if output_file is not None:
        from dflint.read.fileio import WriteFailure, atomic_write

        try:
            atomic_write(output_file, rendered.encode("utf-8"))
        except WriteFailure as exc:
            _error(str(exc))
            raise typer.Exit(EXIT_ERROR) from None
    else:
        _out(rendered)
    raise typer.Exit(report.exit_code())


def _target_platforms(values: list[str] | None) -> tuple[str, ...]:
    """``--platform`` values, checked: a typo is exit 2 with a suggestion."""
    from dflint.core.platform import PlatformError, check_target

    found: list[str] = []
    for item in _split(values):
        try:
            found.append(check_target(item))
        except PlatformError as exc:
            _error(f"--platform: {exc}")
            raise typer.Exit(2) from None
    return tuple(found)


def _gather(paths: list[Path]) -> tuple[list[tuple[Path, str]], list[str]]:
    """The files to read under ``paths`` (as shown), and the paths that could not be used.

    A folder that could not be listed, or holds no Dockerfile, is a warning; a run that
    finds nothing at all to read is an error (a mistyped path must not pass CI)."""
    from dflint.read.discovery import display_path, search

    files: list[tuple[Path, str]] = []
    errors: list[str] = []
    empty: list[str] = []
    for item in search(paths):
        shown = display_path(item.path)
        if item.problem is not None:
            errors.append(shown)
            _error(f"{shown}: {item.problem}")
        elif item.warning == "no Dockerfiles found in this folder":
            empty.append(shown)
        elif item.warning is not None:
            _warn(f"{shown}: {item.warning}")
        else:
            files.append((item.path, shown))
    for shown in empty:
        if files or errors:
            _warn(f"no Dockerfiles found in {shown}")
        else:
            _error(f"no Dockerfiles found in {shown}")
            errors.append(shown)
    return files, errors


def _check_output_file(output_file: Path, files: list[tuple[Path, str]]) -> None:
    """A report must never replace one of the files it is about."""
    from dflint.read.fileio import same_file

    for path, shown in files:
        if same_file(output_file, path):
            _error(f"--output-file: {shown} is one of the files being linted; not overwritten")
            raise typer.Exit(2)


def _with_base_images(
    files: list[tuple[Path, str]], options: Options, always: bool = False
) -> Options:
    """Resolve the FROM images of every file at once, before the files are linted one by one
    (possibly in other processes, which then need no network)."""
    from dataclasses import replace

    from dflint.lint.bases import prefetch

    return replace(options, base_images=prefetch(files, options, always))


def _check_codes(codes: tuple[str, ...], option: str) -> None:
    from dflint.app.options import code_problem
    from dflint.errors import ConfigError

    problem = code_problem(codes, option)
    if problem is not None:
        raise ConfigError(problem)


@app.command()
def parse(
    file: Annotated[Path, typer.Argument(help="The Dockerfile to parse.", readable=False)],
    format: Annotated[ParseFormat, typer.Option("--format", "-f")] = ParseFormat.json,
) -> None:
    """Print the Dockerfile tree as dflint reads it (the same way BuildKit does)."""
    from dflint.errors import InputError
    from dflint.read.discovery import display_path
    from dflint.read.fileio import escape_surrogates
    from dflint.read.parser import buildkit_dump, dockerfile_dict, parse_file
    from dflint.report.formatters import json_text

    try:
        dockerfile = parse_file(str(file), display_path(file))
    except InputError as exc:
        _error(str(exc))
        raise typer.Exit(2) from None
    if format is ParseFormat.json:
        _out(json_text(dockerfile_dict(dockerfile), indent=2), nl=True)
    else:
        lines = [
            f"{instruction.start_line}-{instruction.end_line}: ({buildkit_dump(instruction)})\n"
            for instruction in dockerfile.instructions
        ]
        _out(escape_surrogates("".join(lines)))


@app.command()
def rule(
    code: Annotated[str, typer.Argument(help="A rule code such as DF301, or its name.")],
) -> None:
    """Show a rule's documentation."""
    from dflint.report.docs import render_rule, suggestion

    text = render_rule(code)
    if text is None:
        close = suggestion(code)
        _error(f"unknown rule {code!r}" + (f" (did you mean {close!r}?)" if close else ""))
        raise typer.Exit(2)
    _out(text)


@app.command("rules")
def list_rules(
    format: Annotated[RulesFormat, typer.Option("--format", "-f")] = RulesFormat.text,
) -> None:
    """List every rule: code, name, severity, platforms and whether it can fix."""
    from dflint.report import docs

    if format is RulesFormat.json:
        _out(docs.rules_json(), nl=True)
    elif format is RulesFormat.markdown:
        _out(docs.markdown_table(docs.DOCS_URL))
    else:
        _out(docs.rules_table(), nl=True)


class PlatformsFormat(StrEnum):
    text = "text"
    json = "json"


@app.command("platforms")
def platforms_command(
    paths: Annotated[
        list[Path], typer.Argument(help="Dockerfiles or folders to search.", readable=False)
    ],
    platform: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--platform", help="Target platforms, e.g. linux/amd64,windows/amd64."),
    ] = None,
    format: Annotated[
        PlatformsFormat, typer.Option("--format", "-f", help="Output format.")
    ] = PlatformsFormat.text,
    offline: OfflineOption = False,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Exit 1 also when a target's buildability is unknown."),
    ] = False,
    config: ConfigOption = None,
    no_config: NoConfigOption = False,
) -> None:
    """Show which target platforms each Dockerfile can be built for, and why not.

    Exit 0: every target is buildable (or unknown); 1: a target is not (with --strict, or may
    not be); 2: an error.
    """
    from dflint.app.matrix import file_matrix, render_json, render_text
    from dflint.errors import ConfigError
    from dflint.lint.engine import Options
    from dflint.read.fileio import escape_surrogates

    targets = _target_platforms(platform)
    options = Options(platforms=targets, config_path=config, no_config=no_config, offline=offline)
    files, failed = _gather(paths)
    errors = len(failed)
    try:
        options = _with_base_images(files, options, always=True)
        matrices = [file_matrix(path, shown, options) for path, shown in files]
    except ConfigError as exc:
        _error(str(exc))
        raise typer.Exit(2) from None
    if format is PlatformsFormat.json:
        _out(render_json(matrices), nl=True)
    else:
        encoding = getattr(sys.stdout, "encoding", None) or "ascii"
        try:
            "✓✗".encode(encoding)
            unicode = True
        except (UnicodeEncodeError, LookupError):
            unicode = False
        _out(escape_surrogates(render_text(matrices, unicode=unicode)))
    errors += sum(1 for item in matrices if item.error is not None)
    if errors:
        raise typer.Exit(2)
    statuses = {row.status for item in matrices for row in item.target_rows}
    raise typer.Exit(1 if "no" in statuses or (strict and "unknown" in statuses) else 0)


class VerifyFormat(StrEnum):
    auto = "auto"
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


@app.command("verify")
def verify_command(
    references: Annotated[
        list[str],
        typer.Argument(
            help="Images: a registry reference (tag or digest), oci:DIR[:tag], "
            "oci-archive:FILE, docker-archive:FILE or a `docker save` tarball.",
            show_default=False,
        ),
    ],
    platform: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--platform", help="Platforms the image must have (default: config's)."),
    ] = None,
    format: Annotated[
        VerifyFormat,
        typer.Option("--format", "-f", help="Output format; auto is github in GitHub Actions."),
    ] = VerifyFormat.auto,
    output_file: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--output-file", "-o", help="Write the report to this file."),
    ] = None,
    exclude: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--exclude", help="Paths in the image not to judge (glob, e.g. '/opt/x/*')."),
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, max=32, help="Layers read at once.")
    ] = 4,
    config: ConfigOption = None,
    no_config: NoConfigOption = False,
) -> None:
    """Prove that each platform's image holds binaries for that platform.

    Exit 0: every platform verified; 1: a file built for another platform, a config that
    disagrees with the index, or a missing platform; 2: an image that could not be read.
    """
    from dflint.app.verify import verify
    from dflint.errors import ConfigError

    try:
        code = verify(
            references,
            tuple(p.lower() for p in _split(platform)),
            format.value,
            output_file,
            tuple(exclude or ()),
            jobs,
            config,
            no_config,
        )
    except ConfigError as exc:
        _error(str(exc))
        raise typer.Exit(2) from None
    raise typer.Exit(code)


data_app = typer.Typer(
    help="Manage dflint's data: the offline table of image platforms.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(data_app, name="data")


@data_app.command("import-official-images")
def import_official_images(
    source: Annotated[
        Path,
        typer.Argument(
            help="A clone of docker-library/official-images (or its library/ folder), "
            "or a JSON file of image:tag architectures."
        ),
    ],
    output: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--output", "-o", help="Where to write the table (default: dflint's data dir)."
        ),
    ] = None,
) -> None:
    """Build the offline table of official images' platforms that lint and platforms use."""
    from dflint.registry.official_images import ImportFailure, import_official_images, write_table
    from dflint.registry.offline import imported_table_path

    target = output or imported_table_path()
    try:
        result = import_official_images(source)
        write_table(result, source, target)
    except ImportFailure as exc:
        _error(str(exc))
        raise typer.Exit(2) from None
    except OSError as exc:
        _error(f"{target}: cannot write: {exc.strerror or exc}")
        raise typer.Exit(2) from None
    for item in result.skipped:
        typer.echo(f"dflint: skipped {item}", err=True)
    if result.unknown_arches:
        typer.echo(
            f"dflint: unknown architectures left out: {', '.join(sorted(result.unknown_arches))}",
            err=True,
        )
    _out(f"{len(result.tags)} tags of {result.images} images -> {target}", nl=True)


# `dflint fix` and `dflint render` live with the generator; registering them imports only
# their option declarations.
from dflint.app.fix import register as _register_generator  # noqa: E402

_register_generator(app)


def main() -> None:
    from dflint.read.fileio import OutputFailure

    try:
        app()
    except OutputFailure as exc:
        import errno
        import os

        # Python would flush stdout again at exit and complain about it: point it elsewhere.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        if exc.error.errno != errno.EPIPE:  # a closed pipe (`| head`) needs no message
            _error(f"cannot write the output: {exc.error.strerror or exc.error}")
        sys.exit(2)
