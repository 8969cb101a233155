"""Lazy tree-sitter access shared by the POSIX and PowerShell readers.

tree-sitter and its grammars are imported on first use only: most lint runs never parse a
shell script, and the import costs more than linting a small file.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from dflint.analyse.shell.model import Script

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from typing import Any, TypeAlias


_GRAMMARS = {"bash": "tree_sitter_bash", "powershell": "tree_sitter_powershell"}


@cache
def parser(grammar: str) -> Any:
    """A parser for ``bash`` or ``powershell`` (one per process; parsing is not re-entrant
    across threads, but dflint lints one file at a time per process)."""
    package = _GRAMMARS[grammar]
    tree_sitter = binding("tree_sitter")
    return tree_sitter.Parser(tree_sitter.Language(binding(package).language()))


@cache
def binding(package: str) -> Any:
    """The compiled part (``package._binding``) of tree-sitter or of a grammar.

    Loaded on its own where it can be: the packages' ``__init__`` modules import `typing`
    (tree-sitter) and `importlib.resources` (the grammars, for query files dflint does not
    read), 8 ms of every process that parses a script. The module is put in ``sys.modules``
    under its name, so that an ``import tree_sitter`` later (a test, another library)
    shares it. Anything unexpected falls back to the plain import.
    """
    import sys

    name = f"{package}._binding"
    found = sys.modules.get(name)
    if found is not None:
        return found
    try:
        from importlib.machinery import ExtensionFileLoader, PathFinder
        from importlib.util import module_from_spec

        spec = PathFinder.find_spec(package)
        locations = spec.submodule_search_locations if spec is not None else None
        inner = PathFinder.find_spec(name, locations) if locations else None
        if inner is None or not isinstance(inner.loader, ExtensionFileLoader):
            raise ImportError(name)
        module = module_from_spec(inner)
        inner.loader.exec_module(module)
    except Exception:
        import importlib

        return importlib.import_module(name)
    sys.modules[name] = module
    return module


class ByteOffsets:
    """Converts tree-sitter's UTF-8 byte offsets to offsets in the Python string."""

    __slots__ = ("_chars", "data", "identity")

    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8", errors="surrogatepass")
        self._chars: list[int] | None = None
        # ASCII text: byte offsets are the string's offsets (walkers skip the conversion)
        self.identity = len(self.data) == len(text)
        if not self.identity:
            chars: list[int] = []
            for index, char in enumerate(text):
                chars.extend([index] * len(char.encode("utf-8", errors="surrogatepass")))
            chars.append(len(text))
            self._chars = chars

    def char(self, byte: int) -> int:
        if self._chars is None:
            return byte
        return self._chars[min(byte, len(self._chars) - 1)]


WalkItem: TypeAlias = "tuple[Any, tuple[Any, ...]] | Callable[[], None]"


class FlatWalk:
    """A depth-first walk of a syntax tree that never recurses in Python.

    A handler's ``self.walk(child, conditions)`` queues the child instead of descending into
    it; :meth:`walk` then visits queued nodes in the order a recursive walk would (each
    handler's children right after it, in order), so a command nested a thousand levels deep
    is read like any other. Work a handler does after walking its children goes through
    :meth:`later`, which keeps it in the same order.
    """

    __slots__ = ("_pending",)

    def __init__(self) -> None:
        self._pending: list[WalkItem] | None = None

    def visit(self, node: Any, conditions: tuple[Any, ...]) -> None:  # pragma: no cover
        raise NotImplementedError

    def walk(self, node: Any, conditions: tuple[Any, ...]) -> None:
        if self._pending is not None:
            self._pending.append((node, conditions))
            return
        stack: list[WalkItem] = [(node, conditions)]
        visit = self.visit
        pending: list[WalkItem] = []  # what the current item queues; one list, emptied each time
        self._pending = pending
        try:
            while stack:
                item = stack.pop()
                if type(item) is tuple:
                    visit(item[0], item[1])
                else:
                    item()  # type: ignore[operator]
                if pending:
                    pending.reverse()
                    stack += pending
                    pending.clear()
        finally:
            self._pending = None

    def later(self, action: Callable[[], None]) -> None:
        """Run ``action`` after the children walked so far (at once outside a walk)."""
        if self._pending is None:
            action()
        else:
            self._pending.append(action)


def read_tree(script: Script, grammar: str, walker: Callable[[Script, ByteOffsets], Any]) -> Script:
    """Parse ``script.text`` with ``grammar`` and let ``walker(script, offsets)`` fill it in.

    ``walker`` returns an object whose ``walk(root, ())`` records what it finds. A broken
    script never raises: it is marked with ``errors`` and keeps what was read. An exception
    here is dflint's bug, not the script's: it is recorded (:meth:`Script.parser_failed`)
    so the report and the fuzz tests see it, and the lint goes on.
    """
    try:
        offsets = ByteOffsets(script.text)
        tree = parser(grammar).parse(offsets.data)
        walker(script, offsets).walk(tree.root_node, ())
    except Exception as exc:
        script.parser_failed(exc)
        return script
    script.errors = script.errors or bool(tree.root_node.has_error)
    return script
