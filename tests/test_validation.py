"""Values a user types are checked the same way by every command: rule codes for
--select/--ignore (lint, fix, render) and target platforms (--platform, --platforms,
config, `# dflint: platform=`), with a did-you-mean; and `dflint render` errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import lint

from dflint.core.platform import PlatformError, check_target

GOOD = "FROM alpine:3.20\nRUN echo hello\n"


def dflint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dflint", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )


@pytest.mark.parametrize(
    "command",
    [
        ("lint", "Dockerfile"),
        ("fix", "--multiarch", "Dockerfile"),
        ("fix", "--os", "windows", "Dockerfile"),
        ("render", "t.j2", "--platforms", "linux/amd64"),
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_unknown_rule_codes_are_refused_by_every_command(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    (tmp_path / "Dockerfile").write_text("FROM --platform=linux/amd64 alpine:3.20\n")
    (tmp_path / "t.j2").write_text(GOOD)
    for option in ("--select", "--ignore"):
        result = dflint(*command, option, "DF2O4", cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert result.stderr == (
            f"dflint: error: {option}: unknown rule code 'DF2O4' (did you mean 'DF204'?)\n"
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Dockerfile", "t.j2"]


def test_render_applies_select_and_ignore_to_what_it_lints(tmp_path: Path) -> None:
    (tmp_path / "t.j2").write_text("FROM alpine:3.20\nRUN echo $TARGETARCH\n")
    found = dflint("render", "t.j2", "--platforms", "linux/amd64", "--diff", cwd=tmp_path)
    assert "DF308" in found.stderr
    quiet = dflint(
        "render", "t.j2", "--platforms", "linux/amd64", "--diff", "--ignore", "DF308",
        cwd=tmp_path,
    )  # fmt: skip
    assert "DF308" not in quiet.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("plan9/amd64", "unknown operating system 'plan9' (dflint targets linux and windows) "
         "(did you mean 'linux/amd64'?)"),
        ("linux/amd46", "unknown architecture 'amd46' (did you mean 'linux/amd64'?)"),
        ("linux/amd64/v99", "unknown variant 'v99' for amd64 (v1, v2, v3, v4) "
         "(did you mean 'linux/amd64'?)"),
        ("linux/x86", "unknown architecture 'x86' (did you mean 'linux/386'?)"),
        ("linux/arm/9", "unknown variant '9' for arm (v5, v6, v7, v8) "
         "(did you mean 'linux/arm/v7'?)"),
        ("windows/arm", "Windows images are amd64 or arm64, not arm "
         "(did you mean 'windows/amd64'?)"),
        ("arm64", "not an os/arch[/variant] platform such as linux/arm64 "
         "(did you mean 'linux/arm64'?)"),
        ("garbage", "not an os/arch[/variant] platform such as linux/arm64"),
    ],
)  # fmt: skip
def test_platform_values_are_checked_with_a_suggestion(value: str, message: str) -> None:
    with pytest.raises(PlatformError) as caught:
        check_target(value)
    assert str(caught.value).endswith(message)


def test_valid_platforms_are_normalised() -> None:
    assert check_target("Linux/AMD64") == "linux/amd64"
    assert check_target("linux/arm") == "linux/arm/v7"
    assert check_target("linux/arm64/v8") == "linux/arm64"
    assert check_target("linux/amd64/v3") == "linux/amd64/v3"
    assert check_target("windows/amd64") == "windows/amd64"
    # containerd's own spellings, which `docker buildx build --platform` accepts
    assert check_target("linux/x86_64") == "linux/amd64"
    assert check_target("linux/aarch64") == "linux/arm64"
    assert check_target("linux/armhf") == "linux/arm/v7"
    assert check_target("linux/arm/7") == "linux/arm/v7"
    assert check_target("linux/i386") == "linux/386"


@pytest.mark.parametrize(
    "command",
    [
        ("lint", "--platform"),
        ("platforms", "--platform"),
        ("fix", "--multiarch", "--platforms"),
        ("fix", "--platforms"),
        ("render", "--platforms"),
    ],
    ids=lambda c: " ".join(c),
)
def test_bad_platforms_are_exit_2_on_every_command(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    (tmp_path / "Dockerfile").write_text(GOOD)
    (tmp_path / "t.j2").write_text(GOOD)
    target = "t.j2" if command[0] == "render" else "Dockerfile"
    for value in ("plan9/amd64", "linux/amd46", "linux/amd64/v99"):
        result = dflint(*command[:-1], target, command[-1], f"linux/arm64,{value}", cwd=tmp_path)
        assert result.returncode == 2, (command, value, result.stderr)
        [line] = result.stderr.splitlines()
        assert line.startswith(f"dflint: error: {command[-1]}: '{value}' is not a known platform")
        assert "did you mean 'linux/amd64'?" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Dockerfile", "t.j2"]


def test_bad_platforms_in_config_are_exit_2(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(GOOD)
    (tmp_path / ".dflint.toml").write_text('platforms = ["linux/amd64", "linux/amd46"]\n')
    for command in (("lint",), ("platforms",), ("fix", "--os", "windows")):
        result = dflint(*command, "Dockerfile", cwd=tmp_path)
        assert result.returncode == 2
        assert "platforms: 'linux/amd46' is not a known platform" in result.stderr
        assert "(did you mean 'linux/amd64'?)" in result.stderr


def test_a_platform_pragma_that_is_not_one_is_df002() -> None:
    findings = lint("# dflint: platform=garbage\nFROM alpine:3.20\nRUN echo hi\n")
    assert [(f.code, f.line) for f in findings] == [("DF002", 1)]
    assert "'garbage' is not an os/arch[/variant] platform" in findings[0].message
    typo = lint("# dflint: platform=linux/arm64,linux/amd46\nFROM alpine:3.20\n")
    assert [f.code for f in typo] == ["DF002"]
    assert "did you mean 'linux/amd64'?" in typo[0].message
    assert lint("# dflint: platform=linux/arm64,linux/arm/v7\nFROM alpine:3.20\n") == []


# --- dflint render: every template error is one line with its file and line ----------------


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("FROM alpine:3.20\nRUN echo {{ 1/0 }}\n", "t.j2:2: ZeroDivisionError: division by zero"),
        (
            "{% macro m() %}{{ m() }}{% endmacro %}FROM alpine:3.20\n{{ m() }}\n",
            "t.j2:1: recursion too deep (a macro or include that calls itself?)",
        ),
        ("FROM alpine:3.20\n\nRUN {{ nope }}\n", "t.j2:3: 'nope' is undefined"),
        ("FROM alpine:3.20\n{% if %}\n", "t.j2:2: syntax error: Expected an expression"),
        (
            "FROM alpine:3.20\n{% include 'missing.j2' %}\n",
            "t.j2:2: template not found: missing.j2",
        ),
        ("FROM alpine:3.20\nRUN {{ 'x' | nofilter }}\n", "t.j2:2: syntax error: No filter"),
        ("FROM alpine:3.20\nRUN {{ os.nope() }}\n", "t.j2:2: "),
    ],
    ids=["zero-division", "recursive-macro", "undefined", "syntax", "include", "filter", "call"],
)
def test_render_errors_are_one_line_with_the_template_line(
    tmp_path: Path, template: str, expected: str
) -> None:
    (tmp_path / "t.j2").write_text(template)
    result = dflint("render", "t.j2", "--platforms", "linux/amd64", cwd=tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"dflint: error: {expected}"), line
    assert line.endswith("(for linux/amd64)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.j2"]


def test_render_error_in_an_included_template_names_that_file(tmp_path: Path) -> None:
    (tmp_path / "t.j2").write_text("FROM alpine:3.20\n{% include 'part.j2' %}\n")
    (tmp_path / "part.j2").write_text("RUN echo\nRUN {{ 1/0 }}\n")
    result = dflint("render", "t.j2", "--platforms", "linux/amd64", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("dflint: error: part.j2:2: ZeroDivisionError")


def test_render_template_that_is_not_utf8_or_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "t.j2").write_bytes(b"FROM alpine:3.20\n# caf\xe9\n")
    result = dflint("render", "t.j2", "--platforms", "linux/amd64", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "dflint: error: t.j2:2:6: not UTF-8 (byte 0xe9); save the template as UTF-8 "
        "(for linux/amd64)\n"
    )
    os.mkfifo(tmp_path / "fifo.j2")
    fifo = dflint("render", "fifo.j2", "--platforms", "linux/amd64", cwd=tmp_path)
    assert (fifo.returncode, fifo.stderr) == (
        2,
        "dflint: error: fifo.j2: not a regular file (a FIFO)\n",
    )
    (tmp_path / "Dockerfile").write_text(GOOD)
    template = dflint("fix", "--os", "windows", "--template", "t.j2", "Dockerfile", cwd=tmp_path)
    assert template.returncode == 2
    assert "t.j2:2:6: not UTF-8 (byte 0xe9)" in template.stderr
