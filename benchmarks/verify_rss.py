"""Peak memory of `dflint verify` on an image with one large layer (default 1 GiB unpacked).

Writes an OCI layout to a temporary folder: one gzip'd layer holding an ELF executable of the
given size (zeros after its header, so the blob stays small on disk while the verifier still
inflates and reads every byte), then runs ``python -m dflint verify oci:DIR`` and prints its
peak resident set size (the child's ``ru_maxrss``) and time.

    python benchmarks/verify_rss.py            # 1 GiB
    python benchmarks/verify_rss.py --mib 4096
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
import zlib
from pathlib import Path


def elf_header() -> bytes:
    head = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9) + (2).to_bytes(2, "little")
    return head + (62).to_bytes(2, "little") + bytes(44)


def write_layer(path: Path, size: int) -> tuple[str, int, str]:
    """A gzip'd tar with /usr/bin/big of ``size`` bytes, written in chunks; (digest, size,
    diff_id)."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    blob_hash, tar_hash = hashlib.sha256(), hashlib.sha256()
    written = 0
    with path.open("wb") as out:

        def emit(data: bytes) -> None:
            nonlocal written
            tar_hash.update(data)
            packed = compressor.compress(data)
            blob_hash.update(packed)
            out.write(packed)
            written += len(packed)

        info = tarfile.TarInfo("usr/bin/big")
        info.size, info.mode = size, 0o755
        emit(info.tobuf(tarfile.GNU_FORMAT))
        header = elf_header()
        emit(header)
        left = size - len(header)
        chunk = bytes(1 << 20)
        while left:
            emit(chunk[: min(left, len(chunk))])
            left -= min(left, len(chunk))
        emit(bytes(-size % 512) + bytes(1024))
        tail = compressor.flush()
        blob_hash.update(tail)
        out.write(tail)
        written += len(tail)
    return "sha256:" + blob_hash.hexdigest(), written, "sha256:" + tar_hash.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mib", type=int, default=1024, help="unpacked size of the file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dflint-verify-rss-") as folder:
        root = Path(folder)
        blobs = root / "blobs" / "sha256"
        blobs.mkdir(parents=True)
        layer = blobs / "layer"
        digest, size, diff_id = write_layer(layer, args.mib * 1024 * 1024)
        layer.rename(blobs / digest[7:])
        rootfs = {"type": "layers", "diff_ids": [diff_id]}
        config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": rootfs}).encode()
        config_digest = "sha256:" + hashlib.sha256(config).hexdigest()
        (blobs / config_digest[7:]).write_bytes(config)
        manifest = json.dumps({
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": config_digest, "size": len(config)},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                        "digest": digest, "size": size}],
        }).encode()  # fmt: skip
        manifest_digest = hashlib.sha256(manifest).hexdigest()
        (blobs / manifest_digest).write_bytes(manifest)
        (root / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
        index = {"schemaVersion": 2, "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json",
             "digest": "sha256:" + manifest_digest, "size": len(manifest)}]}  # fmt: skip
        (root / "index.json").write_text(json.dumps(index))
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "dflint", "verify", f"oci:{root}", "--format", "json"],
            capture_output=True, text=True,
        )  # fmt: skip
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    [image] = json.loads(result.stdout)["images"]
    [platform] = image["platforms"]
    print(f"layer: {args.mib} MiB unpacked, {size / 1e6:.1f} MB gzip'd")
    print(f"verify: exit {result.returncode}, {platform['status']}, {elapsed:.1f} s")
    print(f"peak RSS: {peak / 1024:.1f} MiB")
    return 0 if platform["status"] == "verified" else 1


if __name__ == "__main__":
    sys.exit(main())
