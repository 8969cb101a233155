"""Shared fixtures. Tests that read ../shared skip when it is absent, and fail under CI."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

import pytest
from action_runner import action_runner  # noqa: F401 - dflint installed by action.yml
from registry_fixture import registries  # noqa: F401 - one seeded registry per session

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

# No test reaches the internet or sees the user's cache or imported tables: base images are
# resolved offline, in throw-away folders (also for the dflint processes tests start), unless
# a test says otherwise (the registry tests, against 127.0.0.1).
_HERMETIC = Path(tempfile.mkdtemp(prefix="dflint-tests-"))
os.environ["DFLINT_OFFLINE"] = "1"
os.environ["DFLINT_CACHE_DIR"] = str(_HERMETIC / "cache")
os.environ["DFLINT_DATA_DIR"] = str(_HERMETIC / "data")
atexit.register(shutil.rmtree, _HERMETIC, ignore_errors=True)


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


# --- package registries: tests that download -------------------------------------------
# pip installs (the action's install step, pre-commit's hook environment, the sdist's build
# requirements) and apt downloads (busybox-static for the build and verify tests) need a
# package index. A test calls package_download_failed when such a step fails: offline, it
# skips with the reason, except under CI, where a skip would hide that it never ran; with
# the index reachable the failure is the test's own, and shown. No test probes first, so a
# download that local wheels or caches can serve still runs without a network.


def _pip_index() -> str:
    configured = os.environ.get("PIP_INDEX_URL", "")
    if not configured:
        found = subprocess.run(
            [sys.executable, "-m", "pip", "config", "get", "global.index-url"],
            capture_output=True,
            text=True,
        )
        configured = found.stdout if found.returncode == 0 else ""
    return (configured.split() or ["https://pypi.org/simple/"])[0]


def _apt_sources() -> list[str]:
    files = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]
    found: list[str] = []
    for path in files:
        try:
            text = path.read_text()
        except OSError:
            continue
        for line in text.splitlines():
            words = line.split("#", 1)[0].split()
            if words[:1] == ["URIs:"]:
                found += words[1:]
            elif words[:1] in (["deb"], ["deb-src"]):
                found += [word for word in words[1:] if "://" in word][:1]
    return found


def _unreachable(url: str) -> str | None:
    """Why ``url``'s server (or the proxy for it) cannot be reached, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None  # file:, cdrom:, ...: nothing to reach over the network
    proxy = os.environ.get(f"{parts.scheme}_proxy") or os.environ.get(
        f"{parts.scheme.upper()}_PROXY"
    )
    if proxy:
        parts = urlsplit(proxy)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((host, port), timeout=5).close()
    except OSError as exc:
        return f"{host}:{port} cannot be reached ({exc})"
    return None


def package_index_unreachable(kind: str) -> str | None:
    """Why the ``pip`` or ``apt`` package index cannot be reached from here, or None. For
    apt, one source that answers is enough (other sources may well be private or gone)."""
    urls = [_pip_index()] if kind == "pip" else _apt_sources()
    reasons = [_unreachable(url) for url in urls]
    if not urls or any(reason is None for reason in reasons):
        return None
    return "; ".join(reason for reason in reasons if reason is not None)


def package_download_failed(kind: str, what: str, output: str) -> NoReturn:
    """``what`` (a ``pip`` or ``apt`` download) failed: skip when the index is unreachable
    (fail under CI), else fail with the output."""
    reason = package_index_unreachable(kind)
    if reason is None:
        pytest.fail(f"{what} failed, and the {kind} package index is reachable:\n{output}")
    message = f"{what} needs the {kind} package index: {reason}"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI is set, so this test must run)")
    pytest.skip(message)


# --- permissions: tests that need file modes to apply -------------------------------------
# CI runs as root, whom file modes do not stop: such tests start dflint as `nobody` with
# setpriv (util-linux, in every Debian), in a folder `nobody` can enter.


def unprivileged() -> list[str]:
    """The command prefix that runs a program as a user whom file modes restrict: nothing
    when not root; setpriv to `nobody` as root (a test skips without setpriv, and fails
    under CI, where it must run)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        if os.environ.get("CI"):
            pytest.fail("setpriv (util-linux) is needed to drop root in this test")
        pytest.skip("setpriv is not installed")
    return [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder `nobody` can enter (pytest's tmp_path sits in a root-only folder)."""
    folder = Path(tempfile.mkdtemp(prefix="dflint-perm-"))
    folder.chmod(0o755)
    yield folder
    for path in folder.rglob("*"):
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    shutil.rmtree(folder)


def lint(
    text: str,
    path: str = "Dockerfile",
    platforms: tuple[str, ...] = (),
    select: tuple[str, ...] = (),
) -> list:  # type: ignore[type-arg]
    """Findings for Dockerfile text, with no config file involved."""
    from dflint.lint.engine import Options, lint_bytes

    options = Options(platforms=platforms, select=select, no_config=True)
    result = lint_bytes(text.encode(), path, options)
    # a rule that crashed leaves no finding behind: "no DFnnn here" must not pass on a crash
    assert result.internal_errors == [], result.internal_errors
    return result.findings


def span(finding: Any) -> tuple[int, int, int, int]:
    """Where a finding points: (line, column, end line, end column)."""
    return (finding.line, finding.column, finding.end_line, finding.end_column)


def codes(text: str, path: str = "Dockerfile", platforms: tuple[str, ...] = ()) -> list[str]:
    return [finding.code for finding in lint(text, path, platforms)]


def dflint_cli(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    """Run `dflint ARGS` in-process (offline, as every test is), from ``cwd`` when given:
    exit code, stdout, stderr."""
    from cli_runner import run_cli

    result = run_cli(*args, cwd=cwd)
    return result.exit_code, result.stdout, result.stderr


def write_file(root: Path, relative: str, text: str) -> Path:
    """A file at a real layout's path below ``root`` (``linux/arm64/Dockerfile``)."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path
