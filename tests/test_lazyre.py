"""Patterns compiled on first use behave as compiled ones, and every one in the package is
a valid pattern (an error that import used to raise now waits for the first use)."""

from __future__ import annotations

import importlib
import re

import pytest
from test_layering import MODULES

from dflint import lazyre
from dflint.lazyre import _Pattern


def test_the_methods_and_attributes_of_a_compiled_pattern() -> None:
    lazy = lazyre.compile(r"(?P<word>a+)b", re.I)
    assert repr(lazy) == "lazyre.compile('(?P<word>a+)b', 2)"
    match = lazy.search("xxAAb")
    assert match is not None and match.group("word") == "AA"
    assert lazy.pattern == r"(?P<word>a+)b" and lazy.flags & re.I
    assert lazy.groupindex == {"word": 1} and lazy.groups == 1
    assert lazy.sub("-", "ab AB") == "- -"
    assert [m.span() for m in lazy.finditer("ab ab")] == [(0, 2), (3, 5)]
    assert lazy.fullmatch("ab") and not lazy.match("b")
    with pytest.raises(AttributeError):
        lazy.no_such_attribute  # noqa: B018


def test_equal_as_compiled_patterns_are() -> None:
    assert lazyre.compile("a+", re.I) == lazyre.compile("a+", re.I)
    assert lazyre.compile("a+") != lazyre.compile("a+", re.I)
    assert lazyre.compile("a+") == re.compile("a+") and re.compile("b") != lazyre.compile("a")
    assert len({lazyre.compile("x"), lazyre.compile("x")}) == 1


def test_once_compiled_it_is_read_without_the_first_use_hook() -> None:
    lazy = lazyre.compile("x+")
    assert type(lazy).__name__ == "_LazyPattern"
    assert lazy.match("xx")
    assert type(lazy).__name__ == "_Pattern" and lazy.match("xx")


def test_an_invalid_pattern_fails_at_first_use() -> None:
    lazy = lazyre.compile("(")
    with pytest.raises(re.error):
        lazy.search("x")


def test_every_pattern_in_the_package_compiles() -> None:
    seen = 0
    for name in MODULES:
        if name.endswith("__main__"):
            continue  # runs the command line
        module = importlib.import_module(name)
        for value in vars(module).values():
            patterns = [value]
            slots = getattr(type(value), "__slots__", None)
            if isinstance(slots, tuple) and not isinstance(value, _Pattern):
                patterns = [getattr(value, slot, None) for slot in slots]  # FoldedPattern
            for pattern in patterns:
                if isinstance(pattern, _Pattern):
                    assert isinstance(pattern.flags, int)  # compiles it
                    seen += 1
    assert seen > 100
