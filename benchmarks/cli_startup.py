"""Cold start of the command line: which CLI framework, and what dflint's own start costs.

    python benchmarks/cli_startup.py --venvs /tmp/cli-venvs            # creates the venvs
    python benchmarks/cli_startup.py --venvs /tmp/cli-venvs --dflint /tmp/v/bin/dflint \\
        --dflint-before /tmp/old/bin/dflint

(1) The same small app (eight commands of a dozen options, as dflint's) written for argparse,
Click, typer-slim and Typer, each in a virtualenv of its own (created with pip under
``--venvs``; the versions are pinned below), run as ``app lint --offline Dockerfile``: the
whole process, start to exit, median of ``--runs`` runs taken in turns so that a busy moment
of the machine hits every candidate alike. ``python -c pass`` is the floor.
(2) ``dflint --help`` and ``dflint lint --offline`` on a two-line Dockerfile with a RUN, for
installed dflints (``pip install .``, which compiles the bytecode): before and after.
(3) ``-X importtime`` of the framework's own import in each venv (median of 5).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# name -> pip requirements of its venv (None: the standard library)
FRAMEWORKS: dict[str, list[str] | None] = {
    "argparse": None,
    "click 8.3": ["click==8.3.1"],
    "typer-slim 0.21.2": ["typer-slim==0.21.2"],  # the last typer-slim that is not typer
    "typer 0.28.0": ["typer==0.28.0"],
    "typer 0.29.2": ["typer==0.29.2"],
}
IMPORTS = {"argparse": "argparse", "click": "click", "typer": "typer"}
COMMANDS = ("lint", "platforms", "fix", "render", "parse", "rules", "rule", "verify")

ARGPARSE_APP = """
import argparse, sys
parser = argparse.ArgumentParser(prog="dflint")
sub = parser.add_subparsers(dest="command")
for name in COMMANDS:
    s = sub.add_parser(name)
    s.add_argument("paths", nargs="*")
    s.add_argument("-f", "--format", choices=["auto", "text", "json", "sarif"], default="auto")
    s.add_argument("-o", "--output-file")
    for option in ("--platform", "--select", "--ignore"):
        s.add_argument(option, action="append")
    s.add_argument("--failure-threshold", choices=["error", "warning", "info", "none"])
    s.add_argument("--config")
    s.add_argument("-j", "--jobs", type=int)
    for flag in ("--no-config", "--offline", "--strict", "--show-config"):
        s.add_argument(flag, action="store_true")
parser.parse_args()
sys.exit(0)
"""

CLICK_APP = """
import sys, click
@click.group()
def cli(): pass
def make(name):
    @cli.command(name)
    @click.argument("paths", nargs=-1)
    @click.option("-f", "--format", type=click.Choice(["auto", "text", "json", "sarif"]))
    @click.option("-o", "--output-file")
    @click.option("--platform", multiple=True)
    @click.option("--select", multiple=True)
    @click.option("--ignore", multiple=True)
    @click.option("--failure-threshold", type=click.Choice(["error", "warning", "info", "none"]))
    @click.option("--config")
    @click.option("-j", "--jobs", type=int)
    @click.option("--no-config", is_flag=True)
    @click.option("--offline", is_flag=True)
    @click.option("--strict", is_flag=True)
    @click.option("--show-config", is_flag=True)
    def command(**kw): sys.exit(0)
for name in COMMANDS:
    make(name)
cli()
"""

TYPER_APP = """
from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional
import typer
app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
class Format(str, Enum):
    auto = "auto"; text = "text"; json = "json"; sarif = "sarif"
class Level(str, Enum):
    error = "error"; warning = "warning"; info = "info"; none = "none"
