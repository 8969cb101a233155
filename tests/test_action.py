"""The GitHub Action (action.yml), its steps run here the way the Actions runner runs them
(tests/action_runner.py): dflint installed from this checkout by the action's install step,
then the SARIF, upload and lint steps against a sample repository.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
from action_runner import ACTION_FILE, RunnerEmulation, action, by_name
from test_formatters import assert_valid_sarif

WARNING_ONLY = (
    "FROM --platform=linux/amd64 golang:1.22 AS build\n"  # DF203, a warning
    "RUN go build -o /app .\n"
    "FROM alpine:3.20\n"
    "COPY --from=build /app /app\n"
)
ERROR = "FROM alpine:3.20\nRUN wget https://example.com/tool-$TARGETARCH.tar.gz\n"  # DF308


@pytest.fixture
def runner(action_runner: RunnerEmulation) -> RunnerEmulation:
    """The session's runner, with a fresh sample repository as its workspace."""
    workspace = action_runner.workspace
    for path in list(workspace.iterdir()):
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    (workspace / "Dockerfile").write_text(WARNING_ONLY)
    (workspace / "web app").mkdir()
    (workspace / "web app" / "Dockerfile").write_text(ERROR)
    (workspace / "notes.txt").write_text(ERROR)
    return action_runner


# --- tests ------------------------------------------------------------------------------------


def test_action_manifest() -> None:
    """A composite action whose inputs reach the scripts only through `env:`: an input's text
    is never pasted into a script, where quotes or `$(...)` in it would run as code."""
    manifest = action()
    assert manifest["runs"]["using"] == "composite"
    inputs = manifest["inputs"]
    for name in ("paths", "config", "failure-threshold", "args", "version", "upload-sarif"):
        assert name in inputs, name
    for name, spec in inputs.items():
        assert spec.get("description"), name
        assert isinstance(spec.get("default", ""), str), f"{name}: defaults are strings"
    steps = manifest["runs"]["steps"]
    text = ACTION_FILE.read_text()
    used = set(re.findall(r"inputs\.([a-z-]+)", text))
    assert used == set(inputs), f"declared but unused: {set(inputs) - used}"
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], f"{step['name']}: expression inside the script"
    uses = [step["uses"] for step in steps if "uses" in step]
    assert uses == ["actions/setup-python@v5", "github/codeql-action/upload-sarif@v3"]
    install = next(step for step in steps if step.get("id") == "install")
    assert install["env"]["DFLINT_ACTION_PATH"] == "${{ github.action_path }}"
    assert 'pip install --quiet --disable-pip-version-check "$requirement"' in install["run"]


def test_default_run_writes_sarif_uploads_it_and_fails_on_findings(
    runner: RunnerEmulation,
) -> None:
    steps = by_name(runner.run({}, skip=("install",)))
    assert steps["Set up Python"].with_ == {"python-version": "3.12"}
    sarif_step = steps["Lint Dockerfiles (SARIF)"]
    assert sarif_step.outcome == "success", sarif_step.stderr
    upload = steps["Upload SARIF to code scanning"]
    assert upload.outcome == "success"
    assert upload.with_ == {"sarif_file": "dflint.sarif", "category": "dflint"}
    document = json.loads((runner.workspace / upload.with_["sarif_file"]).read_text())
    assert_valid_sarif(document)
    run = document["runs"][0]
    assert run["automationDetails"]["id"] == "dflint/"
    located = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for r in run["results"]
    }
    assert located == {("DF203", "Dockerfile"), ("DF308", "web%20app/Dockerfile")}
    lint = steps["Lint Dockerfiles"]
    assert lint.outcome == "failure" and lint.returncode == 1
    annotations = [line for line in lint.stdout.splitlines() if line.startswith("::")]
    assert any(a.startswith("::error file=web app/Dockerfile,line=2,") for a in annotations)
    assert any(a.startswith("::warning file=Dockerfile,line=1,") for a in annotations)


