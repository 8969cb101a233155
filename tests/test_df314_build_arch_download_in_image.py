"""DF314: downloads named for the build machine in the image's own stages."""

from __future__ import annotations

from pathlib import Path

from conftest import codes, dflint_cli, lint, span, write_file

TEXT = (
    "FROM alpine:3.20\n"
    "ARG BUILDARCH\n"
    'RUN wget -O /usr/local/bin/tool "https://example.com/tool-linux-${BUILDARCH}"\n'
)


def test_final_stage_download_named_with_buildarch() -> None:
    [finding] = [f for f in lint(TEXT) if f.code == "DF314"]
    assert span(finding) == (3, 33, 3, 78)  # the quoted URL
    assert finding.message == (
        '`"https://example.com/tool-linux-${BUILDARCH}"` is named with $BUILDARCH, the build '
        "machine's, but stage 0 is the image: built on amd64 for linux/arm64 it gets the "
        "amd64 file; name it with $TARGETARCH (or $TARGETOS, $TARGETPLATFORM)"
    )
    assert finding.severity.value == "error"


def test_through_an_arg_a_shell_variable_and_add() -> None:
    text = (
        "FROM alpine:3.20 AS base\n"
        "ARG BUILDPLATFORM\n"
        "ARG ASSET=tool-${BUILDPLATFORM}.tgz\n"
        "ADD https://example.com/${ASSET} /tmp/\n"
        "FROM base\n"
        "ARG BUILDARCH\n"
        'RUN a="$BUILDARCH"; curl -o /t "https://example.com/t-$a"\n'
    )
    assert [(f.line, f.code) for f in lint(text) if f.code == "DF314"] == [
        (4, "DF314"),
        (7, "DF314"),
    ]


def test_stages_only_copied_from_and_target_names_are_fine() -> None:
    copied = (
        "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\n"
        "ARG BUILDARCH TARGETARCH\n"
        "RUN curl -o /protoc.zip https://example.com/protoc-linux-${BUILDARCH}.zip\n"
        "RUN GOARCH=$TARGETARCH go build -o /app .\n"
        "FROM alpine:3.20\nCOPY --from=build /app /app\n"
    )
    assert "DF314" not in codes(copied)
    assert "DF314" not in codes(TEXT.replace("BUILDARCH", "TARGETARCH"))


def test_fix_names_the_target(tmp_path: Path) -> None:
    path = write_file(tmp_path, "repo/Dockerfile", TEXT)
    code, _, err = dflint_cli("fix", "--multiarch", "--no-config", "--write", str(path))
    assert code == 1, err
    assert path.read_text() == (
        "FROM alpine:3.20\nARG TARGETARCH\n"
        "ARG BUILDARCH\n"
        'RUN wget -O /usr/local/bin/tool "https://example.com/tool-linux-${TARGETARCH}"\n'
    )
