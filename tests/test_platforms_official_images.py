"""`dflint data import-official-images`: bashbrew library files (written here) and the
derived platforms JSON in ../shared/data, then the offline resolution that uses the table."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import lint, shared_path

from dflint.registry.official_images import (
    ImportFailure,
    import_official_images,
    parse_library_file,
)

ROOT = Path(__file__).resolve().parent.parent

# Two images in bashbrew's format: global defaults, comments, continuation lines, SharedTags
# over a Linux and two Windows builds, Constraints, an architecture dflint does not know.
PYLIKE = """\
# this file is generated
Maintainers: Someone <someone@example.com> (@someone),
             Another <another@example.com> (@another)
GitRepo: https://github.com/example/pylike.git
Architectures: amd64, arm32v7, arm64v8

Tags: 3.14.0-bookworm, 3.14-bookworm
SharedTags: 3.14.0, 3.14, latest
GitCommit: 0123456789abcdef0123456789abcdef01234567
Directory: 3.14/bookworm

Tags: 3.14.0-alpine, 3.14-alpine
Architectures: amd64, arm32v6,
  arm64v8, loong64
Directory: 3.14/alpine

Tags: 3.14.0-windowsservercore-ltsc2022, 3.14-windowsservercore-ltsc2022
SharedTags: 3.14.0, 3.14, latest
Architectures: windows-amd64
Constraints: windowsservercore-ltsc2022
Directory: 3.14/windows/windowsservercore-ltsc2022

Tags: 3.14.0-nanoserver-1809
SharedTags: 3.14.0, 3.14, latest
Architectures: windows-amd64
Constraints: nanoserver-1809, windowsservercore-1809
Directory: 3.14/windows/nanoserver-1809
"""
PLAIN = """\
Maintainers: Someone <someone@example.com> (@someone)
GitRepo: https://github.com/example/plain.git

Tags: 1.0, latest
Directory: .
"""
DEPRECATED = "Maintainers: Nobody <n@example.com> (@n)\nGitRepo: https://example.com/x.git\n"


def clone(tmp_path: Path) -> Path:
    library = tmp_path / "official-images" / "library"
    library.mkdir(parents=True)
    (library / "pylike").write_text(PYLIKE)
    (library / "plain").write_text(PLAIN)
    (library / "deprecated").write_text(DEPRECATED)
    (library / "broken").write_text("Tags: 1\n\nno colon here\n")
    (tmp_path / "official-images" / "README.md").write_text("# not a library file\n")
    return tmp_path / "official-images"


def test_parse_library_file() -> None:
    builds = parse_library_file(PYLIKE)
    assert [b.tags for b in builds][1] == ["3.14.0-alpine", "3.14-alpine"]
    assert builds[0].arches == ["amd64", "arm32v7", "arm64v8"]  # from the global paragraph
    assert builds[1].arches == ["amd64", "arm32v6", "arm64v8", "loong64"]  # continued line
    assert builds[3].constraints == ["nanoserver-1809", "windowsservercore-1809"]
    assert parse_library_file(PLAIN)[0].arches == ["amd64"]  # the default
    assert parse_library_file(DEPRECATED) == []
    with pytest.raises(ValueError, match="no Maintainers"):
        parse_library_file("Tags: 1\n")


def test_import_a_clone(tmp_path: Path) -> None:
    result = import_official_images(clone(tmp_path))
    assert result.tags["pylike:3.14-bookworm"] == ["linux/amd64", "linux/arm/v7", "linux/arm64/v8"]
    assert result.tags["pylike:3.14-alpine"] == ["linux/amd64", "linux/arm/v6", "linux/arm64/v8"]
    # a shared tag is the union of every build that names it, Windows builds with their OS
    assert result.tags["pylike:latest"] == [
        "linux/amd64",
        "linux/arm/v7",
        "linux/arm64/v8",
        "windows/amd64:10.0.20348",
        "windows/amd64:10.0.17763",
    ]
    assert result.tags["plain:latest"] == ["linux/amd64"]
    assert result.unknown_arches == {"loong64"}
    assert result.images == 2
    assert [item.split(":")[0] for item in result.skipped] == ["broken"]
    assert not any(key.startswith("deprecated:") for key in result.tags)
    # the library folder itself is accepted as well
    assert import_official_images(clone(tmp_path / "again") / "library").tags == result.tags


@pytest.mark.parametrize("content", [None, "{}", "not json"])
def test_inputs_that_are_not_official_images(tmp_path: Path, content: str | None) -> None:
    source = tmp_path / "input.json"
    if content is None:
        source = tmp_path / "empty"
        source.mkdir()
    else:
        source.write_text(content)
    with pytest.raises(ImportFailure):
        import_official_images(source)


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ, DFLINT_DATA_DIR=str(data_dir))
    return subprocess.run(
        [sys.executable, "-m", "dflint", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        cwd=ROOT,
    )


def test_cli_import_writes_the_table_lint_uses(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    done = run("data", "import-official-images", str(clone(tmp_path)), data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(f"tags of 2 images -> {data_dir / 'official-images.json'}\n")
    assert "dflint: skipped broken: line 3: not a `Field: value` line" in done.stderr
    assert "unknown architectures left out: loong64" in done.stderr
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM pylike:3.14-alpine\n")
    linted = run("lint", "--format", "json", "--platform", "linux/s390x", str(dockerfile),
                 data_dir=data_dir)  # fmt: skip
    [finding] = json.loads(linted.stdout)["findings"]
    assert finding["code"] == "DF201"
    assert "(per the imported official-images table)" in finding["message"]


def test_cli_import_errors_are_one_line(tmp_path: Path) -> None:
    done = run("data", "import-official-images", str(tmp_path / "nope"), data_dir=tmp_path)
    assert done.returncode == 2
    assert done.stderr == f"dflint: error: {tmp_path / 'nope'}: no such file or directory\n"


def test_import_the_shared_platforms_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """../shared/data holds the facts derived from official-images (not a clone): a README and
    one JSON file. The importer takes that folder, and lint then answers from it offline."""
    folder = shared_path("data")
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md",
        "official-images-platforms.json",
    ]
    data_dir = tmp_path / "data"
    done = run("data", "import-official-images", str(folder), data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("9849 tags of 137 images -> ")
    table = json.loads((data_dir / "official-images.json").read_text())
    assert table["source_commit"] == "37079fb336f572a88700cf32e5e1f6be54a04e8f"
    windows = ["windows/amd64:10.0.20348", "windows/amd64:10.0.26100"]
    assert table["tags"]["python:3.14"][-2:] == windows
    assert table["tags"]["python:3.14-windowsservercore-ltsc2022"] == ["windows/amd64:10.0.20348"]
    monkeypatch.setenv("DFLINT_DATA_DIR", str(data_dir))
    findings = lint("FROM rocket.chat:latest\nFROM ibmjava:8\n", select=("DF201", "DF207"))
    assert [(f.code, f.line, f.platform) for f in findings] == [
        ("DF201", 1, "linux/arm64"),
        ("DF201", 2, "linux/arm64"),
    ]
    assert findings[0].message.endswith(
        "it exists for linux/amd64 (per the imported official-images table (commit 37079fb336f5))"
    )
