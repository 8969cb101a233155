"""The command line: `dflint lint`, `platforms`, `fix`, `render`, `verify`, `parse`, `rule`,
`rules`, `data` and `completion`.

Only the command that runs is built: its parser, then its module. The engine, rules,
formatters, the generator, the registry client and verify are imported inside the commands, so
that `dflint --help` and a pre-commit run stay quick to start (tests/test_cli_habits.py checks
what a run does *not* import).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import time
from argparse import Namespace
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from dflint import __version__
from dflint.app.options import (
    EXIT_USAGE,
    PLATFORM_EXAMPLES,
    Choice,
    Parser,
    UsageError,
    add_config,
    add_output,
    add_registry,
    add_rule_selection,
    add_severity_overrides,
    split,
    whole_number,
)

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from typing import NoReturn

    from dflint.core.findings import Severity
    from dflint.lint.engine import FileResult
    from dflint.lint.options import Options
    from dflint.report.summary import Report

DESCRIPTION = "Lint Dockerfiles for portability across operating systems and CPU architectures."
LINT_FORMATS = ("auto", "text", "json", "sarif", "github", "checkstyle", "gitlab")
THRESHOLDS = ("error", "warning", "info", "none")


class Command:
    """A command: ``module`` defines ``<function>_parser(prog)`` and ``<function>_command(args)``
    (imported only when the command runs), or ``sub`` lists its own commands."""

    __slots__ = ("function", "module", "name", "sub", "summary")

    def __init__(
        self,
        name: str,
        summary: str,
        module: str = "dflint.app.main",
        function: str = "",
        sub: tuple[Command, ...] = (),
    ) -> None:
        self.name = name
        self.summary = summary
        self.module = module
        self.function = function
        self.sub = sub

    def parser(self, prog: str) -> Parser:
        build: Callable[[str], Parser] = getattr(
            importlib.import_module(self.module), f"{self.function}_parser"
        )
        return build(prog)

    def run(self, args: Namespace) -> int:
        command: Callable[[Namespace], int] = getattr(
            importlib.import_module(self.module), f"{self.function}_command"
        )
        return command(args)


COMMANDS: tuple[Command, ...] = (
    Command("lint", "Lint Dockerfiles.", function="lint"),
    Command(
        "parse",
        "Print the Dockerfile tree as dflint reads it (the same way BuildKit does).",
        function="parse",
    ),
    Command("rule", "Show a rule's documentation.", function="rule"),
    Command(
        "rules",
        "List every rule: code, name, severity, platforms and whether it can fix.",
        function="rules",
    ),
    Command(
        "platforms",
        "Show which target platforms each Dockerfile can be built for, and why not.",
        function="platforms",
    ),
    Command(
        "verify",
        "Prove that each platform's image holds binaries for that platform.",
        function="verify",
    ),
    Command(
        "fix",
        "Write per-OS or per-platform variants, or fix one file for every architecture.",
        module="dflint.app.fix",
        function="fix",
    ),
    Command(
        "render",
        "Render a Dockerfile template for each platform and lint each result.",
        module="dflint.app.fix",
        function="render",
    ),
    Command(
        "data",
        "Manage dflint's data: the offline table of image platforms.",
        sub=(
            Command(
                "import-official-images",
                "Build the offline table of official images' platforms that lint and "
                "platforms use.",
                function="import_official_images",
            ),
        ),
    ),
    Command(
        "completion",
        "Print a shell completion script (bash, zsh or fish).",
        function="completion",
    ),
)


# --- dispatch -----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Run the command line and exit with its code (the program's collector settings are
    `dflint.app.entry`'s)."""
    from dflint.read.fileio import OutputFailure

    try:
        code = run(sys.argv[1:] if argv is None else argv)
    except OutputFailure as exc:
        import errno

        # Python would flush stdout again at exit and complain about it: point it elsewhere.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        if exc.error.errno != errno.EPIPE:  # a closed pipe (`| head`) needs no message
            _error(f"cannot write the output: {exc.error.strerror or exc.error}")
        code = 2
    sys.exit(code)


