"""dflint.analyse.analysis: stage facts, shells, ARG/ENV scope and BuildKit-style substitution."""

from __future__ import annotations

import csv
import time

import pytest
from conftest import shared_path

from dflint.analyse.analysis import Analysis, StageFacts, analyze
from dflint.errors import InputError
from dflint.read.model import Instruction
from dflint.read.parser import parse_bytes, parse_text


def run(text: str, path: str = "Dockerfile") -> Analysis:
    return analyze(parse_text(text, path))


def find(analysis: Analysis, original: str) -> Instruction:
    """The instruction whose logical line starts with ``original``."""
    for instruction in analysis.dockerfile.instructions:
        if instruction.original.startswith(original):
            return instruction
    raise AssertionError(f"no instruction starts with {original!r}")


def only(text: str, path: str = "Dockerfile") -> StageFacts:
    [facts] = run(text, path).stages
    return facts


def expanded(text: str, word: str, at: str = "RUN") -> tuple[str, set[str]]:
    analysis = run(text)
    return analysis.expand(word, find(analysis, at))


# --- substitution ------------------------------------------------------------------------

BASE = "FROM alpine\nARG SET=value EMPTY=\nARG NOVALUE\nRUN true\n"


@pytest.mark.parametrize(
    ("word", "result", "unknown"),
    [
        ("$SET", "value", set()),
        ("${SET}", "value", set()),
        ("a${SET}b", "avalueb", set()),
        ("${SET:-w}", "value", set()),
        ("${EMPTY:-w}", "w", set()),
        ("${EMPTY-w}", "", set()),
        ("${SET:+w}", "w", set()),
        ("${EMPTY:+w}", "", set()),
        ("${EMPTY+w}", "w", set()),
        ("${SET:?must}", "value", set()),
        ("${SET#va}", "lue", set()),
        ("${SET%ue}", "val", set()),
        ("${SET/al/AL}", "vALue", set()),
        ("$NOVALUE", "$NOVALUE", {"NOVALUE"}),
        ("${NOVALUE:-w}", "${NOVALUE:-w}", {"NOVALUE"}),
        ("${NOVALUE:?msg}", "${NOVALUE:?msg}", {"NOVALUE"}),
        ("x${UNDECLARED}y", "x${UNDECLARED}y", {"UNDECLARED"}),
        ("${UNDECLARED:-w}", "${UNDECLARED:-w}", {"UNDECLARED"}),
        ("\\$SET", "\\$SET", set()),  # the escape token makes `$` literal
        ("'$SET'", "'value'", set()),  # quotes are left alone
        ('"$SET"', '"value"', set()),
        ("$1 $@ $$", "$1 $@ $$", set()),  # shell parameters are not build variables
        ("cost: 5$", "cost: 5$", set()),
    ],
)
def test_substitution(word: str, result: str, unknown: set[str]) -> None:
    assert expanded(BASE, word) == (result, unknown)


@pytest.mark.parametrize(
    ("word", "result"),
    [
        ("${P#*/}", "b/c.tar.gz"),
        ("${P##*/}", "c.tar.gz"),
        ("${P%.*}", "a/b/c.tar"),
        ("${P%%.*}", "a/b/c"),
        ("${P//\\//-}", "a-b-c.tar.gz"),  # an escaped slash is part of the pattern
        ("${P//b/B}", "a/B/c.tar.gz"),
        ("${P/[ab]/X}", "X/b/c.tar.gz"),
    ],
)
def test_pattern_operators(word: str, result: str) -> None:
    assert expanded("FROM alpine\nARG P=a/b/c.tar.gz\nRUN true\n", word) == (result, set())


def test_unterminated_quote_in_a_value_makes_it_unknown() -> None:
    analysis = run('FROM alpine\nENV A="open\nRUN true\n')
    assert analysis.scope(find(analysis, "RUN")) == {"A": None}


def test_lookup_tells_where_a_value_came_from() -> None:
    analysis = run("ARG V=1\nFROM alpine\nARG V\nENV W=${V}.0\nRUN true\n")
    binding = analysis.lookup("W", find(analysis, "RUN"))
    assert binding is not None
    assert (binding.value, binding.kind) == ("1.0", "ENV")
    assert binding.instruction is find(analysis, "ENV")
    assert analysis.lookup("NOPE", find(analysis, "RUN")) is None


