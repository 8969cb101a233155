"""The command line: `dflint lint`, `parse`, `rule`, `rules`.

Heavy modules (the engine, rules, formatters) are imported inside the commands so that
`dflint --help` and a pre-commit run stay quick to start.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from dflint import __version__
from dflint.cli_options import (
    ConfigOption,
    IgnoreOption,
    NoConfigOption,
    OfflineOption,
    SelectOption,
)

if TYPE_CHECKING:
    from dflint.engine import Options

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
    typer.echo(f"dflint: error: {message}", err=True)


@app.command()
def lint(
    paths: Annotated[
        Optional[list[Path]],  # noqa: UP045
        typer.Argument(help="Dockerfiles or folders to search.", show_default=False),
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
        typer.Option("--output-file", "-o", help="Write the report to this file."),
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
    from dflint.discovery import display_path, expand
    from dflint.engine import Options, config_for
    from dflint.errors import ConfigError
    from dflint.report import EXIT_ERROR, Report
    from dflint.runner import lint_files
    from dflint.targets import valid_platform

    platforms = tuple(p.lower() for p in _split(platform))
    for item in platforms:
        if not valid_platform(item):
            _error(f"--platform: {item!r} is not an os/arch[/variant] platform such as linux/arm64")
            raise typer.Exit(EXIT_ERROR)
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
            from dflint.showconfig import describe

            typer.echo(describe(paths or [Path(".")], options), nl=False)
            raise typer.Exit(0)
        if not paths:
            _error("no paths: name the Dockerfiles or folders to lint (e.g. `dflint lint .`)")
            raise typer.Exit(EXIT_ERROR)
        threshold = options.failure_threshold
        if threshold is None:
            threshold = config_for(Path.cwd() / "Dockerfile", options).failure_threshold
        report = Report(failure_threshold=threshold, fail_codes=("DF207",) if strict else ())
        files: list[tuple[Path, str]] = []
        for path, problem in expand(paths):
            shown = display_path(path)
            if problem is not None:
                report.input_errors.append(shown)
                _error(f"{shown}: {problem}")
                continue
            files.append((path, shown))
        options = _with_base_images(files, options)
        for result in lint_files(files, options, jobs):
            shown = result.path
            report.files.append(result)
            if result.skipped:
                typer.echo(f"dflint: {shown}: skipped: {result.skipped}", err=True)
            for message in result.internal_errors:
                _error(f"{shown}: internal error: {message}")
    except ConfigError as exc:
        _error(str(exc))
        raise typer.Exit(EXIT_ERROR) from None
    import os

    from dflint import formatters

    # Annotations only work on the step's stdout, so a report file from `auto` is plain text.
    environ = os.environ if output_file is None else {}
    formatter = formatters.get(formatters.choose(format.value, environ))
    # NO_COLOR (no-color.org) turns colour off even on a terminal.
    colour = output_file is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    rendered = formatter.render(report, colour=colour)
    if output_file is not None:
        try:
            output_file.write_text(rendered, encoding="utf-8")
        except OSError as exc:
            _error(f"{output_file}: cannot write: {exc.strerror or exc}")
            raise typer.Exit(EXIT_ERROR) from None
    else:
        sys.stdout.write(rendered)
    raise typer.Exit(report.exit_code())


def _with_base_images(
    files: list[tuple[Path, str]], options: Options, always: bool = False
) -> Options:
    """Resolve the FROM images of every file at once, before the files are linted one by one
    (possibly in other processes, which then need no network)."""
    from dataclasses import replace

    from dflint.platforms.lint import prefetch

    return replace(options, base_images=prefetch(files, options, always))


def _check_codes(codes: tuple[str, ...], option: str) -> None:
    import difflib

    from dflint.errors import ConfigError
    from dflint.registry import rule_codes

    known = rule_codes()
    for code in codes:
        if code != "ALL" and not any(item.startswith(code) for item in known):
            close = difflib.get_close_matches(code, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{option}: unknown rule code {code!r}{hint}")


@app.command()
def parse(
    file: Annotated[Path, typer.Argument(help="The Dockerfile to parse.")],
    format: Annotated[ParseFormat, typer.Option("--format", "-f")] = ParseFormat.json,
) -> None:
    """Print the Dockerfile tree as dflint reads it (the same way BuildKit does)."""
    import json

    from dflint.discovery import display_path
    from dflint.errors import InputError
    from dflint.parser import buildkit_dump, dockerfile_dict, parse_file

    try:
        dockerfile = parse_file(str(file), display_path(file))
    except InputError as exc:
        _error(str(exc))
        raise typer.Exit(2) from None
    if format is ParseFormat.json:
        typer.echo(json.dumps(dockerfile_dict(dockerfile), indent=2, ensure_ascii=False))
    else:
        for instruction in dockerfile.instructions:
            typer.echo(
                f"{instruction.start_line}-{instruction.end_line}: ({buildkit_dump(instruction)})"
            )


@app.command()
def rule(
    code: Annotated[str, typer.Argument(help="A rule code such as DF301, or its name.")],
) -> None:
    """Show a rule's documentation."""
    from dflint.docs import render_rule, suggestion

    text = render_rule(code)
    if text is None:
        close = suggestion(code)
        _error(f"unknown rule {code!r}" + (f" (did you mean {close!r}?)" if close else ""))
        raise typer.Exit(2)
    typer.echo(text, nl=False)


