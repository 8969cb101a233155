"""`dflint fix` never silently wrong (issue 12), as a user sees it: the variant's text, the
lines it marks, its SHELL and escape lines, the source OS it reads, and its exit codes.
What the translated lines do is proven by running them (tests/test_fix_oracle.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import lint
from registry_fixture import (
    OCI_CONFIG,
    OCI_INDEX,
    OCI_LAYER,
    OCI_MANIFEST,
    Registries,
    Seeder,
    compact,
    digest_of,
)

from dflint.core.reference import parse_reference
from dflint.generate.run import marked_lines
from dflint.registry.resolver import Resolver
from dflint.settings.registry import RegistrySettings


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, "-m", "dflint", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def fix(tmp_path: Path, text: str, *args: str, name: str = "Dockerfile") -> tuple[int, str, str]:
    """(exit code, the variant written, stderr) for `dflint fix NAME ARGS`."""
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    result = run("fix", name, *args, cwd=tmp_path)
    assert "Traceback" not in result.stderr
    target = "windows" if "windows" in args else "linux"
    variant = path.with_name(f"{path.name}.{target}")
    written = variant.read_text() if variant.exists() else ""
    return result.returncode, written, result.stderr


def marker_before(text: str, line: str) -> str:
    lines = text.splitlines()
    return lines[lines.index(line) - 1]


def assert_lints_clean(text: str, platform: str) -> None:
    marked = marked_lines(text)
    found = [
        (f.code, f.line)
        for f in lint(text, "Dockerfile", (platform,))
        if f.severity.value != "info" and f.line not in marked
    ]
    assert found == []


# --- Linux → Windows ------------------------------------------------------------------------


def test_the_issues_linux_examples_translate_by_meaning(tmp_path: Path) -> None:
    code, text, err = fix(
        tmp_path,
        "FROM python:3.12-slim\n"
        "WORKDIR /app\n"
        "RUN mkdir -p /app && rm -rf /tmp/* && touch existing.log\n"
        "RUN export FOO=bar && echo $FOO\n"
        "RUN set -eux; mkdir -p a; echo b\n"
        "RUN false || echo recovered\n"
        'ENV PATH="$PATH:/"\n',
        "--os",
        "windows",
    )
    assert code == 0, err  # written and complete
    lines = text.splitlines()
    for expected in (
        "FROM python:3.12-windowsservercore-ltsc2022",
        # the base runs PowerShell; the lines below are cmd, and one reads !FOO!
        'SHELL ["cmd", "/S", "/V:ON", "/C"]',
        "WORKDIR C:\\app",
        'RUN (if not exist "C:\\app\\*" mkdir "C:\\app") && '
        '((for /D %i in (C:\\Windows\\Temp\\*) do @rmdir /S /Q "%i") & '
        '(for %i in (C:\\Windows\\Temp\\*) do @del /F /Q "%i")) && '
        '(if exist "existing.log\\*" (cd .) else if exist "existing.log" '
        '(copy /b "existing.log"+,, "existing.log" >nul) else type nul > "existing.log")',
        'RUN set "FOO=bar" && echo !FOO!',
        'RUN (if not exist "a\\*" mkdir "a") && echo b',
        "RUN cmd /c exit 1 || echo recovered && cmd /c exit 0",
    ):
        assert expected in lines, expected
    assert 'RUN setx /M PATH "%PATH%;C:\\\\"' in text  # not `C:\"`, an escaped quote
    assert "exit /b" not in text and "set -eux" not in text
    assert_lints_clean(text, "windows/amd64")


def test_other_os_artefacts_are_marked_not_rewritten(tmp_path: Path) -> None:
    code, text, err = fix(
        tmp_path,
        "FROM alpine:3.20\n"
        "COPY --from=nats:2.10-alpine /usr/local/bin/nats-server /nats-server\n"
        "ADD https://example.com/releases/tool /tool\n"
        "COPY entrypoint.sh /\n"
        'ENTRYPOINT ["/entrypoint.sh"]\n',
        "--os",
        "windows",
    )
    assert code == 1  # written, with untranslated lines
    for line, reason in (
        ("COPY --from=nats:2.10-alpine /usr/local/bin/nats-server /nats-server", "an image"),
        ("ADD https://example.com/releases/tool /tool", "Linux program"),
        ('ENTRYPOINT ["/entrypoint.sh"]', "shell script"),
    ):
        assert marker_before(text, line).startswith("# dflint: untranslated: ")
        assert reason in marker_before(text, line)
        assert "untranslated for windows/amd64: " in err
    assert "COPY entrypoint.sh C:\\" in text  # copying the file is harmless
    assert_lints_clean(text, "windows/amd64")


# --- Windows → Linux ------------------------------------------------------------------------


def test_the_issues_windows_examples_are_marked(tmp_path: Path) -> None:
    code, text, err = fix(
        tmp_path,
        "# escape=`\n"
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS tools\n"
        "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n"
        'COPY --from=golang:1.22-windowsservercore-ltsc2022 ["C:/Program Files/Go", "C:/go"]\n'
        "ADD https://example.com/busybox64.exe C:\\busybox.exe\n"
        "RUN C:\\innoextract.exe -e setup.exe\n"
        "RUN mkdir C:\\app & exit /b 0\n"
        "RUN reg add HKLM\\Software\\x /v y /d 1\n",
        "--os",
        "linux",
    )
    assert code == 1
    for line in (
        'COPY --from=golang:1.22-windowsservercore-ltsc2022 ["C:/Program Files/Go", "C:/go"]',
        "ADD https://example.com/busybox64.exe C:\\\\busybox.exe",  # `\` escaped for `\`
        "RUN C:\\innoextract.exe -e setup.exe",
        "RUN mkdir C:\\app & exit /b 0",
        "RUN reg add HKLM\\Software\\x /v y /d 1",
    ):
        assert marker_before(text, line).startswith("# dflint: untranslated: "), line
    assert "//Program Files" not in text
    assert "exit /b" in err and "registry" in err
    assert_lints_clean(text, "linux/amd64")


# --- SHELL and escape -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "shell_line"),
    [
        ("python:3.12-slim", 'SHELL ["cmd", "/S", "/C"]'),  # servercore python runs PowerShell
        ("golang:1.22-alpine", None),  # golang's nanoserver images run cmd
        ("alpine:3.20", None),  # Nano Server itself: cmd
        ("myorg/base:1", 'SHELL ["cmd", "/S", "/C"]'),  # unknown: say it
    ],
)
def test_the_variant_states_its_shell_unless_the_base_runs_it(
    tmp_path: Path, image: str, shell_line: str | None
) -> None:
    settings = '[tool.dflint.fix]\nimages = { "myorg/base:1" = "myorg/base:1-win" }\n'
    (tmp_path / "pyproject.toml").write_text(settings)
    code, text, err = fix(tmp_path, f"FROM {image}\nWORKDIR /app\nRUN ls\n", "--os", "windows")
    assert code == 0, err
    lines = text.splitlines()
    after = lines[lines.index(next(line for line in lines if line.startswith("FROM"))) + 1]
    if shell_line is None:
        assert "SHELL" not in text
    else:
        assert after == shell_line


def test_shell_powershell_is_chosen_with_the_option(tmp_path: Path) -> None:
    code, text, _ = fix(
        tmp_path, "FROM python:3.12-slim\nRUN ls /app\n", "--os", "windows", "--shell", "powershell"
    )
    assert code == 0
    assert "SHELL" not in text  # the python servercore image runs that PowerShell already
    assert "RUN Get-ChildItem -Name C:\\app" in text


def test_no_escape_line_without_a_windows_stage(tmp_path: Path) -> None:
    code, text, _ = fix(tmp_path, "FROM node:20-slim\nRUN npm ci\n", "--os", "windows")
    assert code == 1  # node has no Windows images: the stage is kept
    assert "escape" not in text
    assert "DF104" not in {f.code for f in lint(text, "Dockerfile", ("windows/amd64",))}


# --- the source OS ---------------------------------------------------------------------------


def test_a_folder_name_does_not_decide_the_source_os(tmp_path: Path) -> None:
    code, text, err = fix(
        tmp_path,
        "FROM myorg/runner:1\nWORKDIR /app\nRUN mkdir -p /app/cache\n",
        "--os",
        "windows",
        name="ci/windows-runner/Dockerfile",
    )
    assert code == 1, err  # myorg/runner has no mapping, so its stage is kept and marked
    assert "WORKDIR /app" in text  # but the file was read as Linux, not as Windows


def test_fix_asks_for_from_os_when_the_content_does_not_say(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM golang:1.22\nRUN go build\n")
    asked = run("fix", "Dockerfile", "--os", "windows", cwd=tmp_path)
    assert asked.returncode == 2 and asked.stdout == ""
    assert asked.stderr.startswith("dflint: error: Dockerfile: line 1: cannot tell")
    assert "--from-os" in asked.stderr and not (tmp_path / "Dockerfile.windows").exists()
    told = run("fix", "Dockerfile", "--os", "windows", "--from-os", "linux", cwd=tmp_path)
    assert told.returncode == 0, told.stderr
    assert "FROM golang:1.22-nanoserver-ltsc2022" in (tmp_path / "Dockerfile.windows").read_text()


# --- exit codes and --check ----------------------------------------------------------------


def test_exit_codes_and_check(tmp_path: Path) -> None:
    source = tmp_path / "Dockerfile"
    source.write_text("FROM alpine:3.20\nWORKDIR /app\nRUN ls /app\n")
    missing = run("fix", "Dockerfile", "--os", "windows", "--check", cwd=tmp_path)
    assert missing.returncode == 1 and "Dockerfile.windows: missing" in missing.stderr
    assert not (tmp_path / "Dockerfile.windows").exists()
    written = run("fix", "Dockerfile", "--os", "windows", cwd=tmp_path)
    assert written.returncode == 0 and written.stdout == "Fixing Dockerfile.windows\n"
    fresh = run("fix", "Dockerfile", "--os", "windows", "--check", cwd=tmp_path)
    assert (fresh.returncode, fresh.stdout, fresh.stderr) == (0, "", "")
    source.write_text(source.read_text() + "RUN apk add curl\n")
    stale = run("fix", "Dockerfile", "--os", "windows", "--check", cwd=tmp_path)
    assert stale.returncode == 1 and "Dockerfile.windows: out of date" in stale.stderr
    refused = run("fix", "Dockerfile", "--os", "windows", cwd=tmp_path)
    assert refused.returncode == 2 and "use --write" in refused.stderr
    incomplete = run("fix", "Dockerfile", "--os", "windows", "--write", cwd=tmp_path)
    assert incomplete.returncode == 1
    assert "Dockerfile:4: untranslated for windows/amd64: `apk` installs packages" in (
        incomplete.stderr
    )
    both = run("fix", "Dockerfile", "--os", "windows", "--check", "--write", cwd=tmp_path)
    assert both.returncode == 2


def test_a_stage_with_delayed_expansion_marks_its_literal_exclamation_marks(
    tmp_path: Path,
) -> None:
    code, text, _ = fix(
        tmp_path,
        "FROM alpine:3.20\nRUN echo hello!\nRUN export A=1 && echo $A\n",
        "--os",
        "windows",
    )
    assert code == 1
    assert 'SHELL ["cmd", "/S", "/V:ON", "/C"]' in text
    assert marker_before(text, "RUN echo hello!").startswith("# dflint: untranslated: a literal !")
    assert 'RUN set "A=1" && echo !A!' in text


def test_the_seeds_round_trip_lints_clean_without_being_told_the_platform(
    tmp_path: Path,
) -> None:
    """The header of a variant says its platform, and `dflint lint` judges it for that one
    (a Linux variant of an amd64 Windows file is not asked to run on arm64 too)."""
    seed = Path(__file__).resolve().parent.parent / "sample_dockerfiles" / "Dockerfile.linux-arm64"
    (tmp_path / "Dockerfile.linux-arm64").write_text(seed.read_text())
    assert run("fix", "Dockerfile.linux-arm64", "--os", "windows", cwd=tmp_path).returncode == 0
    assert run("fix", "Dockerfile.windows", "--os", "linux", cwd=tmp_path).returncode == 0
    linted = run("lint", "Dockerfile.windows", "Dockerfile.linux", cwd=tmp_path)
    assert linted.returncode == 0, linted.stdout
    assert "2 files linted; no findings." in linted.stdout


# --- the shell of a base image from its config, through a real registry ----------------------


def _push_windows_image(registries: Registries, name: str, shell: list[str] | None) -> str:
    """A Windows image whose config sets ``shell`` (or no Shell), in a multi-OS index."""
    seeder = Seeder(registries.open.url)
    try:
        repository, tag = name.split(":")
        inner: dict[str, object] = {"Labels": {"dflint.test": name}}
        if shell is not None:
            inner["Shell"] = shell
        config = compact({"architecture": "amd64", "os": "windows", "config": inner})
        layer = f"{name}\n".encode()
        manifest = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {
                "mediaType": OCI_CONFIG,
                "digest": seeder.blob(repository, config),
                "size": len(config),
            },
            "layers": [
                {"mediaType": OCI_LAYER, "digest": seeder.blob(repository, layer), "size": 6}
            ],
        }
        manifest["layers"][0]["size"] = len(layer)  # type: ignore[index]
        child = seeder.manifest(repository, digest_of(compact(manifest)), manifest)
        linux = seeder.image(repository, {"os": "linux", "architecture": "amd64"}, docker=False)
        child["platform"] = {"os": "windows", "architecture": "amd64"}
        linux["platform"] = {"os": "linux", "architecture": "amd64"}
        index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [linux, child]}
        seeder.manifest(repository, tag, index)
    finally:
        seeder.close()
    return registries.open.ref(name)


def test_the_base_images_shell_comes_from_its_config(
    registries: Registries, tmp_path: Path
) -> None:
    powershell = ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]
    with_shell = _push_windows_image(registries, "shells/pwsh:1", powershell)
    without = _push_windows_image(registries, "shells/plain:1", None)
    resolver = Resolver(RegistrySettings())  # not resolver_for: the tests run offline
    assert resolver.shell(parse_reference(with_shell), "windows", "amd64") == tuple(powershell)
    assert resolver.shell(parse_reference(without), "windows", "amd64") == ()
    env = {k: v for k, v in os.environ.items() if k != "DFLINT_OFFLINE"}
    for image, says_shell in ((with_shell, True), (without, False)):
        (tmp_path / "pyproject.toml").write_text(
            f'[tool.dflint.fix]\nimages = {{ "myorg/app:1" = "{image}" }}\n'
        )
        (tmp_path / "Dockerfile").write_text("FROM myorg/app:1\nWORKDIR /app\nRUN ls\n")
        (tmp_path / "Dockerfile.windows").unlink(missing_ok=True)
        result = subprocess.run(
            [sys.executable, "-m", "dflint", "fix", "Dockerfile", "--os", "windows"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        text = (tmp_path / "Dockerfile.windows").read_text()
        # the config's PowerShell needs the cmd lines to say their shell; no Shell is cmd
        assert ('SHELL ["cmd", "/S", "/C"]' in text) == says_shell, text