def test_unknown_names_inside_a_used_default_are_reported() -> None:
    assert expanded(BASE, "${EMPTY:-$NOVALUE}") == ("$NOVALUE", {"NOVALUE"})
    assert expanded(BASE, "${SET:-$NOVALUE}") == ("value", set())


def test_backtick_escape_token() -> None:
    text = "# escape=`\nFROM alpine\nARG V=1\nRUN true\n"
    assert expanded(text, "`$V \\$V") == ("`$V \\1", set())


def test_unterminated_reference_is_kept() -> None:
    assert expanded(BASE, "a ${SET") == ("a ${SET", set())
    assert expanded(BASE, "${} ${:x}") == ("${} ${:x}", set())


def test_from_line_undeclared_is_empty_but_reported() -> None:
    analysis = run("FROM ${REGISTRY}alpine:3.20\n")
    assert analysis.stages[0].image == "alpine:3.20"
    from_line = analysis.dockerfile.stages[0].from_instruction
    assert analysis.expand("${REGISTRY}x", from_line) == ("x", {"REGISTRY"})


def test_env_values_are_processed_like_buildkit_words() -> None:
    analysis = run(
        "FROM alpine\n"
        "ENV A=/opt B=\"a b\" C='$A' E=C:\\\\app F=C:\\app\n"
        'ENV D="$A/bin" G=${A}/x H=$HOME/bin\n'
        "RUN true\n"
    )
    scope = analysis.scope(find(analysis, "RUN"))
    assert scope["A"] == "/opt"
    assert scope["B"] == "a b"
    assert scope["C"] == "$A"  # single quotes: literal
    assert scope["D"] == "/opt/bin"
    assert scope["E"] == "C:\\app"
    assert scope["F"] == "C:app"  # BuildKit eats an unquoted escape
    assert scope["G"] == "/opt/x"
    assert scope["H"] is None  # depends on the base image's HOME
    # a partly known value still carries its literal parts into later expansions
    assert analysis.expand("$H", find(analysis, "RUN")) == ("$HOME/bin", {"HOME"})


def test_env_pairs_on_one_line_see_the_values_before_it() -> None:
    analysis = run("FROM alpine\nENV A=old\nENV A=new B=$A\nRUN true\n")
    scope = analysis.scope(find(analysis, "RUN"))
    assert (scope["A"], scope["B"]) == ("new", "old")


def test_arg_names_on_one_line_see_each_other() -> None:
    analysis = run("FROM alpine\nARG A=1 B=${A}2\nRUN true\n")
    assert analysis.scope(find(analysis, "RUN"))["B"] == "12"


def test_legacy_env_form() -> None:
    analysis = run("FROM alpine\nENV PATHS /a /b\nRUN true\n")
    assert analysis.scope(find(analysis, "RUN"))["PATHS"] == "/a /b"


# --- ARG/ENV scope -----------------------------------------------------------------------


def test_global_args_are_visible_only_in_from_lines() -> None:
    analysis = run("ARG V=3.20\nFROM alpine:$V\nRUN echo $V\n")
    assert analysis.stages[0].image == "alpine:3.20"
    run_line = find(analysis, "RUN")
    assert "V" not in analysis.scope(run_line)
    assert analysis.expand("$V", run_line) == ("$V", {"V"})
    assert analysis.scope(analysis.dockerfile.stages[0].from_instruction)["V"] == "3.20"


def test_bare_arg_imports_the_global_default() -> None:
    analysis = run("ARG V=1\nFROM alpine\nARG V\nRUN true\n")
    assert analysis.scope(find(analysis, "RUN"))["V"] == "1"
    binding = analysis.lookup("V", find(analysis, "RUN"))
    assert binding is not None and binding.kind == "ARG"


def test_stage_arg_default_defines_from_that_point() -> None:
    analysis = run("FROM alpine\nRUN one\nARG V=2\nRUN two\n")
    assert "V" not in analysis.scope(find(analysis, "RUN one"))
    assert analysis.scope(find(analysis, "RUN two"))["V"] == "2"
    assert analysis.scope(find(analysis, "ARG V")) == {}


def test_bare_arg_without_global_is_declared_but_unknown() -> None:
    analysis = run("FROM alpine\nARG V\nRUN true\n")
    assert analysis.scope(find(analysis, "RUN")) == {"V": None}


