from __future__ import annotations

from conftest import lint

from dflint.core.findings import Finding

CODE = "DF307"


def hits(text: str, path: str = "Dockerfile", platforms: tuple[str, ...] = ()) -> list[Finding]:
    return [f for f in lint(text, path, platforms, select=(CODE,)) if f.code == CODE]


def test_goarch_env_prefix_with_a_safe_fix() -> None:
    [finding] = hits("FROM golang:1.23\nRUN GOOS=linux GOARCH=amd64 go build -o /x .\n")
    assert (finding.line, finding.column, finding.end_column) == (2, 23, 28)
    assert "`GOARCH=amd64` builds for amd64" in finding.message
    assert finding.fix is not None and finding.fix.safe
    replace, declare = finding.fix.edits
    assert replace.replacement == "${TARGETARCH}"
    assert declare.replacement == "\nARG TARGETARCH"


def test_go_names_arm_and_386() -> None:
    [finding] = hits("FROM golang\nRUN export GOARCH=arm GOARM=7 && go build .\n")
    assert "arm" in finding.message


def test_goarch_in_env_and_arg() -> None:
    found = hits("FROM golang\nENV GOARCH=arm64\nARG GOARCH=amd64\n")
    assert [f.line for f in found] == [2, 3]


def test_declared_targetarch_needs_no_arg_line() -> None:
    [finding] = hits("FROM golang\nARG TARGETARCH\nRUN GOARCH=amd64 go build .\n")
    assert finding.fix is not None and len(finding.fix.edits) == 1


def test_other_toolchains() -> None:
    text = (
        "FROM debian\n"
        "RUN dotnet publish -r linux-x64 -o /out\n"
        "RUN dotnet publish -a arm64\n"
        "RUN cargo build --target x86_64-unknown-linux-musl\n"
        "RUN rustup target add aarch64-unknown-linux-gnu\n"
        "RUN ./configure --host=aarch64-linux-gnu\n"
        "RUN pip download --platform manylinux2014_x86_64 numpy\n"
    )
    found = hits(text)
    assert [f.line for f in found] == [2, 3, 4, 5, 6, 7]
    assert all(f.fix is None for f in found)


def test_targetarch_and_dispatches_are_fine() -> None:
    text = (
        "FROM --platform=$BUILDPLATFORM golang AS build\n"
        "ARG TARGETOS TARGETARCH\n"
        "RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build .\n"
        'RUN case "$(dpkg --print-architecture)" in amd64) export GOARCH=amd64 ;; '
        "arm64) export GOARCH=arm64 ;; esac\n"
        "RUN dotnet publish -a $TARGETARCH --no-restore -o /app\n"
        'RUN ./configure --build="$gnuArch"\n'
    )
    assert hits(text) == []


def test_per_arch_files_windows_and_single_targets_are_not_judged() -> None:
    text = "FROM golang\nRUN GOOS=linux GOARCH=amd64 make\n"
    assert hits(text, path="Dockerfile.amd64") == []
    assert hits(text, platforms=("linux/amd64",)) == []
    windows = (
        "FROM mcr.microsoft.com/dotnet/sdk:8.0-nanoserver-ltsc2022\nRUN dotnet publish -r win-x64\n"
    )
    assert hits(windows) == []


def test_a_stage_pinned_to_one_platform_still_builds_for_the_others() -> None:
    # --platform says where the stage runs; GOARCH says what it produces for the final image
    text = (
        "FROM --platform=linux/amd64 golang AS build\n"
        "RUN GOARCH=amd64 go build -o /out/app .\n"
        "FROM alpine\n"
        "COPY --from=build /out/app /app\n"
    )
    assert [f.line for f in hits(text)] == [2]
