"""The command line: `dflint lint`, `parse`, `rule`, `rules`.

Heavy modules (the engine, rules, formatters) are imported inside the commands so that
`dflint --help` and a pre-commit run stay quick to start.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from dflint import __version__

app = typer.Typer(
    name="dflint",
    help="Lint Dockerfiles for portability across operating systems and CPU architectures.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class LintFormat(StrEnum):
    text = "text"
    json = "json"


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
    paths: Annotated[list[Path], typer.Argument(help="Dockerfiles or folders to search.")],
    format: Annotated[LintFormat, typer.Option("--format", "-f", help="Output format.")] = (
        LintFormat.text
    ),
    output_file: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--output-file", "-o", help="Write the report to this file."),
    ] = None,
    platform: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--platform", help="Target platforms, e.g. linux/amd64,linux/arm64."),
    ] = None,
    select: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--select", help="Only these rule codes or prefixes."),
    ] = None,
    ignore: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--ignore", help="Skip these rule codes or prefixes."),
    ] = None,
    failure_threshold: Annotated[
        Optional[Threshold],  # noqa: UP045
        typer.Option("--failure-threshold", help="Lowest severity that fails the run."),
    ] = None,
    config: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--config", help="Use this config file instead of searching for one."),
    ] = None,
    no_config: Annotated[bool, typer.Option("--no-config", help="Ignore config files.")] = False,
) -> None:
    """Lint Dockerfiles. Exit 0: clean; 1: findings at or above the threshold; 2: error."""
    from dflint.discovery import display_path, expand
    from dflint.engine import Options, config_for, lint_file
    from dflint.errors import ConfigError
    from dflint.report import EXIT_ERROR, Report
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
    )
    try:
        _check_codes(options.select + options.ignore)
        threshold = options.failure_threshold
        if threshold is None:
            threshold = config_for(Path.cwd() / "Dockerfile", options).failure_threshold
        report = Report(failure_threshold=threshold)
        for path, problem in expand(paths):
            shown = display_path(path)
            if problem is not None:
                report.input_errors.append(shown)
                _error(f"{shown}: {problem}")
                continue
            result = lint_file(path, shown, options)
            report.files.append(result)
            if result.skipped:
                typer.echo(f"dflint: {shown}: skipped: {result.skipped}", err=True)
            for message in result.internal_errors:
                _error(f"{shown}: internal error: {message}")
    except ConfigError as exc:
        _error(str(exc))
        raise typer.Exit(EXIT_ERROR) from None
    if format is LintFormat.json:
        from dflint.formatters import json as formatter
    else:
        from dflint.formatters import text as formatter  # type: ignore[no-redef]
    colour = output_file is None and sys.stdout.isatty()
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


def _check_codes(codes: tuple[str, ...]) -> None:
    import difflib

    from dflint.errors import ConfigError
    from dflint.registry import rule_codes

    known = rule_codes()
    for code in codes:
        if code != "ALL" and not any(item.startswith(code) for item in known):
            close = difflib.get_close_matches(code, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"unknown rule code {code!r}{hint}")


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
    from dflint.docs import render_rule

    text = render_rule(code)
    if text is None:
        _error(f"unknown rule {code!r}")
        raise typer.Exit(2)
    typer.echo(text)


@app.command("rules")
def list_rules() -> None:
    """List every rule: code, name, severity, platforms and whether it can fix."""
    from dflint.docs import rules_table

    typer.echo(rules_table())


def main() -> None:
    app()