def test_later_writer_wins_between_arg_and_env() -> None:
    analysis = run("FROM alpine\nARG V=arg\nENV V=env\nRUN one\nARG V=again\nRUN two\n")
    assert analysis.scope(find(analysis, "RUN one"))["V"] == "env"
    assert analysis.scope(find(analysis, "RUN two"))["V"] == "again"


def test_child_stage_inherits_env_and_args_as_buildkit_does() -> None:
    # BuildKit carries a stage's ARG values into FROM <stage> children (moby/buildkit#5381).
    analysis = run(
        "FROM alpine AS base\nARG A=1\nENV E=2\nARG TARGETARCH\n"
        "FROM base AS child\nRUN true\n"
        "FROM child\nRUN grandchild\n"
    )
    expected = {"A": "1", "E": "2", "TARGETARCH": None}
    assert analysis.scope(find(analysis, "RUN true")) == expected
    assert analysis.scope(find(analysis, "RUN grandchild")) == expected


def test_child_sees_the_parents_last_writer_of_a_name() -> None:
    # dispatchArg adds an ARG's value to the stage's env state, which FROM <stage> copies
    analysis = run("FROM alpine AS base\nENV V=env\nARG V=arg\nFROM base\nRUN true\n")
    assert analysis.scope(find(analysis, "RUN"))["V"] == "arg"


def test_sibling_stages_do_not_share_variables() -> None:
    analysis = run("FROM alpine AS a\nENV V=1\nFROM alpine AS b\nRUN true\n")
    assert analysis.scope(find(analysis, "RUN")) == {}


def test_platform_args_are_global_and_unknown() -> None:
    analysis = run("FROM --platform=$BUILDPLATFORM golang:1.22\nRUN echo $TARGETARCH\n")
    from_line = analysis.dockerfile.stages[0].from_instruction
    assert analysis.scope(from_line)["TARGETARCH"] is None
    assert analysis.expand("$TARGETOS/$TARGETARCH", from_line) == (
        "$TARGETOS/$TARGETARCH",
        {"TARGETOS", "TARGETARCH"},
    )
    assert "TARGETARCH" not in analysis.scope(find(analysis, "RUN"))


def test_platform_args_inside_a_stage_once_declared() -> None:
    analysis = run("FROM alpine\nARG TARGETARCH TARGETOS\nRUN true\n")
    assert analysis.scope(find(analysis, "RUN")) == {"TARGETARCH": None, "TARGETOS": None}


def test_image_is_none_when_an_arg_has_no_known_value() -> None:
    analysis = run("ARG BASE\nFROM $BASE\nFROM ${TARGETARCH}/alpine\nFROM alpine:${V:-3.20}\n")
    assert [facts.image for facts in analysis.stages] == [None, None, "alpine:3.20"]


def test_global_arg_values_may_use_earlier_global_args() -> None:
    analysis = run("ARG V=3.20\nARG IMAGE=alpine:${V}\nFROM $IMAGE\n")
    assert analysis.stages[0].image == "alpine:3.20"
    assert analysis.stages[0].family == "alpine"


def test_global_instruction_facts_and_scope() -> None:
    analysis = run("ARG A=1\nARG B=$A\nFROM alpine\n")
    second = find(analysis, "ARG B")
    assert analysis.facts(second) is None
    assert analysis.scope(second)["A"] == "1"
    assert analysis.expand("$A$B", second) == ("1", {"B"})


def test_onbuild_does_not_change_the_scope() -> None:
    analysis = run("FROM alpine\nONBUILD ENV V=1\nRUN true\n")
    assert analysis.scope(find(analysis, "RUN")) == {}
    onbuild = find(analysis, "ONBUILD")
    assert onbuild.sub is not None
    assert analysis.facts(onbuild.sub) is analysis.stages[0]


