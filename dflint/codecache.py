"""Dataclasses at start-up: their compiled methods kept between runs, `inspect` deferred.

`dataclasses` writes each class's ``__init__``, ``__repr__``, ``__eq__``, ``__hash__`` (and, when
frozen, ``__setattr__``/``__delattr__``) as source text and compiles that text every time the
class is created. The lint path creates about 70 classes: compiling their methods took 30-40 ms
of a 150 ms start (BENCHMARKS.md, issue 16). The text is the same on every run of the same
dflint under the same Python, so its compiled code is kept in one file in the user's cache,
keyed by the text itself: a class whose text changed simply misses and is compiled as before.
Only the ``exec`` that `dataclasses` calls is replaced, so the classes are the ones
`dataclasses` makes. The cache is an optimisation: a missing, unreadable, foreign or corrupt
file is ignored (and rewritten), and nothing is written under ``PYTHONDONTWRITEBYTECODE``, as
Python does with its own bytecode.

`dataclasses` also imports `inspect` (10 ms here, with ast, dis and tokenize) for one use: a
docstring for a class that has none. Every dflint dataclass has its own
(tests/test_dataclass_docs.py), so until `dataclasses` is imported `inspect` is a stand-in
that loads the real module at the first name anyone reads from it.

``DFLINT_NO_CODE_CACHE=1`` turns both off.
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import importlib
import marshal
import os
import sys
from types import CodeType, ModuleType
from typing import Any

from dflint.userdirs import ENV_CACHE_DIR, user_cache_dir

ENV_DISABLE = "DFLINT_NO_CODE_CACHE"
# A file larger than this is not ours (the lint path's methods take about 150 KiB).
_MAX_BYTES = 8 * 1024 * 1024
# Texts of classes that no longer exist stay until the file holds this many; then it is
# written afresh with what this run used.
_MAX_ENTRIES = 5000
_FILE_NAME = f"dataclass-methods-{sys.implementation.cache_tag}-{sys.hexversion:x}.marshal"

_codes: dict[str, CodeType] = {}
_new: dict[str, CodeType] = {}
# how many method texts were compiled in this process (the tests read it)
compiled = 0


def cache_file() -> str:
    """Where the compiled methods live: beside the platform cache (``DFLINT_CACHE_DIR``, or
    the user's cache directory)."""
    override = os.environ.get(ENV_CACHE_DIR)
    return os.path.join(override or user_cache_dir(), _FILE_NAME)


def _load(path: str) -> dict[str, CodeType]:
    try:
        with open(path, "rb") as stream:
            info = os.fstat(stream.fileno())
            if info.st_size > _MAX_BYTES:
                return {}
            # someone else's file, or one others may write, could hold any code: not read
            # (POSIX modes; Windows reports every writable file as 0o666 and guards the
            # user's cache folder with its ACL instead)
            if hasattr(os, "getuid") and (info.st_mode & 0o022 or info.st_uid != os.getuid()):
                return {}
            loaded = marshal.loads(stream.read())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {
        key: value
        for key, value in loaded.items()
        if isinstance(key, str) and isinstance(value, CodeType)
    }


def _save(path: str) -> None:
    """Write the cache with what this run added (atomically; any failure is ignored)."""
    if not _new or sys.dont_write_bytecode:
        return
    merged = {**_load(path), **_codes, **_new}
    if len(merged) > _MAX_ENTRIES:
        merged = {**_codes, **_new}
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        descriptor = os.open(temporary, flags, 0o600)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(marshal.dumps(merged))
        os.replace(temporary, path)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _exec(source: Any, globals: Any = None, locals: Any = None, /) -> None:
    """`exec` for `dataclasses`: compiled code from the cache when the text was seen before."""
    global compiled
    if isinstance(source, str):
        code = _codes.get(source) or _new.get(source)
        if code is None:
            code = compile(source, "<string>", "exec")  # what exec(str) compiles
            _new[source] = code
            compiled += 1
        source = code
    builtins.exec(source, globals, locals)


class _DeferredModule(ModuleType):
    """Stands in ``sys.modules`` for a module until one of its names is read, then loads the
    real module and takes on all its names. (The standard library's LazyLoader cannot do
    this for a module that others `import`: the import statement reads ``__spec__``, which
    makes LazyLoader load at once.)"""

    def __getattr__(self, name: str) -> Any:
        # called only for a name the stand-in lacks: every name but the module's own few
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        real = importlib.import_module(self.__name__)
        sys.modules[self.__name__] = real
        self.__dict__.update(real.__dict__)
        return getattr(real, name)


def _defer(name: str) -> None:
    """Make `import name` cheap until something reads a name from the module."""
    if name in sys.modules:
        return
    from importlib.machinery import PathFinder

    spec = PathFinder.find_spec(name)
    if spec is None:
        return
    module = _DeferredModule(name)
    # what find_spec answers for a module in sys.modules; `import` only asks whether it is
    # being initialised
    module.__spec__ = spec
    sys.modules[name] = module


def install() -> None:
    """Have `dataclasses` take its methods' code from the cache for the rest of the run, and
    `inspect` wait for its first use. ``DFLINT_NO_CODE_CACHE=1`` leaves both as they are."""
    if os.environ.get(ENV_DISABLE):
        return
    _defer("inspect")
    import dataclasses

    if getattr(dataclasses, "exec", None) is _exec:
        return
    try:
        path = cache_file()
    except Exception:
        return
    _codes.update(_load(path))
    # `dataclasses` looks `exec` up in its own module before the builtins
    dataclasses.exec = _exec  # type: ignore[attr-defined]
    atexit.register(_save, path)
