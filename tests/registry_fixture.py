"""A real registry on 127.0.0.1 for the resolver tests: CNCF Distribution (Debian's
``docker-registry`` package), seeded over its HTTP API with the images the tests ask about.

Two processes share one storage folder: an open registry, seeded first, and one with token
auth (``auth: token``) whose realm is a small token server run here, which signs RS256 JWTs
with a throw-away key made by ``openssl``. Pull tokens go to anyone, except for repositories
under ``private/``, whose tokens grant nothing (so the registry keeps answering 401).

Distribution facts the seeding relies on (2.8): a blob upload is POST (open a session) then
PUT to the returned Location with ``?digest=``; a manifest PUT names its media type in
Content-Type and needs every blob and child manifest it references to be there already.

The binary is ``$REGISTRY_BIN``, else ``docker-registry`` or ``registry`` on PATH. Without it
the tests skip, except under ``CI``, where they fail: CI installs it (``.ci/run``).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import secrets
import shutil
import socket
import subprocess
import tarfile
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"

START_TIMEOUT = 20.0
SERVICE = "dflint-test-registry"
ISSUER = "dflint-test-token-issuer"
WIN2019 = "10.0.17763.5820"
WIN2022 = "10.0.20348.2461"


def _platform(os_name: str, arch: str, variant: str = "", os_version: str = "") -> dict[str, str]:
    result = {"os": os_name, "architecture": arch}
    if variant:
        result["variant"] = variant
    if os_version:
        result["os.version"] = os_version
    return result


# reference -> (how it is stored, its platforms). Kinds: oci-index, docker-list, oci-manifest,
# docker-manifest, attested (an OCI index plus BuildKit-style attestation manifests),
# bare-index (an OCI index whose entries carry no platform).
SEED: dict[str, tuple[str, list[dict[str, str]]]] = {
    "multi:1": ("oci-index", [_platform("linux", "amd64"), _platform("linux", "arm64")]),
    "dockerlist:1": (
        "docker-list",
        [
            _platform("linux", "amd64"),
            _platform("linux", "arm", "v7"),
            _platform("linux", "arm64", "v8"),
            _platform("linux", "ppc64le"),
        ],
    ),
    "single:amd64": ("oci-manifest", [_platform("linux", "amd64")]),
    "single:arm64": ("docker-manifest", [_platform("linux", "arm64", "v8")]),
    "windows:ltsc2019": ("docker-manifest", [_platform("windows", "amd64", "", WIN2019)]),
    "windows:ltsc2022": ("docker-manifest", [_platform("windows", "amd64", "", WIN2022)]),
    "winmulti:1": (
        "docker-list",
        [
            _platform("linux", "amd64"),
            _platform("windows", "amd64", "", WIN2019),
            _platform("windows", "amd64", "", WIN2022),
        ],
    ),
    "attested:1": ("attested", [_platform("linux", "amd64"), _platform("linux", "arm64")]),
    "bare:1": ("bare-index", [_platform("linux", "amd64"), _platform("linux", "s390x")]),
    "private/secret:1": ("oci-index", [_platform("linux", "amd64")]),
}


def platform_text(platform: dict[str, str]) -> str:
    text = "/".join(platform[k] for k in ("os", "architecture", "variant") if platform.get(k))
    return text + (f":{platform['os.version']}" if platform.get("os.version") else "")


EXPECTED = {ref: [platform_text(p) for p in spec[1]] for ref, spec in SEED.items()}


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def compact(document: dict[str, Any]) -> bytes:
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def registry_binary() -> str | None:
    chosen = os.environ.get("REGISTRY_BIN")
    if chosen:
        return chosen if os.path.isfile(chosen) else shutil.which(chosen)
    return shutil.which("docker-registry") or shutil.which("registry")


def unavailable(what: str) -> None:
    """Skip, or fail under CI, where the registry tests must run."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI is set, so the registry tests must run; .ci/run installs it)")
    pytest.skip(what)