# --- OS evidence -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "path", "os_name", "evidence"),
    [
        ("FROM --platform=windows/amd64 x\n", "Dockerfile", "windows", "--platform=windows/amd64"),
        ("FROM --platform=linux/arm64 x\n", "Dockerfile", "linux", "--platform=linux/arm64"),
        (
            "ARG P=linux/arm64\nFROM --platform=$P x\n",
            "Dockerfile",
            "linux",
            "--platform=linux/arm64",
        ),
        ("FROM --platform=$BUILDPLATFORM x\n", "Dockerfile", "unknown", "no evidence"),
        (
            "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n",
            "Dockerfile",
            "windows",
            "image mcr.microsoft.com/windows/servercore:ltsc2022",
        ),
        ('FROM x\nSHELL ["powershell", "-Command"]\n', "Dockerfile", "windows", "SHELL"),
        ('FROM x\nSHELL ["cmd", "/S", "/C"]\n', "Dockerfile", "windows", "SHELL"),
        ('FROM x\nSHELL ["C:\\\\Windows\\\\cmd.exe", "/C"]\n', "Dockerfile", "windows", "SHELL"),
        ('FROM x\nSHELL ["/bin/bash", "-c"]\n', "Dockerfile", "linux", "SHELL"),
        ('FROM x\nSHELL ["ash", "-c"]\n', "Dockerfile", "linux", "SHELL"),
        ('FROM x\nSHELL ["pwsh", "-Command"]\n', "Dockerfile", "unknown", "no evidence"),
        ("FROM alpine:3.20\n", "Dockerfile", "linux", "image alpine:3.20 (alpine)"),
        ("FROM scratch\n", "Dockerfile", "linux", "image scratch"),
        ("FROM x\n", "Dockerfile.windows", "windows", "file name Dockerfile.windows"),
        ("FROM x\n", "ch16/Dockerfile.windows-amd64", "windows", "file name"),
        ("FROM x\n", "images/app/windows/Dockerfile", "windows", "folder windows"),
        ("FROM x\n", "release/nanoserver1809/docker/Dockerfile", "windows", "folder"),
        ("FROM x\n", "Dockerfile.linux-arm64", "linux", "file name"),
        ("# escape=`\nFROM x\n", "Dockerfile", "windows", "escape directive"),
        ("FROM x\n", "Dockerfile", "unknown", "no evidence"),
        # python:3.12 names a Windows image as well: a `windows` folder says more
        ("FROM python:3.12\n", "app/windows/Dockerfile", "windows", "folder windows"),
        ("FROM python:3.12\n", "Dockerfile", "linux", "plain tag"),
        ('FROM python:3.12\nSHELL ["powershell"]\n', "Dockerfile", "windows", "SHELL"),
    ],
)
def test_os_evidence(text: str, path: str, os_name: str, evidence: str) -> None:
    facts = only(text, path)
    assert (facts.os, evidence in facts.os_evidence) == (os_name, True), facts.os_evidence


def test_platform_flag_beats_the_image_name() -> None:
    facts = only("FROM --platform=linux/amd64 example/windows-servercore-cache:1.0\n")
    assert facts.os == "linux"


def test_image_name_beats_the_shell() -> None:
    text = 'FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nSHELL ["/bin/sh", "-c"]\n'
    assert only(text).os == "windows"


def test_child_stage_takes_the_parents_os() -> None:
    analysis = run(
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS Build\nFROM build\nFROM 0\n"
    )
    child, by_index = analysis.stages[1], analysis.stages[2]
    assert (child.os, child.os_evidence) == ("windows", "parent stage build")
    assert child.family == "servercore"
    assert by_index.parent is analysis.stages[0]


def test_unknown_parent_falls_through_to_the_childs_own_evidence() -> None:
    analysis = run('ARG B\nFROM $B AS base\nFROM base\nSHELL ["cmd", "/S", "/C"]\n')
    assert [facts.os for facts in analysis.stages] == ["unknown", "windows"]


def test_masked_variable_names_are_not_read_as_image_names() -> None:
    facts = only("ARG WINDOWS_ALPINE_TAG\nFROM example/app:$WINDOWS_ALPINE_TAG\n")
    assert (facts.os, facts.family, facts.image) == ("unknown", "unknown", None)


def test_known_parts_of_an_unknown_image_still_count() -> None:
    facts = only("ARG TAG\nFROM mcr.microsoft.com/windows/nanoserver:$TAG\n")
    assert (facts.os, facts.family, facts.image) == ("windows", "nanoserver", None)
    facts = only("ARG V\nFROM python:${V}-alpine\n")
    assert (facts.os, facts.family) == ("linux", "alpine")
    assert only("ARG V\nFROM python:$V\n").family == "unknown"  # could be any variant


