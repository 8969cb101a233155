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
