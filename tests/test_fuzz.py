"""Property tests: on any input the reader, the lint pipeline, parse, fix and render, and
the readers of file names, config values and cache entries either work or raise dflint's
own errors, never anything else. CI runs a short seeded version; the long run
(benchmarks/fuzz.py) is recorded in BENCHMARKS.md."""

from __future__ import annotations

import contextlib
import json
import os
import random
import tempfile
from pathlib import Path

from conftest import shared_path
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from dflint.errors import InputError
from dflint.lint.engine import Options, lint_bytes
from dflint.read.parser import parse_bytes, parse_text

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
    """Lint any bytes: no exception, and no internal error (a rule that crashed, or one of
    dflint's shell parsers that raised on a script and was caught)."""
    result = lint_bytes(data, "Dockerfile", OPTIONS)
    assert not result.internal_errors, result.internal_errors


# Pieces of sh, cmd and PowerShell syntax, for the shell readers on their own.
SHELL_PIECES = [
    " ", "\n", "\t", "\\", "`", "'", '"', "$", "$(", "${", "}", "(", ")", "{", "[", "]",
    "[[", "]]", ";", ";;", "&", "&&", "|", "||", "|&", ">", "2>&1", "<<EOF", "<<-'E'", "EOF",
    "E", "^", "%", "%PATH%", "%A:~0,2%", "!X!", "@", "@'", "'@", '@"', '"@', "$env:X",
    "if", "then", "else", "fi", "case", "in", "esac", "for", "do", "done", "while", "/i",
    "not", "exist", "equ", "set", "A=b", "echo", "ls", "dir", "cmd", "/c", "/S", "sh", "-c",
    "powershell", "-Command", "Get-Item", "switch", "foreach", "-eq", "#", "\ufeff", "é",
    "\udce9", "\x00", "x86_64", "$(uname -m)", "dpkg --print-architecture", "arm64)",
]  # fmt: skip


def shell_parsers_never_fail(text: str) -> None:
    """Each of dflint's shell readers (sh, PowerShell, cmd) on any text: a script, maybe
    marked broken (``errors``), never an exception of the reader's own (``failure``)."""
    from dflint.analyse.shell.cmd import parse_cmd
    from dflint.analyse.shell.posix import parse_posix
    from dflint.analyse.shell.powershell import parse_powershell
    from dflint.analyse.shell.source import SourceMap

    for parse in (parse_posix, parse_powershell, parse_cmd):
        source = SourceMap()
        source.add(0, 2, 5)
        script = parse(text, source, "fuzz")
        assert script.failure is None, (parse.__name__, script.failure)


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


@seed(20261128)
@SETTINGS
@given(st.lists(st.sampled_from(SHELL_PIECES), max_size=60).map("".join) | st.text())
def test_shell_readers_on_shell_shaped_text(text: str) -> None:
    shell_parsers_never_fail(text)


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
    from dflint.generate.fixes import fix_text
    from dflint.settings.config import Config

    text = "\n".join(["FROM alpine:3.20", *lines]) + "\n"
    options = Options(no_config=True, offline=True)
    once = fix_text(text, "Dockerfile", options, Config(), unsafe=True, resolve_images=False)
    if once.error is not None:
        assert not once.applied  # only input that never parsed may end in an error
        return
    parse_text(once.text)
    twice = fix_text(once.text, "Dockerfile", options, Config(), unsafe=True, resolve_images=False)
    assert twice.text == once.text


# --- beyond lint: parse, fix, render, file names, config values, cache contents ------------
# Each check takes one generated input and fails on anything but dflint's own errors; the
# long run (benchmarks/fuzz.py) calls the same functions.


def parse_never_crashes(data: bytes) -> None:
    """`dflint parse`: the tree and its JSON, for any bytes."""
    from dflint.read.parser import buildkit_dump, dockerfile_dict
    from dflint.report.formatters import json_text

    try:
        dockerfile = parse_bytes(data)
    except InputError:
        return
    json_text(dockerfile_dict(dockerfile)).encode("utf-8")
    for instruction in dockerfile.instructions:
        buildkit_dump(instruction)


def fix_never_crashes(data: bytes) -> None:
    """`dflint fix --os windows/linux`: translate and render; a variant that is written
    must parse (the command refuses one that does not, so that is checked as it does)."""
    from dflint.analyse.analysis import analyze
    from dflint.core.platform import Platform
    from dflint.errors import DflintError
    from dflint.generate import layout
    from dflint.generate.render import render_plan
    from dflint.generate.translator import translate

    try:
        dockerfile = parse_bytes(data)
    except InputError:
        return
    analysis = analyze(dockerfile)
    for target in (Platform("windows", "amd64"), Platform("linux", "arm64")):
        try:
            plan = translate(dockerfile, analysis, target)
            render_plan(plan, layout.header("fix", "Dockerfile", str(target), "dflint fix"))
        except DflintError:
            continue