# --- family ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "family", "os_name"),
    [
        ("python:3.12-slim", "debian", "linux"),
        ("python:3.12-slim-bookworm", "debian", "linux"),
        ("node:20-alpine", "alpine", "linux"),
        ("node:20-alpine3.19", "alpine", "linux"),
        ("golang:1.22-bookworm", "debian", "linux"),
        ("eclipse-temurin:21-jammy", "ubuntu", "linux"),
        ("eclipse-temurin:21-jdk-ubi9-minimal", "rhel-like", "linux"),
        ("amazoncorretto:21-al2023", "rhel-like", "linux"),
        ("rockylinux:9", "rhel-like", "linux"),
        ("almalinux:9", "rhel-like", "linux"),
        ("quay.io/centos/centos:stream9", "rhel-like", "linux"),
        ("fedora:40", "rhel-like", "linux"),
        ("oraclelinux:9-slim", "rhel-like", "linux"),
        ("amazonlinux:2023", "rhel-like", "linux"),
        ("registry.access.redhat.com/ubi9/ubi-minimal:9.4", "rhel-like", "linux"),
        ("redhat/ubi8", "rhel-like", "linux"),
        ("gcr.io/distroless/static-debian12:nonroot", "distroless", "linux"),
        ("mcr.microsoft.com/dotnet/runtime-deps:8.0-jammy-chiseled", "distroless", "linux"),
        ("busybox:1.36", "busybox", "linux"),
        ("busybox:glibc", "busybox", "linux"),
        ("scratch", "scratch", "linux"),
        ("alpine", "alpine", "linux"),
        ("arm64v8/alpine:3.20", "alpine", "linux"),
        ("docker.io/library/debian:bookworm", "debian", "linux"),
        ("ubuntu:22.04", "ubuntu", "linux"),
        ("python:3.12", "debian", "linux"),
        ("node:20", "debian", "linux"),
        ("golang:1.22", "debian", "linux"),
        ("python", "debian", "linux"),
        ("python:3.12@sha256:" + "a" * 64, "debian", "linux"),
        ("mcr.microsoft.com/windows/servercore:ltsc2022", "servercore", "windows"),
        ("mcr.microsoft.com/windows/nanoserver:1809", "nanoserver", "windows"),
        ("mcr.microsoft.com/windows:ltsc2019", "unknown", "windows"),
        ("mcr.microsoft.com/powershell:lts-nanoserver-ltsc2022", "nanoserver", "windows"),
        ("mcr.microsoft.com/dotnet/framework/sdk:4.8", "servercore", "windows"),
        ("python:3.12-windowsservercore-ltsc2022", "servercore", "windows"),
        ("golang:1.22-nanoserver-ltsc2022", "nanoserver", "windows"),
        ("microsoft/windowsservercore", "servercore", "windows"),
        ("microsoft/nanoserver:sac2016", "nanoserver", "windows"),
        ("example/app:1.0-ltsc2022", "unknown", "windows"),
        ("example/app:windows-amd64", "unknown", "windows"),
        ("example/app:1.0-windows-ltsc2019", "unknown", "windows"),
        ("stefanscherer/node-windows:20", "unknown", "windows"),
        ("mcr.microsoft.com/azurelinux/base/core:3.0", "unknown", "linux"),
        ("mcr.microsoft.com/dotnet/sdk:10.0-azurelinux3.0", "unknown", "linux"),
        ("diamol/base:linux-amd64", "unknown", "linux"),
        ("example/app:1.0", "unknown", "unknown"),
        ("ghcr.io/example/app", "unknown", "unknown"),
    ],
)
def test_family_from_image_name(image: str, family: str, os_name: str) -> None:
    facts = only(f"FROM {image}\n")
    assert (facts.family, facts.os) == (family, os_name)


def test_family_tables_are_module_data() -> None:
    from dflint.analyse import analysis

    assert analysis._OFFICIAL_DEFAULT_FAMILY["python"] == "debian"
    assert analysis._TAG_FAMILY["bookworm"] == "debian"


def test_multi_os_tag_on_windows_has_no_linux_family() -> None:
    assert only('FROM python:3.12\nSHELL ["powershell"]\n').family == "unknown"


# --- stage graph -------------------------------------------------------------------------


