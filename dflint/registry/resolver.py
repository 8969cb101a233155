"""Resolve the platforms of FROM images, through the layers, concurrently.

Layers, first that answers:

1. the on-disk cache: a digest's entry always, a tag's entry while it is younger than the
   TTL (no network at all, so a warm run makes no request);
2. the live registry (mirrors first); an expired entry is revalidated with a HEAD, and a
   digest the cache knows needs no GET;
3. a stale cache entry, when the registry does not answer;
4. the offline tables (an imported official-images table, then the built-in one);
5. otherwise "unknown", with the reason.

``--offline`` (or ``DFLINT_OFFLINE=1``) skips layer 2 and accepts cache entries of any age.
A 404 or a refusal of anonymous access is cached for an hour as a negative entry, so a
misspelt or private image does not cost requests on every run. Every image of a run is
resolved at once on a thread pool; on a terminal, a line of progress appears when that takes
more than a second (:mod:`dflint.progress`).

Time: each image has ``registry-timeout`` (15 s), and all the look-ups of a run together have
``registry-budget`` (5 s): what is left unanswered then comes from the cache and the tables.
An endpoint (``https://host[:port]``, or a mirror's URL) that refused the connection, failed
the TLS handshake or did not answer for a second or more is remembered as unreachable for
five minutes, by scheme and host: later runs skip it without importing the HTTP stack, and
allowing a registry over plain HTTP (another scheme) takes effect on the next run.
"""

from __future__ import annotations

import _thread
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from dflint.core.platform import Platform
from dflint.core.reference import ImageRef
from dflint.registry.cache import CacheEntry, DiskCache, default_cache_dir
from dflint.registry.offline import (
    ImportedTable,
    TableAnswer,
    builtin_table,
    imported_table_path,
    load_imported,
)
from dflint.settings.registry import RegistrySettings, offline_from_env

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from concurrent.futures import Future
    from typing import TextIO

    from dflint.registry.client import RegistryClient

NEGATIVE_TTL = 3600.0  # a missing tag may be pushed soon: ask again after an hour
MEMO_TTL = 600.0  # how long one process trusts its own answers (failures included)
# After a registry could not be reached at all, later runs skip it for a while: a laptop
# offline or behind a closed network must not pay an HTTP stack and a DNS failure per run.
UNREACHABLE_TTL = 300.0
MAX_WORKERS = 8


def _unreachable_key(base: str) -> str:
    """The cache key of an endpoint's "unreachable" marker: by scheme and host (and a
    mirror's path), so that the same host over HTTP is a different endpoint."""
    return f"unreachable:{base}"


