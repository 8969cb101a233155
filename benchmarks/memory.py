"""Peak memory of `dflint lint` on one large Dockerfile, by the file's shape and size.

    python benchmarks/memory.py --sizes 10,50            # this checkout
    python benchmarks/memory.py --sizes 10,50 --source DIR   # another checkout (e.g. `git
                                                         # archive <commit> | tar -x -C DIR`)

Shapes (each a valid Dockerfile of about SIZE MB): comment lines; one RUN heredoc; one RUN
line of SIZE MB; ordinary instructions (RUN, ENV, COPY, continuations); one-word LABEL
lines, the most instructions per byte. Each file is linted offline with --no-config in a
fresh process; the figure is its peak resident set (ru_maxrss), next to the same for a
three-line file (the interpreter and dflint's imports).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

MB = 1024 * 1024


def comments(size: int) -> str:
    line = "# " + "x" * 70 + "\n"
    return "FROM alpine:3.20\n" + line * (size // len(line))


def heredoc(size: int) -> str:
    line = "echo " + "y" * 70 + "\n"
    return "FROM alpine:3.20\nRUN <<EOF\n" + line * (size // len(line)) + "EOF\n"


def long_line(size: int) -> str:
    return "FROM alpine:3.20\nRUN echo " + "z" * size + "\n"


def instructions(size: int) -> str:
    pool = [
        "RUN apk add --no-cache curl && echo hello world\n",
        "ENV A=b C=d\n",
        "COPY a /b\n",
        "# a comment line here\n",
        "RUN set -eux; \\\n    wget -O /tmp/x https://example.com/file.tar.gz; \\\n"
        "    tar -xzf /tmp/x\n",
        "WORKDIR /app\n",
    ]
    rng = random.Random(1)
    out = ["FROM alpine:3.20\n"]
    total = len(out[0])
    while total < size:
        line = rng.choice(pool)
        out.append(line)
        total += len(line)
    return "".join(out)


def labels(size: int) -> str:
    line = "LABEL a=b\n"
    return "FROM alpine:3.20\n" + line * (size // len(line))


SHAPES: dict[str, Callable[[int], str]] = {
    "comments": comments,
    "heredoc": heredoc,
    "long line": long_line,
    "instructions": instructions,
    "labels": labels,
}

_PEAK = (
    "import resource, subprocess, sys\n"
    "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)\n"
)


def peak_kib(path: Path, source: Path | None) -> tuple[int, int]:
    env = {**os.environ, "DFLINT_OFFLINE": "1"}
    if source is not None:
        env["PYTHONPATH"] = str(source)
    command = [sys.executable, "-m", "dflint", "lint", "--no-config", str(path)]
    out = subprocess.run(
        [sys.executable, "-c", _PEAK, *command],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=source or Path.cwd(),
    )
    peak, code = out.stdout.split()
    return int(peak), int(code)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,50", help="file sizes in MB")
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--source", type=Path, help="run the dflint of this checkout")
    args = parser.parse_args()
    source = args.source.resolve() if args.source else None
    with tempfile.TemporaryDirectory() as folder:
        tiny = Path(folder, "tiny.Dockerfile")
        tiny.write_text("FROM alpine:3.20\nRUN echo hello\n")
        base, _ = peak_kib(tiny, source)
        print(f"baseline (a 2-line file): {base / 1024:.0f} MiB")
        print("| shape | size | peak | peak − baseline | × size |")
        print("|---|---|---|---|---|")
        for size in (int(item) for item in args.sizes.split(",")):
            for name in args.shapes.split(","):
                path = Path(folder, "Dockerfile")
                path.write_text(SHAPES[name](size * MB))
                actual = path.stat().st_size
                peak, code = peak_kib(path, source)
                extra = (peak - base) * 1024
                print(
                    f"| {name} | {actual / MB:.0f} MB | {peak / 1024:.0f} MiB | "
                    f"{extra / MB:.0f} MiB | {extra / actual:.1f}× |"
                    + ("" if code in (0, 1) else f" exit {code}")
                )
                path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
