"""DF006: FROM --platform values that are empty or unparseable once expanded."""

from __future__ import annotations

import pytest
from conftest import codes, lint, span

CASES = [
    (
        "FROM --platform=$BULIDPLATFORM scratch\nCOPY Dockerfile .\n",
        "empty platform value from expression $BULIDPLATFORM (did you mean BUILDPLATFORM?)",
        "$BULIDPLATFORM is not declared: write $BUILDPLATFORM",
    ),
    (
        "ARG MY_OS=linux\nARG MY_ARCH=amd64\nFROM --platform=linux/${MYARCH} busybox\n",
        'failed to parse platform linux/${MYARCH}: "" is an invalid component of "linux/": '
        'platform specifier component must match "^[A-Za-z0-9_.-]+$": invalid argument '
        "(did you mean MY_ARCH?)",
        "$MYARCH is not declared: write $MY_ARCH",
    ),
    (
        "FROM --platform=$FOOBAR alpine\n",
        "empty platform value from expression $FOOBAR",
        "$FOOBAR is not declared: add `ARG <name>=<value>` before the first FROM",
    ),
    (
        "FROM --platform=foobar alpine\n",
        'failed to parse platform foobar: "foobar": unknown operating system or architecture: '
        "invalid argument",
        "write os/arch such as linux/arm64",
    ),
    (
        "FROM --platform=$BUILDOS/${ARCH} alpine\n",
        'failed to parse platform $BUILDOS/${ARCH}: "" is an invalid component of "linux/"',
        "$ARCH is not declared",
    ),
    (
        "FROM --platform=$FOO/$BAR alpine\n",
        'failed to parse platform $FOO/$BAR: "" is an invalid OS component of "/"',
        "$BAR, $FOO are not declared: add `ARG <name>=<value>` before the first FROM",
    ),
    (
        # the first undeclared name has no near miss, the second has: it is still offered
        "FROM --platform=$AAA/$TARGETARH alpine\n",
        'failed to parse platform $AAA/$TARGETARH: "" is an invalid OS component of "/": '
        'OSAndVersion specifier component must match "^([A-Za-z0-9_-]+)(?:\\\\(([A-Za-z0-9_.%-]*)'
        '((?:\\\\+[A-Za-z0-9_.%-]+)*)\\\\))?$": invalid argument (did you mean TARGETARCH?)',
        "$TARGETARH is not declared: write $TARGETARCH",
    ),
]


@pytest.mark.parametrize(("text", "reason", "advice"), CASES)
def test_invalid_platform(text: str, reason: str, advice: str) -> None:
    [finding] = [f for f in lint(text) if f.code == "DF006"]
    line = text.count("\n", 0, text.index("FROM --platform")) + 1
    from_line = text.split("\n")[line - 1]
    assert span(finding) == (line, 1, line, len(from_line) + 1)  # the FROM line
    assert finding.severity == "error"
    assert finding.message.startswith(reason)
    assert finding.message.endswith(advice) or advice in finding.message


def test_constant_that_does_not_parse_is_not_also_df203() -> None:
    assert "DF203" not in codes("FROM --platform=foobar alpine\n")


@pytest.mark.parametrize(
    "text",
    [
        "ARG BUILDPLATFORM=linux/amd64\nFROM --platform=$BUILDPLATFORM scratch\n",
        "FROM --platform=$BUILDPLATFORM scratch\n",
        "FROM --platform=$TARGETOS/$TARGETARCH alpine\n",
        "ARG PLATFORM\nFROM --platform=$PLATFORM alpine\n",  # --build-arg may give it
        "ARG ARCH=arm64\nFROM --platform=linux/${ARCH} alpine\n",
        "FROM --platform=linux/arm/v7 alpine\n",
        "FROM --platform=windows/amd64 mcr.microsoft.com/windows/nanoserver:ltsc2022\n",
    ],
)
def test_valid_platform(text: str) -> None:
    assert "DF006" not in codes(text)


def test_a_from_the_parser_refused_is_not_also_df006() -> None:
    # BuildKit stops at the argument count; the platform is never looked at
    found = [f for f in lint("FROM --platform=foo a b\n") if f.code in ("DF004", "DF006")]
    assert [(f.code, span(f)) for f in found] == [("DF004", (1, 1, 1, 24))]
