"""A pytest plugin that changes what one rule reports, to see whether its tests notice.

tests/test_rule_contract.py runs each rule's test file (tests/test_dfNNN_*.py) under this
plugin, once per mutation, with ``DFLINT_CONTRACT_MUTATION`` set to one of:

- ``line``: every finding of the file's rule is moved one line down;
- ``column``: every finding of the file's rule is moved one column right;
- ``drop``: the rule's findings are removed;
- ``add``: a finding of the rule is added to each run in which it reported nothing (when it
  is enabled).

The rule is the one the test file is named for, and only while that file's tests run; the
mutation is applied where the engine hands over its result (``dflint.lint.engine.lint_dockerfile``),
so it reaches the tests whether they call ``lint``, ``lint_bytes``, ``fix`` or the in-process
CLI. A rule's tests hold its behaviour when some test fails under each mutation: one asserts a
finding's line, one its column (an ``AssertionError``, not a crash), one that it is found at
all, and one that it is absent where it should be. Once a file's tests have failed under the
mutation, its other tests are skipped (the answer is known). The outcome per test file is
written as JSON to ``DFLINT_CONTRACT_REPORT``.

    DFLINT_CONTRACT_MUTATION=column DFLINT_CONTRACT_REPORT=/tmp/c.json PYTHONPATH=tests \\
        python -m pytest -p rule_contract_plugin tests/test_df306_hardcoded_arch_download.py
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

MUTATIONS = ("line", "column", "drop", "add")
_TEST_FILE = re.compile(r"test_(df\d{3})_\w+\Z")
_MUTATION = os.environ.get("DFLINT_CONTRACT_MUTATION", "")
_REPORT = os.environ.get("DFLINT_CONTRACT_REPORT", "")

_current: str | None = None  # the code of the rule whose test file is running
_caught: dict[str, list[str]] = {}  # test file -> tests that failed under the mutation
_ran: dict[str, int] = {}


def _rule_of(item: pytest.Item) -> str | None:
    module = getattr(item, "module", None)
    match = _TEST_FILE.match(module.__name__.rsplit(".", 1)[-1]) if module else None
    return match.group(1).upper() if match else None


def _install() -> None:
    from dflint.core.findings import Finding
    from dflint.lint import engine

    original = engine.lint_dockerfile

    def mutated(dockerfile: Any, options: Any, config: Any) -> Any:
        result = original(dockerfile, options, config)
        code = _current
        if code is None:
            return result
        mine = [finding for finding in result.findings if finding.code == code]
        if _MUTATION == "drop":
            result.findings = [finding for finding in result.findings if finding.code != code]
        elif _MUTATION == "line":
            for finding in mine:
                finding.line += 1
                finding.end_line += 1
        elif _MUTATION == "column":
            for finding in mine:
                finding.column += 1
                finding.end_column += 1
        elif _MUTATION == "add" and not mine:
            enabled = engine.enabled_rules(config, options, result.path)
            rule = next((rule for rule in enabled if rule.code == code), None)
            if rule is not None:
                result.findings.append(
                    Finding(
                        path=result.path,
                        code=code,
                        name=rule.name,
                        severity=config.severity_for(code, rule.severity),
                        line=1,
                        column=1,
                        end_line=1,
                        end_column=2,
                        message="a finding the rule did not report (rule contract mutation)",
                    )
                )
        return result

    engine.lint_dockerfile = mutated  # type: ignore[assignment]


def pytest_configure(config: pytest.Config) -> None:
    if _MUTATION:
        if _MUTATION not in MUTATIONS:
            raise pytest.UsageError(f"DFLINT_CONTRACT_MUTATION must be one of {MUTATIONS}")
        _install()


def _counts(item: pytest.Item, excinfo: pytest.ExceptionInfo[BaseException]) -> bool:
    """A failure says the tests hold a position only when an assertion failed."""
    if _MUTATION in ("line", "column"):
        return excinfo.errisinstance(AssertionError)
    return True


def pytest_runtest_setup(item: pytest.Item) -> None:
    global _current
    _current = None
    code = _rule_of(item)
    if not _MUTATION or code is None:
        return
    if _caught.get(item.path.stem):
        pytest.skip("rule contract: this file's tests already failed under the mutation")
    _current = code


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if _MUTATION and _current is not None and call.when == "call":
        _ran[item.path.stem] = _ran.get(item.path.stem, 0) + 1
        if report.failed and call.excinfo is not None and _counts(item, call.excinfo):
            _caught.setdefault(item.path.stem, []).append(item.name)
    return report


def pytest_runtest_teardown(item: pytest.Item) -> None:
    global _current
    _current = None


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _MUTATION and _REPORT:
        files = sorted(set(_ran) | set(_caught))
        outcome = {
            name: {"ran": _ran.get(name, 0), "caught": _caught.get(name, [])} for name in files
        }
        Path(_REPORT).write_text(json.dumps({"mutation": _MUTATION, "files": outcome}, indent=1))