# Jinja2 syntax and the names `dflint render` defines, to build templates from.
TEMPLATE_PIECES = [
    "FROM alpine:3.20\n", "RUN ", "echo ", "\n", "{{ ", " }}", "{% ", " %}", "{# ", " #}",
    "os", "arch", "variant", "platform", "tag", "escape", "shell", "| path", "| var",
    "| command", "| exec_form", "'/app'", "'ls /app && uname -a'", "1/0", "nope", "if ",
    "endif", "for x in shell", "endfor", "macro m()", "endmacro", "m()", "include 'x.j2'",
    "set a = ", "[", "]", "(", ")", "~", "+", '"', "'", "\udce9", "é",
]  # fmt: skip


def render_never_crashes(folder: Path, source: str) -> None:
    """`dflint render`: any template text ends in a rendered file or a TemplateError."""
    from dflint.core.platform import Platform
    from dflint.generate.render import RenderContext, TemplateError, render_user_template

    template = folder / "fuzz.j2"
    template.write_bytes(source.encode("utf-8", errors="surrogateescape"))
    for platform in (Platform("linux", "amd64"), Platform("windows", "amd64")):
        with contextlib.suppress(TemplateError):
            render_user_template(template, RenderContext(platform, None), "# header")


def name_is_shown_safely(folder: Path, name: bytes) -> None:
    """A file of any name: linted, and every format's output is valid UTF-8."""
    from dflint.lint.engine import lint_file
    from dflint.read.discovery import display_path
    from dflint.report import formatters
    from dflint.report.summary import Report

    path = folder / os.fsdecode(name)
    path.write_text("FROM alpine:3.20\nRUN echo $TARGETARCH\n")
    try:
        result = lint_file(path, display_path(path), OPTIONS)
        report = Report(files=[result])
        for fmt in formatters.FORMATS:
            formatters.get(fmt).render(report).encode("utf-8")
    finally:
        path.unlink()


def config_never_crashes(table: dict[str, object]) -> None:
    from dflint.errors import ConfigError
    from dflint.settings.config import from_mapping

    with contextlib.suppress(ConfigError):
        from_mapping(table, "fuzz.toml", None)


def cache_entry_never_crashes(folder: Path, data: bytes) -> None:
    from dflint.registry.cache import DiskCache

    cache = DiskCache(folder)
    cache._path("docker.io/library/alpine:3.20").write_bytes(data)
    cache.get("docker.io/library/alpine:3.20")


@seed(20261128)
@SETTINGS
@given(
    st.binary() | st.lists(st.sampled_from(PIECES), max_size=60).map(lambda p: "".join(p).encode())
)
def test_parse_on_arbitrary_input(data: bytes) -> None:
    parse_never_crashes(data)


@seed(20261128)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from([*PIECES, *FIX_LINES, "\n"]), max_size=40))
def test_fix_on_dockerfile_shaped_text(pieces: list[str]) -> None:
    fix_never_crashes("".join(pieces).encode())


@seed(20261128)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TEMPLATE_PIECES), max_size=40))
def test_render_on_template_shaped_text(pieces: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        render_never_crashes(Path(folder), "".join(pieces))


# file names: any bytes but "/" and NUL, not "." or ".."
NAMES = (
    st.binary(min_size=1, max_size=40)
    .map(lambda raw: raw.replace(b"/", b"_").replace(b"\x00", b"_"))
    .filter(lambda raw: raw not in (b".", b".."))
)


@seed(20261128)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NAMES)
def test_file_names_are_shown_safely(name: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        name_is_shown_safely(Path(folder), name)


@seed(20261128)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(NAMES.map(os.fsdecode), min_size=1, max_size=8))
def test_names_in_manifest_sh_reach_the_shell_intact(names: list[str]) -> None:
    """Each name the generator accepts is one word to sh, byte for byte; others are refused."""
    import shlex
    import subprocess

    from dflint.generate.layout import name_problem

    accepted = [name for name in names if name_problem(name) is None]
    script = "".join(f"printf '%s\\0' {shlex.quote(name)}\n" for name in accepted)
    out = subprocess.run(["sh", "-c", script], capture_output=True, check=True).stdout
    assert out.split(b"\0")[:-1] == [os.fsencode(name) for name in accepted]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@seed(20261128)
@SETTINGS
@given(
    st.dictionaries(
        st.sampled_from([
            "platforms", "select", "ignore", "per-file-ignores", "severity", "failure-threshold",
            "offline", "registry-mirrors", "insecure-registries", "cache-ttl",
            "registry-timeout", "fix", "unknown",
        ]),
        JSON_VALUES,
        max_size=4,
    )
)  # fmt: skip
def test_config_values(table: dict[str, object]) -> None:
    config_never_crashes(table)


@seed(20261128)
@SETTINGS
@given(
    st.binary(max_size=300)
    | JSON_VALUES.map(lambda value: json.dumps(value).encode())
    | st.integers(1, 5000).map(lambda depth: b"[" * depth)
)
def test_cache_contents(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        cache_entry_never_crashes(Path(folder), data)
