"""DF209: a FROM image whose architecture comes from an ARG default."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import codes, dflint_cli, lint, shared_path, span, write_file

PROMETHEUS = (
    'ARG ARCH="amd64"\nARG OS="linux"\nFROM quay.io/prometheus/busybox-${OS}-${ARCH}:latest\n'
)


def test_prometheus_busybox_os_arch() -> None:
    [finding] = [f for f in lint(PROMETHEUS) if f.code == "DF209"]
    assert span(finding) == (3, 1, 3, 53) and finding.platform == "linux/arm64"
    assert finding.message == (
        "`quay.io/prometheus/busybox-${OS}-${ARCH}:latest` is "
        "`quay.io/prometheus/busybox-linux-amd64:latest` by the default of "
        '`ARG ARCH="amd64"` (line 1): `--platform` does not change an ARG, so linux/arm64 '
        "gets the amd64 image too; default the ARG to `${TARGETARCH}`"
    )
    assert finding.fix is not None and not finding.fix.safe


def test_the_real_prometheus_dockerfiles(tmp_path: Path) -> None:
    real = shared_path("corpus", "real", "prometheus__prometheus")
    for name in ("Dockerfile", "Dockerfile.distroless"):
        shutil.copyfile(real / name, tmp_path / name)
    code, out, _ = dflint_cli(
        "lint", "--no-config", "--select", "DF202,DF209", str(tmp_path / "Dockerfile"),
        str(tmp_path / "Dockerfile.distroless"),
    )  # fmt: skip
    assert code == 1
    lines = [line for line in out.splitlines() if ": DF" in line]
    assert [line.split(": ", 1)[1].split(" [")[0].split(":")[-1] for line in lines] == [
        "DF209",
        "DF209",
    ]
    assert "nonroot-${DISTROLESS_ARCH}` is `gcr.io/distroless/static-debian13:nonroot-amd64`" in out


def test_fix_defaults_the_arg_to_targetarch(tmp_path: Path) -> None:
    path = write_file(tmp_path, "repo/Dockerfile", PROMETHEUS)
    dflint_cli("fix", "--multiarch", "--unsafe-fixes", "--no-config", "--write", str(path))
    assert path.read_text().startswith('ARG ARCH="${TARGETARCH}"\n')
    assert "DF209" not in codes(path.read_text())


def test_silent_cases() -> None:
    assert "DF209" not in codes(PROMETHEUS, platforms=("linux/amd64",))
    assert "DF209" not in codes('ARG ARCH=""\nARG TAG="trixie-slim"\nFROM ${ARCH}debian:${TAG}\n')
    assert "DF209" not in codes(PROMETHEUS, path="linux/arm64/Dockerfile")  # DF311's
    literal = "FROM quay.io/prometheus/busybox-linux-amd64:latest\n"
    assert "DF209" not in codes(literal)  # DF202's


def test_every_other_target_is_named() -> None:
    platforms = ("linux/amd64", "linux/arm64", "linux/arm/v7")
    [finding] = [f for f in lint(PROMETHEUS, platforms=platforms) if f.code == "DF209"]
    assert finding.platform == "linux/arm64,linux/arm/v7"
    assert "so linux/arm64, linux/arm/v7 get the amd64 image too;" in finding.message


def test_stages_with_a_platform_are_left_to_df210_and_df203() -> None:
    image = "quay.io/prometheus/busybox-linux-${ARCH}:latest\n"
    build = codes(f'ARG ARCH="amd64"\nFROM --platform=$BUILDPLATFORM {image}')
    assert "DF210" in build and "DF209" not in build
    pinned = codes(f'ARG ARCH="amd64"\nFROM --platform=linux/amd64 {image}')
    assert "DF203" in pinned and "DF209" not in pinned


def test_an_automatic_platform_arg_is_not_a_default() -> None:
    # BuildKit sets TARGETARCH for each platform whatever the ARG's default says
    text = "ARG TARGETARCH=amd64\nFROM quay.io/prometheus/busybox-linux-${TARGETARCH}:latest\n"
    assert "DF209" not in codes(text)


def test_a_variable_without_an_arg_does_not_hide_the_default() -> None:
    text = 'ARG ARCH="amd64"\nFROM quay.io/prometheus/busybox-linux-${ARCH}:latest${SUFFIX}\n'
    [finding] = [f for f in lint(text) if f.code == "DF209"]
    assert span(finding) == (2, 1, 2, 62)
    assert 'by the default of `ARG ARCH="amd64"` (line 1)' in finding.message


def test_the_arg_named_is_the_one_behind_the_images_architecture() -> None:
    # the tag's arm64 decides the image; the repository's amd64 comes from another ARG
    text = (
        "ARG BASE_ARCH=amd64\nARG TAG_ARCH=arm64\n"
        "FROM example.com/acme/tools-${BASE_ARCH}:1.0-${TAG_ARCH}\n"
    )
    [finding] = [f for f in lint(text) if f.code == "DF209"]
    assert finding.platform == "linux/amd64"
    assert "by the default of `ARG TAG_ARCH=arm64` (line 2)" in finding.message
    assert "linux/amd64 gets the arm64 image too" in finding.message


def test_fix_replaces_an_unquoted_default_among_other_args() -> None:
    text = "ARG ARCH=amd64 OS=linux\nFROM quay.io/prometheus/busybox-${OS}-${ARCH}:latest\n"
    [finding] = [f for f in lint(text) if f.code == "DF209"]
    assert finding.fix is not None
    [edit] = finding.fix.edits
    assert (edit.line, edit.column, edit.end_line, edit.end_column) == (1, 10, 1, 15)
    assert edit.replacement == "${TARGETARCH}"


def test_no_fix_when_the_default_is_more_than_a_targetarch_value() -> None:
    for arg, image in (
        ("ARCH=x86_64", "quay.io/prometheus/busybox-linux-${ARCH}:latest"),  # uname's spelling
        ("TAG=nonroot-amd64", "gcr.io/distroless/static:${TAG}"),
        ("TAG=amd64-nonroot", "gcr.io/distroless/static:${TAG}"),
    ):
        [finding] = [f for f in lint(f"ARG {arg}\nFROM {image}\n") if f.code == "DF209"]
        assert f"by the default of `ARG {arg}` (line 1)" in finding.message, arg
        assert finding.fix is None, arg
