from __future__ import annotations

from conftest import codes, lint, span


def test_per_arch_namespace_in_a_multi_arch_file() -> None:
    [finding] = [f for f in lint("FROM arm64v8/alpine:3.20\n") if f.code == "DF202"]
    assert span(finding) == (1, 1, 1, 25)
    assert "arm64 only" in finding.message
    assert "`alpine:3.20`" in finding.message
    assert finding.platform == "linux/amd64"


def test_arch_in_tag() -> None:
    [finding] = [f for f in lint("FROM diamol/base:linux-arm64\nCMD true\n") if f.code == "DF202"]
    assert span(finding) == (1, 1, 1, 29)
    # no multi-arch name is known for a tag with an architecture word: none is made up
    assert finding.message == (
        "base image `diamol/base:linux-arm64` is built for arm64 only, but the targets "
        "include linux/amd64; use the image's multi-arch tag"
    )


def test_per_arch_file_is_told_its_pin_and_the_one_dockerfile_form() -> None:
    [finding] = [
        f
        for f in lint("FROM diamol/base:linux-arm64\n", path="Dockerfile.linux-arm64")
        if f.code == "DF202"
    ]
    assert finding.message == (
        "this linux/arm64 file (file name Dockerfile.linux-arm64) is one of a "
        "per-architecture set: base image `diamol/base:linux-arm64` is built for arm64 only, "
        "but the targets include linux/amd64; the one-Dockerfile form is "
        "`FROM <a multi-arch tag of diamol/base>` without `--platform`, built with "
        "`docker buildx build --platform linux/amd64,linux/arm64`; set "
        'per-arch-files = "accept" to keep one file per architecture'
    )
    assert finding.platform == "linux/amd64"


def test_a_declared_target_makes_a_per_arch_file_quiet() -> None:
    text = "# dflint: platform=linux/arm64\nFROM arm64v8/alpine:3.20\n"
    assert "DF202" not in codes(text, path="linux/arm64/Dockerfile")


def test_single_target_is_exempt() -> None:
    assert "DF202" not in codes("FROM amd64/ubuntu:22.04\n", platforms=("linux/amd64",))


def test_windows_images_are_exempt() -> None:
    text = "FROM mcr.microsoft.com/windows/servercore:ltsc2022-amd64\n"
    assert "DF202" not in codes(text)
    # also in a Linux build, whose targets include arm64 (DF206 reports the mix)
    mixed = text.replace("\n", " AS win\n") + "FROM alpine:3.20\nCOPY --from=win /a /a\n"
    found = codes(mixed)
    assert "DF202" not in found and "DF206" in found


def test_arch_from_an_arg_default_is_df209s() -> None:
    found = codes("ARG ARCH=amd64\nFROM ${ARCH}/alpine\n")
    assert "DF202" not in found and "DF209" in found


def test_arch_in_the_repository_name() -> None:
    text = "FROM alpine AS a\nFROM  quay.io/prometheus/busybox-linux-amd64:latest\n"
    [finding] = [f for f in lint(text) if f.code == "DF202"]
    assert span(finding) == (2, 1, 2, 52)
    assert finding.platform == "linux/arm64"


def test_another_arch_than_a_per_arch_files_own_is_df311s() -> None:
    found = codes("FROM amd64/alpine:3.20\n", path="linux/arm64/Dockerfile")
    assert "DF202" not in found and "DF311" in found


def test_unknown_arg_images_are_not_guessed() -> None:
    assert "DF202" not in codes("ARG ARCH\nFROM ${ARCH}/alpine\n")


def test_multi_arch_images_are_fine() -> None:
    assert "DF202" not in codes("FROM alpine:3.20\nFROM python:3.12-slim-bookworm\n")


def test_the_image_an_arg_default_completes_is_shown_next_to_the_written_one() -> None:
    text = "ARG TAG=3.20\nFROM arm64v8/alpine:${TAG}\nRUN true\n"
    [finding] = [f for f in lint(text) if f.code == "DF202"]
    assert span(finding) == (2, 1, 2, 27)
    assert finding.message == (
        "base image `arm64v8/alpine:${TAG}` (`arm64v8/alpine:3.20`) is built for arm64 only, "
        "but the targets include linux/amd64; use the multi-arch `alpine:3.20`"
    )


def test_a_pin_next_to_a_platform_flag_is_another_rules_finding() -> None:
    # a constant --platform: DF203 reports the line
    found = codes("FROM --platform=linux/arm64 arm64v8/alpine:3.20\nRUN true\n")
    assert "DF202" not in found and "DF203" in found
    # a stage on $BUILDPLATFORM: DF210 reports the line
    text = (
        "FROM --platform=$BUILDPLATFORM amd64/golang:1.22 AS build\nRUN true\n"
        "FROM alpine:3.20\nCOPY --from=build /a /a\n"
    )
    found = codes(text)
    assert "DF202" not in found and "DF210" in found


def test_a_raspberry_pi_repository_name_pins_to_arm() -> None:
    # gogs/gogs-rpi, hypriot/rpi-alpine: the Raspberry Pi builds, named by a board, not an
    # architecture word
    [finding] = [f for f in lint("FROM gogs/gogs-rpi:0.11.91\n") if f.code == "DF202"]
    assert span(finding) == (1, 1, 1, 27)
    assert finding.message == (
        "base image `gogs/gogs-rpi:0.11.91` is built for arm only, but the targets include "
        "linux/amd64, linux/arm64; use the image's multi-arch tag"
    )
    assert "DF202" in codes("FROM hypriot/rpi-alpine\n")
    # in a linux/arm per-arch file the pin is that file's own architecture
    assert "DF311" not in codes("FROM gogs/gogs-rpi:0.11.91\n", path="linux/arm/Dockerfile")


def test_rpi_inside_a_word_or_in_a_namespace_is_no_pin() -> None:
    for image in ("example/printer-api:1", "myrpi/app:1", "rpi/app:1", "example/app:rpi-docs"):
        assert "DF202" not in codes(f"FROM {image}\n"), image
