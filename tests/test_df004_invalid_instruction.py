"""DF004: instructions BuildKit refuses after reading the lines (the issue's examples).

Each case asserts the line, BuildKit's reason and the advice on what to write instead; the
full BuildKit snippet corpus is in tests/test_buildkit_verdicts.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import lint, span

CASES = [
    # (Dockerfile, line, BuildKit's reason, words of the advice)
    ("FROM alpine\nENV\n", 2, "ENV requires at least one argument", "ENV <name>=<value>"),
    ("FROM alpine\nLABEL\n", 2, "LABEL requires at least one argument", "LABEL <key>=<value>"),
    ("FROM alpine\nWORKDIR\n", 2, "WORKDIR requires exactly one argument", "WORKDIR <path>"),
    ("FROM alpine\nUSER\n", 2, "USER requires exactly one argument", "USER <user>"),
    ("FROM alpine\nSTOPSIGNAL\n", 2, "STOPSIGNAL requires exactly one argument", "SIGTERM"),
    (
        "FROM alpine\nCOPY onlyone\n",
        2,
        "COPY requires at least two arguments, but only one was provided. Destination could "
        "not be determined",
        "COPY <source>... <destination>",
    ),
    ("FROM a b\n", 1, "FROM requires either one or three arguments", "FROM [--platform="),
    ("FROM alpine\nENV =value\n", 2, "ENV names can not be blank", "ENV <name>=<value>"),
    ("FROM alpine\nSHELL a\n", 2, "SHELL requires the arguments to be in JSON form", "SHELL ["),
    ("FROM alpine\nHEALTHCHECK a\n", 2, 'Unknown type "A" in HEALTHCHECK (try CMD)', "CMD"),
    (
        "FROM alpine\nHEALTHCHECK --interval=50ns CMD true\n",
        2,
        'Interval "interval" cannot be less than 1ms',
        "at least 1ms",
    ),
    ("FROM alpine\nONBUILD FROM x\n", 2, "FROM isn't allowed as an ONBUILD trigger", "remove"),
    (
        "FROM alpine\nONBUILD ONBUILD RUN x\n",
        2,
        "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
        "single ONBUILD",
    ),
    ("FROM alpine\nMAINTAINER --boo x\n", 2, "unknown flag: --boo", "MAINTAINER takes no flags"),
    (
        "FROM alpine\nCOPY --chmodd=755 a b\n",
        2,
        "unknown flag: --chmodd (did you mean chmod?)",
        "write --chmod",
    ),
    (
        "FROM alpine\nCOPY --chmod=755 --chmod=644 a b\n",
        2,
        "duplicate flag specified: --chmod",
        "once",
    ),
    (
        "FROM alpine\nCOPY /foo <<EOF\nhello\nEOF\n",
        2,
        "COPY cannot accept a heredoc as a destination",
        "COPY <<EOF <destination>",
    ),
    (
        "FROM alpine\nRUN --mount=type=cahce,target=/root/.cache true\n",
        2,
        'unsupported mount type "cahce" (did you mean cache?)',
        "type=cache",
    ),
    (
        "FROM alpine\nRUN --mount=type=bind,target=/src,colour=red true\n",
        2,
        "unexpected key 'colour' in 'colour=red'",
        "use type",
    ),
    ("FROM alpine\nRUN --network=bridge true\n", 2, 'invalid network mode "bridge"', "none"),
    ("FROM alpine\nRUN --security=root true\n", 2, 'security "root" is not valid', "insecure"),
    (
        "FROM alpine\nCOPY --link=maybe a b\n",
        2,
        "expecting boolean value for flag --link, not: maybe",
        "--link=true",
    ),
    ("FROM alpine\nEXPOSE 80/tcpp\n", 2, 'invalid port: "80/tcpp": invalid proto: tcpp', "/tcp"),
    ("FROM alpine\nSTOPSIGNAL SIGFOO\n", 2, "invalid signal: SIGFOO", "SIGTERM"),
    (
        "FROM alpine\nCOPY --chmod=999 a b\n",
        2,
        "invalid chmod parameter: '999'. it should be octal string and between 0 and 07777",
        "--chmod=755",
    ),
    (
        "FROM alpine\nADD --checksum=sha256:abc a.tgz /\n",
        2,
        "checksum requires HTTP(S) or Git sources",
        "https://",
    ),
    ("FROM alpine\nCOPY https://example.com/a.tgz /\n", 2, "source can't be a URL for COPY", "ADD"),
    (
        "FROM alpine\nADD --checksum=sha256:abc https://example.com/a.tgz /\n",
        2,
        "invalid checksum digest length",
        "sha256:<64 hex digits>",
    ),
    ("RUN echo hi\nFROM alpine\n", 1, "no build stage in current context", "below a FROM"),
    ("ARG A=1\n", 1, "dockerfile contains no stages to build", "add a FROM"),
    ('FROM alpine\nVOLUME [""]\n', 2, "VOLUME specified can not be an empty string", "VOLUME ["),
    ("FROM alpine\nHEALTHCHECK CMD\n", 2, "Missing command after HEALTHCHECK CMD", "CMD <command>"),
    (
        "FROM alpine\nHEALTHCHECK --retries=-1 CMD true\n",
        2,
        "--retries cannot be negative (-1)",
        "0",
    ),
]


@pytest.mark.parametrize(("text", "line", "reason", "advice"), CASES)
def test_rejected_instruction(text: str, line: int, reason: str, advice: str) -> None:
    found = [f for f in lint(text) if f.code == "DF004"]
    assert len(found) == 1, found
    [finding] = found
    assert finding.line == line
    # the whole instruction, as BuildKit points at it (heredoc bodies included)
    last = text.split("\n")[finding.end_line - 1]
    assert (finding.column, finding.end_column) == (1, len(last) + 1)
    assert finding.end_line >= line
    assert finding.severity == "error"
    assert finding.message.startswith(reason + ": ")
    assert advice in finding.message.removeprefix(reason)


ACCEPTED = [
    "FROM alpine\nSTOPSIGNAL --anything SIGTERM\n",  # STOPSIGNAL never reads its flags
    "FROM alpine\nARG --anything A=1\n",  # nor does ARG
    "FROM alpine\nHEALTHCHECK --interval=5s NONE\n",  # NONE: flags are not read
    "FROM alpine\nHEALTHCHECK --interval=0s --retries=3 CMD true\n",
    "FROM alpine\nCOPY --exclude=*.md --exclude=*.txt . /src\n",  # a list flag may repeat
    "FROM alpine\nCOPY --chmod=u+x,g-w a /b\n",
    "FROM alpine\nCOPY --chmod=$MODE a /b\n",  # expanded at build time
    "FROM alpine\nRUN --mount=type=cache,target=/root/.cache,sharing=locked true\n",
    "FROM alpine\nRUN --mount=type=secret,id=token,required true\n",
    "ARG KIND=cache\nFROM alpine\nARG KIND\nRUN --mount=type=$KIND,target=/x true\n",
    "FROM alpine\nEXPOSE 80 443/tcp 53/udp 8000-8010 $PORT\n",
    "FROM alpine\nSTOPSIGNAL 9\n",
    "FROM alpine\nSTOPSIGNAL sigrtmin+3\n",
    "FROM alpine\nADD --checksum=sha256:" + "0" * 64 + " https://example.com/a.tgz /\n",
    "FROM alpine\nONBUILD RUN echo hi\n",
    "FROM alpine AS Build-1.x\n",
    "ARG BASE=alpine\nFROM $BASE\n",
    # an earlier stage's name is not read as an image, even one no image could have
    "FROM alpine AS build-\nFROM build-\n",
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_accepted_instruction(text: str) -> None:
    assert [f for f in lint(text) if f.code in ("DF004", "DF005")] == []


def test_line_over_65535_bytes(tmp_path: Path) -> None:
    """BuildKit's scanner refuses a physical line over 65,535 bytes (TestParseReturnsScanner-
    Errors); 65,535 bytes is still read."""
    label = "a" * 65536
    path = tmp_path / "Dockerfile"
    path.write_text(f"\n\t\tFROM image\n\t\tLABEL test={label}\n")
    found = [f for f in lint(path.read_text()) if f.code == "DF004"]
    [finding] = found
    assert finding.line == 3
    assert finding.message.startswith(
        "dockerfile line greater than max allowed size of 65535: line 3 is"
    )
    assert "split it with line continuations" in finding.message
    fits = "FROM image\nLABEL a=" + "b" * (65535 - len("LABEL a=")) + "\n"
    assert [f for f in lint(fits) if f.code == "DF004"] == []


def test_invalid_instruction_fails_the_run(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM alpine:3.20\nWORKDIR\n")
    result = subprocess.run(
        [sys.executable, "-m", "dflint", "lint", "--no-config", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "DF004" in result.stdout
    assert "WORKDIR requires exactly one argument" in result.stdout


STAGE_ORDER = [
    # (Dockerfile, span of the finding, words of BuildKit's reason)
    ("FROM alpine AS a\nCOPY --from=a x y\n", (2, 1, 2, 18), "circular dependency"),
    ("FROM alpine AS B\nCOPY --from=b x y\n", (2, 1, 2, 18), "circular dependency"),
    (
        "FROM alpine AS a\nCOPY --from=b x y\nFROM alpine AS b\n",
        (2, 1, 2, 18),
        'cannot copy from stage "b", it needs to be defined before current stage "a"',
    ),
    (
        "FROM alpine\nRUN --mount=type=bind,from=later,target=/src true\nFROM alpine AS later\n",
        (2, 1, 2, 50),
        'cannot mount from stage "later" to "/src"',
    ),
    ("FROM alpine\nCOPY --from=1 x y\n", (2, 1, 2, 18), "invalid stage index 1"),
    (
        "FROM Alpine\n",
        (1, 1, 1, 12),
        'stage name "Alpine": invalid reference format: repository name (library/Alpine) '
        "must be lowercase",
    ),
    ("FROM alpine::x\n", (1, 1, 1, 15), 'stage name "alpine::x": invalid reference format:'),
    # BuildKit's reason ends at "invalid reference format" unless the name is upper case
    (
        "FROM busybox\nfrom foo=bar\n",
        (2, 1, 2, 13),
        'failed to parse stage name "foo=bar": invalid reference format: write an image',
    ),
    ("FROM $NOTHING\n", (1, 1, 1, 14), "base name ($NOTHING) should not be blank: declare"),
    # an unnamed stage is "stage-<index>" in BuildKit's message
    (
        "FROM alpine\nCOPY --from=later a /b\nFROM alpine AS later\n",
        (2, 1, 2, 23),
        'cannot copy from stage "later", it needs to be defined before current stage "stage-0"',
    ),
]


@pytest.mark.parametrize(("text", "where", "reason"), STAGE_ORDER)
def test_stage_reference_buildkit_refuses(
    text: str, where: tuple[int, int, int, int], reason: str
) -> None:
    [finding] = [f for f in lint(text) if f.code == "DF004"]
    assert span(finding) == where
    assert reason in finding.message


def test_stage_references_buildkit_accepts() -> None:
    text = (
        "FROM alpine:3.20 AS a\nFROM a AS b\nFROM scratch\nCOPY --from=a x y\nCOPY --from=1 x y\n"
        "COPY --from=nginx:latest x y\nRUN --mount=type=cache,target=/c true\n"
        "RUN --mount=from=b,dst=/x true\n"
    )
    assert [f for f in lint(text) if f.code == "DF004"] == []


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        # COPY with one argument is refused before its --from is looked at
        ("FROM alpine AS a\nCOPY --from=a onlyone\n", 2, "COPY requires at least two arguments"),
        # a FROM with two arguments is refused before its image is looked at
        ("FROM Alpine AS\n", 1, "FROM requires either one or three arguments"),
    ],
)
def test_a_refused_instruction_is_reported_once(text: str, line: int, reason: str) -> None:
    [finding] = [f for f in lint(text) if f.code == "DF004"]
    assert finding.line == line
    assert finding.message.startswith(reason)


def test_an_unknown_instruction_is_left_to_df005() -> None:
    findings = lint("FROM alpine\nFOO bar\n")
    assert [(f.code, f.line) for f in findings] == [("DF005", 2)]
    assert findings[0].message.startswith("unknown instruction: FOO")


def test_a_mount_from_with_a_dollar_is_not_matched_to_a_stage() -> None:
    # `from=x$` passes the parser (a trailing `$` is no variable) and is left to the build; the
    # stage named `x$` is refused, and that is the one finding, not a mount from a later stage
    text = "FROM alpine AS a\nRUN --mount=from=x$,target=/t true\nFROM alpine AS x$\n"
    [finding] = [f for f in lint(text) if f.code == "DF004"]
    assert finding.line == 3
    assert finding.message.startswith('invalid name for build stage: "x$"')
