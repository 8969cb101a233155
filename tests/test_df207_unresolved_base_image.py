from __future__ import annotations

from pathlib import Path

import pytest
from conftest import lint, span

from dflint.core.findings import Finding, Severity
from dflint.core.platform import Platform
from dflint.core.reference import parse_reference
from dflint.lint.engine import Options, lint_bytes
from dflint.registry.resolver import Resolution, unknown


def df207(text: str, *targets: str, known: dict[str, Resolution] | None = None) -> list[Finding]:
    options = Options(platforms=targets, no_config=True, base_images=known or {})
    result = lint_bytes(text.encode(), "Dockerfile", options)
    assert result.internal_errors == [], result.internal_errors  # a crash is no "not reported"
    return [finding for finding in result.findings if finding.code == "DF207"]


def test_an_image_nothing_knows_offline() -> None:
    [finding] = df207("FROM registry.example.com/team/base:1.4\n")
    assert finding.severity is Severity.INFO
    assert finding.message == (
        "cannot tell which platforms `registry.example.com/team/base:1.4` exists for: "
        "offline, and not in the cache or the offline tables"
    )


def test_the_registry_reason_is_passed_on() -> None:
    key = parse_reference("ghcr.io/o/private:1").key
    reason = "ghcr.io refused anonymous access (HTTP 401 with a fresh pull token)"
    [finding] = df207("FROM ghcr.io/o/private:1\n", known={key: unknown(key, reason)})
    assert finding.message.endswith(f"exists for: {reason}")


def test_an_arg_without_a_value_is_unknown_not_a_guess() -> None:
    [finding] = df207("ARG BASE\nARG TAG=1\nFROM ${BASE}:${TAG}\n")
    assert span(finding) == (3, 1, 3, 20)
    assert finding.message == (
        "cannot tell which platforms `${BASE}:${TAG}` exists for: the image depends on $BASE, "
        "declared without a default (a --build-arg may set it); without one it is `:1`"
    )


def test_messages_say_what_the_value_is_without_build_args() -> None:
    """An ARG without a default is empty, not "no value"; `${X:-default}` has its default."""
    cases = {
        "ARG VARIANT\nFROM busybox:stable${VARIANT}\n": "busybox:stable",
        "ARG TAG\nFROM alpine:${TAG:-3.14}\n": "alpine:3.14",
        "ARG DEBUG\nFROM scra${DEBUG:-tch}\n": "scratch",
    }
    for text, default in cases.items():
        [finding] = df207(text)
        assert "no value" not in finding.message
        assert finding.message.endswith(f"without one it is `{default}`")


def test_a_platform_arg_is_set_for_each_target() -> None:
    text = "FROM alpine AS build_amd64\nFROM alpine AS build_arm64\nFROM build_${TARGETARCH}\n"
    [finding] = df207(text)
    assert finding.message.endswith(
        "the image depends on $TARGETARCH, which is set for each target platform"
    )


def test_quotes_in_a_from_image_are_removed_as_buildkit_does() -> None:
    """BuildKit expands the FROM image as a shell word: `alpine:"3.19"` is alpine:3.19."""
    assert df207('ARG ALPINE_TAG=3.19\nFROM alpine:"${ALPINE_TAG}"\n') == []
    assert df207("FROM 'alpine':3.19\n") == []


def test_an_invalid_reference_says_why() -> None:
    [finding] = df207("FROM Alpine:3.20\n")
    assert finding.message.endswith(
        "not a valid image reference: repository name (library/Alpine) must be lowercase"
    )


def test_an_incomplete_answer_names_the_targets_it_cannot_confirm() -> None:
    key = parse_reference("python:3.12").key
    floor = Resolution(
        key, (Platform("linux", "amd64"),), True, False, "dflint's built-in table", "offline"
    )
    [finding] = df207("FROM python:3.12\n", "linux/amd64", "linux/s390x", known={key: floor})
    assert finding.platform == "linux/s390x"
    assert finding.message == (
        "cannot tell whether `python:3.12` exists for linux/s390x: dflint's built-in table "
        "lists only linux/amd64 (offline)"
    )


def test_resolved_images_stage_references_and_scratch_are_fine() -> None:
    text = "FROM alpine:3.20 AS a\nFROM a\nFROM scratch\n"
    assert not df207(text)
    assert not df207("FROM --platform=$BUILDPLATFORM golang:1.22-alpine\n", "linux/s390x")


def test_severity_comes_from_the_rule_and_strict_is_the_cli_s() -> None:
    # info by default: a run is not failed by it unless --strict (tested with the CLI)
    assert [f.severity for f in lint("FROM example.com/x:1\n") if f.code == "DF207"] == [
        Severity.INFO
    ]


def test_an_incomplete_answer_without_a_reason_ends_at_the_platforms() -> None:
    key = parse_reference("python:3.12").key
    floor = Resolution(key, (Platform("linux", "amd64"),), True, False, "the cache")
    [finding] = df207("FROM python:3.12\n", "linux/arm64", known={key: floor})
    assert span(finding) == (1, 1, 1, 17)
    assert finding.platform == "linux/arm64"
    assert finding.message == (
        "cannot tell whether `python:3.12` exists for linux/arm64: the cache lists only linux/amd64"
    )


def test_complete_answers_and_build_platform_stages_leave_nothing_open() -> None:
    """A complete answer without the target is DF201's; a $BUILDPLATFORM stage is not
    built for the targets."""
    key = parse_reference("python:3.12").key
    amd64 = (Platform("linux", "amd64"),)
    complete = Resolution(key, amd64, True, True, "registry")
    assert df207("FROM python:3.12\n", "linux/s390x", known={key: complete}) == []
    floor = Resolution(key, amd64, True, False, "dflint's built-in table", "offline")
    text = "FROM --platform=$BUILDPLATFORM python:3.12\n"
    assert df207(text, "linux/s390x", known={key: floor}) == []


def test_a_cache_folder_changed_between_lints_in_one_process_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the engine keeps one resolver per process and setting; a change of DFLINT_CACHE_DIR
    # (a test, a long-lived program) must give a resolver that reads the new folder
    import time

    from dflint.registry.cache import CacheEntry, DiskCache

    key = parse_reference("registry.example.com/app:1").key
    now = time.time()
    DiskCache(tmp_path / "known").put(
        CacheEntry(key, (Platform("linux", "amd64"),), None, None, None, now, now)
    )
    text = b"FROM registry.example.com/app:1\n"
    options = Options(no_config=True, offline=True)

    def codes() -> set[str]:
        return {finding.code for finding in lint_bytes(text, "Dockerfile", options).findings}

    monkeypatch.setenv("DFLINT_CACHE_DIR", str(tmp_path / "empty"))
    assert "DF207" in codes()  # nothing known of the image
    monkeypatch.setenv("DFLINT_CACHE_DIR", str(tmp_path / "known"))
    assert "DF207" not in codes() and "DF201" in codes()  # amd64 only, targets want arm64
    monkeypatch.setenv("DFLINT_CACHE_DIR", str(tmp_path / "empty"))
    assert "DF207" in codes()
