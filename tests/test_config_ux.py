"""What a user sees of the configuration: `--show-config`, and errors that say how to fix them."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from dflint.errors import ConfigError
from dflint.settings.config import KEYS, discover, from_mapping, load_file


def setup_function() -> None:
    discover.cache_clear()


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    env["DFLINT_OFFLINE"] = "1"  # the base-image rules would ask registries
    return subprocess.run(
        [sys.executable, "-m", "dflint", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def settings(output: str) -> dict[str, tuple[str, str]]:
    """key -> (value as written, origin comment) from --show-config output."""
    rows = {}
    for line in output.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        assignment, _, origin = line.partition("  # ")
        key, _, value = assignment.partition(" = ")
        rows[key.strip()] = (value.strip(), origin.strip())
    return rows


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.dflint]\n"
        'platforms = ["linux/amd64", "linux/arm64"]\n'
        'ignore = ["DF204"]\n'
        "[tool.dflint.severity]\n"
        'DF203 = "error"\n'
    )
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / ".dflint.toml").write_text(
        'ignore = ["DF104"]\n[per-file-ignores]\n"*.windows" = ["DF308"]\n'
    )
    (tmp_path / "svc" / "Dockerfile").write_text("FROM alpine:3.20\n")
    return tmp_path


def test_show_config_names_the_origin_of_each_value(project: Path) -> None:
    result = run("lint", "--show-config", "--ignore", "DF203", "svc/Dockerfile", cwd=project)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "# dflint settings for svc/Dockerfile"
    assert lines[1] == f"# config file: {project / 'svc' / '.dflint.toml'}"
    rows = settings(result.stdout)
    assert list(rows) == list(KEYS)
    local = str(project / "svc" / ".dflint.toml")
    assert rows["ignore"] == ('["DF104", "DF203"]', f"{local} + command line (--ignore)")
    assert rows["per-file-ignores"] == ('{ "*.windows" = ["DF308"] }', local)
    # the nearest file wins whole: the pyproject's platforms do not apply below svc/
    assert rows["platforms"][0] == "[]" and rows["platforms"][1].startswith("default")
    assert rows["severity"] == ("{}", "default")
    assert rows["failure-threshold"] == ('"warning"', "default")
    assert lines[-1] == "# targets for svc/Dockerfile: linux/amd64, linux/arm64 (from default)"


def test_show_config_for_a_folder_and_command_line_overrides(project: Path) -> None:
    result = run(
        "lint",
        "--show-config",
        "--platform",
        "linux/arm64",
        "--select",
        "DF2",
        "--failure-threshold",
        "error",
        cwd=project,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# dflint settings for .\n")
    rows = settings(result.stdout)
    pyproject = f"{project / 'pyproject.toml'} [tool.dflint]"
    assert rows["platforms"] == ('["linux/arm64"]', "command line (--platform)")
    assert rows["select"] == ('["DF2"]', "command line (--select)")
    assert rows["ignore"] == ('["DF204"]', pyproject)
    assert rows["severity"] == ('{ "DF203" = "error" }', pyproject)
    assert rows["failure-threshold"] == ('"error"', "command line (--failure-threshold)")


def test_show_config_output_is_a_config_file(project: Path) -> None:
    """Pasted into a .dflint.toml, the output gives the same settings."""
    result = run("lint", "--show-config", ".", cwd=project)
    parsed = tomllib.loads(result.stdout)
    assert set(parsed) == set(KEYS)
    again = from_mapping(parsed, "pasted", None)
    original = load_file(project / "pyproject.toml")
    assert original is not None
    for key in ("platforms", "select", "ignore", "per_file_ignores", "severity"):
        assert getattr(again, key) == getattr(original, key), key


def test_show_config_without_any_file(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile.linux-arm64").write_text("FROM alpine:3.20\n")
    result = run("lint", "--show-config", "--no-config", "Dockerfile.linux-arm64", cwd=tmp_path)
    assert "# config file: none (--no-config)" in result.stdout
    # the name says what the file is for; it does not decide the targets
    assert (
        "# targets for Dockerfile.linux-arm64: linux/amd64, linux/arm64 (from default)"
        in result.stdout
    )
    assert (
        "# the file says it is for linux/arm64 (file name Dockerfile.linux-arm64): "
        "a per-architecture file, checked against it" in result.stdout
    )
    found = run("lint", "--show-config", cwd=tmp_path)
    assert "# config file: none found" in found.stdout


def test_show_config_reports_config_errors(tmp_path: Path) -> None:
    (tmp_path / ".dflint.toml").write_text('ignroe = ["DF204"]\n')
    result = run("lint", "--show-config", cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown key 'ignroe' (did you mean 'ignore'?)" in result.stderr


def test_lint_without_paths_is_a_usage_error(tmp_path: Path) -> None:
    result = run("lint", cwd=tmp_path)
    assert result.returncode == 2
    assert "no paths" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('platforms = ["arm64"]\n', "platforms: 'arm64' is not an os/arch"),
        ('platforms = ["arm64"]\n', "(did you mean 'linux/arm64'?)"),
        ('platforms = ["x86_64"]\n', "(did you mean 'linux/amd64'?)"),
        ('platforms = ["linux/amd46"]\n', "(did you mean 'linux/amd64'?)"),
        ('[severity]\nDF308 = "warn"\n', "severity.DF308 must be 'error', 'warning' or 'info'"),
        ('[severity]\nDF308 = "warn"\n', "(did you mean 'warning'?)"),
        ('[severity]\nDF3O8 = "error"\n', "severity: unknown rule code 'DF3O8'"),
        ('[per-file-ignores]\n"*.win" = ["DF3O8"]\n', "per-file-ignores.'*.win'"),
        ('[tool.dflint]\nselect = ["DF3O8"]\n', "(did you mean 'DF308'?)"),
    ],
)
def test_config_errors_name_file_key_and_suggestion(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / ".dflint.toml"
    path.write_text(content)
    with pytest.raises(ConfigError) as caught:
        load_file(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_platform_without_a_known_architecture_gets_no_guess(tmp_path: Path) -> None:
    path = tmp_path / ".dflint.toml"
    path.write_text('platforms = ["windows"]\n')
    with pytest.raises(ConfigError) as caught:
        load_file(path)
    assert "did you mean" not in str(caught.value)


def test_command_line_code_errors_name_the_option(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine\n")
    result = run("lint", "--ignore", "DF2O4", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 2
    assert "--ignore: unknown rule code 'DF2O4' (did you mean 'DF204'?)" in result.stderr
