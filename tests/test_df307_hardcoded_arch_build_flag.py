from __future__ import annotations

from conftest import lint

from dflint.core.findings import Finding
from dflint.generate.fixes import apply_fixes

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


def test_advice_names_targetarch_for_go_and_a_mapping_for_the_rest() -> None:
    text = (
        "FROM golang\n"
        "RUN GOARCH=arm64 go build . && cargo build --target x86_64-unknown-linux-gnu\n"
    )
    go, cargo = hits(text)
    assert go.message.endswith(
        "targets include linux/amd64: use `$TARGETARCH` (declared with `ARG TARGETARCH`)"
    )
    assert cargo.message.startswith("`cargo --target x86_64-unknown-linux-gnu` builds for amd64")
    assert cargo.message.endswith(
        "targets include linux/arm64: derive it from `$TARGETARCH` (declared with `ARG TARGETARCH`)"
    )


def test_arm_variant_names_match_arm_targets() -> None:
    # armv7/armhf is Docker's arm/v7; Go's plain `arm` builds for any ARM variant
    text = (
        "FROM debian\n"
        "RUN ./configure --host=armv7-linux-gnueabihf\n"
        "RUN GOARCH=arm go build .\n"
        "RUN cargo build --target armv7-unknown-linux-gnueabihf\n"
    )
    assert hits(text, platforms=("linux/arm/v7",)) == []
    found = hits(text, platforms=("linux/amd64", "linux/arm/v7"))
    assert [(f.line, f.column) for f in found] == [(2, 24), (3, 12), (4, 26)]
    assert all("but the targets include linux/amd64:" in f.message for f in found)


def test_a_file_for_one_arch_leaves_the_other_arch_to_df311() -> None:
    # the final FROM says arm64: DF311 reports the amd64 flag, DF307 only the arm64 one
    text = (
        "FROM --platform=linux/arm64 rust\n"
        "RUN GOARCH=amd64 go build . && cargo build --target aarch64-unknown-linux-gnu\n"
    )
    both = [(f.code, f.column) for f in lint(text, select=(CODE, "DF311"))]
    assert sorted(both) == [("DF307", 53), ("DF311", 12)]
    assert [f.column for f in hits(text)] == [12, 53]


def test_a_value_split_over_lines_is_reported_without_a_fix() -> None:
    [finding] = hits("FROM golang\nRUN GOARCH=am\\\nd64 go build .\n")
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (2, 12, 3, 4)
    assert "`GOARCH=amd64` builds for amd64" in finding.message
    assert finding.fix is None


def test_the_arg_line_goes_after_a_continued_from() -> None:
    text = (
        "FROM --platform=$BUILDPLATFORM \\\n    golang:1.23 AS build\nRUN GOARCH=amd64 go build\n"
    )
    [finding] = hits(text)
    assert finding.fix is not None
    _, declare = finding.fix.edits
    assert (declare.line, declare.column) == (2, len("    golang:1.23 AS build") + 1)
    fixed, _ = apply_fixes(text, [finding.fix])
    assert fixed == (
        "FROM --platform=$BUILDPLATFORM \\\n    golang:1.23 AS build\n"
        "ARG TARGETARCH\nRUN GOARCH=${TARGETARCH} go build\n"
    )


def test_rustup_targets_are_reported_once_each() -> None:
    text = (
        "FROM rust\n"
        "RUN rustup target add --toolchain nightly aarch64-unknown-linux-gnu\n"
        "RUN rustup target add --target x86_64-unknown-linux-gnu\n"
    )
    found = hits(text)
    assert [(f.line, f.column) for f in found] == [(2, 43), (3, 32)]
    assert "`rustup target add aarch64-unknown-linux-gnu` builds for arm64" in found[0].message


def test_settings_given_through_env_and_other_prefix_programs() -> None:
    text = (
        "FROM golang:1.23\n"
        "RUN env CGO_ENABLED=0 GOARCH=amd64 go build -o /x .\n"
        "RUN sudo -u builder env -u GOOS GOARCH=arm64 go build .\n"
        "RUN time cargo build --target x86_64-unknown-linux-gnu\n"
    )
    found = hits(text)
    assert [(f.line, f.column) for f in found] == [(2, 30), (3, 40), (4, 31)]
    assert "`GOARCH=amd64` builds for amd64" in found[0].message
    assert found[0].fix is not None and found[0].fix.safe
    # the program named is the one that builds, not the prefix that runs it
    assert "`cargo --target x86_64-unknown-linux-gnu`" in found[2].message


def test_a_target_held_in_an_arg_or_a_shell_variable_is_reported_where_it_is_written() -> None:
    text = (
        "FROM rust:1.80\n"
        "ARG RUST_TRIPLE=x86_64-unknown-linux-gnu\n"
        "RUN cargo build --release --target $RUST_TRIPLE\n"
        "RUN T=aarch64-unknown-linux-gnu && cargo build --target=${T}\n"
        'RUN cargo build --target "$RUST_TRIPLE"\n'
    )
    found = hits(text)
    # the ARG is reported once, at its value, though two RUNs read it
    assert [(f.line, f.column, f.end_column) for f in found] == [(2, 17, 23), (4, 7, 14)]
    assert "`cargo --target $RUST_TRIPLE` builds for amd64" in found[0].message
    assert "`cargo --target=${T}` builds for arm64" in found[1].message
    # the value may feed other commands too: no automatic edit
    assert all(f.fix is None for f in found)


def test_variables_that_follow_the_target_or_a_dispatch_are_fine() -> None:
    text = (
        "FROM --platform=$BUILDPLATFORM rust:1.80\n"
        "ARG TARGETARCH\n"
        "ARG RUST_TRIPLE=${TARGETARCH}-unknown-linux-gnu\n"
        "RUN cargo build --target $RUST_TRIPLE\n"
        'RUN case "$TARGETARCH" in amd64) T=x86_64-unknown-linux-gnu ;; '
        "arm64) T=aarch64-unknown-linux-gnu ;; esac && cargo build --target $T\n"
        "RUN env GOARCH=$TARGETARCH go build .\n"
        "ARG NOTE=x86_64\n"
        "RUN echo --target $NOTE_UNSET\n"
    )
    assert hits(text) == []


def test_a_target_in_an_arg_beside_another_literal_in_the_same_run() -> None:
    # an architecture word elsewhere in the RUN must not stop the ARG from being followed
    text = (
        "FROM rust:1.80\n"
        "ARG T=aarch64-unknown-linux-gnu\n"
        "RUN echo x86_64 && cargo build --target $T\n"
    )
    [finding] = hits(text)
    assert (finding.line, finding.column) == (2, 7)
    assert "`cargo --target $T` builds for arm64" in finding.message
