"""dflint over the 658 real Dockerfiles: no crash, and exactly the reviewed findings."""

from __future__ import annotations

import csv
from pathlib import Path

from conftest import ROOT, shared_path

from dflint.lint.engine import Options, lint_bytes

EXPECTED = ROOT / "tests" / "real_corpus_findings.tsv"


def expected_findings() -> set[tuple[str, int, str]]:
    rows = set()
    for line in EXPECTED.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        path, number, code, _why = line.split("\t", 3)
        rows.add((path, int(number), code))
    return rows


def manifest(real: Path) -> list[dict[str, str]]:
    with (real / "MANIFEST.tsv").open(newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_findings_on_the_real_corpus_are_the_reviewed_ones() -> None:
    real = shared_path("corpus", "real")
    # DF207 (a base image whose platforms are unknown) depends on what the cache and offline
    # tables hold, not on the file: it is tested on its own, not reviewed here.
    options = Options(no_config=True, ignore=("DF207",))
    found: set[tuple[str, int, str]] = set()
    failures = []
    for row in manifest(real):
        result = lint_bytes((real / row["file"]).read_bytes(), row["file"], options)
        assert not result.internal_errors, (row["file"], result.internal_errors)
        if result.failed:
            failures.append(row["file"])
            continue
        found |= {(f.path, f.line, f.code) for f in result.findings}
    expected = expected_findings()
    assert sorted(found - expected) == [], "new findings: review them and add or fix"
    assert sorted(expected - found) == [], "reviewed findings no longer reported"
    # Only unrendered templates may fail to parse, and only when they have no markup
    # the template detector recognises as such.
    templates = {row["file"] for row in manifest(real) if row["template"] == "yes"}
    assert set(failures) <= templates, sorted(set(failures) - templates)
