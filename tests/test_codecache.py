"""Dataclass methods, regular expressions and dflint's modules are kept compiled between
runs, what they make behaves as if made afresh, and a bad cache file costs nothing but the
work it would have saved."""

from __future__ import annotations

import importlib.util
import marshal
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import dflint
from dflint import codecache


def cache_env(cache: Path, **extra: str) -> dict[str, str]:
    """This environment with the start-up cache on, in ``cache``, and bytecode written."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.pop(codecache.ENV_DISABLE, None)
    env.update({"DFLINT_CACHE_DIR": str(cache), **extra})
    return env


# Create the lint path's classes, then report how many method texts had to be compiled.
PROBE = (
    "import dflint.lint.engine, dflint.rules, dflint.codecache as c, dataclasses;"
    "print(c.compiled, getattr(dataclasses, 'exec', None) is c._exec)"
)


def run(cache: Path, **extra: str) -> tuple[int, bool]:
    env = cache_env(cache, **extra)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    assert done.stderr == ""
    compiled, installed = done.stdout.split()
    return int(compiled), installed == "True"


def cache_file(cache: Path) -> Path:
    [path] = cache.glob("startup-*.marshal")
    return path


def test_the_second_run_compiles_nothing(tmp_path: Path) -> None:
    first, installed = run(tmp_path)
    assert installed and first > 100  # __init__, __repr__, __eq__, ... of each class
    saved, _ = codecache._load(str(cache_file(tmp_path)))
    assert len([key for key in saved if isinstance(key, str)]) == first
    assert run(tmp_path) == (0, True)
    assert oct(cache_file(tmp_path).stat().st_mode & 0o777) == "0o600"


def test_classes_made_from_the_cache_behave_alike(tmp_path: Path) -> None:
    code = (
        "from dflint.read.model import Span; import dataclasses;"
        "a = Span(1, 2, 3, 4); print(a, a == Span(1, 2, 3, 4), hash(a) == hash(Span(1, 2, 3, 4)));"
        "print(dataclasses.replace(a, line=9))\n"
        "try:\n a.line = 5\nexcept dataclasses.FrozenInstanceError: print('frozen')"
    )
    env = cache_env(tmp_path)
    outputs = [
        subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    ]
    assert outputs[0] == outputs[1]
    assert "True True" in outputs[0] and "line=9" in outputs[0] and "frozen" in outputs[0]


MAGIC = codecache._MAGIC
INDEX = marshal.dumps({"x": (0, 5)})


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not marshal at all",
        marshal.dumps({"x": 1}),  # the first version's format
        MAGIC,
        MAGIC + b"\xff\xff\xff\x7f",  # an index longer than the file
        MAGIC + len(INDEX).to_bytes(4, "little") + INDEX,  # entries missing
        MAGIC + (5).to_bytes(4, "little") + b"\x00" * 64,
    ],
)
def test_a_corrupt_or_foreign_file_is_ignored_and_replaced(tmp_path: Path, content: bytes) -> None:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / codecache._FILE_NAME).write_bytes(content)
    os.chmod(tmp_path / codecache._FILE_NAME, 0o600)
    assert run(tmp_path)[0] > 100
    assert run(tmp_path)[0] == 0


def test_a_file_others_may_write_is_not_read(tmp_path: Path) -> None:
    run(tmp_path)
    os.chmod(cache_file(tmp_path), 0o666)
    assert run(tmp_path)[0] > 100


def test_no_file_without_bytecode_writing_or_when_turned_off(tmp_path: Path) -> None:
    assert run(tmp_path / "a", PYTHONDONTWRITEBYTECODE="1")[0] > 100
    assert not (tmp_path / "a").exists()
    compiled, installed = run(tmp_path / "b", DFLINT_NO_CODE_CACHE="1")
    assert not installed and compiled == 0
    assert not (tmp_path / "b").exists()


def test_a_cache_folder_that_cannot_be_made_is_no_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder would go\n")
    assert run(blocker)[0] > 100
    assert blocker.read_text() == "a file where the folder would go\n"


def test_inspect_waits_for_its_first_use_and_is_then_the_real_module(tmp_path: Path) -> None:
    code = (
        "import sys, dflint.lint.engine, importlib.util;"
        "print('ast' in sys.modules, importlib.util.find_spec('inspect').name);"
        "import inspect; print(inspect.signature(len), 'ast' in sys.modules);"
        "print(sys.modules['inspect'] is inspect.getmodule(inspect.signature))"
    )
    env = cache_env(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines() == [
        "False inspect",
        "(obj, /) True",
        "True",
    ]


# Every pattern dflint's modules hold, compiled through the cache: is each the pattern
# re.compile makes? Prints how many were compiled from text, and any that differ.
PATTERNS = """
import importlib, pkgutil, re, sys
import dflint, dflint.rules, dflint.codecache as c
from dflint import lazyre
names = [m.name for m in pkgutil.walk_packages(dflint.__path__, "dflint.")]
seen = {}
for name in names:
    if name.endswith("__main__"):
        continue  # runs the command line
    module = importlib.import_module(name)
    for value in vars(module).values():
        slots = getattr(type(value), "__slots__", None)
        found = [value]
        if isinstance(slots, tuple) and not isinstance(value, lazyre._Pattern):
            found = [getattr(value, slot, None) for slot in slots]  # FoldedPattern
        for pattern in found:
            if isinstance(pattern, lazyre._Pattern):
                seen[(pattern._source, pattern._flags)] = pattern
