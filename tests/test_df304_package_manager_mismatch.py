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


def test_exec_form_is_judged() -> None:
    [finding] = hits('FROM debian:bookworm\nRUN ["apk", "add", "--no-cache", "curl"]\n')
    assert (finding.line, finding.column) == (2, 7)
    assert finding.message.startswith(
        "`apk` is Alpine's package manager, but this stage's base `debian:bookworm` is debian"
    )


def test_the_base_is_named_as_the_arg_makes_it() -> None:
    [known] = hits("ARG V=3.20\nFROM alpine:${V}\nRUN apt-get install -y curl\n")
    assert (known.line, known.column) == (3, 5)
    assert "this stage's base `alpine:3.20` is alpine" in known.message
    [unknown] = hits("ARG V\nFROM alpine:${V}\nRUN apt-get install -y curl\n")
    assert "this stage's base `alpine:${V}` is alpine" in unknown.message


def test_loops_and_other_tests_are_not_fallbacks() -> None:
    text = (
        "FROM alpine:3.20\n"
        "RUN for p in curl git; do apt-get install -y $p; done\n"
        'RUN if [ -n "$DEBUG" ]; then apt-get install -y gdb; fi\n'
    )
    assert [(f.line, f.column) for f in hits(text)] == [(2, 27), (3, 30)]


def test_any_command_before_or_makes_a_fallback() -> None:
    assert hits("FROM alpine:3.20\nRUN pip install lxml || apt-get install -y python3-lxml\n") == []


def test_a_distribution_test_before_and_makes_a_fallback() -> None:
    assert hits("FROM debian:bookworm\nRUN [ -f /etc/alpine-release ] && apk add git\n") == []
    [finding] = hits("FROM debian:bookworm\nRUN mkdir -p /src && apk add git\n")
    assert (finding.line, finding.column) == (2, 22)


def test_a_package_manager_run_by_sudo_env_or_time() -> None:
    text = (
        "FROM alpine:3.20\n"
        "RUN sudo -u root apt-get install -y curl\n"
        "RUN env DEBIAN_FRONTEND=noninteractive apt-get install -y git\n"
        "RUN time yum install -y make && sudo apk add jq && sudo -v\n"
    )
    found = hits(text)
    assert [(f.line, f.column, f.end_column) for f in found] == [
        (2, 18, 25),
        (3, 40, 47),
        (4, 10, 13),
    ]
    assert found[2].message.startswith("`yum` is")


def test_a_script_run_through_sudo_gosu_or_timeout_is_read() -> None:
    text = (
        "FROM alpine:3.20\n"
        'RUN sudo sh -c "apt-get install -y curl"\n'
        'RUN gosu root bash -c "yum install -y git"\n'
        'RUN timeout 60 sh -c "apk add jq" && env - PATH=/bin sh -c "apk add git"\n'
        "RUN gosu app ./start.sh\n"
    )
    found = hits(text)
    assert [(f.line, f.column) for f in found] == [(2, 17), (3, 24)]


def test_command_v_and_sudo_l_only_ask_about_a_package_manager() -> None:
    text = (
        "FROM debian:bookworm\n"
        "RUN if command -v apk >/dev/null; then apk add curl; else apt-get install -y curl; fi\n"
        "RUN command -V yum || sudo -l dnf || command -pv zypper || true\n"
        "RUN command apk add curl\n"
    )
    assert [(f.line, f.column) for f in hits(text)] == [(4, 13)]


def test_a_command_run_in_another_root_is_not_the_stages() -> None:
    text = (
        "FROM alpine:3.20\n"
        "RUN debootstrap bookworm /rootfs && chroot /rootfs apt-get install -y curl\n"
    )
    assert hits(text) == []