def test_stage_graph() -> None:
    analysis = run(
        "FROM golang:1.22 AS Build\n"
        "FROM alpine AS tools\n"
        "FROM build AS test\n"
        "COPY --from=build /a /a\n"
        "COPY --from=tools /b /b\n"
        "COPY --from=nginx:1.27 /c /c\n"
        "RUN --mount=type=cache,target=/root/.cache --mount=type=bind,from=tools,target=/t true\n"
        "COPY --from=1 /d /d\n"
        "ONBUILD COPY --from=build /e /e\n"
    )
    build, tools, test = analysis.stages
    assert test.parent is build
    assert test.image == "build"
    assert test.copies_from == ["build", "tools", "nginx:1.27", "tools", "1"]
    assert build.parent is None and build.copies_from == []
    assert analysis.stage_by_name("BUILD") is build
    assert analysis.stage_by_name("tools") is tools
    assert analysis.stage_by_name("2") is test
    assert analysis.stage_by_name("9") is None
    assert analysis.stage_by_name("nope") is None


def test_a_later_stage_name_is_an_image_not_a_parent() -> None:
    analysis = run("FROM app\nFROM alpine AS app\n")
    assert analysis.stages[0].parent is None


def test_parent_through_an_arg() -> None:
    analysis = run("ARG FROM_STAGE=base\nFROM alpine AS base\nFROM ${FROM_STAGE}\n")
    assert analysis.stages[1].parent is analysis.stages[0]


def test_facts_of_each_instruction() -> None:
    analysis = run("ARG V=1\nFROM alpine AS a\nRUN one\nFROM a\nRUN two\n")
    first, second = analysis.stages
    assert analysis.facts(find(analysis, "ARG")) is None
    assert analysis.facts(find(analysis, "FROM alpine")) is first
    assert analysis.facts(find(analysis, "RUN one")) is first
    assert analysis.facts(find(analysis, "RUN two")) is second
    stranger = parse_text("FROM alpine\n").instructions[0]
    assert analysis.facts(stranger) is None


# --- arch in the file name ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "arch"),
    [
        ("Dockerfile", None),
        ("Dockerfile.linux-arm64", "arm64"),
        ("Dockerfile.amd64", "amd64"),
        ("Dockerfile.aarch64", "arm64"),
        ("Dockerfile_x86_64", "amd64"),
        ("build/win-x64/Dockerfile", "amd64"),
        ("Dockerfile.windows-amd64", "amd64"),
        ("src/sdk/8.0/bookworm-slim/arm32v7/Dockerfile", "arm"),
        ("release/7-5/ubuntu20.04-arm32v7/docker/Dockerfile", "arm"),
        ("v1.18/arm64/debian/Dockerfile", "arm64"),
        ("images/openjdk/linux/arm/Dockerfile", "arm"),
        ("armhf/Dockerfile", "arm"),
        ("Dockerfile.armv7", "arm"),
        ("Dockerfile.i386", "386"),
        ("Dockerfile.386", "386"),
        ("Dockerfile.ppc64le", "ppc64le"),
        ("Dockerfile.s390x", "s390x"),
        ("Dockerfile.riscv64", "riscv64"),
        ("arm64v8/Dockerfile", "arm64"),
        ("Dockerfile.armory", None),  # only whole tokens
        ("farm/Dockerfile", None),
        # built on arm64 for x64 (dotnet's releasesapi sample): not a per-arch name
        ("samples/releasesapi/Dockerfile.ubuntu-cross-arm64-x64", None),
        ("v1.18/arm64/debian/Dockerfile", "arm64"),
    ],
)
def test_arch_in_name(path: str, arch: str | None) -> None:
    assert only("FROM alpine\n", path).arch_in_name == arch


# --- shell -------------------------------------------------------------------------------


def test_shell_defaults_resets_and_inheritance() -> None:
    analysis = run(
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS win\n"
        "RUN default\n"
        'SHELL ["powershell", "-Command"]\n'
        "RUN ps\n"
        "FROM win\n"
        "RUN inherited\n"
        "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n"
        "RUN reset\n"
        "FROM alpine\n"
        "RUN linux\n"
        'SHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
        "RUN bash\n"
    )
    shells = {
        name: analysis.shell(find(analysis, name))
        for name in ("RUN default", "RUN ps", "RUN inherited", "RUN reset", "RUN linux", "RUN bash")
    }
    assert shells == {
        "RUN default": ["cmd", "/S", "/C"],
        "RUN ps": ["powershell", "-Command"],
        "RUN inherited": ["powershell", "-Command"],
        "RUN reset": ["cmd", "/S", "/C"],
        "RUN linux": ["/bin/sh", "-c"],
        "RUN bash": ["/bin/bash", "-o", "pipefail", "-c"],
    }
    # the SHELL instruction itself still runs under the shell before it
    assert analysis.shell(find(analysis, "SHELL")) == ["cmd", "/S", "/C"]


