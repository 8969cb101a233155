"""Generated rule docs: docs/rules.md and the README's generated parts are current, and the
terminal commands (`dflint rule`, `dflint rules`) show the same docs."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from dflint.lint.ruleset import ENGINE_RULES, all_rules
from dflint.report import docs


def test_generated_docs_are_current() -> None:
    stale = [path.relative_to(ROOT).as_posix() for path in docs.stale_files(ROOT)]
    assert not stale, (
        f"{', '.join(stale)} {'is' if len(stale) == 1 else 'are'} stale: "
        f"run `{docs.WRITE_COMMAND}` and commit the result"
    )


def test_check_command_reports_stale_files_and_write_repairs_them(tmp_path: Path) -> None:
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "rules.md").write_text("# out of date\n")
    readme = (tmp_path / "README.md").read_text()
    (tmp_path / "README.md").write_text(readme.replace("| [DF308]", "| [DF399]"))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "dflint.report.docs", *args, "--root", str(tmp_path)]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    check = run("--check")
    assert check.returncode == 1
    assert f"docs/rules.md is stale: run `{docs.WRITE_COMMAND}`" in check.stdout
    assert f"README.md is stale: run `{docs.WRITE_COMMAND}`" in check.stdout
    assert run("--write").returncode == 0
    assert run("--check").returncode == 0
    assert (tmp_path / "docs" / "rules.md").read_text() == docs.rules_page()
    assert "| [DF399]" not in (tmp_path / "README.md").read_text()


def test_every_rule_is_documented_with_its_metadata() -> None:
    page = (ROOT / docs.DOCS_PATH).read_text()
    codes = [*ENGINE_RULES, *(rule.code for rule in all_rules())]
    for info in docs.all_rule_info():
        assert f"\n## {info.code} {info.name}\n" in page
        assert f"- Default severity: {info.severity.value}\n" in page
    assert sorted(codes) == [info.code for info in docs.all_rule_info()]


def github_anchor(heading: str) -> str:
    """The id GitHub gives a Markdown heading."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def test_table_links_point_at_real_headings() -> None:
    page = (ROOT / docs.DOCS_PATH).read_text()
    anchors = {github_anchor(h) for h in re.findall(r"^#+ (.+)$", page, re.M)}
    readme = (ROOT / "README.md").read_text()
    links = re.findall(r"\]\(docs/rules\.md#([^)]+)\)", readme)
    links += re.findall(r"\]\(#([^)]+)\)", page)
    from dflint.lint.suppressions import BUILDKIT_CHECKS

    # the README table, the rules table, and the table of rules that are BuildKit checks
    assert len(links) == 2 * len(docs.all_rule_info()) + len(BUILDKIT_CHECKS)
    missing = sorted(set(links) - anchors)
    assert not missing, f"links to headings that do not exist: {missing}"
    for info in docs.all_rule_info():
        assert info.help_uri.endswith(f"#{info.anchor}") and info.anchor in anchors


@pytest.mark.parametrize("code", sorted(docs.ENGINE_DOCS))
def test_engine_rule_examples(code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine's rules keep the contract the rule modules keep: examples that work."""
    monkeypatch.setenv("DFLINT_OFFLINE", "1")  # the base-image rules would ask registries
    info = docs.rule_info(code)
    assert info is not None
    for section in ("What it does", "Why is this bad?", "Example", "Use instead"):
        assert info.sections.get(section), f"{code} lacks {section}"
    example = re.findall(r"```dockerfile\n(.*?)```", info.sections["Example"], re.S)
    better = re.findall(r"```dockerfile\n(.*?)```", info.sections["Use instead"], re.S)
    assert example and better
    assert code in [f.code for f in lint_bytes(with_bytes(example[0]))]
    assert code not in [f.code for f in lint_bytes(with_bytes(better[0]))]


def with_bytes(example: str) -> bytes:
    """An example's text, where ``\\xNN`` (NN from 80) stands for a byte that is not UTF-8."""
    return re.sub(
        rb"\\x([89a-f][0-9a-f])", lambda match: bytes([int(match[1], 16)]), example.encode()
    )


def lint_bytes(data: bytes) -> list:  # type: ignore[type-arg]
    from dflint.lint.engine import Options
    from dflint.lint.engine import lint_bytes as lint_data

    return lint_data(data, "Dockerfile", Options(no_config=True)).findings


def test_engine_docs_cover_every_engine_rule() -> None:
    assert sorted(docs.ENGINE_DOCS) == sorted(ENGINE_RULES)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dflint", *args], capture_output=True, text=True, timeout=120
    )


def test_rule_command_by_code_or_name() -> None:
    by_code = run_cli("rule", "df204")
    by_name = run_cli("rule", "redundant-target-platform")
    assert by_code.returncode == by_name.returncode == 0
    assert by_code.stdout == by_name.stdout
    assert by_code.stdout.startswith("DF204 redundant-target-platform\n")
    assert "Fix: available." in by_code.stdout
    assert "## Use instead" in by_code.stdout
    engine = run_cli("rule", "unused-suppression")
    assert engine.returncode == 0 and "Reported by: the engine." in engine.stdout
    assert "## Example" in engine.stdout


def test_rule_command_suggests_the_nearest_rule() -> None:
    result = run_cli("rule", "DF3O8")
    assert result.returncode == 2
    assert "unknown rule 'DF3O8' (did you mean 'DF308'?)" in result.stderr
    named = run_cli("rule", "redundant-target-platfrom")
    assert "did you mean 'redundant-target-platform'?" in named.stderr


def test_rules_command_formats() -> None:
    table = run_cli("rules").stdout.splitlines()
    assert table[0].split() == ["code", "name", "severity", "platforms", "fix"]
    assert len(table) == 1 + len(docs.all_rule_info())
    df204 = next(line for line in table if line.startswith("DF204"))
    assert df204.split() == ["DF204", "redundant-target-platform", "info", "any", "yes"]
    listed = json.loads(run_cli("rules", "--format", "json").stdout)
    assert [item["code"] for item in listed] == [info.code for info in docs.all_rule_info()]
    assert listed[0]["url"].startswith(docs.DOCS_URL)
    markdown = run_cli("rules", "--format", "markdown").stdout
    assert markdown == docs.markdown_table(docs.DOCS_URL)


def test_project_url_matches_the_package_metadata() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["urls"]["Homepage"] == docs.PROJECT_URL
    assert project["urls"]["Documentation"] == docs.DOCS_URL