def run(argv: Sequence[str]) -> int:
    """Run one command line; its exit code. Usage errors are one line and exit 2."""
    from dflint import progress

    try:
        return _dispatch(list(argv), "dflint", COMMANDS)
    except UsageError as exc:
        _echo_err(exc.line())
        return EXIT_USAGE
    except SystemExit as exc:  # --help, from argparse
        return exc.code if isinstance(exc.code, int) else 0
    finally:
        progress.stop()


def _dispatch(args: list[str], prog: str, commands: tuple[Command, ...]) -> int:
    if not args:
        _echo_err(_group_help(prog, commands), newline=False)
        return EXIT_USAGE
    first = args[0]
    if first in ("-h", "--help"):
        _out(_group_help(prog, commands))
        return 0
    if first == "--version" and prog == "dflint":
        _out(f"dflint {__version__}", nl=True)
        return 0
    if first.startswith("-"):
        raise UsageError(f"no such option: {first}", prog)
    found = next((command for command in commands if command.name == first), None)
    if found is None:
        import difflib

        names = [c.name for c in commands]
        close = [name for name in names if name.startswith(first)]
        close = close or difflib.get_close_matches(first, names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise UsageError(f"no such command {first!r}{hint}", prog)
    if found.sub:
        return _dispatch(args[1:], f"{prog} {found.name}", found.sub)
    parser = found.parser(f"{prog} {found.name}")
    return found.run(parser.parse(args[1:]))


def _group_help(prog: str, commands: tuple[Command, ...]) -> str:
    width = max(len(command.name) for command in commands) + 2
    options = ["  -h, --help  Show this help."]
    if prog == "dflint":
        options.append("  --version   Show the version.")
    lines = [
        f"usage: {prog} [-h]{' [--version]' if prog == 'dflint' else ''} COMMAND [ARGS]...",
        "",
        DESCRIPTION
        if prog == "dflint"
        else next(c.summary for c in COMMANDS if f"dflint {c.name}" == prog),
        "",
        "options:",
        *options,
        "",
        "commands:",
        *(f"  {command.name.ljust(width)}{command.summary}" for command in commands),
        "",
        f"Run '{prog} COMMAND --help' for a command's options.",
    ]
    return "\n".join(lines) + "\n"


def all_parsers() -> list[tuple[str, Parser | None, str]]:
    """Every command as (words after ``dflint``, its parser or None for a group, summary):
    what shell completion is generated from."""
    found: list[tuple[str, Parser | None, str]] = []

    def walk(prefix: str, commands: tuple[Command, ...]) -> None:
        for command in commands:
            words = f"{prefix} {command.name}".strip()
            if command.sub:
                found.append((words, None, command.summary))
                walk(words, command.sub)
            else:
                found.append((words, command.parser(f"dflint {words}"), command.summary))

    walk("", COMMANDS)
    return found


# --- output -------------------------------------------------------------------------------------


def _echo_err(text: str, newline: bool = True) -> None:
    from dflint.read.fileio import printable_name

    lines = text.split("\n")
    sys.stderr.write("\n".join(printable_name(line) for line in lines) + ("\n" if newline else ""))
    sys.stderr.flush()


def _error(message: str) -> None:
    _echo_err(f"dflint: error: {message}")


def _note(message: str) -> None:
    _echo_err(f"dflint: {message}")


def _warn(message: str) -> None:
    _echo_err(f"dflint: warning: {message}")


def _out(text: str, nl: bool = False) -> None:
    from dflint.read.fileio import write_stdout

    write_stdout(text + "\n" if nl else text)


# --- lint ---------------------------------------------------------------------------------------


def lint_parser(prog: str) -> Parser:
    parser = Parser(
        prog,
        "Lint Dockerfiles. Exit 0: clean; 1: findings at or above the threshold; 2: error.\n\n"
        "A folder is searched for Dockerfile, Dockerfile.*, Dockerfile-*, *.Dockerfile,\n"
        "*.dockerfile, Containerfile and Containerfile.* (any case; not templates such as\n"
        "Dockerfile.j2). `-` reads a Dockerfile from standard input.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="Dockerfiles or folders to search (default: .); - reads standard input.",
    )
    parser.add_argument(
        "-f",
        "--format",
        type=Choice(*LINT_FORMATS),
        default="auto",
        metavar="FORMAT",
        help=f"Output format: {', '.join(LINT_FORMATS)}. auto is github inside GitHub Actions "
        "(on stdout), else text.",
    )
    parser.add_argument(
        "-o", "--output-file", type=Path, metavar="FILE", help="Write the report to this file."
    )
    _add_platform(parser, "Target platforms, e.g. linux/amd64,linux/arm64.")
    add_rule_selection(parser)
    add_severity_overrides(parser)
    parser.add_argument(
        "--failure-threshold",
        type=Choice(*THRESHOLDS),
        metavar="LEVEL",
        help="Lowest severity that fails the run: error, warning, info or none.",
    )
    add_config(parser)
    parser.add_argument(
        "--show-config",
        action="store_true",
        help="Print the settings that apply to PATH (default: .) and where each came from.",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=whole_number(1),
        metavar="N",
        help="Processes to use for many files (default: CPUs).",
    )
    add_registry(parser)
    parser.add_argument(
        "--strict",
        action="store_true",
        help="Fail the run when a base image cannot be resolved (DF207).",
    )
    parser.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help="The name of the Dockerfile read from standard input, for messages and for "
        "finding its config (implies -).",
    )
    add_output(parser)
    return parser


