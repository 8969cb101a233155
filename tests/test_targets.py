"""One target model for lint, platforms and fix: the same targets, and the same verdicts.

Declared targets (`--platform`, `per-file-platforms`/`platforms`, `# dflint: platform=`) or the
default set; what a file implies (name, folder, constant `FROM --platform`, pinned base) is
its own platform, which the rules check it against, never its targets.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import dflint_cli, shared_path, write_file
from registry_fixture import Registries
from test_real_corpus import manifest

from dflint.app.matrix import FileMatrix, matrix_for
from dflint.core.findings import Finding
from dflint.errors import InputError
from dflint.lint.engine import Options, lint_bytes
from dflint.read.parser import parse_bytes
from dflint.settings.config import Config, from_mapping


def _names(finding: Finding, target: str) -> bool:
    if not finding.platform or finding.platform == "any":
        return True
    return target in {part.strip() for part in finding.platform.split(",")}


def assert_agree(text: str, path: str, options: Options, config: Config) -> FileMatrix | None:
    """lint and platforms see the same targets, and a target is ✗ exactly when lint reports
    a finding that breaks it (the same findings, by code and line)."""
    try:
        dockerfile = parse_bytes(text.encode(), path)
    except InputError:
        return None
    linted = lint_bytes(text.encode(), path, options, config)
    if linted.skipped or linted.failed or not dockerfile.stages:
        return None
    matrix = matrix_for(dockerfile, options, config)
    assert linted.targets is not None
    assert matrix.targets == linted.targets.platforms, path
    assert matrix.targets_from == linted.targets.source, path
    for row in matrix.target_rows:
        expected = {
            (f.code, f.line) for f in linted.findings if f.breaks and _names(f, row.platform)
        }
        shown = {(r.code, r.line) for r in row.reasons} if row.status == "no" else set()
        assert shown == expected, (path, row.platform)
    return matrix


def test_lint_and_platforms_agree_on_every_real_file_offline() -> None:
    real = shared_path("corpus", "real")
    options = Options(no_config=True, offline=True)
    checked = crosses = 0
    for row in manifest(real):
        text = (real / row["file"]).read_text(encoding="utf-8", errors="replace")
        matrix = assert_agree(text, row["file"], options, Config())
        if matrix is not None:
            checked += 1
            crosses += sum(1 for item in matrix.target_rows if item.status == "no")
    assert checked > 600
    assert crosses > 30  # the pins, wrong-arch downloads and bases without a platform


ISSUE_EXAMPLES = {
    "diamol/Dockerfile": "FROM diamol/base:linux-amd64\nCMD echo hi\n",
    "v1.18/arm64/debian/Dockerfile": (
        'FROM --platform=linux/arm64 arm64v8/ruby:3.2-slim-bookworm\nCMD ["fluentd"]\n'
    ),
    "buildkit/Dockerfile": (
        "FROM --platform=linux/amd64 alpine AS base\nRUN apk add --no-cache git\n"
    ),
    "linux/arm64/Dockerfile": (
        "FROM debian:bookworm-slim\n"
        "ADD https://github.com/tianon/gosu/releases/download/1.10/gosu-amd64 /usr/sbin/gosu\n"
    ),
    "final/Dockerfile": "FROM --platform=$BUILDPLATFORM alpine:3.20\nRUN apk add curl\n",
    "alpine/Dockerfile": "FROM alpine:3.20\nRUN apk add curl\n",
}


@pytest.mark.parametrize("platforms", [(), ("windows/amd64",), ("linux/arm64", "linux/s390x")])
def test_lint_and_platforms_agree_on_the_issues_examples(platforms: tuple[str, ...]) -> None:
    options = Options(platforms=platforms, no_config=True, offline=True)
    for path, text in ISSUE_EXAMPLES.items():
        assert_agree(text, path, options, Config())


def test_agreement_seen_from_the_command_line(tmp_path: Path) -> None:
    """The issue's two disagreements, as a user runs them."""
    path = write_file(tmp_path, "repo/Dockerfile", "FROM diamol/base:linux-amd64\nCMD echo hi\n")
    _, out, _ = dflint_cli("lint", "--format", "json", "--no-config", str(path))
    [finding] = [f for f in json.loads(out)["findings"] if f["code"] == "DF202"]
    assert (finding["line"], finding["platform"]) == (1, "linux/arm64")
    _, out, _ = dflint_cli("platforms", "--format", "json", "--no-config", str(path))
    [matrix] = json.loads(out)["files"]
    assert matrix["targets"] == ["linux/amd64", "linux/arm64"]
    assert matrix["targets_from"] == "default"
    rows = {row["platform"]: row for row in matrix["platforms"]}
    assert rows["linux/amd64"]["buildable"] is True
    assert [(r["code"], r["line"]) for r in rows["linux/arm64"]["reasons"]] == [("DF202", 1)]
    alpine = write_file(tmp_path, "repo/alpine/Dockerfile", "FROM alpine:3.20\n")
    args = ("--offline", "--no-config", "--platform", "windows/amd64", str(alpine))
    lint_code, lint_out, _ = dflint_cli("lint", *args)
    platforms_code, platforms_out, _ = dflint_cli("platforms", *args)
    assert (lint_code, platforms_code) == (1, 1)
    assert "DF201 [windows/amd64]" in lint_out and "windows/amd64  ✗   line 1:" in platforms_out


