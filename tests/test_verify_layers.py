"""The parts of `dflint verify` below the registry: headers, layers, whiteouts, local inputs.

Every layer is a real tar (Python's tarfile writes it), compressed as registries hold them;
the judged files are synthetic headers, except the 32-bit ARM ones, which are Debian's
busybox-static for armhf (ARMv7) and armel (ARMv5TE) when apt can fetch them.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import struct
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from conftest import package_download_failed
from registry_fixture import elf_file, files_layer, pe_file

from dflint.core.platform import Platform
from dflint.verify.binaries import ArmAttributes, cpu_arch_of, read_header
from dflint.verify.engine import judge
from dflint.verify.layers import Filesystem, LayerError, read_layer


def tar_bytes(*entries: tarfile.TarInfo | tuple[str, bytes, int]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for entry in entries:
            if isinstance(entry, tarfile.TarInfo):
                tar.addfile(entry)
            else:
                info = tarfile.TarInfo(entry[0])
                info.size, info.mode = len(entry[1]), entry[2]
                tar.addfile(info, io.BytesIO(entry[1]))
    return raw.getvalue()


def special(name: str, kind: bytes, target: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode = kind, target, 0o755
    return info


def stacked(*layers: bytes, windows: bool = False) -> dict[str, str]:
    """path -> platform of the judged files left after stacking the layers."""
    filesystem = Filesystem()
    for index, layer in enumerate(layers):
        filesystem.apply(index, read_layer(io.BytesIO(layer), None, windows))
    return {path: placed.header.platform for path, placed in filesystem.binaries.items()}


# --- headers -------------------------------------------------------------------------------------


def test_elf_headers_name_class_byte_order_and_machine() -> None:
    assert read_header(elf_file("amd64")).platform == "linux/amd64"  # type: ignore[union-attr]
    s390x = read_header(elf_file("s390x"))
    assert s390x is not None and (s390x.platform, s390x.machine) == (
        "linux/s390x",
        "IBM S/390 (big-endian)",
    )
    # an object file (ET_REL) does not run: not judged
    relocatable = bytearray(elf_file("arm64"))
    relocatable[16] = 1
    assert read_header(bytes(relocatable)) is None
    assert read_header(b"#!/bin/sh\necho hello\n") is None


def test_pe_headers_and_dotnet() -> None:
    exe = read_header(pe_file("amd64"))
    assert exe is not None and (exe.format, exe.platform) == ("PE32+", "windows/amd64")
    x86 = read_header(pe_file("386"))
    assert x86 is not None and (x86.format, x86.platform) == ("PE32", "windows/386")
    # an IL-only .NET assembly says i386 and runs anywhere: data directory 14 is set
    assembly = bytearray(pe_file("386"))
    directories = 0x80 + 24 + 96
    struct.pack_into("<I", assembly, directories - 4, 16)
    struct.pack_into("<II", assembly, directories + 14 * 8, 0x2008, 0x48)
    neutral = read_header(bytes(assembly))
    assert neutral is not None and neutral.neutral
    # a ReadyToRun assembly for linux-x64 stores 0x8664 ^ 0x7B79
    struct.pack_into("<H", assembly, 0x80 + 4, 0x8664 ^ 0x7B79)
    r2r = read_header(bytes(assembly))
    assert r2r is not None and r2r.platform == "linux/amd64" and not r2r.neutral


def test_mach_o_and_java_classes() -> None:
    thin = struct.pack("<IIi", 0xFEEDFACF, 0x0100000C, 0) + bytes(20)
    assert read_header(thin).platform == "darwin/arm64"  # type: ignore[union-attr]
    fat = struct.pack(">II", 0xCAFEBABE, 2) + struct.pack(">II", 0x01000007, 3) + bytes(12)
    fat += struct.pack(">II", 0x0100000C, 0) + bytes(12)
    universal = read_header(fat)
    assert universal is not None and universal.platform == "darwin/amd64+arm64"
    java = struct.pack(">IHH", 0xCAFEBABE, 0, 61) + bytes(40)  # a class file, version 61
    assert read_header(java) is None


@pytest.mark.parametrize(
    ("header", "target", "verdict"),
    [
        ("amd64", "linux/amd64", "match"),
        ("386", "linux/amd64", "match"),  # IA-32 compatibility
        ("amd64", "linux/386", "foreign"),
        ("arm", "linux/arm64", "foreign"),  # many arm64 CPUs cannot run 32-bit code
        ("arm64", "linux/arm64/v8", "match"),
        ("s390x", "linux/s390x", "match"),
        ("amd64", "linux/arm64", "foreign"),
    ],
)
def test_judging(header: str, target: str, verdict: str) -> None:
    found = read_header(elf_file(header))
    assert found is not None
    assert judge(found, Platform.parse(target)) == verdict


def test_arm_versions_older_run_on_newer() -> None:
    base = read_header(elf_file("arm"))
    assert base is not None
    from dataclasses import replace

    v6, v7 = replace(base, variant="v6"), replace(base, variant="v7")
    assert judge(v6, Platform.parse("linux/arm/v7")) == "match"
    assert judge(v7, Platform.parse("linux/arm/v6")) == "foreign"
    assert judge(base, Platform.parse("linux/arm/v6")) == "match"  # unknown version: not judged
    # a Windows image judges PE files only; an ELF there is skipped
    assert judge(base, Platform.parse("windows/amd64")) == "skip"


def arm_elf(tag_cpu_arch: int, padding: int = 3000) -> bytes:
    """A 32-bit ARM executable with an .ARM.attributes section and a section header table."""
    attributes = b"aeabi\0" + bytes([1]) + struct.pack("<I", 15) + b"\x05" + b"7-A\0"
    attributes += bytes([6, tag_cpu_arch, 8, 1, 9, 2])
    section = b"A" + struct.pack("<I", 4 + len(attributes)) + attributes
    section_at = 52 + padding
    table_at = section_at + len(section)
    header = b"\x7fELF" + bytes([1, 1, 1]) + bytes(9)
    header += struct.pack("<HHIIIIIHHHHHH", 2, 40, 1, 0, 0, table_at, 0x05000400, 52, 32, 0,
                          40, 2, 0)  # fmt: skip
    table = bytes(40) + struct.pack("<IIIIII", 1, 0x70000003, 0, 0, section_at, len(section))
    table += bytes(16)
    return header + b"\x90" * padding + section + table


def test_arm_attributes_give_the_architecture_version() -> None:
    assert cpu_arch_of(arm_elf(10)[52 + 3000 :]) == 10
    for tag, variant in ((10, "v7"), (6, "v6"), (4, "v5")):
        layer = tar_bytes(("bin/tool", arm_elf(tag), 0o755))
        assert stacked(layer) == {"bin/tool": f"linux/arm/{variant}"}
    # a lookalike block the section table does not point at is ignored
    decoy = arm_elf(10)
    fake = b"A" + struct.pack("<I", 21) + b"aeabi\0\x01" + struct.pack("<I", 10) + bytes([6, 6])
    moved = decoy[:100] + fake + decoy[100 + len(fake) :]
    watcher = ArmAttributes(moved[:52])
    for at in range(0, len(moved), 7):  # in small, odd chunks: marks straddle them
        watcher.feed(moved[at : at + 7], at)
    assert watcher.variant() == ("v7", "ARMv7")


def debian_busybox(arch: str) -> Path:
    """busybox-static for ``arch`` from Debian, cached beside the build test's downloads.

    Unlike the build test's helper, a failed index (a mirror mid-sync for one suite) does
    not stop it: the package comes from the main suite."""
    from test_generator_build import CACHE

    debs = CACHE / "debs"
    found = sorted(debs.glob(f"busybox-static_*_{arch}.deb"))
    if found:
        return found[-1]
    debs.mkdir(parents=True, exist_ok=True)
    state = CACHE / "apt" / arch
    (state / "lists" / "partial").mkdir(parents=True, exist_ok=True)
    (state / "cache" / "archives" / "partial").mkdir(parents=True, exist_ok=True)
    options = [
        "-q", "-o", f"APT::Architectures::={arch}", "-o", f"Dir::State::Lists={state / 'lists'}",
        "-o", f"Dir::Cache={state / 'cache'}", "-o", "Dir::State::status=/dev/null",
        "-o", "APT::Sandbox::User=root",
    ]  # fmt: skip
    update = subprocess.run(
        ["apt-get", *options, "update"], capture_output=True, text=True, timeout=300
    )
    download = subprocess.run(
        ["apt-get", *options, "download", f"busybox-static:{arch}"],
        capture_output=True, text=True, timeout=300, cwd=debs,
    )  # fmt: skip
    found = sorted(debs.glob(f"busybox-static_*_{arch}.deb"))
    if not found:
        output = update.stdout + update.stderr + download.stdout + download.stderr
        package_download_failed("apt", f"apt-get download busybox-static:{arch}", output)
    return found[-1]


@pytest.mark.parametrize(("arch", "variant"), [("armhf", "v7"), ("armel", "v5")])
def test_debians_arm_busybox(arch: str, variant: str) -> None:
    """Real binaries: Debian's armhf is ARMv7, its armel ARMv5TE."""
    data = subprocess.run(
        ["dpkg-deb", "--fsys-tarfile", str(debian_busybox(arch))],
        capture_output=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    found = stacked(data)
    assert found["bin/busybox"] == f"linux/arm/{variant}"


# --- layers ------------------------------------------------------------------------------------


def test_whiteouts_opaque_folders_and_replacements() -> None:
    lower = tar_bytes(
        ("bin/busybox", elf_file("amd64"), 0o755),
        ("opt/tool/bin/tool", elf_file("amd64"), 0o755),
        ("usr/lib/libx.so.1", elf_file("amd64", shared=True), 0o644),  # judged by its name
        ("usr/share/data.bin", elf_file("amd64"), 0o644),  # not executable, not a .so
        ("srv/app", elf_file("amd64"), 0o755),
    )
    upper = tar_bytes(
        ("bin/.wh.busybox", b"", 0o644),  # RUN rm /bin/busybox
        ("opt/tool/.wh..wh..opq", b"", 0o644),  # the folder replaced as a whole
        ("opt/tool/bin/other", elf_file("arm64"), 0o755),
        special("srv/app", tarfile.DIRTYPE),  # a folder where a file was
        special("usr/lib/libx.so", tarfile.SYMTYPE, "libx.so.1"),
    )
    assert stacked(lower, upper) == {
        "opt/tool/bin/other": "linux/arm64",
        "usr/lib/libx.so.1": "linux/amd64",
    }


def test_hard_links_share_their_targets_header() -> None:
    layer = tar_bytes(
        ("bin/busybox", elf_file("arm64"), 0o755), special("bin/sh", tarfile.LNKTYPE, "bin/busybox")
    )
    assert stacked(layer) == {"bin/busybox": "linux/arm64", "bin/sh": "linux/arm64"}
    upper = tar_bytes(special("usr/bin/sh", tarfile.LNKTYPE, "bin/busybox"))
    assert stacked(layer, upper)["usr/bin/sh"] == "linux/arm64"  # to a file of a lower layer


def test_compressions() -> None:
    import zstandard

    plain = tar_bytes(("bin/app", elf_file("riscv64"), 0o755))
    two_members = gzip.compress(plain[:700]) + gzip.compress(plain[700:])  # as pigz can write
    for blob in (plain, gzip.compress(plain), zstandard.compress(plain), two_members):
        digest = "sha256:" + hashlib.sha256(blob).hexdigest()
        scan = read_layer(io.BytesIO(blob), digest, False)
        assert {p: h.platform for p, h in scan.binaries.items()} == {"bin/app": "linux/riscv64"}
    # zstandard's reader ends quietly at a cut; the blob's digest is what catches it
    whole = zstandard.compress(plain)
    with pytest.raises(LayerError, match=r"does not match its digest|ends inside an entry"):
        read_layer(io.BytesIO(whole[:-40]), "sha256:" + hashlib.sha256(whole).hexdigest(), False)
    with pytest.raises(LayerError, match="does not match its digest"):
        read_layer(io.BytesIO(plain), "sha256:" + "0" * 64, False)


def test_windows_layers_judge_exe_and_dll_by_name() -> None:
    layer = tar_bytes(
        ("Files/app/app.exe", pe_file("arm64"), 0o644),
        ("Files/app/lib.dll", pe_file("amd64", dll=True), 0o644),
        ("Files/app/data.bin", pe_file("arm64"), 0o755),
    )
    assert stacked(layer, windows=True) == {
        "Files/app/app.exe": "windows/arm64",
        "Files/app/lib.dll": "windows/amd64",
    }


def test_memory_stays_bounded_for_a_large_file() -> None:
    """A 64 MB file streams past in chunks: only its header is kept."""
    import tracemalloc

    size = 64 * 1024 * 1024

    class Stream:
        def __init__(self) -> None:
            header = tarfile.TarInfo("usr/bin/big")
            header.size, header.mode = size, 0o755
            self.parts = [header.tobuf(tarfile.GNU_FORMAT), elf_file("arm64")]
            self.left = size - len(self.parts[1])
            self.tail = bytes(1024)

        def read(self, wanted: int) -> bytes:
            if self.parts:
                return self.parts.pop(0)
            if self.left:
                chunk = min(self.left, wanted, 1 << 20)
                self.left -= chunk
                return bytes(chunk)
            out, self.tail = self.tail[:wanted], self.tail[wanted:]
            return out

    tracemalloc.start()
    scan = read_layer(Stream(), None, False)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert scan.binaries["usr/bin/big"].platform == "linux/arm64"
    assert peak < 8 * 1024 * 1024, peak


# --- local inputs ------------------------------------------------------------------------------


def write_layout(folder: Path, files: list[tuple[str, bytes, int]], tag: str) -> None:
    blobs = folder / "blobs" / "sha256"
    blobs.mkdir(parents=True)

    def put(data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        (blobs / digest).write_bytes(data)
        return "sha256:" + digest

    layer, diff_id = files_layer(files)
    config = json.dumps(
        {
            "architecture": "arm64",
            "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        }
    ).encode()
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": put(config), "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": put(layer), "size": len(layer)}],
    }).encode()  # fmt: skip
    (folder / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    (folder / "index.json").write_text(json.dumps({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": put(manifest), "size": len(manifest),
                       "annotations": {"org.opencontainers.image.ref.name": tag}}],
    }))  # fmt: skip