# --- token server -------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenServer:
    """Hands out RS256 pull tokens for any repository except those under ``private/``."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.key = workdir / "token.key"
        self.cert = workdir / "token.crt"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", f"/CN={ISSUER}", "-keyout", str(self.key), "-out", str(self.cert)],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        pem = self.cert.read_text()
        self.x5c = "".join(line for line in pem.splitlines() if "-----" not in line)
        self.requests = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with server._lock:
                    server.requests += 1
                query = parse_qs(urlsplit(self.path).query)
                body = json.dumps({"token": server.sign(query.get("scope", [])), "expires_in": 300})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.http.server_address[1]
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    @property
    def realm(self) -> str:
        return f"http://127.0.0.1:{self.port}/token"

    def sign(self, scopes: list[str]) -> str:
        access = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            if kind == "repository" and name and not name.startswith("private/"):
                wanted = [a for a in actions.split(",") if a == "pull"]
                access.append({"type": "repository", "name": name, "actions": wanted})
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self.x5c]}
        claims = {
            "iss": ISSUER, "sub": "", "aud": SERVICE, "exp": now + 300, "nbf": now - 10,
            "iat": now, "jti": secrets.token_hex(8), "access": access,
        }  # fmt: skip
        signing_input = f"{_b64(compact(header))}.{_b64(compact(claims))}".encode()
        signature = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", str(self.key)],
            input=signing_input, capture_output=True, check=True, timeout=30,
        ).stdout  # fmt: skip
        return signing_input.decode() + "." + _b64(signature)

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


# --- the registry process ------------------------------------------------------------------


@dataclass
class Registry:
    host: str  # 127.0.0.1:PORT, the registry part of an image reference
    process: subprocess.Popen[bytes]
    log: Path
    token_server: TokenServer | None = None
    expected: dict[str, list[str]] = field(default_factory=lambda: dict(EXPECTED))

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def ref(self, name: str) -> str:
        return f"{self.host}/{name}"


def _config(storage: Path, port: int, realm: str | None, cert: Path | None) -> str:
    text = (
        "version: 0.1\n"
        "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
        f"storage:\n  filesystem:\n    rootdirectory: {storage}\n"
        f"http:\n  addr: 127.0.0.1:{port}\n  secret: {secrets.token_hex(16)}\n"
    )
    if realm is not None and cert is not None:
        text += (
            f"auth:\n  token:\n    realm: {realm}\n    service: {SERVICE}\n"
            f"    issuer: {ISSUER}\n    rootcertbundle: {cert}\n"
        )
    return text


def start_registry(
    binary: str, workdir: Path, storage: Path, name: str, token_server: TokenServer | None = None
) -> Registry:
    """Start one registry process and wait until it answers; fail (never hang) otherwise."""
    last = ""
    for _ in range(3):  # a free port can be taken between choosing and binding it
        port = free_port()
        config = workdir / f"{name}.yml"
        config.write_text(
            _config(
                storage,
                port,
                token_server.realm if token_server else None,
                token_server.cert if token_server else None,
            )
        )
        log = workdir / f"{name}.log"
        with log.open("wb") as handle:
            process = subprocess.Popen(
                [binary, "serve", str(config)],
                stdout=handle,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/v2/", timeout=1.0).status_code
            except httpx.HTTPError:
                time.sleep(0.05)
                continue
            if status in (200, 401):
                return Registry(f"127.0.0.1:{port}", process, log, token_server)
            time.sleep(0.05)
        stop_process(process)
        last = log.read_text(errors="replace")[-2000:]
    pytest.fail(f"{binary} did not start on 127.0.0.1 within {START_TIMEOUT:g} s:\n{last}")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# --- seeding ---------------------------------------------------------------------------------


class Seeder:
    def __init__(self, base_url: str) -> None:
        self.base = base_url
        self.client = httpx.Client(timeout=30.0)

    def blob(self, repository: str, data: bytes) -> str:
        digest = digest_of(data)
        opened = self.client.post(f"{self.base}/v2/{repository}/blobs/uploads/")
        assert opened.status_code == 202, opened.text
        location = urljoin(self.base + "/", opened.headers["Location"])
        joiner = "&" if "?" in location else "?"
        done = self.client.put(
            f"{location}{joiner}digest={digest}",
            content=data,
            headers={"Content-Type": "application/octet-stream"},
        )
        assert done.status_code == 201, done.text
        return digest

    def manifest(self, repository: str, reference: str, document: dict[str, Any]) -> dict[str, Any]:
        raw = compact(document)
        answer = self.client.put(
            f"{self.base}/v2/{repository}/manifests/{reference}",
            content=raw,
            headers={"Content-Type": document["mediaType"]},
        )
        assert answer.status_code == 201, f"{repository}:{reference}: {answer.text}"
        return {"mediaType": document["mediaType"], "digest": digest_of(raw), "size": len(raw)}

    def image(
        self, repository: str, platform: dict[str, str], docker: bool, tag: str | None = None
    ) -> dict[str, Any]:
        config = {
            "architecture": platform["architecture"],
            "os": platform["os"],
            "config": {"Labels": {"dflint.test": platform_text(platform)}},
            "rootfs": {"type": "layers", "diff_ids": []},
        }
        for key in ("variant", "os.version"):
            if key in platform:
                config[key] = platform[key]
        config_raw = compact(config)
        layer = f"{repository} {platform_text(platform)}\n".encode()
        document = {
            "schemaVersion": 2,
            "mediaType": DOCKER_MANIFEST if docker else OCI_MANIFEST,
            "config": {
                "mediaType": DOCKER_CONFIG if docker else OCI_CONFIG,
                "digest": self.blob(repository, config_raw),
                "size": len(config_raw),
            },
            "layers": [
                {
                    "mediaType": DOCKER_LAYER if docker else OCI_LAYER,
                    "digest": self.blob(repository, layer),
                    "size": len(layer),
                }
            ],
        }
        reference = tag or digest_of(compact(document))
        return self.manifest(repository, reference, document)

    def attestation(self, repository: str, subject: str) -> dict[str, Any]:
        config = compact({"architecture": "unknown", "os": "unknown", "rootfs": {"type": "layers"}})
        statement = compact({"_type": "https://in-toto.io/Statement/v0.1", "subject": subject})
        document = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {
                "mediaType": OCI_CONFIG,
                "digest": self.blob(repository, config),
                "size": len(config),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.in-toto+json",
                    "digest": self.blob(repository, statement),
                    "size": len(statement),
                }
            ],
        }
        descriptor = self.manifest(repository, digest_of(compact(document)), document)
        descriptor["platform"] = {"architecture": "unknown", "os": "unknown"}
        descriptor["annotations"] = {
            "vnd.docker.reference.type": "attestation-manifest",
            "vnd.docker.reference.digest": subject,
        }
        return descriptor

    def seed(self, references: dict[str, tuple[str, list[dict[str, str]]]]) -> None:
        for reference, (kind, platforms) in references.items():
            repository, tag = reference.rsplit(":", 1)
            docker = kind.startswith("docker")
            if kind.endswith("-manifest"):
                self.image(repository, platforms[0], docker, tag)
                continue
            children = []
            for platform in platforms:
                child = self.image(repository, platform, docker)
                if kind != "bare-index":
                    child["platform"] = platform
                children.append(child)
            if kind == "attested":
                children += [self.attestation(repository, c["digest"]) for c in list(children)]
            media_type = DOCKER_LIST if docker else OCI_INDEX
            self.manifest(
                repository,
                tag,
                {"schemaVersion": 2, "mediaType": media_type, "manifests": children},
            )

    def close(self) -> None:
        self.client.close()


# --- images whose layers hold executables, for `dflint verify` --------------------------------
#
# Tiny synthetic headers, never run: an ELF header names its class, byte order and machine;
# a PE file is an MZ stub pointing at a PE header whose Machine and optional-header magic
# (PE32 / PE32+) name the architecture.

ELF_IDS = {  # arch -> (EI_CLASS, EI_DATA, e_machine)
    "amd64": (2, 1, 62), "arm64": (2, 1, 183), "arm": (1, 1, 40), "386": (1, 1, 3),
    "s390x": (2, 2, 22), "ppc64le": (2, 1, 21), "riscv64": (2, 1, 243),
}  # fmt: skip
PE_IDS = {"amd64": 0x8664, "arm64": 0xAA64, "386": 0x014C}


def elf_file(arch: str, shared: bool = False, size: int = 512) -> bytes:
    elf_class, data, machine = ELF_IDS[arch]
    order = "little" if data == 1 else "big"
    head = b"\x7fELF" + bytes([elf_class, data, 1]) + bytes(9)
    head += (3 if shared else 2).to_bytes(2, order) + machine.to_bytes(2, order)
    return head + (1).to_bytes(4, order) + bytes(size - len(head) - 4)


def pe_file(arch: str, dll: bool = False) -> bytes:
    offset = 0x80
    stub = b"MZ" + bytes(0x3A) + offset.to_bytes(4, "little")
    stub += bytes(offset - len(stub))
    wide = arch != "386"
    optional_size = 0xF0 if wide else 0xE0
    flags = 0x0022 | (0x2000 if dll else 0)
    header = b"PE\0\0" + PE_IDS[arch].to_bytes(2, "little") + (1).to_bytes(2, "little")
    header += bytes(12) + optional_size.to_bytes(2, "little") + flags.to_bytes(2, "little")
    optional = (0x20B if wide else 0x10B).to_bytes(2, "little") + bytes(optional_size - 2)
    return stub + header + optional + bytes(128)


def files_layer(files: list[tuple[str, bytes, int]]) -> tuple[bytes, str]:
    """A gzip'd tar of (path, content, mode), folders implied; (blob, diff_id)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        folders: set[str] = set()
        for path, content, mode in files:
            parts = path.split("/")[:-1]
            for depth in range(1, len(parts) + 1):
                folder = "/".join(parts[:depth])
                if folder not in folders:
                    folders.add(folder)
                    info = tarfile.TarInfo(folder)
                    info.type, info.mode = tarfile.DIRTYPE, 0o755
                    tar.addfile(info)
            info = tarfile.TarInfo(path)
            info.size, info.mode = len(content), mode
            tar.addfile(info, io.BytesIO(content))
    return gzip.compress(raw.getvalue(), mtime=0), digest_of(raw.getvalue())


