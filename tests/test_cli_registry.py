"""Registries as hooks and CI meet them (issue 14): a private registry that speaks plain HTTP
on a non-loopback address, and the ways to allow it (`--insecure-registry`,
`DFLINT_INSECURE_REGISTRIES`, the config), taking effect on the very next run.

The registry is the suite's real one (tests/registry_fixture.py, plain HTTP on 127.0.0.1),
reached through a small TCP relay on this machine's own non-loopback address, so that dflint
does not trust it as loopback and tries HTTPS first, as it would for `registry.lan:5000`.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from registry_fixture import Registries


def own_address() -> str:
    """This machine's address on its default route (no packet is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routing only
            address: str = probe.getsockname()[0]
    except OSError:
        address = ""
    if not address or address.startswith("127."):
        message = "no non-loopback IPv4 address on this machine"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI is set, so this test must run")
        pytest.skip(message)
    return address


class Relay:
    """Listens on ``address`` and copies bytes both ways to ``target`` (host, port)."""

    def __init__(self, address: str, target: tuple[str, int]) -> None:
        self.target = target
        self.server = socket.socket()
        self.server.bind((address, 0))
        self.server.listen(16)
        self.server.settimeout(0.2)
        self.host = f"{address}:{self.server.getsockname()[1]}"
        self.running = True
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                client, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            upstream = socket.create_connection(self.target, timeout=10)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=5)
        self.server.close()


@pytest.fixture
def relay(registries: Registries) -> Iterator[Relay]:
    host, port = registries.open.host.rsplit(":", 1)
    found = Relay(own_address(), (host, int(port)))
    yield found
    found.close()


def lint(
    folder: Path, *args: str, cache: Path, **env: str
) -> tuple[int, list[dict[str, object]], str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("DFLINT_OFFLINE", "CI")}
    environment.update(DFLINT_CACHE_DIR=str(cache), **env)
    done = subprocess.run(
        [sys.executable, "-m", "dflint", "lint", "--format", "json", "-v",
         "--platform", "linux/amd64,linux/arm64", *args, "Dockerfile"],
        capture_output=True, text=True, cwd=folder, env=environment, timeout=120,
    )  # fmt: skip
    return done.returncode, json.loads(done.stdout)["findings"], done.stderr


def test_a_plain_http_registry_says_how_to_allow_it(relay: Relay, tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(f"FROM {relay.host}/multi:1\nRUN echo hello\n")
    cache = tmp_path / "cache"
    code, findings, _ = lint(tmp_path, cache=cache)
    assert code == 0  # unknown is an info finding
    [finding] = findings
    assert finding["code"] == "DF207"
    message = str(finding["message"])
    assert "SSL" in message, message  # the TLS error itself, e.g. WRONG_VERSION_NUMBER
    assert message.endswith(
        f"; {relay.host} speaks plain HTTP, not HTTPS: allow it with --insecure-registry "
        f"{relay.host}, DFLINT_INSECURE_REGISTRIES or insecure-registries in the config"
    )
    # allowed on the next run, with the same cache: the https endpoint is remembered as
    # unreachable, the http one is another endpoint and is asked
    code, findings, stderr = lint(tmp_path, "--insecure-registry", relay.host, cache=cache)
    assert (code, findings) == (0, []), stderr
    assert f"base image {relay.host}/multi:1: linux/amd64, linux/arm64 (registry)" in stderr
    # the environment variable does the same (a fresh cache: nothing remembered)
    code, findings, stderr = lint(
        tmp_path, cache=tmp_path / "env", DFLINT_INSECURE_REGISTRIES=f"other.lan, {relay.host}"
    )
    assert (code, findings) == (0, []), stderr
    # and the config, where it always could be said
    (tmp_path / ".dflint.toml").write_text(f'insecure-registries = ["{relay.host}"]\n')
    code, findings, stderr = lint(tmp_path, cache=tmp_path / "config")
    assert (code, findings) == (0, []), stderr


def test_a_bad_insecure_registry_value_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\n")
    environment = {**os.environ, "DFLINT_INSECURE_REGISTRIES": "http://registry.lan"}
    for args, env in (
        (["--insecure-registry", "http://registry.lan"], dict(os.environ)),
        ([], environment),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "dflint", "lint", *args, "Dockerfile"],
            capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
        )  # fmt: skip
        assert done.returncode == 2
        where = "--insecure-registry" if args else "DFLINT_INSECURE_REGISTRIES"
        assert done.stderr == (
            f"dflint: error: {where}: 'http://registry.lan' is not a host[:port] "
            "(write registry.lan:5000, without http://)\n"
        )
