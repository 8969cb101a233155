from __future__ import annotations

from conftest import codes, lint


def test_per_arch_namespace_in_a_multi_arch_file() -> None:
    [finding] = [f for f in lint("FROM arm64v8/alpine:3.20\n") if f.code == "DF202"]
    assert "arm64 only" in finding.message
    assert "`alpine:3.20`" in finding.message
    assert finding.platform == "linux/amd64"


def test_arch_in_tag() -> None:
    assert "DF202" in codes("FROM diamol/base:linux-arm64\nCMD true\n")


def test_per_arch_file_is_exempt() -> None:
    assert "DF202" not in codes("FROM diamol/base:linux-arm64\n", path="Dockerfile.linux-arm64")


def test_single_target_is_exempt() -> None:
    assert "DF202" not in codes("FROM amd64/ubuntu:22.04\n", platforms=("linux/amd64",))


def test_windows_images_are_exempt() -> None:
    text = "FROM mcr.microsoft.com/windows/servercore:ltsc2022-amd64\n"
    assert "DF202" not in codes(text)


def test_arch_from_an_arg_default_is_followed() -> None:
    [finding] = [f for f in lint("ARG ARCH=amd64\nFROM ${ARCH}/alpine\n") if f.code == "DF202"]
    assert "`${ARCH}/alpine` (`amd64/alpine` by the ARG defaults)" in finding.message


def test_unknown_arg_images_are_not_guessed() -> None:
    assert "DF202" not in codes("ARG ARCH\nFROM ${ARCH}/alpine\n")


def test_multi_arch_images_are_fine() -> None:
    assert "DF202" not in codes("FROM alpine:3.20\nFROM python:3.12-slim-bookworm\n")