@app.command("rules")
def list_rules(
    format: Annotated[RulesFormat, typer.Option("--format", "-f")] = RulesFormat.text,
) -> None:
    """List every rule: code, name, severity, platforms and whether it can fix."""
    from dflint import docs

    if format is RulesFormat.json:
        typer.echo(docs.rules_json())
    elif format is RulesFormat.markdown:
        typer.echo(docs.markdown_table(docs.DOCS_URL), nl=False)
    else:
        typer.echo(docs.rules_table())


class PlatformsFormat(StrEnum):
    text = "text"
    json = "json"


@app.command("platforms")
def platforms_command(
    paths: Annotated[list[Path], typer.Argument(help="Dockerfiles or folders to search.")],
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
    from dflint.discovery import display_path, expand
    from dflint.engine import Options
    from dflint.errors import ConfigError
    from dflint.platforms.matrix import file_matrix, render_json, render_text
    from dflint.targets import valid_platform

    targets = tuple(p.lower() for p in _split(platform))
    for item in targets:
        if not valid_platform(item):
            _error(f"--platform: {item!r} is not an os/arch[/variant] platform such as linux/arm64")
            raise typer.Exit(2)
    options = Options(platforms=targets, config_path=config, no_config=no_config, offline=offline)
    errors = 0
    files: list[tuple[Path, str]] = []
    for path, problem in expand(paths):
        if problem is not None:
            _error(f"{display_path(path)}: {problem}")
            errors += 1
        else:
            files.append((path, display_path(path)))
    try:
        options = _with_base_images(files, options, always=True)
        matrices = [file_matrix(path, shown, options) for path, shown in files]
    except ConfigError as exc:
        _error(str(exc))
        raise typer.Exit(2) from None
    if format is PlatformsFormat.json:
        typer.echo(render_json(matrices))
    else:
        encoding = getattr(sys.stdout, "encoding", None) or "ascii"
        try:
            "✓✗".encode(encoding)
            unicode = True
        except (UnicodeEncodeError, LookupError):
            unicode = False
        sys.stdout.write(render_text(matrices, unicode=unicode))
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
    from dflint.errors import ConfigError
    from dflint.verify.command import verify

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
    from dflint.platforms.official_images import ImportFailure, import_official_images, write_table
    from dflint.platforms.offline import imported_table_path

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
    typer.echo(f"{len(result.tags)} tags of {result.images} images -> {target}")


# `dflint fix` and `dflint render` live with the generator; registering them imports only
# their option declarations.
from dflint.generator.cli import register as _register_generator  # noqa: E402

_register_generator(app)


def main() -> None:
    app()
