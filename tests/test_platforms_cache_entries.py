"""Cache entries that cannot be read are misses, never errors or hangs, and the next
answer replaces them; `dflint platforms` is linear in an image's platform count."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from registry_fixture import Registries

from dflint.app.matrix import matrix_for
from dflint.core.platform import Platform
from dflint.core.reference import parse_reference
from dflint.lint.engine import Options
from dflint.registry.cache import CacheEntry, DiskCache
from dflint.registry.client import RegistryClient
from dflint.registry.resolver import Resolution, Resolver
from dflint.settings.registry import RegistrySettings

KEY = "docker.io/library/alpine:3.20"


def entry(key: str = KEY) -> CacheEntry:
    now = time.time()
    platforms = (Platform("linux", "amd64"), Platform("linux", "arm64"))
    return CacheEntry(key, platforms, "sha256:" + "0" * 64, None, None, now, now)


def spoil(path: Path, how: str) -> None:
    if how == "deep-json":
        path.write_text("[" * 100_000)
    elif how == "huge-number":  # json reads it as an int that float() cannot hold
        fields = {"format": 1, "key": KEY, "platforms": [], "fetched": 1, "checked": 1}
        path.write_text(json.dumps(fields).replace('"fetched": 1', '"fetched": 1' + "0" * 400))
    elif how == "wrong-types":
        path.write_text(json.dumps({"format": 1, "key": KEY, "platforms": "linux/amd64"}))
    elif how == "not-utf8":
        path.write_bytes(b'{"format": 1, "key": "\xff"}')
    elif how == "fifo":
        os.mkfifo(path)
    elif how == "folder":
        path.mkdir()
    elif how == "loop":
        path.symlink_to(path.name)
    elif how == "device":
        path.symlink_to("/dev/zero")


SPOILS = [
    "deep-json", "huge-number", "wrong-types", "not-utf8", "fifo", "folder", "loop", "device",
]  # fmt: skip


@pytest.mark.parametrize("how", SPOILS)
def test_an_entry_that_cannot_be_read_is_a_miss_and_is_replaced(tmp_path: Path, how: str) -> None:
    cache = DiskCache(tmp_path)
    path = cache._path(KEY)
    spoil(path, how)
    assert cache.get(KEY) is None  # and it returns: a FIFO is never opened for reading
    cache.put(entry())
    assert cache.write_errors == 0
    stored = cache.get(KEY)
    assert stored is not None and stored.platforms == entry().platforms
    assert path.is_file() and not path.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary left


@pytest.mark.parametrize("how", ["deep-json", "fifo"])
def test_lint_and_platforms_run_with_a_spoilt_cache(tmp_path: Path, how: str) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    spoil(DiskCache(cache)._path(KEY), how)
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\n")
    env = {**os.environ, "DFLINT_CACHE_DIR": str(cache), "DFLINT_OFFLINE": "1"}
    for command in (("lint",), ("platforms",)):
        result = subprocess.run(
            [sys.executable, "-m", "dflint", *command, "Dockerfile"],
            capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr


def test_the_registry_answer_replaces_a_spoilt_entry(
    registries: Registries, tmp_path: Path
) -> None:
    reference = registries.open.ref("multi:1")
    ref = parse_reference(reference)
    cache = DiskCache(tmp_path)
    spoil(cache._path(ref.key), "deep-json")

    def factory(values: RegistrySettings) -> RegistryClient:
        return RegistryClient(values, backoff=0.01)

    settings = RegistrySettings(insecure=(registries.open.host,))
    answer = Resolver(settings, cache=cache, client_factory=factory).resolve(ref)
    assert (answer.source, answer.known) == ("registry", True)
    stored = cache.get(ref.key)
    assert stored is not None and stored.platforms == answer.platforms


def test_coverage_is_looked_up_not_scanned(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each target is compared with the platforms of its own architecture only, so a matrix
    of an image with n platforms makes O(n) comparisons, not n²."""
    count = 4000
    platforms = tuple(Platform("linux", f"arch{index}") for index in range(count))
    resolution = Resolution(KEY, platforms, True, True, "registry")
    calls = 0
    serves = Platform.serves

    def counting(self: Platform, target: Platform) -> bool:
        nonlocal calls
        calls += 1
        return serves(self, target)

    monkeypatch.setattr(Platform, "serves", counting)
    for item in platforms:
        assert resolution.covers(item) is True
    assert resolution.covers(Platform("linux", "riscv64")) is False
    assert calls <= count + 1


def test_the_platforms_matrix_of_a_huge_index_compares_linearly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dflint.read.parser import parse_text

    count = 3000
    platforms = tuple(Platform("linux", f"arch{index}") for index in range(count))
    resolution = Resolution(KEY, platforms, True, True, "registry")
    calls = 0
    serves = Platform.serves

    def counting(self: Platform, target: Platform) -> bool:
        nonlocal calls
        calls += 1
        return serves(self, target)

    monkeypatch.setattr(Platform, "serves", counting)
    options = Options(no_config=True, offline=True, base_images={KEY: resolution})
    from dflint.settings.config import Config

    matrix = matrix_for(parse_text("FROM alpine:3.20\n"), options, Config(), False)
    # the two default targets, which this base lacks, then every platform it offers
    targets = [row for row in matrix.rows if row.role == "target"]
    offered = [row for row in matrix.rows if row.role == "offered"]
    assert [(row.platform, row.status) for row in targets] == [
        ("linux/amd64", "no"),
        ("linux/arm64", "no"),
    ]
    assert len(offered) == count and {row.status for row in offered} == {"yes"}
    assert calls <= 2 * count
