"""Every rule's docs: the Example triggers it and the Use-instead does not."""

from __future__ import annotations

import ast

import pytest
from conftest import ROOT, lint

from dflint.generate.fixes import fix_text
from dflint.lint.engine import Options
from dflint.lint.rule import Rule
from dflint.lint.ruleset import REQUIRED_SECTIONS, all_rules, rule_doc
from dflint.settings.config import Config

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


def _examples(rule: type[Rule]) -> list[str]:
    doc = rule_doc(rule)
    return doc.examples("Example") + doc.examples("Use instead")


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_fixable_says_what_dflint_fix_does_to_the_example(rule: type[Rule]) -> None:
    """``fixable`` (the docs' "Fix: available") is what `dflint fix --multiarch
    --unsafe-fixes` does: it repairs the rule's Example when the rule says it can, and
    repairs nothing of the rule's in any example when the rule says it cannot. The fixer
    asks the offline registry table, as a rule's registry_fix does (DF202)."""
    options = Options(no_config=True, offline=True)
    applied_on_example = False
    for example in rule_doc(rule).examples("Example"):
        result = fix_text(example, "Dockerfile", options, Config(), unsafe=True)
        mine = [applied for applied in result.applied if applied.code == rule.code]
        applied_on_example = applied_on_example or bool(mine)
        if rule.fixable:
            assert mine, f"{rule.code} is fixable but dflint fix leaves its Example:\n{example}"
            assert result.text != example
    if not rule.fixable:
        assert not applied_on_example, f"{rule.code} says fixable=False but dflint fix fixes it"
        for example in _examples(rule):
            fixes = [f for f in lint(example) if f.code == rule.code and f.fix is not None]
            assert not fixes, f"{rule.code} says fixable=False but carries a fix: {fixes}"


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_blocks_says_whether_a_finding_can_break_a_platform(rule: type[Rule]) -> None:
    """``blocks``: a rule that declares it marks, on one of its Examples, the platforms it
    names as not buildable (what `dflint platforms` shows as ✗); a rule that does not never
    does, in its examples or in its code (no ``breaks=`` anywhere in its module)."""
    tree = ast.parse((ROOT / "rules" / f"{rule.__module__.rsplit('.', 1)[-1]}.py").read_text())
    passes_breaks = any(
        isinstance(node, ast.keyword) and node.arg == "breaks" for node in ast.walk(tree)
    )
    assert passes_breaks == rule.blocks, f"{rule.code}: blocks={rule.blocks} but its code"
    breaking = [
        finding
        for example in _examples(rule)
        for finding in lint(example, select=(rule.code,))
        if finding.breaks
    ]
    if rule.blocks:
        examples = rule_doc(rule).examples("Example")
        assert any(
            finding.breaks for example in examples for finding in lint(example, select=(rule.code,))
        ), f"{rule.code} blocks a platform, but on none of its Examples"
    else:
        assert not breaking, f"{rule.code} says blocks=False but breaks: {breaking}"
