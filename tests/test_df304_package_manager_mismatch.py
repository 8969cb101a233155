from __future__ import annotations

from conftest import lint

from dflint.core.findings import Finding

CODE = "DF304"


def hits(text: str) -> list[Finding]:
    return [f for f in lint(text, select=(CODE,)) if f.code == CODE]


def test_apt_get_on_alpine() -> None:
    [update, install] = hits("FROM alpine:3.20\nRUN apt-get update && apt-get install -y curl\n")
    assert (update.line, update.column) == (2, 5)
    assert update.message == (
        "`apt-get` is Debian's and Ubuntu's package manager, but this stage's base "
        "`alpine:3.20` is alpine: use `apk add --no-cache`"
    )
    assert install.column == 23


def test_apk_on_debian_and_yum_on_ubuntu() -> None:
    assert len(hits("FROM python:3.12-slim\nRUN apk add --no-cache git\n")) == 1
    assert len(hits("FROM ubuntu:24.04\nRUN yum install -y git\n")) == 1


def test_the_family_comes_through_a_parent_stage() -> None:
    text = "FROM alpine:3.20 AS base\nRUN apk add git\nFROM base\nRUN apt-get install -y make\n"
    assert [f.line for f in hits(text)] == [4]


def test_busybox_has_no_package_manager() -> None:
    [finding] = hits("FROM busybox:1.36\nRUN apk add curl\n")
    assert "BusyBox images have no package manager" in finding.message


def test_matching_managers_are_fine() -> None:
    text = (
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y dpkg-dev\n"
        "FROM alpine\n"
        "RUN apk add --no-cache dpkg dpkg-dev && dpkg-architecture -qDEB_BUILD_GNU_TYPE\n"
        "FROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN microdnf install -y tar\n"
    )
    assert hits(text) == []


def test_unknown_families_are_not_guessed() -> None:
    assert hits("ARG BASE\nFROM ${BASE}\nRUN apk add git\n") == []
    assert hits("FROM mcr.microsoft.com/azurelinux/base/core:3.0\nRUN apt-get update\n") == []


def test_distribution_dispatch_and_fallbacks_are_fine() -> None:
    text = (
        "FROM alpine\n"
        "RUN if command -v apk; then apk add git; else apt-get install -y git; fi\n"
        "RUN apk add git || apt-get install -y git\n"
        'RUN . /etc/os-release; case "$ID" in debian) apt-get update ;; esac\n'
    )
    assert hits(text) == []
