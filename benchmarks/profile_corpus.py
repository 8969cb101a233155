"""Where linting the corpus spends its time: the in-process loop of benchmark (a).

    python benchmarks/profile_corpus.py                    # CPU time per pass, best of 7
    python benchmarks/profile_corpus.py --profile          # cProfile, top 30 by own time
    python benchmarks/profile_corpus.py --profile --sort cumulative --top 40

The files are benchmark (a)'s (the corpus's non-template files), linted offline without a
config, one after the other in this process, as one worker of `dflint lint` does. A first
pass warms the imports (rules, tree-sitter grammars) and is not counted; nothing else is
reused from one pass to the next (the caches a run fills are emptied before each pass).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import CORPUS, corpus_files

from dflint.analyse import analysis, arch, archdispatch, oscommands
from dflint.analyse.shell import view
from dflint.core import reference
from dflint.lint.engine import FileResult, Options, lint_file


def forget() -> None:
    """Empty what one process keeps from file to file, so each pass starts as a run does."""
    view.forget_scripts()
    arch._kept_has_literal.cache_clear()
    arch.image_pin.cache_clear()
    oscommands._kept_facts.cache_clear()
    archdispatch._kept_may_dispatch.cache_clear()
    archdispatch._READ.clear()
    arch._DISPATCHES.clear()
    reference.parse_reference.cache_clear()
    analysis._path_tokens.cache_clear()
    analysis._image_families.cache_clear()
    view._kept_program_name.cache_clear()
    analysis.arch_evidence_in_path.cache_clear()


def lint_all(files: list[Path], options: Options) -> list[FileResult]:
    forget()
    return [lint_file(path, str(path), options) for path in files]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one pass")
    parser.add_argument("--sort", default="tottime", help="pstats sort key (tottime, cumulative)")
    parser.add_argument("--top", type=int, default=30, help="profile entries to print")
    parser.add_argument("--rounds", type=int, default=7, help="timed passes (best is shown)")
    args = parser.parse_args()
    if not CORPUS.exists():
        print(f"the corpus is not at {CORPUS}", file=sys.stderr)
        return 2
    files = corpus_files(None)
    options = Options(no_config=True, offline=True)
    lint_all(files, options)  # imports and grammars load here
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        lint_all(files, options)
        profile.disable()
        stats = pstats.Stats(profile)
        stats.strip_dirs().sort_stats(args.sort).print_stats(args.top)
        return 0
    times = []
    for _ in range(args.rounds):
        start = time.process_time()
        lint_all(files, options)
        times.append(time.process_time() - start)
    times.sort()
    print(
        f"{len(files)} files, CPU per pass: best {times[0]:.3f} s, "
        f"median {times[len(times) // 2]:.3f} s ({' '.join(f'{t:.3f}' for t in times)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
