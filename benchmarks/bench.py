"""dflint against hadolint (and dockerfile-utils where Node is present), same files, same run.

    python benchmarks/bench.py                 # full run, prints a Markdown table
    python benchmarks/bench.py --smoke         # tiny inputs, seconds; used by the test suite
    python benchmarks/bench.py --validation    # what BuildKit's instruction validation costs

(a) throughput: one invocation over the real corpus; (b) cold start: median of N runs on one
small file; (c) scale: a generated 100,000-line Dockerfile, time and peak memory, with smaller
sizes to show growth is linear; (d) many files: one process against several.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "real"
SMALL = ROOT / "sample_dockerfiles" / "Dockerfile.go-multistage"


# Measure an installed dflint as users run it: with bytecode caching (some sandboxes set
# PYTHONDONTWRITEBYTECODE, which recompiles every module on every start) and offline, so the
# figures do not depend on whether a registry answers.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["DFLINT_OFFLINE"] = "1"


@dataclass
class Timing:
    seconds: float
    peak_kib: int
    returncode: int


def run(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Timing:
    """Wall time and the child's peak resident memory."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(
        command,
        cwd=cwd,
        env=ENV if env is None else env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return Timing(elapsed, max(after, before), done.returncode)


def peak_of(command: list[str]) -> Timing:
    """Run in a fresh Python so RUSAGE_CHILDREN holds this child alone."""
    code = (
        "import resource, subprocess, sys, time\n"
        "s = time.perf_counter()\n"
        "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "e = time.perf_counter() - s\n"
        "print(e, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *command], capture_output=True, text=True, check=True, env=ENV
    )
    seconds, peak, returncode = out.stdout.split()
    return Timing(float(seconds), int(peak), int(returncode))


def corpus_files(limit: int | None) -> list[Path]:
    with (CORPUS / "MANIFEST.tsv").open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle, delimiter="\t") if row["template"] == "no"]
    files = [CORPUS / row["file"] for row in rows]
    return files[:limit] if limit else files


def tool(name: str) -> str | None:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    return found


def dflint_command() -> list[str]:
    """The installed console script beside this Python (pip install . compiles the bytecode),
    else ``python -m dflint``. Not ``-m`` when the script exists: run from the repository,
    ``-m`` would import the source folder, where ``dflint.rules`` does not exist (it is the
    top-level ``rules/`` folder, installed under the package)."""
    script = Path(sys.executable).parent / "dflint"
    return [str(script)] if script.exists() else [sys.executable, "-m", "dflint"]


def _script_or_module() -> list[str]:
    command = dflint_command()
    return command if len(command) == 1 else command[1:]


def check_lints(command: list[str], count: int) -> None:
    """A benchmark of a run that failed early would be a fast lie: check it lints them all."""
    done = subprocess.run(command, capture_output=True, text=True, env=ENV)
    last = done.stdout.strip().splitlines()[-1:] or [""]
    if not last[0].startswith(f"{count} file") or "Traceback" in done.stderr:
        raise SystemExit(f"dflint did not lint the {count} files: {done.stderr[-500:]}")


def generated_dockerfile(lines: int) -> str:
    """A valid multi-stage file: stages of ARG/ENV/RUN/COPY with continuations."""
    out: list[str] = ["# syntax=docker/dockerfile:1", "ARG BASE=alpine:3.20"]
    stage = 0
    while len(out) < lines:
        out += [
            f"FROM ${{BASE}} AS s{stage}",
            "ARG TARGETARCH",
            f"ENV APP_HOME=/opt/app{stage} PATH=/opt/app{stage}/bin:$PATH",
            "RUN apk add --no-cache curl \\",
            "    && echo building for $TARGETARCH \\",
            "    && mkdir -p $APP_HOME",
            f"COPY --from=s{max(stage - 1, 0)} /opt /opt" if stage else "COPY . /opt",
            "WORKDIR $APP_HOME",
            "# a comment between instructions",
            'CMD ["sh", "-c", "echo done"]',
        ]
        stage += 1
    return "\n".join(out[:lines]) + "\n"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}×" if b else "n/a"


def median_seconds(command: list[str], runs: int) -> float:
    """The median wall time of ``runs`` runs (one run on a 2-core VM varies by 15%)."""
    return statistics.median(run(command).seconds for _ in range(runs))


