"""`dflint platforms` (offline: the suite's default) and the lint options `--offline`/`--strict`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from dflint.cli import app
from dflint.config import Config
from dflint.engine import Options
from dflint.parser import parse_bytes
from dflint.platforms import matrix
from dflint.registry import find_rule

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_matrix_of_the_sample_dockerfiles() -> None:
    code, out, err = invoke("platforms", str(ROOT / "sample_dockerfiles"))
    assert code == 0, err
    blocks = {block.split("  ", 1)[0].rsplit("/", 1)[-1]: block for block in out.split("\n\n")}
    assert len(blocks) == 8
    go = blocks["Dockerfile.go-multistage"]
    # no targets named: those of the final stage's base (offline: the built-in table's floor)
    assert "(targets from the platforms of the final stage's base `alpine:3.20`)" in go
    assert "  linux/arm64    ✓" in go
    assert "--platform=$BUILDPLATFORM  at least linux/amd64" in go
    windows = blocks["Dockerfile.windows-amd64"]
    assert "windows/amd64 (10.0.20348)  [dflint's built-in table: offline]" in windows
    assert "  windows/amd64  ✓" in windows
    arm = blocks["Dockerfile.linux-arm64"]
    assert "(targets from file name)" in arm
    assert "  linux/arm64  ✓" in arm
    broken = blocks["Dockerfile.broken-multi-os"]
    # named for amd64: without named targets the matrix shows what its base offers
    assert (
        "targets from the platforms of the final stage's base `diamol/base:linux-amd64`" in broken
    )
    assert broken.endswith("  linux/amd64  ✓")
    code, out, _ = invoke(
        "platforms", "--platform", "linux/arm64", str(ROOT / "sample_dockerfiles")
    )
    assert code == 1
    assert (
        "  linux/arm64  ✗   `diamol/base:linux-amd64` (stage 0, line 4) has no linux/arm64 "
        "image; it exists for linux/amd64 (per dflint's built-in table)"
    ) in out


def test_strict_makes_unknown_fail(tmp_path: Path) -> None:
    path = write(tmp_path, "FROM registry.example.com/team/base:1\n")
    code, out, _ = invoke("platforms", "--platform", "linux/amd64", path)
    assert code == 0
    assert "linux/amd64  ?   `registry.example.com/team/base:1` (stage 0, line 1): offline" in out
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
    assert found["linux/amd64"] == {"platform": "linux/amd64", "buildable": True, "reasons": []}
    kinds = [reason["kind"] for reason in found["linux/arm64"]["reasons"]]  # type: ignore[union-attr]
    assert kinds == ["constant-platform", "base-lacks-platform"]
    [pinned, lacks] = found["linux/arm64"]["reasons"]  # type: ignore[misc]
    assert (
        pinned["message"] == "stage 1 (line 2) is pinned to linux/amd64 by `--platform=linux/amd64`"
    )
    assert lacks["message"] == (
        "`archlinux:latest` (stage tools, line 1) has no linux/arm64 image; it exists for "
        "linux/amd64 (per dflint's built-in table)"
    )
    assert found["windows/amd64"]["buildable"] is False


def test_os_mismatch_when_the_base_is_unknown(tmp_path: Path) -> None:
    text = '# escape=`\nFROM example.com/win/base:1\nSHELL ["powershell", "-Command"]\n'
    code, found = rows(tmp_path, text, "--platform", "linux/amd64")
    assert code == 1
    [reason] = found["linux/amd64"]["reasons"]  # type: ignore[misc]
    assert reason["kind"] == "os-mismatch"
    assert reason["message"].startswith("stage 0 (line 2) is a Windows stage (")


def test_build_platform_stages_do_not_limit_targets(tmp_path: Path) -> None:
    text = (
        "FROM --platform=$BUILDPLATFORM archlinux:latest AS build\n"
        "FROM alpine:3.20\nCOPY --from=build /a /a\n"
    )
    code, found = rows(tmp_path, text, "--platform", "linux/arm64,linux/s390x")
    assert code == 0
    assert all(row["buildable"] for row in found.values())


def test_a_blocking_rule_marks_the_platforms_it_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hook for the rule pack: a finding of a rule in BLOCKING_RULES breaks the platforms
    its ``platform`` field names (shown here with DF202, whose findings name them too)."""
    monkeypatch.setattr(matrix, "BLOCKING_RULES", {"DF202": "arch-specific-image"})
    dockerfile = parse_bytes(b"FROM arm64v8/alpine:3.20\n", "Dockerfile")
    options = Options(platforms=("linux/amd64", "linux/arm64"), no_config=True)
    result = matrix.matrix_for(dockerfile, options, Config())
    statuses = {row.platform: (row.status, [r.kind for r in row.reasons]) for row in result.rows}
    # arm64v8/* holds arm64 images only, whatever the tag: known without a registry
    assert statuses == {
        "linux/amd64": ("no", ["base-lacks-platform", "arch-specific-image"]),
        "linux/arm64": ("yes", []),
    }


def test_hard_coded_downloads_break_other_platforms(tmp_path: Path) -> None:
    if find_rule("DF306") is None:
        pytest.skip("the rule pack's DF306 is not installed")
    text = (
        "FROM debian:bookworm-slim\n"
        "RUN curl -fsSLo /usr/local/bin/yq "
        "https://github.com/mikefarah/yq/releases/download/v4.44.1/yq_linux_amd64\n"
    )
    code, found = rows(tmp_path, text, "--platform", "linux/amd64,linux/arm64")
    assert code == 1
    assert found["linux/amd64"]["buildable"] is True
    [reason] = found["linux/arm64"]["reasons"]  # type: ignore[misc]
    assert reason["kind"] == "hard-coded-download"
    assert reason["message"].startswith("line 2: ") and reason["message"].endswith("(DF306)")


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
    from dflint.platforms import lint as glue

    def fail(*args: object, **kwargs: object) -> object:
        raise AssertionError("base images were resolved although no rule needs them")

    monkeypatch.setattr(glue, "resolver_for", fail)
    path = write(tmp_path, "FROM example.com/unknown/image:1\n")
    assert invoke("lint", "--select", "DF1", path)[0] == 0
