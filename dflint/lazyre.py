"""Regular expressions compiled on first use.

dflint's modules hold about 130 patterns at module level, and a small file needs a fifth of
them: compiling them all at import took 10-15 ms of a cold start. A pattern made here is
compiled the first time one of its attributes is read; from then on each method is a plain
slot, as quick to reach as on the compiled pattern. Compiling goes through
:func:`dflint.codecache.compile_pattern`, which keeps the compiled program between runs.
"""

from __future__ import annotations

import re

from dflint.codecache import compile_pattern

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from typing import Any

_ATTRIBUTES = (
    "search",
    "match",
    "fullmatch",
    "finditer",
    "findall",
    "sub",
    "subn",
    "split",
    "scanner",
    "pattern",
    "flags",
    "groups",
    "groupindex",
)


class _Pattern:
    """A pattern whose methods are slots holding the compiled pattern's bound methods.

    (No ``__getattr__`` here: a class with one reaches every attribute through a slower
    path, 50 ns a call, so the pattern changes to this class once compiled.)"""

    __slots__ = ("_flags", "_source", *_ATTRIBUTES)
    _source: str
    _flags: int
    pattern: str
    flags: int

    def __eq__(self, other: object) -> bool:
        # as compiled patterns compare: by their text and flags
        if isinstance(other, _Pattern):
            return (self._source, self._flags) == (other._source, other._flags)
        if isinstance(other, re.Pattern):
            return self.pattern == other.pattern and self.flags == other.flags
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self._source, self._flags))

    def __repr__(self) -> str:
        return f"lazyre.compile({self._source!r}, {self._flags!r})"


class _LazyPattern(_Pattern):
    """A pattern not compiled yet: the first attribute read compiles it."""

    __slots__ = ()

    def __init__(self, source: str, flags: int) -> None:
        self._source = source
        self._flags = flags
        self.pattern = source  # read to build other patterns: no need to compile for it

    def __getattr__(self, name: str) -> Any:
        # called only while the slot is empty: the first use
        if name not in _ATTRIBUTES:
            raise AttributeError(name)
        compiled = compile_pattern(self._source, self._flags)
        for attribute in _ATTRIBUTES:
            setattr(self, attribute, getattr(compiled, attribute))
        self.__class__ = _Pattern  # type: ignore[assignment]
        return getattr(compiled, name)


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile`` deferred to the first use. The result has a compiled pattern's methods
    and attributes, but is not a ``re.Pattern``: do not hand it to ``re.sub(pattern, …)``."""
    return _LazyPattern(pattern, int(flags))  # type: ignore[return-value]
