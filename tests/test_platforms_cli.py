"""`dflint platforms` (offline: the suite's default) and the lint options `--offline`/`--strict`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from dflint.app import matrix
from dflint.app.main import app
from dflint.lint.engine import Options
from dflint.read.parser import parse_bytes
from dflint.settings.config import Config

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_matrix_of_the_sample_dockerfiles() -> None:
    code, out, err = invoke("platforms", str(ROOT / "sample_dockerfiles"))
    assert code == 1, err  # the broken sample's amd64-only base breaks linux/arm64
    blocks = {block.split("  ", 1)[0].rsplit("/", 1)[-1]: block for block in out.split("\n\n")}
    assert len(blocks) == 8
    go = blocks["Dockerfile.go-multistage"]
    # no targets named: the default set, as lint uses; what else the base offers is shown apart
    assert "(targets from default)" in go
    assert "  linux/arm64    ✓" in go
    assert "  other platforms the base image offers:\n  linux/arm/v6   ✓" in go
    assert "--platform=$BUILDPLATFORM  at least linux/amd64" in go
    windows = blocks["Dockerfile.windows-amd64"]
    assert "windows/amd64 (10.0.20348)  [dflint's built-in table: offline]" in windows
    assert "(targets from default for a Windows image (image " in windows
    assert "  windows/amd64  ✓" in windows
    arm = blocks["Dockerfile.linux-arm64"]
    # the sample declares its platform with a `# dflint: platform=` comment
    assert "(targets from comment on line 5)" in arm
    assert "  the file says it is for: linux/arm64 (file name Dockerfile.linux-arm64)" in arm
    assert arm.endswith("  linux/arm64  ✓")
    broken = blocks["Dockerfile.broken-multi-os"]
    # named for amd64 by its base only: the targets stay the default ones, and arm64 breaks
    assert "(targets from default)" in broken
    assert "  linux/amd64  ✓" in broken
    assert (
        "  linux/arm64  ✗   line 4: base image `diamol/base:linux-amd64` is built for amd64 "
        "only, but the targets include linux/arm64; use the image's multi-arch tag (DF202)"
    ) in broken
    code, out, _ = invoke(
        "platforms", "--platform", "linux/arm64", str(ROOT / "sample_dockerfiles")
    )
    assert code == 1
    assert (
        "  linux/arm64  ✗   line 6: this linux/amd64 file (file name Dockerfile.linux-amd64) "
        "is one of a per-architecture set: base image `diamol/base:linux-amd64` is built for "
        "amd64 only"
    ) in out


def test_strict_makes_unknown_fail(tmp_path: Path) -> None:
    path = write(tmp_path, "FROM registry.example.com/team/base:1\n")
    code, out, _ = invoke("platforms", "--platform", "linux/amd64", path)
    assert code == 0
    assert (
        "linux/amd64  ?   line 1: cannot tell which platforms `registry.example.com/team/base:1` "
        "exists for: offline"
    ) in out
    assert invoke("platforms", "--platform", "linux/amd64", "--strict", path)[0] == 1


def write(tmp_path: Path, text: str, name: str = "Dockerfile") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def rows(tmp_path: Path, text: str, *args: str) -> tuple[int, dict[str, dict[str, object]]]:
    code, out, _ = invoke("platforms", "--format", "json", *args, write(tmp_path, text))
    [found] = json.loads(out)["files"]
    return code, {row["platform"]: row for row in found["platforms"]}


def test_reasons_for_each_cross(tmp_path: Path) -> None:
    text = (
        "FROM archlinux:latest AS tools\n"
        "FROM --platform=linux/amd64 alpine:3.20\n"
        "COPY --from=tools /usr/bin/x /x\n"
    )
    code, found = rows(tmp_path, text, "--platform", "linux/amd64,linux/arm64,windows/amd64")
    assert code == 1
    assert found["linux/amd64"] == {
        "platform": "linux/amd64",
        "role": "target",
        "buildable": True,
        "reasons": [],
    }
    reasons = found["linux/arm64"]["reasons"]
    assert [(r["code"], r["kind"], r["line"]) for r in reasons] == [  # type: ignore[union-attr]
        ("DF201", "base-image-lacks-platform", 1),
        ("DF203", "constant-platform-flag", 2),
    ]
    [lacks, pinned] = reasons  # type: ignore[misc]
    assert lacks["message"] == (
        "base image `archlinux:latest` has no linux/arm64 image; it exists for "
        "linux/amd64 (per dflint's built-in table)"
    )
    assert pinned["message"].startswith(
        "`--platform=linux/amd64` pins this stage to linux/amd64 but the targets include "
        "linux/arm64: remove it"
    )
    # a Linux file in a build that also targets Windows: that target is the Windows file's
    assert found["windows/amd64"] == {
        "platform": "windows/amd64",
        "role": "other-os",
        "buildable": None,
        "reasons": [],
    }


def test_a_target_of_no_os_the_file_has(tmp_path: Path) -> None:
    """`lint --platform windows/amd64` on an Alpine file and `platforms` agree, offline."""
    path = write(tmp_path, "FROM alpine:3.20\nRUN apk add curl\n")
    code, found = rows(
        tmp_path, "FROM alpine:3.20\nRUN apk add curl\n", "--platform", "windows/amd64"
    )
    assert code == 1
    [reason] = found["windows/amd64"]["reasons"]  # type: ignore[misc]
    assert reason["code"] == "DF201"
    assert reason["message"] == (
        "stage 0 is a Linux stage (image alpine:3.20 (alpine)): it cannot be built for "
        "windows/amd64"
    )
    lint_code, out, _ = invoke("lint", "--offline", "--platform", "windows/amd64", path)
    assert lint_code == 1
    assert "DF201 [windows/amd64] stage 0 is a Linux stage" in out


def test_os_mismatch_when_the_base_is_unknown(tmp_path: Path) -> None:
    text = '# escape=`\nFROM example.com/win/base:1\nSHELL ["powershell", "-Command"]\n'
    code, found = rows(tmp_path, text, "--platform", "linux/amd64")
    assert code == 1
    [reason] = found["linux/amd64"]["reasons"]  # type: ignore[misc]
    assert reason["code"] == "DF201"
    assert reason["message"].startswith("stage 0 is a Windows stage (")


def test_build_platform_stages_do_not_limit_targets(tmp_path: Path) -> None:
    text = (
        "FROM --platform=$BUILDPLATFORM archlinux:latest AS build\n"
        "FROM alpine:3.20\nCOPY --from=build /a /a\n"
    )
    code, found = rows(tmp_path, text, "--platform", "linux/arm64,linux/s390x")
    assert code == 0
    assert all(row["buildable"] for row in found.values())


def test_findings_that_break_a_platform_mark_it() -> None:
    """A finding marks the platforms its ``platform`` field names when it breaks them
    (``Finding.breaks``), whatever the config selects."""
    dockerfile = parse_bytes(b"FROM arm64v8/alpine:3.20\n", "Dockerfile")
    options = Options(platforms=("linux/amd64", "linux/arm64"), no_config=True)
    config = Config(ignore=("DF202",))
    result = matrix.matrix_for(dockerfile, options, config)
    statuses = {row.platform: (row.status, [r.code for r in row.reasons]) for row in result.rows}
    # arm64v8/* holds arm64 images only, whatever the tag: known without a registry
    assert statuses == {"linux/amd64": ("no", ["DF202"]), "linux/arm64": ("yes", [])}


def test_hard_coded_downloads_break_other_platforms(tmp_path: Path) -> None:
    text = (
        "FROM debian:bookworm-slim\n"
        "RUN curl -fsSLo /usr/local/bin/yq "
        "https://github.com/mikefarah/yq/releases/download/v4.44.1/yq_linux_amd64\n"
    )
    code, found = rows(tmp_path, text, "--platform", "linux/amd64,linux/arm64")
    assert code == 1
    assert found["linux/amd64"]["buildable"] is True
    [reason] = found["linux/arm64"]["reasons"]  # type: ignore[misc]
    assert (reason["code"], reason["kind"], reason["line"]) == (
        "DF306",
        "hardcoded-arch-download",
        2,
    )


def test_errors_are_one_line(tmp_path: Path) -> None:
    code, out, err = invoke("platforms", str(tmp_path / "missing"))
    assert code == 2
    assert err.strip().count("\n") == 0 and "Traceback" not in err
    code, out, err = invoke("platforms", "--platform", "arm64", write(tmp_path, "FROM alpine\n"))
    assert code == 2
    assert "--platform: 'arm64' is not an os/arch[/variant] platform" in err
    fifo = tmp_path / "fifo" / "Dockerfile"
    fifo.parent.mkdir()
    os.mkfifo(fifo)  # reading it would block for ever
    code, out, err = invoke("platforms", str(fifo.parent))
    assert code == 2
    assert out == f"{fifo}:1:1: not a regular file (a FIFO)\n"
    broken = write(tmp_path, "FROM alpine\nRUN <<EOF\nnever ends\n", "Dockerfile.bad")
    code, out, err = invoke("platforms", broken)
    assert code == 2
    assert out.startswith(f"{broken}:2:")
    config = tmp_path / "c" / ".dflint.toml"
    config.parent.mkdir()
    config.write_text("cache-tl = '1d'\n")
    code, out, err = invoke("platforms", write(tmp_path / "c", "FROM alpine\n"))
    assert code == 2
    assert err == f"dflint: error: {config}: unknown key 'cache-tl' (did you mean 'cache-ttl'?)\n"


def test_lint_strict_and_offline_options(tmp_path: Path) -> None:
    path = write(tmp_path, "FROM example.com/unknown/image:1\n")
    code, out, _ = invoke("lint", "--offline", path)
    assert code == 0 and "DF207" in out
    assert invoke("lint", "--offline", "--strict", path)[0] == 1
    assert invoke("lint", "--strict", "--failure-threshold", "none", path)[0] == 1
    assert invoke("lint", "--strict", "--ignore", "DF207", path)[0] == 0
    assert (
        invoke("lint", "--strict", write(tmp_path, "FROM alpine:3.20\n", "ok.Dockerfile"))[0] == 0
    )


def test_no_registry_rule_selected_means_no_resolution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dflint.lint import bases as glue

    def fail(*args: object, **kwargs: object) -> object:
        raise AssertionError("base images were resolved although no rule needs them")

    monkeypatch.setattr(glue, "resolver_for", fail)
    path = write(tmp_path, "FROM example.com/unknown/image:1\n")
    assert invoke("lint", "--select", "DF1", path)[0] == 0
