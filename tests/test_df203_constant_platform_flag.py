from __future__ import annotations

from pathlib import Path

from conftest import codes, dflint_cli, lint, span, write_file

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


def test_an_architecture_alone_is_a_constant_platform() -> None:
    # BuildKit reads `--platform=arm64` as the builder's OS on arm64
    text = "FROM --platform=arm64 golang:1.22 AS build\nRUN true\nFROM alpine\n"
    [finding] = [f for f in lint(text) if f.code == "DF203"]
    assert span(finding) == (1, 1, 1, 43)
    assert finding.message.startswith(
        "`--platform=arm64` pins this stage to arm64 but the targets include linux/amd64:"
    )
    assert finding.platform == "linux/amd64"


def test_a_value_that_is_no_platform_is_df006s() -> None:
    text = "FROM --platform=linux/amd64,linux/arm64 golang:1.22 AS build\nRUN true\nFROM alpine\n"
    found = codes(text)
    assert "DF006" in found and "DF203" not in found


def test_a_stage_named_for_another_spelling_of_its_platform_is_exempt() -> None:
    build = "RUN true\nFROM alpine\n"
    assert "DF203" not in codes("FROM --platform=linux/amd64 golang AS build-x86_64\n" + build)
    assert "DF203" not in codes("FROM --platform=linux/amd64 golang AS linux\n" + build)
    arm = ("linux/amd64", "linux/arm/v7")
    assert "DF203" not in codes(
        "FROM --platform=linux/arm/v7 golang AS armhf\n" + build, platforms=arm
    )


def test_a_stage_named_for_another_architecture_is_reported() -> None:
    text = "FROM --platform=linux/amd64 golang:1.22 AS build-arm64\nRUN true\nFROM alpine\n"
    [finding] = [f for f in lint(text) if f.code == "DF203"]
    assert span(finding) == (1, 1, 1, 55)
    assert "pins this stage to linux/amd64" in finding.message


def test_a_windows_stage_in_a_linux_build_is_exempt() -> None:
    text = (
        "FROM --platform=windows/amd64 mcr.microsoft.com/windows/nanoserver:ltsc2022 AS win\n"
        "FROM alpine:3.20\nCOPY --from=win /License.txt /License.txt\n"
    )
    assert "DF203" not in codes(text)


def _final_fix_is_safe(text: str, path: str = "Dockerfile") -> bool:
    [finding] = [f for f in lint(text, path=path) if f.code == "DF203"]
    assert finding.message.endswith("remove it, so the image is built for each target platform")
    assert finding.fix is not None and finding.fix.edits[0].replacement == ""
    return bool(finding.fix.safe)


def test_removing_the_flag_is_unsafe_when_the_stage_depends_on_the_architecture() -> None:
    pin = "FROM --platform=linux/amd64 "
    assert _final_fix_is_safe(pin + "alpine:3.20\nRUN true\n")
    # an image named for one architecture, which other builders cannot pull
    assert not _final_fix_is_safe(pin + "amd64/alpine:3.20\nRUN true\n")
    # an image an ARG without a default names: nothing says it exists for every target
    assert not _final_fix_is_safe("ARG BASE\n" + pin + "$BASE\nRUN true\n")
    # a download named for the architecture
    download = "RUN curl -fsSLo /usr/local/bin/tool https://example.com/tool-linux-amd64\n"
    assert not _final_fix_is_safe(pin + "alpine:3.20\n" + download)


def test_removing_the_flag_is_safe_when_the_declared_targets_leave_the_pin_out() -> None:
    text = "# dflint: platform=linux/arm64\nFROM --platform=linux/amd64 alpine:3.20\nRUN true\n"
    [finding] = [f for f in lint(text) if f.code == "DF203"]
    assert span(finding)[:2] == (2, 1)
    assert "the targets include linux/arm64: remove it" in finding.message
    assert finding.fix is not None and finding.fix.safe


def test_a_per_arch_file_names_the_image_of_the_one_dockerfile_form() -> None:
    text = "FROM --platform=linux/arm64 alpine:3.20\nRUN true\n"
    [finding] = [f for f in lint(text, path="linux/arm64/Dockerfile") if f.code == "DF203"]
    assert finding.message.startswith(
        "this linux/arm64 file (folder arm64) is one of a per-architecture set: "
        "`--platform=linux/arm64` pins it to linux/arm64, but the targets include linux/amd64; "
        "the one-Dockerfile form is `FROM alpine:3.20` without `--platform`"
    )
    # the file is one of a set: removing the flag alone changes what the set builds
    assert finding.fix is not None and not finding.fix.safe
    unresolved = "ARG BASE\nFROM --platform=linux/arm64 $BASE\nRUN true\n"
    [finding] = [f for f in lint(unresolved, path="linux/arm64/Dockerfile") if f.code == "DF203"]
    assert "the one-Dockerfile form is `FROM $BASE` without `--platform`" in finding.message


