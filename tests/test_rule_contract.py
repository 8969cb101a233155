"""Every rule's docs: the Example triggers it and the Use-instead does not."""

from __future__ import annotations

import ast

import pytest
from conftest import ROOT, lint

from dflint.lint.rule import Rule
from dflint.lint.ruleset import REQUIRED_SECTIONS, all_rules, rule_doc

RULES = all_rules()


def test_rules_are_discovered_from_the_package() -> None:
    modules = sorted(p.stem for p in (ROOT / "rules").glob("df[0-9]*.py"))
    assert len(modules) == len(RULES)
    assert [rule.code.lower() for rule in RULES] == [name.split("_", 1)[0] for name in modules]


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_module_name_matches_code_and_name(rule: type[Rule]) -> None:
    module = rule.__module__.rsplit(".", 1)[-1]
    assert module == f"{rule.code.lower()}_{rule.name.replace('-', '_')}"


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_docs_have_every_required_section(rule: type[Rule]) -> None:
    doc = rule_doc(rule)
    assert doc.summary
    for section in REQUIRED_SECTIONS:
        assert doc.sections.get(section, "").strip(), f"{rule.code} lacks {section}"
    assert doc.examples("Example"), f"{rule.code}: Example has no dockerfile block"
    assert doc.examples("Use instead"), f"{rule.code}: Use instead has no dockerfile block"


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_example_triggers_the_rule(rule: type[Rule]) -> None:
    for example in rule_doc(rule).examples("Example"):
        found = [f.code for f in lint(example, select=(rule.code,))]
        assert rule.code in found, f"{rule.code} Example does not trigger it:\n{example}"


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_use_instead_does_not_trigger_the_rule(rule: type[Rule]) -> None:
    for example in rule_doc(rule).examples("Use instead"):
        found = [f for f in lint(example) if f.code == rule.code]
        assert not found, f"{rule.code} Use-instead triggers it: {found}"


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_each_rule_has_its_own_test_file(rule: type[Rule]) -> None:
    module = rule.__module__.rsplit(".", 1)[-1]
    assert (ROOT / "tests" / f"test_{module}.py").is_file()


def test_rules_do_not_set_severity_inside_checks() -> None:
    """Severity comes from the class and config, never from inside a check."""
    for path in (ROOT / "rules").glob("df*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword):
                assert node.arg != "severity", f"{path.name} passes severity= to something"
