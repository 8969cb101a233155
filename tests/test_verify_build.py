"""`dflint verify` on real images: the seed's folder-list app built with buildah for amd64 and
arm64 (on busybox-static bases, as in tests/test_generator_build.py), pushed to the test
registry, joined in a manifest list and verified; then the broken form (an amd64 binary copied
into the arm64 image), which verify must fail naming the file. The same images are also read
from an OCI layout folder and a docker-archive written by `buildah push`.

Needs root, buildah and Debian's apt (for busybox-static); skips without them, fails under CI.
No RUN instruction runs here, so qemu is not needed for these builds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import ROOT
from registry_fixture import Registries
from test_generator_build import buildah, make_base, run  # noqa: F401 - buildah is a fixture

BROKEN = """\
# folder-list app, linux/arm64, broken: a tool taken from the amd64 image
FROM --platform=linux/amd64 diamol/base:linux-amd64 AS tools

FROM --platform=linux/arm64 diamol/base:linux-arm64
WORKDIR /app
COPY file.txt .
COPY --from=tools /bin/busybox /usr/local/bin/folder-tool
CMD ["/usr/local/bin/folder-tool", "ls", "/app"]
"""


def verify(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dflint", "verify", *args],
        capture_output=True, text=True, cwd=cwd, timeout=300,
        env={k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"},
    )  # fmt: skip


def platforms_of(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert "Traceback" not in result.stderr, result.stderr
    [image] = json.loads(result.stdout)["images"]
    assert image["error"] is None, image
    return {item["platform"]: item for item in image["platforms"]}


def test_verify_the_seeds_images_and_the_broken_form(
    buildah: list[str],  # noqa: F811
    registries: Registries,
    tmp_path: Path,
) -> None:
    environment = {**os.environ, "BUILDAH_ISOLATION": "chroot"}
    app = tmp_path / "app"
    app.mkdir()
    (app / "file.txt").write_text("the app's data\n")
    for arch in ("amd64", "arm64"):
        make_base(buildah, arch, tmp_path)
        seed = (ROOT / "sample_dockerfiles" / f"Dockerfile.linux-{arch}").read_text()
        (app / f"Dockerfile.linux-{arch}").write_text(seed)
        run(*buildah, "bud", "--isolation", "chroot", "--pull=never", "--format", "oci",
            "--platform", f"linux/{arch}", "-f", f"Dockerfile.linux-{arch}",
            "-t", f"localhost/folder-list:linux-{arch}", ".", cwd=app, env=environment)  # fmt: skip
    (app / "Dockerfile.broken").write_text(BROKEN)
    run(*buildah, "bud", "--isolation", "chroot", "--pull=never", "--format", "docker",
        "--platform", "linux/arm64", "-f", "Dockerfile.broken",
        "-t", "localhost/folder-list:broken-arm64", ".", cwd=app, env=environment)  # fmt: skip

    registry = registries.open
    lists = {"good": ["linux-amd64", "linux-arm64"], "broken": ["linux-amd64", "broken-arm64"]}
    for name, tags in lists.items():
        listed = f"localhost/folder-list:{name}"
        run(*buildah, "manifest", "create", listed)
        for tag in tags:
            run(
                *buildah,
                "manifest",
                "add",
                listed,
                f"containers-storage:localhost/folder-list:{tag}",
            )
        run(*buildah, "manifest", "push", "--all", "--tls-verify=false", listed,
            f"docker://{registry.ref(f'folder-list:{name}')}")  # fmt: skip

    good = verify(registry.ref("folder-list:good"), "--format", "json", cwd=tmp_path)
    found = platforms_of(good)
    assert sorted(found) == ["linux/amd64", "linux/arm64"]
    for item in found.values():
        # busybox: a static ELF of the image's own architecture
        assert (item["status"], item["binaries"], item["foreign"]) == ("verified", 1, [])
    assert good.returncode == 0

    broken = verify(registry.ref("folder-list:broken"), cwd=tmp_path)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    lines = broken.stdout.splitlines()
    assert "  linux/amd64  ✓  1 binaries, all linux/amd64" in lines
    assert "  linux/arm64  ✗  1 of 2 binaries built for another platform" in lines
    at = lines.index("    /usr/local/bin/folder-tool: ELF x86-64 = linux/amd64")
    # buildah's history names the instruction that made the layer
    assert "made by " in lines[at + 1] and "folder-tool" in lines[at + 1], lines[at + 1]

    # the same images from the files `buildah push` writes
    layout, archive = tmp_path / "layout", tmp_path / "broken.tar"
    run(*buildah, "push", "localhost/folder-list:broken-arm64", f"oci:{layout}:broken")
    run(*buildah, "push", "localhost/folder-list:broken-arm64", f"docker-archive:{archive}")
    whole_list = tmp_path / "list-layout"
    run(*buildah, "manifest", "push", "--all", "localhost/folder-list:good", f"oci:{whole_list}")
    for reference in (f"oci:{layout}:broken", f"docker-archive:{archive}", str(archive)):
        result = verify(reference, "--format", "json", cwd=tmp_path)
        [item] = platforms_of(result).values()
        assert item["platform"] == "linux/arm64", reference
        assert [f["path"] for f in item["foreign"]] == ["/usr/local/bin/folder-tool"], reference
        assert result.returncode == 1, reference
    listed = verify(f"oci:{whole_list}", "--format", "json", cwd=tmp_path)
    assert sorted(platforms_of(listed)) == ["linux/amd64", "linux/arm64"]
    assert listed.returncode == 0
