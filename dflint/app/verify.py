"""What ``dflint verify`` does between its options and its output (the CLI stays thin)."""

from __future__ import annotations

import os
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from dflint.core.platform import Platform
from dflint.errors import ConfigError
from dflint.settings.config import Config
from dflint.verify.engine import Verifier
from dflint.verify.report import render

if TYPE_CHECKING:
    from dflint.registry.client import RegistryClient


def _config(config_path: Path | None, no_config: bool) -> Config:
    from dflint.settings import config as config_module

    if no_config:
        return Config()
    if config_path is not None:
        loaded = config_module.load_file(config_path)
        if loaded is None:
            raise ConfigError(f"{config_path}: has no [tool.dflint] table")
        return loaded
    return config_module.discover(Path.cwd())


def _unicode() -> bool:
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "✓✗–".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def verify(
    references: list[str],
    platforms: tuple[str, ...],
    format_name: str,
    output_file: Path | None,
    exclude: tuple[str, ...],
    jobs: int,
    config_path: Path | None,
    no_config: bool,
) -> int:
    """Run the verification; print or write the report; the exit code."""
    from dflint.report import formatters

    config = _config(config_path, no_config)
    wanted = platforms or config.platforms
    targets = []
    for text in wanted:
        try:
            targets.append(Platform.parse(text))
        except ValueError:
            raise ConfigError(
                f"--platform: {text!r} is not an os/arch[/variant] platform such as linux/arm64"
            ) from None
    clients: list[RegistryClient] = []

    def client_for() -> RegistryClient:
        from dflint.registry.client import RegistryClient

        if not clients:
            clients.append(RegistryClient(config.registry))
        return clients[0]

    from dflint.verify.sources import open_source

    progress = sys.stderr if sys.stderr.isatty() else None
    verifier = Verifier(tuple(targets), exclude, workers=jobs, progress=progress)
    try:
        run = verifier.run([(text, partial(open_source, text, client_for)) for text in references])
    finally:
        verifier.close()
        for client in clients:
            client.close()
    environ = os.environ if output_file is None else {}
    chosen = formatters.choose(format_name, environ)
    rendered = render(run, chosen, unicode=_unicode() or output_file is not None)
    if output_file is not None:
        try:
            output_file.write_text(rendered, encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{output_file}: cannot write: {exc.strerror or exc}") from None
    else:
        sys.stdout.write(rendered)
    return run.exit_code()
