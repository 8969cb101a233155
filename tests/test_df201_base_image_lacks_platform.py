from __future__ import annotations

from pathlib import Path

from conftest import lint, write_file

from dflint.core.findings import Finding
from dflint.core.platform import Platform
from dflint.core.reference import parse_reference
from dflint.lint.engine import Options, lint_bytes
from dflint.registry.resolver import Resolution


def answered(
    text: str,
    answers: dict[str, list[str]],
    *targets: str,
    complete: bool = True,
    path: str = "Dockerfile",
    codes: tuple[str, ...] = ("DF201",),
) -> list[Finding]:
    """Lint with the platforms of images given, as if a registry had answered: the findings
    of ``codes``."""
    known = {}
    for name, platforms in answers.items():
        key = parse_reference(name).key
        found = tuple(Platform.parse(item) for item in platforms)
        known[key] = Resolution(key, found, True, complete, "registry")
    options = Options(platforms=targets, no_config=True, base_images=known)
    result = lint_bytes(text.encode(), path, options)
    assert result.internal_errors == [], result.internal_errors  # a crash is no "not reported"
    return [finding for finding in result.findings if finding.code in codes]


def test_names_the_missing_targets_and_what_exists() -> None:
    [finding] = answered(
        "FROM example.com/app:1\n",
        {"example.com/app:1": ["linux/amd64", "linux/386"]},
        "linux/amd64", "linux/arm64", "linux/arm/v7",
    )  # fmt: skip
    assert finding.message == (
        "base image `example.com/app:1` has no linux/arm64, linux/arm/v7 image; "
        "it exists for linux/amd64, linux/386"
    )
    assert finding.platform == "linux/arm64,linux/arm/v7"
    assert (finding.line, finding.column) == (1, 1)


def test_multi_arch_images_are_fine() -> None:
    images = {"example.com/app:1": ["linux/amd64", "linux/arm64/v8", "linux/arm/v6"]}
    assert not answered("FROM example.com/app:1\n", images, "linux/arm64", "linux/arm/v7")


def test_arg_values_are_followed_and_shown() -> None:
    text = "ARG BASE=example.com/app\nARG TAG=1\nFROM ${BASE}:${TAG}\n"
    [finding] = answered(text, {"example.com/app:1": ["linux/amd64"]}, "linux/arm64")
    assert finding.message.startswith(
        "base image `${BASE}:${TAG} (= example.com/app:1)` has no linux/arm64 image"
    )


def test_build_platform_stages_are_not_checked_against_targets() -> None:
    text = "FROM --platform=$BUILDPLATFORM example.com/tool:1 AS build\nFROM scratch\n"
    assert not answered(text, {"example.com/tool:1": ["linux/amd64"]}, "linux/arm64")


def test_a_constant_platform_is_checked_instead_of_the_targets() -> None:
    text = "FROM --platform=linux/s390x example.com/app:1\n"
    [finding] = answered(text, {"example.com/app:1": ["linux/amd64"]}, "linux/amd64")
    assert finding.platform == "linux/s390x"
    assert not answered(
        "FROM --platform=linux/amd64 example.com/app:1\n",
        {"example.com/app:1": ["linux/amd64"]},
        "linux/arm64",
    )


def test_a_target_platform_arg_follows_the_targets() -> None:
    text = "FROM --platform=$TARGETPLATFORM example.com/app:1\n"
    [finding] = answered(text, {"example.com/app:1": ["linux/amd64"]}, "linux/arm64")
    assert finding.platform == "linux/arm64"


def test_targets_of_another_os_belong_to_that_os_dockerfile() -> None:
    images = {"example.com/app:1": ["linux/amd64", "linux/arm64"]}
    assert not answered("FROM example.com/app:1\n", images, "linux/amd64", "windows/amd64")


def test_an_image_with_none_of_the_targets_os() -> None:
    windows = {"example.com/win:1": ["windows/amd64:10.0.20348.2461"]}
    [finding] = answered("FROM example.com/win:1\n", windows, "linux/amd64")
    assert finding.message.endswith("it exists for windows/amd64 (10.0.20348.2461)")


def test_an_incomplete_answer_never_reports_a_platform_missing() -> None:
    images = {"example.com/app:1": ["linux/amd64"]}
    assert not answered("FROM example.com/app:1\n", images, "linux/arm64", complete=False)


def test_stage_references_scratch_and_unknown_images_are_not_checked() -> None:
    text = "FROM scratch AS a\nFROM a\nARG NOPE\nFROM example.com/${NOPE}:1\n"
    assert not answered(text, {}, "linux/arm64")


