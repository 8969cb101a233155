"""Rule discovery and rule documentation.

Rules are found by importing every module of ``dflint.rules`` and collecting the
:class:`~dflint.lint.rule.Rule` subclasses defined there; there is no hand-kept list. Each rule's
docs come from its docstring, split into the fixed sections.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import cache

from dflint import lazyre
from dflint.core.ruleindex import CODES, RULES, RuleEntry
from dflint.lint.rule import Rule

SECTIONS = (
    "What it does",
    "Why is this bad?",
    "Example",
    "Use instead",
    "Fix safety",
    "Options",
    "References",
)
REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")
_CODE = lazyre.compile(r"DF\d{3}\Z")
_NAME = lazyre.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")
_FENCE = lazyre.compile(r"```[a-zA-Z]*\n(.*?)```", re.S)

# The engine's own rules have no module: they report on parsing and on suppressions.
ENGINE_RULES: dict[str, tuple[str, str, str]] = {
    "DF001": ("parse-error", "error", "The file cannot be read as a Dockerfile."),
    "DF002": ("invalid-suppression", "warning", "A `# dflint:` comment that dflint cannot apply."),
    "DF003": ("unused-suppression", "info", "A suppression that suppressed nothing."),
    "DF010": (
        "non-utf8-text",
        "warning",
        "Bytes that are not UTF-8 in an instruction, which BuildKit passes on unread.",
    ),
}


@dataclass(frozen=True, slots=True)
class RuleDoc:
    """A rule's documentation, from its docstring: the summary line and the named sections."""

    summary: str
    sections: dict[str, str]

    def examples(self, section: str) -> list[str]:
        return [match.group(1) for match in _FENCE.finditer(self.sections.get(section, ""))]


@cache
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class in dflint.rules, sorted by code."""
    package = importlib.import_module("dflint.rules")
    found: dict[str, type[Rule]] = {}
    import pkgutil  # every rule: the docs and the contract, not a lint run (see rule_class)

    for module_info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"dflint.rules.{module_info.name}")
        for obj in _rule_classes(module):
            if obj is not Rule and obj.__module__ == module.__name__:
                validate_rule(obj)
                if obj.code in found or obj.code in ENGINE_RULES:
                    raise RuntimeError(f"duplicate rule code {obj.code} in {module.__name__}")
                found[obj.code] = obj
    return tuple(found[code] for code in sorted(found))


def validate_rule(rule: type[Rule]) -> None:
    where = rule.__module__
    if not _CODE.match(getattr(rule, "code", "")):
        raise RuntimeError(f"{where}: rule code must look like DF123")
    if not _NAME.match(getattr(rule, "name", "")):
        raise RuntimeError(f"{where}: rule name must be kebab-case")
    doc = rule_doc(rule)
    missing = [name for name in REQUIRED_SECTIONS if name not in doc.sections]
    if missing:
        raise RuntimeError(f"{where}: docstring lacks sections {', '.join(missing)}")


def rule_doc(rule: type[Rule]) -> RuleDoc:
    import inspect  # the docs and the contract; not a lint run

    text = inspect.cleandoc(rule.__doc__ or "")
    summary, _, body = text.partition("\n")
    sections: dict[str, str] = {}
    current: str | None = None
    lines: list[str] = []
    for line in body.splitlines():
        heading = line.strip().rstrip(":")
        if heading in SECTIONS and line == line.lstrip():
            if current is not None:
                sections[current] = "\n".join(lines).strip("\n")
            current, lines = heading, []
        elif current is not None:
            lines.append(line)
    if current is not None:
        sections[current] = "\n".join(lines).strip("\n")
    return RuleDoc(summary.strip(), sections)


def rule_codes() -> list[str]:
    """Every code, the engine's and the rules', from the generated index (no rule imported)."""
    return sorted(CODES)


def rule_entries() -> tuple[RuleEntry, ...]:
    """The rules of modules (not the engine's own), in code order."""
    return tuple(entry for entry in RULES if entry.module is not None)


def _rule_classes(module: object) -> list[type[Rule]]:
    """The Rule classes a module holds, by name (what ``inspect.getmembers`` would give, without
    importing `inspect` on the lint path)."""
    found = [
        obj for obj in vars(module).values() if isinstance(obj, type) and issubclass(obj, Rule)
    ]
    return sorted(found, key=lambda obj: obj.__name__)


@cache
def rule_class(code: str) -> type[Rule]:
    """The class of one rule, importing only its module (named by the index)."""
    for entry in RULES:
        if entry.code == code and entry.module is not None:
            # __import__ rather than importlib.import_module: only the former shows in
            # `python -X importtime`, which the benchmark's import table reads
            module = __import__(entry.module, fromlist=("__name__",))
            for obj in _rule_classes(module):
                if getattr(obj, "code", None) == code:
                    return obj
            # the index is generated: run `python -m dflint.report.docs --write`
            raise RuntimeError(f"{entry.module} defines no rule {code}: the rule index is stale")
    raise KeyError(code)
