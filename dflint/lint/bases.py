"""Glue between the lint engine and the resolver.

The engine resolves the bases of one file when a rule that needs them is enabled
(:func:`bases_for`). A command that lints many files first calls :func:`prefetch`, so the
images of every file are resolved at once, concurrently, and the per-file step (possibly in
another process) only reads the answers it is handed in ``Options.base_images``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from dflint.analyse.analysis import Analysis, analyze
from dflint.core.reference import ImageRef
from dflint.errors import DflintError
from dflint.registry.resolver import Resolution, offline_from_env, resolver_for
from dflint.registry.stages import BaseImages, base_images, image_refs
from dflint.settings.registry import RegistrySettings

if TYPE_CHECKING:
    from dflint.lint.engine import Options
    from dflint.settings.config import Config


def read_regular_file(path: Path) -> bytes:
    """The bytes of a regular file (see :func:`dflint.read.fileio.read_input`)."""
    from dflint.read.fileio import read_input

    return read_input(path)


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


def prefetch(
    files: list[tuple[Path, str]], options: Options, always: bool = False
) -> dict[str, Resolution]:
    """Resolve the FROM images of all ``files`` at once; unreadable files are left to lint.

    Only files for which a rule that needs platforms is enabled count, unless ``always``."""
    from dflint.lint.engine import config_for, enabled_rules, has_template_markup
    from dflint.read.parser import parse_bytes

    groups: dict[tuple[RegistrySettings, bool], dict[str, ImageRef]] = {}
    for path, shown in files:
        try:
            config = config_for(path, options)
            rules = enabled_rules(config, options, shown)
            if not always and not any(rule.needs_base_images for rule in rules):
                continue
            if options.offline or config.offline or offline_from_env():
                # Offline answers come from local tables in microseconds: fetching them
                # ahead would only parse every file twice.
                continue
            dockerfile = parse_bytes(read_regular_file(path), shown)
        except (OSError, DflintError):
            continue  # the lint step reports it (a bad file with its position, a bad config)
        if has_template_markup("\n".join(dockerfile.lines)):
            continue
        group = groups.setdefault((config.registry, options.offline or config.offline), {})
        for ref in image_refs(analyze(dockerfile)):
            group.setdefault(ref.key, ref)
    results: dict[str, Resolution] = {}
    for (settings, offline), refs in groups.items():
        results.update(resolver_for(settings, offline=offline).resolve_many(refs.values()))
    return results
