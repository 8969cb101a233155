"""Lazy tree-sitter access shared by the POSIX and PowerShell readers.

tree-sitter and its grammars are imported on first use only: most lint runs never parse a
shell script, and the import costs more than linting a small file.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from dflint.shell.model import Script


@cache
def parser(grammar: str) -> Any:
    """A parser for ``bash`` or ``powershell`` (one per process; parsing is not re-entrant
    across threads, but dflint lints one file at a time per process)."""
    from tree_sitter import Language, Parser

    if grammar == "bash":
        import tree_sitter_bash

        language = Language(tree_sitter_bash.language())
    elif grammar == "powershell":
        import tree_sitter_powershell

        language = Language(tree_sitter_powershell.language())
    else:  # pragma: no cover - programming error
        raise ValueError(grammar)
    return Parser(language)


class ByteOffsets:
    """Converts tree-sitter's UTF-8 byte offsets to offsets in the Python string."""

    __slots__ = ("_chars", "data")

    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8", errors="surrogatepass")
        self._chars: list[int] | None = None
        if len(self.data) != len(text):
            chars: list[int] = []
            for index, char in enumerate(text):
                chars.extend([index] * len(char.encode("utf-8", errors="surrogatepass")))
            chars.append(len(text))
            self._chars = chars

    def char(self, byte: int) -> int:
        if self._chars is None:
            return byte
        return self._chars[min(byte, len(self._chars) - 1)]


def read_tree(script: Script, grammar: str, walker: Callable[[Script, ByteOffsets], Any]) -> Script:
    """Parse ``script.text`` with ``grammar`` and let ``walker(script, offsets)`` fill it in.

    ``walker`` returns an object whose ``walk(root, ())`` records what it finds. A broken
    script never raises: it is marked with ``errors`` and keeps what was read.
    """
    try:
        offsets = ByteOffsets(script.text)
        tree = parser(grammar).parse(offsets.data)
    except Exception:  # a grammar or encoding failure must not stop the lint
        script.errors = True
        return script
    try:
        walker(script, offsets).walk(tree.root_node, ())
    except RecursionError:  # absurdly deep nesting: keep what was read
        script.errors = True
        return script
    script.errors = script.errors or bool(tree.root_node.has_error)
    return script
