"""Config files: discovery, keys, errors with suggestions, and their effect on findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from dflint.errors import ConfigError
from dflint.lint.engine import Options, lint_file
from dflint.settings.config import discover, load_file

DOCKERFILE = "FROM --platform=$TARGETPLATFORM alpine\nRUN echo $TARGETARCH\n"


def lint_codes(folder: Path, name: str = "Dockerfile", **options: object) -> list[str]:
    path = folder / name
    result = lint_file(path, name, Options(**options))  # type: ignore[arg-type]
    return [finding.code for finding in result.findings]


def setup_function() -> None:
    discover.cache_clear()


def test_pyproject_tool_table_is_found_upward(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.dflint]\nignore = ["DF308"]\n')
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "Dockerfile").write_text(DOCKERFILE)
    assert lint_codes(tmp_path / "docker") == ["DF204"]


def test_pyproject_without_dflint_table_is_passed_over(tmp_path: Path) -> None:
    (tmp_path / ".dflint.toml").write_text('select = ["DF308"]\n')
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / "app" / "Dockerfile").write_text(DOCKERFILE)
    assert lint_codes(tmp_path / "app") == ["DF308"]


def test_no_config_and_explicit_config(tmp_path: Path) -> None:
    (tmp_path / ".dflint.toml").write_text('ignore = ["DF308", "DF204"]\n')
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    assert lint_codes(tmp_path) == []
    assert sorted(lint_codes(tmp_path, no_config=True)) == ["DF204", "DF308"]
    other = tmp_path / "other.toml"
    other.write_text('select = ["DF204"]\n')
    assert lint_codes(tmp_path, config_path=other) == ["DF204"]


def test_per_file_ignores_and_severity(tmp_path: Path) -> None:
    (tmp_path / ".dflint.toml").write_text(
        '[per-file-ignores]\n"*.windows" = ["DF308"]\n[severity]\nDF204 = "error"\n'
    )
    (tmp_path / "Dockerfile.windows").write_text(DOCKERFILE)
    result = lint_file(tmp_path / "Dockerfile.windows", "Dockerfile.windows", Options())
    assert [(f.code, f.severity.value) for f in result.findings] == [("DF204", "error")]


def test_platforms_key_sets_targets(tmp_path: Path) -> None:
    (tmp_path / ".dflint.toml").write_text('platforms = ["linux/arm64"]\n')
    (tmp_path / "Dockerfile").write_text("FROM arm64v8/alpine\n")
    assert lint_codes(tmp_path) == []
    (tmp_path / ".dflint.toml").write_text('platforms = ["linux/arm64", "linux/amd64"]\n')
    discover.cache_clear()
    assert lint_codes(tmp_path) == ["DF202"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('ignroe = ["DF308"]\n', "unknown key 'ignroe' (did you mean 'ignore'?)"),
        ('select = ["DF3O8"]\n', "unknown rule code 'DF3O8'"),
        ('failure-threshold = "warn"\n', "did you mean 'warning'?"),
        ('platforms = ["arm64"]\n', "'arm64' is not an os/arch"),
        ("select = [\n", "invalid TOML"),
        ('[severity]\nDF308 = "fatal"\n', "severity.DF308 must be"),
    ],
)
def test_config_errors_name_file_key_and_suggestion(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / ".dflint.toml"
    path.write_text(content)
    with pytest.raises(ConfigError) as caught:
        load_file(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_config_error_exits_2_from_the_cli(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / ".dflint.toml").write_text('ignroe = ["DF308"]\n')
    (tmp_path / "Dockerfile").write_text("FROM alpine\n")
    result = subprocess.run(
        [sys.executable, "-m", "dflint", "lint", "Dockerfile"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "did you mean 'ignore'?" in result.stderr
    assert "Traceback" not in result.stderr