def bench_throughput(files: list[Path], rows: list[str], runs: tuple[int, int]) -> None:
    """One invocation over the files; the median of ``runs`` (dflint's, hadolint's) runs."""
    names = [str(f) for f in files]
    check_lints(
        [*dflint_command(), "lint", "--no-config", "--failure-threshold", "none", *names],
        len(files),
    )
    ours = median_seconds(
        [*dflint_command(), "lint", "--no-config", "--failure-threshold", "none", *names], runs[0]
    )
    line = (
        f"| (a) throughput, {len(files)} files, one invocation (median of {runs[0]} / "
        f"{runs[1]} runs) | dflint {ours:.2f} s ({len(files) / ours:.0f} files/s)"
    )
    hadolint = tool("hadolint")
    if hadolint:
        theirs = median_seconds([hadolint, "--no-fail", *names], runs[1])
        line += f" | hadolint {theirs:.2f} s ({len(files) / theirs:.0f} files/s)"
        line += f" | **{ratio(theirs, ours)}** faster |"
    else:
        line += " | hadolint not installed | |"
    rows.append(line)
    utils = dockerfile_utils()
    if utils:
        sample = names[: min(len(names), 50)]
        start = time.perf_counter()
        for name in sample:
            subprocess.run([*utils, "lint", name], capture_output=True)
        per_file = (time.perf_counter() - start) / len(sample)
        rows.append(
            f"| (a) dockerfile-utils, per file ({len(sample)} files, one process each) | "
            f"{per_file * 1000:.0f} ms/file | | |"
        )


def dockerfile_utils() -> list[str] | None:
    local = ROOT / "benchmarks" / "node_modules" / ".bin" / "dockerfile-utils"
    if local.exists():
        return [str(local)]
    return None


TWO_LINES = "FROM alpine:3.20\nRUN apk add --no-cache curl\n"


def bench_cold_start(runs: int, rows: list[str], folder: Path) -> None:
    """A two-line Dockerfile with a RUN, `dflint lint --offline`: the whole process, start to
    exit, median of ``runs``, taken in turns with hadolint and a bare Python so that a busy
    moment of the machine hits all of them alike."""
    small = folder / "Dockerfile"
    small.write_text(TWO_LINES)
    hadolint = tool("hadolint")
    ours: list[float] = []
    theirs: list[float] = []
    floor: list[float] = []
    for _ in range(runs):
        ours.append(
            run([*dflint_command(), "lint", "--offline", "--no-config", str(small)]).seconds
        )
        floor.append(run([sys.executable, "-c", "pass"]).seconds)
        if hadolint:
            theirs.append(run([hadolint, "--no-fail", str(small)]).seconds)
    median = statistics.median(ours)
    line = (
        f"| (b) cold start, 2-line file, median of {runs} (python -c pass: "
        f"{statistics.median(floor) * 1000:.0f} ms) | dflint {median * 1000:.0f} ms"
    )
    if theirs:
        line += f" | hadolint {statistics.median(theirs) * 1000:.0f} ms"
        line += f" | {ratio(statistics.median(theirs), median)} |"
    else:
        line += " | | |"
    rows.append(line)


def bench_first_run(runs: int, rows: list[str], folder: Path) -> None:
    """The cold-start command as the first run after an install or upgrade: each run with an
    empty cache folder, so its modules, dataclass methods, patterns and data files are made
    from their .pyc files and text (dflint/codecache.py), and kept for the next run."""
    small = folder / "Dockerfile"
    small.write_text(TWO_LINES)
    times = [
        run(
            [*dflint_command(), "lint", "--offline", "--no-config", str(small)],
            env={**ENV, "DFLINT_CACHE_DIR": str(folder / f"empty-cache-{number}")},
        ).seconds
        for number in range(runs)
    ]
    rows.append(
        f"| (b) the first run after an install (empty start-up cache), median of {runs} | "
        f"dflint {statistics.median(times) * 1000:.0f} ms | | |"
    )


def import_table(runs: int, folder: Path, top: int = 15) -> list[str]:
    """`python -X importtime` of the cold-start command: the largest cumulative imports,
    median over ``runs`` runs (microseconds as Python prints them, shown in ms)."""
    small = folder / "Dockerfile"
    small.write_text(TWO_LINES)
    samples: dict[str, list[int]] = {}
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", *_script_or_module(), "lint", "--offline",
             "--no-config", str(small)],
            capture_output=True, text=True, env=ENV,
        )  # fmt: skip
        for line in done.stderr.splitlines():
            fields = line.removeprefix("import time:").split("|")
            if not line.startswith("import time:") or len(fields) != 3:
                continue
            cumulative, name = fields[1].strip(), fields[2].strip()
            if cumulative.isdigit():  # not the header line
                samples.setdefault(name, []).append(int(cumulative))
    medians = sorted(
        ((statistics.median(values), name) for name, values in samples.items()), reverse=True
    )
    rows = [
        f"Imports of `dflint lint --offline` on the 2-line file (`-X importtime`, median of "
        f"{runs}, cumulative):",
        "",
        "| module | cumulative |",
        "|---|---|",
    ]
    rows += [f"| `{name}` | {value / 1000:.1f} ms |" for value, name in medians[:top]]
    return rows