def _add_platform(parser: Parser, text: str) -> None:
    parser.add_argument("--platform", action="append", metavar="PLATFORMS", help=text)


def _options(args: Namespace, platforms: tuple[str, ...]) -> Options:
    """The engine's options from the command line (rule codes checked)."""
    from dflint.errors import ConfigError
    from dflint.lint.options import Options

    select = tuple(code.upper() for code in split(getattr(args, "select", None)))
    ignore = tuple(code.upper() for code in split(getattr(args, "ignore", None)))
    for codes, option in ((select, "--select"), (ignore, "--ignore")):
        _check_codes(codes, option)
    try:
        return Options(
            platforms=platforms,
            select=select,
            ignore=ignore,
            failure_threshold=getattr(args, "failure_threshold", None),
            config_path=args.config,
            no_config=args.no_config,
            offline=args.offline,
            severity=_severities(args),
            insecure_registries=_insecure(args),
            registry_budget=getattr(args, "registry_budget", None),
        )
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _severities(args: Namespace) -> tuple[tuple[str, Severity], ...]:
    """``--error/--warning/--info CODES``: each code or prefix as the rule codes it names."""
    given = {
        level: tuple(code.upper() for code in split(getattr(args, f"as_{level}", None)))
        for level in ("error", "warning", "info")
    }
    if not any(given.values()):
        return ()  # nothing to import for (the rule modules' base class, before a fork)
    from dflint.core.findings import Severity
    from dflint.errors import ConfigError
    from dflint.lint.ruleset import rule_codes

    known = rule_codes()
    found: list[tuple[str, Severity]] = []
    for level, codes in given.items():
        problem = _code_problem(codes, f"--{level}")
        if problem is not None:
            raise ConfigError(problem)
        for code in codes:
            found += [
                (item, Severity(level)) for item in known if code == "ALL" or item.startswith(code)
            ]
    return tuple(found)


def _insecure(args: Namespace) -> tuple[str, ...]:
    from dflint.settings.registry import parse_insecure

    values = split(getattr(args, "insecure_registry", None))
    return parse_insecure(list(values), "--insecure-registry", None) if values else ()


def _code_problem(codes: tuple[str, ...], option: str) -> str | None:
    from dflint.app.options import code_problem

    return code_problem(codes, option)


def _check_codes(codes: tuple[str, ...], option: str) -> None:
    from dflint.errors import ConfigError

    problem = _code_problem(codes, option)
    if problem is not None:
        raise ConfigError(problem)


def lint_command(args: Namespace) -> int:
    from dflint.errors import ConfigError

    try:
        return _lint(args)
    except ConfigError as exc:
        _error(str(exc))
        return 2


