"""`dflint verify` against a real registry (the ``registries`` fixture, which seeds ``app:*``
images whose layers hold synthetic ELF and PE headers): every kind of image, token auth,
provenance, the output formats, missing platforms, and each blob read once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from registry_fixture import VERIFY_EXPECTED, Registries, Registry
from test_formatters import assert_valid_sarif

from dflint.registry.client import RegistryClient
from dflint.settings.registry import RegistrySettings
from dflint.verify.engine import Verifier
from dflint.verify.sources import open_source


def verify(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "dflint", "verify", *args],
        capture_output=True, text=True, cwd=cwd, env=environment, timeout=120,
    )  # fmt: skip


def as_json(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert "Traceback" not in result.stderr, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


@pytest.fixture(params=["open", "token"])
def registry(request: pytest.FixtureRequest, registries: Registries) -> Registry:
    found: Registry = getattr(registries, request.param)
    return found


def test_every_seeded_image_reports_exactly_the_foreign_files(
    registry: Registry, tmp_path: Path
) -> None:
    for name, expected in VERIFY_EXPECTED.items():
        result = verify(registry.ref(name), "--format", "json", cwd=tmp_path)
        [image] = as_json(result)["images"]
        assert image["error"] is None, (name, image)
        reported = {
            item["platform"]: [foreign["path"] for foreign in item["foreign"]]
            for item in image["platforms"]
        }
        assert reported == expected, name
        failing = any(expected.values()) or name == "app:mislabeled"
        assert result.returncode == (1 if failing else 0), (name, result.stdout)


def test_what_each_kind_of_image_is_reported_as(registries: Registries, tmp_path: Path) -> None:
    registry = registries.open
    names = ["app:honest", "app:mislabeled", "app:scripts", "app:win"]
    result = verify(*(registry.ref(name) for name in names), "--format", "json", cwd=tmp_path)
    images = {image["reference"]: image for image in as_json(result)["images"]}
    honest = images[registry.ref("app:honest")]
    assert honest["media_type"] == "application/vnd.oci.image.index.v1+json"
    assert [(p["platform"], p["status"], p["binaries"]) for p in honest["platforms"]] == [
        ("linux/amd64", "verified", 3),
        ("linux/arm64", "verified", 3),
        ("linux/arm/v7", "verified", 3),
        ("linux/s390x", "verified", 3),  # a big-endian ELF header, read as such
    ]
    [_, liar] = images[registry.ref("app:mislabeled")]["platforms"]
    assert liar["status"] == "mismatch"
    assert liar["config_platform"] == "linux/amd64"
    assert liar["problems"] == [
        "the index says linux/arm64 but the image's config says linux/amd64"
    ]
    [scripts] = images[registry.ref("app:scripts")]["platforms"]
    assert (scripts["platform"], scripts["status"]) == ("linux/arm64", "empty")  # from its config
    win = images[registry.ref("app:win")]["platforms"]
    assert [p["platform"] for p in win] == ["linux/amd64", "windows/amd64:10.0.20348.2461"]
    assert win[1]["binaries"] == 2  # app.exe and helper.dll; readme.txt is not judged
    assert result.returncode == 1


def test_text_names_the_file_its_machine_the_layer_and_the_instruction(
    registries: Registries, tmp_path: Path
) -> None:
    registry = registries.open
    result = verify(registry.ref("app:liar"), "--no-config", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{registry.ref('app:liar')}  (OCI image index sha256:")
    assert lines[1:3] == [
        "  linux/amd64  ✓  3 binaries, all linux/amd64",
        "  linux/arm64  ✗  1 of 3 binaries built for another platform",
    ]
    assert lines[4] == "    /usr/local/bin/app: ELF x86-64 = linux/amd64"
    # the layer's digest and the history entry that made it (" # buildkit" dropped)
    assert lines[5].startswith("      layer 1 (sha256:")
    assert lines[5].endswith("), made by COPY rootfs/ /")
    assert lines[-1] == "1 image; platforms: 1 verified, 1 mismatched."


def test_provenance_names_the_dockerfile_line(registries: Registries, tmp_path: Path) -> None:
    registry = registries.open
    ref = registry.ref("app:provenance")
    text = verify(ref, cwd=tmp_path)
    assert text.returncode == 1
    assert "    /usr/local/bin/app: ELF x86-64 = linux/amd64" in text.stdout
    assert ", made by Dockerfile:5: COPY --from=build /src/app /usr/local/bin/app" in text.stdout, (
        text.stdout
    )
    # the attestation manifest is not a platform
    assert "unknown" not in text.stdout
    sarif = json.loads(verify(ref, "--format", "sarif", cwd=tmp_path).stdout)
    assert_valid_sarif(sarif)
    [result] = sarif["runs"][0]["results"]
    assert result["ruleId"] == "verify/foreign-binary"
    location = result["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "Dockerfile"}, "region": {"startLine": 5}}
    github = verify(ref, "--format", "github", cwd=tmp_path).stdout.splitlines()
    assert github[0].startswith(
        "::error file=Dockerfile,line=5,title=dflint verify%3A foreign-binary::"
    )
    assert "/usr/local/bin/app is ELF x86-64 (linux/amd64)" in github[0]


def test_sarif_without_provenance_points_into_the_image(
    registries: Registries, tmp_path: Path
) -> None:
    result = verify(registries.open.ref("app:winliar"), "--format", "sarif", cwd=tmp_path)
    document = json.loads(result.stdout)
    assert_valid_sarif(document)
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]
        for r in document["runs"][0]["results"]
    ]
    assert uris == [
        {"uri": "app/app.exe", "uriBaseId": "IMAGEROOT"},
        {"uri": "app/helper.dll", "uriBaseId": "IMAGEROOT"},
    ]
    assert result.returncode == 1


def test_github_format_is_chosen_inside_actions(registries: Registries, tmp_path: Path) -> None:
    result = verify(
        registries.open.ref("app:userland"), cwd=tmp_path, env={"GITHUB_ACTIONS": "true"}
    )
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert len(annotations) == 2
    assert all(
        line.startswith("::error title=dflint verify%3A foreign-binary::") for line in annotations
    )
    assert "/bin/busybox is ELF x86-64" in annotations[0]
    assert result.returncode == 1


def test_a_missing_platform_fails(registries: Registries, tmp_path: Path) -> None:
    ref = registries.open.ref("app:win")
    asked = verify(ref, "--platform", "linux/amd64,linux/arm64", cwd=tmp_path)
    assert asked.returncode == 1
    assert (
        "  linux/arm64                    ✗  missing: asked for, not in the image" in asked.stdout
    )
    # the config's targets count too; a Windows target is served whatever its build
    (tmp_path / ".dflint.toml").write_text('platforms = ["linux/amd64", "windows/amd64"]\n')
    configured = verify(ref, "--format", "json", cwd=tmp_path)
    assert as_json(configured)["images"][0]["missing"] == []
    assert configured.returncode == 0
    (tmp_path / ".dflint.toml").write_text('platforms = ["linux/amd64", "linux/arm/v7"]\n')
    configured = verify(ref, "--format", "json", cwd=tmp_path)
    assert as_json(configured)["images"][0]["missing"] == ["linux/arm/v7"]
    assert configured.returncode == 1


def test_excluded_paths_are_not_judged(registries: Registries, tmp_path: Path) -> None:
    ref = registries.open.ref("app:userland")
    result = verify(ref, "--exclude", "/bin/*", "--exclude", "/lib/*", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "  linux/arm64  ✓  1 binaries, all linux/arm64" in result.stdout


class CountingTransport(httpx.HTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self.sent: Counter[str] = Counter()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent[request.url.path] += 1
        return super().handle_request(request)


def test_a_blob_shared_by_platforms_and_references_is_read_once(
    registries: Registries,
) -> None:
    registry = registries.open
    transport = CountingTransport()
    client = RegistryClient(RegistrySettings(), transport=transport)
    verifier = Verifier()
    names = ["app:mislabeled", "app:liar", "app:honest"]
    try:
        run = verifier.run(
            [
                (name, lambda name=name: open_source(registry.ref(name), lambda: client))
                for name in names
            ]
        )
    finally:
        verifier.close()
        client.close()
    assert run.exit_code() == 1
    layers = {
        path: count for path, count in transport.sent.items() if "/blobs/" in path and count > 0
    }
    assert layers and max(layers.values()) == 1, layers
    # 8 platform images, but 5 distinct layers: every amd64 image (and the mislabeled arm64
    # one) holds the same files
    assert sum(len(image.platforms) for image in run.images) == 8
    assert len(verifier.scans) == 5
    layer_requests = [path for path in layers if path.rsplit("/", 1)[-1] in
                      {digest for digest, _ in verifier.scans}]  # fmt: skip
    assert len(layer_requests) == 5


def test_a_progress_line_on_a_terminal_only(registries: Registries, tmp_path: Path) -> None:
    import pty

    ref = registries.open.ref("app:honest")
    leader, follower = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "dflint", "verify", ref, "--format", "json"],
            stdout=subprocess.PIPE, stderr=follower, cwd=tmp_path, timeout=120,
        )  # fmt: skip
        os.close(follower)
        shown = b""
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:
                break
            if not data:
                break
            shown += data
    finally:
        os.close(leader)
    assert result.returncode == 0
    assert b"\rverifying: 4/4 layers" in shown, shown
    piped = verify(ref, "--format", "json", cwd=tmp_path)
    assert piped.stderr == ""