@pytest.mark.parametrize(
    ("threshold", "only_warnings", "expected"),
    [
        ("", True, 1),  # the default threshold is warning
        ("error", True, 0),
        ("error", False, 1),
        ("warning", True, 1),
        ("info", True, 1),
        ("none", False, 0),
    ],
)
def test_failure_threshold(
    runner: RunnerEmulation, threshold: str, only_warnings: bool, expected: int
) -> None:
    paths = "Dockerfile" if only_warnings else '"web app" Dockerfile'
    steps = by_name(
        runner.run(
            {"paths": paths, "failure-threshold": threshold, "upload-sarif": "false"},
            skip=("install",),
        )
    )
    assert steps["Upload SARIF to code scanning"].outcome == "skipped"
    assert steps["Lint Dockerfiles (SARIF)"].returncode == 0  # findings never fail it
    assert steps["Lint Dockerfiles"].returncode == expected, steps["Lint Dockerfiles"].stdout
    assert_valid_sarif(json.loads((runner.workspace / "dflint.sarif").read_text()))


def test_config_args_category_and_plain_text(runner: RunnerEmulation) -> None:
    (runner.workspace / "ci").mkdir()
    (runner.workspace / "ci" / "dflint.toml").write_text('ignore = ["DF203"]\n')
    steps = by_name(
        runner.run(
            {
                "config": "ci/dflint.toml",
                "args": "--select 'DF2,DF3' --platform linux/amd64,linux/arm64",
                "sarif-file": "reports/out file.sarif",
                "category": "dockerfiles",
                "annotations": "false",
            },
            skip=("install",),
        )
    )
    sarif_step = steps["Lint Dockerfiles (SARIF)"]
    # the folder of the report does not exist: dflint says so and the step fails (exit 2)
    assert sarif_step.returncode == 2, sarif_step.stderr
    assert "reports/out file.sarif" in sarif_step.stderr
    assert steps["Upload SARIF to code scanning"].outcome == "skipped"
    assert steps["Lint Dockerfiles"].outcome == "skipped"
    (runner.workspace / "reports").mkdir()
    steps = by_name(
        runner.run(
            {
                "config": "ci/dflint.toml",
                "args": "--select 'DF2,DF3' --platform linux/amd64,linux/arm64",
                "sarif-file": "reports/out file.sarif",
                "category": "dockerfiles",
                "annotations": "false",
            },
            skip=("install",),
        )
    )
    assert steps["Upload SARIF to code scanning"].with_["sarif_file"] == "reports/out file.sarif"
    document = json.loads((runner.workspace / "reports" / "out file.sarif").read_text())
    assert_valid_sarif(document)
    assert document["runs"][0]["automationDetails"]["id"] == "dockerfiles/"
    assert {r["ruleId"] for r in document["runs"][0]["results"]} == {"DF308"}  # DF203 ignored
    lint = steps["Lint Dockerfiles"]
    assert lint.returncode == 1
    assert "web app/Dockerfile:2:35: DF308" in lint.stdout  # text with code frames
    assert "::" not in lint.stdout


def test_a_path_that_does_not_exist_fails_before_the_upload(runner: RunnerEmulation) -> None:
    steps = by_name(runner.run({"paths": "Dockerfile missing/"}, skip=("install",)))
    sarif_step = steps["Lint Dockerfiles (SARIF)"]
    assert sarif_step.returncode == 2
    assert "missing" in sarif_step.stderr
    assert steps["Upload SARIF to code scanning"].outcome == "skipped"
    assert steps["Lint Dockerfiles"].outcome == "skipped"


def test_inputs_are_data_not_code(runner: RunnerEmulation) -> None:
    """Quotes, `$(...)` and `;` in an input are a path or an argument, never a command."""
    marker = runner.workspace / "pwned"
    steps = by_name(
        runner.run(
            {"paths": f"Dockerfile '$(touch {marker})'", "args": f"; touch {marker}"},
            skip=("install",),
        )
    )
    assert not marker.exists()
    # `;`, `touch` and the marker's path are paths to lint, which do not exist
    assert steps["Lint Dockerfiles (SARIF)"].returncode == 2
