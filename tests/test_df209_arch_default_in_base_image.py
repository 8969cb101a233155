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
