"""Property tests: on any input the reader and the lint pipeline either work or raise
dflint's own InputError, never anything else. CI runs a short seeded version; the long run
(benchmarks/fuzz.py) is recorded in BENCHMARKS.md."""

from __future__ import annotations

import contextlib
import random

from conftest import shared_path
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from dflint.engine import Options, lint_bytes
from dflint.errors import InputError
from dflint.parser import parse_bytes, parse_text

OPTIONS = Options(no_config=True)
KEYWORDS = [
    "FROM",
    "RUN",
    "COPY",
    "ADD",
    "ENV",
    "ARG",
    "CMD",
    "ENTRYPOINT",
    "SHELL",
    "ONBUILD",
    "HEALTHCHECK",
    "LABEL",
    "WORKDIR",
    "USER",
    "EXPOSE",
    "VOLUME",
]
# Pieces that drive the reader into its corners: continuations, heredocs, directives, JSON.
PIECES = [
    *KEYWORDS,
    " ",
    "\t",
    "\n",
    "\r\n",
    "\\",
    "`",
    "#",
    "# escape=`",
    "# escape=\\",
    "# syntax=x",
    "<<EOF",
    "<<-EOF",
    "EOF",
    "<<'E'",
    "E",
    "[",
    "]",
    '"',
    "'",
    ",",
    "$",
    "${A:-b}",
    "--platform=$BUILDPLATFORM",
    "--from=a",
    "AS",
    "=",
    "\ufeff",
    "C:\\app\\",
    "alpine",
    "windows/servercore",
    "%PATH%",
]
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def lint_never_crashes(data: bytes) -> None:
    result = lint_bytes(data, "Dockerfile", OPTIONS)
    assert not result.internal_errors, result.internal_errors


@seed(20261128)
@SETTINGS
@given(st.text())
def test_reader_on_arbitrary_text(text: str) -> None:
    with contextlib.suppress(InputError):
        parse_text(text)


@seed(20261128)
@SETTINGS
@given(st.binary())
def test_reader_on_arbitrary_bytes(data: bytes) -> None:
    with contextlib.suppress(InputError):
        parse_bytes(data)


@seed(20261128)
@SETTINGS
@given(st.lists(st.sampled_from(PIECES), max_size=60))
def test_lint_on_dockerfile_shaped_text(pieces: list[str]) -> None:
    lint_never_crashes("".join(pieces).encode())


def test_lint_on_mutated_corpus_files() -> None:
    real = shared_path("corpus", "real")
    files = sorted(p for p in real.rglob("*") if p.is_file() and p.suffix not in (".md", ".tsv"))
    rng = random.Random(20261128)
    for path in rng.sample(files, 60):
        data = path.read_bytes()
        for _ in range(20):
            lint_never_crashes(mutate(rng, data, 8))


def mutate(rng: random.Random, data: bytes, edits: int) -> bytes:
    """Up to ``edits`` random cuts, insertions of reader-significant pieces, or byte flips."""
    mutated = bytearray(data)
    for _ in range(rng.randint(1, edits)):
        if not mutated:
            break
        spot = rng.randrange(len(mutated))
        roll = rng.random()
        if roll < 0.4:
            del mutated[spot : spot + rng.randint(1, 40)]
        elif roll < 0.8:
            mutated[spot:spot] = rng.choice(PIECES).encode()
        else:
            mutated[spot] = rng.randrange(256)
    return bytes(mutated)


# Dockerfile lines that carry fixable findings, mixed with ordinary ones, so the generated
# files exercise the fix engine: constant --platform, out-of-scope TARGETARCH, arch literals.
FIX_LINES = [
    "FROM --platform=linux/amd64 golang:1.22 AS build",
    "FROM --platform=$TARGETPLATFORM alpine:3.20",
    "FROM alpine:3.20",
    "FROM build",
    "ARG TARGETARCH",
    "ARG VERSION=1.0",
    "RUN GOARCH=amd64 go build -o /app .",
    "RUN wget https://example.com/tool-linux-amd64.tar.gz",
    "RUN echo $TARGETARCH && echo ${TARGETOS}",
    "RUN curl -fsSLO https://example.com/v${VERSION}/x_linux_amd64.deb",
    "ENV PATH=/opt/bin:$PATH",
    "COPY --from=build /app /app",
    "WORKDIR /src",
    "# a comment",
    "",
    'CMD ["/app"]',
]


@seed(20261128)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FIX_LINES), min_size=1, max_size=14))
def test_fix_output_reparses_and_fixing_twice_is_fixing_once(lines: list[str]) -> None:
    from dflint.config import Config
    from dflint.generator.fixes import fix_text

    text = "\n".join(["FROM alpine:3.20", *lines]) + "\n"
    options = Options(no_config=True, offline=True)
    once = fix_text(text, "Dockerfile", options, Config(), unsafe=True, resolve_images=False)
    if once.error is not None:
        assert not once.applied  # only input that never parsed may end in an error
        return
    parse_text(once.text)
    twice = fix_text(once.text, "Dockerfile", options, Config(), unsafe=True, resolve_images=False)
    assert twice.text == once.text
