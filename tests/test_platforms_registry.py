"""The resolver against a real registry (Debian's docker-registry on 127.0.0.1, seeded by the
``registries`` fixture): every manifest kind, token auth, the cache layers, mirrors, the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from registry_fixture import Registries, Registry

from dflint.core.reference import parse_reference
from dflint.lint.engine import Options, lint_bytes
from dflint.registry.cache import DiskCache
from dflint.registry.client import RegistryClient
from dflint.registry.resolver import Resolution, Resolver
from dflint.settings.registry import RegistrySettings

ROOT = Path(__file__).resolve().parent.parent


class CountingTransport(httpx.HTTPTransport):
    """Counts the requests a client really sends, by method and host."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: Counter[tuple[str, str]] = Counter()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent[(request.method, request.url.netloc.decode())] += 1
        return super().handle_request(request)

    def methods(self) -> Counter[str]:
        counted: Counter[str] = Counter()
        for (method, _), number in self.sent.items():
            counted[method] += number
        return counted


def resolver(
    cache: Path, transport: CountingTransport | None = None, **settings: object
) -> Resolver:
    def factory(values: RegistrySettings) -> RegistryClient:
        return RegistryClient(values, backoff=0.01, transport=transport)

    return Resolver(
        RegistrySettings(**settings),  # type: ignore[arg-type]
        cache=DiskCache(cache),
        client_factory=factory,
    )


def no_network(values: RegistrySettings) -> RegistryClient:
    raise AssertionError("a warm cache must not need the network")


def shown(resolution: Resolution) -> list[str]:
    return [str(item) for item in resolution.platforms]


@pytest.fixture(params=["open", "token"])
def registry(request: pytest.FixtureRequest, registries: Registries) -> Registry:
    found: Registry = getattr(registries, request.param)
    return found


def test_every_seeded_image_resolves_to_its_platforms(registry: Registry, tmp_path: Path) -> None:
    transport = CountingTransport()
    refs = [parse_reference(registry.ref(name)) for name in registry.expected]
    results = resolver(tmp_path, transport).resolve_many(refs)
    for name, expected in registry.expected.items():
        result = results[parse_reference(registry.ref(name)).key]
        if name.startswith("private/") and registry.token_server is not None:
            assert not result.known
            assert "refused anonymous access" in (result.reason or "")
            continue
        assert result.known and result.complete, (name, result)
        # attestations (unknown/unknown) dropped; Windows os.version kept; config-blob platforms
        assert shown(result) == expected, name
        assert result.source == "registry"
        assert result.digest is not None and result.digest.startswith("sha256:")


def test_manifest_lists_need_no_config_blob(registry: Registry, tmp_path: Path) -> None:
    transport = CountingTransport()
    result = resolver(tmp_path, transport).resolve(parse_reference(registry.ref("dockerlist:1")))
    assert result.known
    paths = transport.methods()
    # HEAD for the digest, GET by digest; with token auth one token and one 401 more
    assert paths["GET"] == (2 if registry.token_server else 1)
    assert paths["HEAD"] == (2 if registry.token_server else 1)


def test_one_token_per_repository(registries: Registries, tmp_path: Path) -> None:
    registry = registries.token
    assert registry.token_server is not None
    before = registry.token_server.requests
    names = ["single:amd64", "single:arm64", "windows:ltsc2019", "windows:ltsc2022", "multi:1"]
    refs = [parse_reference(registry.ref(name)) for name in names]
    results = resolver(tmp_path).resolve_many(refs)
    assert all(item.known for item in results.values())
    # three repositories, resolved concurrently: one token each, never one per image
    assert registry.token_server.requests - before == 3


def test_a_warm_cache_makes_no_request(registry: Registry, tmp_path: Path) -> None:
    refs = [parse_reference(registry.ref(name)) for name in ("multi:1", "single:amd64")]
    first = resolver(tmp_path, CountingTransport())
    cold = first.resolve_many(refs)
    assert first.requests > 0
    warm_resolver = Resolver(
        RegistrySettings(), cache=DiskCache(tmp_path), client_factory=no_network
    )
    warm = warm_resolver.resolve_many(refs)
    assert warm_resolver.requests == 0
    for key, result in warm.items():
        assert result.source == "cache"
        assert result.platforms == cold[key].platforms


def test_an_expired_entry_is_revalidated_with_head_only(registry: Registry, tmp_path: Path) -> None:
    ref = parse_reference(registry.ref("attested:1"))
    resolver(tmp_path, cache_ttl=0.0).resolve(ref)
    transport = CountingTransport()
    again = resolver(tmp_path, transport, cache_ttl=0.0).resolve(ref)
    assert again.known and again.source == "cache (revalidated)"
    methods = transport.methods()
    assert methods["HEAD"] >= 1
    # GETs only for a token: the manifest itself is not fetched again
    assert methods["GET"] == (1 if registry.token_server else 0)