def _lint(args: Namespace) -> int:
    from dflint import progress
    from dflint.lint.options import config_for
    from dflint.report.summary import Report

    started = time.monotonic()
    paths: list[str] = list(args.paths)
    if args.stdin_filename is not None and "-" not in paths:
        if paths:
            raise UsageError(
                "--stdin-filename names standard input: give - among the paths", "dflint lint"
            )
        paths = ["-"]
    if paths.count("-") > 1:
        raise UsageError("- (standard input) can be given once", "dflint lint")
    paths = paths or ["."]
    options = _options(args, _target_platforms(args.platform))
    if args.show_config:
        from dflint.app.showconfig import describe

        shown = [Path(p) for p in paths if p != "-"] or [Path(args.stdin_filename or ".")]
        _out(describe(shown, options))
        return 0
    threshold = options.failure_threshold
    if threshold is None:
        threshold = config_for(Path.cwd() / "Dockerfile", options).failure_threshold
    report = Report(failure_threshold=threshold, fail_codes=("DF207",) if args.strict else ())
    files, report.input_errors = _gather([Path(p) for p in paths if p != "-"], args.quiet)
    stdin = _read_stdin(args.stdin_filename) if "-" in paths else None
    if args.output_file is not None:
        _check_output_file(args.output_file, files)
    bar = progress.start(args.quiet)
    options = _with_base_images(files, options)
    total = len(files) + (stdin is not None)
    for number, result in enumerate(_lint_all(files, stdin, options, args.jobs), 1):
        bar.update(f"dflint: linting files: {number}/{total}", force=number == total)
        report.files.append(result)
        if result.skipped and not args.quiet:
            _note(f"{result.path}: skipped: {result.skipped}")
        for message in result.internal_errors:
            _error(f"{result.path}: internal error: {message}")
    progress.stop()
    if args.verbose:
        _explain(report.files, options, started)
    return _print_report(report, args)


def _lint_all(
    files: list[tuple[Path, str]],
    stdin: tuple[bytes, str] | None,
    options: Options,
    jobs: int | None,
) -> Iterator[FileResult]:
    """The files' results in order, then standard input's."""
    from dflint.lint.runner import lint_files

    yield from lint_files(files, options, jobs)
    if stdin is not None:
        from dflint.lint.engine import lint_bytes

        data, shown = stdin
        yield lint_bytes(data, shown, options)


def _read_stdin(name: str | None) -> tuple[bytes, str]:
    """Standard input, whole (up to the size any file may have), and the name to show."""
    from dflint.errors import ConfigError
    from dflint.read.fileio import MAX_INPUT_BYTES

    shown = name if name else "-"
    try:
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    except (OSError, AttributeError, ValueError) as exc:
        raise ConfigError(f"{shown}: cannot read standard input: {exc}") from None
    if len(data) > MAX_INPUT_BYTES:
        raise ConfigError(
            f"{shown}: standard input is larger than {MAX_INPUT_BYTES // 1024 // 1024} MiB"
        )
    return data, shown


def _print_report(report: Report, args: Namespace) -> int:
    from dflint.app.options import use_colour
    from dflint.report import formatters
    from dflint.report.summary import EXIT_ERROR

    # Annotations only work on the step's stdout, so a report file from `auto` is plain text.
    environ = os.environ if args.output_file is None else {}
    chosen = formatters.choose(args.format, environ)
    colour = args.output_file is None and use_colour(sys.stdout, args.no_color, os.environ)
    if chosen == "text" and args.quiet:
        from dflint.report.formatters.text import render

        rendered = render(report, colour=colour, summary_line=False)
    else:
        rendered = formatters.get(chosen).render(report, colour=colour)
    if args.output_file is not None:
        from dflint.read.fileio import WriteFailure, atomic_write

        try:
            atomic_write(args.output_file, rendered.encode("utf-8"))
        except WriteFailure as exc:
            _error(str(exc))
            return EXIT_ERROR
    else:
        _out(rendered)
    return report.exit_code()


