"""The publishing plan with hostile and unusual names: `fix --platforms` quotes every name
it writes into manifest.sh, docker-bake.hcl and the variants' headers, or refuses it; the
generated script runs under `sh` with a stub docker (and buildah) that records exactly
what it was given. Also --image, --output-dir and INSECURE."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from script_stub import run_script

BASE = "FROM alpine:3.20\nRUN echo hello\n"
HOSTILE = [
    "Dockerfile.a b$(touch PWNED)",
    "Dockerfile.`touch PWNED`",
    "Dockerfile.it's",
    'Dockerfile.q"uote',
    "Dockerfile.${HOME}%{x}",
    "Dockerfile.back\\slash;rm -rf x",
    "Dockerfile.-f",
    "Dockerfile.café",
]


def dflint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dflint", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )


def hcl_strings(text: str, key: str) -> list[str]:
    """The values of ``key = "…"`` in a bake file, unescaped as HCL reads a quoted template
    (its spec: \\\\ \\" \\n \\r \\t \\uNNNN, and $${ / %%{ for a literal ${ / %{)."""
    values = []
    for raw in re.findall(rf'^\s*{key}\s*=\s*"((?:[^"\\]|\\.)*)"\s*$', text, re.M):
        out, index = [], 0
        while index < len(raw):
            char = raw[index]
            if char == "\\":
                nxt = raw[index + 1]
                if nxt == "u":
                    out.append(chr(int(raw[index + 2 : index + 6], 16)))
                    index += 6
                    continue
                out.append({"n": "\n", "r": "\r", "t": "\t"}.get(nxt, nxt))
                index += 2
                continue
            if raw.startswith(("$${", "%%{"), index):
                out.append(raw[index + 1 : index + 3])
                index += 3
                continue
            assert not raw.startswith(("${", "%{"), index), f"unescaped template in {raw!r}"
            out.append(char)
            index += 1
        values.append("".join(out))
    return values


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_quoted_in_every_generated_file(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text(BASE)
    result = dflint(
        "fix", "--offline", "--platforms", "linux/amd64,linux/arm64", name, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr  # written and complete
    variants = [f"{name}.linux-amd64", f"{name}.linux-arm64"]
    for variant in variants:
        text = (tmp_path / variant).read_text()
        assert text.count("\n") == BASE.count("\n") + 2  # the header and a blank line only
        assert dflint("lint", "--no-config", variant, cwd=tmp_path).returncode == 0
    script = tmp_path / "manifest.sh"
    assert subprocess.run(["sh", "-n", str(script)], capture_output=True).returncode == 0
    ran, calls = run_script(script, tmp_path / "bin", {"IMAGE": "registry.test/me/app"})
    assert ran.returncode == 0, ran.stderr
    assert not (tmp_path / "PWNED").exists() and not (tmp_path / "bin" / "PWNED").exists()
    builds = [args for program, _, *args in calls if args[:1] == ["build"]]
    assert [args[args.index("-f") + 1] for args in builds] == variants
    assert all(args[-1] == "." for args in builds)
    bake = (tmp_path / "docker-bake.hcl").read_text()
    assert hcl_strings(bake, "dockerfile") == variants
    # regenerating recognises its own files (the header names the source, quoted)
    again = dflint("fix", "--offline", "--platforms", "linux/amd64,linux/arm64", name, cwd=tmp_path)
    assert (again.returncode, again.stdout) == (0, ""), again.stderr


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Dockerfile.x\nRUN echo INJECTED", "control character '\\n'"),
        ("Dockerfile.x\rRUN", "control character '\\r'"),
        (os.fsdecode(b"Dockerfile.\xff"), "not UTF-8"),
    ],
    ids=["newline", "carriage-return", "not-utf8"],
)
def test_names_no_quoting_can_carry_are_refused(tmp_path: Path, name: str, reason: str) -> None:
    (tmp_path / name).write_text(BASE)
    for mode in (("--platforms", "linux/amd64"), ("--os", "windows")):
        result = dflint("fix", "--offline", *mode, name, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        [line] = result.stderr.splitlines()
        assert line.startswith("dflint: error: ") and reason in line
        assert "Traceback" not in result.stderr
        assert sorted(os.listdir(tmp_path)) == [name]  # nothing written


def test_image_takes_any_reference_without_tag_or_digest(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(BASE)
    for image in ("localhost:5000/me/app", "127.0.0.1:5000/app", "ghcr.io/me/app", "app"):
        result = dflint(
            "fix", "--offline", "--platforms", "linux/amd64", "--image", image, "--force",
            "Dockerfile", cwd=tmp_path,
        )  # fmt: skip
        assert result.returncode == 0, (image, result.stderr)
        ran, calls = run_script(tmp_path / "manifest.sh", tmp_path / "bin")
        assert ran.returncode == 0, ran.stderr
        assert calls[-1][2:] == ["manifest", "push", f"{image}:latest"]
    refused = {
        "localhost:5000/me/app:1.0": "has a tag",
        "me/app@sha256:" + "a" * 64: "has a digest",
        "Me/App": "must be lowercase",
        "me/app;rm": "not an image repository",
    }
    for image, reason in refused.items():
        result = dflint(
            "fix", "--offline", "--platforms", "linux/amd64", "--image", image, "Dockerfile",
            cwd=tmp_path,
        )  # fmt: skip
        assert result.returncode == 2 and reason in result.stderr, (image, result.stderr)


def test_output_dir_is_created_and_the_context_is_the_source_folder(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "Dockerfile").write_text("FROM alpine:3.20\nCOPY file.txt /app/\n")
    (app / "file.txt").write_text("data\n")
    result = dflint(
        "fix", "--offline", "--platforms", "linux/amd64,linux/arm64", "--output-dir",
        "build/per-platform", "Dockerfile", cwd=app,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr  # written and complete
    out = app / "build" / "per-platform"
    assert sorted(p.name for p in out.iterdir()) == [
        "Dockerfile.linux-amd64",
        "Dockerfile.linux-arm64",
        "docker-bake.hcl",
        "manifest.sh",
    ]
    # bake: context relative to the folder bake runs in, dockerfile relative to the context
    bake = (out / "docker-bake.hcl").read_text()
    contexts = hcl_strings(bake, "context")
    assert contexts == ["../..", "../.."]
    for context, dockerfile in zip(contexts, hcl_strings(bake, "dockerfile"), strict=True):
        assert (out / context / "file.txt").is_file()
        assert (out / context / dockerfile).resolve().parent == out
    # manifest.sh: run from anywhere, it builds the variant with the source folder as context
    ran, calls = run_script(out / "manifest.sh", tmp_path / "bin", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    for _, folder, *args in calls:
        if args[:1] == ["build"]:
            assert Path(folder, args[args.index("-f") + 1]).parent == out
            assert Path(folder, args[-1]).resolve() == app


def test_output_dir_that_is_a_file_is_one_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(BASE)
    (tmp_path / "afile").write_text("not a folder\n")
    for args in (("fix", "--os", "windows"), ("fix", "--platforms", "linux/amd64")):
        result = dflint(*args, "--output-dir", "afile", "Dockerfile", cwd=tmp_path)
        assert result.returncode == 2
        assert result.stderr == "dflint: error: --output-dir: afile: not a folder\n"
    (tmp_path / "t.j2").write_text("FROM alpine:3.20\n")
    result = dflint(
        "render", "t.j2", "--platforms", "linux/amd64", "--output-dir", "afile", cwd=tmp_path
    )
    assert (result.returncode, result.stderr) == (
        2,
        "dflint: error: --output-dir: afile: not a folder\n",
    )


def test_insecure_switch_reaches_docker_manifest_and_buildah(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(BASE)
    dflint(
        "fix", "--offline", "--platforms", "linux/amd64,linux/arm64", "--image",
        "127.0.0.1:5000/me/app", "Dockerfile", cwd=tmp_path,
    )  # fmt: skip
    script = tmp_path / "manifest.sh"
    _, plain = run_script(script, tmp_path / "bin")
    _, insecure = run_script(script, tmp_path / "bin", {"INSECURE": "1"})
    manifest = [args for _, _, *args in insecure if args[0] == "manifest"]
    assert manifest[0][:3] == ["manifest", "create", "--insecure"]
    assert manifest[-1] == ["manifest", "push", "--insecure", "127.0.0.1:5000/me/app:latest"]
    assert not any("--insecure" in args for _, _, *args in plain)
    _, buildah = run_script(script, tmp_path / "bin", {"INSECURE": "1", "BUILDER": "buildah"})
    assert {program for program, *_ in buildah} == {"buildah"}
    pushes = [
        args for _, _, *args in buildah if args[0] == "push" or args[:2] == ["manifest", "push"]
    ]
    assert len(pushes) == 3 and all("--tls-verify=false" in args for args in pushes)
    _, secure = run_script(script, tmp_path / "bin", {"BUILDER": "buildah", "INSECURE": "0"})
    assert not any("--tls-verify=false" in args for _, _, *args in secure)
