"""The command line's habits (issue 14): -h, -q, -v, colour, standard input, no path, shell
completion, severity overrides, progress on a terminal, one-line usage errors; the options
every command kept when the CLI moved from Typer to argparse; and what a quick run does
*not* import.

Terminals are real: a pseudo-terminal from Python's `pty` module.
"""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cli_runner import run_cli

from dflint.core.ruleindex import RULES

BAD = "FROM alpine:3.20\nRUN wget https://example.com/tool-$TARGETARCH.tar.gz\n"
GOOD = "FROM alpine:3.20\nRUN echo hello\n"


def environment(**extra: str) -> dict[str, str]:
    """The suite's environment without what changes a run's output (CI, colour, Actions)."""
    removed = ("CI", "NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS", "TERM")
    env = {k: v for k, v in os.environ.items() if k not in removed}
    env.update(extra)
    return env


def dflint(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dflint", *args],
        input=stdin, capture_output=True, text=True, cwd=cwd,
        env=environment() if env is None else env, timeout=120,
    )  # fmt: skip


def on_terminal(
    *args: str, cwd: Path, env: dict[str, str], stdout_too: bool = False
) -> tuple[int, str, str]:
    """Run with standard error (and standard output, with ``stdout_too``) on a
    pseudo-terminal: exit code, what a pipe got on stdout, what the terminal showed."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "dflint", *args],
        stdin=subprocess.DEVNULL,
        stdout=slave if stdout_too else subprocess.PIPE,
        stderr=slave,
        cwd=cwd,
        env=env,
    )
    os.close(slave)
    shown: list[bytes] = []

    def read() -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: the terminal's other side closed
                return
            if not data:
                return
            shown.append(data)

    reader = threading.Thread(target=read)
    reader.start()
    out = process.stdout.read().decode() if process.stdout is not None else ""
    code = process.wait(timeout=120)
    reader.join(timeout=30)
    os.close(master)
    return code, out, b"".join(shown).decode(errors="replace")


# --- help and usage errors ----------------------------------------------------------------------


def test_h_and_help_everywhere() -> None:
    for args in (["-h"], ["--help"], ["lint", "-h"], ["fix", "--help"], ["data", "-h"]):
        result = run_cli(*args)
        assert result.exit_code == 0, args
        assert result.stdout.startswith("usage: dflint"), args
        assert result.stderr == ""
    top = run_cli("--help").stdout
    for command in ("lint", "platforms", "fix", "render", "verify", "parse", "rules", "rule"):
        assert re.search(rf"^  {command} +\S", top, re.M), command
    assert run_cli().exit_code == 2  # no command: the help, on stderr
    assert run_cli("--version").stdout == "dflint 0.1.0\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lint", "--fromat", "json"],
         "no such option: --fromat (did you mean --format?); try 'dflint lint --help'"),
        (["lint", "-f", "xml"], "--format: 'xml' is not one of auto, text, json, sarif, github, "
         "checkstyle, gitlab; try 'dflint lint --help'"),
        (["lint", "--jobs", "0"],
         "--jobs: '0' is not a whole number from 1 up; try 'dflint lint --help'"),
        (["lint", "--failure-threshold"], "--failure-threshold: needs a value; try "
         "'dflint lint --help'"),
        (["fix"], "missing argument FILE; try 'dflint fix --help'"),
        (["render", "t.j2"], "missing option --platforms; try 'dflint render --help'"),
        (["rules", "extra"], "unexpected argument 'extra'; try 'dflint rules --help'"),
        (["lnt"], "no such command 'lnt' (did you mean 'lint'?); try 'dflint --help'"),
        (["data", "import"], "no such command 'import' (did you mean "
         "'import-official-images'?); try 'dflint data --help'"),
        (["verify", "img", "-j", "33"],
         "--jobs: '33' is not a whole number from 1 to 32; try 'dflint verify --help'"),
        (["lint", "-", "-"], "- (standard input) can be given once; try 'dflint lint --help'"),
        (["lint", "--offline=yes"], "--offline: takes no value; try 'dflint lint --help'"),
    ],
)  # fmt: skip
def test_usage_errors_are_one_line_and_exit_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = dflint(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == f"dflint: error: {message}\n"
    assert result.stdout == ""


# What each command took under Typer (dflint 0.1.0 before issue 14): none may be lost.
TYPER_OPTIONS = {
    "lint": "--format -f --output-file -o --platform --select --ignore --failure-threshold "
    "--config --no-config --show-config --jobs -j --offline --strict",
    "platforms": "--platform --format -f --offline --strict --config --no-config",
    "verify": "--platform --format -f --output-file -o --exclude --jobs -j --config --no-config",
    "fix": "--os --from-os --platforms --multiarch --shell --template --output-dir --image "
    "--diff --check --write --force --unsafe-fixes --select --ignore --config --no-config "
    "--offline",
    "render": "--platforms --shell --output-dir --diff --write --force --select --ignore "
    "--config --no-config --offline",
    "parse": "--format -f",
    "rules": "--format -f",
    "rule": "",
    "data import-official-images": "--output -o",
}


def test_every_option_of_the_typer_cli_is_kept() -> None:
    from dflint.app.main import all_parsers

    parsers = {words: parser for words, parser, _ in all_parsers() if parser is not None}
    for command, options in TYPER_OPTIONS.items():
        kept = set(parsers[command].option_names())
        assert set(options.split()) <= kept, command
        assert {"-h", "--help"} <= kept, command


# --- -q, -v, no path, colour --------------------------------------------------------------------


def test_quiet_prints_findings_only(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(GOOD)
    (tmp_path / "api.Dockerfile").write_text("FROM {{ base }}\n")  # skipped, with a note
    assert dflint("lint", cwd=tmp_path).stderr != ""
    clean = dflint("lint", "-q", cwd=tmp_path)
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, "", "")
    (tmp_path / "Dockerfile").write_text(BAD)
    found = dflint("lint", "--quiet", ".", cwd=tmp_path)
    assert found.returncode == 1
    assert found.stdout.startswith("Dockerfile:2:35: DF308")
    assert "linted" not in found.stdout and found.stderr == ""
    errors = dflint("lint", "-q", "missing", cwd=tmp_path)  # errors are never quiet
    assert errors.returncode == 2 and "missing: no such file" in errors.stderr


def test_verbose_says_what_applied(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(GOOD)
    (tmp_path / ".dflint.toml").write_text('platforms = ["linux/arm64"]\n')
    result = dflint("lint", "-v", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 0
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"dflint: Dockerfile: config {tmp_path / '.dflint.toml'}; targets linux/arm64 "
        f"(from platforms in {tmp_path / '.dflint.toml'})"
    )
    assert lines[1].startswith("dflint: base image docker.io/library/alpine:3.20: linux/")
    assert "(dflint's built-in table: offline" in lines[1]
    assert re.fullmatch(r"dflint: 1 file in \d+\.\d\d s", lines[2])
    assert result.stdout == "1 file linted; no findings.\n"


def test_colour_on_a_terminal_and_how_to_turn_it_off(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(BAD)
    colour = "\x1b[31mDF308"
    _, _, shown = on_terminal("lint", cwd=tmp_path, env=environment(), stdout_too=True)
    assert colour in shown
    for args, extra in (
        (["--no-color"], {}),
        ([], {"NO_COLOR": "1"}),
        ([], {"TERM": "dumb"}),
        ([], {"NO_COLOR": "1", "FORCE_COLOR": "1"}),  # NO_COLOR wins
    ):
        _, _, shown = on_terminal(
            "lint", *args, cwd=tmp_path, env=environment(**extra), stdout_too=True
        )
        assert "DF308" in shown and "\x1b[" not in shown, (args, extra)
    piped = dflint("lint", cwd=tmp_path)
    assert "DF308" in piped.stdout and "\x1b[" not in piped.stdout
    forced = dflint("lint", cwd=tmp_path, env=environment(FORCE_COLOR="1"))
    assert colour in forced.stdout  # a CI log that shows colour
    assert "\x1b[" not in dflint("lint", "--no-color", cwd=tmp_path, env=environment(
        FORCE_COLOR="1")).stdout  # fmt: skip


# --- standard input -----------------------------------------------------------------------------


def test_standard_input_with_a_name_for_messages_and_config(tmp_path: Path) -> None:
    plain = dflint("lint", "-", cwd=tmp_path, stdin=BAD)
    assert plain.returncode == 1
    assert plain.stdout.startswith("-:2:35: DF308")
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / ".dflint.toml").write_text('ignore = ["DF308"]\n')
    named = dflint("lint", "--stdin-filename", "svc/Dockerfile", "-", cwd=tmp_path, stdin=BAD)
    assert (named.returncode, named.stdout) == (0, "1 file linted; no findings.\n")
    # the name's folder is filed for an architecture: the file is checked against it
    arm = "FROM alpine:3.20\nRUN wget https://example.com/tool-amd64.tar.gz\n"
    per_arch = dflint("lint", "--stdin-filename", "arm64/Dockerfile", cwd=tmp_path, stdin=arm)
    assert "arm64/Dockerfile:2:" in per_arch.stdout and "DF311" in per_arch.stdout
    # with files: standard input's result comes after theirs; its errors are its own
    (tmp_path / "Dockerfile").write_text(GOOD)
    broken = "FROM alpine\nRUN <<EOF\necho never ends\n"
    both = dflint("lint", "--format", "json", "Dockerfile", "-", cwd=tmp_path, stdin=broken)
    assert both.returncode == 2
    assert [f["path"] for f in json.loads(both.stdout)["findings"]] == ["-"]
    assert json.loads(both.stdout)["findings"][0]["code"] == "DF001"
    nothing = dflint("lint", "-", cwd=tmp_path, stdin="")
    assert nothing.returncode == 2
    assert nothing.stdout.startswith("-:1:1: DF001 [any] file with no instructions")


# --- severity overrides -------------------------------------------------------------------------


def test_severity_overrides_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(BAD)  # DF308, an error by default
    info = dflint("lint", "--format", "json", "--info", "DF308", cwd=tmp_path)
    assert info.returncode == 0
    assert [f["severity"] for f in json.loads(info.stdout)["findings"]] == ["info"]
    prefix = dflint("lint", "--format", "json", "--warning", "DF3", cwd=tmp_path)
    assert [f["severity"] for f in json.loads(prefix.stdout)["findings"]] == ["warning"]
    # the command line comes before the config's severity table
    (tmp_path / ".dflint.toml").write_text('[severity]\nDF308 = "info"\n')
    assert dflint("lint", cwd=tmp_path).returncode == 0
    assert dflint("lint", "--error", "DF308", cwd=tmp_path).returncode == 1
    shown = dflint("lint", "--show-config", "--error", "DF308", cwd=tmp_path)
    assert 'severity = { "DF308" = "error", "DF308" = "info" }' not in shown.stdout
    assert re.search(
        r'^severity = \{ "DF308" = "error" \}\s+# command line \+ ', shown.stdout, re.M
    )
    typo = dflint("lint", "--ignore", "DF204", "--info", "DF3O8", cwd=tmp_path)
    assert typo.returncode == 2
    assert (
        typo.stderr == "dflint: error: --info: unknown rule code 'DF3O8' (did you mean 'DF308'?)\n"
    )


# --- shell completion ---------------------------------------------------------------------------


def bash_complete(script: str, line: str) -> list[str]:
    """What bash offers for ``line`` (the cursor at its end), through the script's function."""
    program = (
        'eval "$SCRIPT"\n'
        'read -ra COMP_WORDS <<< "$LINE"\n'
        '[[ $LINE == *" " ]] && COMP_WORDS+=("")\n'
        "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
        "_dflint\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", program],
        env={**environment(), "SCRIPT": script, "LINE": line},
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return [word for word in done.stdout.splitlines() if word]


