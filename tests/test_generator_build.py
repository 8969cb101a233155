"""The seed's whole workflow, for real: per-platform files → images → one multi-arch tag.

1. `dflint fix Dockerfile --platforms linux/amd64,linux/arm64` writes the seed's files;
2. buildah builds each (chroot isolation, private storage; arm64 runs under qemu-user-static
   through binfmt_misc) on a local busybox image standing in for the seed's `diamol/base`;
3. each image's CMD runs and prints its platform, the machine `uname` reports and the app
   folder;
4. the generated manifest.sh (BUILDER=buildah INSECURE=1) builds them, pushes each
   platform's tag and joins them under one tag with `buildah manifest`, to the test
   registry over plain HTTP;
5. `dflint platforms` resolves that tag as linux/amd64 + linux/arm64.

Needs root, buildah, qemu-user-static and Debian's apt (for busybox-static of each
architecture, cached between runs). Without them the test skips, except under CI, where
`.ci/run` installs them and a skip would hide a broken workflow, so it fails. Windows variants
cannot be built on Linux; they are checked by parsing and linting elsewhere.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, package_download_failed
from registry_fixture import Registries

ARCHES = {"amd64": "x86_64", "arm64": "aarch64"}
APPLETS = ("sh", "ls", "uname", "cat", "echo", "env")
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "dflint-test-build"


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the build test must run)")
    pytest.skip(reason)


def run(*args: str, check: bool = True, **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)  # type: ignore[call-overload]
    if check and result.returncode != 0:
        pytest.fail(
            f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        )
    return result  # type: ignore[no-any-return]


BINFMT = Path("/proc/sys/fs/binfmt_misc")


def ensure_binfmt(folder: Path = BINFMT) -> None:
    """qemu's aarch64 handler registered (mounting binfmt_misc when it is not); whatever is
    missing for that is named (a failure under CI, a skip elsewhere), never a traceback."""
    if not (folder / "status").exists():
        if shutil.which("mount") is None:
            unavailable(f"binfmt_misc is not mounted on {folder} and there is no `mount`")
        run("mount", "-t", "binfmt_misc", "binfmt_misc", str(folder), check=False)
    handler = folder / "qemu-aarch64"
    if not handler.exists() or "enabled" not in handler.read_text():
        if shutil.which("update-binfmts") is None:
            unavailable(
                "the binfmt_misc handler qemu-aarch64 is not enabled and update-binfmts is "
                "not installed: apt-get install binfmt-support qemu-user-static"
            )
        run("update-binfmts", "--enable", "qemu-aarch64", check=False)
    if not handler.exists() or "enabled" not in handler.read_text():
        unavailable("the binfmt_misc handler qemu-aarch64 is not registered")


def busybox_deb(arch: str) -> Path:
    """Debian's busybox-static for ``arch``, downloaded once with private apt lists."""
    debs = CACHE / "debs"
    found = sorted(debs.glob(f"busybox-static_*_{arch}.deb"))
    if found:
        return found[-1]
    debs.mkdir(parents=True, exist_ok=True)
    lists = CACHE / "apt" / arch / "lists"
    (lists / "partial").mkdir(parents=True, exist_ok=True)
    (CACHE / "apt" / arch / "cache" / "archives" / "partial").mkdir(parents=True, exist_ok=True)
    options = [
        "-q",
        "-o", f"APT::Architectures::={arch}",
        "-o", f"Dir::State::Lists={lists}",
        "-o", f"Dir::Cache={CACHE / 'apt' / arch / 'cache'}",
        "-o", "Dir::State::status=/dev/null",
        "-o", "APT::Sandbox::User=root",
    ]  # fmt: skip
    for step in (["update"], ["download", f"busybox-static:{arch}"]):
        done = run("apt-get", *options, *step, cwd=debs, check=False)
        if done.returncode != 0:
            what = f"apt-get {' '.join(step)} (busybox-static for {arch})"
            package_download_failed("apt", what, done.stdout + done.stderr)
    found = sorted(debs.glob(f"busybox-static_*_{arch}.deb"))
    assert found, f"no busybox-static .deb for {arch} after download"
    return found[-1]


