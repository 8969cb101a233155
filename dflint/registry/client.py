"""A small registry client over httpx: which platforms does an image exist for?

Only what the question needs, the way DESIGN.md's measurements say to do it:

* ``Accept`` names all four manifest types: without the OCI index type Distribution answers
  404 for an index, and with only the image type a manifest list silently comes back as its
  amd64 image.
* HEAD before GET: the HEAD gives the digest, and a digest already cached needs no GET (Docker
  Hub does not count HEADs against its anonymous pull limit).
* An index's platforms are in its descriptors; ``unknown/unknown`` entries are BuildKit's
  attestations and are dropped. A single-arch image's platform is only in its config blob.
* Anonymous token auth: on 401, ``WWW-Authenticate: Bearer realm,service,scope`` names where to
  get a pull token; tokens are cached per repository.
* Redirects are followed by hand so that ``Authorization`` never goes to another host (blobs
  are served from a CDN), and https never silently becomes http.
* Every request has a timeout, every image a time budget; 429 and 5xx are retried with
  exponential backoff (honouring ``Retry-After``) while the budget lasts. Response bodies are
  read with a size limit. Every failure becomes :class:`RegistryFailure` with a one-line reason.

``dflint verify`` reads through the same client: manifests by tag or digest
(:meth:`RegistryClient.get_manifest`), small blobs checked against their digest, and layer
blobs streamed (:meth:`RegistryClient.open_blob`: the body is left open to the caller, which
reads it through :class:`BlobStream` with an idle timeout and an overall deadline).

This module imports httpx at the top; the resolver imports this module only when it has to
go to the network, so a warm-cache or offline run never loads httpx.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode, urljoin, urlsplit

import httpx

from dflint import __version__, lazyre
from dflint.core.platform import Platform
from dflint.core.reference import ImageRef
from dflint.settings.registry import RegistrySettings

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
INDEX_TYPES = frozenset({OCI_INDEX, DOCKER_LIST})
IMAGE_TYPES = frozenset({OCI_MANIFEST, DOCKER_MANIFEST})
MANIFEST_ACCEPT = ", ".join((OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST))
IMAGE_CONFIG_TYPES = frozenset(
    {"application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json"}
)
ATTESTATION_ANNOTATION = "vnd.docker.reference.type"

MANIFEST_LIMIT = 4 * 1024 * 1024  # Distribution refuses larger manifests
CONFIG_LIMIT = 8 * 1024 * 1024
TOKEN_LIMIT = 1024 * 1024
REQUEST_TIMEOUT = 10.0  # one request at most; the image's budget may be shorter
# A request that got no answer for this long marks its endpoint unreachable for later runs;
# one cut shorter by the run's budget running out says nothing about the registry.
UNRESPONSIVE_AFTER = 1.0
# Errors of a TLS handshake with a server that answered in plain text (HTTP)
_PLAIN_TEXT_TLS_ERRORS = ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "HTTP_REQUEST",
                          "PACKET_LENGTH_TOO_LONG", "UNKNOWN_PROTOCOL")  # fmt: skip
MAX_REDIRECTS = 5
MAX_CHILDREN = 16  # index entries without a platform that are fetched to find it
_CHALLENGE_PARAM = lazyre.compile(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))')


class RegistryFailure(Exception):
    """The registry did not say which platforms an image has; ``reason`` says why."""

    def __init__(
        self,
        reason: str,
        not_found: bool = False,
        refused: bool = False,
        unreachable: bool = False,
        timed_out: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.not_found = not_found  # the registry answered that the image does not exist
        self.refused = refused  # the registry wants credentials: asking again will not help
        # no connection, or no answer for long enough: offline, no DNS, refused, a firewall
        # that drops packets, a mirror that hangs; later runs skip the endpoint for a while
        self.unreachable = unreachable
        self.timed_out = timed_out  # the time ran out (the image's, or the run's budget)


class Reachability(Protocol):
    """What the caller remembers about endpoints (``https://host[:port]``, a mirror URL)
    between runs: one that could not be reached is skipped for a while."""

    def skip(self, base: str) -> str | None:
        """Why ``base`` is not to be asked now, or None."""

    def failed(self, base: str, reason: str) -> None:
        """``base`` could not be reached (or did not answer in time)."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """What a registry says of an image: its platforms, digest and media type."""

    platforms: tuple[Platform, ...]
    digest: str | None
    media_type: str | None


@dataclass(frozen=True, slots=True)
class Manifest:
    """A manifest or index as a registry sent it, with the endpoint that answered."""

    base: str  # the endpoint that answered, where the blobs are read from
    document: dict[str, Any]
    media_type: str
    digest: str


class BlobStream:
    """An open blob download read like a file; every failure is a RegistryFailure."""

    def __init__(self, response: httpx.Response, host: str, deadline: float) -> None:
        self._response = response
        self._chunks = response.iter_bytes()
        self._left = b""
        self._host = host
        self._deadline = deadline

    def read(self, size: int = -1) -> bytes:
        while not self._left:
            if time.monotonic() > self._deadline:
                raise RegistryFailure(f"{self._host}: the blob is arriving too slowly")
            try:
                self._left = next(self._chunks)
            except StopIteration:
                return b""
            except httpx.TimeoutException:
                raise RegistryFailure(
                    f"{self._host}: the blob stopped arriving (timed out)"
                ) from None
            except httpx.HTTPError as exc:
                reason = _short(str(exc)) or type(exc).__name__
                raise RegistryFailure(f"{self._host}: the blob download failed: {reason}") from None
        if size < 0 or size >= len(self._left):
            out, self._left = self._left, b""
        else:
            out, self._left = self._left[:size], self._left[size:]
        return out

    def close(self) -> None:
        self._response.close()

    def __enter__(self) -> BlobStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(slots=True)
class _Response:
    """A registry's HTTP answer; a streamed one leaves its body to the caller."""

    status: int
    headers: httpx.Headers
    body: bytes
    url: str
    token: str | None = None  # the bearer token the request carried
    stream: httpx.Response | None = None  # a 200 answer whose body is left to the caller


@dataclass(slots=True)
class _Token:
    """A pull token from a registry's token server, and when to stop using it."""

    value: str
    expires: float


# A digest's platforms when they are already known (the cache), else None.
KnownDigest = Callable[[str], tuple[Platform, ...] | None]


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _media_type(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()


def parse_challenge(value: str) -> tuple[str, dict[str, str]]:
    """``Bearer realm="…",service="…"`` -> ("bearer", {...})."""
    scheme, _, rest = value.strip().partition(" ")
    params = {
        m.group(1).lower(): m.group(2) or m.group(3) or "" for m in _CHALLENGE_PARAM.finditer(rest)
    }
    return scheme.lower(), params


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _json(body: bytes, what: str) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise RegistryFailure(f"{what} is not valid JSON") from None


class RegistryClient:
    """One per run; thread-safe (httpx.Client is), with a token cache per repository."""

    def __init__(
        self,
        settings: RegistrySettings,
        attempts: int = 3,
        backoff: float = 0.5,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.attempts = attempts
        self.backoff = backoff
        self._client = httpx.Client(
            follow_redirects=False,
            transport=transport,
            headers={"User-Agent": f"dflint/{__version__}"},
            limits=httpx.Limits(max_connections=16, max_keepalive_connections=8),
        )
        self._lock = threading.Lock()
        self._tokens: dict[tuple[str, str], _Token] = {}
        self._token_locks: dict[tuple[str, str], threading.Lock] = {}
        self.requests = 0  # every HTTP request sent, token requests included
        self.token_requests = 0

    def close(self) -> None:
        self._client.close()

    # --- what the resolver calls -------------------------------------------------------

    def endpoints(self, ref: ImageRef) -> list[str]:
        return self.settings.endpoints(ref.registry, ref.api_host)

    def fetch(
        self,
        ref: ImageRef,
        budget: float,
        known: KnownDigest | None = None,
        reachability: Reachability | None = None,
    ) -> Fetched:
        """The platforms of ``ref``, trying the mirrors first; RegistryFailure otherwise.

        ``reachability`` skips endpoints remembered as unreachable and hears of new ones."""
        deadline = time.monotonic() + budget
        endpoints = self.endpoints(ref)
        failure: RegistryFailure | None = None
        for index, base in enumerate(endpoints):
            skipped = reachability.skip(base) if reachability is not None else None
            if skipped is not None:
                failure = RegistryFailure(skipped, unreachable=True)
                continue
            left = len(endpoints) - index
            # A slow mirror must leave time for the registry itself.
            share = (deadline - time.monotonic()) / left
            try:
                return self._fetch_at(base, ref, time.monotonic() + share, known)
            except RegistryFailure as exc:
                failure = exc
                if exc.unreachable and reachability is not None:
                    reachability.failed(base, exc.reason)
        assert failure is not None
        if len(endpoints) > 1 and not failure.not_found:
            raise RegistryFailure(
                f"{failure.reason} (mirrors tried first)",
                unreachable=failure.unreachable,
                timed_out=failure.timed_out,
            )
        raise failure

    # --- what verify reads: manifests and blobs ------------------------------------------

    def get_manifest(self, ref: ImageRef, reference: str, budget: float) -> Manifest:
        """The raw manifest (or index) ``reference`` names, from the first endpoint that has it.

        A digest reference is checked against the bytes received."""
        deadline = time.monotonic() + budget
        endpoints = self.endpoints(ref)
        failure: RegistryFailure | None = None
        for base in endpoints:
            try:
                response = self._manifest_request("GET", base, ref, reference, deadline)
            except RegistryFailure as exc:
                failure = exc
                continue
            actual = "sha256:" + hashlib.sha256(response.body).hexdigest()
            if reference.startswith("sha256:") and actual != reference:
                raise RegistryFailure(f"manifest digest {actual} is not the {reference} asked for")
            document = _json(response.body, "the manifest")
            return Manifest(base, document, self._kind(document, response), actual)
        assert failure is not None
        raise failure

    def get_blob(self, base: str, ref: ImageRef, digest: str, limit: int, budget: float) -> bytes:
        """A small blob (an image config, an attestation), checked against its digest."""
        response = self._request(
            "GET",
            f"{base}/v2/{ref.repository}/blobs/{digest}",
            ref.repository,
            time.monotonic() + budget,
            accept="*/*",
            limit=limit,
        )
        if response.status != 200:
            raise RegistryFailure(self._status_reason(f"blob {digest[:19]}", response))
        if digest.startswith("sha256:"):
            actual = "sha256:" + hashlib.sha256(response.body).hexdigest()
            if actual != digest:
                raise RegistryFailure(f"blob {digest[:19]} does not match its digest")
        return response.body

    def open_blob(
        self, base: str, ref: ImageRef, digest: str, budget: float, body_deadline: float
    ) -> BlobStream:
        """A blob's body, streamed: no more than ``budget`` seconds to the first byte or
        between two reads, and all of it before ``body_deadline`` (a monotonic time)."""
        response = self._request(
            "GET",
            f"{base}/v2/{ref.repository}/blobs/{digest}",
            ref.repository,
            time.monotonic() + budget,
            accept="*/*",
            limit=64 * 1024,
            stream=True,
        )
        if response.stream is None:
            raise RegistryFailure(self._status_reason(f"blob {digest[:19]}", response))
        return BlobStream(response.stream, urlsplit(response.url).netloc, body_deadline)

    def image_config(
        self,
        ref: ImageRef,
        os_name: str,
        arch: str,
        budget: float,
        reachability: Reachability | None = None,
    ) -> dict[str, Any]:
        """The image config (its JSON) of ``ref``'s image for one OS and architecture: what
        the image's build set (``config.Shell``, ``config.Env``, …). RegistryFailure when
        there is none or it cannot be had."""
        deadline = time.monotonic() + budget
        failure: RegistryFailure | None = None
        for base in self.endpoints(ref):
            skipped = reachability.skip(base) if reachability is not None else None
            if skipped is not None:
                failure = RegistryFailure(skipped, unreachable=True)
                continue
            try:
                return self._config_at(base, ref, os_name, arch, deadline)
            except RegistryFailure as exc:
                failure = exc
                if exc.unreachable and reachability is not None:
                    reachability.failed(base, exc.reason)
        assert failure is not None
        raise failure

    def _config_at(
        self, base: str, ref: ImageRef, os_name: str, arch: str, deadline: float
    ) -> dict[str, Any]:
        response = self._manifest_request("GET", base, ref, ref.digest or ref.reference, deadline)
        document = _json(response.body, "the manifest")
        media_type = self._kind(document, response)
        if media_type in INDEX_TYPES:
            chosen = None
            for entry in document.get("manifests") or []:
                raw = entry.get("platform") if isinstance(entry, dict) else None
                platform = Platform.from_oci(raw) if isinstance(raw, dict) else None
                if platform is not None and (platform.os, platform.architecture) == (
                    os_name,
                    arch,
                ):
                    chosen = entry.get("digest")
                    break
            if not isinstance(chosen, str):
                raise RegistryFailure(f"the index has no {os_name}/{arch} image")
            child = self._manifest_request("GET", base, ref, chosen, deadline)
            document = _json(child.body, "a manifest of the index")
            self._kind(document, child)
        config = document.get("config")
        if not isinstance(config, dict) or not isinstance(config.get("digest"), str):
            raise RegistryFailure("the image manifest has no config descriptor")
        blob = self._request(
            "GET",
            f"{base}/v2/{ref.repository}/blobs/{config['digest']}",
            ref.repository,
            deadline,
            accept="*/*",
            limit=CONFIG_LIMIT,
        )
        if blob.status != 200:
            raise RegistryFailure(self._status_reason("config blob", blob))
        found = _json(blob.body, "the image config")
        if not isinstance(found, dict):
            raise RegistryFailure("the image config is not a JSON object")
        return found

    # --- manifests ----------------------------------------------------------------------

    def _manifest_url(self, base: str, ref: ImageRef, reference: str) -> str:
        return f"{base}/v2/{ref.repository}/manifests/{reference}"

    def _manifest_request(
        self, method: str, base: str, ref: ImageRef, reference: str, deadline: float
    ) -> _Response:
        response = self._request(
            method,
            self._manifest_url(base, ref, reference),
            ref.repository,
            deadline,
            accept=MANIFEST_ACCEPT,
            limit=MANIFEST_LIMIT,
        )
        if response.status == 404:
            raise RegistryFailure(
                f"{urlsplit(base).netloc} has no manifest {ref.repository}:{reference} (HTTP 404)",
                not_found=True,
            )
        if response.status != 200:
            raise RegistryFailure(self._status_reason("manifest", response))
        return response

    def _fetch_at(
        self, base: str, ref: ImageRef, deadline: float, known: KnownDigest | None
    ) -> Fetched:
        digest: str | None = ref.digest
        if digest is None:
            head = self._request(
                "HEAD",
                self._manifest_url(base, ref, ref.reference),
                ref.repository,
                deadline,
                accept=MANIFEST_ACCEPT,
                limit=0,
            )
            if head.status == 404:
                raise RegistryFailure(
                    f"{urlsplit(base).netloc} has no manifest "
                    f"{ref.repository}:{ref.reference} (HTTP 404)",
                    not_found=True,
                )
            if head.status == 200:
                digest = head.headers.get("docker-content-digest")
            # Anything else (405 from a registry without HEAD): the GET below answers.
        if digest and known is not None:
            cached = known(digest)
            if cached is not None:
                return Fetched(cached, digest, None)
        response = self._manifest_request("GET", base, ref, digest or ref.reference, deadline)
        if digest and digest.startswith("sha256:"):
            actual = "sha256:" + hashlib.sha256(response.body).hexdigest()
            if actual != digest:
                raise RegistryFailure(f"manifest digest {actual} is not the {digest} asked for")
        elif digest is None:
            digest = "sha256:" + hashlib.sha256(response.body).hexdigest()
        document = _json(response.body, "the manifest")
        media_type = self._kind(document, response)
        platforms = self._platforms(base, ref, document, media_type, deadline, depth=0)
        return Fetched(platforms, digest, media_type)

    def _kind(self, document: Any, response: _Response) -> str:
        if not isinstance(document, dict):
            raise RegistryFailure("the manifest is not a JSON object")
        stated = document.get("mediaType")
        media_type = _media_type(stated if isinstance(stated, str) else None)
        if not media_type:
            media_type = _media_type(response.headers.get("content-type"))
        if media_type not in INDEX_TYPES | IMAGE_TYPES:
            if isinstance(document.get("manifests"), list):
                return OCI_INDEX  # OCI allows an index without mediaType
            if isinstance(document.get("config"), dict):
                return OCI_MANIFEST
            shown = media_type or "none"
            raise RegistryFailure(f"unsupported manifest media type {shown!r}")
        return media_type

    def _platforms(
        self, base: str, ref: ImageRef, document: Any, media_type: str, deadline: float, depth: int
    ) -> tuple[Platform, ...]:
        if media_type in INDEX_TYPES:
            return self._index_platforms(base, ref, document, deadline, depth)
        config = document.get("config")
        if not isinstance(config, dict) or not isinstance(config.get("digest"), str):
            raise RegistryFailure("the image manifest has no config descriptor")
        config_type = _media_type(config.get("mediaType"))
        if config_type and config_type not in IMAGE_CONFIG_TYPES:
            raise RegistryFailure(f"not a container image (config media type {config_type!r})")
        platform = self._config_platform(base, ref, config["digest"], deadline)
        return (platform,)

    def _index_platforms(
        self, base: str, ref: ImageRef, document: dict[str, Any], deadline: float, depth: int
    ) -> tuple[Platform, ...]:
        entries = document.get("manifests")
        if not isinstance(entries, list):
            raise RegistryFailure("the index has no manifests list")
        found: list[Platform] = []
        without_platform: list[dict[str, Any]] = []
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            annotations = entry.get("annotations")
            if isinstance(annotations, dict) and ATTESTATION_ANNOTATION in annotations:
                continue
            raw = entry.get("platform")
            platform = Platform.from_oci(raw) if isinstance(raw, dict) else None
            if platform is None:
                without_platform.append(entry)
            elif not platform.is_attestation and platform not in found:
                found.append(platform)
        # An OCI index may leave the platform out (nested indexes, some tools' output):
        # then only the entry's own manifest or config says it.
        if depth < 2:
            for entry in without_platform[:MAX_CHILDREN]:
                digest = entry.get("digest")
                if not isinstance(digest, str):
                    continue
                child = self._manifest_request("GET", base, ref, digest, deadline)
                child_doc = _json(child.body, "a manifest of the index")
                try:
                    child_type = self._kind(child_doc, child)
                    for platform in self._platforms(
                        base, ref, child_doc, child_type, deadline, depth + 1
                    ):
                        if not platform.is_attestation and platform not in found:
                            found.append(platform)
                except RegistryFailure:
                    continue  # an artifact beside the images: not a platform
        if not found:
            raise RegistryFailure("the index lists no platform")
        return tuple(found)

    def _config_platform(self, base: str, ref: ImageRef, digest: str, deadline: float) -> Platform:
        response = self._request(
            "GET",
            f"{base}/v2/{ref.repository}/blobs/{digest}",
            ref.repository,
            deadline,
            accept="*/*",
            limit=CONFIG_LIMIT,
        )
        if response.status != 200:
            raise RegistryFailure(self._status_reason("config blob", response))
        config = _json(response.body, "the image config")
        if not isinstance(config, dict):
            raise RegistryFailure("the image config is not a JSON object")
        platform = Platform.from_oci(config)
        if platform is None:
            raise RegistryFailure("the image config names no os/architecture")
        return platform

    # --- HTTP ----------------------------------------------------------------------------

    def _status_reason(self, what: str, response: _Response) -> str:
        host = urlsplit(response.url).netloc
        detail = ""
        try:
            errors = json.loads(response.body).get("errors")
            if isinstance(errors, list) and errors and isinstance(errors[0], dict):
                detail = f": {_short(str(errors[0].get('message') or errors[0].get('code')))}"
        except (ValueError, AttributeError, RecursionError):
            pass
        return f"{host} answered HTTP {response.status} for the {what}{detail}"

    def _request(
        self,
        method: str,
        url: str,
        repository: str,
        deadline: float,
        accept: str,
        limit: int,
        stream: bool = False,
    ) -> _Response:
        """One logical request: auth, redirects and retries; the final response otherwise.

        With ``stream``, a 200 answer's body is not read: ``stream`` holds the open response."""
        attempt = 0
        authorisations = 0
        origin = urlsplit(url).netloc
        while True:
            response = self._send(method, url, repository, deadline, accept, limit, origin, stream)
            if response.status == 401:
                # Twice at most: once for a missing or expired token, once more when another
                # thread's token replaced the one sent. A third 401 is a refusal, not a race.
                token = None
                if authorisations < 2:
                    token = self._authorise(response, repository, deadline)
                if token is None:
                    raise RegistryFailure(
                        self._auth_reason(response, authorisations > 0), refused=True
                    )
                authorisations += 1
                continue
            if _retryable(response):
                attempt += 1
                host = urlsplit(response.url).netloc
                wait = self._wait(attempt, response)
                if attempt >= self.attempts:
                    raise RegistryFailure(
                        f"{host} answered HTTP {response.status} {attempt} times in a row"
                    )
                if wait >= deadline - time.monotonic():
                    raise RegistryFailure(
                        f"{host} answered HTTP {response.status}; retrying after {wait:g} s "
                        f"would pass the {self.settings.timeout:g} s budget"
                    )
                time.sleep(wait)
                continue
            return response

    def _wait(self, attempt: int, response: _Response | None = None) -> float:
        """How long to wait before attempt ``attempt + 1``: the server's Retry-After when it
        sent one, else exponential backoff. The one retry policy of every request, token
        requests included."""
        wait = retry_after(response.headers.get("retry-after")) if response else None
        return self.backoff * 2 ** (attempt - 1) if wait is None else wait

    def _auth_reason(self, response: _Response, had_token: bool) -> str:
        host = urlsplit(response.url).netloc
        if had_token:
            return f"{host} refused anonymous access (HTTP 401 with a fresh pull token)"
        scheme, _ = parse_challenge(response.headers.get("www-authenticate", ""))
        if scheme == "basic":
            return f"{host} requires credentials (Basic auth); dflint pulls anonymously"
        return f"{host} answered HTTP 401 without a Bearer challenge"

    def _send(
        self,
        method: str,
        url: str,
        repository: str,
        deadline: float,
        accept: str,
        limit: int,
        origin: str,
        stream: bool = False,
    ) -> _Response:
        """Send one request, following redirects by hand; retry transport errors."""
        attempt = 0
        while True:
            try:
                return self._send_once(
                    method, url, repository, deadline, accept, limit, origin, stream
                )
            except _Transient as exc:
                attempt += 1
                wait = self._wait(attempt)
                if attempt >= self.attempts or wait >= deadline - time.monotonic():
                    raise RegistryFailure(
                        exc.reason,
                        unreachable=exc.waited >= UNRESPONSIVE_AFTER,
                        timed_out=exc.waited > 0,
                    ) from None
                time.sleep(wait)

    def _send_once(
        self,
        method: str,
        url: str,
        repository: str,
        deadline: float,
        accept: str,
        limit: int,
        origin: str,
        stream: bool = False,
    ) -> _Response:
        headers = {"Accept": accept}
        token = self._cached_token(origin, repository)
        for _ in range(MAX_REDIRECTS + 1):
            host = urlsplit(url).netloc
            if token is not None and host == origin:
                headers["Authorization"] = f"Bearer {token}"
            else:
                # A CDN behind a redirect gets no credentials meant for the registry.
                headers.pop("Authorization", None)
            response = self._exchange(method, url, headers, deadline, limit, stream)
            response.token = token
            location = response.headers.get("location")
            if response.status not in (301, 302, 303, 307, 308) or not location:
                return response
            target = urljoin(url, location)
            parts = urlsplit(target)
            if parts.scheme not in ("http", "https"):
                raise RegistryFailure(f"{host} redirected to a {parts.scheme!r} URL")
            if (
                parts.scheme == "http"
                and urlsplit(url).scheme == "https"
                and not self.settings.allows_http(parts.netloc)
            ):
                raise RegistryFailure(f"{host} redirected from https to plain http")
            url = target
            if response.status == 303:
                method = "GET"
        raise RegistryFailure(f"more than {MAX_REDIRECTS} redirects from {origin}")

    def _exchange(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        deadline: float,
        limit: int,
        stream: bool = False,
    ) -> _Response:
        left = deadline - time.monotonic()
        host = urlsplit(url).netloc
        if left <= 0:
            raise RegistryFailure(
                f"{host}: no answer within the {self.settings.timeout:g} s budget"
            )
        seconds = min(left, REQUEST_TIMEOUT)
        timeout = httpx.Timeout(seconds)
        with self._lock:
            self.requests += 1
        try:
            if stream:
                request = self._client.build_request(method, url, headers=headers, timeout=timeout)
                opened = self._client.send(request, stream=True)
                if opened.status_code == 200:
                    return _Response(200, opened.headers, b"", url, stream=opened)
                try:
                    body = b""
                    if opened.status_code not in (301, 302, 303, 307, 308):
                        body = self._read(opened, limit, host, deadline)
                    return _Response(opened.status_code, opened.headers, body, url)
                finally:
                    opened.close()
            with self._client.stream(method, url, headers=headers, timeout=timeout) as response:
                body = b""
                if method != "HEAD" and response.status_code not in (301, 302, 303, 307, 308):
                    body = self._read(response, limit, host, deadline)
                return _Response(response.status_code, response.headers, body, url)
        except httpx.TimeoutException:
            if seconds < REQUEST_TIMEOUT:
                raise _Transient(
                    f"{host}: no answer within the {self.settings.timeout:g} s budget",
                    waited=seconds,
                ) from None
            raise _Transient(
                f"{host}: no answer within {REQUEST_TIMEOUT:g} s", waited=seconds
            ) from None
        except httpx.ConnectError as exc:
            # Refused, no route, no DNS answer, a TLS failure: trying again within seconds does
            # not help, and an offline laptop should not wait for it on every run.
            reason = f"cannot connect to {host}: {_short(str(exc)) or 'refused'}"
            if url.startswith("https://") and _plain_text_tls_error(exc):
                reason += self._plain_http_hint(host, deadline)
            raise RegistryFailure(reason, unreachable=True) from None
        except httpx.HTTPError as exc:
            raise _Transient(f"{host}: {type(exc).__name__}: {_short(str(exc))}") from None

    def _plain_http_hint(self, host: str, deadline: float) -> str:
        """After a TLS handshake that got plain text back: whether ``host`` speaks HTTP (one
        quick request), and how to let dflint use it."""
        how = (
            f"allow it with --insecure-registry {host}, DFLINT_INSECURE_REGISTRIES or "
            "insecure-registries in the config"
        )
        left = min(deadline - time.monotonic(), 2.0)
        if left > 0:
            with self._lock:
                self.requests += 1
            try:
                probe = self._client.get(f"http://{host}/v2/", timeout=httpx.Timeout(left))
                probe.close()
            except httpx.HTTPError:
                pass
            else:
                return f"; {host} speaks plain HTTP, not HTTPS: {how}"
        return f"; if {host} speaks plain HTTP, {how}"

    def _read(self, response: httpx.Response, limit: int, host: str, deadline: float) -> bytes:
        declared = response.headers.get("content-length")
        if limit and declared and declared.isdigit() and int(declared) > limit:
            raise RegistryFailure(f"{host} sent {int(declared)} bytes; the limit is {limit}")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise RegistryFailure(f"{host} sent more than {limit} bytes")
            if time.monotonic() > deadline:
                # A server trickling bytes never trips the read timeout.
                raise RegistryFailure(
                    f"{host}: no answer within the {self.settings.timeout:g} s budget"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    # --- tokens ----------------------------------------------------------------------------

    def _cached_token(self, host: str, repository: str) -> str | None:
        with self._lock:
            token = self._tokens.get((host, repository))
        if token is None or token.expires <= time.monotonic():
            return None
        return token.value

    def _authorise(self, response: _Response, repository: str, deadline: float) -> str | None:
        """A pull token for ``repository`` (one request per repository, even when the images
        of several threads need it at once); None when the challenge is not Bearer."""
        scheme, params = parse_challenge(response.headers.get("www-authenticate", ""))
        realm = params.get("realm")
        if scheme != "bearer" or not realm:
            return None
        key = (urlsplit(response.url).netloc, repository)
        with self._lock:
            lock = self._token_locks.setdefault(key, threading.Lock())
        with lock:
            with self._lock:
                current = self._tokens.get(key)
            if (
                current is not None
                and current.value != response.token
                and current.expires > time.monotonic()
            ):
                return current.value  # another thread fetched one while this one waited
            token = self._fetch_token(realm, params, repository, deadline)
            with self._lock:
                self._tokens[key] = token
            return token.value

    def _fetch_token(
        self, realm: str, params: dict[str, str], repository: str, deadline: float
    ) -> _Token:
        parts = urlsplit(realm)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise RegistryFailure(f"the auth challenge names an unusable realm {_short(realm)!r}")
        query = {"scope": params.get("scope") or f"repository:{repository}:pull"}
        if params.get("service"):
            query["service"] = params["service"]
        url = realm + ("&" if "?" in realm else "?") + urlencode(query)
        with self._lock:
            self.token_requests += 1
        attempt = 0
        while True:
            response: _Response | None = None
            try:
                response = self._exchange(
                    "GET", url, {"Accept": "application/json"}, deadline, TOKEN_LIMIT
                )
            except _Transient as exc:
                failure = exc
            else:
                if not _retryable(response):
                    break
            attempt += 1
            wait = self._wait(attempt, response)
            if attempt < self.attempts and wait < deadline - time.monotonic():
                time.sleep(wait)
                continue
            if response is None:
                raise RegistryFailure(
                    f"token server {failure.reason}",
                    unreachable=failure.waited >= UNRESPONSIVE_AFTER,
                    timed_out=failure.waited > 0,
                ) from None
            break
        if response.status != 200:
            raise RegistryFailure(
                f"token server {parts.netloc} answered HTTP {response.status} "
                "to an anonymous pull request"
            )
        document = _json(response.body, "the token response")
        if not isinstance(document, dict):
            raise RegistryFailure(f"token server {parts.netloc} sent no token")
        value = document.get("token") or document.get("access_token")
        if not isinstance(value, str) or not value:
            raise RegistryFailure(f"token server {parts.netloc} sent no token")
        expires_in = document.get("expires_in")
        # The spec's default lifetime is 60 s; keep a margin so a token does not expire in flight.
        lifetime = float(expires_in) if isinstance(expires_in, int | float) else 60.0
        return _Token(value, time.monotonic() + max(lifetime - 10.0, 1.0))


def _retryable(response: _Response) -> bool:
    """Rate limited or a server error: the same request may succeed later."""
    return response.status == 429 or response.status >= 500


def _plain_text_tls_error(exc: BaseException) -> bool:
    """Whether a connection failed in the TLS handshake because the server sent something
    that is not TLS (as a plain-HTTP registry does)."""
    import ssl

    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            break
        if isinstance(seen, ssl.SSLError):
            reason = getattr(seen, "reason", None) or ""
            return reason in _PLAIN_TEXT_TLS_ERRORS or any(
                item in str(seen) for item in _PLAIN_TEXT_TLS_ERRORS
            )
        seen = seen.__cause__ or seen.__context__
    text = str(exc)
    return any(item in text for item in _PLAIN_TEXT_TLS_ERRORS)


class _Transient(Exception):
    """A transport error worth one more try (a timeout, a connection reset mid-answer)."""

    def __init__(self, reason: str, waited: float = 0.0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.waited = waited  # seconds spent waiting for an answer that never came