def _explain(
    results: list[FileResult], options: Options, started: float, count: int | None = None
) -> None:
    """``-v``: each file's config and targets, the base images and where each answer came
    from, and the time the run took."""
    from dflint.lint.engine import config_for
    from dflint.registry.resolver import answered

    for result in results:
        config = config_for(Path(result.path), options) if result.path != "-" else None
        where = str(config.path) if config is not None and config.path else "none"
        line = f"{result.path}: config {where}"
        if result.targets is not None:
            platforms = ", ".join(result.targets.platforms)
            line += f"; targets {platforms} (from {result.targets.source})"
        _note(line)
    known = {**answered(), **options.base_images}
    for reference in sorted(known):
        resolution = known[reference]
        if resolution.known:
            from dflint.core.platform import describe

            what = describe(resolution.platforms) or "no platforms"
        else:
            what = "unknown"
        _note(f"base image {reference}: {what} ({resolution.explained})")
    from dflint.registry.resolver import requests_sent

    count = len(results) if count is None else count
    line = f"{count} file{'s' if count != 1 else ''} in {time.monotonic() - started:.2f} s"
    sent = requests_sent()
    if sent:
        line += f"; {sent} registry request{'s' if sent != 1 else ''}"
    _note(line)


def _target_platforms(values: list[str] | None, option: str = "--platform") -> tuple[str, ...]:
    """``--platform`` values, checked: a typo is exit 2 with a suggestion."""
    from dflint.core.platform import PlatformError, check_target
    from dflint.errors import ConfigError

    found: list[str] = []
    for item in split(values):
        try:
            found.append(check_target(item))
        except PlatformError as exc:
            raise ConfigError(f"{option}: {exc}") from None
    return tuple(found)


def _gather(paths: list[Path], quiet: bool = False) -> tuple[list[tuple[Path, str]], list[str]]:
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
            if not quiet:
                _warn(f"{shown}: {item.warning}")
        else:
            files.append((item.path, shown))
    for shown in empty:
        if files or errors:
            if not quiet:
                _warn(f"no Dockerfiles found in {shown}")
        else:
            _error(f"no Dockerfiles found in {shown}")
            errors.append(shown)
    return files, errors


def _check_output_file(output_file: Path, files: list[tuple[Path, str]]) -> None:
    """A report must never replace one of the files it is about."""
    from dflint.errors import ConfigError
    from dflint.read.fileio import same_file

    for path, shown in files:
        if same_file(output_file, path):
            raise ConfigError(
                f"--output-file: {shown} is one of the files being linted; not overwritten"
            )


def _with_base_images(
    files: list[tuple[Path, str]], options: Options, always: bool = False
) -> Options:
    """Resolve the FROM images of every file at once, before the files are linted one by one
    (possibly in other processes, which then need no network)."""
    from dataclasses import replace

    from dflint.lint.runner import prefetch

    return replace(options, base_images=prefetch(files, options, always))


# --- parse, rule, rules ---------------------------------------------------------------------------


def parse_parser(prog: str) -> Parser:
    parser = Parser(
        prog, "Print the Dockerfile tree as dflint reads it (the same way BuildKit does)."
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="The Dockerfile to parse.")
    parser.add_argument(
        "-f", "--format", type=Choice("json", "text"), default="json", metavar="FORMAT",
        help="json (default) or text: BuildKit's own dump of each instruction.",
    )  # fmt: skip
    return parser


def parse_command(args: Namespace) -> int:
    from dflint.errors import InputError
    from dflint.read.discovery import display_path
    from dflint.read.fileio import escape_surrogates
    from dflint.read.parser import buildkit_dump, dockerfile_dict, parse_file
    from dflint.report.formatters import json_text

    try:
        dockerfile = parse_file(str(args.file), display_path(args.file))
    except InputError as exc:
        _error(str(exc))
        return 2
    if args.format == "json":
        _out(json_text(dockerfile_dict(dockerfile), indent=2), nl=True)
    else:
        lines = [
            f"{instruction.start_line}-{instruction.end_line}: ({buildkit_dump(instruction)})\n"
            for instruction in dockerfile.instructions
        ]
        _out(escape_surrogates("".join(lines)))
    return 0


