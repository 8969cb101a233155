"""The pre-commit hooks, run by the real pre-commit in temporary git repositories.

pre-commit installs the hook from a git repository: it clones it at a commit and pip-installs
it into a fresh virtualenv (from the package registry, or pip's cache). `try-repo` on a checkout
with uncommitted changes commits only what git already tracks (`git add -u`), so a new file, such
as a new rule module, would be silently missing. The hook repository here is therefore a snapshot
of the working tree, committed whole: the test installs exactly the code under test, with or
without a .git folder in the checkout.

The hooks select files with dflint's own definition of a Dockerfile (dflint/read/discovery.py), so
the hook and `dflint lint .` see the same files, and they never wait on a registry.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, package_download_failed

BAD = "FROM alpine:3.20\nRUN wget https://example.com/tool-$TARGETARCH.tar.gz\n"
GOOD = "FROM alpine:3.20\nARG TARGETARCH\nRUN wget https://example.com/tool-$TARGETARCH.tar.gz\n"
# Left out of the snapshot: caches, build output, virtualenvs and the tests themselves.
_IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "tests"
)


@pytest.fixture(scope="module")
def pre_commit() -> list[str]:
    if importlib.util.find_spec("pre_commit") is None:
        message = "pre-commit is not installed (it is in the `test` extra)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI is set, so this test must run")
        pytest.skip(message)
    return [sys.executable, "-m", "pre_commit"]


@pytest.fixture(scope="module")
def git_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An environment where git commits work and the user's own git config cannot interfere."""
    folder = tmp_path_factory.mktemp("git-config")
    env = dict(os.environ)
    env.pop("GITHUB_ACTIONS", None)  # the hook's output format would change to annotations
    env.update(
        {
            "GIT_CONFIG_GLOBAL": str(folder / "gitconfig"),  # e.g. no commit signing
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "dflint tests",
            "GIT_AUTHOR_EMAIL": "tests@dflint.invalid",
            "GIT_COMMITTER_NAME": "dflint tests",
            "GIT_COMMITTER_EMAIL": "tests@dflint.invalid",
            "PRE_COMMIT_HOME": str(folder / "pre-commit-cache"),
            "PRE_COMMIT_COLOR": "never",
            "NO_COLOR": "1",
            "DFLINT_OFFLINE": "1",  # the base-image rules would ask registries
            # each `try-repo` installs the hook afresh: all Python, not a minute of compiling
            # per test (tests/test_packaging.py checks the compiled build)
            "DFLINT_PURE_PYTHON": "1",
        }
    )
    return env


def git(env: dict[str, str], cwd: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout.strip()


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, git_env: dict[str, str]) -> Path:
    """The working tree, committed as it is. Untagged, like dflint's repository before its
    first release, so the README's snippet is pinned to a commit."""
    repo = tmp_path_factory.mktemp("hook-repo") / "dflint"
    shutil.copytree(ROOT, repo, ignore=_IGNORED)
    git(git_env, repo, "init", "-q")
    git(git_env, repo, "add", "-A")
    git(git_env, repo, "commit", "-q", "-m", "snapshot of the working tree")
    return repo


@pytest.fixture
def project(tmp_path: Path, git_env: dict[str, str]) -> Path:
    """A user's repository with a Dockerfile, a template and a text file, all staged."""
    git(git_env, tmp_path, "init", "-q")
    (tmp_path / "notes.txt").write_text(BAD)  # not a Dockerfile: never passed to the hook
    # a Jinja template, excluded by the hooks' `exclude`; it would fail if it were linted
    (tmp_path / "Dockerfile.j2").write_text(BAD)
    return tmp_path


def run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    output = result.stdout + result.stderr
    # exit 3 with a CalledProcessError: installing the hook's environment (pip) failed
    if result.returncode == 3 and "CalledProcessError" in output:
        package_download_failed("pip", "pre-commit's install of the hook environment", output)
    return result


def try_repo(
    pre_commit: list[str],
    hook_repo: Path,
    project: Path,
    env: dict[str, str],
    *files: str,
    hook: str = "dflint",
) -> subprocess.CompletedProcess[str]:
    git(env, project, "add", "-A")
    command = [*pre_commit, "try-repo", str(hook_repo), hook, "--files", *files]
    return run(command, project, env)


