"""DF212: `FROM ${TARGETARCH}/debian`."""

from __future__ import annotations

from pathlib import Path

from conftest import codes, dflint_cli, lint, span, write_file

TEXT = "FROM ${TARGETARCH}/debian:bookworm-slim\nRUN apt-get update\n"


def test_arm64_debian_does_not_exist() -> None:
    [finding] = [f for f in lint(TEXT) if f.code == "DF212"]
    assert span(finding) == (1, 1, 1, 40)
    assert finding.severity.value == "error" and finding.platform == "linux/arm64"
    assert finding.message == (
        "`${TARGETARCH}/debian:bookworm-slim` is `arm64/debian:bookworm-slim` for linux/arm64 "
        "(the namespace is `arm64v8`), which does not exist: Docker's architecture names are "
        "not the official images' namespaces; `FROM debian:bookworm-slim` already pulls the "
        "image of the platform being built"
    )


def test_amd64_alone_works() -> None:
    assert "DF212" not in codes(TEXT, platforms=("linux/amd64", "linux/s390x"))
    found = [
        f.platform
        for f in lint(TEXT, platforms=("linux/amd64", "linux/arm/v7", "linux/386"))
        if f.code == "DF212"
    ]
    assert found == ["linux/arm/v7,linux/386"]


def test_fix_is_the_multi_arch_name(tmp_path: Path) -> None:
    path = write_file(tmp_path, "repo/Dockerfile", TEXT)
    code, _, err = dflint_cli("fix", "--multiarch", "--no-config", "--write", str(path))
    assert code == 1, err
    assert path.read_text() == "FROM debian:bookworm-slim\nRUN apt-get update\n"


def test_each_broken_target_is_named_with_its_namespace_when_there_is_one() -> None:
    platforms = ("linux/arm/v7", "linux/386", "linux/loong64")
    [finding] = [f for f in lint(TEXT, platforms=platforms) if f.code == "DF212"]
    assert finding.message.startswith(
        "`${TARGETARCH}/debian:bookworm-slim` is "
        "`arm/debian:bookworm-slim` for linux/arm/v7 (the namespace is `arm32v7`), "
        "`386/debian:bookworm-slim` for linux/386 (the namespace is `i386`), "
        "`loong64/debian:bookworm-slim` for linux/loong64, which does not exist"
    )


def test_other_images_and_windows_stages_are_not_judged() -> None:
    for image in ("arm64v8/debian:bookworm-slim", "${REGISTRY}/debian", "${TARGETOS}/debian"):
        assert "DF212" not in codes(f"ARG REGISTRY TARGETOS\nFROM {image}\n"), image
    # a Windows stage cannot be built for linux/arm64 at all: that is DF201's error
    windows = "# escape=`\nFROM ${TARGETARCH}/app\n"
    found = codes(windows, platforms=("linux/arm64",))
    assert "DF201" in found and "DF212" not in found


def test_fix_rewrites_the_image_alone(tmp_path: Path) -> None:
    path = write_file(tmp_path, "repo/Dockerfile", TEXT.replace("\n", " AS base\n", 1))
    code, _, err = dflint_cli("fix", "--multiarch", "--no-config", "--write", str(path))
    assert code == 1, err
    assert path.read_text() == "FROM debian:bookworm-slim AS base\nRUN apt-get update\n"
    # the image on a continuation line: reported, but not rewritten on the FROM line
    [finding] = [f for f in lint(TEXT.replace("FROM ", "FROM \\\n  ", 1)) if f.code == "DF212"]
    assert span(finding) == (1, 1, 2, 37) and finding.fix is None
