"""Long fuzz run, outside CI: N generated inputs through dflint's readers and commands.

    python benchmarks/fuzz.py --count 1000000 --jobs 2
    python benchmarks/fuzz.py --count 20000 --targets parse,fix,render,names,config,cache,shell

Targets (default: all, in turn): lint, parse and fix on random bytes, Dockerfile-shaped text
built from the pieces the reader treats specially, and corpus files with random cuts,
insertions and byte flips; render on template-shaped text; file names of random bytes
(linted, every output format must be UTF-8); config tables of random values; cache entries
of random bytes and JSON; the sh, PowerShell and cmd readers on shell-shaped text. Anything
but dflint's own errors is a failure, and so is an internal error: a rule that crashed, or a
shell reader that raised (caught, so linting goes on, but recorded apart from a script that
is merely broken). The first few are printed. The checks are tests/test_fuzz.py's, which
CI runs on a short seeded sample.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from test_fuzz import (  # noqa: E402
    FIX_LINES,
    PIECES,
    SHELL_PIECES,
    TEMPLATE_PIECES,
    cache_entry_never_crashes,
    config_never_crashes,
    fix_never_crashes,
    mutate,
    name_is_shown_safely,
    parse_never_crashes,
    render_never_crashes,
    shell_parsers_never_fail,
)

from dflint.lint.engine import Options, lint_bytes  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "real"
OPTIONS = Options(no_config=True)


def generate(rng: random.Random, seeds: list[bytes]) -> bytes:
    kind = rng.random()
    if kind < 0.2:
        return rng.randbytes(rng.randint(0, 300))
    if kind < 0.6:
        return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 80))).encode()
    return mutate(rng, rng.choice(seeds), 10)


TARGETS = ("lint", "parse", "fix", "render", "names", "config", "cache", "shell")
CONFIG_KEYS = ("platforms", "select", "ignore", "severity", "failure-threshold", "fix", "cache-ttl")


def random_value(rng: random.Random, depth: int = 0) -> object:
    roll = rng.random()
    if depth > 2 or roll < 0.5:
        return rng.choice([None, True, 0, -1, 1e309, "linux/amd64", "DF3", "x" * 30, "", "ALL"])
    if roll < 0.75:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(["a", "DF308", "images", "*"]): random_value(rng, depth + 1)}


def check(target: str, rng: random.Random, seeds: list[bytes], folder: Path) -> bytes:
    """Run one generated input through ``target``; returns the input (for the report)."""
    if target == "render":
        text = "".join(rng.choice(TEMPLATE_PIECES) for _ in range(rng.randint(0, 40)))
        render_never_crashes(folder, text)
        return text.encode("utf-8", errors="surrogateescape")
    if target == "names":
        name = rng.randbytes(rng.randint(1, 30)).replace(b"/", b"_").replace(b"\0", b"_")
        if name not in (b".", b".."):
            name_is_shown_safely(folder, name)
        return name
    if target == "config":
        table = {rng.choice(CONFIG_KEYS): random_value(rng) for _ in range(rng.randint(1, 3))}
        config_never_crashes(table)
        return repr(table).encode()
    if target == "cache":
        data = rng.choice([rng.randbytes(rng.randint(0, 200)), b"[" * rng.randint(1, 9000)])
        cache_entry_never_crashes(folder, data)
        return data[:200]
    if target == "shell":
        text = "".join(rng.choice(SHELL_PIECES) for _ in range(rng.randint(0, 60)))
        shell_parsers_never_fail(text)
        return text.encode("utf-8", errors="surrogateescape")
    if target == "fix":
        data = "\n".join(rng.choice(FIX_LINES + PIECES) for _ in range(rng.randint(1, 20)))
        fix_never_crashes(data.encode())
        return data.encode()
    data = generate(rng, seeds)
    if target == "parse":
        parse_never_crashes(data)
    else:
        result = lint_bytes(data, "Dockerfile", OPTIONS)
        if result.internal_errors:
            raise AssertionError(result.internal_errors)
    return data


def worker(args: tuple[int, int, tuple[str, ...]]) -> tuple[int, list[str]]:
    count, seed, targets = args
    rng = random.Random(seed)
    seeds = [p.read_bytes() for p in sorted(CORPUS.rglob("*")) if p.is_file()][:400]
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        for index in range(count):
            target = targets[index % len(targets)]
            state = rng.getstate()
            try:
                check(target, rng, seeds, Path(folder))
            except Exception:
                rng.setstate(state)  # regenerate the input to show it
                shown = check_input_only(target, rng, seeds)
                failures.append(f"{target}: {traceback.format_exc(limit=3)} on {shown!r}")
                rng = random.Random(seed + index + 1)
            if len(failures) > 20:
                break
    return count, failures


def check_input_only(target: str, rng: random.Random, seeds: list[bytes]) -> bytes:
    if target in ("lint", "parse"):
        return generate(rng, seeds)[:200]
    return b"(" + target.encode() + b" input; rerun with this seed to see it)"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--targets", default=",".join(TARGETS))
    args = parser.parse_args()
    targets = tuple(args.targets.split(","))
    start = time.perf_counter()
    share = args.count // args.jobs
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(
            pool.map(worker, [(share, args.seed + i, targets) for i in range(args.jobs)])
        )
    total = sum(count for count, _ in results)
    failures = [failure for _, found in results for failure in found]
    elapsed = time.perf_counter() - start
    print(
        f"{total:,} inputs in {elapsed:.0f} s ({total / elapsed:,.0f}/s): {len(failures)} failures"
    )
    for failure in failures[:5]:
        print(failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
