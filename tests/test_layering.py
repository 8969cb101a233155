"""The package's folders are the pipeline, and imports only go down it.

read → settings → analyse → registry → lint → rules → report → generate → verify → app, with
``core`` (the shared vocabulary) and the root modules below everything. The check reads every
module's imports from its syntax tree, the ones inside functions too (a lazy import is still a
dependency), but not those under ``if TYPE_CHECKING:`` (annotations only). Then each module of
the package is imported on its own in a fresh interpreter, in layer order, which fails on a
cycle that only shows at import time.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# lowest first; a module may import its own layer and the layers below it
LAYERS: tuple[tuple[str, ...], ...] = (
    (
        "dflint",
        "dflint.userdirs",
        "dflint.codecache",
        "dflint.lazyre",
        "dflint.errors",
        "dflint.progress",
    ),
    ("dflint.core",),
    ("dflint.read",),
    ("dflint.settings",),
    ("dflint.analyse",),
    ("dflint.registry",),
    ("dflint.lint",),
    ("dflint.rules",),
    ("dflint.report",),
    ("dflint.generate",),
    ("dflint.verify",),
    ("dflint.app", "dflint.__main__"),
)


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted((ROOT / "dflint").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    for path in sorted((ROOT / "rules").glob("*.py")):
        name = "dflint.rules" if path.stem == "__init__" else f"dflint.rules.{path.stem}"
        found[name] = path
    return found


MODULES = _modules()


def _layer(module: str) -> int:
    best = (-1, -1)  # (length of the matching prefix, layer)
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best[0]:
                best = (len(prefix), index)
    assert best[1] >= 0, f"{module} is in no layer: add its package to LAYERS"
    return best[1]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(module: str) -> set[str]:
    """The dflint modules ``module`` imports (at run time, anywhere in it)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:
                candidate = f"{source}.{alias.name}"
                found.add(candidate if candidate in MODULES else source)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text("utf-8")))
    return {name for name in found if name in MODULES and name != module}


def test_every_import_goes_down_the_pipeline() -> None:
    upward = [
        f"{module} (layer {LAYERS[_layer(module)][0]}) imports {target} "
        f"(layer {LAYERS[_layer(target)][0]})"
        for module in MODULES
        for target in sorted(imports_of(module))
        if _layer(target) > _layer(module)
    ]
    assert upward == []


def test_no_import_cycle() -> None:
    graph = {module: imports_of(module) for module in MODULES}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the path, 2 done

    def walk(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                walk(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module, [module])
    assert cycles == []


def test_the_rules_are_found_without_the_engine_naming_them() -> None:
    # discovery, not a hand-kept list: no lint module imports a rule module by name
    for module in MODULES:
        if module.startswith("dflint.lint"):
            assert not [t for t in imports_of(module) if t.startswith("dflint.rules.")], module


@pytest.mark.parametrize("layer", [prefixes[0] for prefixes in LAYERS])
def test_each_module_imports_on_its_own(layer: str) -> None:
    # (dflint.__main__ runs the command line when imported)
    names = [m for m in MODULES if LAYERS[_layer(m)][0] == layer and m != "dflint.__main__"]
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    for name in names:
        result = subprocess.run(
            [sys.executable, "-c", code, name], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, f"{name}: {result.stderr.strip().splitlines()[-1:]}"