def test_offline_table_answers_say_so() -> None:
    [finding] = [f for f in lint("FROM archlinux:latest\n") if f.code == "DF201"]
    assert finding.message == (
        "base image `archlinux:latest` has no linux/arm64 image; it exists for linux/amd64 "
        "(per dflint's built-in table)"
    )


def test_windows_base_for_a_windows_target_is_fine_offline() -> None:
    text = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir\n"
    assert not [f for f in lint(text) if f.code == "DF201"]


def test_an_image_named_for_one_arch_is_left_to_the_pin_rules_only_while_they_report() -> None:
    text = "FROM arm64v8/alpine:3.20\nRUN true\n"
    by_default = lint(text, platforms=("linux/amd64",))
    assert [f.code for f in by_default] == ["DF202"]  # DF202 names the image to use instead
    for options in (
        Options(platforms=("linux/amd64",), ignore=("DF202",), no_config=True, offline=True),
        Options(platforms=("linux/amd64",), select=("DF201",), no_config=True, offline=True),
    ):
        [finding] = lint_bytes(text.encode(), "Dockerfile", options).findings
        assert finding.code == "DF201"
        assert (finding.line, finding.column, finding.end_column) == (1, 1, 25)
        assert finding.message.startswith(
            "base image `arm64v8/alpine:3.20` has no linux/amd64 image; it exists for linux/arm64"
        )


WINDOWS_SHELL = 'FROM example.com/app:1\nSHELL ["powershell", "-Command"]\n'


def test_a_windows_stage_of_an_unknown_image_cannot_be_built_for_linux_targets() -> None:
    [finding] = answered(WINDOWS_SHELL, {}, "linux/amd64")
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (1, 1, 1, 23)
    assert finding.message == (
        'stage 0 is a Windows stage (SHELL ["powershell", ...]): it cannot be built for linux/amd64'
    )
    assert finding.platform == "linux/amd64"


def test_the_registry_outranks_what_the_stage_looks_like() -> None:
    # the SHELL says Windows, but the registry lists the target: nothing is missing
    assert not answered(WINDOWS_SHELL, {"example.com/app:1": ["linux/amd64"]}, "linux/amd64")


def test_a_complete_answer_outranks_what_the_stage_looks_like() -> None:
    # the registry lists every platform: the message names them, not the stage's SHELL
    windows = {"example.com/app:1": ["windows/amd64:10.0.20348.2461"]}
    [finding] = answered(WINDOWS_SHELL, windows, "linux/amd64")
    assert (finding.line, finding.column) == (1, 1)
    assert finding.message == (
        "base image `example.com/app:1` has no linux/amd64 image; "
        "it exists for windows/amd64 (10.0.20348.2461)"
    )


def test_a_stage_built_from_a_windows_stage_is_reported_at_that_stage_only() -> None:
    text = 'FROM example.com/app:1 AS win\nSHELL ["powershell", "-Command"]\nFROM win\nRUN dir\n'
    [finding] = answered(text, {}, "linux/amd64")
    assert (finding.line, finding.column) == (1, 1)
    assert finding.message.startswith("stage win is a Windows stage")


def test_a_platform_arg_without_a_value_leaves_the_stage_unchecked() -> None:
    # which platform the stage is built for depends on a --build-arg: nothing to compare
    text = (
        "ARG PLATFORM\n"
        "FROM --platform=$PLATFORM example.com/app:1\n"
        'SHELL ["powershell", "-Command"]\n'
    )
    assert not answered(text, {}, "linux/amd64")
    assert not answered(text, {"example.com/app:1": ["windows/amd64"]}, "linux/amd64")


def test_a_constant_platform_in_a_per_arch_file_is_reported_beside_df311(tmp_path: Path) -> None:
    # DF311 says the arm64 file builds for amd64; only DF201 says amd64 does not exist
    text = "FROM --platform=linux/amd64 example.com/app:1\nRUN true\n"
    path = write_file(tmp_path, "linux/arm64/Dockerfile", text)
    found = answered(
        text, {"example.com/app:1": ["linux/arm64"]}, path=str(path), codes=("DF201", "DF311")
    )
    assert [(f.code, f.line, f.column) for f in found] == [("DF201", 1, 1), ("DF311", 1, 1)]
    assert found[0].message == (
        "base image `example.com/app:1` has no linux/amd64 image; it exists for linux/arm64"
    )
