"""The faults public registries throw, from a small misbehaving registry on 127.0.0.1.

Every one ends as "unknown" with a one-line reason, within the time budget, without a
traceback, and the rest of the lint still completes.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from dflint.core.platform import Platform
from dflint.core.reference import parse_reference
from dflint.registry.cache import CacheEntry, DiskCache
from dflint.registry.client import RegistryClient
from dflint.registry.resolver import Resolution, Resolver
from dflint.settings.registry import RegistrySettings

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 2.0  # the per-image budget the fault tests run with
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+prettyjws"


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


INDEX = json.dumps(
    {
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [
            {"mediaType": OCI_MANIFEST, "digest": _digest(b"a"), "size": 1,
             "platform": {"os": "linux", "architecture": "amd64"}},
            {"mediaType": OCI_MANIFEST, "digest": _digest(b"b"), "size": 1,
             "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
        ],
    }
).encode()  # fmt: skip
CONFIG = json.dumps({"os": "linux", "architecture": "riscv64", "rootfs": {}}).encode()
SINGLE = json.dumps(
    {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": _digest(CONFIG), "size": len(CONFIG)},
        "layers": [],
    }
).encode()  # fmt: skip


class FaultServer:
    """A registry whose repository name picks its misbehaviour (see ``_manifest``)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str | None]] = []  # method, path, Authorization
        self.calls: dict[str, int] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.cdn_seen: list[str | None] = []
        self._lock = threading.Lock()
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.http.daemon_threads = True
        self.cdn = ThreadingHTTPServer(("127.0.0.1", 0), self._cdn_handler())
        self.cdn.daemon_threads = True
        for server in (self.http, self.cdn):
            threading.Thread(target=server.serve_forever, daemon=True).start()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.http.server_address[1]}"

    def ref(self, name: str) -> str:
        return f"{self.host}/{name}"

    def close(self) -> None:
        for server in (self.http, self.cdn):
            server.shutdown()
            server.server_close()

    def _count(self, repository: str) -> int:
        with self._lock:
            self.calls[repository] = self.calls.get(repository, 0) + 1
            return self.calls[repository]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fault = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                self._serve(head=True)

            def do_GET(self) -> None:
                self._serve(head=False)

            def reply(
                self, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
                head: bool = False,
            ) -> None:  # fmt: skip
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)

            def _serve(self, head: bool) -> None:
                auth = self.headers.get("Authorization")
                with fault._lock:
                    fault.seen.append((self.command, self.path, auth))
                    fault.in_flight += 1
                    fault.max_in_flight = max(fault.max_in_flight, fault.in_flight)
                try:
                    self._route(head, auth)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    with fault._lock:
                        fault.in_flight -= 1

            def _route(self, head: bool, auth: str | None) -> None:
                if self.path.startswith("/token-limited") and fault._count("token") == 1:
                    self.reply(429, b"slow down", {"Retry-After": "1"}, head)
                    return
                if self.path.startswith("/token-down"):
                    self.reply(503, b"", {}, head)
                    return
                if self.path.startswith("/token"):
                    self.reply(200, json.dumps({"token": "t0ken", "expires_in": 300}).encode())
                    return
                parts = self.path.split("/")
                if len(parts) < 5 or parts[1] != "v2":
                    self.reply(404)
                    return
                repository, kind = parts[2], parts[3]
                if kind == "blobs":
                    self._blob(repository, head)
                else:
                    self._manifest(repository, head, auth)

            def challenge(self, head: bool, scheme: str = "Bearer", token: str = "token") -> None:
                realm = f'realm="http://{fault.host}/{token}",service="faults"'
                value = f"{scheme} {realm}" if scheme == "Bearer" else 'Basic realm="x"'
                self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                           {"WWW-Authenticate": value}, head)  # fmt: skip

            def _manifest(self, repository: str, head: bool, auth: str | None) -> None:
                count = fault._count(repository)
                ok = {"Content-Type": OCI_INDEX, "Docker-Content-Digest": _digest(INDEX)}
                if repository in ("ok", "slowish"):
                    if repository == "slowish":
                        time.sleep(0.4)
                    self.reply(200, INDEX, ok, head)
                elif repository == "slow":
                    time.sleep(BUDGET * 3)
                    self.reply(200, INDEX, ok, head)
                elif repository == "trickle":
                    self.send_response(200)
                    self.send_header("Content-Type", OCI_INDEX)
                    self.end_headers()
                    if not head:
                        for byte in INDEX:  # well within the read timeout, one byte at a time
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(0.1)
                    self.close_connection = True
                elif repository == "loop401":
                    self.challenge(head)
                elif repository == "basic":
                    self.challenge(head, "Basic")
                elif repository == "ratelimit":
                    if count == 1:
                        self.reply(429, b"slow down", {"Retry-After": "1"}, head)
                    else:
                        self.reply(200, INDEX, ok, head)
                elif repository == "ratelimit-long":
                    self.reply(429, b"slow down", {"Retry-After": "3600"}, head)
                elif repository == "error500":
                    self.reply(500, b'{"errors":[{"code":"UNKNOWN","message":"boom"}]}', {}, head)
                elif repository == "flaky":
                    if count == 1:
                        self.reply(503, b"", {}, head)
                    else:
                        self.reply(200, INDEX, ok, head)
                elif repository == "malformed":
                    self.reply(200, INDEX[:40], {"Content-Type": OCI_INDEX}, head)
                elif repository == "huge":
                    self.reply(200, b"[" + b"0," * (3 * 1024 * 1024) + b"0]",
                               {"Content-Type": OCI_INDEX}, head)  # fmt: skip
                elif repository == "huge-chunked":
                    self.send_response(200)
                    self.send_header("Content-Type", OCI_INDEX)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    if not head:
                        chunk = b" " * 65536
                        for _ in range(80):  # 5 MiB
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        self.wfile.write(b"0\r\n\r\n")
                elif repository == "html":
                    self.reply(200, b"<html><body>Sign in</body></html>",
                               {"Content-Type": "text/html"}, head)  # fmt: skip
                elif repository == "schema1":
                    body = json.dumps(
                        {"schemaVersion": 1, "architecture": "amd64", "mediaType": SCHEMA1}
                    ).encode()
                    self.reply(200, body, {"Content-Type": "application/json"}, head)
                elif repository == "mismatch":
                    headers = dict(ok, **{"Docker-Content-Digest": _digest(b"other")})
                    self.reply(200, INDEX, headers, head)
                elif repository in ("tokenlimit", "tokendown"):
                    if auth != "Bearer t0ken":
                        self.challenge(
                            head,
                            token={"tokenlimit": "token-limited"}.get(repository, "token-down"),
                        )
                        return
                    self.reply(200, INDEX, ok, head)
                elif repository == "loop302":
                    self.reply(302, b"", {"Location": self.path}, head)
                elif repository == "redirect":
                    if auth != "Bearer t0ken":
                        self.challenge(head)
                        return
                    headers = {
                        "Content-Type": OCI_MANIFEST,
                        "Docker-Content-Digest": _digest(SINGLE),
                    }
                    self.reply(200, SINGLE, headers, head)
                else:
                    self.reply(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}', {}, head)

            def _blob(self, repository: str, head: bool) -> None:
                if repository == "redirect":
                    cdn = f"http://localhost:{fault.cdn.server_address[1]}/blob"
                    self.reply(307, b"", {"Location": cdn}, head)
                else:
                    self.reply(404, b"", {}, head)

        return Handler

    def _cdn_handler(self) -> type[BaseHTTPRequestHandler]:
        fault = self

        class Cdn(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                fault.cdn_seen.append(self.headers.get("Authorization"))
                self.send_response(200)
                self.send_header("Content-Length", str(len(CONFIG)))
                self.end_headers()
                self.wfile.write(CONFIG)

        return Cdn


@pytest.fixture(scope="module")
def faults() -> Iterator[FaultServer]:
    server = FaultServer()
    yield server
    server.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # closed again: nothing listens there now


def make_resolver(tmp_path: Path, budget: float = BUDGET, progress: Any = None) -> Resolver:
    def factory(values: RegistrySettings) -> RegistryClient:
        return RegistryClient(values, backoff=0.05)

    return Resolver(
        RegistrySettings(timeout=budget),
        cache=DiskCache(tmp_path / "cache"),
        client_factory=factory,
        progress=progress,
    )


def resolve(tmp_path: Path, text: str, budget: float = BUDGET) -> tuple[Resolution, float]:
    start = time.monotonic()
    result = make_resolver(tmp_path, budget).resolve(parse_reference(text))
    return result, time.monotonic() - start


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("slow", "no answer within the 2 s budget"),
        ("trickle", "no answer within the 2 s budget"),
        ("loop401", "refused anonymous access (HTTP 401 with a fresh pull token)"),
        ("basic", "requires credentials (Basic auth); dflint pulls anonymously"),
        ("ratelimit-long", "answered HTTP 429; retrying after 3600 s would pass the 2 s budget"),
        ("error500", "answered HTTP 500 3 times in a row"),
        ("malformed", "the manifest is not valid JSON"),
        ("huge", "bytes; the limit is 4194304"),
        ("huge-chunked", "sent more than 4194304 bytes"),
        ("html", "the manifest is not valid JSON"),
        ("schema1", f"unsupported manifest media type '{SCHEMA1}'"),
        ("mismatch", "is not the sha256:"),
        ("loop302", "more than 5 redirects"),
        ("missing", "has no manifest missing:1 (HTTP 404)"),
    ],
)  # fmt: skip
def test_each_fault_is_unknown_with_its_reason(
    faults: FaultServer, tmp_path: Path, name: str, reason: str
) -> None:
    result, elapsed = resolve(tmp_path, faults.ref(f"{name}:1"))
    assert not result.known
    assert result.reason is not None and reason in result.reason
    assert "\n" not in result.reason and "Traceback" not in result.reason
    assert elapsed < BUDGET + 1.0


