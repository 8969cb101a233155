"""The faults a verifier meets, from a small misbehaving registry on 127.0.0.1: a layer blob
that 404s, a truncated gzip stream, a tar entry that leaves the root, a hard link to nothing,
a huge tar header, a blob whose bytes are not its digest, a registry that stalls.

Each ends as a per-platform "could not verify" with a one-line reason (or a one-line error for
the whole image), exit code 2, no traceback, within the timeout."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from registry_fixture import elf_file

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
TIMEOUT = 2  # registry-timeout the stalling tests run with


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def tar_of(*entries: tarfile.TarInfo | tuple[str, bytes]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for entry in entries:
            if isinstance(entry, tarfile.TarInfo):
                tar.addfile(entry)
            else:
                info = tarfile.TarInfo(entry[0])
                info.size, info.mode = len(entry[1]), 0o755
                tar.addfile(info, io.BytesIO(entry[1]))
    return raw.getvalue()


def link(name: str, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = tarfile.LNKTYPE, target
    return info


def huge_pax_header() -> bytes:
    """A tar whose first header is a pax header declaring 2**40 bytes of metadata."""
    header = bytearray(512)
    header[0:9] = b"PaxHeader"
    header[100:108] = b"0000644\0"
    header[124:136] = b"\x80" + (2**40).to_bytes(11, "big")  # base-256 size
    header[156:157] = b"x"
    header[257:263] = b"ustar\0"
    header[263:265] = b"00"
    header[148:156] = b" " * 8
    header[148:156] = f"{sum(header):06o}\0 ".encode()
    return bytes(header) + bytes(1024)


GOOD = gzip.compress(tar_of(("usr/bin/app", elf_file("arm64"))), mtime=0)
LAYERS: dict[str, bytes | None] = {
    "missing": None,  # the manifest names it; the registry answers 404
    "truncated": GOOD[: len(GOOD) // 2],
    "traversal": gzip.compress(tar_of(("../../etc/cron.d/evil", elf_file("arm64")))),
    "hardlink": gzip.compress(tar_of(link("usr/bin/app", "usr/bin/gone"))),
    "huge-header": gzip.compress(huge_pax_header()),
    "wrong-digest": GOOD,  # served for another digest
    "stall": GOOD,
    "good": GOOD,
}


class FaultRegistry:
    """One repository per fault; every image an arm64 index entry with one layer."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self.manifests: dict[str, tuple[str, bytes]] = {}
        self.release = threading.Event()
        config = json.dumps({"architecture": "arm64", "os": "linux", "rootfs": {}}).encode()
        self.blobs[digest(config)] = config
        for name, layer in LAYERS.items():
            data = layer if layer is not None else b"never served"
            layer_digest = digest(data if name != "wrong-digest" else b"something else")
            if layer is not None:
                self.blobs[layer_digest] = data
            image = json.dumps({
                "schemaVersion": 2, "mediaType": OCI_MANIFEST,
                "config": {"mediaType": OCI_CONFIG, "digest": digest(config), "size": len(config)},
                "layers": [{"mediaType": OCI_LAYER, "digest": layer_digest, "size": len(data)}],
            }).encode()  # fmt: skip
            self.manifests[f"{name}/{digest(image)}"] = (OCI_MANIFEST, image)
            index = json.dumps({
                "schemaVersion": 2, "mediaType": OCI_INDEX,
                "manifests": [{"mediaType": OCI_MANIFEST, "digest": digest(image),
                               "size": len(image),
                               "platform": {"os": "linux", "architecture": "arm64"}}],
            }).encode()  # fmt: skip
            self.manifests[f"{name}/1"] = (OCI_INDEX, index)
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                parts = self.path.split("/")
                if self.path == "/v2/":
                    return self._send(200, b"{}", "application/json")
                if len(parts) != 5 or parts[1] != "v2":
                    return self._send(404, b"{}", "application/json")
                repository, what, reference = parts[2], parts[3], parts[4]
                if repository == "stalled" and what == "manifests":
                    registry.release.wait(30)  # never answers within the timeout
                    return self._send(404, b"{}", "application/json")
                if what == "manifests" and f"{repository}/{reference}" in registry.manifests:
                    media_type, body = registry.manifests[f"{repository}/{reference}"]
                    return self._send(200, body, media_type)
                if what == "blobs" and reference in registry.blobs:
                    body = registry.blobs[reference]
                    if repository == "stall" and body is GOOD:
                        # headers and half the body, then nothing
                        self.send_response(200)
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body[: len(body) // 2])
                        self.wfile.flush()
                        registry.release.wait(30)
                        return None
                    return self._send(200, body, "application/octet-stream")
                return self._send(404, b'{"errors":[{"code":"BLOB_UNKNOWN"}]}', "application/json")

            def _send(self, status: int, body: bytes, media_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", media_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http.daemon_threads = True
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        self.host = f"127.0.0.1:{self.http.server_address[1]}"

    def close(self) -> None:
        self.release.set()
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture(scope="module")
def faults() -> Iterator[FaultRegistry]:
    server = FaultRegistry()
    yield server
    server.close()


def verify(host: str, *names: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    (cwd / ".dflint.toml").write_text(f"registry-timeout = {TIMEOUT}\n")
    return subprocess.run(
        [sys.executable, "-m", "dflint", "verify", *(f"{host}/{n}" for n in names), "-f", "json"],
        capture_output=True, text=True, cwd=cwd, timeout=120,
        env={k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"},
    )  # fmt: skip


REASONS = {
    "missing": "answered HTTP 404 for the blob sha256:",
    "truncated": "the gzip stream ends early (truncated layer)",
    "traversal": "tar entry '../../etc/cron.d/evil' at byte 0 points outside the image root",
    "hardlink": "hard link '/usr/bin/app' points to '/usr/bin/gone', which no layer holds",
    "huge-header": "declares 1099511627776 bytes of metadata (over the 1024 KiB limit)",
    "wrong-digest": "does not match its digest",
}


@pytest.mark.parametrize("fault", sorted(REASONS))
def test_a_fault_is_a_one_line_reason_for_its_platform(
    faults: FaultRegistry, tmp_path: Path, fault: str
) -> None:
    result = verify(faults.host, f"{fault}:1", "good:1", cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    bad, good = json.loads(result.stdout)["images"]
    [platform] = bad["platforms"]
    assert platform["status"] == "error"
    reason = platform["error"]
    assert "\n" not in reason
    assert reason.startswith("layer 1 (sha256:"), reason
    assert REASONS[fault] in reason, reason
    # the other image is still verified, and the run says it could not prove everything
    assert good["platforms"][0]["status"] == "verified"
    assert result.returncode == 2


def test_the_text_report_says_could_not_verify(faults: FaultRegistry, tmp_path: Path) -> None:
    (tmp_path / ".dflint.toml").write_text(f"registry-timeout = {TIMEOUT}\n")
    result = subprocess.run(
        [sys.executable, "-m", "dflint", "verify", f"{faults.host}/traversal:1"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    [row] = [line for line in result.stdout.splitlines() if line.startswith("  linux/arm64")]
    assert row.startswith("  linux/arm64  !  could not verify: layer 1 (sha256:")
    assert result.stdout.splitlines()[-1] == "1 image; platforms: 0 verified, 1 not verified."


def test_a_registry_that_stalls_mid_blob_times_out(faults: FaultRegistry, tmp_path: Path) -> None:
    started = time.monotonic()
    result = verify(faults.host, "stall:1", cwd=tmp_path)
    elapsed = time.monotonic() - started
    [image] = json.loads(result.stdout)["images"]
    reason = image["platforms"][0]["error"]
    assert "the blob stopped arriving (timed out)" in reason, reason
    assert result.returncode == 2
    assert elapsed < 20, elapsed


def test_a_registry_that_never_answers_is_one_line(faults: FaultRegistry, tmp_path: Path) -> None:
    started = time.monotonic()
    result = verify(faults.host, "stalled:1", cwd=tmp_path)
    elapsed = time.monotonic() - started
    [image] = json.loads(result.stdout)["images"]
    assert f"no answer within the {TIMEOUT} s budget" in image["error"], image
    assert result.returncode == 2
    assert elapsed < 20, elapsed


def test_unknown_references_and_bad_options_are_one_line_errors(
    faults: FaultRegistry, tmp_path: Path
) -> None:
    result = verify(faults.host, "nothing:1", cwd=tmp_path)
    [image] = json.loads(result.stdout)["images"]
    assert "has no manifest nothing:1 (HTTP 404)" in image["error"]
    assert result.returncode == 2
    bad = subprocess.run(
        [sys.executable, "-m", "dflint", "verify", "UPPER/Case:1", "--platform", "linux"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert bad.returncode == 2
    assert bad.stderr == (
        "dflint: error: --platform: 'linux' is not an os/arch[/variant] platform such as "
        "linux/arm64\n"
    )
    invalid = subprocess.run(
        [sys.executable, "-m", "dflint", "verify", "UPPER/Case:1"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert invalid.returncode == 2
    assert invalid.stdout.splitlines()[0] == (
        "UPPER/Case:1: could not verify: repository name (Case) must be lowercase "
        "(for a local image write oci:DIR or docker-archive:FILE)"
    )
