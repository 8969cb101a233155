"""Command-line options shared by several commands, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

SelectOption = Annotated[
    Optional[list[str]],  # noqa: UP045 - typer reads Optional on 3.11
    typer.Option("--select", help="Only these rule codes or prefixes."),
]
IgnoreOption = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option("--ignore", help="Skip these rule codes or prefixes."),
]
ConfigOption = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--config", help="Use this config file instead of searching for one.", readable=False
    ),
]
NoConfigOption = Annotated[bool, typer.Option("--no-config", help="Ignore config files.")]
OfflineOption = Annotated[
    bool,
    typer.Option("--offline", help="Never ask a registry; use the cache and offline tables."),
]


def code_problem(codes: tuple[str, ...], option: str) -> str | None:
    """Why ``--select``/``--ignore`` codes are not rule codes (with a suggestion), or None.

    Every command that takes them (lint, fix, render) checks them the same way."""
    import difflib

    from dflint.lint.ruleset import rule_codes

    known = rule_codes()
    for code in codes:
        if code != "ALL" and not any(item.startswith(code) for item in known):
            close = difflib.get_close_matches(code, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            return f"{option}: unknown rule code {code!r}{hint}"
    return None