def rule_parser(prog: str) -> Parser:
    parser = Parser(prog, "Show a rule's documentation.")
    parser.add_argument("code", metavar="CODE", help="A rule code such as DF301, or its name.")
    return parser


def rule_command(args: Namespace) -> int:
    from dflint.report.docs import render_rule, suggestion

    text = render_rule(args.code)
    if text is None:
        close = suggestion(args.code)
        _error(f"unknown rule {args.code!r}" + (f" (did you mean {close!r}?)" if close else ""))
        return 2
    _out(text)
    return 0


def rules_parser(prog: str) -> Parser:
    parser = Parser(
        prog, "List every rule: code, name, severity, platforms and whether it can fix."
    )
    parser.add_argument(
        "-f", "--format", type=Choice("text", "json", "markdown"), default="text",
        metavar="FORMAT", help="text (default), json or markdown.",
    )  # fmt: skip
    return parser


def rules_command(args: Namespace) -> int:
    from dflint.report import docs

    if args.format == "json":
        _out(docs.rules_json(), nl=True)
    elif args.format == "markdown":
        _out(docs.markdown_table(docs.DOCS_URL))
    else:
        _out(docs.rules_table(), nl=True)
    return 0


# --- platforms ------------------------------------------------------------------------------------


def platforms_parser(prog: str) -> Parser:
    parser = Parser(
        prog,
        "Show which target platforms each Dockerfile can be built for, and why not.\n\n"
        "Exit 0: every target is buildable (or unknown); 1: a target is not (with --strict, or\n"
        "may not be); 2: an error.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="Dockerfiles or folders to search (default: .).",
    )
    _add_platform(parser, "Target platforms, e.g. linux/amd64,windows/amd64.")
    parser.add_argument(
        "-f", "--format", type=Choice("text", "json"), default="text", metavar="FORMAT",
        help="text (default) or json.",
    )  # fmt: skip
    add_registry(parser)
    parser.add_argument(
        "--strict",
        action="store_true",
        help="Exit 1 also when a target's buildability is unknown.",
    )
    add_config(parser)
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="No progress line and no warnings."
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="Also print where base images were resolved, and timings.",
    )
    return parser


def platforms_command(args: Namespace) -> int:
    from dflint import progress
    from dflint.app.matrix import file_matrix, render_json, render_text
    from dflint.errors import ConfigError
    from dflint.read.fileio import escape_surrogates

    started = time.monotonic()
    try:
        options = _options(args, _target_platforms(args.platform))
    except ConfigError as exc:
        _error(str(exc))
        return 2
    files, failed = _gather(args.paths or [Path(".")], args.quiet)
    errors = len(failed)
    bar = progress.start(args.quiet)
    try:
        options = _with_base_images(files, options, always=True)
        matrices = []
        for number, (path, shown) in enumerate(files, 1):
            bar.update(f"dflint: checking files: {number}/{len(files)}")
            matrices.append(file_matrix(path, shown, options))
    except ConfigError as exc:
        _error(str(exc))
        return 2
    finally:
        progress.stop()
    if args.verbose:
        _explain([], options, started, len(files))
    if args.format == "json":
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
        return 2
    statuses = {row.status for item in matrices for row in item.target_rows}
    return 1 if "no" in statuses or (args.strict and "unknown" in statuses) else 0


# --- verify ---------------------------------------------------------------------------------------

VERIFY_FORMATS = ("auto", "text", "json", "sarif", "github")


