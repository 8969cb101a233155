"""Properties every variant has, checked over the samples and the 658 real Dockerfiles of
../shared/corpus/real: it parses, it is stable (fixing its output changes nothing), and a
variant for the other OS with nothing left untranslated lints clean for its own platform."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, lint, shared_path

from dflint.analysis import analyze
from dflint.errors import InputError
from dflint.generator import layout
from dflint.generator.render import render_plan
from dflint.generator.translator import Platform, translate
from dflint.parser import parse_bytes, parse_text

TARGETS = ("windows/amd64", "linux/amd64")


def make_variant(text: str, name: str, target: str) -> tuple[str, int] | None:
    """(variant text, untranslated count), or None when it is the file itself."""
    dockerfile = parse_text(text, name)
    plan = translate(dockerfile, analyze(dockerfile), Platform.parse(target))
    header = layout.header("fix", plan.source, target, f"dflint fix {plan.source}")
    return render_plan(plan, header), len(plan.untranslated)


def assert_variant_properties(text: str, name: str, target: str) -> None:
    made = make_variant(text, name, target)
    assert made is not None
    out, untranslated = made
    variant_name = f"Dockerfile.{Platform.parse(target).suffix}"
    parse_text(out, variant_name)  # raises when it does not parse
    again = parse_text(out, variant_name)
    second = translate(again, analyze(again), Platform.parse(target), in_place=True)
    if not second.identical:
        plan_header = layout.header("fix", second.source, target, f"dflint fix {second.source}")
        assert render_plan(second, plan_header) == out, f"{name} → {target} is not stable"
    source_os = "windows" if analyze(parse_text(text, name)).is_windows_only else "linux"
    if untranslated == 0 and source_os != target.split("/")[0]:
        serious = [
            (f.code, f.line, f.message)
            for f in lint(out, variant_name, (target,))
            if f.severity.value != "info"
        ]
        assert serious == [], f"{name} → {target}: {serious}"


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
    from dflint.engine import Options, lint_bytes

    options = Options(no_config=True, offline=True, select=("DF004", "DF005", "DF006"))
    return bool(lint_bytes(path.read_bytes(), path.name, options).findings)


def test_real_corpus_variants() -> None:
    checked = 0
    for path in _corpus_files():
        try:
            dockerfile = parse_bytes(path.read_bytes(), path.name)
        except InputError:
            continue  # not a Dockerfile dflint can read: nothing to translate
        if _refused_by_buildkit(path):
            continue  # a template that does not build as written: its variants cannot either
        text = "\n".join(dockerfile.lines) + "\n"
        for target in TARGETS:
            assert_variant_properties(text, path.name, target)
            checked += 1
    assert checked > 1000  # the corpus is there and was read, not skipped file by file