def dflint_verify(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dflint", "verify", *args],
        capture_output=True, text=True, cwd=cwd, timeout=60,
    )  # fmt: skip


def test_oci_layout_folders(tmp_path: Path) -> None:
    write_layout(tmp_path / "img", [("usr/bin/app", elf_file("amd64"), 0o755)], "v1")
    result = dflint_verify("oci:img:v1", cwd=tmp_path)
    assert result.returncode == 1
    assert "    /usr/bin/app: ELF x86-64 = linux/amd64" in result.stdout
    assert dflint_verify("oci:img", cwd=tmp_path).returncode == 1  # its only image
    assert dflint_verify("img", cwd=tmp_path).returncode == 1  # a folder with oci-layout
    other = dflint_verify("oci:img:v2", cwd=tmp_path)
    assert other.returncode == 2
    assert "img: no image tagged 'v2' (it has: v1)" in other.stdout


def test_local_inputs_are_opened_carefully(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    fifo = dflint_verify("docker-archive:pipe", cwd=tmp_path)
    assert fifo.returncode == 2
    assert fifo.stdout.splitlines()[0] == (
        "docker-archive:pipe: could not verify: pipe: not a regular file (a FIFO)"
    )
    missing = dflint_verify("oci:nowhere", cwd=tmp_path)
    assert (
        missing.stdout.splitlines()[0] == "oci:nowhere: could not verify: nowhere: no such folder"
    )
    (tmp_path / "notes.tar").write_bytes(tar_bytes(("readme", b"hello", 0o644)))
    plain = dflint_verify("docker-archive:notes.tar", cwd=tmp_path)
    assert plain.returncode == 2
    assert "neither a docker-archive nor an OCI archive" in plain.stdout
    assert "Traceback" not in fifo.stderr + missing.stderr + plain.stderr


def test_zstd_without_a_decompressor_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import zstandard

    blob = zstandard.compress(tar_bytes(("bin/app", elf_file("amd64"), 0o755)))
    monkeypatch.setitem(sys.modules, "zstandard", None)  # as if it were not installed
    monkeypatch.setitem(sys.modules, "compression", None)  # Python before 3.14
    with pytest.raises(LayerError) as caught:
        read_layer(io.BytesIO(blob), None, False)
    assert str(caught.value) == (
        "the layer is zstd-compressed and this Python cannot read zstd: pip install 'dflint[zstd]'"
    )
