"""`dflint fix` over the real corpus: ``--os windows`` for every Linux file and ``--os linux``
for every Windows file of ../shared/corpus/real (the OS its repository says, MANIFEST.tsv).

Each run goes through the command itself (``run_fix`` with ``--diff``: read, translate,
render, lint the variant for its platform, print the diff). No run may raise, every variant
must lint clean for its platform apart from the lines it keeps under an untranslated marker
(``fix`` reports findings on any other line) and the findings the source has itself, and
every translated line must be made of catalogue translations the execution oracle proves
(tests/test_fix_oracle.py), programs that are the same on both systems, or commands the
translator handles that the oracle also runs. ``pytest tests/test_fix_corpus.py -s`` prints
the counts recorded in BENCHMARKS.md.
"""

from __future__ import annotations

import collections
from pathlib import Path

from conftest import lint, shared_path
from test_fix_oracle import PROVEN

from dflint.analyse.analysis import analyze
from dflint.core.platform import Platform
from dflint.errors import InputError
from dflint.generate.paths import TargetOS
from dflint.generate.run import Request, run_fix
from dflint.generate.translator import translate
from dflint.read.parser import parse_bytes


def corpus_files() -> list[tuple[Path, str, TargetOS]]:
    """(file, its name in MANIFEST.tsv, the OS it is written for)."""
    root = shared_path("corpus", "real")
    rows = (root / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    found: list[tuple[Path, str, TargetOS]] = []
    for row in rows:
        fields = row.split("\t")
        system: TargetOS = "windows" if fields[4] == "windows" else "linux"
        found.append((root / fields[0], fields[0], system))
    return found


def test_fix_over_the_real_corpus(tmp_path: Path) -> None:
    counts: collections.Counter[str] = collections.Counter()
    forms: collections.Counter[str] = collections.Counter()
    unknown_os = 0
    wrong: list[tuple[str, object]] = []
    for path, name, system in corpus_files():
        target: TargetOS = "linux" if system == "windows" else "windows"
        data = path.read_bytes()
        try:
            dockerfile = parse_bytes(data, path.name)
        except InputError:
            counts["files dflint cannot read"] += 1
            continue
        # the file as `dflint fix` sees it: alone in a folder, under its own name
        copy = tmp_path / path.name
        copy.write_bytes(data)
        out: list[str] = []
        err: list[str] = []
        asked = run_fix(Request([(copy, path.name)], os=target, diff=True), out.append, err.append)
        if asked == 2 and any("--from-os" in line for line in err):
            unknown_os += 1
            err.clear()
            request = Request([(copy, path.name)], os=target, from_os=system, diff=True)
            asked = run_fix(request, out.append, err.append)
        if asked not in (0, 1):
            wrong.append((name, err))
        # a finding the source has too (linted for its own platform) is the source's own
        own = lint(data.decode("utf-8"), "Dockerfile", (f"{system}/amd64",))
        inherited = {finding.code for finding in own}
        findings = [
            line
            for line in err
            if ": DF" in line and line.split(": ")[2].split()[0] not in inherited
        ]
        if findings:
            wrong.append((name, findings))
        counts["files"] += 1
        way = f"{system} → {target}: "
        counts[way + "files"] += 1
        plan = translate(dockerfile, analyze(dockerfile), Platform(target, "amd64"), from_os=system)
        counts[way + "instructions marked untranslated"] += len(plan.untranslated)
        counts[way + "files with nothing marked"] += not plan.untranslated
        for _, used in plan.forms:
            counts[way + "command lines translated"] += 1
            for key in used:
                forms[key] += 1
                if key not in PROVEN:
                    wrong.append((name, f"{key} is not proven by the oracle"))
    counts["files whose OS only --from-os tells"] = unknown_os
    print()
    for label, number in sorted(counts.items()):
        print(f"{label}: {number}")
    for key, number in forms.most_common():
        print(f"  {key}: {number}")
    assert wrong == [], "\n".join(f"{name}: {what}" for name, what in wrong)
    assert counts["files"] > 600