def test_shell_of_an_unknown_os_stage_is_sh() -> None:
    analysis = run("FROM example/app\nRUN true\n")
    assert analysis.shell(find(analysis, "RUN")) == ["/bin/sh", "-c"]


def test_is_windows_only() -> None:
    assert run("FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n").is_windows_only
    assert not run(
        "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nFROM alpine\n"
    ).is_windows_only
    assert not run("ARG A\n").is_windows_only


def test_file_without_stages() -> None:
    analysis = run("ARG A=1\n")
    assert analysis.stages == []
    assert analysis.scope(find(analysis, "ARG"))["TARGETOS"] is None


# --- speed -------------------------------------------------------------------------------


def test_large_file_is_linear() -> None:
    lines = ["ARG BASE=alpine:3.20", "FROM ${BASE} AS s0"]
    for index in range(50_000):
        name = f"V{index % 200}"
        lines.append(f"ENV {name}=x$V{(index + 1) % 200}" if index % 2 else f"RUN echo ${name}")
    dockerfile = parse_text("\n".join(lines) + "\n")
    start = time.perf_counter()
    analysis = analyze(dockerfile)
    for instruction in dockerfile.instructions:
        analysis.scope(instruction)
        analysis.expand(instruction.arg_text, instruction)
        analysis.shell(instruction)
    assert time.perf_counter() - start < 10


def test_long_chain_of_stages() -> None:
    lines = ["FROM alpine AS s0", "ENV E0=0"]
    for index in range(1, 3000):
        lines += [f"FROM s{index - 1} AS s{index}", "RUN echo $E0 $NOPE"]
    dockerfile = parse_text("\n".join(lines) + "\n")
    start = time.perf_counter()
    analysis = analyze(dockerfile)
    for instruction in dockerfile.instructions:
        analysis.expand(instruction.arg_text, instruction)
    assert time.perf_counter() - start < 10
    last = dockerfile.instructions[-1]
    assert analysis.expand("$E0", last) == ("0", set())
    assert analysis.stages[-1].os == "linux"


# --- the real corpus ---------------------------------------------------------------------

# Files whose manifest OS the analysis cannot see, with the reason. Template fragments with
# no FROM have no stages at all; the others take their image from a build argument and hold
# nothing else that names an OS (the repository, dotnet-framework-docker, is what says Windows).
NO_OS_EVIDENCE = {
    "microsoft__dotnet-framework-docker/tests__Microsoft.DotNet.Framework.Docker.Tests__projects"
    "__aspnet-4.8.1__Dockerfile",
    "microsoft__dotnet-framework-docker/tests__Microsoft.DotNet.Framework.Docker.Tests__projects"
    "__dotnetapp-4.8.1__Dockerfile",
}


def test_real_corpus_os_agrees_with_manifest() -> None:
    root = shared_path("corpus", "real")
    with (root / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(rows) > 600
    analysed = 0
    disagreements = []
    for row in rows:
        try:
            dockerfile = parse_bytes((root / row["file"]).read_bytes(), row["path"])
        except InputError:
            assert row["template"] == "yes", row["file"]  # only unrendered templates
            continue
        analysis = analyze(dockerfile)
        analysed += 1
        oses = {facts.os for facts in analysis.stages}
        if not analysis.stages or row["file"] in NO_OS_EVIDENCE:
            continue
        if ("windows" in oses) != (row["os"] == "windows"):
            disagreements.append((row["file"], row["os"], sorted(oses)))
    assert analysed > 600
    assert disagreements == []


def test_unreadable_bracket_pattern_is_matched_literally() -> None:
    # found by the long fuzz run: a reversed range once crashed the whole analysis
    analysis = run("FROM alpine\nARG A=abc\nENV B=${A#[a-`]}\nRUN echo $B\n")
    assert analysis.scope(find(analysis, "RUN echo"))["B"] == "abc"
