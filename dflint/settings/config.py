"""Configuration: ``[tool.dflint]`` in pyproject.toml or ``.dflint.toml``, searched upward.

The nearest file that has dflint settings wins (a pyproject.toml without ``[tool.dflint]`` is
passed over). Command-line options override the file.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from dflint.core.findings import THRESHOLDS, Severity
from dflint.errors import ConfigError, InputError
from dflint.read.fileio import read_input, real_path
from dflint.settings import registry as registry_settings
from dflint.settings.fix import Settings as FixSettings
from dflint.settings.fix import parse as parse_fix_settings
from dflint.settings.registry import RegistrySettings

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from typing import Any

KEYS = (
    "platforms",
    "select",
    "ignore",
    "per-file-ignores",
    "severity",
    "failure-threshold",
    # where FROM images' platforms come from (dflint.registry)
    "offline",
    "registry-mirrors",
    "insecure-registries",
    "cache-ttl",
    "registry-timeout",
    "registry-budget",
    # the user's own mappings for dflint fix and render (dflint.settings.fix)
    "fix",
    # targets by path, and whether per-architecture files are an accepted layout
    "per-file-platforms",
    "per-arch-files",
)


@dataclass(frozen=True, slots=True)
class Config:
    """The settings of ``[tool.dflint]`` (or their defaults), with where each value came from."""

    path: Path | None = None  # the file it came from
    platforms: tuple[str, ...] = ()
    # glob -> target platforms, for the files a glob matches (the first match wins)
    per_file_platforms: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # "check": per-architecture files are told their pins; "accept": the layout is intended
    per_arch_files: str = "check"
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    failure_threshold: str = "warning"
    offline: bool = False  # never ask a registry; the cache and offline tables still answer
    registry: RegistrySettings = field(default_factory=RegistrySettings)
    fix: FixSettings = field(default_factory=FixSettings)
    # where each value came from, for --show-config
    sources: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def root(self) -> Path:
        return self.path.parent if self.path is not None else Path.cwd()

    def severity_for(self, code: str, default: Severity) -> Severity:
        for key, value in self.severity:
            if key == code:
                return value
        return default

    def platforms_for(self, path: str) -> tuple[tuple[str, ...], str]:
        """The target platforms this config declares for a file, and where (empty: none)."""
        if self.per_file_platforms:
            relative = _relative(path, self.root)
            for pattern, platforms in self.per_file_platforms:
                if _glob(relative, pattern):
                    where = self.sources.get("per-file-platforms", "config")
                    return platforms, f"per-file-platforms {pattern!r} in {where}"
        if self.platforms:
            return self.platforms, f"platforms in {self.sources.get('platforms', 'config')}"
        return (), ""

    def per_file_ignored(self, code: str, path: str) -> bool:
        if not self.per_file_ignores:
            return False
        relative = _relative(path, self.root)
        return any(
            _glob(relative, pattern) and matches(code, codes)
            for pattern, codes in self.per_file_ignores
        )


def matches(code: str, selectors: tuple[str, ...]) -> bool:
    """Whether a code is named by selectors (a code, a prefix such as DF3, or ALL)."""
    return any(selector == "ALL" or code.startswith(selector) for selector in selectors)


def _relative(path: str, root: Path) -> str:
    try:
        return Path(real_path(path)).relative_to(real_path(root)).as_posix()
    except ValueError:
        return Path(path).as_posix()


def _glob(relative: str, pattern: str) -> bool:
    name = relative.rsplit("/", 1)[-1]
    return fnmatch.fnmatchcase(relative, pattern) or fnmatch.fnmatchcase(name, pattern)


def _suggest(word: str, choices: tuple[str, ...] | list[str]) -> str:
    import difflib  # only for a message

    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _codes(value: Any, key: str, where: str, known: list[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: {key} must be a list of rule codes")
    result = []
    for item in value:
        code = item.strip().upper()
        if code != "ALL" and not any(known_code.startswith(code) for known_code in known):
            raise ConfigError(f"{where}: {key}: unknown rule code {item!r}{_suggest(code, known)}")
        result.append(code)
    return tuple(result)


def _platforms(value: Any, where: str) -> tuple[str, ...]:
    from dflint.core.platform import PlatformError, check_target

    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: platforms must be a list such as ['linux/amd64']")
    found = []
    for item in value:
        try:
            found.append(check_target(item))
        except PlatformError as exc:
            raise ConfigError(f"{where}: platforms: {exc}") from None
    return tuple(found)


def _per_file_platforms(value: Any, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigError(
            f"{where}: per-file-platforms must be a table of glob = ['linux/amd64', ...]"
        )
    return tuple(
        (pattern, _platforms(platforms, f"{where}: per-file-platforms.{pattern!r}"))
        for pattern, platforms in value.items()
    )


PER_ARCH_FILES = ("check", "accept")


def _per_arch_files(value: Any, where: str) -> str:
    if not isinstance(value, str) or value.lower() not in PER_ARCH_FILES:
        hint = _suggest(value.lower(), PER_ARCH_FILES) if isinstance(value, str) else ""
        raise ConfigError(f"{where}: per-arch-files must be 'check' or 'accept'{hint}")
    return value.lower()


def _threshold(value: Any, where: str) -> str:
    if not isinstance(value, str) or value.lower() not in THRESHOLDS:
        raise ConfigError(
            f"{where}: failure-threshold must be one of {', '.join(THRESHOLDS)}"
            + (_suggest(str(value).lower(), THRESHOLDS) if isinstance(value, str) else "")
        )
    return value.lower()


def _offline(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: offline must be true or false")
    return value


def _registry(data: dict[str, Any], where: str) -> RegistrySettings:
    insecure = registry_settings.parse_insecure(data.get("insecure-registries", []), where)
    defaults = RegistrySettings()
    return RegistrySettings(
        mirrors=registry_settings.parse_mirrors(data.get("registry-mirrors", {}), where, insecure),
        insecure=insecure,
        cache_ttl=registry_settings.parse_duration(
            data.get("cache-ttl", defaults.cache_ttl), where, "cache-ttl"
        ),
        timeout=registry_settings.parse_timeout(
            data.get("registry-timeout", defaults.timeout), where
        ),
        budget=registry_settings.parse_budget(data.get("registry-budget", defaults.budget), where),
    )


def from_mapping(data: dict[str, Any], where: str, path: Path | None) -> Config:
    """Validate a settings table. Unknown keys are an error with a suggestion."""
    from dflint.core.ruleindex import CODES

    known = sorted(CODES)
    for key in data:
        if key not in KEYS:
            raise ConfigError(f"{where}: unknown key {key!r}{_suggest(key, KEYS)}")
    sources = {key: where for key in data}
    per_file: list[tuple[str, tuple[str, ...]]] = []
    raw_per_file = data.get("per-file-ignores", {})
    if not isinstance(raw_per_file, dict):
        raise ConfigError(f"{where}: per-file-ignores must be a table of glob = [codes]")
    for pattern, codes in raw_per_file.items():
        per_file.append((pattern, _codes(codes, f"per-file-ignores.{pattern!r}", where, known)))
    severity: list[tuple[str, Severity]] = []
    raw_severity = data.get("severity", {})
    if not isinstance(raw_severity, dict):
        raise ConfigError(f"{where}: severity must be a table of CODE = 'error'|'warning'|'info'")
    for code, level in raw_severity.items():
        _codes([code], "severity", where, known)
        levels = ("error", "warning", "info")
        if not isinstance(level, str) or level.lower() not in levels:
            hint = _suggest(level.lower(), levels) if isinstance(level, str) else ""
            raise ConfigError(
                f"{where}: severity.{code} must be 'error', 'warning' or 'info'{hint}"
            )
        severity.append((code.upper(), Severity.parse(level)))
    return Config(
        path=path,
        platforms=_platforms(data.get("platforms", []), where),
        per_file_platforms=_per_file_platforms(data.get("per-file-platforms", {}), where),
        per_arch_files=_per_arch_files(data.get("per-arch-files", "check"), where),
        select=_codes(data.get("select", []), "select", where, known),
        ignore=_codes(data.get("ignore", []), "ignore", where, known),
        per_file_ignores=tuple(per_file),
        severity=tuple(severity),
        failure_threshold=_threshold(data.get("failure-threshold", "warning"), where),
        offline=_offline(data.get("offline", False), where),
        registry=_registry(data, where),
        fix=parse_fix_settings(data.get("fix", {}), where),
        sources=sources,
    )


def load_file(path: Path) -> Config | None:
    """The dflint settings in one file; None for a pyproject.toml without [tool.dflint]."""
    import tomllib  # only when there is a file to read

    where = str(path)
    try:
        data = tomllib.loads(read_input(path).decode("utf-8"))
    except InputError as exc:
        message = exc.message
        raise ConfigError(
            f"{where}: {'no such file' if message.startswith('no such') else message}"
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{where}: invalid TOML: not UTF-8 (byte {exc.start + 1})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{where}: invalid TOML: nested too deeply") from None
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        if not isinstance(tool, dict) or "dflint" not in tool:
            return None
        table = tool["dflint"]
        where += " [tool.dflint]"
    else:
        table = data.get("tool", {}).get("dflint", data) if "tool" in data else data
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: dflint settings must be a table")
    return from_mapping(table, where, path)


@lru_cache(maxsize=256)
def discover(directory: Path) -> Config:
    """The config that applies to files in ``directory``: nearest .dflint.toml or pyproject."""
    for folder in (directory, *directory.parents):
        for name in (".dflint.toml", "pyproject.toml"):
            candidate = folder / name
            if candidate.is_file():
                config = load_file(candidate)
                if config is not None:
                    return config
    return Config()
