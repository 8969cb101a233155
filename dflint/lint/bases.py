"""The FROM images' platforms for one lint run: glue between the engine and the resolver.

The engine resolves the bases of one file when a rule that needs them is enabled
(:func:`bases_for`). A command that lints many files first calls
:func:`dflint.lint.runner.prefetch`, so the images of every file are resolved at once,
concurrently, and the per-file step (possibly in another process) only reads the answers it is
handed in ``Options.base_images``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from dflint.analyse.analysis import Analysis
from dflint.core.reference import ImageRef
from dflint.registry.resolver import Resolution, Resolver, resolver_for
from dflint.registry.stages import BaseImages, base_images
from dflint.settings.registry import RegistrySettings

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from dflint.settings.config import Config


def bases_for(
    analysis: Analysis,
    config: Config,
    offline: bool,
    known: Mapping[str, Resolution],
) -> BaseImages:
    """The stages' bases, from ``known`` answers first, then the run's resolver."""

    def lookup(refs: list[ImageRef]) -> dict[str, Resolution]:
        found = {ref.key: known[ref.key] for ref in refs if ref.key in known}
        missing = [ref for ref in refs if ref.key not in found]
        if missing:
            resolver = _resolver(config.registry, offline or config.offline)
            found.update(resolver.resolve_many(missing))
        return found

    return base_images(analysis, lookup)


# The environment that decides where a resolver's cache and tables are (dflint's own
# settings, then what platformdirs reads on Linux, macOS and Windows). Working the folders
# out again for every file took longer than linting the file.
_LOCATION_VARIABLES = (
    "DFLINT_CACHE_DIR",
    "DFLINT_DATA_DIR",
    "DFLINT_OFFLINE",
    "XDG_CACHE_HOME",
    "XDG_DATA_HOME",
    "HOME",
    "LOCALAPPDATA",
    "APPDATA",
    "USERPROFILE",
)
_RESOLVERS: dict[tuple[object, ...], Resolver] = {}


def _location_values() -> tuple[object, ...]:
    """The values of :data:`_LOCATION_VARIABLES` now (asked for each file linted).

    Read from the mapping behind ``os.environ`` where there is one, with the names encoded
    once: ``os.environ.get`` encodes each name and decodes each value, in Python, and nine
    of those took longer than the rest of the look-up."""
    environ = os.environ
    data = getattr(environ, "_data", None)
    encode = getattr(environ, "encodekey", None)
    if not isinstance(data, dict) or encode is None:
        return tuple(environ.get(name) for name in _LOCATION_VARIABLES)
    global _ENCODED
    if _ENCODED is None:
        _ENCODED = tuple(encode(name) for name in _LOCATION_VARIABLES)
    return tuple(map(data.get, _ENCODED))


_ENCODED: tuple[object, ...] | None = None


def _resolver(settings: RegistrySettings, offline: bool) -> Resolver:
    """The run's resolver (:func:`resolver_for`), looked up once per process and setting."""
    key = (settings, offline, os.getpid(), *_location_values())
    found = _RESOLVERS.get(key)
    if found is None:
        found = _RESOLVERS[key] = resolver_for(settings, offline=offline)
    return found