def test_a_build_stage_switch_is_safe_only_when_it_reads_the_target() -> None:
    head = "FROM --platform=linux/amd64 golang:1.22 AS build\nARG TARGETARCH\n"
    tail = "FROM alpine:3.20\nCOPY --from=build /app /app\n"
    cross = head + "RUN GOARCH=$TARGETARCH go build -o /app .\n" + tail
    [finding] = [f for f in lint(cross) if f.code == "DF203"]
    assert finding.fix is not None and finding.fix.safe
    # declaring TARGETARCH is not reading it: the build still makes amd64 binaries
    native = head + "RUN go build -o /app .\n" + tail
    [finding] = [f for f in lint(native) if f.code == "DF203"]
    assert finding.fix is not None and not finding.fix.safe


def _fix_multiarch(tmp_path: Path, relative: str, text: str) -> str:
    path = write_file(tmp_path, relative, text)
    dflint_cli("fix", "--multiarch", "--no-config", "--write", str(path))
    return path.read_text()


def test_fix_multiarch_in_a_per_arch_file_also_names_the_multi_arch_image(tmp_path: Path) -> None:
    text = "FROM --platform=linux/arm64 arm64v8/alpine:3.20\nRUN true\n"
    # the offline table confirms alpine:3.20 for arm64 and amd64: one safe fix, two edits
    fixed = _fix_multiarch(tmp_path, "a/linux/arm64/Dockerfile", text)
    assert fixed == "FROM alpine:3.20\nRUN true\n"
    # no confirmed multi-arch name: the removal stays unsafe, and is not written
    unknown = "FROM --platform=linux/arm64 arm64v8/nosuchimage:1.0\nRUN true\n"
    assert _fix_multiarch(tmp_path, "b/linux/arm64/Dockerfile", unknown) == unknown
    plain = "FROM --platform=linux/arm64 alpine:3.20\nRUN true\n"
    assert _fix_multiarch(tmp_path, "c/linux/arm64/Dockerfile", plain) == plain


def test_fix_multiarch_outside_a_per_arch_set_only_removes_the_flag(tmp_path: Path) -> None:
    text = "FROM --platform=linux/amd64 alpine:3.20\nRUN true\n"
    assert _fix_multiarch(tmp_path, "a/Dockerfile", text) == "FROM alpine:3.20\nRUN true\n"
    # an architecture alone says no platform of the file's own: the removal is still safe
    text = "FROM --platform=amd64 alpine:3.20\nRUN true\n"
    assert _fix_multiarch(tmp_path, "b/Dockerfile", text) == "FROM alpine:3.20\nRUN true\n"


def test_a_build_stage_of_a_per_arch_file_is_told_by_its_own_architecture() -> None:
    text = (
        "FROM --platform=linux/arm64 golang:1.22 AS build\nRUN true\n"
        "FROM alpine:3.20\nCOPY --from=build /a /a\n"
    )
    path = "linux/arm64/Dockerfile"
    # pinned to the file's own architecture: the pin is the per-architecture set's
    [finding] = [f for f in lint(text, path=path) if f.code == "DF203"]
    assert span(finding) == (1, 1, 1, 49)
    assert finding.message.startswith(
        "this linux/arm64 file (folder arm64) is one of a per-architecture set: "
        "`--platform=linux/arm64` pins it to linux/arm64, but the targets include linux/amd64; "
        "the one-Dockerfile form is `FROM golang:1.22` without `--platform`"
    )
    # pinned to another architecture: a build stage like any other
    other = text.replace("linux/arm64", "linux/amd64", 1)
    [finding] = [f for f in lint(other, path=path) if f.code == "DF203"]
    assert finding.message == (
        "`--platform=linux/amd64` pins this stage to linux/amd64 but the targets include "
        "linux/arm64: use `--platform=$BUILDPLATFORM` and cross-compile for $TARGETPLATFORM"
    )


def test_a_stage_named_for_its_architecture_without_the_variant_is_exempt() -> None:
    """BuildKit exempts a stage whose name holds the platform's architecture, and that is
    `arm` for linux/arm/v7 (the variant is a separate field)."""
    text = "FROM --platform=linux/arm/v7 golang:1.22 AS build-arm\nRUN true\nFROM alpine\n"
    assert "DF203" not in codes(text, platforms=("linux/amd64", "linux/arm/v7"))
    short = text.replace("linux/arm/v7", "linux/arm", 1)
    assert "DF203" not in codes(short, platforms=("linux/amd64", "linux/arm/v7"))
