from __future__ import annotations

from conftest import codes, lint

BUILD = "FROM --platform=linux/amd64 golang:1.22 AS build\nRUN true\nFROM alpine\n"


def test_constant_platform_on_a_build_stage() -> None:
    [finding] = [f for f in lint(BUILD) if f.code == "DF203"]
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


def test_final_stage_constant_defines_the_target() -> None:
    assert "DF203" not in codes("FROM --platform=linux/arm64 alpine\nRUN true\n")


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
