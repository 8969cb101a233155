"""The command line as a user runs it: exit codes, output formats, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, unprivileged

SAMPLES = ROOT / "sample_dockerfiles"


def run(
    *args: str, cwd: Path | None = None, user: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [*(user or []), sys.executable, "-m", "dflint", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("dflint ")


def test_clean_file_exits_0(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", "FROM alpine:3.20\nRUN echo hello\n")
    result = run("lint", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 file linted; no findings." in result.stdout


def test_findings_exit_1_with_path_line_col_code_platform(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", "FROM alpine\nRUN wget https://x/t-$TARGETARCH.tgz\n")
    result = run("lint", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert "Dockerfile:2:22: DF308 [any] `$TARGETARCH`" in result.stdout
    assert "\x1b[" not in result.stdout  # no colour when not a TTY


def test_json_format(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", "FROM --platform=$TARGETPLATFORM alpine\n")
    result = run("lint", "--format", "json", "Dockerfile", cwd=tmp_path)
    document = json.loads(result.stdout)
    assert document["version"] == 1
    [finding] = document["findings"]
    assert set(finding) >= {
        "path",
        "code",
        "name",
        "severity",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
        "platform",
    }
    assert finding["code"] == "DF204" and finding["severity"] == "info"
    assert result.returncode == 0  # info is below the default threshold


def test_failure_threshold_option(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", "FROM --platform=$TARGETPLATFORM alpine\n")
    assert run("lint", "--failure-threshold", "info", "Dockerfile", cwd=tmp_path).returncode == 1
    write(tmp_path, "Dockerfile", "FROM alpine\nRUN echo $TARGETARCH\n")
    assert run("lint", "--failure-threshold", "none", "Dockerfile", cwd=tmp_path).returncode == 0


def test_output_file(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", "FROM alpine\nRUN echo $TARGETOS\n")
    result = run("lint", "--format", "json", "-o", "out.json", "Dockerfile", cwd=tmp_path)
    assert result.stdout == ""
    assert json.loads((tmp_path / "out.json").read_text())["findings"][0]["code"] == "DF308"


def test_select_and_ignore(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", "FROM --platform=$TARGETPLATFORM alpine\nRUN echo $TARGETOS\n")
    selected = run("lint", "--select", "DF204", "--format", "json", "Dockerfile", cwd=tmp_path)
    assert [f["code"] for f in json.loads(selected.stdout)["findings"]] == ["DF204"]
    ignored = run("lint", "--ignore", "DF3", "--format", "json", "Dockerfile", cwd=tmp_path)
    assert [f["code"] for f in json.loads(ignored.stdout)["findings"]] == ["DF204"]


def test_unknown_rule_code_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", "FROM alpine\n")
    result = run("lint", "--select", "DF3O8", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown rule code 'DF3O8'" in result.stderr


def test_platform_option_changes_targets(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", "FROM arm64v8/alpine\n")
    assert run("lint", "Dockerfile", cwd=tmp_path).returncode == 1
    assert run("lint", "--platform", "linux/arm64", "Dockerfile", cwd=tmp_path).returncode == 0
    bad = run("lint", "--platform", "arm64", "Dockerfile", cwd=tmp_path)
    assert bad.returncode == 2 and "not an os/arch" in bad.stderr


def test_directory_search_finds_dockerfile_names(tmp_path: Path) -> None:
    names = ("Dockerfile", "Dockerfile.windows", "api.Dockerfile", "web.dockerfile",
             "Dockerfile-dev", "Containerfile", "Containerfile.arm64")  # fmt: skip
    for name in names:
        write(tmp_path, name, "FROM alpine\n")
    for name in ("notes.txt", "Dockerfile.dockerignore", "Dockerfile.template"):
        write(tmp_path, name, "not a dockerfile")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "dockerfile", "FROM alpine\n")
    result = run("lint", "-v", ".", cwd=tmp_path)
    assert "8 files linted" in result.stdout
    shown = {line.split(":")[1].strip() for line in result.stderr.splitlines() if "config" in line}
    assert shown == {*names, "sub/dockerfile"}


def test_template_files_are_skipped_with_a_note(tmp_path: Path) -> None:
    """A template's name is not a Dockerfile's (a folder search leaves it out); named, or
    with a Dockerfile's name but template markup inside, it is skipped with a note."""
    write(tmp_path, "Dockerfile.j2", "FROM {{ base }}\nRUN echo {% if x %}y{% endif %}\n")
    searched = run("lint", ".", cwd=tmp_path)
    assert searched.returncode == 2
    assert searched.stderr == "dflint: error: no Dockerfiles found in .\n"
    named = run("lint", "Dockerfile.j2", cwd=tmp_path)
    assert named.returncode == 0
    assert "Dockerfile.j2: skipped: template markup" in named.stderr
    write(tmp_path, "Dockerfile", "FROM {{ base }}\n")
    result = run("lint", ".", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr == "dflint: Dockerfile: skipped: template markup ({{ }}, {% %} or <% %})\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Dockerfile:1:1: file with no instructions"),
        (b"FROM alpine\n\x00\x01\x02binary", "Dockerfile:2:1: binary file"),
        ("FROM alpine\n".encode("utf-16"), "Dockerfile:1:1: UTF-16 text (byte order mark"),
        (b"FROM alpine\nRUN <<EOF\necho never ends\n", "Dockerfile:2:1: unterminated heredoc"),
        (b'FROM alpine\nCMD ["a", 1]\n', "Dockerfile:2:1: when using JSON array syntax"),
        (b"FROM alpine\nENV PATH\n", "Dockerfile:2:1: ENV must have two arguments"),
        (b"# escape=x\nFROM alpine\n", "Dockerfile:1:1: invalid escape token"),
        (b"# escape=`\n# escape=`\nFROM alpine\n", "Dockerfile:2:1: only one escape"),
    ],
    ids=["empty", "binary", "utf16", "heredoc", "json", "env", "escape", "duplicate-escape"],
)
def test_bad_input_is_one_line_with_position_and_exit_2(
    tmp_path: Path, content: bytes, message: str
) -> None:
    write(tmp_path, "Dockerfile", content)
    for command in (("lint", "Dockerfile"), ("parse", "Dockerfile")):
        result = run(*command, cwd=tmp_path)
        assert result.returncode == 2, command
        assert "Traceback" not in result.stderr + result.stdout
        position, _, text = message.partition(": ")
        output = result.stdout + result.stderr
        assert position + ":" in output and text in output, (command, output)