def test_a_digest_reference_is_answered_by_the_digest_cache(
    registries: Registries, tmp_path: Path
) -> None:
    registry = registries.open
    tagged = resolver(tmp_path).resolve(parse_reference(registry.ref("winmulti:1")))
    assert tagged.digest is not None
    pinned = parse_reference(registry.ref(f"winmulti@{tagged.digest}"))
    again = Resolver(RegistrySettings(), cache=DiskCache(tmp_path), client_factory=no_network)
    result = again.resolve(pinned)
    assert result.known and result.platforms == tagged.platforms


def test_a_missing_tag_is_unknown_and_remembered(registry: Registry, tmp_path: Path) -> None:
    ref = parse_reference(registry.ref("multi:does-not-exist"))
    result = resolver(tmp_path).resolve(ref)
    assert not result.known
    assert result.reason == f"{registry.host} has no manifest multi:does-not-exist (HTTP 404)"
    again = Resolver(RegistrySettings(), cache=DiskCache(tmp_path), client_factory=no_network)
    assert again.resolve(ref).reason == result.reason


def test_mirrors_are_tried_first(registries: Registries, tmp_path: Path) -> None:
    mirror = registries.open
    transport = CountingTransport()
    settings = {"mirrors": (("registry.invalid", (mirror.url,)),)}
    result = resolver(tmp_path, transport, **settings).resolve(
        parse_reference("registry.invalid/dockerlist:1")
    )
    assert shown(result) == mirror.expected["dockerlist:1"]
    assert {host for _, host in transport.sent} == {mirror.host}


def test_a_failing_mirror_falls_back_to_the_registry(
    registries: Registries, tmp_path: Path
) -> None:
    registry = registries.open
    dead = "http://127.0.0.1:9"  # discard port: nothing listens
    settings = {"mirrors": ((registry.host, (dead,)),), "timeout": 4.0}
    result = resolver(tmp_path, **settings).resolve(parse_reference(registry.ref("multi:1")))
    assert result.known and shown(result) == registry.expected["multi:1"]


# --- through the engine and the CLI ----------------------------------------------------------


def lint_online(text: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *targets: str) -> list:  # type: ignore[type-arg]
    monkeypatch.delenv("DFLINT_OFFLINE")
    monkeypatch.setenv("DFLINT_CACHE_DIR", str(tmp_path / "cache"))
    options = Options(platforms=targets, no_config=True)
    return lint_bytes(text.encode(), "Dockerfile", options).findings


def test_df201_for_an_arm64_less_image_and_not_for_a_multi_arch_one(
    registries: Registries, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    registry = registries.token
    text = (
        f"FROM {registry.ref('single:amd64')} AS one\n"
        f"FROM {registry.ref('multi:1')} AS two\n"
        f"FROM {registry.ref('attested:1')}\n"
    )
    findings = lint_online(text, monkeypatch, tmp_path, "linux/amd64", "linux/arm64")
    found = [(f.code, f.line) for f in findings if f.code.startswith("DF20")]
    assert found == [("DF201", 1)]
    [finding] = [f for f in findings if f.code == "DF201"]
    assert finding.platform == "linux/arm64"
    assert finding.message == (
        f"base image `{registry.ref('single:amd64')}` has no linux/arm64 image; "
        "it exists for linux/amd64"
    )


def test_windows_builds_are_named(
    registries: Registries, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    registry = registries.open
    text = f"FROM {registry.ref('winmulti:1')}\n"
    [finding] = [
        f
        for f in lint_online(text, monkeypatch, tmp_path, "linux/arm64", "windows/amd64")
        if f.code == "DF201"
    ]
    assert finding.message.endswith(
        "it exists for linux/amd64, windows/amd64 (10.0.17763.5820, 10.0.20348.2461)"
    )


def run_dflint(
    *args: str, cache: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "DFLINT_OFFLINE"}
    environment["DFLINT_CACHE_DIR"] = str(cache)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "dflint", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        cwd=ROOT,
    )


def test_cli_lint_cold_then_warm(registries: Registries, tmp_path: Path) -> None:
    registry = registries.token
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(f"FROM {registry.ref('single:amd64')}\nRUN true\n")
    args = ("lint", "--format", "json", "--platform", "linux/amd64,linux/arm64", str(dockerfile))
    cold = run_dflint(*args, cache=tmp_path / "cache")
    assert cold.returncode == 1, cold.stderr
    assert [f["code"] for f in json.loads(cold.stdout)["findings"]] == ["DF201"]
    # the second run: same answer, and httpx is never imported (so no request can be made)
    probe = (
        "import sys, runpy\n"
        f"sys.argv = ['dflint', *{list(args)!r}]\n"
        "try:\n    runpy.run_module('dflint', run_name='__main__')\n"
        "except SystemExit as exit:\n    code = exit.code\n"
        "print('httpx' in sys.modules, code, file=sys.stderr)\n"
    )
    environment = {k: v for k, v in os.environ.items() if k != "DFLINT_OFFLINE"}
    environment["DFLINT_CACHE_DIR"] = str(tmp_path / "cache")
    warm = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, env=environment
    )
    assert warm.stderr.strip().splitlines()[-1] == "False 1", warm.stderr
    assert json.loads(warm.stdout) == json.loads(cold.stdout)


