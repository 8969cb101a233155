"""DF313: an arch test against a value the tool never prints."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import codes, dflint_cli, lint, shared_path


def messages(text: str) -> list[tuple[int, int, str]]:
    return [(f.line, f.column, f.message) for f in lint(text) if f.code == "DF313"]


def test_uname_never_prints_arm_64() -> None:
    text = (
        "FROM debian\n"
        'RUN if [ "$(uname -m)" = "arm_64" ]; then A=arm64; else A=amd64; fi; echo $A\n'
    )
    assert messages(text) == [
        (
            2,
            26,
            "`uname -m` never prints `arm_64`: on arm64 it prints `aarch64`, so this branch "
            "never runs and that architecture takes another one",
        )
    ]


def test_dpkg_never_prints_aarch64_or_ppc64le() -> None:
    text = (
        "FROM debian\n"
        'RUN arch="$(dpkg --print-architecture)"; case "$arch" in '
        "amd64) a=x64 ;; aarch64) a=arm64 ;; ppc64le) a=ppc ;; *) exit 1 ;; esac\n"
    )
    found = messages(text)
    assert [message.split(":")[0] for _, _, message in found] == [
        "`dpkg --print-architecture` never prints `aarch64`",
        "`dpkg --print-architecture` never prints `ppc64le`",
    ]
    assert "on ppc64le it prints `ppc64el`" in found[1][2]


def test_targetarch_never_holds_uname_names() -> None:
    text = (
        "FROM debian\nARG TARGETARCH\n"
        'RUN if [ "$TARGETARCH" = "x86_64" ]; then A=x64; else exit 1; fi\n'
    )
    [(_, _, message)] = messages(text)
    assert message.startswith("`$TARGETARCH` never prints `x86_64`: on amd64 it prints `amd64`")


def test_one_valid_alternative_is_enough() -> None:
    text = (
        "FROM debian\n"
        'RUN case "$(uname -m)" in x86_64) a=x64 ;; aarch64|arm64) a=arm64 ;; '
        "armv7*) a=arm ;; *) exit 1 ;; esac; echo $a\n"
    )
    assert messages(text) == []


def test_values_from_an_unknown_source_are_not_judged() -> None:
    text = 'FROM debian\nRUN ARCH=`cat /tmp/arch`; if [ "$ARCH" = arm_64 ]; then echo a; fi\n'
    assert messages(text) == []


def test_nats_alpine_loong64_branch_is_dead(tmp_path: Path) -> None:
    """nats-docker's apk dispatch names `loong64`, which apk spells `loongarch64`."""
    path = tmp_path / "repo" / "2.12.x" / "alpine3.22" / "Dockerfile"
    path.parent.mkdir(parents=True)
    shutil.copyfile(
        shared_path("corpus", "real", "nats-io__nats-docker/2.12.x__alpine3.22__Dockerfile"),
        path,
    )
    code, out, _ = dflint_cli("lint", "--no-config", "--select", "DF313", str(path))
    assert code == 1
    assert (
        "DF313 [linux/loong64] `apk --print-arch` never prints `loong64`: on loong64 it "
        "prints `loongarch64`"
    ) in out


def test_a_value_no_tool_prints_is_answered_with_what_the_tool_prints() -> None:
    text = (
        "FROM debian\n"
        'RUN case "$(dpkg --print-architecture)" in amd64) a=x64 ;; armv7hf) a=arm ;; '
        "*) exit 1 ;; esac; echo $a\n"
    )
    [finding] = [f for f in lint(text) if f.code == "DF313"]
    assert (finding.line, finding.column) == (2, 60)
    assert finding.message == (
        "`dpkg --print-architecture` never prints `armv7hf`; it prints `amd64`, `arm64`, "
        "`armhf`, `armel`, …, so this branch never runs and that architecture takes another one"
    )
    assert finding.platform is None  # no architecture is named for certain


def test_an_architecture_the_tool_has_no_word_for() -> None:
    # rpm has no build for mips64le: Debian's `mips64el` is no word of rpm's, and none is offered
    text = (
        'FROM fedora\nRUN case "$(rpm --eval %{_arch})" in x86_64) a=x64 ;; mips64el) a=m ;; '
        "*) exit 1 ;; esac; echo $a\n"
    )
    [finding] = [f for f in lint(text) if f.code == "DF313"]
    assert (finding.line, finding.column) == (2, 55)
    assert finding.message.startswith(
        "`rpm %{_arch}` never prints `mips64el`; it prints `x86_64`, `aarch64`, `armv7hl`, "
        "`i686`, …, so this branch never runs"
    )
    assert finding.platform == "linux/mips64le"


def test_the_platforms_buildkit_builds_are_words_of_targetplatform() -> None:
    # linux/loong64 and linux/mips64le are BuildKit targets; LoongArch's rpm says loongarch64
    text = (
        "FROM fedora\nARG TARGETPLATFORM\n"
        'RUN case "$TARGETPLATFORM" in linux/amd64) a=x ;; linux/loong64) a=l ;; '
        "linux/mips64le) a=m ;; *) exit 1 ;; esac; echo $a\n"
        'RUN case "$(rpm --eval %{_arch})" in x86_64) a=1 ;; loongarch64) a=2 ;; '
        "*) exit 1 ;; esac; echo $a\n"
    )
    assert "DF313" not in codes(text)
    # the bare architecture is still no value of `linux/…`
    bare = text.replace("linux/loong64)", "loong64)")
    [finding] = [f for f in lint(bare) if f.code == "DF313"]
    assert finding.message.startswith(
        "`$TARGETPLATFORM` never prints `loong64`: on loong64 it prints `linux/loong64`"
    )


def test_only_the_alternatives_that_look_like_an_architecture_are_reported() -> None:
    text = (
        "FROM debian\n"
        'RUN case "$(uname -m)" in x86_64) a=x64 ;; arm_64|v8) a=arm64 ;; '
        "*) exit 1 ;; esac; echo $a\n"
    )
    assert messages(text) == [
        (
            2,
            44,
            "`uname -m` never prints `arm_64`: on arm64 it prints `aarch64`, so this branch "
            "never runs and that architecture takes another one",
        )
    ]


def test_windows_stages_are_not_judged() -> None:
    # what a Windows stage's bash (Git for Windows, MSYS2) prints is not what Linux prints
    run = (
        'RUN case "$(uname -m)" in x86_64) a=x64 ;; arm_64) a=arm64 ;; *) exit 1 ;; esac; echo $a\n'
    )
    windows = (
        "FROM debian AS tools\nRUN true\n"
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        'SHELL ["C:\\\\Program Files\\\\Git\\\\bin\\\\bash.exe", "-c"]\n' + run
    )
    assert messages(windows) == []
    assert [line for line, _, _ in messages("FROM debian AS tools\n" + run)] == [2]
