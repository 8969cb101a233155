"""The FROM images' platforms for one lint run: glue between the engine and the resolver.

The engine resolves the bases of one file when a rule that needs them is enabled
(:func:`bases_for`). A command that lints many files first calls
:func:`dflint.lint.runner.prefetch`, so the images of every file are resolved at once,
concurrently, and the per-file step (possibly in another process) only reads the answers it is
handed in ``Options.base_images``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from dflint.analyse.analysis import Analysis
from dflint.core.reference import ImageRef
from dflint.registry.resolver import Resolution, resolver_for
from dflint.registry.stages import BaseImages, base_images

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
            resolver = resolver_for(config.registry, offline=offline or config.offline)
            found.update(resolver.resolve_many(missing))
        return found

    return base_images(analysis, lookup)
