"""Every rule's docs: the Example triggers it and the Use-instead does not; every rule's test
file holds its behaviour: a finding with its line and column, and a case without one."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, lint
from rule_contract_plugin import MUTATIONS

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


# --- the rule tests' contract -------------------------------------------------------------
# Each rule's test file is run with the rule's output changed (tests/rule_contract_plugin.py);
# some test must fail under each change, or the file lets that behaviour go unnoticed.
WHAT_GOES_UNNOTICED = {
    "line": "its findings move one line down: no test asserts a finding's line",
    "column": "its findings move one column right: no test asserts a finding's column",
    "drop": "it reports nothing: no test asserts that it finds anything",
    "add": "it reports a finding on every clean file: no test asserts a case without one",
}
assert set(WHAT_GOES_UNNOTICED) == set(MUTATIONS)


def run_mutations(files: list[Path], folder: Path) -> dict[str, dict[str, Any]]:
    """For each mutation: per test file, how many tests ran and which failed."""
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")]),
    }
    running = {}
    for mutation in MUTATIONS:
        report = folder / f"{mutation}.json"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        running[mutation] = (
            report,
            subprocess.Popen(
                [*command, "-p", "rule_contract_plugin", *map(str, files)],
                env={
                    **environment,
                    "DFLINT_CONTRACT_MUTATION": mutation,
                    "DFLINT_CONTRACT_REPORT": str(report),
                },
                cwd=files[0].parent,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            ),
        )
    outcomes = {}
    for mutation, (report, process) in running.items():
        output, _ = process.communicate(timeout=600)
        assert report.is_file(), output
        outcomes[mutation] = json.loads(report.read_text())["files"]
    return outcomes


def unnoticed(outcomes: dict[str, dict[str, Any]], test_file: str) -> list[str]:
    """The changes to a rule's output that no test of ``test_file`` notices."""
    return [
        f"tests/{test_file}.py passes when {WHAT_GOES_UNNOTICED[mutation]}"
        for mutation in MUTATIONS
        if not outcomes[mutation].get(test_file, {}).get("caught")
    ]


@pytest.fixture(scope="module")
def rule_test_outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    files = sorted((ROOT / "tests").glob("test_df[0-9][0-9][0-9]_*.py"))
    return run_mutations(files, tmp_path_factory.mktemp("contract"))


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_rule_tests_hold_positions_findings_and_clean_cases(
    rule: type[Rule], rule_test_outcomes: dict[str, dict[str, Any]]
) -> None:
    test_file = "test_" + rule.__module__.rsplit(".", 1)[-1]
    assert unnoticed(rule_test_outcomes, test_file) == []


WEAK_TEST = """
from dflint.lint.engine import Options, lint_bytes


def test_found() -> None:
    text = b"FROM alpine:3.20\\nRUN dir /B\\n"
    assert "DF302" in [f.code for f in lint_bytes(text, "Dockerfile", Options()).findings]
"""


def test_the_contract_fails_on_an_empty_or_a_weak_test_file(tmp_path: Path) -> None:
    """An empty file, and a file that only checks the code is reported, break the contract."""
    (tmp_path / "empty").mkdir()
    (tmp_path / "weak").mkdir()
    empty = tmp_path / "empty" / "test_df301_linux_command_in_windows_stage.py"
    empty.write_text("")
    weak = tmp_path / "weak" / "test_df302_windows_command_in_linux_stage.py"
    weak.write_text(WEAK_TEST)
    assert len(unnoticed(run_mutations([empty], tmp_path / "empty"), empty.stem)) == 4
    assert unnoticed(run_mutations([weak], tmp_path / "weak"), weak.stem) == [
        f"tests/{weak.stem}.py passes when {WHAT_GOES_UNNOTICED[mutation]}"
        for mutation in ("line", "column", "add")
    ]


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
