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


def test_removing_the_flag_is_safe_only_for_a_base_known_for_every_target() -> None:
    # scratch exists for every platform: dropping the flag cannot break the pull
    text = "FROM --platform=$BUILDPLATFORM scratch\nCOPY app /app\n"
    [scratch] = [f for f in lint(text) if f.code == "DF208"]
    assert span(scratch) == (1, 1, 1, 39)
    assert scratch.fix is not None and scratch.fix.safe
    (edit,) = scratch.fix.edits
    assert (edit.line, edit.column, edit.end_column, edit.replacement) == (1, 6, 32, "")
    # an image no table knows, and one an ARG without a value names: the fix is a guess
    unknown = "FROM --platform=$BUILDPLATFORM registry.example.com/team/base:1.0\nCOPY a /a\n"
    from_arg = "ARG BASE\nFROM --platform=$BUILDPLATFORM $BASE\nCOPY app /app\n"
    for text, line in ((unknown, 1), (from_arg, 2)):
        [finding] = [f for f in lint(text) if f.code == "DF208"]
        assert finding.line == line and finding.message.startswith("the final stage is built")
        assert finding.fix is not None and not finding.fix.safe, text


def test_no_fix_when_the_flag_is_not_on_the_from_line() -> None:
    text = "FROM \\\n  --platform=$BUILDPLATFORM alpine:3.20\nCOPY app /app\n"
    [finding] = [f for f in lint(text) if f.code == "DF208"]
    assert span(finding) == (1, 1, 2, 40)
    assert finding.message.startswith("the final stage is built on `--platform=$BUILDPLATFORM`")
    assert finding.fix is None


def test_a_windows_final_stage_is_not_judged() -> None:
    text = (
        "FROM alpine:3.20 AS tools\nRUN true\n"
        "FROM --platform=$BUILDPLATFORM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "RUN echo hello\n"
    )
    assert "DF208" not in codes(text)


def test_declaring_target_args_without_using_them_is_not_cross_compiling() -> None:
    text = (
        "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\n"
        "ARG TARGETOS TARGETARCH\n"
        "RUN go build -o /out/app .\n"
        "FROM alpine:3.20\nCOPY --from=build /out/app /app\n"
    )
    [finding] = [f for f in lint(text) if f.code == "DF208"]
    assert span(finding) == (1, 1, 1, 52)
    assert finding.message.startswith(
        "stage build runs on `--platform=$BUILDPLATFORM` and `go build`"
    )


def test_cargo_build_in_a_copied_stage() -> None:
    text = (
        "FROM --platform=$BUILDPLATFORM rust:1.80 AS build\n"
        "RUN cargo fetch\n"
        "RUN cargo build --release\n"
        "FROM debian:bookworm-slim\nCOPY --from=build /src/target/release/app /app\n"
    )
    [finding] = [f for f in lint(text) if f.code == "DF208"]
    assert span(finding) == (1, 1, 1, 50)
    assert "and `cargo build` without any TARGET argument" in finding.message
    assert finding.message.endswith("pass `--target` for $TARGETARCH")


def test_build_platform_stages_that_compile_nothing_for_the_image_are_right() -> None:
    # assets built with node are the same for every target
    web = (
        "FROM --platform=$BUILDPLATFORM node:20 AS web\nRUN npm ci && npm run build\n"
        "FROM nginx:1.27\nCOPY --from=web /app/dist /usr/share/nginx/html\n"
    )
    # a stage whose output the final image never copies (a lint or test stage)
    unused = (
        "FROM --platform=$BUILDPLATFORM golang:1.23 AS lint\nRUN go build ./... && go vet ./...\n"
        "FROM alpine:3.20\nCOPY app /app\n"
    )
    # an ONBUILD trigger runs in the build of an image FROM this one, not here
    onbuild = (
        "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\nRUN go generate ./...\n"
        "ONBUILD RUN go build -o /out/app .\n"
        "FROM alpine:3.20\nCOPY --from=build /src/gen /gen\n"
    )
    for text in (web, unused, onbuild):
        assert "DF208" not in codes(text), text


def test_target_args_given_to_the_compiler_through_an_arg() -> None:
    # build args are in RUN's environment: `ARG GOARCH=$TARGETARCH` cross-compiles
    text = (
        "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\n"
        "ARG TARGETOS TARGETARCH\n"
        "ARG GOOS=$TARGETOS GOARCH=$TARGETARCH\n"
        "RUN go build -o /out/app .\n"
        "FROM alpine:3.20\nCOPY --from=build /out/app /app\n"
    )
    assert "DF208" not in codes(text)
    # declared without a value, GOARCH is empty: go builds for the build machine
    text = (
        "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\n"
        "ARG GOARCH\n"
        "RUN go build -o /out/app .\n"
        "FROM alpine:3.20\nCOPY --from=build /out/app /app\n"
    )
    [finding] = [f for f in lint(text) if f.code == "DF208"]
    assert span(finding) == (1, 1, 1, 52) and "and `go build` without any" in finding.message


def test_compilers_told_their_target_otherwise() -> None:
    # a target passed by the compiler's own flag, from a build arg
    cargo = (
        "FROM --platform=$BUILDPLATFORM rust:1.80 AS build\n"
        "ARG RUST_TARGET\n"
        'RUN cargo build --release --target "${RUST_TARGET}"\n'
        "FROM debian:bookworm-slim\nCOPY --from=build /src/target /target\n"
    )
    # tonistiigi/xx's wrappers read $TARGETPLATFORM from the environment
    xx = (
        "FROM --platform=$BUILDPLATFORM tonistiigi/xx AS xx\n"
        "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\n"
        "COPY --from=xx / /\n"
        "ARG TARGETPLATFORM\n"
        "RUN xx-go build -o /out/app . && xx-verify /out/app\n"
        "FROM alpine:3.20\nCOPY --from=build /out/app /app\n"
    )
    for text in (cargo, xx):
        assert "DF208" not in codes(text), text
