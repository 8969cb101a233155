"""DF210: $BUILDPLATFORM with an image built for one architecture."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import codes, dflint_cli, lint, shared_path, span


def test_dotnet_releasesapi_sample(tmp_path: Path) -> None:
    path = tmp_path / "samples" / "releasesapi" / "Dockerfile.ubuntu-cross-arm64-x64"
    path.parent.mkdir(parents=True)
    shutil.copyfile(
        shared_path(
            "corpus",
            "real",
            "dotnet__dotnet-docker/samples__releasesapi__Dockerfile.ubuntu-cross-arm64-x64",
        ),
        path,
    )
    code, out, _ = dflint_cli("lint", "--no-config", str(path))
    assert code == 1
    assert (
        "DF210 [any] `--platform=$BUILDPLATFORM` runs this stage on the build machine, but "
        "`mcr.microsoft.com/dotnet/sdk:10.0-noble-aot-arm64v8` is built for arm64 only: on an "
        "amd64 builder every step runs under emulation, or fails without an emulator; use the "
        "image's multi-arch tag"
    ) in out
    # built on arm64 for x64: its name names two architectures, so it is no per-arch file;
    # its final base is amd64 only, which the default targets' arm64 cannot use
    assert "DF202 [linux/arm64] base image `mcr.microsoft.com/dotnet/runtime-deps" in out


def test_namespace_pin_names_the_multi_arch_image() -> None:
    text = "FROM --platform=$BUILDPLATFORM arm64v8/golang:1.23 AS build\nFROM alpine\n"
    [finding] = [f for f in lint(text) if f.code == "DF210"]
    assert span(finding) == (1, 1, 1, 60)
    assert finding.message.endswith("use the image's multi-arch name `golang:1.23`")
    assert "DF202" not in codes(text)


def test_multi_arch_images_are_right() -> None:
    text = "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\nFROM alpine\n"
    assert "DF210" not in codes(text)


def test_an_image_written_with_an_arg_is_shown_with_its_value() -> None:
    text = (
        "ARG NS=arm64v8\nFROM --platform=$BUILDPLATFORM ${NS}/golang:1.23 AS build\nFROM alpine\n"
    )
    [finding] = [f for f in lint(text) if f.code == "DF210"]
    assert span(finding) == (2, 1, 2, 58)
    assert "but `${NS}/golang:1.23` (`arm64v8/golang:1.23`) is built for arm64 only" in (
        finding.message
    )


def test_the_other_builder_is_named() -> None:
    text = "FROM --platform=$BUILDPLATFORM amd64/golang:1.23 AS build\nFROM alpine\n"
    [finding] = [f for f in lint(text) if f.code == "DF210"]
    assert "is built for amd64 only: on an arm64 builder every step runs under emulation" in (
        finding.message
    )


def test_only_stages_on_the_build_platform_and_their_own_images() -> None:
    # not on $BUILDPLATFORM: the pin is DF202's (built for one target), not DF210's
    assert "DF210" not in codes("FROM arm64v8/golang:1.23 AS build\nFROM alpine\n")
    # a stage from an earlier stage is that stage's image, judged where it is named
    parent = (
        "FROM --platform=$BUILDPLATFORM arm64v8/golang:1.23 AS build\n"
        "FROM --platform=$BUILDPLATFORM build AS again\n"
        "FROM alpine\n"
    )
    assert [span(f) for f in lint(parent) if f.code == "DF210"] == [(1, 1, 1, 60)]