def test_hook_fails_on_a_bad_dockerfile_and_shows_the_finding(
    pre_commit: list[str], hook_repo: Path, project: Path, git_env: dict[str, str]
) -> None:
    (project / "Dockerfile").write_text(BAD)
    result = try_repo(pre_commit, hook_repo, project, git_env, "Dockerfile", "Dockerfile.j2")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert re.search(r"^dflint\.+Failed$", output, re.M), output
    assert "Dockerfile:2:35: DF308 [any] `$TARGETARCH`" in output
    assert "^^^^^^^^^^^" in output  # the code frame
    assert "1 file linted; 1 finding (1 error)" in output  # the template was not passed


def test_hook_passes_on_a_clean_dockerfile(
    pre_commit: list[str], hook_repo: Path, project: Path, git_env: dict[str, str]
) -> None:
    (project / "Dockerfile").write_text(GOOD)
    result = try_repo(pre_commit, hook_repo, project, git_env, "Dockerfile", "notes.txt")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert re.search(r"^dflint\.+Passed$", output, re.M), output


def test_fix_hook_applies_the_safe_fix_and_fails_the_commit(
    pre_commit: list[str], hook_repo: Path, project: Path, git_env: dict[str, str]
) -> None:
    (project / "Dockerfile").write_text(BAD)
    result = try_repo(
        pre_commit, hook_repo, project, git_env, "Dockerfile", "Dockerfile.j2", hook="dflint-fix"
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert re.search(r"^dflint fix\.+Failed$", output, re.M), output
    assert "Fixing Dockerfile" in output
    fixed = (project / "Dockerfile").read_text()
    assert "ARG TARGETARCH" in fixed  # DF308's safe fix
    assert (project / "Dockerfile.j2").read_text() == BAD  # templates are left alone
    again = try_repo(pre_commit, hook_repo, project, git_env, "Dockerfile", hook="dflint-fix")
    assert again.returncode == 0, again.stdout + again.stderr


def test_readme_snippet_with_pre_commit_run(
    pre_commit: list[str], hook_repo: Path, project: Path, git_env: dict[str, str]
) -> None:
    """The README's .pre-commit-config.yaml, pointed at a clone instead of GitHub, pinned to a
    commit with the README's `pre-commit autoupdate` command, then run."""
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"^## pre-commit\n(.*?)^```yaml\n(.*?)^```$(.*?)^## ", readme, re.S | re.M)
    assert match, "README.md has no pre-commit snippet"
    snippet = match.group(2)
    prose = " ".join((match.group(1) + match.group(3)).split())
    config = yaml.safe_load(snippet)
    [repo] = config["repos"]
    assert [hook["id"] for hook in repo["hooks"]] == ["dflint"]
    # the documented way to pin it: autoupdate, with the snippet's own repository
    command = re.search(r"`(pre-commit autoupdate --repo (\S+))`", prose)
    assert command, "the README no longer says how to pin the hook to a commit"
    assert command.group(2) == repo["repo"]
    (project / ".pre-commit-config.yaml").write_text(snippet.replace(repo["repo"], str(hook_repo)))
    git(git_env, project, "add", "-A")
    words = command.group(1).replace(repo["repo"], str(hook_repo)).split()[1:]
    pinned = run([*pre_commit, *words], project, git_env)
    assert pinned.returncode == 0, pinned.stdout + pinned.stderr
    rev = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())["repos"][0]["rev"]
    assert rev == git(git_env, hook_repo, "rev-parse", "HEAD")  # a full commit SHA
    (project / "Dockerfile").write_text(BAD)
    (project / "api.Dockerfile").write_text(GOOD)
    git(git_env, project, "add", "-A")
    result = run([*pre_commit, "run", "--all-files"], project, git_env)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "mutable reference" not in output  # pinned: pre-commit has nothing to warn about
    assert "Dockerfile:2:35: DF308" in output
    assert "2 files linted; 1 finding (1 error)" in output  # Dockerfile and api.Dockerfile