def test_lint_and_platforms_agree_online(
    registries: Registries, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DFLINT_OFFLINE", raising=False)
    monkeypatch.setenv("DFLINT_CACHE_DIR", str(tmp_path / "cache"))
    registry = registries.open
    texts = {
        "pinned/Dockerfile": f"FROM {registry.ref('single:amd64')}\nRUN true\n",
        "linux/arm64/Dockerfile": (
            f"FROM {registry.ref('dockerlist:1')}\n"
            "RUN curl -o /t https://example.com/tool-linux-amd64\n"
        ),
        "multi/Dockerfile": (
            f"FROM --platform=$BUILDPLATFORM {registry.ref('single:arm64')} AS build\n"
            f"FROM {registry.ref('multi:1')}\nCOPY --from=build /a /a\n"
        ),
        "windows/Dockerfile": f"# escape=`\nFROM {registry.ref('windows:ltsc2022')}\n",
    }
    for platforms in ((), ("linux/amd64", "linux/arm64", "linux/arm/v7", "windows/amd64")):
        options = Options(platforms=platforms, no_config=True)
        for path, text in texts.items():
            matrix = assert_agree(text, str(tmp_path / path), options, Config())
            assert matrix is not None
            assert all(base.resolution is None or base.resolution.source != "offline"
                       for base in matrix.bases)  # fmt: skip
    # the single-arch image is known from the registry here, not from a table
    options = Options(platforms=("linux/arm64",), no_config=True)
    matrix = assert_agree(texts["pinned/Dockerfile"], "pinned/Dockerfile", options, Config())
    assert matrix is not None
    [row] = matrix.target_rows
    assert row.status == "no" and [r.code for r in row.reasons] == ["DF201"]


# --- where targets come from ---------------------------------------------------------------


def targets_of(tmp_path: Path, relative: str, text: str, config: str = "") -> str:
    path = write_file(tmp_path, relative, text)
    if config:
        (tmp_path / ".dflint.toml").write_text(config)
    code, out, err = dflint_cli("lint", "--show-config", str(path))
    assert code == 0, err
    return "\n".join(line for line in out.splitlines() if line.startswith("# t") or "says" in line)


def test_targets_are_declared_or_default(tmp_path: Path) -> None:
    text = "FROM --platform=linux/arm64 arm64v8/alpine:3.20\n"
    assert targets_of(tmp_path, "a/linux/arm64/Dockerfile", text) == (
        f"# targets for {tmp_path}/a/linux/arm64/Dockerfile: linux/amd64, linux/arm64 "
        "(from default)\n"
        "# the file says it is for linux/arm64 (folder arm64): a per-architecture file, "
        'checked against it (per-arch-files = "accept" makes it the target)'
    )
    pragma = "# dflint: platform=linux/arm64\n" + text
    assert "linux/arm64 (from comment on line 1)" in targets_of(tmp_path, "b/Dockerfile", pragma)
    windows = "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n"
    assert "windows/amd64 (from default for a Windows image" in targets_of(
        tmp_path, "c/Dockerfile", windows
    )


def test_config_globs_accept_and_other_os_targets(tmp_path: Path) -> None:
    config = (
        'platforms = ["linux/amd64", "windows/amd64"]\n'
        'per-arch-files = "accept"\n'
        "[per-file-platforms]\n"
        '"legacy/*" = ["linux/amd64"]\n'
    )
    shown = targets_of(tmp_path, "legacy/Dockerfile", "FROM alpine:3.20\n", config)
    assert f"linux/amd64 (from per-file-platforms 'legacy/*' in {tmp_path}/.dflint.toml)" in shown
    shown = targets_of(tmp_path, "app/Dockerfile", "FROM alpine:3.20\n")
    assert shown.endswith(
        f"linux/amd64 (from platforms in {tmp_path}/.dflint.toml); left to another OS's "
        "Dockerfile: windows/amd64"
    )
    # accepting per-arch files makes the own platform the target only without a declaration
    (tmp_path / ".dflint.toml").write_text('per-arch-files = "accept"\n')
    shown = targets_of(tmp_path, "x/arm64/Dockerfile", "FROM arm64v8/alpine:3.20\n")
    assert 'linux/arm64 (from folder arm64 (per-arch-files = "accept"))' in shown


def test_bad_config_values_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="per-arch-files must be 'check' or 'accept'"):
        from_mapping({"per-arch-files": "acept"}, "t.toml", None)
    with pytest.raises(Exception, match=r"per-file-platforms\.'x': platforms: 'arm64'"):
        from_mapping({"per-file-platforms": {"x": ["arm64"]}}, "t.toml", None)
    (tmp_path / ".dflint.toml").write_text('per-arch-files = "acept"\n')
    write_file(tmp_path, "Dockerfile", "FROM alpine\n")
    code, _, err = dflint_cli("lint", str(tmp_path / "Dockerfile"))
    assert code == 2
    assert err.strip().endswith(
        "per-arch-files must be 'check' or 'accept' (did you mean 'accept'?)"
    )


