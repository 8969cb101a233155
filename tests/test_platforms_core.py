"""Platforms, the on-disk cache, the offline tables, and the registry settings in config."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest
from conftest import shared_path

from dflint.core.platform import Platform, describe, normalise_arch
from dflint.core.reference import parse_reference
from dflint.errors import ConfigError
from dflint.registry.cache import CacheEntry, DiskCache
from dflint.registry.offline import builtin_table
from dflint.registry.resolver import Resolver
from dflint.settings.config import from_mapping
from dflint.settings.registry import RegistrySettings

# --- platforms -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arch", "variant", "expected"),
    [
        ("x86_64", "", ("amd64", "")),
        ("amd64", "v1", ("amd64", "")),
        ("aarch64", "", ("arm64", "")),
        ("arm64", "v8", ("arm64", "")),
        ("armhf", "", ("arm", "v7")),
        ("armel", "", ("arm", "v6")),
        ("arm", "", ("arm", "v7")),
        ("arm", "6", ("arm", "v6")),
        ("i386", "", ("386", "")),
        ("riscv64", "", ("riscv64", "")),
    ],
)
def test_containerd_normalisation(arch: str, variant: str, expected: tuple[str, str]) -> None:
    assert normalise_arch(arch, variant) == expected


@pytest.mark.parametrize(
    ("image", "target", "serves"),
    [
        ("linux/arm64/v8", "linux/arm64", True),
        ("linux/arm64", "linux/arm64/v8", True),
        ("linux/arm/v7", "linux/arm", True),
        ("linux/arm/v6", "linux/arm/v7", True),  # an older ARM variant runs on a newer CPU
        ("linux/arm/v7", "linux/arm/v6", False),
        ("linux/386", "linux/amd64", False),  # 32-bit is not what a 64-bit target wants
        ("linux/arm/v7", "linux/arm64", False),
        ("linux/amd64/v3", "linux/amd64", False),
        ("linux/amd64", "windows/amd64", False),
        ("windows/amd64:10.0.17763.5820", "windows/amd64", True),
        ("windows/amd64:10.0.17763.5820", "windows/amd64:10.0.20348", False),
        ("windows/amd64:10.0.20348.2461", "windows/amd64:10.0.20348", True),
    ],
)
def test_which_image_serves_a_target(image: str, target: str, serves: bool) -> None:
    assert Platform.parse(image).serves(Platform.parse(target)) is serves


def test_oci_round_trip_and_text() -> None:
    data = {"os": "windows", "architecture": "amd64", "os.version": "10.0.20348.2461"}
    platform = Platform.from_oci(data)
    assert platform is not None
    assert platform.to_oci() == data
    assert str(platform) == "windows/amd64:10.0.20348.2461"
    assert platform.target == "windows/amd64"
    assert Platform.from_oci({"os": "linux"}) is None
    assert Platform.from_oci({"os": "unknown", "architecture": "unknown"}).is_attestation  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="not an os/arch"):
        Platform.parse("arm64")


def test_describe_folds_windows_builds() -> None:
    items = [
        Platform.parse(t) for t in ("linux/amd64", "windows/amd64:10.0.1", "windows/amd64:10.0.2")
    ]
    assert describe(items) == "linux/amd64, windows/amd64 (10.0.1, 10.0.2)"
    assert describe([]) == "no platform"


# --- cache -------------------------------------------------------------------------------------


def _entry(key: str, checked: float, platforms: tuple[Platform, ...] | None = None) -> CacheEntry:
    found = (Platform("linux", "amd64"),) if platforms is None else platforms
    return CacheEntry(key, found, "sha256:" + "1" * 64, "x", None, checked, checked)


def test_cache_round_trip_and_corruption(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "c")
    entry = _entry("docker.io/library/alpine:3.20", time.time())
    cache.put(entry)
    assert cache.get(entry.key) == entry
    assert cache.get("docker.io/library/alpine:3.21") is None
    files = list((tmp_path / "c").iterdir())
    assert len(files) == 1 and not files[0].name.startswith(".tmp")
    files[0].write_text('{"format": 1, "key": "docker.io/lib')  # torn by a crash
    assert cache.get(entry.key) is None
    files[0].write_text(json.dumps(entry.to_json() | {"key": "another"}))  # a hash collision
    assert cache.get(entry.key) is None


def test_cache_writes_are_atomic_under_concurrent_writers(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path)
    key = "ghcr.io/o/app:1"
    variants = [(Platform("linux", f"arch{i}"),) * 50 for i in range(8)]
    errors: list[str] = []
    stop = time.monotonic() + 1.0

    def write(index: int) -> None:
        while time.monotonic() < stop:
            cache.put(_entry(key, time.time(), variants[index]))

    def read() -> None:
        while time.monotonic() < stop:
            found = cache.get(key)
            if found is not None and found.platforms not in variants:
                errors.append("a reader saw a mixed entry")

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    threads += [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert cache.get(key) is not None
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp")]


def test_an_unwritable_cache_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = DiskCache(blocker / "cache")
    cache.put(_entry("a/b:c", time.time()))
    assert cache.write_errors == 1
    assert cache.get("a/b:c") is None


def test_offline_resolution_takes_cache_entries_of_any_age(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path)
    ref = parse_reference("ghcr.io/owner/tool:2")
    cache.put(_entry(ref.key, time.time() - 400 * 86400))
    resolution = Resolver(RegistrySettings(), offline=True, cache=cache).resolve(ref)
    assert resolution.known and resolution.complete
    assert resolution.source.startswith("stale cache (400")
    assert resolution.reason == "offline"


def test_resolving_offline_never_imports_the_client(tmp_path: Path) -> None:
    def factory(settings: RegistrySettings) -> object:
        raise AssertionError("the network client was created offline")

    resolver = Resolver(
        RegistrySettings(),
        offline=True,
        cache=DiskCache(tmp_path),
        client_factory=factory,  # type: ignore[arg-type]
    )
    result = resolver.resolve(parse_reference("ghcr.io/nobody/nothing:1"))
    assert not result.known
    assert result.reason == "offline, and not in the cache or the offline tables"
    assert resolver.requests == 0


# --- the built-in table -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "expected", "complete"),
    [
        ("archlinux", ["linux/amd64"], True),
        ("mcr.microsoft.com/windows/servercore:ltsc2022", ["windows/amd64:10.0.20348"], True),
        ("mcr.microsoft.com/windows/nanoserver:1809", ["windows/amd64:10.0.17763"], True),
        ("mcr.microsoft.com/windows/servercore:10.0.20348.2582",
         ["windows/amd64:10.0.20348.2582"], True),
        ("python:3.12-windowsservercore-ltsc2025", ["windows/amd64:10.0.26100"], True),
        ("mcr.microsoft.com/dotnet/framework/sdk:4.8", ["windows/amd64"], True),
        ("mysql:8.4", ["linux/amd64", "linux/arm64"], True),
    ],
)  # fmt: skip
def test_builtin_table_answers(reference: str, expected: list[str], complete: bool) -> None:
    answer = builtin_table().lookup(parse_reference(reference))
    assert answer is not None
    assert [str(p) for p in answer.platforms] == expected
    assert answer.complete is complete


def test_builtin_table_floors_and_variants() -> None:
    table = builtin_table()
    plain = table.lookup(parse_reference("python:3.12"))
    alpine = table.lookup(parse_reference("python:3.12-alpine3.20"))
    assert plain is not None and alpine is not None
    # a multi-OS tag: Linux platforms are a floor, and Windows may be there too
    assert not plain.complete
    assert "linux/arm/v6" in {p.target for p in alpine.platforms}
    assert "linux/arm/v6" not in {p.target for p in plain.platforms}


@pytest.mark.parametrize(
    "reference",
    [
        "python:3.12-linux-arm64",  # named for one architecture
        "example.com/unknown/image:1",
        f"alpine@sha256:{'b' * 64}",  # one manifest: a table cannot know which
    ],
)
def test_builtin_table_does_not_guess(reference: str) -> None:
    assert builtin_table().lookup(parse_reference(reference)) is None


def test_builtin_table_never_claims_a_platform_official_images_lack() -> None:
    """Every platform the table gives an official image's tag is one its library file builds;
    a complete entry also lists every one of them. Checked against all 9,849 tags."""
    data = json.loads(shared_path("data", "official-images-platforms.json").read_text())
    arch_to_oci = data["_meta"]["arch_to_oci"]
    table = builtin_table()
    checked = 0
    wrong = []
    for key, value in data["tags"].items():
        ref = parse_reference(key)
        answer = table.lookup(ref)
        if table.entry(ref) is None or answer is None:
            continue
        checked += 1
        actual = {Platform.from_oci(arch_to_oci[a]).target for a in value["arch"]}  # type: ignore[union-attr]
        claimed = {p.target for p in answer.platforms}
        if not claimed <= actual or (answer.complete and claimed != actual):
            wrong.append((key, sorted(claimed - actual), sorted(actual - claimed)))
    assert checked > 4000, checked
    assert not wrong, wrong[:10]


# --- settings in config ----------------------------------------------------------------------


def test_registry_settings_from_config() -> None:
    config = from_mapping(
        {
            "offline": True,
            "registry-mirrors": {"index.docker.io": ["mirror.gcr.io", "http://127.0.0.1:5000/"]},
            "insecure-registries": ["registry.lan:5000"],
            "cache-ttl": "12h",
            "registry-timeout": 5,
        },
        "test.toml",
        None,
    )
    assert config.offline
    settings = config.registry
    assert settings.mirrors_for("docker.io") == ("https://mirror.gcr.io", "http://127.0.0.1:5000")
    assert settings.cache_ttl == 12 * 3600
    assert settings.timeout == 5
    assert settings.allows_http("registry.lan:5000")
    assert settings.allows_http("localhost:5000")
    assert not settings.allows_http("registry.lan")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"registry-mirror": {}},
         "unknown key 'registry-mirror' (did you mean 'registry-mirrors'?)"),
        ({"cache_ttl": 5}, "unknown key 'cache_ttl' (did you mean 'cache-ttl'?)"),
        ({"offlne": True}, "unknown key 'offlne' (did you mean 'offline'?)"),
        ({"cache-ttl": "soon"}, "cache-ttl must be a duration such as 3600, '12h' or '7d'"),
        ({"cache-ttl": -1}, "cache-ttl must not be negative"),
        ({"registry-timeout": 0}, "registry-timeout must be more than 0"),
        ({"registry-timeout": 900}, "at most 300 seconds"),
        ({"offline": "yes"}, "offline must be true or false"),
        ({"insecure-registries": ["http://registry.lan"]}, "without http://"),
        ({"registry-mirrors": ["mirror.gcr.io"]}, "registry-mirrors must be a table"),
        ({"registry-mirrors": {"docker.io": ["ftp://m"]}}, "is not an http(s) URL"),
        (
            {"registry-mirrors": {"docker.io": ["http://mirror.lan"]}},
            "uses plain HTTP; list 'mirror.lan' in insecure-registries",
        ),
    ],
)  # fmt: skip
def test_bad_registry_settings_are_one_line_errors(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        from_mapping(data, "pyproject.toml [tool.dflint]", None)
    text = str(caught.value)
    assert message in text
    assert text.startswith("pyproject.toml [tool.dflint]: ")
    assert "\n" not in text


def test_an_http_mirror_named_insecure_is_allowed() -> None:
    config = from_mapping(
        {
            "insecure-registries": ["mirror.lan"],
            "registry-mirrors": {"docker.io": ["http://mirror.lan"]},
        },
        "x",
        None,
    )
    assert config.registry.mirrors_for("docker.io") == ("http://mirror.lan",)


def test_the_suite_itself_runs_offline() -> None:
    """conftest turns the network off for every test that does not ask for a registry."""
    assert os.environ["DFLINT_OFFLINE"] == "1"
    assert Path(os.environ["DFLINT_CACHE_DIR"]).name == "cache"
