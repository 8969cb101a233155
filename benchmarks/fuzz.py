"""Long fuzz run, outside CI: N generated inputs through the reader and the lint pipeline.

    python benchmarks/fuzz.py --count 1000000 --jobs 2

Inputs are, in turn: random bytes, Dockerfile-shaped text built from the pieces the reader
treats specially, and corpus files with random cuts, insertions and byte flips. Anything but
dflint's own InputError (or an internal rule error) is a failure; the first few are printed.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from test_fuzz import PIECES, mutate  # noqa: E402

from dflint.engine import Options, lint_bytes  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "real"
OPTIONS = Options(no_config=True)


def generate(rng: random.Random, seeds: list[bytes]) -> bytes:
    kind = rng.random()
    if kind < 0.2:
        return rng.randbytes(rng.randint(0, 300))
    if kind < 0.6:
        return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 80))).encode()
    return mutate(rng, rng.choice(seeds), 10)


def worker(args: tuple[int, int]) -> tuple[int, list[str]]:
    count, seed = args
    rng = random.Random(seed)
    seeds = [p.read_bytes() for p in sorted(CORPUS.rglob("*")) if p.is_file()][:400]
    failures: list[str] = []
    for _ in range(count):
        data = generate(rng, seeds)
        try:
            result = lint_bytes(data, "Dockerfile", OPTIONS)
            if result.internal_errors:
                failures.append(f"{result.internal_errors} on {data[:200]!r}")
        except Exception:
            failures.append(f"{traceback.format_exc(limit=3)} on {data[:200]!r}")
        if len(failures) > 20:
            break
    return count, failures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20261128)
    args = parser.parse_args()
    start = time.perf_counter()
    share = args.count // args.jobs
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(worker, [(share, args.seed + i) for i in range(args.jobs)]))
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