def test_readme_per_arch_section_runs(tmp_path: Path) -> None:
    from test_readme import blocks, dflint, section

    text = section("Per-architecture files")
    [toml] = blocks(text, "toml")
    [commands] = blocks(text, "sh")
    write_file(
        tmp_path,
        "linux/arm64/Dockerfile",
        "FROM debian:bookworm-slim\n"
        "ADD https://github.com/tianon/gosu/releases/download/1.10/gosu-amd64 /usr/sbin/gosu\n",
    )
    lines = [line for line in commands.splitlines() if line.strip()]
    lint, show, platforms = (dflint(line, tmp_path) for line in lines)
    assert lint.returncode == 1 and "DF311 [linux/arm64] this linux/arm64 file" in lint.stdout
    assert "# the file says it is for linux/arm64 (folder arm64)" in show.stdout
    assert "  linux/arm64  ✗   line 2: this linux/arm64 file" in platforms.stdout
    assert "other platforms" not in platforms.stdout  # a per-arch file: its siblings' business
    (tmp_path / ".dflint.toml").write_text(toml)
    accepted = dflint(lines[0], tmp_path)
    assert "DF311" in accepted.stdout  # the layout is accepted, its contents still checked
    assert "(from folder arm64 (per-arch-files" in dflint(lines[1], tmp_path).stdout
