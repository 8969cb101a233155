"""Start-up: what Python would redo on every run, kept between runs; `inspect` deferred.

A cold start of a 2-line lint is mostly Python making the same things again: dflint's
modules, its dataclasses' methods, its regular expressions. This module keeps all three in
one file in the user's cache (``DFLINT_CACHE_DIR`` or the user cache folder), each keyed so
that anything that changed simply misses and is made as before (BENCHMARKS.md, issue 16).

- **Dataclass methods.** `dataclasses` writes each class's ``__init__``, ``__repr__``,
  ``__eq__``, ``__hash__`` (and, when frozen, ``__setattr__``/``__delattr__``) as source text
  and compiles it every time the class is created: 30-40 ms of a 150 ms start for the ~70
  classes of the lint path. Their code is kept keyed by the text itself. Only the ``exec``
  that `dataclasses` calls is replaced, so the classes are the ones `dataclasses` makes.
- **Regular expressions.** `re` turns a pattern's text into a program for its C matcher in
  Python code (about 90 µs a pattern). :func:`compile_pattern` keeps the program, keyed by
  the text and flags, and hands it back to the matcher's constructor. A program is kept only
  after the pattern built from it compared equal to what ``re.compile`` made (patterns compare
  by their program), so a Python whose `re` works differently simply compiles as before.
- **Modules.** Finding one of dflint's ~95 lint-path modules in its package folder, then
  opening and checking its ``.pyc``, costs more in Python's import machinery than reading
  its code. :class:`_Finder` keeps each module's code with the path, modification time and
  size of the source it was compiled from (what a ``.pyc`` checks) and, while those still
  match, hands it to Python's own source loader: one ``stat`` a module.
- **Data files.** The command catalogue and the table of well-known images are JSON;
  :func:`read_json` keeps what they hold in marshal's form, checked like a module.

The cache is an optimisation: a missing, unreadable, foreign or corrupt file is ignored (and
rewritten), a file others may write is not read, and nothing is written under
``PYTHONDONTWRITEBYTECODE``, as Python does with its own bytecode. Each entry is its own
marshal string, read only when asked for: the file also holds what other commands used.

`dataclasses` also imports `inspect` (10 ms here, with ast, dis and tokenize) for one use: a
docstring for a class that has none. Every dflint dataclass has its own
(tests/test_dataclass_docs.py), so until `dataclasses` is imported `inspect` is a stand-in
that loads the real module at the first name anyone reads from it.

``DFLINT_NO_CODE_CACHE=1`` turns all of this off.
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import importlib
import marshal
import os
import re
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec, PathFinder, SourceFileLoader
from types import CodeType, ModuleType

from dflint.userdirs import ENV_CACHE_DIR, user_cache_dir

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from typing import Any

ENV_DISABLE = "DFLINT_NO_CODE_CACHE"
# A file larger than this is not ours (one installation's lint path takes about 1.5 MiB).
_MAX_BYTES = 8 * 1024 * 1024
# Entries no run asks for any more (another installation's modules, an old version's
# methods) stay until the file would hold more than this; then it is written afresh with
# what this run used.
_KEEP_BYTES = 4 * 1024 * 1024
_FILE_NAME = f"startup-{sys.implementation.cache_tag}-{sys.hexversion:x}.marshal"
_MAGIC = b"dflint-startup-1\n"

# A method's text, ("re", text, flags) for a pattern, ("module", name, 0) for a module or
# ("json", path, 0) for a data file -> that entry's marshal string.
Key = str | tuple[str, str, int]
# the file's index and its marshal strings (see _load), and the entries this run made
_stored: dict[Key, tuple[int, int]] = {}
_data: memoryview | _Strings = memoryview(b"")
_new: dict[Key, bytes] = {}
_used: set[Key] = set()
# whether install() put the cache in place for this process
_active = False
# how many method texts and patterns were compiled from text, and how many of dflint's
# modules were read from their .pyc or source, in this process (the tests read them)
compiled = 0
patterns_compiled = 0
modules_read = 0


def cache_file() -> str:
    """Where the start-up cache lives: beside the platform cache (``DFLINT_CACHE_DIR``, or
    the user's cache directory)."""
    override = os.environ.get(ENV_CACHE_DIR)
    return os.path.join(override or user_cache_dir(), _FILE_NAME)


class _Strings:
    """The marshal strings of an open cache file, each read when asked for (``os.pread``):
    a run needs a tenth of a file that holds every command's modules, and reading it all
    took 2-3 ms of each start. A string cut short (the file shrank under this run) fails to
    unmarshal, and is then a miss like any other."""

    __slots__ = ("_base", "_descriptor")

    def __init__(self, descriptor: int, base: int) -> None:
        self._descriptor = descriptor
        self._base = base

    def __getitem__(self, place: slice) -> bytes:
        start, stop = place.start, place.stop
        try:
            return os.pread(self._descriptor, stop - start, self._base + start)
        except (OSError, ValueError, OverflowError):
            return b""


def _load(
    path: str, whole: bool = True
) -> tuple[dict[Key, tuple[int, int]], memoryview | _Strings]:
    """The file's index (key -> where its marshal string starts, and its length) and the
    strings themselves (``whole``: read at once; else a :class:`_Strings` reading each when
    asked, where ``os.pread`` exists), or nothing when the file is missing, foreign or not
    whole."""
    nothing: tuple[dict[Key, tuple[int, int]], memoryview] = ({}, memoryview(b""))
    head = len(_MAGIC) + 4
    lazy = not whole and hasattr(os, "pread")
    try:
        with open(path, "rb") as stream:
            info = os.fstat(stream.fileno())
            if info.st_size > _MAX_BYTES:
                return nothing
            # someone else's file, or one others may write, could hold any code: not read
            # (POSIX modes; Windows reports every writable file as 0o666 and guards the
            # user's cache folder with its ACL instead)
            if hasattr(os, "getuid") and (info.st_mode & 0o022 or info.st_uid != os.getuid()):
                return nothing
            data = memoryview(stream.read(head) if lazy else stream.read())
            if data[: len(_MAGIC)] != _MAGIC or len(data) < head:
                return nothing
            size = int.from_bytes(data[len(_MAGIC) : head], "little")
            index = marshal.loads(stream.read(size) if lazy else data[head : head + size])
            if not isinstance(index, dict):
                return nothing
            if lazy:  # a descriptor of its own stays open for the strings
                return index, _Strings(os.dup(stream.fileno()), head + size)
            # the strings are sliced from the file only when asked for, without a copy each
            return index, data[head + size :]
    except (OSError, EOFError, ValueError, TypeError):
        return nothing


def _write(path: str, entries: dict[Key, bytes | memoryview]) -> None:
    """Write ``entries`` as the cache file at ``path``, atomically (a failure is ignored)."""
    index: dict[Key, tuple[int, int]] = {}
    offset = 0
    for key, blob in entries.items():
        index[key] = (offset, len(blob))
        offset += len(blob)
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        head = marshal.dumps(index)
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        descriptor = os.open(temporary, flags, 0o600)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(_MAGIC + len(head).to_bytes(4, "little") + head)
            for blob in entries.values():
                stream.write(blob)
        os.replace(temporary, path)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _blobs(
    index: dict[Key, tuple[int, int]], data: memoryview | _Strings
) -> dict[Key, memoryview | bytes]:
    found: dict[Key, memoryview | bytes] = {}
    for key, place in index.items():
        with contextlib.suppress(TypeError, ValueError):
            start, length = place
            found[key] = data[start : start + length]
    return found


def _save(path: str) -> None:
    """Write the cache with what this run added (atomically; any failure is ignored)."""
    if not _new or sys.dont_write_bytecode:
        return
    entries: dict[Key, bytes | memoryview] = {
        **_blobs(*_load(path)),
        **_blobs(_stored, _data),
        **_new,
    }
    if sum(len(blob) for blob in entries.values()) > _KEEP_BYTES:
        entries = {key: entries[key] for key in _used if key in entries}
    _write(path, entries)


def _entry(key: Key) -> object:
    """The kept value for ``key``, or None."""
    blob: bytes | memoryview | None = _new.get(key)
    if blob is None:
        place = _stored.get(key)
        if place is None:
            return None
        try:
            start, length = place
            blob = _data[start : start + length]
            value = marshal.loads(blob)
        except (EOFError, ValueError, TypeError):
            return None
    else:
        value = marshal.loads(blob)
    _used.add(key)
    return value


def _keep(key: Key, value: Any) -> None:
    _used.add(key)
    if not sys.dont_write_bytecode:
        with contextlib.suppress(ValueError):  # not marshal-able: simply not kept
            _new[key] = marshal.dumps(value)


def _exec(source: Any, globals: Any = None, locals: Any = None, /) -> None:
    """`exec` for `dataclasses`: compiled code from the cache when the text was seen before."""
    global compiled
    if isinstance(source, str):
        code = _entry(source)
        if not isinstance(code, CodeType):
            code = compile(source, "<string>", "exec")  # what exec(str) compiles
            _keep(source, code)
            compiled += 1
        source = code
    builtins.exec(source, globals, locals)


def exec_cached(source: str, globals: dict[str, Any], locals: dict[str, Any]) -> None:
    """`exec` of code dflint generates itself (the shell model's quick ``__init__``), kept
    compiled like the dataclass methods while the cache is on."""
    if _active:
        _exec(source, globals, locals)
    else:
        builtins.exec(source, globals, locals)


def compile_pattern(source: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(source, flags)``, built from the kept program when there is one."""
    global patterns_compiled
    if not _active:
        return re.compile(source, flags)
    key = ("re", source, flags)
    program = _entry(key)
    if isinstance(program, tuple):
        try:
            return _sre_compile(source, *program)
        except Exception:  # not a program this Python's matcher takes: compile the text
            pass
    pattern = re.compile(source, flags)
    patterns_compiled += 1
    if not sys.dont_write_bytecode:
        program = _program(source, flags, pattern)
        if program is not None:
            _keep(key, program)
    return pattern


def read_json(path: str) -> Any:
    """``json.load`` of one of dflint's own data files, from the cache while the file has the
    modification time and size it was read at (marshal reads the same values back several
    times faster, and a run that needs no other JSON does not import `json`). Errors are
    json's and the file system's, as without the cache."""
    status = None
    if _active:
        with contextlib.suppress(OSError):
            status = os.stat(path)
    key: Key = ("json", path, 0)
    if status is not None:
        kept = _entry(key)
        if (
            isinstance(kept, tuple)
            and len(kept) == 3
            and kept[:2] == (status.st_mtime_ns, status.st_size)
        ):
            return kept[2]
    import json

    with open(path, "rb") as stream:
        data = json.load(stream)
    if status is not None:
        _keep(key, (status.st_mtime_ns, status.st_size, data))
    return data


def _sre_compile(source: str, *program: Any) -> re.Pattern[str]:
    import _sre  # type: ignore[import-not-found]  # the constructor re.compile ends with

    pattern: re.Pattern[str] = _sre.compile(source, *program)
    return pattern


def _program(source: str, flags: int, expected: re.Pattern[str]) -> tuple[Any, ...] | None:
    """What `re` hands the matcher for this pattern (the steps of ``re._compiler.compile``),
    or None when the pattern built from it differs from ``expected`` or `re` has changed."""
    try:
        # private to `re` (and without type stubs): any change there lands in the except
        _parser = importlib.import_module("re._parser")
        _compiler = importlib.import_module("re._compiler")
        parsed = _parser.parse(source, flags)
        code = _compiler._code(parsed, flags)
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        # `re`'s opcodes are int subclasses, which marshal refuses; the matcher reads ints
        program = (
            int(flags | parsed.state.flags),
            [int(word) for word in code],
            parsed.state.groups - 1,
            groupindex,
            tuple(indexgroup),
        )
        # what a later run reads back, not what is at hand
        rebuilt = _sre_compile(source, *marshal.loads(marshal.dumps(program)))
    except Exception:
        return None
    # Patterns compare by flags and program: equal means the same matcher.
    same = (
        rebuilt == expected
        and rebuilt.groups == expected.groups
        and rebuilt.groupindex == expected.groupindex
    )
    return program if same else None


class _Loader(SourceFileLoader):
    """Python's loader for source files, handed the module's compiled code by :class:`_Finder`
    when the cache holds code compiled from the source as it is now. The rest (package
    resources, ``__file__``, tracebacks) is the standard loader's."""

    def __init__(self, fullname: str, path: str, key: Key, code: CodeType | None = None) -> None:
        super().__init__(fullname, path)
        self._key = key
        self._code = code

    def get_code(self, fullname: str) -> CodeType:
        global modules_read
        code, self._code = self._code, None
        if code is not None:
            return code
        modules_read += 1
        try:
            # before the source is read, as Python stamps a .pyc: a file changed meanwhile
            # is then read again next time, never kept as this code
            status: os.stat_result | None = os.stat(self.path)
        except OSError:
            status = None
        compiled = super().get_code(fullname)
        if status is not None and compiled is not None:
            record = (self.path, status.st_mtime_ns, status.st_size, self.is_package(fullname))
            _keep(self._key, (*record, compiled))
        return compiled  # type: ignore[return-value]


class _Finder:
    """Finds dflint's own modules. Where the cache holds a module's code, compiled from the
    source that Python would find now (the same file in the same package folder, with the
    same modification time and size), that code is used: a module then costs one ``stat``
    instead of a search of its package folder and the opening and checking of its ``.pyc``.
    Otherwise Python's path finder finds it, and :class:`_Loader` keeps its code for the next
    run. Entries are per package folder: two installations of dflint never share one."""

    @staticmethod
    def find_spec(
        fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        # A package of one folder (dflint's all are): with more, which folder holds the
        # module is the path finder's question.
        if not fullname.startswith("dflint.") or path is None or len(path) != 1:
            return None
        folder = path[0]
        # compiled under -O or -OO, code differs (as in a .pyc's name)
        key: Key = ("module", f"{fullname} {sys.flags.optimize} {folder}", 0)
        kept = _entry(key)
        if isinstance(kept, tuple) and len(kept) == 5 and isinstance(kept[4], CodeType):
            origin, modified, size, is_package, code = kept
            where = os.path.dirname(origin) if isinstance(origin, str) else ""
            if is_package:
                where = os.path.dirname(where)
            try:
                status = os.stat(origin) if where == folder else None
            except (OSError, TypeError, ValueError):
                status = None
            if status and (status.st_mtime_ns, status.st_size) == (modified, size):
                kept_spec = ModuleSpec(
                    fullname,
                    _Loader(fullname, origin, key, code),
                    origin=origin,
                    is_package=is_package,
                )
                kept_spec.has_location = True  # __file__ and __cached__, as for any source
                if is_package:
                    kept_spec.submodule_search_locations = [os.path.dirname(origin)]
                return kept_spec
        found = PathFinder.find_spec(fullname, path, target)
        if found is not None and type(found.loader) is SourceFileLoader and found.origin:
            found.loader = _Loader(fullname, found.origin, key)
        return found


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
    spec = PathFinder.find_spec(name)
    if spec is None:
        return
    module = _DeferredModule(name)
    # what find_spec answers for a module in sys.modules; `import` only asks whether it is
    # being initialised
    module.__spec__ = spec
    sys.modules[name] = module


def install() -> None:
    """Put the start-up cache in place for the rest of the run (dataclass methods, pattern
    programs, dflint's modules and data files), and have `inspect` wait for its first use.
    ``DFLINT_NO_CODE_CACHE=1`` leaves everything as Python has it."""
    global _active, _data, _stored
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
    _stored, _data = _load(path, whole=False)
    # `dataclasses` looks `exec` up in its own module before the builtins
    dataclasses.exec = _exec  # type: ignore[attr-defined]
    # just ahead of Python's path finder, whose work it saves: finders put in front of that
    # (a test's, an editable install's) still come first
    finders = sys.meta_path
    position = next((i for i, f in enumerate(finders) if f is PathFinder), len(finders))
    finders.insert(position, _Finder)
    _active = True
    atexit.register(_save, path)