def verify_parser(prog: str) -> Parser:
    parser = Parser(
        prog,
        "Prove that each platform's image holds binaries for that platform.\n\n"
        "Exit 0: every platform verified; 1: a file built for another platform, a config that\n"
        "disagrees with the index, or a missing platform; 2: an image that could not be read.",
    )
    parser.add_argument(
        "references",
        nargs="+",
        metavar="IMAGE",
        help="Images: a registry reference (tag or digest), oci:DIR[:tag], "
        "oci-archive:FILE, docker-archive:FILE or a `docker save` tarball.",
    )
    _add_platform(parser, "Platforms the image must have (default: config's).")
    parser.add_argument(
        "-f", "--format", type=Choice(*VERIFY_FORMATS), default="auto", metavar="FORMAT",
        help=f"Output format: {', '.join(VERIFY_FORMATS)}; auto is github in GitHub Actions.",
    )  # fmt: skip
    parser.add_argument(
        "-o", "--output-file", type=Path, metavar="FILE", help="Write the report to this file."
    )
    parser.add_argument(
        "--exclude",
        action="append",
        metavar="GLOB",
        help="Paths in the image not to judge (glob, e.g. '/opt/x/*').",
    )
    parser.add_argument(
        "-j", "--jobs", type=whole_number(1, 32), default=4, metavar="N",
        help="Layers read at once (1 to 32, default 4).",
    )  # fmt: skip
    add_config(parser)
    parser.add_argument(
        "--insecure-registry",
        action="append",
        metavar="HOST",
        help="A registry (host[:port]) that may be reached over plain HTTP; "
        "also DFLINT_INSECURE_REGISTRIES.",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="No progress line.")
    return parser


def verify_command(args: Namespace) -> int:
    from dflint import progress
    from dflint.app.verify import verify
    from dflint.errors import ConfigError

    try:
        # the same check as every other command's --platform, with a Windows build kept
        platforms = tuple(
            _target_platforms([base], "--platform")[0] + (f":{build}" if build else "")
            for base, _, build in (item.partition(":") for item in split(args.platform))
        )
        return verify(
            args.references,
            platforms,
            args.format,
            args.output_file,
            tuple(args.exclude or ()),
            args.jobs,
            args.config,
            args.no_config,
            insecure=_insecure(args),
            progress=progress.wanted(args.quiet),
        )
    except ConfigError as exc:
        _error(str(exc))
        return 2


# --- data -----------------------------------------------------------------------------------------


def import_official_images_parser(prog: str) -> Parser:
    parser = Parser(
        prog, "Build the offline table of official images' platforms that lint and platforms use."
    )
    parser.add_argument(
        "source",
        type=Path,
        metavar="SOURCE",
        help="A clone of docker-library/official-images (or its library/ folder), "
        "or a JSON file of image:tag architectures.",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="Where to write the table (default: dflint's data dir).",
    )
    return parser


def import_official_images_command(args: Namespace) -> int:
    from dflint.registry.official_images import ImportFailure, import_official_images, write_table
    from dflint.registry.offline import imported_table_path

    target = args.output or imported_table_path()
    try:
        result = import_official_images(args.source)
        write_table(result, args.source, target)
    except ImportFailure as exc:
        _error(str(exc))
        return 2
    except OSError as exc:
        _error(f"{target}: cannot write: {exc.strerror or exc}")
        return 2
    for item in result.skipped:
        _echo_err(f"dflint: skipped {item}")
    if result.unknown_arches:
        _echo_err(
            f"dflint: unknown architectures left out: {', '.join(sorted(result.unknown_arches))}"
        )
    _out(f"{len(result.tags)} tags of {result.images} images -> {target}", nl=True)
    return 0


# --- completion -----------------------------------------------------------------------------------


def completion_parser(prog: str) -> Parser:
    parser = Parser(
        prog,
        "Print a shell completion script for dflint's commands and options.\n\n"
        '  bash: eval "$(dflint completion bash)"   (in ~/.bashrc)\n'
        '  zsh:  eval "$(dflint completion zsh)"    (in ~/.zshrc, after compinit)\n'
        "  fish: dflint completion fish > ~/.config/fish/completions/dflint.fish",
    )
    parser.add_argument("shell", type=Choice("bash", "zsh", "fish"), metavar="SHELL",
                        help="bash, zsh or fish.")  # fmt: skip
    return parser


def completion_command(args: Namespace) -> int:
    from dflint.app.completion import script

    _out(script(args.shell, all_parsers()))
    return 0


__all__ = ["COMMANDS", "PLATFORM_EXAMPLES", "main", "run"]
