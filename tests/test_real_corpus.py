"""dflint over the 658 real Dockerfiles: no crash, exactly the reviewed findings, and recall
measured against the known misses."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from conftest import ROOT, shared_path

from dflint.lint.engine import Options, lint_bytes

EXPECTED = ROOT / "tests" / "real_corpus_findings.tsv"
KNOWN_MISSES = ROOT / "tests" / "real_corpus_known_misses.tsv"
# Recall is reported per rule family, by the first digit of the code.
FAMILIES = {
    "DF0": "DF0xx what BuildKit rejects",
    "DF1": "DF1xx parser directives",
    "DF2": "DF2xx base images and platforms",
    "DF3": "DF3xx commands, shells, architectures",
    "DF4": "DF4xx paths",
}


def reviewed(path: Path) -> dict[tuple[str, int, str], str]:
    """The rows of a reviewed list: (file, line, code) → why."""
    rows = {}
    for line in path.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        file, number, code, why = line.split("\t", 3)
        assert why.strip(), f"{path.name}: {file}:{number} {code} says no why"
        rows[(file, int(number), code)] = why
    return rows


def expected_findings() -> set[tuple[str, int, str]]:
    return set(reviewed(EXPECTED))


def known_misses() -> set[tuple[str, int, str]]:
    return set(reviewed(KNOWN_MISSES))


def manifest(real: Path) -> list[dict[str, str]]:
    with (real / "MANIFEST.tsv").open(newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def recall(
    found: set[tuple[str, int, str]], missed: set[tuple[str, int, str]]
) -> list[tuple[str, int, int, float]]:
    """Per rule family and in all: (family, found, missed, found / (found + missed))."""
    hits = Counter(FAMILIES[code[:3]] for _, _, code in found)
    misses = Counter(FAMILIES[code[:3]] for _, _, code in missed)
    rows = []
    for family in FAMILIES.values():
        total = hits[family] + misses[family]
        if total:
            rows.append((family, hits[family], misses[family], hits[family] / total))
    total = len(found) + len(missed)
    rows.append(("all", len(found), len(missed), len(found) / total if total else 1.0))
    return rows


def differences(
    found: set[tuple[str, int, str]],
    expected: set[tuple[str, int, str]],
    missed: set[tuple[str, int, str]],
) -> list[str]:
    """What differs between a run and the reviewed lists, with what to do about it."""
    problems = [
        f"{file}:{line} {code}: a known miss is now reported: check it, then move its line "
        "from real_corpus_known_misses.tsv to real_corpus_findings.tsv"
        for file, line, code in sorted(found & missed)
    ]
    problems += [
        f"{file}:{line} {code}: a new finding: read the file, then add it with the reason it "
        "is right to real_corpus_findings.tsv, or fix the rule"
        for file, line, code in sorted(found - expected - missed)
    ]
    problems += [
        f"{file}:{line} {code}: a reviewed finding is no longer reported"
        for file, line, code in sorted(expected - found)
    ]
    return problems


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
    missed = known_misses()
    for family, hits, misses, rate in recall(expected, missed):
        print(f"recall {family}: {hits} / {hits + misses} = {rate:.2f}")
    assert differences(found, expected, missed) == []
    # Only unrendered templates may fail to parse, and only when they have no markup
    # the template detector recognises as such.
    templates = {row["file"] for row in manifest(real) if row["template"] == "yes"}
    assert set(failures) <= templates, sorted(set(failures) - templates)


def test_known_misses_name_real_lines_that_no_finding_covers() -> None:
    real = shared_path("corpus", "real")
    files = {row["file"] for row in manifest(real)}
    # The list may be empty (every miss found so far is reported now: recall 1.00 over the
    # reviewed findings); the file itself must be there for a new miss to be written down.
    assert KNOWN_MISSES.is_file()
    missed = known_misses()
    assert missed.isdisjoint(expected_findings())
    for file, line, code in missed:
        assert file in files, file
        lines = (real / file).read_text(errors="replace").splitlines()
        assert 1 <= line <= len(lines) and not lines[line - 1].lstrip().startswith("#")
        assert code[:3] in FAMILIES, code


def test_recall_is_found_over_found_and_missed() -> None:
    found = {("a", 1, "DF202"), ("a", 2, "DF306"), ("b", 1, "DF306")}
    missed = {("c", 1, "DF202")}
    assert recall(found, missed) == [
        ("DF2xx base images and platforms", 1, 1, 0.5),
        ("DF3xx commands, shells, architectures", 2, 0, 1.0),
        ("all", 3, 1, 0.75),
    ]


def test_a_known_miss_that_is_found_or_a_lost_finding_fails() -> None:
    expected = {("a", 1, "DF306")}
    missed = {("b", 3, "DF202")}
    assert differences({("a", 1, "DF306")}, expected, missed) == []
    [moved] = differences({("a", 1, "DF306"), ("b", 3, "DF202")}, expected, missed)
    assert moved.startswith("b:3 DF202: a known miss is now reported")
    [lost] = differences(set(), expected, missed)
    assert lost == "a:1 DF306: a reviewed finding is no longer reported"
    [new] = differences({("a", 1, "DF306"), ("c", 2, "DF301")}, expected, missed)
    assert new.startswith("c:2 DF301: a new finding")