def test_bash_completion_from_the_parsers(tmp_path: Path) -> None:
    script = run_cli("completion", "bash").stdout
    assert "complete -o filenames -F _dflint dflint" in script
    assert bash_complete(script, "dflint ") == [
        "lint", "parse", "rule", "rules", "platforms", "verify", "fix", "render", "data",
        "completion", "-h", "--help", "--version",
    ]  # fmt: skip
    assert bash_complete(script, "dflint pl") == ["platforms"]
    assert bash_complete(script, "dflint lint --no-") == [
        "--no-config",
        "--no-offline",
        "--no-color",
    ]
    assert bash_complete(script, "dflint lint --format s") == ["sarif"]
    assert bash_complete(script, "dflint lint --platform linux/arm") == [
        "linux/arm64",
        "linux/arm/v7",
    ]
    assert bash_complete(script, "dflint lint --ignore DF20") == [f"DF20{n}" for n in range(1, 10)]
    assert bash_complete(script, "dflint fix --shell ") == ["cmd", "powershell"]
    assert bash_complete(script, "dflint data ") == ["import-official-images", "-h", "--help"]
    assert bash_complete(script, "dflint data import-official-images --o") == ["--output"]
    from dflint.lint.ruleset import rule_codes

    assert bash_complete(script, "dflint rule DF31") == [
        code for code in rule_codes() if code.startswith("DF31")
    ]
    assert "DF316" in bash_complete(script, "dflint rule DF31")
    # files for paths, from the working directory
    (tmp_path / "Dockerfile.arm64").write_text(GOOD)
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert bash_complete(script, "dflint lint --offline Dock") == ["Dockerfile.arm64"]
    finally:
        os.chdir(here)


