"""Registry settings from ``[tool.dflint]``: mirrors, insecure registries, cache TTL, timeout,
the run's budget; and the insecure registries of the command line and the environment.

The parsers raise :class:`~dflint.errors.ConfigError` with the key and what was wrong, so a
typo in a config file is one line naming the file, never a traceback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from dflint import lazyre
from dflint.core.reference import DEFAULT_REGISTRY, is_loopback_host
from dflint.errors import ConfigError

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from typing import Any

DEFAULT_TTL = 24 * 3600.0
DEFAULT_TIMEOUT = 15.0
MAX_TIMEOUT = 300.0
# All the look-ups of one run together: a pre-commit hook or CI step must not wait on a
# registry that does not answer (images left over are answered by the cache and the tables).
DEFAULT_BUDGET = 5.0
ENV_INSECURE = "DFLINT_INSECURE_REGISTRIES"
ENV_OFFLINE = "DFLINT_OFFLINE"


def offline_from_env() -> bool:
    """``DFLINT_OFFLINE`` asks for no registry look-ups (the cache and tables still answer)."""
    return os.environ.get(ENV_OFFLINE, "").strip().lower() in ("1", "true", "yes", "on")


_DURATION = lazyre.compile(r"(\d+(?:\.\d+)?)\s*([smhd]?)\Z")
_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_HOST = lazyre.compile(r"(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:]+\])(?::\d+)?\Z")


@dataclass(frozen=True, slots=True)
class RegistrySettings:
    """How registries are reached: mirrors, insecure hosts, cache TTL, timeout and budget."""

    # registry -> mirror base URLs, tried in order before the registry itself
    mirrors: tuple[tuple[str, tuple[str, ...]], ...] = ()
    insecure: tuple[str, ...] = ()  # registries (host[:port]) that may be reached over HTTP
    cache_ttl: float = DEFAULT_TTL  # seconds a cached tag is trusted before a HEAD
    timeout: float = DEFAULT_TIMEOUT  # seconds for one image, retries included
    budget: float = DEFAULT_BUDGET  # seconds for all the look-ups of a run together

    def mirrors_for(self, registry: str) -> tuple[str, ...]:
        for name, urls in self.mirrors:
            if name == registry:
                return urls
        return ()

    def allows_http(self, host: str) -> bool:
        """Plain HTTP: loopback (Docker's own default) and the registries named in config."""
        host = host.lower()
        return is_loopback_host(host) or host in self.insecure

    def endpoints(self, registry: str, api_host: str) -> list[str]:
        """Where an image of ``registry`` is asked for, in order: its mirrors, then itself
        (``api_host``: Docker Hub's API is not at docker.io)."""
        scheme = "http" if self.allows_http(registry) else "https"
        return [*self.mirrors_for(registry), f"{scheme}://{api_host}"]


def with_overrides(
    settings: RegistrySettings, insecure: tuple[str, ...] = (), budget: float | None = None
) -> RegistrySettings:
    """``settings`` plus the command line's ``--insecure-registry`` hosts and
    ``--registry-budget``, and the hosts in ``DFLINT_INSECURE_REGISTRIES`` (comma- or
    space-separated). ConfigError when one is not a host."""
    raw = os.environ.get(ENV_INSECURE, "")
    from_env = parse_insecure(raw.replace(",", " ").split(), ENV_INSECURE, None) if raw else ()
    extra = tuple(host for host in (*insecure, *from_env) if host not in settings.insecure)
    if not extra and budget is None:
        return settings
    return replace(
        settings,
        insecure=settings.insecure + tuple(dict.fromkeys(extra)),
        budget=settings.budget if budget is None else budget,
    )


def _registry_name(value: str) -> str:
    name = value.strip().lower()
    return DEFAULT_REGISTRY if name == "index.docker.io" else name


def parse_duration(value: Any, where: str, key: str) -> float:
    """Seconds, or a number with s/m/h/d: 3600, "90m", "12h", "7d"."""
    if isinstance(value, bool):
        raise ConfigError(f"{where}: {key} must be a duration such as 3600, '12h' or '7d'")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (match := _DURATION.match(value.strip().lower())):
        seconds = float(match.group(1)) * _UNIT[match.group(2)]
    else:
        raise ConfigError(f"{where}: {key} must be a duration such as 3600, '12h' or '7d'")
    if seconds < 0:
        raise ConfigError(f"{where}: {key} must not be negative")
    return seconds


def parse_timeout(value: Any, where: str) -> float:
    seconds = parse_duration(value, where, "registry-timeout")
    if not 0 < seconds <= MAX_TIMEOUT:
        raise ConfigError(
            f"{where}: registry-timeout must be more than 0 and at most {MAX_TIMEOUT:g} seconds"
        )
    return seconds


def parse_budget(value: Any, where: str) -> float:
    seconds = parse_duration(value, where, "registry-budget")
    if not 0 < seconds <= MAX_TIMEOUT:
        raise ConfigError(
            f"{where}: registry-budget must be more than 0 and at most {MAX_TIMEOUT:g} seconds"
        )
    return seconds


def parse_insecure(
    value: Any, where: str, key: str | None = "insecure-registries"
) -> tuple[str, ...]:
    """Hosts allowed over plain HTTP; ``key`` is how errors name the value (None: ``where``
    alone, for a command-line option or an environment variable)."""
    label = f"{where}: {key}" if key else where
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(
            f"{where}: insecure-registries must be a list of hosts such as ['registry.lan:5000']"
        )
    hosts = []
    for item in value:
        host = _registry_name(item)
        if "://" in host or not _HOST.match(host):
            raise ConfigError(
                f"{label}: {item!r} is not a host[:port] (write registry.lan:5000, without http://)"
            )
        hosts.append(host)
    return tuple(hosts)


def parse_mirrors(
    value: Any, where: str, insecure: tuple[str, ...]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``{"docker.io" = ["https://mirror.gcr.io"]}``; a bare host means https://host."""
    if not isinstance(value, dict):
        raise ConfigError(
            f"{where}: registry-mirrors must be a table such as "
            '{ "docker.io" = ["https://mirror.gcr.io"] }'
        )
    result = []
    for registry, urls in value.items():
        name = _registry_name(registry)
        if not _HOST.match(name):
            raise ConfigError(f"{where}: registry-mirrors: {registry!r} is not a registry host")
        if isinstance(urls, str):
            urls = [urls]
        if not isinstance(urls, list) or not all(isinstance(item, str) for item in urls):
            raise ConfigError(f"{where}: registry-mirrors.{registry} must be a list of URLs")
        cleaned = []
        for url in urls:
            text = url.strip().rstrip("/")
            if "://" not in text:
                text = "https://" + text
            parts = urlsplit(text)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ConfigError(
                    f"{where}: registry-mirrors.{registry}: {url!r} is not an http(s) URL"
                )
            host = parts.netloc.lower()
            if parts.scheme == "http" and not (is_loopback_host(host) or host in insecure):
                raise ConfigError(
                    f"{where}: registry-mirrors.{registry}: {url!r} uses plain HTTP; "
                    f"list {host!r} in insecure-registries to allow that"
                )
            cleaned.append(f"{parts.scheme}://{host}{parts.path}")
        result.append((name, tuple(cleaned)))
    return tuple(result)
