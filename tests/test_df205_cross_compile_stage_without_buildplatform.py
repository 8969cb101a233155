from __future__ import annotations

import pytest
from conftest import lint, span

from dflint.core.findings import Finding


def df205(text: str, *targets: str) -> list[Finding]:
    return [f for f in lint(text, platforms=targets) if f.code == "DF205"]


GO = """\
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app .

FROM alpine:3.20
COPY --from=build /out/app /usr/local/bin/app
"""


def test_an_emulated_go_build() -> None:
    [finding] = df205(GO)
    assert span(finding) == (1, 1, 1, 26)  # the build stage's FROM line
    assert finding.message == (
        "stage `build` runs `go build` for every target platform, under emulation on a builder "
        "of another CPU, and its output is copied into the final stage: add "
        "`--platform=$BUILDPLATFORM` to its FROM and set GOOS=$TARGETOS GOARCH=$TARGETARCH"
    )


def test_one_target_architecture_runs_natively() -> None:
    assert not df205(GO, "linux/amd64")


@pytest.mark.parametrize(
    ("run", "what"),
    [
        ("cargo build --release", "cargo build"),
        ("dotnet publish -c Release -o /out", "dotnet publish"),
        ("./mvnw -B package -DskipTests", "mvn package"),
        ("gradle --no-daemon bootJar", "gradle build"),
        ("zig build -Doptimize=ReleaseSmall", "zig build"),
    ],
)
def test_other_toolchains(run: str, what: str) -> None:
    text = f"FROM debian:bookworm AS b\nRUN {run}\nFROM debian:bookworm-slim\nCOPY --from=b /o /o\n"
    [finding] = df205(text)
    assert f"runs `{what}`" in finding.message


@pytest.mark.parametrize("platform", ["$BUILDPLATFORM", "linux/amd64", "$TARGETPLATFORM"])
def test_any_platform_flag_is_a_choice(platform: str) -> None:
    assert not df205(GO.replace("FROM golang:1.22", f"FROM --platform={platform} golang:1.22"))


def test_stages_the_final_image_does_not_take_are_ignored() -> None:
    text = "FROM golang:1.22 AS test\nRUN go build ./... && go test ./...\nFROM alpine:3.20\n"
    assert not df205(text)


def test_the_final_stage_chain_itself_is_not_flagged() -> None:
    assert not df205("FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM build\n")


def test_copies_reach_through_other_stages_and_mounts() -> None:
    text = (
        "FROM rust:1.80 AS compile\nRUN cargo build --release\n"
        "FROM debian:bookworm-slim AS collect\nCOPY --from=compile /t /t\n"
        "FROM debian:bookworm-slim\n"
        "RUN --mount=type=bind,from=collect,source=/t,target=/t cp /t/app /usr/bin/\n"
    )
    [finding] = df205(text)
    assert finding.line == 1


def test_windows_stages_are_left_alone() -> None:
    text = (
        "FROM mcr.microsoft.com/dotnet/sdk:8.0-nanoserver-ltsc2022 AS build\n"
        "RUN dotnet publish -o C:\\out\n"
        "FROM mcr.microsoft.com/dotnet/runtime:8.0-nanoserver-ltsc2022\n"
        "COPY --from=build C:\\out C:\\app\n"
    )
    assert not df205(text, "windows/amd64", "windows/arm64")


def test_heredoc_bodies_count() -> None:
    text = (
        "FROM golang:1.22 AS b\nRUN <<EOF\nset -e\ngo build -o /app .\nEOF\n"
        "FROM alpine\nCOPY --from=b /app /app\n"
    )
    assert df205(text)


def test_a_platform_on_the_stage_it_is_built_from_counts() -> None:
    text = (
        "FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:8.0 AS build\n"
        "FROM build AS publish\nARG TARGETARCH\nRUN dotnet publish -a $TARGETARCH -o /app\n"
        "FROM mcr.microsoft.com/dotnet/runtime:8.0\nCOPY --from=publish /app /app\n"
    )
    assert not df205(text)


def test_a_stage_whose_os_is_unknown_is_left_alone() -> None:
    # .NET Framework builds are Windows ones; an image from an ARG could be either
    text = (
        "ARG SDK\nFROM $SDK AS builder\nRUN dotnet build -c Release\n"
        "FROM alpine\nCOPY --from=builder /a /a\n"
    )
    assert not df205(text)
