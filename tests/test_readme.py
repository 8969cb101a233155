"""Every snippet in README.md is run or loaded here, so the README cannot drift from the tool.

The pre-commit snippet is run by tests/test_precommit.py with the real pre-commit.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, lint
from test_formatters import assert_valid_gitlab, assert_valid_sarif

from dflint.lint.ruleset import rule_class
from dflint.report.docs import example_rules
from dflint.report.summary import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS
from dflint.settings.config import KEYS, load_file

README = (ROOT / "README.md").read_text(encoding="utf-8")
NEWCOMER_RUN = (
    "python3 -m venv .venv && . .venv/bin/activate && pip install . "
    "&& dflint lint sample_dockerfiles/\n"
)
NEWCOMER_TEST = (
    "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' && pytest\n"
)


def section(title: str) -> str:
    """The text of the `## title` section."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.S | re.M)
    assert match, f"README.md has no '## {title}' section"
    return match.group(1)


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", text, re.S | re.M)


def example_dockerfile() -> str:
    [dockerfile] = blocks(section("Usage"), "dockerfile")
    return dockerfile


def dflint(
    command: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a `dflint ...` line from the README as a shell would split it."""
    words = shlex.split(command, comments=True)
    assert words[0] == "dflint", command
    environment = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    environment["DFLINT_OFFLINE"] = "1"  # the base-image rules would ask registries
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "dflint", *words[1:]],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=120,
    )


def test_the_newcomer_commands_come_first_and_ci_runs_the_second() -> None:
    assert blocks(README, "sh")[:2] == [NEWCOMER_RUN, NEWCOMER_TEST]
    # .ci/run takes its test command from the README with this awk program
    awk = re.search(r"awk '([^']+)' README\.md", (ROOT / ".ci" / "run").read_text())
    assert awk, ".ci/run no longer extracts the README's test command"
    extracted = subprocess.run(
        ["awk", awk.group(1), "README.md"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert extracted.stdout == NEWCOMER_TEST


def test_usage_commands_run(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(example_dockerfile())
    [usage] = blocks(section("Usage"), "sh")
    commands = [line for line in usage.splitlines() if line.strip()]
    assert len(commands) >= 8
    for command in commands:
        result = dflint(command, tmp_path)
        assert result.returncode in (EXIT_CLEAN, EXIT_FINDINGS), (command, result.stderr)
        assert "Traceback" not in result.stderr and "error:" not in result.stderr, command
    assert json.loads((tmp_path / "dflint.sarif").read_text())["version"] == "2.1.0"


def test_terminal_hooks_and_ci_commands_run(tmp_path: Path) -> None:
    """The habits section: each line runs (standard input holds the Usage example)."""
    (tmp_path / "Dockerfile").write_text(example_dockerfile())
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / ".dflint.toml").write_text('ignore = ["DF204"]\n')
    [commands] = blocks(section("In a terminal, in hooks and in CI"), "sh")
    lines = [line for line in commands.splitlines() if line.strip()]
    assert len(lines) >= 7
    for command in lines:
        words = shlex.split(command, comments=True)
        result = subprocess.run(
            [sys.executable, "-m", "dflint", *words[1:]],
            input=example_dockerfile(), capture_output=True, text=True, cwd=tmp_path,
            env={**os.environ, "DFLINT_OFFLINE": "1"}, timeout=120,
        )  # fmt: skip
        assert result.returncode in (EXIT_CLEAN, EXIT_FINDINGS), (command, result.stderr)
        assert "Traceback" not in result.stderr and "error:" not in result.stderr, command
        if words[-1] == "-":  # named for messages and for its config (which ignores DF204)
            assert "svc/Dockerfile:4:12: DF308" in result.stdout
            assert "DF204" not in result.stdout


def test_example_output_is_what_the_command_prints(tmp_path: Path) -> None:
    usage = section("Usage")
    match = re.search(r"^`(dflint lint [^`]+)` prints:$", usage, re.M)
    assert match, "the Usage section no longer shows a command with its output"
    command = match.group(1)
    # the generator reads the same command; its rules must not ask a registry (the output
    # would depend on the network)
    selected = example_rules(usage)
    assert selected and f"--select {','.join(selected)}" in command
    assert not [code for code in selected if rule_class(code).needs_base_images]
    (tmp_path / "Dockerfile").write_text(example_dockerfile())
    result = dflint(command + " --no-config", tmp_path)
    [shown] = blocks(usage, "text")
    assert result.stdout == shown
    assert result.returncode == EXIT_FINDINGS


def test_configuration_snippet_loads(tmp_path: Path) -> None:
    text = section("Configuration")
    [snippet] = blocks(text, "toml")
    (tmp_path / "pyproject.toml").write_text(snippet)
    config = load_file(tmp_path / "pyproject.toml")
    assert config is not None
    assert config.platforms == ("linux/amd64", "linux/arm64")
    assert config.ignore == ("DF204",)
    assert dict(config.severity)["DF203"].value == "error"
    assert len(config.per_file_ignores) == 2


def test_configuration_table_documents_every_key() -> None:
    text = section("Configuration")
    documented = re.findall(r"^\| `([a-z-]+)` \|", text, re.M)
    missing = [key for key in KEYS if key not in documented]
    assert not missing, f"add {missing} to the Configuration table in README.md"
    unknown = [key for key in documented if key not in KEYS]
    assert not unknown, f"README.md documents keys dflint does not have: {unknown}"


def test_configuration_error_example_is_real(tmp_path: Path) -> None:
    text = " ".join(section("Configuration").split())
    match = re.search(r"`(\.dflint\.toml: unknown key [^`]+)`", text)
    assert match
    key = re.search(r"unknown key '(\w+)'", match.group(1))
    assert key
    (tmp_path / ".dflint.toml").write_text(f'{key.group(1)} = ["DF204"]\n')
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\n")
    result = dflint("dflint lint Dockerfile", tmp_path)
    assert result.returncode == EXIT_ERROR
    assert result.stderr.strip().endswith(match.group(1))


def test_suppression_snippet_suppresses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DFLINT_OFFLINE", "1")  # the base-image rules would ask registries
    [snippet] = blocks(section("Suppressing a finding"), "dockerfile")
    assert lint(snippet) == [], "the suppression (and its reason) must leave no finding"
    without = "\n".join(line for line in snippet.splitlines() if "# dflint:" not in line)
    suppressed = re.search(r"ignore=(DF\d{3})", snippet)
    assert suppressed
    assert suppressed.group(1) in [f.code for f in lint(without)]


def test_github_actions_workflow(action_runner: Any) -> None:
    """The workflow's dflint step, run through action.yml (tests/action_runner.py) with the
    snippet's inputs, on the Usage example."""
    from action_runner import action, by_name

    [snippet] = blocks(section("GitHub Actions"), "yaml")
    workflow = yaml.safe_load(snippet)
    [job] = workflow["jobs"].values()
    assert job["permissions"]["security-events"] == "write"  # upload-sarif needs it
    uses = [step.get("uses", "") for step in job["steps"]]
    assert uses[0].startswith("actions/checkout@")
    [step] = [item for item in job["steps"] if item.get("uses", "").startswith("dflint/dflint@")]
    for path in list(action_runner.workspace.iterdir()):
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    (action_runner.workspace / "Dockerfile").write_text(example_dockerfile())
    steps = by_name(action_runner.run(step["with"], skip=("install",)))
    upload = steps["Upload SARIF to code scanning"]
    assert upload.uses == "github/codeql-action/upload-sarif@v3"
    report = action_runner.workspace / upload.with_["sarif_file"]
    assert_valid_sarif(json.loads(report.read_text()))
    lint = steps["Lint Dockerfiles"]
    assert lint.returncode == EXIT_FINDINGS
    annotations = [line for line in lint.stdout.splitlines() if line.startswith("::")]
    assert any(
        line.startswith("::warning file=Dockerfile,line=1,") and "title=DF203 " in line
        for line in annotations
    ), annotations
    # the inputs table documents every input of action.yml, with its default
    table = dict(re.findall(r"^\| `([a-z-]+)` \| ([^|]+) \|", section("GitHub Actions"), re.M))
    inputs = action()["inputs"]
    assert sorted(table) == sorted(inputs)
    for name, spec in inputs.items():
        default = spec.get("default", "")
        if default:
            assert f"`{default}`" in table[name], name


def test_gitlab_ci_job(tmp_path: Path) -> None:
    [snippet] = blocks(section("GitLab CI"), "yaml")
    [job] = yaml.safe_load(snippet).values()
    # dflint is installed from an archive of the repository at a commit (no release needed)
    [install] = [line for line in job["script"] if line.startswith("pip install")]
    assert "https://github.com/dflint/dflint/archive/$DFLINT_REF.tar.gz" in install
    assert job["variables"]["DFLINT_REF"]
    commands = [line for line in job["script"] if line.startswith("dflint ")]
    assert len(commands) == 2
    (tmp_path / "Dockerfile").write_text(example_dockerfile())
    results = [dflint(command, tmp_path) for command in commands]
    assert [r.returncode for r in results] == [EXIT_CLEAN, EXIT_FINDINGS]
    assert "Dockerfile:1:1: DF203" in results[1].stdout
    # the Code Quality report is the artifact GitLab reads
    assert job["artifacts"]["when"] == "always"
    report = job["artifacts"]["reports"]["codequality"]
    assert f"--output-file {report}" in commands[0] and "--format gitlab" in commands[0]
    document = assert_valid_gitlab((tmp_path / report).read_text(encoding="utf-8"))
    assert {(item["check_name"], item["location"]["lines"]["begin"]) for item in document} >= {
        ("DF203", 1),
        ("DF308", 4),
    }


def test_checkstyle_source_as_the_readme_says(tmp_path: Path) -> None:
    text = " ".join(section("GitLab CI").split())
    example = re.search(r"`source` is `(dflint\.DF\d{3})`", text)
    assert example
    (tmp_path / "Dockerfile").write_text(example_dockerfile())
    result = dflint("dflint lint --format checkstyle Dockerfile", tmp_path)
    sources = {error.get("source") for error in ET.fromstring(result.stdout).iter("error")}
    assert sources and all(re.fullmatch(r"dflint\.DF\d{3}", str(item)) for item in sources)


def test_exit_codes_table() -> None:
    rows = dict(re.findall(r"^\| (\d) \| (.+) \|$", section("Exit codes"), re.M))
    assert sorted(int(code) for code in rows) == sorted({EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR})
    assert "failure threshold" in rows[str(EXIT_FINDINGS)]


@pytest.mark.parametrize(
    "title",
    [
        "Which platforms can this Dockerfile be built for?",
        "Variants for other platforms: `dflint fix` and `dflint render`",
    ],
)
def test_platform_and_variant_commands_run(tmp_path: Path, title: str) -> None:
    (tmp_path / "Dockerfile").write_text(
        (ROOT / "sample_dockerfiles" / "Dockerfile.linux-amd64")
        .read_text()
        .replace("diamol/base:linux-amd64", "alpine:3.20")
        + "RUN wget https://example.com/tool-$TARGETARCH.tar.gz\n"
    )
    [commands] = blocks(section(title), "sh")
    for command in (line for line in commands.splitlines() if line.strip()):
        result = dflint(command, tmp_path)
        assert result.returncode in (EXIT_CLEAN, EXIT_FINDINGS), (command, result.stderr)
        assert "Traceback" not in result.stderr, command
    if "fix" in title:
        assert (tmp_path / "Dockerfile.windows").is_file()
        assert (tmp_path / "docker-bake.hcl").is_file() and (tmp_path / "manifest.sh").is_file()
        assert "ARG TARGETARCH" in (tmp_path / "Dockerfile").read_text()


def test_after_you_push(registries: Any, tmp_path: Path) -> None:
    """The verify commands, against the test registry: `$dockerId/ch16-folder-list` is seeded
    there (a list of amd64 and arm64 images), the local files are written here."""
    from registry_fixture import Seeder, _files_image, linux_app
    from test_verify_layers import write_layout

    registry = registries.open
    docker_id = f"{registry.host}/me"
    seeder = Seeder(registry.url)
    try:
        children = [
            _files_image(
                seeder, "me/ch16-folder-list", platform, False, linux_app(arch, arch), None
            )
            for arch, platform in (
                ("amd64", {"os": "linux", "architecture": "amd64"}),
                ("arm64", {"os": "linux", "architecture": "arm64"}),
            )
        ]
        index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                 "manifests": children}  # fmt: skip
        seeder.manifest("me/ch16-folder-list", "latest", index)
    finally:
        seeder.close()
    write_layout(tmp_path / "folder-list-layout", linux_app("arm64", "arm64"), "latest")
    write_docker_archive(tmp_path / "folder-list.tar", linux_app("arm64", "arm64"))
    text = section("After you push")
    docker_flow, verify_commands = blocks(text, "sh")
    assert "docker manifest create" in docker_flow and "docker manifest push" in docker_flow
    commands = [line for line in verify_commands.splitlines() if line.strip()]
    assert len(commands) == 5
    for command in commands:
        result = dflint(command.replace("$dockerId", docker_id), tmp_path)
        assert result.returncode == EXIT_CLEAN, (command, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
    assert (
        "linux/arm64  ✓  3 binaries, all linux/arm64"
        in dflint(commands[0].replace("$dockerId", docker_id), tmp_path).stdout
    )
    assert_valid_sarif(json.loads((tmp_path / "verify.sarif").read_text()))
    # the CI example: buildx pushes, then verify runs on the pushed tag
    [snippet] = blocks(text, "yaml")
    [job] = yaml.safe_load(snippet)["jobs"].values()
    runs = [step["run"] for step in job["steps"] if "run" in step]
    assert "--push" in runs[0] and runs[-1].startswith("dflint verify ")
    image = f"{docker_id}/ch16-folder-list:latest"
    result = dflint(runs[-1].replace('"$IMAGE"', image), tmp_path)
    assert result.returncode == EXIT_CLEAN, result.stdout


def write_docker_archive(path: Path, files: list[tuple[str, bytes, int]]) -> None:
    """What `docker save` writes: manifest.json, the config and each layer as a plain tar."""
    import gzip
    import hashlib
    import io
    import tarfile

    from registry_fixture import files_layer

    layer, diff_id = files_layer(files)
    plain = gzip.decompress(layer)
    config = json.dumps({"architecture": "arm64", "os": "linux",
                         "rootfs": {"type": "layers", "diff_ids": [diff_id]}}).encode()  # fmt: skip
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    manifest = json.dumps([{"Config": config_name, "RepoTags": ["folder-list:linux-arm64"],
                            "Layers": [f"{diff_id[7:]}/layer.tar"]}]).encode()  # fmt: skip
    with tarfile.open(path, "w") as tar:
        for name, data in (
            ("manifest.json", manifest),
            (config_name, config),
            (f"{diff_id[7:]}/layer.tar", plain),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
