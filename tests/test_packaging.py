"""The built wheel: `rules/` ships only as `dflint.rules`, with py.typed, the script and metadata.

This builds a real wheel with `python -m build` (about 10-20 s) and runs in the normal suite: it
is the only check that the `package-dir` mapping in pyproject.toml does what it says.
"""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from email.message import Message
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent

REQUIRED_DEPENDENCIES = frozenset(
    {
        "typer",
        "jinja2",
        "tree-sitter",
        "tree-sitter-bash",
        "tree-sitter-powershell",
        "httpx",
        "platformdirs",
    }
)

# Build artefacts and caches that must not leak into (or come from) the copied source tree.
_IGNORED = shutil.ignore_patterns(
    ".git", "build", "dist", "*.egg-info", "__pycache__", ".venv", ".*_cache"
)


def _run_build(source: Path, outdir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "build", "--wheel", *extra, "--outdir", str(outdir), "."]
    return subprocess.run(
        command, cwd=source, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[zipfile.ZipFile]:
    """The wheel built from a copy of the checkout (so no build/ or egg-info lands in it)."""
    work = tmp_path_factory.mktemp("wheel-build")
    source = work / "src"
    shutil.copytree(ROOT, source, ignore=_IGNORED)
    outdir = work / "dist"
    # An isolated build installs the build requirements into a fresh environment (pip's
    # configured indexes, which may be local); fall back to the current environment's
    # setuptools and wheel when that is not possible, e.g. offline without a local index.
    attempts = [_run_build(source, outdir)]
    if attempts[0].returncode != 0:
        attempts.append(_run_build(source, outdir, "--no-isolation"))
    if attempts[-1].returncode != 0:
        report = "\n\n".join(
            f"$ {' '.join(str(part) for part in attempt.args)}\n"
            f"{attempt.stdout[-3000:]}{attempt.stderr[-3000:]}"
            for attempt in attempts
        )
        pytest.fail(f"building the wheel failed:\n{report}")
    wheels = sorted(outdir.glob("*.whl"))
    assert len(wheels) == 1, f"expected one wheel, got {wheels}"
    archive = zipfile.ZipFile(wheels[0])
    yield archive
    archive.close()


def _dist_info_file(wheel: zipfile.ZipFile, name: str) -> str:
    matches = [
        item
        for item in wheel.namelist()
        if item.count("/") == 1
        and item.split("/")[0].endswith(".dist-info")
        and item.endswith("/" + name)
    ]
    assert len(matches) == 1, f"expected one */.dist-info/{name}, got {matches}"
    return wheel.read(matches[0]).decode("utf-8")


def _metadata(wheel: zipfile.ZipFile) -> Message:
    return Parser().parsestr(_dist_info_file(wheel, "METADATA"))


def test_rules_ship_as_dflint_rules(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    assert "dflint/rules/__init__.py" in names
    repo_rules = sorted(path.name for path in (ROOT / "rules").glob("*.py"))
    assert repo_rules, "the repository has no rules/*.py"
    missing = [name for name in repo_rules if f"dflint/rules/{name}" not in names]
    assert not missing, f"rules/*.py missing from the wheel as dflint/rules/*: {missing}"


def test_no_top_level_rules_package(wheel: zipfile.ZipFile) -> None:
    stray = [name for name in wheel.namelist() if name == "rules" or name.startswith("rules/")]
    assert not stray, f"the wheel has a top-level rules package: {stray}"
    if any(name.endswith(".dist-info/top_level.txt") for name in wheel.namelist()):
        top_level = _dist_info_file(wheel, "top_level.txt").split()
        assert "rules" not in top_level


def test_py_typed_is_shipped(wheel: zipfile.ZipFile) -> None:
    assert "dflint/py.typed" in wheel.namelist()


def test_platform_package_and_its_offline_table_are_shipped(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    modules = sorted(p.name for p in (ROOT / "dflint" / "platforms").glob("*.py"))
    assert all(f"dflint/platforms/{name}" in names for name in modules)
    assert "dflint/platforms/wellknown.json" in names


def test_generator_and_its_templates_are_shipped(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for name in ("run.py", "templates/linux.Dockerfile.j2", "templates/windows.Dockerfile.j2"):
        assert f"dflint/generator/{name}" in names, name


def test_console_script_entry_point(wheel: zipfile.ZipFile) -> None:
    parser = configparser.ConfigParser()
    parser.read_string(_dist_info_file(wheel, "entry_points.txt"))
    assert parser.has_section("console_scripts")
    assert parser.get("console_scripts", "dflint", fallback=None) == "dflint.cli:main"


def test_metadata_requirements(wheel: zipfile.ZipFile) -> None:
    metadata = _metadata(wheel)
    requirements = [Requirement(value) for value in metadata.get_all("Requires-Dist") or []]
    # Only unconditional requirements count: an extra's dependency is not installed by default.
    runtime = {canonicalize_name(req.name) for req in requirements if req.marker is None}
    missing = sorted(REQUIRED_DEPENDENCIES - runtime)
    assert not missing, f"METADATA does not require {missing} (has {sorted(runtime)})"


def test_metadata_requires_python(wheel: zipfile.ZipFile) -> None:
    value = _metadata(wheel).get("Requires-Python")
    assert value is not None, "METADATA has no Requires-Python"
    assert SpecifierSet(value) == SpecifierSet(">=3.11")
