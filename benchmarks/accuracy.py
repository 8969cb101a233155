"""Per-rule finding counts over the shared real corpus, as BENCHMARKS.md's accuracy table shows.

    python benchmarks/accuracy.py            # a Markdown table: rule, severity, findings, files
    python benchmarks/accuracy.py --tsv      # one line per finding (path, line, code, severity)
    python benchmarks/accuracy.py --recall   # recall per rule family against the known misses

Runs offline with throw-away cache and data folders, the default targets and no config file,
as tests/test_real_corpus.py does (DF207 left out: it depends on what the cache holds).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "corpus" / "real"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tsv", action="store_true", help="list every finding")
    parser.add_argument(
        "--recall",
        action="store_true",
        help="found / (found + known misses) per rule family (tests/real_corpus_known_misses.tsv)",
    )
    parser.add_argument("--corpus", type=Path, default=REAL)
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="dflint-accuracy-")
    os.environ["DFLINT_OFFLINE"] = "1"
    os.environ["DFLINT_CACHE_DIR"] = str(Path(scratch) / "cache")
    os.environ["DFLINT_DATA_DIR"] = str(Path(scratch) / "data")
    from dflint.lint.engine import Options, lint_bytes

    with (args.corpus / "MANIFEST.tsv").open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    options = Options(no_config=True, ignore=("DF207",), offline=True)
    found: set[tuple[str, int, str]] = set()
    counts: Counter[tuple[str, str]] = Counter()
    files: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        result = lint_bytes((args.corpus / row["file"]).read_bytes(), row["file"], options)
        for finding in result.findings:
            found.add((finding.path, finding.line, finding.code))
            key = (finding.code, finding.severity.value)
            counts[key] += 1
            files[key].add(row["file"])
            if args.tsv:
                print(f"{row['file']}\t{finding.line}\t{finding.code}\t{finding.severity.value}")
    if args.tsv:
        return 0
    if args.recall:
        return print_recall(found)
    print(f"{len(rows)} files")
    print("| rule | severity | findings | files |")
    print("|---|---|---|---|")
    for key in sorted(counts):
        print(f"| {key[0]} | {key[1]} | {counts[key]} | {len(files[key])} |")
    print(f"| **total** | | **{sum(counts.values())}** | |")
    return 0


def print_recall(found: set[tuple[str, int, str]]) -> int:
    """Recall per rule family: the reviewed findings this run reports, over those plus the
    known misses (the same figures tests/test_real_corpus.py prints)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_real_corpus import expected_findings, known_misses, recall

    reviewed = expected_findings()
    unreviewed = found - reviewed
    if unreviewed:
        print(f"{len(unreviewed)} findings are not reviewed yet (tests/real_corpus_findings.tsv)")
    print("| rule family | found | known misses | recall |")
    print("|---|---|---|---|")
    for family, hits, misses, rate in recall(found & reviewed, known_misses()):
        print(f"| {family} | {hits} | {misses} | {rate:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