def linux_app(base: str, app: str) -> list[tuple[str, bytes, int]]:
    """A small Linux image: a busybox and loader of one arch, an app of another."""
    return [
        ("bin/busybox", elf_file(base), 0o755),
        ("lib/ld-musl.so.1", elf_file(base, shared=True), 0o755),
        ("usr/local/bin/app", elf_file(app), 0o755),
        ("usr/local/bin/entrypoint.sh", b"#!/bin/sh\nexec /usr/local/bin/app\n", 0o755),
        ("etc/app.conf", b"listen=8080\n", 0o644),
    ]


def windows_app(arch: str) -> list[tuple[str, bytes, int]]:
    return [
        ("Files/app/app.exe", pe_file(arch), 0o755),
        ("Files/app/helper.dll", pe_file(arch, dll=True), 0o644),
        ("Files/app/readme.txt", b"hello\n", 0o644),
    ]


# reference -> (kind, [(index platform, files, config architecture when it lies)])
VERIFY_SEED: dict[str, tuple[str, list[tuple[dict[str, str], list[Any], str | None]]]] = {
    "app:honest": ("oci-index", [
        (_platform("linux", "amd64"), linux_app("amd64", "amd64"), None),
        (_platform("linux", "arm64"), linux_app("arm64", "arm64"), None),
        (_platform("linux", "arm", "v7"), linux_app("arm", "arm"), None),
        (_platform("linux", "s390x"), linux_app("s390x", "s390x"), None),
    ]),
    "app:liar": ("oci-index", [
        (_platform("linux", "amd64"), linux_app("amd64", "amd64"), None),
        (_platform("linux", "arm64"), linux_app("arm64", "amd64"), None),
    ]),
    "app:userland": ("oci-index", [
        (_platform("linux", "amd64"), linux_app("amd64", "amd64"), None),
        (_platform("linux", "arm64"), linux_app("amd64", "arm64"), None),
    ]),
    "app:mislabeled": ("oci-index", [
        (_platform("linux", "amd64"), linux_app("amd64", "amd64"), None),
        (_platform("linux", "arm64"), linux_app("amd64", "amd64"), "amd64"),
    ]),
    "app:scripts": ("oci-manifest", [
        (_platform("linux", "arm64"), linux_app("amd64", "amd64")[3:], None),
    ]),
    "app:win": ("docker-list", [
        (_platform("linux", "amd64"), linux_app("amd64", "amd64"), None),
        (_platform("windows", "amd64", "", WIN2022), windows_app("amd64"), None),
    ]),
    "app:winliar": ("docker-list", [
        (_platform("linux", "amd64"), linux_app("amd64", "amd64"), None),
        (_platform("windows", "amd64", "", WIN2022), windows_app("arm64"), None),
    ]),
}  # fmt: skip
# reference -> platform -> the files a verifier must report as built for another platform
VERIFY_EXPECTED = {
    "app:honest": {"linux/amd64": [], "linux/arm64": [], "linux/arm/v7": [], "linux/s390x": []},
    "app:liar": {"linux/amd64": [], "linux/arm64": ["/usr/local/bin/app"]},
    "app:userland": {"linux/amd64": [], "linux/arm64": ["/bin/busybox", "/lib/ld-musl.so.1"]},
    "app:mislabeled": {
        "linux/amd64": [],
        "linux/arm64": ["/bin/busybox", "/lib/ld-musl.so.1", "/usr/local/bin/app"],
    },
    "app:scripts": {"linux/arm64": []},
    "app:win": {"linux/amd64": [], f"windows/amd64:{WIN2022}": []},
    "app:winliar": {
        "linux/amd64": [],
        f"windows/amd64:{WIN2022}": ["C:/app/app.exe", "C:/app/helper.dll"],
    },
}


