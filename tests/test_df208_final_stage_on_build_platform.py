"""DF208: the image's own stage built on $BUILDPLATFORM."""

from __future__ import annotations

from pathlib import Path

from conftest import codes, dflint_cli, lint, span, write_file

CROSS = (
    "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\n"
    "ARG TARGETOS TARGETARCH\n"
    "RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .\n"
)


def test_final_stage_on_the_build_platform() -> None:
    text = CROSS + "FROM --platform=$BUILDPLATFORM alpine:3.20\nCOPY --from=build /out/app /app\n"
    [finding] = [f for f in lint(text) if f.code == "DF208"]
    assert span(finding) == (4, 1, 4, 43) and finding.severity.value == "error"
    assert finding.message.startswith(
        "the final stage is built on `--platform=$BUILDPLATFORM`, the build machine: every "
        "target's image gets its userland (built on amd64, the linux/arm64 image holds "
        "amd64 binaries and fails with `exec format error`)"
    )
    # alpine:3.20 is in the offline table for every target: removing the flag is safe
    assert finding.fix is not None and finding.fix.safe


def test_a_stage_the_final_stage_is_built_from() -> None:
    text = "FROM --platform=${BUILDPLATFORM} debian:bookworm AS base\nRUN true\nFROM base\n"
    [finding] = [f for f in lint(text) if f.code == "DF208"]
    assert finding.line == 1
    assert finding.message.startswith(
        "stage base, which the final stage is built FROM, is built on `--platform=${BUILDPLATFORM}`"
    )


def test_a_copied_stage_compiling_for_the_build_machine() -> None:
    text = (
        "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\n"
        "RUN CGO_ENABLED=0 go build -o /out/app .\n"
        "FROM alpine:3.20\nCOPY --from=build /out/app /app\n"
    )
    [finding] = [f for f in lint(text) if f.code == "DF208"]
    assert finding.message == (
        "stage build runs on `--platform=$BUILDPLATFORM` and `go build` without any TARGET "
        "argument, so it compiles for the build machine, and its output is copied into the "
        "final image: pass GOOS=$TARGETOS GOARCH=$TARGETARCH"
    )
    assert finding.fix is None


def test_cross_compiling_build_stages_are_right() -> None:
    text = CROSS + "FROM alpine:3.20\nCOPY --from=build /out/app /app\n"
    assert "DF208" not in codes(text)
    dotnet = (
        "FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:8.0 AS build\n"
        "ARG TARGETARCH\nRUN dotnet publish -a $TARGETARCH -o /app\n"
        "FROM mcr.microsoft.com/dotnet/runtime:8.0\nCOPY --from=build /app /app\n"
    )
    assert "DF208" not in codes(dotnet)


def test_fix_and_platforms(tmp_path: Path) -> None:
    text = CROSS + "FROM --platform=$BUILDPLATFORM alpine:3.20\nCOPY --from=build /out/app /app\n"
    path = write_file(tmp_path, "repo/Dockerfile", text)
    code, out, _ = dflint_cli("platforms", "--no-config", str(path))
    assert code == 1
    assert "  linux/arm64  ✗   line 4: the final stage is built on" in out
    code, _, err = dflint_cli("fix", "--multiarch", "--no-config", "--write", str(path))
    assert "FROM alpine:3.20\nCOPY --from=build" in path.read_text(), err
    assert "DF208" not in codes(path.read_text())