def test_an_unreachable_registry(tmp_path: Path) -> None:
    result, elapsed = resolve(tmp_path, f"127.0.0.1:{closed_port()}/app:1")
    assert not result.known
    assert (result.reason or "").startswith("cannot connect to 127.0.0.1:")
    assert elapsed < 0.5  # a refused connection is not retried: it would be refused again


def test_retries_recover_from_a_5xx_and_a_short_retry_after(
    faults: FaultServer, tmp_path: Path
) -> None:
    flaky, _ = resolve(tmp_path, faults.ref("flaky:1"))
    assert flaky.known and [str(p) for p in flaky.platforms] == ["linux/amd64", "linux/arm64/v8"]
    limited, elapsed = resolve(tmp_path, faults.ref("ratelimit:1"), budget=5.0)
    assert limited.known
    assert elapsed >= 1.0  # it waited as Retry-After asked


def test_the_token_request_follows_the_same_retry_policy(
    faults: FaultServer, tmp_path: Path
) -> None:
    """A token server that rate-limits is asked again after its Retry-After, as the registry
    is (the token request once retried on its own backoff and ignored the header)."""
    limited, elapsed = resolve(tmp_path, faults.ref("tokenlimit:1"), budget=5.0)
    assert limited.known and [str(p) for p in limited.platforms] == [
        "linux/amd64",
        "linux/arm64/v8",
    ]
    assert elapsed >= 1.0  # it waited as Retry-After asked, not the 0.05 s backoff
    assert faults.calls["token"] == 2
    down, _ = resolve(tmp_path / "down", faults.ref("tokendown:1"))
    assert not down.known
    assert "token server" in (down.reason or "") and "HTTP 503" in (down.reason or "")
    token_requests = [path for _, path, _ in faults.seen if path.startswith("/token-down")]
    assert len(token_requests) == 3  # the client's attempts, then the reason