def _files_image(
    seeder: Seeder,
    repository: str,
    platform: dict[str, str],
    docker: bool,
    files: list[Any],
    config_arch: str | None,
    tag: str | None = None,
) -> dict[str, Any]:
    layer, diff_id = files_layer(files)
    config: dict[str, Any] = {
        "architecture": config_arch or platform["architecture"],
        "os": platform["os"],
        "config": {},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [
            {"created_by": "/bin/sh -c #(nop) ARG VERSION", "empty_layer": True},
            {"created_by": "COPY rootfs/ / # buildkit"},
        ],
    }
    if config_arch is None:
        for key in ("variant", "os.version"):
            if key in platform:
                config[key] = platform[key]
    config_raw = compact(config)
    document = {
        "schemaVersion": 2,
        "mediaType": DOCKER_MANIFEST if docker else OCI_MANIFEST,
        "config": {
            "mediaType": DOCKER_CONFIG if docker else OCI_CONFIG,
            "digest": seeder.blob(repository, config_raw),
            "size": len(config_raw),
        },
        "layers": [
            {
                "mediaType": DOCKER_LAYER if docker else OCI_LAYER,
                "digest": seeder.blob(repository, layer),
                "size": len(layer),
            }
        ],
    }
    descriptor = seeder.manifest(repository, tag or digest_of(compact(document)), document)
    descriptor["platform"] = platform
    return descriptor


