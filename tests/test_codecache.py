"""The compiled methods of dataclasses are kept between runs, and a bad cache file costs
nothing but the compile it would have saved."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dflint import codecache

# Create the lint path's classes, then report how many method texts had to be compiled.
PROBE = (
    "import dflint.lint.engine, dflint.rules, dflint.codecache as c, dataclasses;"
    "print(c.compiled, getattr(dataclasses, 'exec', None) is c._exec)"
)


def run(cache: Path, **extra: str) -> tuple[int, bool]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.pop(codecache.ENV_DISABLE, None)
    env.update({"DFLINT_CACHE_DIR": str(cache), **extra})
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    assert done.stderr == ""
    compiled, installed = done.stdout.split()
    return int(compiled), installed == "True"


def cache_file(cache: Path) -> Path:
    [path] = cache.glob("dataclass-methods-*.marshal")
    return path


def test_the_second_run_compiles_nothing(tmp_path: Path) -> None:
    first, installed = run(tmp_path)
    assert installed and first > 100  # __init__, __repr__, __eq__, ... of each class
    saved = marshal.loads(cache_file(tmp_path).read_bytes())
    assert len(saved) == first
    assert run(tmp_path) == (0, True)
    assert oct(cache_file(tmp_path).stat().st_mode & 0o777) == "0o600"


def test_classes_made_from_the_cache_behave_alike(tmp_path: Path) -> None:
    code = (
        "from dflint.read.model import Span; import dataclasses;"
        "a = Span(1, 2, 3, 4); print(a, a == Span(1, 2, 3, 4), hash(a) == hash(Span(1, 2, 3, 4)));"
        "print(dataclasses.replace(a, line=9))\n"
        "try:\n a.line = 5\nexcept dataclasses.FrozenInstanceError: print('frozen')"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["DFLINT_CACHE_DIR"] = str(tmp_path)
    outputs = [
        subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    ]
    assert outputs[0] == outputs[1]
    assert "True True" in outputs[0] and "line=9" in outputs[0] and "frozen" in outputs[0]


@pytest.mark.parametrize(
    "content", [b"", b"not marshal at all", marshal.dumps([1, 2]), marshal.dumps({"x": 1})]
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
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["DFLINT_CACHE_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines() == [
        "False inspect",
        "(obj, /) True",
        "True",
    ]
