from __future__ import annotations

from conftest import codes, lint, span

BUILD = "FROM --platform=linux/amd64 golang:1.22 AS build\nRUN true\nFROM alpine\n"


def test_constant_platform_on_a_build_stage() -> None:
    [finding] = [f for f in lint(BUILD) if f.code == "DF203"]
    assert span(finding) == (1, 1, 1, 49)  # the FROM line
    assert "$BUILDPLATFORM" in finding.message
    assert finding.platform == "linux/arm64"


def test_variables_are_fine() -> None:
    assert "DF203" not in codes(
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nFROM alpine\n"
    )


def test_stage_named_for_its_platform_is_exempt() -> None:
    text = "FROM --platform=linux/amd64 golang AS build-amd64\nFROM alpine\n"
    assert "DF203" not in codes(text)


def test_agrees_with_single_target() -> None:
    assert "DF203" not in codes(BUILD, platforms=("linux/amd64",))


def test_a_variant_is_part_of_the_architecture() -> None:
    # linux/arm/v7 is the architecture arm/v7, not arm: it agrees with an arm/v7 target only
    text = "FROM --platform=linux/arm/v7 golang:1.22 AS build\nRUN true\nFROM alpine\n"
    assert "DF203" not in codes(text, platforms=("linux/arm/v7",))
    assert "DF203" in codes(text, platforms=("linux/arm/v7", "linux/arm64"))


def test_a_final_stage_constant_does_not_make_the_targets() -> None:
    """BuildKit's own FromPlatformFlagConstDisallowed example is reported."""
    [finding] = [
        f
        for f in lint("FROM --platform=linux/amd64 alpine AS base\nRUN apk add --no-cache git\n")
        if f.code == "DF203"
    ]
    assert finding.message == (
        "`--platform=linux/amd64` pins this stage to linux/amd64 but the targets include "
        "linux/arm64: remove it, so the image is built for each target platform"
    )
    assert finding.fix is not None and finding.fix.safe


def test_per_arch_file_message_and_unsafe_fix() -> None:
    text = "FROM --platform=linux/arm64 arm64v8/ruby:3.2-slim-bookworm\nRUN true\n"
    [finding] = [f for f in lint(text, path="v1.18/arm64/debian/Dockerfile") if f.code == "DF203"]
    assert finding.message.startswith(
        "this linux/arm64 file (folder arm64) is one of a per-architecture set: "
        "`--platform=linux/arm64` pins it to linux/arm64, but the targets include linux/amd64; "
        "the one-Dockerfile form is `FROM ruby:3.2-slim-bookworm` without `--platform`"
    )
    assert finding.fix is not None and not finding.fix.safe


def test_linux_stage_for_a_windows_amd64_target_is_about_os_not_arch() -> None:
    text = (
        "FROM --platform=linux/amd64 example/cache:linux-amd64 AS core\n"
        "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY --from=core /a C:\\a\n"
    )
    assert "DF203" not in codes(text)


def test_windows_platform_is_exempt() -> None:
    text = "FROM --platform=windows/amd64 mcr.microsoft.com/windows/nanoserver:ltsc2022\n"
    assert "DF203" not in codes(text)


def test_check_skip_of_the_same_buildkit_check_is_honoured() -> None:
    """DF203 is BuildKit's FromPlatformFlagConstDisallowed."""
    assert "DF203" in codes(BUILD)
    assert "DF203" not in codes("# check=skip=FromPlatformFlagConstDisallowed\n" + BUILD)
    assert "DF203" not in codes("ARG A\n# check=skip=all\n" + BUILD)
    assert "DF203" in codes("ARG A\n# check=skip=RedundantTargetPlatform\n" + BUILD)


def _edits(finding: object) -> list[tuple[int, int, int, int, str]]:
    fix = getattr(finding, "fix", None)
    assert fix is not None
    return [(e.line, e.column, e.end_line, e.end_column, e.replacement) for e in fix.edits]


def test_the_fix_of_a_build_stage_builds_on_buildplatform() -> None:
    [finding] = [f for f in lint(BUILD) if f.code == "DF203"]
    assert _edits(finding) == [(1, 6, 1, 28, "--platform=$BUILDPLATFORM")]


def test_the_fix_of_a_final_stage_removes_the_flag_and_the_blanks_after_it() -> None:
    [finding] = [f for f in lint("FROM --platform=linux/amd64 \t alpine\n") if f.code == "DF203"]
    assert _edits(finding) == [(1, 6, 1, 31, "")]


def test_a_flag_given_twice_is_reported_without_a_fix() -> None:
    text = "FROM --platform=linux/amd64 --platform=linux/amd64 golang AS build\nFROM alpine\n"
    [finding] = [f for f in lint(text) if f.code == "DF203"]
    assert span(finding) == (1, 1, 1, 67)
    assert finding.fix is None