def seed_verify_images(seeder: Seeder) -> None:
    for reference, (kind, images) in VERIFY_SEED.items():
        repository, tag = reference.rsplit(":", 1)
        docker = kind.startswith("docker")
        if kind.endswith("-manifest"):
            platform, files, lie = images[0]
            _files_image(seeder, repository, platform, docker, files, lie, tag)
            continue
        children = [
            _files_image(seeder, repository, platform, docker, files, lie)
            for platform, files, lie in images
        ]
        media_type = DOCKER_LIST if docker else OCI_INDEX
        document = {"schemaVersion": 2, "mediaType": media_type, "manifests": children}
        seeder.manifest(repository, tag, document)
    seed_provenance(seeder)


PROVENANCE_DOCKERFILE = """\
FROM --platform=$BUILDPLATFORM alpine:3.20 AS build
RUN make app

FROM alpine:3.20
COPY --from=build /src/app /usr/local/bin/app
"""


def seed_provenance(seeder: Seeder) -> None:
    """``app:provenance``: an arm64 image whose second layer (the COPY on line 5) holds an
    x86-64 app, with a BuildKit-style SLSA v0.2 provenance attestation (mode=max) that maps
    the build steps to layers and Dockerfile lines."""
    repository = "app"
    platform = _platform("linux", "arm64")
    base, base_id = files_layer(linux_app("arm64", "arm64")[:2])
    app, app_id = files_layer([("usr/local/bin/app", elf_file("amd64"), 0o755)])
    config = compact({
        "architecture": "arm64", "os": "linux", "config": {},
        "rootfs": {"type": "layers", "diff_ids": [base_id, app_id]},
    })  # fmt: skip
    layers = [
        {"mediaType": OCI_LAYER, "digest": seeder.blob(repository, blob), "size": len(blob)}
        for blob in (base, app)
    ]
    document = {
        "schemaVersion": 2, "mediaType": OCI_MANIFEST, "layers": layers,
        "config": {"mediaType": OCI_CONFIG, "digest": seeder.blob(repository, config),
                   "size": len(config)},
    }  # fmt: skip
    image = seeder.manifest(repository, digest_of(compact(document)), document)
    image["platform"] = platform

    def at(line: int) -> dict[str, Any]:
        return {"locations": [{"ranges": [{"start": {"line": line}, "end": {"line": line}}]}]}

    predicate = {
        "buildType": "https://mobyproject.org/buildkit@v1",
        "metadata": {
            "https://mobyproject.org/buildkit@v1#metadata": {
                "source": {
                    "locations": {"step0": at(4), "step3": at(5)},
                    "infos": [{
                        "filename": "Dockerfile",
                        "language": "Dockerfile",
                        "data": base64.b64encode(PROVENANCE_DOCKERFILE.encode()).decode(),
                    }],
                },
                "layers": {"step0:0": [[layers[0]]], "step3:0": [[layers[0], layers[1]]]},
            }
        },
    }  # fmt: skip
    statement = compact({
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://slsa.dev/provenance/v0.2",
        "subject": [{"name": "app", "digest": {"sha256": image["digest"][7:]}}],
        "predicate": predicate,
    })  # fmt: skip
    empty = compact({"architecture": "unknown", "os": "unknown", "rootfs": {"type": "layers"}})
    attestation = {
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": seeder.blob(repository, empty),
                   "size": len(empty)},
        "layers": [{
            "mediaType": "application/vnd.in-toto+json",
            "digest": seeder.blob(repository, statement), "size": len(statement),
            "annotations": {"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"},
        }],
    }  # fmt: skip
    descriptor = seeder.manifest(repository, digest_of(compact(attestation)), attestation)
    descriptor["platform"] = {"architecture": "unknown", "os": "unknown"}
    descriptor["annotations"] = {
        "vnd.docker.reference.type": "attestation-manifest",
        "vnd.docker.reference.digest": image["digest"],
    }
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [image, descriptor]}
    seeder.manifest(repository, "provenance", index)


