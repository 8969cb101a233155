"""Every dataclass of the package has a docstring of its own, and no class variables.

Without one, Python 3.11's ``dataclasses`` makes one from ``inspect.signature(cls)`` while the
module is imported, which costs start-up time for every such class.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from types import ModuleType

import dflint
from dflint import rules


def _modules() -> Iterator[ModuleType]:
    yield dflint
    yield rules
    for package, prefix in ((dflint, "dflint."), (rules, "dflint.rules.")):
        for info in pkgutil.walk_packages(package.__path__, prefix):
            if info.name.rsplit(".", 1)[-1] == "__main__":
                continue
            yield importlib.import_module(info.name)


def _classes(namespace: dict[str, object], outer: str) -> Iterator[type]:
    for value in namespace.values():
        if isinstance(value, type) and value.__module__.startswith("dflint"):
            yield value
            # nested classes: the ones defined in this class, not merely referred to
            if value.__qualname__.startswith(outer):
                yield from _classes(dict(vars(value)), value.__qualname__ + ".")


def _dataclasses() -> list[type]:
    found: dict[int, type] = {}
    for module in _modules():
        for cls in _classes(dict(vars(module)), ""):
            if "__dataclass_fields__" in vars(cls):
                found[id(cls)] = cls
    return sorted(found.values(), key=lambda cls: (cls.__module__, cls.__qualname__))


def _made_up_doc(cls: type) -> str:
    """The docstring ``dataclasses`` gives a class that has none."""
    try:
        return cls.__name__ + str(inspect.signature(cls)).replace(" -> None", "")
    except (TypeError, ValueError):
        return ""


def test_every_dataclass_has_its_own_docstring() -> None:
    classes = _dataclasses()
    assert len(classes) > 60, f"only {len(classes)} dataclasses found: the walk missed modules"
    missing = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in classes
        if not cls.__doc__ or cls.__doc__ == _made_up_doc(cls)
    ]
    assert not missing, "dataclasses without a docstring: " + ", ".join(missing)


def test_no_dataclass_declares_a_class_variable() -> None:
    # `dataclasses` tells a ClassVar annotation (a string here) from a field only when
    # `typing` is imported, and the lint path does not import it: such a class would gain a
    # field on a quick run and not under the tests.
    declared = [
        f"{cls.__module__}.{cls.__qualname__}.{name}"
        for cls in _dataclasses()
        for name, annotation in vars(cls).get("__annotations__", {}).items()
        if "ClassVar" in str(annotation)
    ]
    assert declared == []
