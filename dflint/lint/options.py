"""What a lint run is asked for on the command line, and the config each file gets.

Kept apart from the engine, which imports the whole analysis: the command line builds
:class:`Options` and reads the run's failure threshold before any file is linted, and a
parallel run forks its copies before the engine is imported, so that each imports it
alongside the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dflint.core.findings import Severity
from dflint.read.fileio import real_path
from dflint.settings import config as config_module
from dflint.settings.config import Config

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from dflint.registry.resolver import Resolution


@dataclass(frozen=True, slots=True)
class Options:
    """Command-line settings that override the config file."""

    platforms: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    failure_threshold: str | None = None
    config_path: Path | None = None
    no_config: bool = False
    offline: bool = False  # never ask a registry for FROM images' platforms
    # --error/--warning/--info: severities by code, before the config file's
    severity: tuple[tuple[str, Severity], ...] = ()
    # --insecure-registry hosts and --registry-budget, added to the config's registry settings
    insecure_registries: tuple[str, ...] = ()
    registry_budget: float | None = None
    # FROM images already resolved for this run, by normalised reference (see
    # dflint.lint.runner.prefetch); the engine resolves whatever is missing
    base_images: Mapping[str, Resolution] = field(default_factory=dict, compare=False)


def config_for(path: Path, options: Options) -> Config:
    """The config for ``path`` (its own, the one named, or none) under the command line's."""
    if options.no_config:
        config = _DEFAULTS
    elif options.config_path is not None:
        config = _explicit_config(options.config_path)
    else:
        config = config_module.discover(Path(real_path(path)).parent)
    return _with_command_line(config, options)


# Every file of a --no-config run has these (a Config is frozen).
_DEFAULTS = Config()


def _with_command_line(config: Config, options: Options) -> Config:
    """The command line's severities and registry settings (and DFLINT_INSECURE_REGISTRIES)
    over the file's."""
    from dataclasses import replace

    from dflint.settings.registry import with_overrides

    registry = with_overrides(config.registry, options.insecure_registries, options.registry_budget)
    if registry is config.registry and not options.severity:
        return config
    sources = dict(config.sources)
    if options.severity:
        where = sources.get("severity")
        sources["severity"] = "command line" + (f" + {where}" if where else "")
    overridden = {code for code, _ in options.severity}
    severity = options.severity + tuple(
        (code, level) for code, level in config.severity if code not in overridden
    )
    return replace(config, severity=severity, registry=registry, sources=sources)


def _explicit_config(path: Path) -> Config:
    loaded = config_module.load_file(path)
    if loaded is None:
        from dflint.errors import ConfigError

        raise ConfigError(f"{path}: has no [tool.dflint] table")
    return loaded
