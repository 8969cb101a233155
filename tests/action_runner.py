"""The Actions runner, emulated for action.yml: what tests/test_action.py and the README's
workflow test run the action with.

The runner gives a composite action's `run:` steps to `bash --noprofile --norc -eo pipefail`,
after replacing each `${{ ... }}` with its value (inputs with their defaults, `github.*`,
`runner.*`, earlier steps' outputs), with the step's `env:`, in the workspace, and reads
`$GITHUB_OUTPUT` after each step; a step whose `if:` is false, or any step after a failed one
(unless its `if:` says otherwise), is skipped. `RunnerEmulation` does exactly that, for the
expressions action.yml uses. `uses:` steps (actions/setup-python, upload-sarif) cannot run here:
they are recorded with the inputs they would be given.

The `action_runner` fixture (one per session) really installs dflint from a snapshot of this
checkout with the action's own install step: pip, into a virtualenv, with the dependencies from
pip's configured index.
"""

from __future__ import annotations

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

ROOT = Path(__file__).resolve().parent.parent
ACTION_FILE = ROOT / "action.yml"
# Left out of the snapshot: caches, build output, virtualenvs.
_IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache"
)


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


@pytest.fixture(scope="session")
def action_runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunnerEmulation]:
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
    # the install step: all Python, not a minute of compiling (tests/test_packaging.py checks
    # the compiled build)
    environment["DFLINT_PURE_PYTHON"] = "1"
    temp = base / "runner-temp"
    temp.mkdir()
    workspace = base / "workspace"
    workspace.mkdir()
    emulation = RunnerEmulation(action_path, workspace, temp, environment)
    steps = emulation.run({"paths": "."})
    install = next(step for step in steps if step.name == "Install dflint")
    if install.outcome != "success":
        from conftest import package_download_failed  # conftest imports this module

        what = "the action's install step (pip install into a virtualenv)"
        package_download_failed("pip", what, install.stdout + install.stderr)
    yield emulation


def by_name(steps: list[StepRun]) -> dict[str, StepRun]:
    return {step.name: step for step in steps}
