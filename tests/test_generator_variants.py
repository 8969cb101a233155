"""Properties every variant has, checked over the samples and the 658 real Dockerfiles of
../shared/corpus/real: it parses, it is stable (fixing its output changes nothing), and a
variant for the other OS with nothing left untranslated lints clean for its own platform."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, lint, shared_path

from dflint.analyse.analysis import analyze
from dflint.core.platform import Platform
from dflint.errors import InputError
from dflint.generate import layout
from dflint.generate.paths import TargetOS
from dflint.generate.render import render_plan
from dflint.generate.run import marked_lines
from dflint.generate.translator import platform_suffix, source_platform, translate
from dflint.read.parser import parse_bytes, parse_text

TARGETS = ("windows/amd64", "linux/amd64")


def make_variant(
    text: str, name: str, target: str, from_os: TargetOS | None = None
) -> tuple[str, int] | None:
    """(variant text, untranslated count), or None when it is the file itself."""
    dockerfile = parse_text(text, name)
    plan = translate(dockerfile, analyze(dockerfile), Platform.parse(target), from_os=from_os)
    header = layout.header("fix", plan.source, target, f"dflint fix {plan.source}")
    return render_plan(plan, header), len(plan.untranslated)


def assert_variant_properties(
    text: str, name: str, target: str, from_os: TargetOS | None = None
) -> None:
    made = make_variant(text, name, target, from_os)
    assert made is not None
    out, _ = made
    variant_name = f"Dockerfile.{platform_suffix(Platform.parse(target))}"
    parse_text(out, variant_name)  # raises when it does not parse
    again = parse_text(out, variant_name)
    second = translate(again, analyze(again), Platform.parse(target), in_place=True)
    if not second.identical:
        plan_header = layout.header("fix", second.source, target, f"dflint fix {second.source}")
        assert render_plan(second, plan_header) == out, f"{name} → {target} is not stable"
    # lint clean for its platform, apart from the lines it keeps under an untranslated marker;
    # a variant for the source's own OS may only keep the findings the source itself has
    marked = marked_lines(out)
    serious = [
        (f.code, f.line, f.message)
        for f in lint(out, variant_name, (target,))
        if f.severity.value != "info" and f.line not in marked
    ]
    if serious:
        # what the source has itself, linted for its own platform, is not the variant's doing
        system = source_system(text, name, from_os)
        own = (
            (f"{system}/amd64", target) if system == target.split("/")[0] else (f"{system}/amd64",)
        )
        # (under a neutral name and under the variant's, whose OS word the linter reads)
        inherited = {
            f.code
            for platform in own
            for shown in ("Dockerfile", variant_name)
            for f in lint(text, shown, (platform,))
        }
        serious = [item for item in serious if item[0] not in inherited]
    assert serious == [], f"{name} → {target}: {serious}"


def source_system(text: str, name: str, from_os: TargetOS | None) -> str:
    dockerfile = parse_text(text, name)
    return source_platform(dockerfile, analyze(dockerfile), from_os).os


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "sample_dockerfiles").iterdir()))
@pytest.mark.parametrize("target", TARGETS)
def test_sample_variants(name: str, target: str) -> None:
    text = (ROOT / "sample_dockerfiles" / name).read_text()
    assert_variant_properties(text, name, target)


def _corpus_files() -> list[Path]:
    root = shared_path("corpus", "real")
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and ("Dockerfile" in path.name or path.name.endswith(".dockerfile"))
    )


def _refused_by_buildkit(path: Path) -> bool:
    from dflint.lint.engine import Options, lint_bytes

    options = Options(no_config=True, offline=True, select=("DF004", "DF005", "DF006"))
    return bool(lint_bytes(path.read_bytes(), path.name, options).findings)


def _manifest() -> dict[str, TargetOS]:
    """The OS each corpus file is written for (its repository says), for --from-os."""
    lines = shared_path("corpus", "real", "MANIFEST.tsv").read_text().splitlines()[1:]
    return {
        line.split("\t")[0]: "windows" if line.split("\t")[4] == "windows" else "linux"
        for line in lines
    }


def test_real_corpus_variants() -> None:
    checked = 0
    root = shared_path("corpus", "real")
    systems = _manifest()
    for path in _corpus_files():
        try:
            dockerfile = parse_bytes(path.read_bytes(), path.name)
        except InputError:
            continue  # not a Dockerfile dflint can read: nothing to translate
        if _refused_by_buildkit(path):
            continue  # a template that does not build as written: its variants cannot either
        text = "\n".join(dockerfile.lines) + "\n"
        from_os = systems.get(str(path.relative_to(root)))
        for target in TARGETS:
            assert_variant_properties(text, path.name, target, from_os)
            checked += 1
    assert checked > 1000  # the corpus is there and was read, not skipped file by file