def test_cli_platforms_matrix_against_the_registry(registries: Registries, tmp_path: Path) -> None:
    registry = registries.open
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(
        f"FROM --platform=$BUILDPLATFORM {registry.ref('single:arm64')} AS build\n"
        "RUN echo build > /out\n"
        f"FROM {registry.ref('dockerlist:1')} AS base\n"
        f"FROM {registry.ref('multi:1')} AS tools\n"
        "FROM base\n"
        "COPY --from=build /out /out\n"
        "COPY --from=tools /bin/sh /tools/sh\n"
    )
    result = run_dflint("platforms", "--format", "json", str(dockerfile), cache=tmp_path / "c")
    assert result.returncode == 0, result.stderr
    [matrix] = json.loads(result.stdout)["files"]
    # no targets were named: the default ones, as lint uses; the other platforms the final
    # stage's base offers are judged too, and shown apart
    assert matrix["targets"] == ["linux/amd64", "linux/arm64"]
    rows = {row["platform"]: row for row in matrix["platforms"]}
    assert rows["linux/amd64"]["buildable"] is True
    assert rows["linux/arm64"]["buildable"] is True
    for target in ("linux/arm/v7", "linux/ppc64le"):
        assert rows[target]["role"] == "offered"
        assert rows[target]["buildable"] is False
        [reason] = rows[target]["reasons"]
        assert (reason["code"], reason["kind"]) == ("DF201", "base-image-lacks-platform")
        assert reason["stage"] == "tools"
        assert reason["message"] == (
            f"base image `{registry.ref('multi:1')}` has no linux/arm/v7, linux/ppc64le "
            "image; it exists for linux/amd64, linux/arm64"
        )
    build = matrix["bases"][0]
    assert build["platform_flag"] == "$BUILDPLATFORM"
    assert build["platforms"] == ["linux/arm64/v8"]


def test_cli_platforms_text_shows_windows_os_versions(
    registries: Registries, tmp_path: Path
) -> None:
    registry = registries.open
    dockerfile = tmp_path / "Dockerfile.windows"
    dockerfile.write_text(f"# escape=`\nFROM {registry.ref('windows:ltsc2019')}\nRUN dir\n")
    result = run_dflint(
        "platforms",
        "--platform",
        "windows/amd64,linux/amd64",
        str(dockerfile),
        cache=tmp_path / "c",
    )
    assert result.returncode == 0  # linux/amd64 is the Linux Dockerfile's target
    assert "windows/amd64 (10.0.17763.5820)  [registry]" in result.stdout
    lines = result.stdout.splitlines()
    assert any(line.split()[:2] == ["windows/amd64", "✓"] for line in lines), result.stdout
    assert "  left to another OS's Dockerfile: linux/amd64" in lines
    result = run_dflint(
        "platforms", "--platform", "linux/amd64", str(dockerfile), cache=tmp_path / "c"
    )
    assert result.returncode == 1
    [linux] = [line for line in result.stdout.splitlines() if line.strip().startswith("linux/")]
    assert "✗" in linux and "has no linux/amd64 image" in linux


def test_cold_and_warm_resolution_time(registries: Registries, tmp_path: Path) -> None:
    """The figures in the report: every seeded image, cold (token auth) then warm."""
    registry = registries.token
    refs = [parse_reference(registry.ref(name)) for name in registry.expected] * 1
    start = time.perf_counter()
    resolver(tmp_path).resolve_many(refs)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    Resolver(RegistrySettings(), cache=DiskCache(tmp_path), client_factory=no_network).resolve_many(
        [ref for ref in refs if not ref.repository.startswith("private/")]
    )
    warm = time.perf_counter() - start
    print(f"\n{len(refs)} images: cold {cold * 1000:.0f} ms, warm {warm * 1000:.1f} ms")
    assert warm < cold


def test_a_digest_reference_never_cached_is_fetched_then_kept(
    registries: Registries, tmp_path: Path
) -> None:
    registry = registries.open
    digest = resolver(tmp_path / "first").resolve(parse_reference(registry.ref("multi:1"))).digest
    pinned = parse_reference(registry.ref(f"multi@{digest}"))
    transport = CountingTransport()
    fetched = resolver(tmp_path / "second", transport).resolve(pinned)
    assert fetched.known and shown(fetched) == registry.expected["multi:1"]
    assert transport.methods() == {"GET": 1}  # by digest: no HEAD needed
    again = Resolver(
        RegistrySettings(), cache=DiskCache(tmp_path / "second"), client_factory=no_network
    )
    assert again.resolve(pinned).platforms == fetched.platforms
