"""Time `dflint platforms` on a FROM image whose index lists N platforms.

    python benchmarks/platforms_scale.py --counts 1000,4000,16000
    python benchmarks/platforms_scale.py --counts 4000 --source DIR   # another checkout

The image's answer is planted in a throw-away cache (N made-up architectures, so every
platform is its own target row) and dflint runs offline, so only dflint's own work is timed:
it should grow linearly with N.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PLANT = """
import sys, time
from pathlib import Path
from dflint.registry.cache import CacheEntry, DiskCache
from dflint.core.platform import Platform
count, folder = int(sys.argv[1]), Path(sys.argv[2])
platforms = tuple(Platform("linux", f"arch{index}") for index in range(count))
now = time.time()
DiskCache(folder).put(CacheEntry("docker.io/library/alpine:3.20", platforms,
                                 "sha256:" + "0" * 64, None, None, now, now))
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--counts", default="1000,4000,16000")
    parser.add_argument("--source", type=Path, help="run the dflint of this checkout")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    env = {**os.environ, "DFLINT_OFFLINE": "1"}
    if args.source:
        env["PYTHONPATH"] = str(args.source.resolve())
    print("| platforms in the index | dflint platforms |")
    print("|---|---|")
    for count in (int(item) for item in args.counts.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            cache = Path(folder, "cache")
            env["DFLINT_CACHE_DIR"] = str(cache)
            subprocess.run(
                [sys.executable, "-c", PLANT, str(count), str(cache)], env=env, check=True
            )
            dockerfile = Path(folder, "Dockerfile")
            dockerfile.write_text("FROM alpine:3.20\n")
            start = time.perf_counter()
            try:
                subprocess.run(
                    [sys.executable, "-m", "dflint", "platforms", str(dockerfile)],
                    env=env,
                    cwd=folder,
                    stdout=subprocess.DEVNULL,
                    timeout=args.timeout,
                    check=True,
                )
                shown = f"{time.perf_counter() - start:.2f} s"
            except subprocess.TimeoutExpired:
                shown = f"> {args.timeout:.0f} s (stopped)"
            print(f"| {count:,} | {shown} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