def _shell(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        message = f"{name} is not installed (.ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def test_fish_completion(tmp_path: Path) -> None:
    fish = _shell("fish")
    script = tmp_path / "dflint.fish"
    script.write_text(run_cli("completion", "fish").stdout)

    def complete(line: str) -> list[str]:
        done = subprocess.run(
            [fish, "--no-config", "-c", f"source {script}; complete -C'{line}'"],
            capture_output=True, text=True, timeout=60, check=True, env=environment(),
        )  # fmt: skip
        return [row.split("\t")[0] for row in done.stdout.splitlines()]

    assert "lint" in complete("dflint ") and "completion" in complete("dflint ")
    assert complete("dflint lint --form") == ["--format"]
    assert complete("dflint lint --format gi") == ["github", "gitlab"]
    assert complete("dflint data ") == ["import-official-images"]


def test_zsh_completion() -> None:
    zsh = _shell("zsh")
    script = run_cli("completion", "zsh").stdout
    assert "bashcompinit" in script
    # what zsh's _bash_complete does for `complete -F`: bashcompinit's compgen runs the
    # function (in sh emulation, arrays from 0); zsh's compadd then keeps what matches
    program = (
        'eval "$SCRIPT"\n'
        "COMP_WORDS=(dflint lint --fo); COMP_CWORD=2; compgen -F _dflint -- --fo\n"
        "print -- ---\n"
        "COMP_WORDS=(dflint fix --os ''); COMP_CWORD=3; compgen -F _dflint -- ''\n"
    )
    done = subprocess.run(
        [zsh, "-f", "-c", program], env={**environment(), "SCRIPT": script},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    options, _, words = done.stdout.partition("---\n")
    # zsh filters by what is typed; the script gives the context's words
    assert "--format" in options.split() and "lint" not in options.split()
    assert words.split() == ["linux", "windows"]


# --- progress, a per-run budget and timeouts remembered -----------------------------------------


class Blackhole:
    """A "registry" on 127.0.0.1 that accepts connections and never answers."""

    def __init__(self) -> None:
        import socket

        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.server.settimeout(0.1)
        self.host = f"127.0.0.1:{self.server.getsockname()[1]}"
        self.connections: list[object] = []
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.running:
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.connections.append(connection)

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=5)
        for connection in self.connections:
            connection.close()  # type: ignore[attr-defined]
        self.server.close()


@pytest.fixture
def blackhole() -> object:
    server = Blackhole()
    yield server
    server.close()


def online(cache: Path, **extra: str) -> dict[str, str]:
    env = environment(DFLINT_CACHE_DIR=str(cache), **extra)
    env.pop("DFLINT_OFFLINE", None)
    return env


def test_progress_budget_and_a_timeout_remembered(blackhole: Blackhole, tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(f"FROM {blackhole.host}/app:1\nRUN echo hello\n")
    args = ("lint", "-v", "--platform", "linux/amd64", "--registry-budget", "1.5", "Dockerfile")
    code, out, shown = on_terminal(*args, cwd=tmp_path, env=online(tmp_path / "cache"))
    assert code == 0, shown
    # the look-up outlasted a second: its progress line, then the files', then wiped
    assert "\rdflint: resolving base images from registries: 0/1" in shown
    assert "\rdflint: linting files: 1/1" in shown
    assert re.search(r"\r +\r", shown)
    # the run's budget, not the image's 15 s timeout, ended the wait
    assert f"base image {blackhole.host}/app:1: unknown (none: {blackhole.host}: no answer " \
        "before the run's 1.5 s for registry look-ups ran out)" in shown  # fmt: skip
    assert "1 file linted; 1 finding (1 info)." in out  # DF207
    assert len(blackhole.connections) >= 1
    # the next run remembers the endpoint that did not answer: no connection, no wait
    before = len(blackhole.connections)
    again = dflint(*args, cwd=tmp_path, env=online(tmp_path / "cache"))
    assert "(not retried for a while)" in again.stderr
    assert len(blackhole.connections) == before
    # piped, in CI or with -q: no progress line (a fresh cache, so the wait is there again)
    for extra_args, extra_env, cache in (
        ((), {"CI": "true"}, "ci"),
        (("-q",), {}, "quiet"),
    ):
        _, _, shown = on_terminal(
            *args[:1], *extra_args, *args[1:], cwd=tmp_path,
            env=online(tmp_path / cache, **extra_env),
        )  # fmt: skip
        assert "\r" not in shown.replace("\r\n", "\n"), (extra_args, extra_env)
    piped = dflint(*args, cwd=tmp_path, env=online(tmp_path / "piped"))
    assert "\r" not in piped.stderr and "resolving" not in piped.stderr


# --- what a quick run does not import -----------------------------------------------------------

NEVER_ON_THE_FAST_PATH = (
    "httpx",
    "jinja2",
    "tree_sitter_powershell",
    "typer",
    "click",
    "dflint.verify",
    "dflint.registry.client",
    "dflint.app.fix",
    "dflint.generate.run",
    "dflint.generate.translator",
    "dflint.generate.render",
    "dflint.report.formatters.json",
    "dflint.report.formatters.sarif",
    "dflint.report.formatters.github",
    "dflint.report.formatters.checkstyle",
    "dflint.report.formatters.gitlab",
    "dflint.app.completion",
    # `inspect` (which `dataclasses` imports, with ast, dis and tokenize) stays a stand-in
    # until read, and the cache folders are found without platformdirs (and its tempfile)
    "ast",
    "dis",
    "tokenize",
    "platformdirs",
    "tempfile",
    # imported for annotations only (under TYPE_CHECKING): 2-3 ms of a start; tree-sitter,
    # which a script with more than simple commands needs, imports it itself
    "typing",
    # hashlib loads OpenSSL (the registry cache's keys use Python's own SHA-256); threading,
    # signal and string are imported where they are used
    "hashlib",
    "threading",
    "signal",
    "string",
)


def imported(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> set[str]:
    """The modules a `dflint ARGS` process has loaded when it exits (``-X importtime`` would
    miss those loaded through importlib, as the commands are)."""
    probe = (
        "import runpy, sys\n"
        "sys.argv = ['dflint', *sys.argv[1:]]\n"
        "try:\n    runpy.run_module('dflint', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "names = sorted(sys.modules)\n"
        "import json\n"  # after the names: is it dflint's?
        "print(json.dumps(names), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *args],
        capture_output=True, text=True, cwd=cwd, timeout=120,
        env=environment() if env is None else env,
    )  # fmt: skip
    names: set[str] = set(json.loads(done.stderr.strip().splitlines()[-1]))
    return names


def test_a_warm_start_reads_dflints_own_data_without_a_json_parser(tmp_path: Path) -> None:
    # The command catalogue and the well-known images' table come from the start-up cache
    # once a run has kept them; a file without exec forms, with no registry answers on disk,
    # then needs no JSON parser.
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nRUN apk add --no-cache curl\n")
    env = environment(
        DFLINT_CACHE_DIR=str(tmp_path / "cache"), DFLINT_DATA_DIR=str(tmp_path / "data")
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("DFLINT_NO_CODE_CACHE", None)
    args = ["lint", "--offline", "Dockerfile"]
    assert "json" in imported(args, tmp_path, env)  # the first run reads the files
    assert "json" not in imported(args, tmp_path, env)


EVERY_INSTRUCTION = """\
# syntax=docker/dockerfile:1
ARG BASE=alpine:3.20
FROM $BASE AS build
ARG TARGETARCH
ENV APP_HOME=/app
LABEL org.opencontainers.image.title=demo
WORKDIR /app
COPY go.mod ./
ADD https://example.com/a.tar.gz /tmp/
RUN apk add --no-cache curl
USER nobody
EXPOSE 8080
VOLUME /data
STOPSIGNAL SIGTERM
HEALTHCHECK CMD ["wget", "-q", "-O-", "http://localhost:8080/"]
SHELL ["/bin/sh", "-c"]
ONBUILD RUN echo hi
ENTRYPOINT ["/app/server"]
CMD ["--port", "8080"]
FROM scratch
COPY --from=build /app /app
"""


def test_every_rule_module_loads_without_typing(tmp_path: Path) -> None:
    # Each instruction of the file makes the engine import the rules that read it: all of
    # them, and the modules they use. None may need `typing` at run time (BENCHMARKS.md:
    # 2-3 ms of every start); tree-sitter, which scripts beyond simple commands need,
    # imports it itself.
    (tmp_path / "Dockerfile").write_text(EVERY_INSTRUCTION)
    names = imported(["lint", "--offline", "Dockerfile"], tmp_path)
    rules = {name for name in names if name.startswith("dflint.rules.df")}
    assert len(rules) == len([entry for entry in RULES if entry.module is not None])
    assert not any(name.startswith("tree_sitter") for name in names)
    assert "typing" not in names


def test_parsing_a_script_loads_only_the_compiled_parts_of_tree_sitter(tmp_path: Path) -> None:
    # tree-sitter's package imports `typing` and each grammar's `importlib.resources`, 8 ms
    # of every process that parses a script: dflint loads their compiled modules alone
    (tmp_path / "Dockerfile").write_text(
        'FROM alpine:3.20\nRUN case "$(uname -m)" in x86_64) a=amd64 ;; esac\n'
    )
    names = imported(["lint", "--offline", "Dockerfile"], tmp_path)
    assert {"tree_sitter._binding", "tree_sitter_bash._binding"} <= names  # it did parse
    assert "tree_sitter" not in names and "tree_sitter_bash" not in names
    assert "typing" not in names and "importlib.resources" not in names


def test_help_and_an_offline_lint_import_only_what_they_use(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nRUN apk add --no-cache curl\n")
    for args in (["--help"], ["lint", "--help"], ["lint", "--offline", "Dockerfile"]):
        names = imported(args, tmp_path)
        unwanted = {
            name
            for name in names
            for prefix in NEVER_ON_THE_FAST_PATH
            if name == prefix or name.startswith(prefix + ".")
        }
        assert unwanted == set(), args
        if "--help" in args:
            assert "dflint.lint.engine" not in names and "dflint.analyse.analysis" not in names, (
                args
            )
        else:
            assert "dflint.report.formatters.text" in names  # the one format it prints
            # the rule index decides which rule modules a file needs: rules of instructions
            # the file lacks (ENV, ARG, COPY) stay unimported, those of FROM and RUN load
            rules = {name for name in names if name.startswith("dflint.rules.")}
            assert "dflint.rules.df402_windows_path_env_overwrite" not in rules
            assert "dflint.rules.df211_platform_arg_default" not in rules
            assert "dflint.rules.df401_windows_path_in_linux_stage" not in rules
            assert "dflint.rules.df202_arch_specific_base_image" in rules
            assert "dflint.rules.df304_package_manager_mismatch" in rules
            assert "dflint.generate" not in names  # the settings of fix are not the generator
            assert "concurrent.futures.process" not in names  # one file: no process pool


def test_interrupt_is_one_line_and_exit_130(tmp_path: Path) -> None:
    """^C while dflint waits on standard input: one line, the shell's code for SIGINT, no
    stack (the signal goes to the whole process group, as a terminal sends it)."""
    import signal
    import time

    process = subprocess.Popen(
        [sys.executable, "-m", "dflint", "lint", "-"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=tmp_path, env=environment(), start_new_session=True,
    )  # fmt: skip
    try:
        time.sleep(1.5)  # started and reading standard input, which never ends
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert (process.returncode, out, err) == (130, "", "dflint: interrupted\n")


def test_the_console_script_ends_with_its_code_its_whole_output_and_its_cache(
    tmp_path: Path,
) -> None:
    """The `dflint` script skips the interpreter's teardown: what it wrote still arrives
    whole through a pipe, the exit code is the command's, and the start-up cache (written
    by an exit handler) is still kept."""
    files = []
    for index in range(40):
        path = tmp_path / f"Dockerfile.{index}"
        path.write_text(BAD * 20)
        files.append(path.name)
    cache = tmp_path / "cache"
    env = environment(DFLINT_CACHE_DIR=str(cache))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("DFLINT_NO_CODE_CACHE", None)
    script = "import sys; from dflint.app.entry import main; sys.argv[0] = 'dflint'; main()"
    args = ["lint", "--offline", "--no-config", "--jobs", "2", "--format", "json", *files]
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert len(done.stdout) > 256 * 1024  # far more than a pipe holds
    findings = json.loads(done.stdout)["findings"]
    assert {item["path"] for item in findings} == set(files)
    assert [path.name for path in cache.iterdir() if path.name.startswith("startup-")]
    # the same report as `python -m dflint`, which ends as Python does
    assert done.stdout == dflint(*args, cwd=tmp_path, env=env).stdout
    usage = subprocess.run(
        [sys.executable, "-c", script, "lint", "--no-such-option"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
    )  # fmt: skip
    assert usage.returncode == 2
    assert "no-such-option" in usage.stderr


def test_the_quick_end_flushes_what_python_still_holds() -> None:
    # `verify` writes its report through sys.stdout, which holds up to 8 KiB until flushed
    probe = (
        "import sys\nfrom dflint.app import entry\n"
        "sys.stdout.write('x' * 100_000)\nsys.stdout.write('end')\nsys.stderr.write('err')\n"
        "entry._end_now(3)\n"
    )
    env = environment()
    env.pop("PYTHONUNBUFFERED", None)
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60
    )
    assert (done.returncode, done.stdout[-3:], len(done.stdout), done.stderr) == (
        3,
        "end",
        100_003,
        "err",
    )