def require_build_tools() -> None:
    """Root on Linux, buildah, qemu and apt, and qemu's binfmt handler: checked in the test
    itself, so that what is missing fails it (under CI) or skips it with the reason."""
    if sys.platform != "linux" or os.geteuid() != 0:
        unavailable("the build test needs root on Linux (buildah chroot isolation)")
    for tool in ("buildah", "qemu-aarch64-static", "apt-get", "dpkg-deb"):
        if shutil.which(tool) is None:
            unavailable(f"{tool} is not installed: apt-get install buildah qemu-user-static")
    ensure_binfmt()


@pytest.fixture(scope="module")
def buildah(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    storage = tmp_path_factory.mktemp("buildah-storage")
    # vfs works on any file system; the images here are a few MB, so its copies cost nothing
    command = ["buildah", "--storage-driver", "vfs", "--root", str(storage / "root")]
    command += ["--runroot", str(storage / "run")]
    yield command
    if shutil.which("buildah") is not None:
        run(*command, "rm", "--all", check=False)
        run(*command, "rmi", "--all", "--force", check=False)


def make_base(buildah: list[str], arch: str, work: Path) -> None:
    """A busybox image tagged as the seed's base for ``arch`` (diamol/base:linux-ARCH)."""
    unpacked, rootfs = work / f"deb-{arch}", work / f"rootfs-{arch}"
    unpacked.mkdir()
    for folder in ("bin", "tmp", "etc", "proc", "sys", "dev"):
        (rootfs / folder).mkdir(parents=True)
    run("dpkg-deb", "-x", str(busybox_deb(arch)), str(unpacked))
    shutil.copy(unpacked / "bin" / "busybox", rootfs / "bin" / "busybox")
    for applet in APPLETS:  # links made here: running busybox --list would need qemu already
        (rootfs / "bin" / applet).symlink_to("busybox")
    (rootfs / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    container = run(*buildah, "from", "--arch", arch, "--os", "linux", "scratch").stdout.strip()
    run(*buildah, "copy", container, f"{rootfs}/", "/")
    run(*buildah, "config", "--os", "linux", "--arch", arch, "--env", "PATH=/bin",
        "--cmd", '["/bin/sh"]', container)  # fmt: skip
    run(*buildah, "commit", "-q", "--rm", container, f"docker.io/diamol/base:linux-{arch}")


def storage_conf(buildah: list[str], folder: Path) -> Path:
    """A containers-storage.conf naming the fixture's storage, for buildah run by a script."""
    options = dict(zip(buildah[1::2], buildah[2::2], strict=False))
    conf = folder / "storage.conf"
    conf.write_text(
        "[storage]\n"
        f'driver = "{options["--storage-driver"]}"\n'
        f'graphroot = "{options["--root"]}"\n'
        f'runroot = "{options["--runroot"]}"\n'
    )
    return conf


def test_the_seeds_workflow_builds_runs_and_publishes(
    buildah: list[str], registries: Registries, tmp_path: Path
) -> None:
    require_build_tools()
    registry = registries.open
    repository = f"{registry.host}/folder-list"
    app = tmp_path / "app"
    app.mkdir()
    seed = (ROOT / "sample_dockerfiles" / "Dockerfile.linux-arm64").read_text()
    (app / "Dockerfile").write_text(seed)
    (app / "file.txt").write_text("the app's data\n")

    # the plan goes to its own folder; the build context stays the app folder
    fix = run(
        sys.executable, "-m", "dflint", "fix", "Dockerfile",
        "--platforms", "linux/amd64,linux/arm64", "--image", repository,
        "--output-dir", "publish",
        check=False, cwd=app,
    )  # fmt: skip
    assert fix.returncode == 0, fix.stderr  # written and complete
    assert "Fixing publish/Dockerfile.linux-amd64\nFixing publish/Dockerfile.linux-arm64\n" in (
        fix.stdout
    )
    bake = (app / "publish" / "docker-bake.hcl").read_text()
    assert 'dockerfile = "publish/Dockerfile.linux-arm64"' in bake

    for arch in ARCHES:
        make_base(buildah, arch, tmp_path)
    # manifest.sh builds, pushes each platform's tag and the manifest list, with buildah
    # and over plain HTTP (INSECURE=1: --tls-verify=false), run from another folder
    environment = {
        **os.environ,
        "BUILDAH_ISOLATION": "chroot",
        "CONTAINERS_STORAGE_CONF": str(storage_conf(buildah, tmp_path)),
        "BUILDER": "buildah",
        "INSECURE": "1",
        "TAG": "latest",
    }
    run("sh", str(app / "publish" / "manifest.sh"), cwd=tmp_path, env=environment)

    for arch, machine in ARCHES.items():
        tag = f"{repository}:linux-{arch}"
        config = json.loads(run(*buildah, "inspect", "--type", "image", tag).stdout)["OCIv1"]
        assert config["architecture"] == arch
        command = config["config"]["Cmd"]
        assert command[:2] == ["/bin/sh", "-c"]
        container = run(*buildah, "from", "--pull=never", "--arch", arch, tag).stdout.strip()
        try:
            output = run(*buildah, "run", "--isolation", "chroot", container, "--", *command,
                         env={**os.environ, "BUILDAH_ISOLATION": "chroot"}).stdout  # fmt: skip
        finally:
            run(*buildah, "rm", container, check=False)
        lines = output.splitlines()
        assert lines[0] == f"Built as: linux/{arch}"
        assert lines[1].startswith("Linux ") and f" {machine} " in lines[1], lines[1]
        assert lines[2:] == ["file.txt"]

    published = registry.ref("folder-list:latest")
    for arch in ARCHES:  # each platform's own tag was pushed too
        single = registry.ref(f"folder-list:linux-{arch}")
        (tmp_path / f"Dockerfile.{arch}").write_text(f"FROM {single}\n")
    (tmp_path / "Dockerfile.check").write_text(f"FROM {published}\n")
    environment = {k: v for k, v in os.environ.items() if k != "DFLINT_OFFLINE"}
    environment["DFLINT_CACHE_DIR"] = str(tmp_path / "cache")
    matrix = run(
        sys.executable, "-m", "dflint", "platforms", str(tmp_path / "Dockerfile.check"),
        "--platform", "linux/amd64,linux/arm64", "--format", "json",
        env=environment,
    )  # fmt: skip
    [report] = json.loads(matrix.stdout)["files"]
    [base] = report["bases"]
    assert (base["source"], base["complete"]) == ("registry", True)
    assert sorted(base["platforms"]) == ["linux/amd64", "linux/arm64"]
    assert [(row["platform"], row["buildable"]) for row in report["platforms"]] == [
        ("linux/amd64", True),
        ("linux/arm64", True),
    ]
    singles = run(
        sys.executable, "-m", "dflint", "platforms", "--format", "json",
        *(str(tmp_path / f"Dockerfile.{arch}") for arch in ARCHES),
        env=environment, check=False,
    )  # fmt: skip
    # each per-arch file's base lacks the other default target: not buildable there
    assert singles.returncode == 1, singles.stderr
    found = [item["bases"][0]["platforms"] for item in json.loads(singles.stdout)["files"]]
    assert found == [[f"linux/{arch}"] for arch in ARCHES]


@pytest.mark.parametrize("ci", ["1", ""])
def test_a_missing_update_binfmts_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ci: str
) -> None:
    """No handler and no update-binfmts: a failure under CI, a skip elsewhere, with the
    package to install; not a FileNotFoundError."""
    (tmp_path / "status").write_text("enabled\n")  # binfmt_misc mounted, no qemu handler
    monkeypatch.setenv("CI", ci)
    real_which = shutil.which
    monkeypatch.setattr(
        shutil,
        "which",
        lambda name, *a, **k: None if name == "update-binfmts" else real_which(name),
    )
    outcome = pytest.fail.Exception if ci else pytest.skip.Exception
    with pytest.raises(
        outcome, match="update-binfmts is not installed: apt-get install binfmt-support"
    ):
        ensure_binfmt(tmp_path)