def test_hook_manifest() -> None:
    """Both hooks are valid for pre-commit, offline, and select files with dflint's own
    definition of a Dockerfile: the regexes in the manifest are discovery's, verbatim."""
    from pre_commit.clientlib import load_manifest

    from dflint.read.discovery import EXCLUDE_REGEX, FILES_REGEX

    hooks = {hook["id"]: hook for hook in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    assert sorted(hooks) == ["dflint", "dflint-fix"]
    assert hooks["dflint"]["entry"] == "dflint lint --offline"
    assert hooks["dflint-fix"]["entry"] == "dflint fix --multiarch --write --offline"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["files"] == FILES_REGEX
        assert hook["exclude"] == EXCLUDE_REGEX
        assert hook["types_or"] == ["file", "symlink"]  # a symbolic link is read through
        assert hook["types"] == []  # not only "file" (the default): a link is not one


# (name, a Dockerfile?) for the definition; the real-pre-commit test below uses the same list
NAMES = [
    ("Dockerfile", True),
    ("lower/dockerfile", True),
    ("upper/DOCKERFILE", True),
    ("Dockerfile.dev", True),
    ("Dockerfile-dev", True),
    ("web.dockerfile", True),
    ("api.Dockerfile", True),
    ("Containerfile", True),
    ("Containerfile.arm64", True),
    ("lower/containerfile", True),
    ("deep/linux/arm64/Dockerfile.linux-arm64", True),
    ("Dockerfile.j2", False),  # templates: not Dockerfiles until rendered
    ("Dockerfile.template", False),
    ("app.Dockerfile.tmpl", False),
    ("Dockerfile.dockerignore", False),  # BuildKit's ignore file for `Dockerfile`
    ("notes.txt", False),
    ("mydockerfile", False),
    ("Dockerfile_old", False),
    ("docker-compose.yml", False),
    ("node_modules/pkg/Dockerfile", False),  # vendored: never searched
]


def test_the_definition_of_a_dockerfile() -> None:
    from identify.identify import tags_from_filename

    from dflint.read.discovery import is_dockerfile_name

    assert [name for name, wanted in NAMES if is_dockerfile_name(name) != wanted] == []
    # why the hooks use a regex: identify's tag misses some names and takes an ignore file
    narrower = [n for n, wanted in NAMES if wanted and "dockerfile" not in tags_from_filename(n)]
    assert {"Dockerfile-dev", "web.dockerfile", "lower/dockerfile"} <= set(narrower)
    assert "dockerfile" in tags_from_filename("Dockerfile.dockerignore")


def test_the_readme_lists_the_definition() -> None:
    from dflint.read.discovery import NAMES as GLOBS

    readme = " ".join((ROOT / "README.md").read_text().split())
    listed = ", ".join(f"`{glob}`" for glob in GLOBS[:-1]) + f" and `{GLOBS[-1]}`"
    assert listed in readme


def test_hook_and_lint_dot_see_the_same_files(
    pre_commit: list[str], hook_repo: Path, project: Path, git_env: dict[str, str]
) -> None:
    """Real pre-commit (`--all-files`) and `dflint lint .` on one tree: the same files, and
    exactly those the definition names. Every file holds a finding, so each file the hook
    was given shows up in its output."""
    for name, _ in NAMES:
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(BAD)
    (project / "linked").mkdir()
    (project / "linked" / "Dockerfile").symlink_to("../Dockerfile.dev")
    wanted = {name for name, is_one in NAMES if is_one} | {"linked/Dockerfile"}
    git(git_env, project, "add", "-A")
    hooked = run(
        [*pre_commit, "try-repo", str(hook_repo), "dflint", "--all-files"], project, git_env
    )
    output = hooked.stdout + hooked.stderr
    assert hooked.returncode == 1, output
    from_hook = set(re.findall(r"^(\S+):2:35: DF308", output, re.M))
    linted = subprocess.run(
        [sys.executable, "-m", "dflint", "lint", "--offline", "--format", "json", "."],
        cwd=project, env=git_env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    from_lint = {finding["path"] for finding in json.loads(linted.stdout)["findings"]}
    assert from_hook == from_lint == wanted


def test_the_hook_never_waits_on_a_registry(
    pre_commit: list[str], hook_repo: Path, project: Path, git_env: dict[str, str]
) -> None:
    """Without DFLINT_OFFLINE, a FROM image on a registry that accepts connections and never
    answers: the hook does not even connect (it runs offline)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.settimeout(0)
        host = f"127.0.0.1:{server.getsockname()[1]}"
        (project / "Dockerfile").write_text(f"FROM {host}/app:1\nRUN echo hello\n")
        env = {k: v for k, v in git_env.items() if k != "DFLINT_OFFLINE"}
        result = try_repo(pre_commit, hook_repo, project, env, "Dockerfile")
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody connected
