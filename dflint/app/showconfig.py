"""`dflint lint --show-config [PATH]`: the settings that apply to PATH and where each came from.

The output is valid TOML (each value's origin is a comment), so it can be pasted into a
``.dflint.toml`` as a starting point.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import is_dataclass
from pathlib import Path
from typing import Any

from dflint.core.findings import Severity
from dflint.lint.options import Options, config_for
from dflint.read.fileio import escape_surrogates, printable_name
from dflint.settings import config as config_module
from dflint.settings.config import Config

DEFAULT = "default"
_COMMENT_COLUMN = 44
_MISSING = object()
# Where a key's value lives on Config when its name is not simply the key in snake case.
_ATTRIBUTE = {
    "registry-mirrors": "registry.mirrors",
    "insecure-registries": "registry.insecure",
    "cache-ttl": "registry.cache_ttl",
    "registry-timeout": "registry.timeout",
    "registry-budget": "registry.budget",
}
# Keys whose values Config keeps as pairs but the file writes as a table.
_TABLES = frozenset({"per-file-ignores", "severity", "registry-mirrors", "per-file-platforms"})


def describe(paths: Iterable[Path], options: Options) -> str:
    """One block per path. For several paths each block is a table named by its path, so
    that the whole output stays valid TOML (keys may appear once per table)."""
    unique = list({path.as_posix(): path for path in paths}.values())
    several = len(unique) > 1
    text = "\n".join(_describe_one(path, options, several) for path in unique)
    return escape_surrogates(text)


def _describe_one(path: Path, options: Options, as_table: bool = False) -> str:
    # config_for looks in the folder of the file it is given
    probe = path / "Dockerfile" if path.is_dir() else path
    config = config_for(probe, options)
    shown = printable_name(path.as_posix())
    lines = [
        f"# dflint settings for {shown}",
        f"# config file: {printable_name(_origin(config, options))}",
    ]
    if as_table:
        lines.append(f"[{json.dumps(escape_surrogates(path.as_posix()))}]")
    rows = _rows(config, options)
    width = min(max(len(f"{key} = {value}") for key, value, _ in rows), _COMMENT_COLUMN)
    for key, value, source in rows:
        if value is None:  # a key this version cannot show: say where it is set instead
            lines.append(f"# {key}: not shown here; {source}")
            continue
        assignment = f"{key} = {value}"
        lines.append(f"{assignment.ljust(width)}  # {source}")
    if path.is_file():
        # each line of the answer is shown safely on its own: a folder name in it may hold
        # a line break of its own, which must not end the comment
        first, *more = _targets(path, options, config).split("\n")
        lines.append(f"# targets for {shown}: {printable_name(first)}")
        lines += [f"# {printable_name(line)}" for line in more]
    return "\n".join(lines) + "\n"


def _origin(config: Config, options: Options) -> str:
    if options.no_config:
        return "none (--no-config)"
    if options.config_path is not None:
        return f"{config.path} (--config)"
    if config.path is None:
        return "none found (looked for .dflint.toml and pyproject.toml [tool.dflint] upward)"
    return str(config.path)


def _from_file(config: Config, key: str) -> str:
    return config.sources.get(key, DEFAULT)


def _rows(config: Config, options: Options) -> list[tuple[str, str | None, str]]:
    rows: list[tuple[str, str | None, str]] = []
    if options.platforms:
        rows.append(("platforms", _toml(options.platforms), "command line (--platform)"))
    else:
        source = _from_file(config, "platforms")
        if source == DEFAULT:
            source = (
                "default: a `# dflint: platform=` comment, else linux/amd64 and "
                "linux/arm64 (windows/amd64 for a Windows image)"
            )
        rows.append(("platforms", _toml(config.platforms), source))
    if options.select:
        # --select replaces the file's select
        rows.append(("select", _toml(options.select), "command line (--select)"))
    else:
        source = _from_file(config, "select")
        rows.append(
            ("select", _toml(config.select), "default: every rule" if source == DEFAULT else source)
        )
    ignore_sources = [s for s in (_from_file(config, "ignore"),) if s != DEFAULT]
    if options.ignore:
        # --ignore adds to the file's ignore
        ignore_sources.append("command line (--ignore)")
    rows.append(
        ("ignore", _toml(config.ignore + options.ignore), " + ".join(ignore_sources) or DEFAULT)
    )
    rows.append(
        (
            "per-file-ignores",
            _toml(dict(config.per_file_ignores)),
            _from_file(config, "per-file-ignores"),
        )
    )
    rows.append(("severity", _toml(dict(config.severity)), _from_file(config, "severity")))
    rows.append(_threshold_row(options))
    if getattr(options, "offline", False):
        rows.append(("offline", "true", "command line (--offline)"))
    handled = {row[0] for row in rows}
    for key in config_module.KEYS:
        if key not in handled:
            value = _attribute(config, key)
            source = _from_file(config, key)
            if key in _TABLES and value is not _MISSING:
                value = dict(value)
            elif is_dataclass(value):
                value = _nested_table(value)
            rendered = None if value is _MISSING else _toml(value)
            rows.append((key, rendered, source))
    return rows


def _nested_table(value: Any) -> Any:
    """A sub-table (such as ``fix``) whose settings class sits in a module listing its KEYS."""
    keys = getattr(sys.modules.get(type(value).__module__), "KEYS", None)
    if not keys:
        return _MISSING
    table = {}
    for key in keys:
        item = getattr(value, key.replace("-", "_"), _MISSING)
        if item is _MISSING or (is_dataclass(item) and not isinstance(item, type)):
            return _MISSING
        table[key] = item
    return table


def _attribute(config: Config, key: str) -> Any:
    value: Any = config
    for part in _ATTRIBUTE.get(key, key.replace("-", "_")).split("."):
        value = getattr(value, part, _MISSING)
        if value is _MISSING:
            break
    return value


def _threshold_row(options: Options) -> tuple[str, str | None, str]:
    if options.failure_threshold is not None:
        return (
            "failure-threshold",
            _toml(options.failure_threshold),
            "command line (--failure-threshold)",
        )
    # One run has one threshold: the CLI takes it from the config of the working directory.
    run_config = config_for(Path.cwd() / "Dockerfile", options)
    source = _from_file(run_config, "failure-threshold")
    if source != DEFAULT:
        source += " (the working directory's config sets the run's threshold)"
    return ("failure-threshold", _toml(run_config.failure_threshold), source)


def _targets(path: Path, options: Options, config: Config) -> str:
    from dflint.analyse.analysis import analyze
    from dflint.analyse.targets import resolve_targets
    from dflint.errors import InputError
    from dflint.read.parser import parse_file

    try:
        dockerfile = parse_file(str(path), path.as_posix())
    except InputError as exc:
        return f"unknown: {exc}"
    targets = resolve_targets(analyze(dockerfile), options.platforms, config)
    text = f"{', '.join(targets.platforms)} (from {targets.source})"
    if targets.left_out:
        text += f"; left to another OS's Dockerfile: {', '.join(targets.left_out)}"
    own = targets.own
    if own is not None:
        kind = "a per-architecture file" if own.layout else "built for one platform"
        text += f"\nthe file says it is for {own.platform} ({own.evidence}): {kind}"
        if not targets.per_arch_accepted:
            text += ', checked against it (per-arch-files = "accept" makes it the target)'
    return text


def _toml(value: Any) -> str | None:
    """A TOML literal for the settings' value types; None for a value TOML cannot hold."""
    if value is None or value is _MISSING:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Severity):
        return json.dumps(value.value)
    if isinstance(value, str | Path):
        return json.dumps(str(value), ensure_ascii=False)
    if isinstance(value, dict):
        items = {json.dumps(str(k)): _toml(v) for k, v in value.items()}
        if any(item is None for item in items.values()):
            return None
        return "{ " + ", ".join(f"{k} = {v}" for k, v in items.items()) + " }" if items else "{}"
    if isinstance(value, set | frozenset):
        value = sorted(value)
    if isinstance(value, list | tuple):
        parts = [_toml(item) for item in value]
        return None if None in parts else "[" + ", ".join(p for p in parts if p) + "]"
    return None
