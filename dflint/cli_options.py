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
    typer.Option("--config", help="Use this config file instead of searching for one."),
]
NoConfigOption = Annotated[bool, typer.Option("--no-config", help="Ignore config files.")]
OfflineOption = Annotated[
    bool,
    typer.Option("--offline", help="Never ask a registry; use the cache and offline tables."),
]