def test_authorization_never_follows_a_redirect_to_another_host(
    faults: FaultServer, tmp_path: Path
) -> None:
    result, _ = resolve(tmp_path, faults.ref("redirect:1"))
    assert result.known and [str(p) for p in result.platforms] == ["linux/riscv64"]
    registry_auth = [auth for method, path, auth in faults.seen if "/redirect/blobs/" in path]
    assert registry_auth == ["Bearer t0ken"]  # the registry got the token for the blob...
    assert faults.cdn_seen == [None]  # ...and the CDN it redirected to did not


def test_a_stale_entry_answers_when_the_registry_does_not(tmp_path: Path) -> None:
    ref = parse_reference(f"127.0.0.1:{closed_port()}/app:1")
    old = time.time() - 30 * 86400
    DiskCache(tmp_path / "cache").put(
        CacheEntry(ref.key, (Platform("linux", "s390x"),), None, None, None, old, old)
    )
    result = make_resolver(tmp_path).resolve(ref)
    assert result.known and result.complete
    assert result.source == "stale cache (30.0 days old)"
    assert (result.reason or "").startswith("cannot connect to")


def test_the_offline_table_answers_when_the_registry_does_not(tmp_path: Path) -> None:
    # a name the built-in table knows, on a mirror that is down: the table is the last resort
    settings = RegistrySettings(
        timeout=BUDGET, mirrors=(("docker.io", (f"http://127.0.0.1:{closed_port()}",)),)
    )

    def factory(values: RegistrySettings) -> RegistryClient:
        client = RegistryClient(values, backoff=0.05)
        # only the dead mirror: Docker Hub itself must never be asked from a test
        client.endpoints = lambda ref: list(values.mirrors_for(ref.registry))  # type: ignore[method-assign]
        return client

    resolver = Resolver(settings, cache=DiskCache(tmp_path), client_factory=factory)
    result = resolver.resolve(parse_reference("archlinux:latest"))
    assert result.known and result.source == "dflint's built-in table"
    assert [str(p) for p in result.platforms] == ["linux/amd64"]
    assert (result.reason or "").startswith("cannot connect to")


