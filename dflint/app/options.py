"""The command line's machinery: argparse with one-line usage errors, and the options several
commands take, declared once.

The CLI is the standard library's argparse (no dependency, about 5 ms to import; BENCHMARKS.md
has the measurements against Typer and Click). Every usage error is one line on standard
error, exit code 2, in dflint's own shape::

    dflint: error: no such option: --fromat (did you mean --format?); try 'dflint lint --help'

Options may come before or after the paths (as Click allowed), values of repeatable options
may also be comma-separated (``--platform linux/amd64,linux/arm64``), and long options are
never abbreviated (a typo must not silently pick another option).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Sequence
from pathlib import Path

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from typing import Any, NoReturn

EXIT_USAGE = 2


class UsageError(Exception):
    """A command line that cannot be run: one line, exit 2."""

    def __init__(self, message: str, prog: str = "dflint") -> None:
        super().__init__(message)
        self.message = message
        self.prog = prog

    def line(self) -> str:
        return f"dflint: error: {self.message}; try '{self.prog} --help'"


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions keep their paragraphs; help columns a little wider than argparse's."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32, width=100)


class Parser(argparse.ArgumentParser):
    """One command's options. ``parse`` takes options and positionals in any order."""

    def __init__(self, prog: str, description: str | None = None) -> None:
        super().__init__(
            prog=prog,
            description=description,
            formatter_class=HelpFormatter,
            allow_abbrev=False,
            add_help=False,
        )
        self.add_argument(
            "-h", "--help", action="help", default=argparse.SUPPRESS, help="Show this help."
        )

    def parse(self, args: Sequence[str]) -> argparse.Namespace:
        return self.parse_intermixed_args(list(args))

    def error(self, message: str) -> NoReturn:
        raise UsageError(_reworded(message, self), self.prog)

    def option_names(self) -> list[str]:
        return [name for action in self._actions for name in action.option_strings]


def _reworded(message: str, parser: Parser) -> str:
    """argparse's wording in dflint's: the option first, then what is wrong with it."""
    if message.startswith("unrecognized arguments: "):
        words = message.removeprefix("unrecognized arguments: ").split()
        option = next((word for word in words if word.startswith("-") and word != "-"), None)
        if option is None:
            return f"unexpected argument {words[0]!r}"
        import difflib

        name = option.split("=", 1)[0]
        close = difflib.get_close_matches(name, parser.option_names(), n=1, cutoff=0.75)
        return f"no such option: {name}" + (f" (did you mean {close[0]}?)" if close else "")
    if message.startswith("the following arguments are required: "):
        missing = message.removeprefix("the following arguments are required: ").split(", ")
        first = missing[0]
        if first.startswith("-"):
            return f"missing option {first.split('/')[0]}"
        return f"missing argument {first.upper()}"
    match = re.match(r"argument (-[^/:\s]+(?:/-[^/:\s]+)*): (.*)\Z", message, re.S)
    if match:
        names = sorted(match.group(1).split("/"), key=lambda name: not name.startswith("--"))
        detail = match.group(2)
        if detail == "expected one argument":
            detail = "needs a value"
        elif detail.startswith("ignored explicit argument"):
            detail = "takes no value"
        return f"{names[0]}: {detail}"
    return message


# --- value types: their messages become "--option: <message>" --------------------------------


class Choice:
    """One of a fixed set of words (the set is also what shell completion offers)."""

    def __init__(self, *values: str) -> None:
        self.values = values

    def __call__(self, text: str) -> str:
        if text in self.values:
            return text
        import difflib

        close = difflib.get_close_matches(text, self.values, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise argparse.ArgumentTypeError(f"{text!r} is not one of {', '.join(self.values)}{hint}")


def whole_number(lowest: int, highest: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = lowest - 1
        if value < lowest or (highest is not None and value > highest):
            limits = f"from {lowest}" + (f" to {highest}" if highest is not None else " up")
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number {limits}")
        return value

    return parse


def seconds(text: str) -> float:
    """A positive number of seconds (``5``, ``2.5``)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0")
    return value


# Values a command's options complete to in a shell (see dflint.app.completion).
PLATFORM_EXAMPLES = ("linux/amd64", "linux/arm64", "linux/arm/v7", "windows/amd64")


def split(values: Sequence[str] | None) -> tuple[str, ...]:
    """Repeated options with comma-separated values, as one tuple."""
    items: list[str] = []
    for value in values or ():
        items += [part.strip() for part in value.split(",") if part.strip()]
    return tuple(items)


# --- options several commands share ------------------------------------------------------------


def add_rule_selection(parser: Parser) -> None:
    parser.add_argument(
        "--select", action="append", metavar="CODES", help="Only these rule codes or prefixes."
    )
    parser.add_argument(
        "--ignore", action="append", metavar="CODES", help="Skip these rule codes or prefixes."
    )


def add_severity_overrides(parser: Parser) -> None:
    """``--error/--warning/--info CODE``: hadolint's options, before the config's severity."""
    for level in ("error", "warning", "info"):
        parser.add_argument(
            f"--{level}",
            action="append",
            dest=f"as_{level}",
            metavar="CODES",
            help=f"Report these rule codes or prefixes as {level}s.",
        )


def add_config(parser: Parser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="Use this config file instead of searching for one.",
    )
    parser.add_argument("--no-config", action="store_true", help="Ignore config files.")


def add_registry(parser: Parser, budget: bool = True) -> None:
    parser.add_argument(
        "--offline",
        action="store_true",
        default=False,
        help="Never ask a registry; use the cache and offline tables.",
    )
    parser.add_argument(
        "--no-offline",
        action="store_false",
        dest="offline",
        help="Ask registries (undoes an earlier --offline, e.g. the pre-commit hook's).",
    )
    parser.add_argument(
        "--insecure-registry",
        action="append",
        metavar="HOST",
        help="A registry (host[:port]) that may be reached over plain HTTP; "
        "also DFLINT_INSECURE_REGISTRIES.",
    )
    if budget:
        parser.add_argument(
            "--registry-budget",
            type=seconds,
            metavar="SECONDS",
            help="Time for all registry look-ups of the run together (default: the "
            "config's registry-budget, else 5).",
        )


def add_output(parser: Parser) -> None:
    """-q, -v and --no-color, for the commands that print reports and progress."""
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="Print findings and errors only: no summary, notes or progress.",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="Also print each file's settings, where base images were resolved, and timings.",
    )
    parser.add_argument(
        "--no-color",
        action="store_true",
        help="No colour, even on a terminal (also NO_COLOR=1; FORCE_COLOR=1 forces it on).",
    )


def use_colour(stream: Any, no_color: bool, environ: Any) -> bool:
    """Colour on a terminal, unless --no-color, NO_COLOR (no-color.org) or TERM=dumb; a
    non-empty FORCE_COLOR (force-color.org) turns it on anywhere, except after the first two."""
    if no_color or environ.get("NO_COLOR", ""):
        return False
    if environ.get("FORCE_COLOR", "") not in ("", "0", "false"):
        return True
    if environ.get("TERM", "") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def code_problem(codes: tuple[str, ...], option: str) -> str | None:
    """Why ``--select``/``--ignore`` codes are not rule codes (with a suggestion), or None.

    Every command that takes them (lint, fix, render) checks them the same way."""
    from dflint.core.ruleindex import CODES

    known = sorted(CODES)
    for code in codes:
        if code != "ALL" and not any(item.startswith(code) for item in known):
            import difflib  # only for the message

            close = difflib.get_close_matches(code, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            return f"{option}: unknown rule code {code!r}{hint}"
    return None
