"""The GitHub Action (action.yml), its steps run here the way the Actions runner runs them.

The runner gives a composite action's `run:` steps to `bash --noprofile --norc -eo pipefail`,
after replacing each `${{ ... }}` with its value (inputs with their defaults, `github.*`,
`runner.*`, earlier steps' outputs), with the step's `env:`, in the workspace, and reads
`$GITHUB_OUTPUT` after each step; a step whose `if:` is false, or any step after a failed one
(unless its `if:` says otherwise), is skipped. `RunnerEmulation` below does exactly that, for the
expressions action.yml uses. `uses:` steps (actions/setup-python, upload-sarif) cannot run here:
they are recorded with their inputs, and the test checks what they would be given.

The install step really installs dflint from a snapshot of this checkout with pip, as the action
does from `github.action_path`, into a virtualenv (dependencies from pip's configured index).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT
from test_formatters import assert_valid_sarif

ACTION_FILE = ROOT / "action.yml"
# Left out of the snapshot: caches, build output, virtualenvs.
_IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache"
)
WARNING_ONLY = (
    "FROM --platform=linux/amd64 golang:1.22 AS build\n"  # DF203, a warning
    "RUN go build -o /app .\n"
    "FROM alpine:3.20\n"
    "COPY --from=build /app /app\n"
)
ERROR = "FROM alpine:3.20\nRUN wget https://example.com/tool-$TARGETARCH.tar.gz\n"  # DF308


def action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(ACTION_FILE.read_text(encoding="utf-8"))
    return loaded


# --- expressions, as the runner evaluates them ------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\))"
    r"|(?P<call>[a-z]+)\(\)|(?P<name>[A-Za-z_][A-Za-z0-9_.-]*))"
)


class Expression:
    """A `${{ }}` expression of the kinds action.yml uses: context values (`inputs.x`,
    `steps.id.outputs.y`, `github.action_path`, `runner.temp`), string literals, `==`, `!=`
    (case-insensitive, as GitHub compares strings), `!`, `&&`, `||`, parentheses and the status
    functions."""

    def __init__(self, text: str, context: dict[str, Any], status: dict[str, bool]) -> None:
        self.tokens: list[tuple[str, str]] = []
        position = 0
        text = text.strip()
        while position < len(text):
            match = _TOKEN.match(text, position)
            assert match and match.end() > position, f"cannot read {text[position:]!r}"
            kind = match.lastgroup
            assert kind is not None
            self.tokens.append((kind, match.group(kind)))
            position = match.end()
        self.context = context
        self.status = status
        self.uses_status = any(kind == "call" for kind, _ in self.tokens)

    def value(self) -> Any:
        self.index = 0
        result = self._or()
        assert self.index == len(self.tokens), f"unread: {self.tokens[self.index :]}"
        return result

    def _peek(self) -> str | None:
        return self.tokens[self.index][1] if self.index < len(self.tokens) else None

    def _or(self) -> Any:
        left = self._and()
        while self._peek() == "||":
            self.index += 1
            right = self._and()
            left = left if _truthy(left) else right
        return left

    def _and(self) -> Any:
        left = self._compare()
        while self._peek() == "&&":
            self.index += 1
            right = self._compare()
            left = right if _truthy(left) else left
        return left

    def _compare(self) -> Any:
        left = self._unary()
        while self._peek() in ("==", "!="):
            operator = self.tokens[self.index][1]
            self.index += 1
            right = self._unary()
            same = str(left).casefold() == str(right).casefold()
            left = same if operator == "==" else not same
        return left

    def _unary(self) -> Any:
        kind, token = self.tokens[self.index]
        self.index += 1
        if token == "!":
            return not _truthy(self._unary())
        if token == "(":
            inner = self._or()
            assert self._peek() == ")"
            self.index += 1
            return inner
        if kind == "string":
            return token[1:-1].replace("''", "'")
        if kind == "call":
            return self.status[token]
        value: Any = self.context
        for part in token.split("."):
            value = value.get(part, "") if isinstance(value, dict) else ""
        return value


def _truthy(value: Any) -> bool:
    return value not in ("", False, None, 0)


def substitute(text: str, context: dict[str, Any]) -> str:
    status = {"success": True, "failure": False, "always": True, "cancelled": False}
    return re.sub(
        r"\$\{\{(.*?)\}\}",
        lambda match: str(Expression(match.group(1), context, status).value()),
        text,
    )


# --- the runner -------------------------------------------------------------------------------


@dataclass
class StepRun:
    name: str
    outcome: str  # success, failure or skipped
    returncode: int | None = None
    stdout: str = ""
    stderr: str = ""
    uses: str | None = None
    with_: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class RunnerEmulation:
    action_path: Path
    workspace: Path
    temp: Path
    environment: dict[str, str]

    def run(self, inputs: dict[str, str], skip: tuple[str, ...] = ()) -> list[StepRun]:
        """Run the action's steps with these `with:` inputs; steps whose id is in ``skip`` are
        taken from an earlier run (their outputs kept), as a re-run of the later steps."""
        manifest = action()
        unknown = set(inputs) - set(manifest["inputs"])
        assert not unknown, f"the action has no inputs {unknown}"
        values = {name: str(spec.get("default", "")) for name, spec in manifest["inputs"].items()}
        values.update(inputs)
        context: dict[str, Any] = {
            "inputs": values,
            "github": {"action_path": str(self.action_path), "workspace": str(self.workspace)},
            "runner": {"temp": str(self.temp), "os": "Linux"},
            "steps": getattr(self, "kept_steps", {}),
        }
        runs: list[StepRun] = []
        failed = False
        for step in manifest["runs"]["steps"]:
            name = step.get("name", step.get("id", "?"))
            condition = str(step.get("if", "")).strip()
            if condition.startswith("${{"):
                condition = condition[3:-2]
            status = {"success": not failed, "failure": failed, "always": True, "cancelled": False}
            if condition:
                expression = Expression(condition, context, status)
                wanted = _truthy(expression.value())
                if not expression.uses_status:  # an `if:` without one means success() && ...
                    wanted = wanted and not failed
            else:
                wanted = not failed
            if not wanted or step.get("id") in skip:
                runs.append(StepRun(name, "skipped"))
                continue
            if "uses" in step:
                given = {key: substitute(str(v), context) for key, v in step["with"].items()}
                runs.append(StepRun(name, "success", uses=step["uses"], with_=given))
                continue
            run = self._run_step(step, context)
            runs.append(run)
            if "id" in step:
                context["steps"][step["id"]] = {"outputs": run.outputs, "outcome": run.outcome}
            failed = failed or run.outcome == "failure"
        self.kept_steps = context["steps"]
        return runs

    def _run_step(self, step: dict[str, Any], context: dict[str, Any]) -> StepRun:
        assert step["shell"] == "bash"
        script = self.temp / "step.sh"
        script.write_text(substitute(step["run"], context))
        output_file = self.temp / "github_output"
        output_file.write_text("")
        env = dict(self.environment)
        env.update({key: substitute(str(v), context) for key, v in step.get("env", {}).items()})
        env.update(
            {
                "GITHUB_OUTPUT": str(output_file),
                "GITHUB_ACTIONS": "true",
                "GITHUB_ACTION_PATH": str(self.action_path),
                "GITHUB_WORKSPACE": str(self.workspace),
                "RUNNER_TEMP": str(self.temp),
                "RUNNER_OS": "Linux",
            }
        )
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        outputs = {}
        for line in output_file.read_text().splitlines():
            key, sep, value = line.partition("=")
            assert sep, f"an output line the runner would not read this way: {line!r}"
            outputs[key] = value
        outcome = "success" if result.returncode == 0 else "failure"
        return StepRun(
            step.get("name", ""), outcome, result.returncode, result.stdout, result.stderr,
            outputs=outputs,
        )  # fmt: skip


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunnerEmulation]:
    """A runner with the action checked out (a snapshot of this tree) and dflint installed by
    the action's own install step."""
    base = tmp_path_factory.mktemp("action")
    action_path = base / "dflint-action"
    shutil.copytree(ROOT, action_path, ignore=_IGNORED)
    # `python3` is what actions/setup-python would put first on PATH: this interpreter
    shims = base / "bin"
    shims.mkdir()
    (shims / "python3").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (shims / "python3").chmod(0o755)
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GITHUB_", "RUNNER_", "VIRTUAL_ENV", "PYTHON"))
    }
    environment["PATH"] = f"{shims}{os.pathsep}{environment.get('PATH', '')}"
    temp = base / "runner-temp"
    temp.mkdir()
    workspace = base / "workspace"
    workspace.mkdir()
    emulation = RunnerEmulation(action_path, workspace, temp, environment)
    steps = emulation.run({"paths": "."})
    install = next(step for step in steps if step.name == "Install dflint")
    assert install.outcome == "success", install.stdout + install.stderr
    yield emulation


def sample_repository(workspace: Path) -> None:
    for path in list(workspace.iterdir()):
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    (workspace / "Dockerfile").write_text(WARNING_ONLY)
    (workspace / "web app").mkdir()
    (workspace / "web app" / "Dockerfile").write_text(ERROR)
    (workspace / "notes.txt").write_text(ERROR)


def by_name(steps: list[StepRun]) -> dict[str, StepRun]:
    return {step.name: step for step in steps}


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
    sample_repository(runner.workspace)
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
    sample_repository(runner.workspace)
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
    sample_repository(runner.workspace)
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
    sample_repository(runner.workspace)
    steps = by_name(runner.run({"paths": "Dockerfile missing/"}, skip=("install",)))
    sarif_step = steps["Lint Dockerfiles (SARIF)"]
    assert sarif_step.returncode == 2
    assert "missing" in sarif_step.stderr
    assert steps["Upload SARIF to code scanning"].outcome == "skipped"
    assert steps["Lint Dockerfiles"].outcome == "skipped"


def test_inputs_are_data_not_code(runner: RunnerEmulation) -> None:
    """Quotes, `$(...)` and `;` in an input are a path or an argument, never a command."""
    sample_repository(runner.workspace)
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