def bench_scale(sizes: list[int], rows: list[str], folder: Path) -> None:
    for size in sizes:
        path = folder / f"Dockerfile.{size}"
        path.write_text(generated_dockerfile(size))
        ours = peak_of(
            [*dflint_command(), "lint", "--no-config", "--failure-threshold", "none", str(path)]
        )
        line = (
            f"| (c) scale, {size:,} lines | dflint {ours.seconds:.2f} s, "
            f"peak {ours.peak_kib / 1024:.0f} MiB"
        )
        hadolint = tool("hadolint")
        if hadolint and size <= 100_000:
            theirs = peak_of([hadolint, "--no-fail", str(path)])
            line += f" | hadolint {theirs.seconds:.2f} s, peak {theirs.peak_kib / 1024:.0f} MiB"
            line += f" | {ratio(theirs.seconds, ours.seconds)} |"
        else:
            line += " | | |"
        rows.append(line)


def bench_parallel(files: list[Path], copies: int, rows: list[str], folder: Path) -> None:
    tree = folder / "many"
    for index in range(copies):
        for source in files:
            target = tree / str(index) / source.parent.name / source.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    count = copies * len(files)
    args = ["lint", "--no-config", "--failure-threshold", "none", str(tree)]
    # directory search only picks Dockerfile names; pass the files themselves
    names = [str(p) for p in sorted(tree.rglob("*")) if p.is_file()]
    args = ["lint", "--no-config", "--failure-threshold", "none", *names]
    one = run([*dflint_command(), *args, "--jobs", "1"])
    many = run([*dflint_command(), *args])
    rows.append(
        f"| (d) {count} files, --jobs 1 vs default ({os.cpu_count()} CPUs) | "
        f"{one.seconds:.2f} s vs {many.seconds:.2f} s | | {ratio(one.seconds, many.seconds)} |"
    )


def bench_validation(files: list[Path], rounds: int) -> str:
    """What BuildKit's instruction validation (issue 11) costs: the corpus linted in this
    process with it and without it (parser's validate a no-op, DF004-DF006 not run), the two
    interleaved so that both see the same machine load; CPU time, best round of each."""
    import dflint.read.parser as parser_module
    from dflint.lint.engine import Options, lint_bytes

    data = [(path.read_bytes(), path.name) for path in files]
    validate = parser_module.validate
    with_it = Options(no_config=True, offline=True)
    without = Options(no_config=True, offline=True, ignore=("DF004", "DF005", "DF006"))
    best = {"with": float("inf"), "without": float("inf")}
    for _ in range(rounds):
        for name, options, function in (
            ("with", with_it, validate),
            ("without", without, lambda dockerfile, long_lines: []),
        ):
            parser_module.validate = function  # type: ignore[assignment]
            start = time.process_time()
            for content, shown in data:
                lint_bytes(content, shown, options)
            best[name] = min(best[name], time.process_time() - start)
    parser_module.validate = validate
    share = best["with"] / best["without"] - 1
    return (
        f"| validation cost, {len(files)} files in one process, best of {rounds} interleaved "
        f"rounds (CPU) | with {best['with']:.3f} s, without {best['without']:.3f} s | | "
        f"+{share:.1%} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny inputs, for the test suite")
    parser.add_argument(
        "--validation",
        action="store_true",
        help="only measure what BuildKit's instruction validation adds to linting the corpus",
    )
    args = parser.parse_args()
    if not CORPUS.exists():
        print(f"the corpus is not at {CORPUS}", file=sys.stderr)
        return 2
    if args.validation:
        print(bench_validation(corpus_files(None), 10))
        return 0
    rows = [
        f"Machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
        f"{time.strftime('%Y-%m-%d')}",
        "",
        "| measurement | dflint | hadolint | ratio |",
        "|---|---|---|---|",
    ]
    run([*dflint_command(), "lint", "--no-config", str(SMALL)])  # write the bytecode caches
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.smoke:
            files = corpus_files(5)
            bench_throughput(files, rows, (1, 1))
            bench_cold_start(2, rows, folder)
            bench_first_run(2, rows, folder)
            bench_scale([500], rows, folder)
            bench_parallel(files, 14, rows, folder)
        else:
            files = corpus_files(None)
            bench_throughput(files, rows, (7, 3))
            bench_cold_start(21, rows, folder)
            bench_first_run(9, rows, folder)
            bench_scale([25_000, 50_000, 100_000], rows, folder)
            bench_parallel(files, 4, rows, folder)
            rows += ["", *import_table(7, folder)]
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