def make(name):
    @app.command(name)
    def command(
        paths: Annotated[Optional[List[Path]], typer.Argument()] = None,
        format: Annotated[Format, typer.Option("--format", "-f")] = Format.auto,
        output_file: Annotated[Optional[Path], typer.Option("--output-file", "-o")] = None,
        platform: Annotated[Optional[List[str]], typer.Option("--platform")] = None,
        select: Annotated[Optional[List[str]], typer.Option("--select")] = None,
        ignore: Annotated[Optional[List[str]], typer.Option("--ignore")] = None,
        failure_threshold: Annotated[Optional[Level], typer.Option("--failure-threshold")] = None,
        config: Annotated[Optional[Path], typer.Option("--config")] = None,
        jobs: Annotated[Optional[int], typer.Option("--jobs", "-j")] = None,
        no_config: Annotated[bool, typer.Option("--no-config")] = False,
        offline: Annotated[bool, typer.Option("--offline")] = False,
        strict: Annotated[bool, typer.Option("--strict")] = False,
        show_config: Annotated[bool, typer.Option("--show-config")] = False,
    ) -> None:
        raise typer.Exit(0)
for name in COMMANDS:
    make(name)
app()
"""


def _env() -> dict[str, str]:
    # an installed program caches its bytecode; this sandbox sets PYTHONDONTWRITEBYTECODE
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["DFLINT_OFFLINE"] = "1"
    return env


def venv_python(root: Path, name: str) -> Path:
    folder = root / name.replace(" ", "-")
    python = folder / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        requirements = FRAMEWORKS[name]
        if requirements:
            subprocess.run([str(python), "-m", "pip", "install", "-q", *requirements], check=True)
        subprocess.run([str(python), "-m", "compileall", "-q", str(folder)], check=False)
    return python


def app_source(name: str) -> str:
    body = (
        ARGPARSE_APP if name == "argparse" else CLICK_APP if name.startswith("click") else TYPER_APP
    )
    return f"COMMANDS = {COMMANDS!r}\n{body}"


def medians(commands: dict[str, list[str]], cwd: Path, runs: int) -> dict[str, float]:
    """Median wall time of each command, in ms, the runs taken in turns."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    env = _env()
    for command in commands.values():  # warm the page cache and write bytecode
        subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
    for _ in range(runs):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def import_ms(python: Path, module: str) -> float:
    found = []
    for _ in range(5):
        done = subprocess.run(
            [str(python), "-X", "importtime", "-c", f"import {module}"],
            capture_output=True, text=True, env=_env(), check=True,
        )  # fmt: skip
        last = done.stderr.strip().splitlines()[-1]
        found.append(int(last.split("|")[1]) / 1000)
    return statistics.median(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venvs", type=Path, required=True, help="where the venvs live")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--dflint", help="an installed dflint to time")
    parser.add_argument("--dflint-before", help="another one, for a before/after")
    args = parser.parse_args()
    args.venvs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        (work / "Dockerfile").write_text("FROM alpine:3.20\nRUN apk add --no-cache curl\n")
        pythons = {name: venv_python(args.venvs, name) for name in FRAMEWORKS}
        commands: dict[str, list[str]] = {
            "python -c pass": [str(pythons["argparse"]), "-c", "pass"]
        }
        for name, python in pythons.items():
            script = work / f"{name.split()[0].replace('-', '_')}_app.py"
            script.write_text(app_source(name))
            commands[name] = [str(python), str(script), "lint", "--offline", "Dockerfile"]
        for label, program in (("after", args.dflint), ("before", args.dflint_before)):
            if program:
                commands[f"dflint --help ({label})"] = [program, "--help"]
                commands[f"dflint lint --offline ({label})"] = [
                    program, "lint", "--offline", "Dockerfile"
                ]  # fmt: skip
        results = medians(commands, work, args.runs)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, median of {args.runs} runs\n")
    print("| command | median (ms) | framework import (ms) |")
    print("|---|---|---|")
    for name, value in results.items():
        module = IMPORTS.get(name.split()[0].split("-")[0])
        imported = f"{import_ms(pythons[name], module):.0f}" if name in pythons and module else ""
        print(f"| {name} | {value:.0f} | {imported} |")


if __name__ == "__main__":
    main()