def test_all_images_of_a_run_resolve_concurrently(faults: FaultServer, tmp_path: Path) -> None:
    refs = [parse_reference(faults.ref(f"slowish:{n}")) for n in range(8)]
    start = time.monotonic()
    results = make_resolver(tmp_path).resolve_many(refs)
    elapsed = time.monotonic() - start
    assert all(item.known for item in results.values())
    # 8 images x (HEAD + GET) x 0.4 s would be 6.4 s one after another
    assert faults.max_in_flight >= 4
    assert elapsed < 3.0


class Terminal(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_progress_shows_on_a_terminal_after_a_second(faults: FaultServer, tmp_path: Path) -> None:
    refs = [parse_reference(faults.ref(f"slowish:p{n}")) for n in range(2)]
    terminal = Terminal(tty=True)
    make_resolver(tmp_path / "a", progress=terminal).resolve_many(refs)  # HEAD+GET: 0.8 s
    assert terminal.getvalue() == ""  # under a second: no progress line
    ratelimited = [parse_reference(faults.ref("ratelimit:p")), *refs]
    faults.calls.pop("ratelimit", None)
    make_resolver(tmp_path / "b", budget=5.0, progress=terminal).resolve_many(ratelimited)
    shown = terminal.getvalue()
    assert "\rdflint: resolving base images from registries: 2/3" in shown
    assert shown.endswith("\r")  # the line is wiped when done
    pipe = Terminal(tty=False)
    faults.calls.pop("ratelimit", None)
    make_resolver(tmp_path / "c", budget=5.0, progress=pipe).resolve_many(ratelimited)
    assert pipe.getvalue() == ""


def test_the_rest_of_the_lint_completes_without_a_traceback(
    faults: FaultServer, tmp_path: Path
) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(
        f"FROM {faults.ref('error500:1')} AS a\n"
        f"FROM {faults.ref('malformed:1')} AS b\n"
        f"FROM {faults.ref('ok:1')}\n"
        "COPY --from=a /x /x\nCOPY --from=b /y /y\n"
    )
    environment = {k: v for k, v in os.environ.items() if k != "DFLINT_OFFLINE"}
    environment["DFLINT_CACHE_DIR"] = str(tmp_path / "cache")
    config = tmp_path / ".dflint.toml"
    config.write_text("registry-timeout = 3\n")
    done = subprocess.run(
        [sys.executable, "-m", "dflint", "lint", "--format", "json",
         "--platform", "linux/amd64,linux/s390x", str(dockerfile)],
        capture_output=True, text=True, timeout=60, env=environment, cwd=tmp_path,
    )  # fmt: skip
    assert "Traceback" not in done.stderr
    findings = [(f["code"], f["line"]) for f in json.loads(done.stdout)["findings"]]
    assert findings == [("DF207", 1), ("DF207", 2), ("DF201", 3)]
    assert done.returncode == 1
    strict = subprocess.run(
        [sys.executable, "-m", "dflint", "lint", "--strict", "--ignore", "DF201",
         "--platform", "linux/amd64", str(dockerfile)],
        capture_output=True, text=True, timeout=60, env=environment, cwd=tmp_path,
    )  # fmt: skip
    assert strict.returncode == 1, strict.stdout  # DF207 is info, but --strict fails the run
    relaxed = subprocess.run(
        [sys.executable, "-m", "dflint", "lint", "--ignore", "DF201",
         "--platform", "linux/amd64", str(dockerfile)],
        capture_output=True, text=True, timeout=60, env=environment, cwd=tmp_path,
    )  # fmt: skip
    assert relaxed.returncode == 0, relaxed.stdout


# --- without sockets: httpx.MockTransport stands in for hosts the tests cannot run -----------


def mock_client(handler: Any, **settings: Any) -> RegistryClient:
    import httpx

    return RegistryClient(
        RegistrySettings(**settings), backoff=0.01, transport=httpx.MockTransport(handler)
    )


def test_endpoints_use_https_except_for_loopback_and_insecure_registries() -> None:
    client = mock_client(lambda request: None, insecure=("registry.lan:5000",))
    assert client.endpoints(parse_reference("alpine")) == ["https://registry-1.docker.io"]
    assert client.endpoints(parse_reference("ghcr.io/o/a")) == ["https://ghcr.io"]
    assert client.endpoints(parse_reference("localhost:5000/a")) == ["http://localhost:5000"]
    assert client.endpoints(parse_reference("registry.lan:5000/a")) == ["http://registry.lan:5000"]
    assert client.endpoints(parse_reference("registry.lan/a")) == ["https://registry.lan"]


def test_docker_hub_is_asked_on_its_api_host_with_every_manifest_type() -> None:
    import httpx

    asked: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        headers = {"Content-Type": OCI_INDEX, "Docker-Content-Digest": _digest(INDEX)}
        return httpx.Response(
            200, headers=headers, content=b"" if request.method == "HEAD" else INDEX
        )

    fetched = mock_client(handler).fetch(parse_reference("alpine:3.20"), BUDGET)
    assert [str(p) for p in fetched.platforms] == ["linux/amd64", "linux/arm64/v8"]
    assert [(r.method, str(r.url)) for r in asked] == [
        ("HEAD", "https://registry-1.docker.io/v2/library/alpine/manifests/3.20"),
        ("GET", f"https://registry-1.docker.io/v2/library/alpine/manifests/{_digest(INDEX)}"),
    ]
    accept = asked[0].headers["accept"].split(", ")
    assert sorted(accept) == sorted(
        [
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json",
        ]
    )


def test_https_is_never_downgraded_by_a_redirect() -> None:
    import httpx

    from dflint.registry.client import RegistryFailure

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/v2/o/a/manifests/"):
            headers = {"Content-Type": OCI_MANIFEST, "Docker-Content-Digest": _digest(SINGLE)}
            return httpx.Response(200, headers=headers, content=SINGLE)
        return httpx.Response(307, headers={"Location": "http://cdn.example/blob"})

    with pytest.raises(RegistryFailure, match="redirected from https to plain http"):
        mock_client(handler).fetch(parse_reference("registry.example/o/a:1"), BUDGET)
