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


def _resolver(settings: RegistrySettings, offline: bool) -> Resolver:
    """The run's resolver (:func:`resolver_for`), looked up once per process and setting."""
    environ = os.environ
    key = (settings, offline, os.getpid(), *[environ.get(name) for name in _LOCATION_VARIABLES])
    found = _RESOLVERS.get(key)
    if found is None:
        found = _RESOLVERS[key] = resolver_for(settings, offline=offline)
    return found
