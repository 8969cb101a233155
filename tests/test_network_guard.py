"""The guard of tests that download from a package index (conftest.package_download_failed):
offline they skip with the reason, under CI they fail, and with the index reachable a failed
download is the test's own failure."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import conftest
import pytest
from conftest import package_download_failed, package_index_unreachable


@pytest.fixture
def listening() -> Iterator[str]:
    """An http URL whose server accepts connections (a socket on 127.0.0.1)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/simple/"
    server.close()


@pytest.fixture
def refused() -> str:
    """An http URL on a port nothing listens on."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"http://127.0.0.1:{port}/simple/"


def test_an_unreachable_pip_index_skips_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, refused: str
) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", refused)
    monkeypatch.delenv("CI", raising=False)
    port = refused.split(":")[2].split("/")[0]
    with pytest.raises(pytest.skip.Exception, match=f"127.0.0.1:{port} cannot be reached"):
        package_download_failed("pip", "pip install x", "ERROR: could not fetch")


def test_under_ci_it_fails(monkeypatch: pytest.MonkeyPatch, refused: str) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", refused)
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match="CI is set, so this test must run"):
        package_download_failed("pip", "pip install x", "ERROR: could not fetch")


@pytest.mark.parametrize("ci", ["1", ""])
def test_with_the_index_reachable_the_failure_is_the_tests(
    monkeypatch: pytest.MonkeyPatch, listening: str, ci: str
) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", listening)
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="index is reachable:\nERROR: no such"):
        package_download_failed("pip", "pip install x", "ERROR: no such version")


def test_apt_needs_one_source_that_answers(
    monkeypatch: pytest.MonkeyPatch, listening: str, refused: str
) -> None:
    monkeypatch.setattr(conftest, "_apt_sources", lambda: [refused, listening])
    assert package_index_unreachable("apt") is None
    monkeypatch.setattr(conftest, "_apt_sources", lambda: [refused, refused])
    assert "cannot be reached" in (package_index_unreachable("apt") or "")


def test_a_local_index_is_never_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", "file:///opt/pypi/simple")
    assert package_index_unreachable("pip") is None