def test_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", b"\xff\xfe")
    write(tmp_path, "good.Dockerfile", "FROM alpine\nRUN echo $TARGETARCH\n")
    result = run("lint", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert "DF001" in result.stdout and "DF308" in result.stdout


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    result = run("lint", "nope/Dockerfile", cwd=tmp_path)
    assert result.returncode == 2
    assert "nope/Dockerfile: no such file or directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreadable_file(shared_folder: Path) -> None:
    path = write(shared_folder, "Dockerfile", "FROM alpine\n")
    path.chmod(0)
    # as `nobody` when the tests run as root, whom file modes do not stop
    result = run("lint", "Dockerfile", cwd=shared_folder, user=unprivileged())
    assert result.returncode == 2 and "cannot read" in result.stdout


def test_parse_json_shape() -> None:
    result = run("parse", str(SAMPLES / "Dockerfile.swallowed-instruction"))
    assert result.returncode == 0
    tree = json.loads(result.stdout)
    assert tree["directives"] == {}
    copy = next(i for i in tree["instructions"] if i["keyword"] == "COPY")
    assert (copy["start_line"], copy["end_line"]) == (6, 7)
    assert set(copy) >= {"keyword", "flags", "args", "json", "start_line", "end_line", "heredocs"}


def test_parse_heredoc_and_onbuild(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", "# escape=`\nFROM alpine\nONBUILD RUN <<EOF\necho hi\nEOF\n")
    tree = json.loads(run("parse", "Dockerfile", cwd=tmp_path).stdout)
    assert tree["directives"] == {"escape": "`"}
    onbuild = tree["instructions"][1]
    assert onbuild["keyword"] == "ONBUILD"
    assert onbuild["sub"]["keyword"] == "RUN"
    assert onbuild["heredocs"] == [
        {
            "name": "EOF",
            "content": "echo hi\n",
            "expand": True,
            "chomp": False,
            "file_descriptor": 0,
        }
    ]


def test_rules_and_rule() -> None:
    listing = run("rules")
    assert listing.returncode == 0
    assert "DF102" in listing.stdout and "continuation-swallows-instruction" in listing.stdout
    doc = run("rule", "DF102")
    assert doc.returncode == 0
    assert "## Why is this bad?" in doc.stdout
    assert run("rule", "DF999").returncode == 2


def test_samples_lint_as_documented() -> None:
    result = run("lint", "--format", "json", str(SAMPLES))
    found = {(Path(f["path"]).name, f["code"]) for f in json.loads(result.stdout)["findings"]}
    assert ("Dockerfile.swallowed-instruction", "DF102") in found
    for clean in (
        "Dockerfile.linux-amd64",
        "Dockerfile.linux-arm64",
        "Dockerfile.linux-arm",
        "Dockerfile.windows-amd64",
        "Dockerfile.windows-powershell",
        "Dockerfile.go-multistage",
    ):
        assert not [code for name, code in found if name == clean], clean