@dataclass(frozen=True, slots=True)
class Resolution:
    """The platforms of an image as far as they are known, and which layer answered."""

    reference: str  # the normalised reference (or the text, when it is not one)
    platforms: tuple[Platform, ...]
    known: bool  # False: nothing is known, and ``reason`` says why
    complete: bool  # True: ``platforms`` is every platform the image has
    source: str  # registry, cache, stale cache, an offline table, or none
    reason: str | None = None  # why unknown, or why a fallback layer answered
    digest: str | None = None

    # the platforms by normalised (os, architecture), built on first use: an index can hold
    # thousands of platforms, and a matrix asks about each of them
    _by_arch: dict[tuple[str, str], list[Platform]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def covers(self, target: Platform) -> bool | None:
        """Whether the image exists for ``target``; None when that is not known."""
        if not self.known:
            return None
        index = self._by_arch
        if index is None:
            index = {}
            for item in self.platforms:
                norm = item.normalised
                index.setdefault((norm.os, norm.architecture), []).append(item)
            object.__setattr__(self, "_by_arch", index)
        wanted = target.normalised
        candidates = index.get((wanted.os, wanted.architecture), ())
        if any(item.serves(target) for item in candidates):
            return True
        return False if self.complete else None

    @property
    def explained(self) -> str:
        """Where the answer came from, with the reason a fallback was used."""
        return f"{self.source}: {self.reason}" if self.reason else self.source


def unknown(reference: str, reason: str) -> Resolution:
    return Resolution(reference, (), False, False, "none", reason)


ClientFactory = Callable[[RegistrySettings], "RegistryClient"]


class Resolver:
    def __init__(
        self,
        settings: RegistrySettings,
        offline: bool = False,
        cache: DiskCache | None = None,
        imported: ImportedTable | None = None,
        client_factory: ClientFactory | None = None,
        progress: TextIO | None = None,
        workers: int = MAX_WORKERS,
    ) -> None:
        self.settings = settings
        self.offline = offline
        self.cache = cache
        self.imported = imported
        self.progress = progress
        self.workers = workers
        self._client_factory = client_factory
        self._client: RegistryClient | None = None
        self._lock = _thread.allocate_lock()  # threading.Lock, without importing threading
        self._memo: dict[str, tuple[float, Resolution]] = {}
        self._deadline: float | None = None  # the run's budget ends (set on first use)
        self.pid = os.getpid()

    # --- public -----------------------------------------------------------------------------

    def shell(self, ref: ImageRef, os_name: str, arch: str) -> tuple[str, ...] | None:
        """The SHELL an image runs RUN lines with, from its config: () when the config sets
        none (the OS's default then applies), None when it cannot be known (offline, not
        found, unreachable)."""
        if self.offline or self._all_skipped(ref) is not None:
            return None
        left = self._time_left()
        if left <= 0:
            return None
        from dflint.registry.client import RegistryFailure

        budget = min(self.settings.timeout, left)
        try:
            config = self._get_client().image_config(ref, os_name, arch, budget, self)
        except RegistryFailure:
            return None
        inner = config.get("config")
        shell = inner.get("Shell") if isinstance(inner, dict) else None
        if shell is None:
            return ()
        if isinstance(shell, list) and shell and all(isinstance(item, str) for item in shell):
            return tuple(shell)
        return None

    def answered(self) -> dict[str, Resolution]:
        """Every answer this resolver gave, by normalised reference."""
        with self._lock:
            return {key: found for key, (_, found) in self._memo.items()}

    # --- reachability (dflint.registry.client.Reachability) ---------------------------------

    def skip(self, base: str) -> str | None:
        marker = self._entry(_unreachable_key(base))
        if marker is not None and marker.age() < UNREACHABLE_TTL and marker.reason:
            return f"{marker.reason} (not retried for a while)"
        return None

    def failed(self, base: str, reason: str) -> None:
        self._store(_unreachable_key(base), None, None, None, reason)

    def _all_skipped(self, ref: ImageRef) -> str | None:
        """Why no endpoint of ``ref`` is to be asked now (all are marked), or None."""
        reason = None
        for base in self.settings.endpoints(ref.registry, ref.api_host):
            reason = self.skip(base)
            if reason is None:
                return None
        return reason

    def _time_left(self) -> float:
        """Seconds left of the run's budget for look-ups; it starts with the first one."""
        with self._lock:
            if self._deadline is None:
                self._deadline = time.monotonic() + self.settings.budget
            return self._deadline - time.monotonic()

    @property
    def requests(self) -> int:
        """HTTP requests this resolver has sent (0 when it never needed the network)."""
        return self._client.requests if self._client is not None else 0

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def resolve(self, ref: ImageRef) -> Resolution:
        return self.resolve_many([ref])[ref.key]

    def resolve_many(self, refs: Iterable[ImageRef]) -> dict[str, Resolution]:
        """Every reference's resolution, by ``ref.key``; network look-ups run concurrently."""
        results: dict[str, Resolution] = {}
        todo: dict[str, ImageRef] = {}
        for ref in refs:
            if ref.key in results or ref.key in todo:
                continue
            remembered = self._remembered(ref.key)
            if remembered is not None:
                results[ref.key] = remembered
                continue
            answer = self._without_network(ref)
            if answer is not None:
                results[ref.key] = self._remember(answer)
            else:
                todo[ref.key] = ref
        if not todo:
            return results
        from concurrent.futures import ThreadPoolExecutor  # only for network look-ups

        with ThreadPoolExecutor(max_workers=min(self.workers, len(todo))) as pool:
            futures = {pool.submit(self._guarded, ref): key for key, ref in todo.items()}
            self._wait(list(futures))
        for future, key in futures.items():
            results[key] = self._remember(future.result())
        return results

    # --- layers -----------------------------------------------------------------------------

    def _remembered(self, key: str) -> Resolution | None:
        with self._lock:
            found = self._memo.get(key)
        if found is None or time.monotonic() - found[0] > MEMO_TTL:
            return None
        return found[1]

    def _remember(self, resolution: Resolution) -> Resolution:
        with self._lock:
            self._memo[resolution.reference] = (time.monotonic(), resolution)
        return resolution

    def _entry(self, key: str) -> CacheEntry | None:
        return self.cache.get(key) if self.cache is not None else None

    def _without_network(self, ref: ImageRef) -> Resolution | None:
        """A fresh cache answer, or, offline, whatever answers without the network."""
        entry = self._entry(ref.digest or ref.key)
        if entry is not None:
            ttl = self.settings.cache_ttl if entry.platforms is not None else NEGATIVE_TTL
            if ref.digest or entry.age() < min(ttl, self.settings.cache_ttl):
                return self._from_entry(ref, entry, "cache")
        if not self.offline:
            return None
        return self._fallback(ref, entry, "offline")

    def _from_entry(self, ref: ImageRef, entry: CacheEntry, source: str) -> Resolution:
        if entry.platforms is None:
            return Resolution(
                ref.key, (), False, False, source, entry.reason or "not found", entry.digest
            )
        return Resolution(ref.key, entry.platforms, True, True, source, None, entry.digest)

    def _fallback(self, ref: ImageRef, entry: CacheEntry | None, why: str) -> Resolution:
        if entry is not None and entry.platforms is not None:
            days = entry.age() / 86400
            stale = f"stale cache ({days:.1f} days old)"
            return Resolution(ref.key, entry.platforms, True, True, stale, why, entry.digest)
        if entry is not None:
            return self._from_entry(ref, entry, "cache")  # the registry's earlier 404
        answer = self._table(ref)
        if answer is not None:
            return Resolution(ref.key, answer.platforms, True, answer.complete, answer.source, why)
        if self.offline:
            return unknown(ref.key, "offline, and not in the cache or the offline tables")
        return unknown(ref.key, why)

    def _table(self, ref: ImageRef) -> TableAnswer | None:
        if self.imported is not None:
            found = self.imported.lookup(ref)
            if found is not None:
                return found
        return builtin_table().lookup(ref)

    def _guarded(self, ref: ImageRef) -> Resolution:
        try:
            return self._network(ref)
        except Exception as exc:  # a bug here must cost one image its answer, not the run
            return unknown(ref.key, f"internal error: {type(exc).__name__}: {exc}")

    def _network(self, ref: ImageRef) -> Resolution:
        # A digest reference's entry is the digest's own: the same content in any repository.
        key = ref.digest or ref.key
        entry = self._entry(key)
        # before anything imports the HTTP stack: a laptop without network pays nothing
        skipped = self._all_skipped(ref)
        if skipped is not None:
            return self._fallback(ref, entry, skipped)
        left = self._time_left()
        if left <= 0:
            return self._fallback(
                ref, entry, f"the run's {self.settings.budget:g} s for registry look-ups ran out"
            )
        from dflint.registry.client import RegistryFailure

        client = self._get_client()
        budget = min(self.settings.timeout, left)

        def known(digest: str) -> tuple[Platform, ...] | None:
            if entry is not None and entry.digest == digest and entry.platforms is not None:
                return entry.platforms
            by_digest = self._entry(digest)
            return by_digest.platforms if by_digest is not None else None

        try:
            fetched = client.fetch(ref, budget, known, self)
        except RegistryFailure as exc:
            # The registry's own "no" is remembered for an hour (NEGATIVE_TTL), so a private
            # or misspelt image does not cost requests on every run; a network failure is not
            # (an unreachable endpoint is, for five minutes: see ``failed``).
            if exc.not_found or (exc.refused and (entry is None or entry.platforms is None)):
                self._store(key, None, None, None, exc.reason)
                return unknown(ref.key, exc.reason)
            reason = exc.reason
            if exc.timed_out and budget < self.settings.timeout:
                reason = reason.replace(
                    f"within the {self.settings.timeout:g} s budget",
                    f"before the run's {self.settings.budget:g} s for registry look-ups ran out",
                )
            return self._fallback(ref, entry, reason)
        self._store(key, fetched.platforms, fetched.digest, fetched.media_type, None)
        if fetched.digest and ref.digest is None:
            self._store(fetched.digest, fetched.platforms, fetched.digest, fetched.media_type, None)
        revalidated = entry is not None and entry.digest == fetched.digest
        return Resolution(
            ref.key,
            fetched.platforms,
            True,
            True,
            "cache (revalidated)" if revalidated else "registry",
            None,
            fetched.digest,
        )

    def _store(
        self,
        key: str,
        platforms: tuple[Platform, ...] | None,
        digest: str | None,
        media_type: str | None,
        reason: str | None,
    ) -> None:
        if self.cache is None:
            return
        now = time.time()
        old = self.cache.get(key)
        fetched = now
        if old is not None and digest and old.digest == digest:
            fetched = old.fetched  # only revalidated: the content is as old as it was
            media_type = media_type or old.media_type
        self.cache.put(CacheEntry(key, platforms, digest, media_type, reason, fetched, now))

    def _get_client(self) -> RegistryClient:
        with self._lock:
            if self._client is None:
                if self._client_factory is not None:
                    self._client = self._client_factory(self.settings)
                else:
                    from dflint.registry.client import RegistryClient

                    self._client = RegistryClient(self.settings)
            return self._client

    def _wait(self, futures: list[Future[Resolution]]) -> None:
        """Wait for the look-ups, showing their count on the run's progress line (or on
        ``self.progress``, when it is a terminal, after a second)."""
        from concurrent.futures import wait

        from dflint import progress

        own = self.progress is not None
        if self.progress is not None:
            # a stream handed in by the caller: a terminal is enough (the caller decided)
            bar = progress.Progress(self.progress if self.progress.isatty() else None)
        else:
            bar = progress.current()
        pending = set(futures)
        while pending:
            _, pending = wait(pending, timeout=0.1)
            if pending:
                done = len(futures) - len(pending)
                bar.update(f"dflint: resolving base images from registries: {done}/{len(futures)}")
        if own:
            bar.clear()


# --- one resolver per run (per process and settings) -----------------------------------------

_POOL: dict[tuple[object, ...], Resolver] = {}
_POOL_LOCK = _thread.allocate_lock()


def answered() -> dict[str, Resolution]:
    """Every answer the resolvers of this process gave (for ``dflint lint -v``)."""
    found: dict[str, Resolution] = {}
    with _POOL_LOCK:
        resolvers = [item for key, item in _POOL.items() if key[-1] == os.getpid()]
    for resolver in resolvers:
        found.update(resolver.answered())
    return found


def requests_sent() -> int:
    """HTTP requests the resolvers of this process sent."""
    with _POOL_LOCK:
        resolvers = [item for key, item in _POOL.items() if key[-1] == os.getpid()]
    return sum(resolver.requests for resolver in resolvers)


def resolver_for(settings: RegistrySettings, offline: bool = False) -> Resolver:
    """The resolver of this process for these settings, so the files of one run share
    answers, tokens and connections."""
    offline = offline or offline_from_env()
    cache_dir = default_cache_dir()
    imported_path = imported_table_path()
    key = (settings, offline, str(cache_dir), str(imported_path), os.getpid())
    with _POOL_LOCK:
        found = _POOL.get(key)
        if found is None:
            found = Resolver(
                settings,
                offline=offline,
                cache=DiskCache(cache_dir),
                imported=load_imported(imported_path),
            )
            _POOL[key] = found
        return found