@dataclass
class Registries:
    open: Registry  # no auth
    token: Registry  # Bearer token auth, anonymous pull
    workdir: Path


@pytest.fixture(scope="session")
def registries() -> Iterator[Registries]:
    """Both registries, started and seeded once per session, stopped and deleted after."""
    binary = registry_binary()
    if binary is None:
        unavailable(
            "no CNCF Distribution registry binary: apt-get install docker-registry "
            "(or set REGISTRY_BIN)"
        )
    if shutil.which("openssl") is None:
        unavailable("openssl is not installed (the token-auth registry needs it)")
    assert binary is not None
    workdir = Path(tempfile.mkdtemp(prefix="dflint-test-registry-"))
    storage = workdir / "storage"
    storage.mkdir()
    started: list[Registry] = []
    token_server: TokenServer | None = None
    try:
        open_registry = start_registry(binary, workdir, storage, "open")
        started.append(open_registry)
        seeder = Seeder(open_registry.url)
        try:
            seeder.seed(SEED)
            seed_verify_images(seeder)
        finally:
            seeder.close()
        token_server = TokenServer(workdir)
        token_registry = start_registry(binary, workdir, storage, "token", token_server)
        started.append(token_registry)
        yield Registries(open_registry, token_registry, workdir)
    finally:
        for registry in started:
            stop_process(registry.process)
        if token_server is not None:
            token_server.close()
        shutil.rmtree(workdir, ignore_errors=True)
