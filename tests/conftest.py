"""Shared fixtures. Tests that read ../shared skip when it is absent, and fail under CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared; skips the test when it is missing, fails when CI is set."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"{path} is not present"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set, so this test must run)")
        pytest.skip(message)
    return path


@pytest.fixture
def corpus() -> Path:
    return shared_path("corpus")


def lint(
    text: str,
    path: str = "Dockerfile",
    platforms: tuple[str, ...] = (),
    select: tuple[str, ...] = (),
) -> list:  # type: ignore[type-arg]
    """Findings for Dockerfile text, with no config file involved."""
    from dflint.engine import Options, lint_bytes

    options = Options(platforms=platforms, select=select, no_config=True)
    return lint_bytes(text.encode(), path, options).findings


def codes(text: str, path: str = "Dockerfile", platforms: tuple[str, ...] = ()) -> list[str]:
    return [finding.code for finding in lint(text, path, platforms)]
