"""``[tool.dflint.fix]``: the user's own mappings for ``dflint fix`` and ``dflint render``.

```toml
[tool.dflint.fix]
images = { "myorg/base:1.0" = "myorg/base:1.0-nanoserver" }   # Linux image = Windows image
paths = { "/srv/data" = "D:\\data" }                          # Linux path = Windows path
users = { "app" = "ContainerUser" }                           # Linux user = Windows user
commands = ["mytool"]              # programs with the same command line on both systems
windows-release = "ltsc2022"       # the Windows tags to map to (ltsc2019, ltsc2022, ltsc2025)
```

Every pair works both ways. Values are kept as tuples so that the settings stay hashable.
"""

from __future__ import annotations

from dataclasses import dataclass

from dflint.errors import ConfigError

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from typing import Any

KEYS = ("images", "paths", "users", "commands", "windows-release")
WINDOWS_RELEASES = ("ltsc2019", "ltsc2022", "ltsc2025")
DEFAULT_WINDOWS_RELEASE = "ltsc2022"


@dataclass(frozen=True, slots=True)
class Settings:
    """The ``[tool.dflint.fix]`` settings: the user's own pairs, commands and Windows release."""

    image_pairs: tuple[tuple[str, str], ...] = ()
    path_pairs: tuple[tuple[str, str], ...] = ()
    user_pairs: tuple[tuple[str, str], ...] = ()
    commands: frozenset[str] = frozenset()
    windows_release: str = DEFAULT_WINDOWS_RELEASE

    @property
    def images(self) -> dict[str, str]:
        return dict(self.image_pairs)

    @property
    def paths(self) -> dict[str, str]:
        return dict(self.path_pairs)

    @property
    def users(self) -> dict[str, str]:
        return dict(self.user_pairs)


def _pairs(value: Any, key: str, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ConfigError(f'{where}: fix.{key} must be a table of "linux" = "windows" strings')
    return tuple(sorted(value.items()))


def parse(value: Any, where: str) -> Settings:
    """Validate the ``fix`` table; unknown keys are an error with a suggestion."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: fix must be a table")
    for key in value:
        if key not in KEYS:
            import difflib  # only for a message

            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{where}: unknown key fix.{key}{hint}")
    commands = value.get("commands", [])
    if not isinstance(commands, list) or not all(isinstance(item, str) for item in commands):
        raise ConfigError(f"{where}: fix.commands must be a list of program names")
    release = value.get("windows-release", DEFAULT_WINDOWS_RELEASE)
    if release not in WINDOWS_RELEASES:
        raise ConfigError(
            f"{where}: fix.windows-release must be one of {', '.join(WINDOWS_RELEASES)}"
        )
    return Settings(
        image_pairs=_pairs(value.get("images", {}), "images", where),
        path_pairs=_pairs(value.get("paths", {}), "paths", where),
        user_pairs=_pairs(value.get("users", {}), "users", where),
        commands=frozenset(item.lower() for item in commands),
        windows_release=release,
    )