differ = []
for (source, flags), lazy in seen.items():
    lazy.search("")  # compiles it, through the cache
    made, fresh = c.compile_pattern(source, flags), re.compile(source, flags)
    if not (made == fresh and made.groupindex == fresh.groupindex and made.groups == fresh.groups
            and type(made) is re.Pattern and made.pattern == source):
        differ.append(source)
print(len(seen), c.patterns_compiled, differ)
"""


def run_patterns(cache: Path) -> tuple[int, int, str]:
    env = cache_env(cache)
    done = subprocess.run(
        [sys.executable, "-c", PATTERNS], env=env, capture_output=True, text=True, check=True
    )
    count, compiled, differ = done.stdout.split(maxsplit=2)
    return int(count), int(compiled), differ.strip()


def test_patterns_from_the_cache_are_the_patterns_re_makes(tmp_path: Path) -> None:
    count, compiled, differ = run_patterns(tmp_path)
    assert count > 100 and compiled >= count and differ == "[]"
    # the second run builds every one of them from its kept program
    assert run_patterns(tmp_path) == (count, 0, "[]")


def test_a_kept_program_the_matcher_refuses_is_compiled_again(tmp_path: Path) -> None:
    source = r"(?P<arch>amd64|arm64)-linux"
    bad: dict[codecache.Key, bytes | memoryview] = {
        ("re", source, 0): marshal.dumps((0, [1, 2, 3], 0, {}, ()))
    }
    codecache._write(str(tmp_path / codecache._FILE_NAME), bad)
    code = (
        "import dflint.codecache as c;"
        f"p = c.compile_pattern({source!r}, 0);"
        "print(p.match('arm64-linux')['arch'], c.patterns_compiled)"
    )
    env = cache_env(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["arm64", "1"]


# dflint's modules from a copy of the package: a probe module's value, how many dflint
# modules were read from disk, and whether __file__, package resources and source work.
MODULE_PROBE = """
import sys
sys.path.insert(0, sys.argv[1])
import dflint, dflint.codecache as c
import dflint._cache_probe as probe, dflint.analyse.catalogue as catalogue
import importlib.resources, inspect
resource = importlib.resources.files("dflint.analyse").joinpath("catalogue.json").is_file()
here = probe.__file__.startswith(sys.argv[1]) and catalogue.__file__.startswith(sys.argv[1])
source = "def tables" in inspect.getsource(catalogue.tables)
print(probe.VALUE, c.modules_read, here, resource, source)
"""


def copy_of_dflint(folder: Path, value: str) -> Path:
    package = folder / "dflint"
    shutil.copytree(
        Path(dflint.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__")
    )
    if not (package / "rules").is_dir():  # an editable install maps dflint.rules to rules/
        rules = importlib.util.find_spec("dflint.rules")
        assert rules is not None and rules.origin is not None
        shutil.copytree(Path(rules.origin).parent, package / "rules")
    (package / "_cache_probe.py").write_text(f"VALUE = {value!r}\n")
    os.utime(package / "_cache_probe.py", ns=(1_700_000_000_000_000_000,) * 2)
    return folder


def run_module_probe(cache: Path, folder: Path, check: bool = True) -> list[str]:
    env = cache_env(cache)
    env.pop("PYTHONPATH", None)  # the copy, not this checkout
    done = subprocess.run(
        [sys.executable, "-P", "-c", MODULE_PROBE, str(folder)],
        env=env,
        capture_output=True,
        text=True,
        cwd=folder,
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done.stdout.split() if done.returncode == 0 else [done.stderr]


def test_modules_come_from_the_cache_until_their_source_changes(tmp_path: Path) -> None:
    # two installations whose probe files have the same size and modification time
    first = copy_of_dflint(tmp_path / "a", "one")
    second = copy_of_dflint(tmp_path / "b", "two")
    cache = tmp_path / "cache"
    read = run_module_probe(cache, first)
    assert read[0] == "one" and int(read[1]) > 3 and read[2:] == ["True"] * 3
    # each installation's own modules, never the other's
    assert run_module_probe(cache, second)[0] == "two"
    # nothing read from disk the second time; __file__, resources and source as before
    assert run_module_probe(cache, first) == ["one", "0", "True", "True", "True"]
    assert run_module_probe(cache, second) == ["two", "0", "True", "True", "True"]
    (first / "dflint" / "_cache_probe.py").write_text("VALUE = 'changed'\n")
    assert run_module_probe(cache, first)[:2] == ["changed", "1"]
    (first / "dflint" / "_cache_probe.py").unlink()
    [gone] = run_module_probe(cache, first, check=False)
    # a module that no longer exists is not found, as without the cache
    assert "ModuleNotFoundError: No module named 'dflint._cache_probe'" in gone


JSON_PROBE = """
import sys, dflint.codecache as c
print(c.read_json(sys.argv[1]), "json" in sys.modules)
"""


def test_data_files_come_from_the_cache_until_they_change(tmp_path: Path) -> None:
    data = tmp_path / "table.json"
    data.write_text('{"alpine": ["linux/amd64", "linux/arm64"], "n": 1.5}')
    env = cache_env(tmp_path / "cache")

    def probe() -> str:
        return subprocess.run(
            [sys.executable, "-c", JSON_PROBE, str(data)],
            env=env, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip

    first = "{'alpine': ['linux/amd64', 'linux/arm64'], 'n': 1.5}"
    assert probe() == f"{first} True"
    assert probe() == f"{first} False"  # the same values, without parsing
    data.write_text('{"alpine": ["linux/amd64"]}')
    assert probe() == "{'alpine': ['linux/amd64']} True"
    data.write_text("{not json")
    failed = subprocess.run(
        [sys.executable, "-c", JSON_PROBE, str(data)], env=env, capture_output=True, text=True
    )
    assert "JSONDecodeError" in failed.stderr  # errors are json's, as without the cache


def test_entries_no_run_uses_go_when_the_file_grows_too_large(tmp_path: Path) -> None:
    # what another installation left: kept while the file is small, dropped past the budget
    path = str(tmp_path / codecache._FILE_NAME)
    codecache._write(path, {"small, unused": b"x" * 1000})
    run(tmp_path)
    kept, _ = codecache._load(path)
    assert "small, unused" in kept
    entries: dict[codecache.Key, bytes | memoryview] = {
        **codecache._blobs(*codecache._load(path)),
        "large, unused": b"x" * (codecache._KEEP_BYTES + 1),
    }
    codecache._write(path, entries)
    # a run that adds something (a pattern no module holds) rewrites the file
    env = cache_env(tmp_path)
    subprocess.run(
        [sys.executable, "-c", "import dflint.codecache as c; c.compile_pattern('new-[0-9]+')"],
        env=env, check=True,
    )  # fmt: skip
    kept, _ = codecache._load(path)
    assert "large, unused" not in kept and "small, unused" not in kept
    assert ("re", "new-[0-9]+", 0) in kept
    assert os.path.getsize(path) < codecache._KEEP_BYTES


@pytest.mark.skipif(not hasattr(os, "pread"), reason="read whole where os.pread is missing")
def test_strings_are_read_when_asked_for_and_a_file_cut_short_is_a_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(tmp_path)  # a cache file made by a real run
    path = cache_file(tmp_path)
    whole_index, whole = codecache._load(str(path))
    index, strings = codecache._load(str(path), whole=False)
    assert index == whole_index
    last = max(index, key=lambda key: index[key][0])
    start, length = index[last]
    assert strings[start : start + length] == bytes(whole[start : start + length])
    monkeypatch.setattr(codecache, "_stored", index)
    monkeypatch.setattr(codecache, "_data", strings)
    monkeypatch.setattr(codecache, "_new", {})
    monkeypatch.setattr(codecache, "_used", set())
    assert codecache._entry(last) is not None
    with path.open("r+b") as stream:  # another process rewrote it in place, shorter
        stream.truncate(path.stat().st_size - 1)
    assert codecache._entry(last) is None  # a miss, not an error
