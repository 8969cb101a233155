from __future__ import annotations

import pytest
from conftest import lint, span

from dflint.core.findings import Finding

CODE = "DF305"


def hits(text: str) -> list[Finding]:
    return [f for f in lint(text, select=(CODE,)) if f.code == CODE]


def test_double_brackets_on_debian() -> None:
    [finding] = hits("FROM debian:bookworm-slim\nRUN if [[ -f /x ]]; then echo y; fi\n")
    assert (finding.line, finding.column) == (2, 8)
    assert "/bin/sh here is dash (debian)" in finding.message
    assert "use `[ … ]`" in finding.message


@pytest.mark.parametrize(
    ("line", "label"),
    [
        ("source /etc/os-release", "`source`"),
        ('[ "$a" == b ]', "`== in test`"),
        ("a=(1 2)", "array"),
        ("diff <(ls /a) <(ls /b)", "process substitution"),
        ("printf $'a\\tb'", "ANSI-C quoting"),
        ("mkdir -p /a/{b,c}", "brace expansion"),
        ("ls &> /dev/null", "redirection &>"),
        ('echo "${x:0:3}"', "substring"),
        ('echo "${x//a/b}"', "pattern substitution"),
        ("function f { :; }", "function keyword"),
        ("cat <<< hi", "here-string"),
    ],
)
def test_bash_features_under_dash(line: str, label: str) -> None:
    found = hits(f"FROM ubuntu:24.04\nRUN {line}\n")
    assert found
    assert all(label in finding.message for finding in found)


def test_ash_accepts_most_bash_extensions() -> None:
    text = "FROM alpine:3.20\nRUN [[ -f /x ]] && source /x; echo ${x:0:1} &> /dev/null\n"
    assert hits(text) == []
    [finding] = hits("FROM alpine:3.20\nRUN mkdir -p /a/{b,c}\n")
    assert "ash (alpine)" in finding.message


def test_bash_shells_are_fine() -> None:
    text = (
        "FROM debian\n"
        'SHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
        "RUN [[ -f /x ]] && source /x\n"
        "FROM debian\n"
        "RUN bash -c '[[ -f /x ]] && source /x'\n"
        "RUN <<EOF\n#!/bin/bash\n[[ -f /x ]]\nEOF\n"
    )
    assert hits(text) == []


def test_rhel_and_unknown_families_are_not_judged() -> None:
    assert hits("FROM registry.access.redhat.com/ubi9/ubi\nRUN [[ -f /x ]]\n") == []
    assert hits("ARG BASE\nFROM ${BASE}\nRUN [[ -f /x ]]\n") == []


def test_posix_syntax_is_fine() -> None:
    text = (
        "FROM debian\n"
        'RUN x=$((1 + 2)); [ "$x" = 3 ] && echo "${y:-d}" "${z%.*}" && find . -exec rm {} \\;\n'
    )
    assert hits(text) == []


def test_explicit_dash_shell() -> None:
    assert len(hits('FROM ubuntu\nSHELL ["/bin/dash", "-c"]\nRUN source /x\n')) == 1


def test_template_files_are_not_linted() -> None:
    # docker-node's generator replaces bare `"${DEB_ARCH[@]}"` lines: a `.template` file is
    # not yet a Dockerfile, whatever it looks like
    text = 'FROM debian\nRUN case "$x" in \\\n    "${DEB_ARCH[@]}"\n  esac\n'
    assert [f.code for f in lint(text, select=(CODE,))] == [CODE]
    assert lint(text, path="Dockerfile-debian.template") == []


def test_sh_c_inside_a_command_runs_sh() -> None:
    # `sh -c '…'` is run by /bin/sh (dash here) whatever shell started it; `bash -c` by bash
    text = "FROM debian:bookworm-slim\nRUN sh -c '[[ -f /x ]]' && bash -c '[[ -f /y ]]'\n"
    [finding] = hits(text)
    assert span(finding) == (2, 12, 2, 23)
    assert finding.message.startswith("`[[ … ]]` is bash syntax, but /bin/sh here is dash (debian)")
    [finding] = hits(
        'FROM python:3.12-slim\nCMD ["sh", "-c", "source /venv/bin/activate && exec app"]\n'
    )
    assert (finding.line, finding.column) == (2, 19)
    assert "`source` is bash syntax" in finding.message


@pytest.mark.parametrize(
    ("line", "column", "label"),
    [
        ('echo "${PIPESTATUS[0]}"', 13, "array subscript"),
        ("a[0]=x", 5, "array element assignment"),
        ('echo "${x^}"', 11, "case modification ${var^}"),
        ('echo "${x: -1}"', 11, "substring"),
        ('echo "${x:$i:2}"', 11, "substring"),
        ("echo {a..c}", 10, "brace expansion"),
    ],
)
def test_bashisms_without_the_common_markers(line: str, column: int, label: str) -> None:
    # the quick scan before parsing must not skip these lines
    [finding] = hits(f"FROM debian\nRUN {line}\n")
    assert (finding.line, finding.column) == (2, column)
    assert finding.message.startswith(label)


def test_an_explicit_dash_or_ash_shell_is_judged_on_an_unknown_base() -> None:
    [finding] = hits('ARG BASE\nFROM ${BASE}\nSHELL ["/bin/dash", "-c"]\nRUN source /x\n')
    assert (finding.line, finding.column) == (4, 5)
    assert "/bin/sh here is dash (unknown)" in finding.message
    # ash lacks arrays but has `source`; a plain `sh` there is still an unknown shell
    text = (
        'ARG BASE\nFROM ${BASE}\nSHELL ["/bin/ash", "-c"]\n'
        "RUN a=(1) && source /x && sh -c 'b=(2)'\n"
    )
    [finding] = hits(text)
    assert (finding.line, finding.column) == (4, 7)
    assert finding.message.startswith("array is bash syntax, but /bin/sh here is ash (unknown)")


def test_feature_names_are_quoted_only_when_they_are_syntax() -> None:
    [finding] = hits("FROM ubuntu:24.04\nRUN for ((i = 0; i < 3; i++)); do echo $i; done\n")
    assert span(finding) == (2, 5, 2, 48)
    assert finding.message.startswith(
        "C-style for loop is bash syntax, but /bin/sh here is dash (ubuntu): "
        "use a `while` loop with `$(( … ))`, or set"
    )


def test_windows_stages_are_not_judged() -> None:
    # busybox-w32's ash on Windows: a Linux rule has nothing to say about it
    text = 'FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nSHELL ["ash", "-c"]\nRUN a=(1)\n'
    assert hits(text) == []
    assert len(hits(text.replace("mcr.microsoft.com/windows/nanoserver:ltsc2022", "alpine"))) == 1
