"""DF211: a default given to an automatic platform argument."""

from __future__ import annotations

from pathlib import Path

from conftest import codes, dflint_cli, lint, span, write_file

STAGE = (
    "FROM alpine:3.20\n"
    "ARG TARGETARCH=amd64\n"
    'RUN wget -O /usr/local/bin/tool "https://example.com/tool-linux-${TARGETARCH}"\n'
)


def test_a_stage_default_pins_every_build() -> None:
    [finding] = [f for f in lint(STAGE) if f.code == "DF211"]
    assert finding.platform == "linux/arm64" and span(finding) == (2, 1, 2, 21)
    assert finding.message == (
        "`ARG TARGETARCH=amd64` pins TARGETARCH to `amd64` for every build that does not pass "
        "`--build-arg TARGETARCH=…`, `--platform linux/arm64` included (BuildKit's dispatchArg "
        "(frontend/dockerfile/dockerfile2llb/convert.go) keeps an ARG's default unless "
        "`--build-arg` names it; the automatic value only fills a bare `ARG NAME`); declare it "
        "as `ARG TARGETARCH`"
    )


def test_a_global_default_reaches_from_lines_and_stages() -> None:
    text = (
        "ARG TARGETPLATFORM=linux/amd64\n"
        "FROM --platform=$TARGETPLATFORM alpine:3.20\n"
        "ARG TARGETPLATFORM\n"
    )
    [finding] = [f for f in lint(text) if f.code == "DF211"]
    assert "BuildKit's buildMetaArgs" in finding.message


def test_targetos_matters_only_for_another_os() -> None:
    text = "FROM example.com/base:1\nARG TARGETOS=linux\nRUN echo $TARGETOS\n"
    assert "DF211" not in codes(text)
    [finding] = [
        f for f in lint(text, platforms=("linux/amd64", "windows/amd64")) if f.code == "DF211"
    ]
    assert finding.platform == "windows/amd64"


def test_bare_declarations_and_single_matching_targets_are_fine() -> None:
    assert "DF211" not in codes(STAGE.replace("TARGETARCH=amd64", "TARGETARCH"))
    assert "DF211" not in codes(STAGE, platforms=("linux/amd64",))
    assert "DF211" not in codes(STAGE.replace("=amd64", "=${TARGETARCH:-amd64}"))


def test_fix_removes_the_default(tmp_path: Path) -> None:
    path = write_file(tmp_path, "repo/Dockerfile", STAGE)
    dflint_cli("fix", "--multiarch", "--unsafe-fixes", "--no-config", "--write", str(path))
    assert path.read_text() == STAGE.replace("ARG TARGETARCH=amd64", "ARG TARGETARCH")


def test_a_default_breaks_the_build_only_when_read_after_it() -> None:
    [finding] = [f for f in lint(STAGE) if f.code == "DF211"]
    assert finding.breaks
    text = "FROM alpine:3.20\nRUN echo ${TARGETARCH}\nARG TARGETARCH=amd64\nRUN echo done\n"
    [finding] = [f for f in lint(text) if f.code == "DF211"]
    assert span(finding) == (3, 1, 3, 21) and not finding.breaks


def test_targetvariant_is_compared_with_the_variant_of_each_target() -> None:
    text = "FROM alpine:3.20\nARG TARGETVARIANT=v7\nRUN echo $TARGETVARIANT\n"
    platforms = ("linux/arm/v7", "linux/arm64", "linux/amd64")
    [finding] = [f for f in lint(text, platforms=platforms) if f.code == "DF211"]
    assert finding.platform == "linux/arm64,linux/amd64" and span(finding) == (2, 1, 2, 21)
    assert "pins TARGETVARIANT to `v7`" in finding.message
    assert "`--platform linux/arm64` included" in finding.message
