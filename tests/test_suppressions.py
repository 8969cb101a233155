"""`# dflint:` pragmas: ignore=, ignore-stage=, ignore-file=, and DF002/DF003."""

from __future__ import annotations

from conftest import lint


def found(text: str) -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in lint(text)]


def test_ignore_on_the_line_above() -> None:
    text = "FROM alpine\n# dflint: ignore=DF308 -- set by CI\nRUN echo $TARGETARCH\n"
    assert found(text) == []


def test_ignore_covers_only_the_next_instruction() -> None:
    text = "FROM alpine\n# dflint: ignore=DF308\nRUN echo $TARGETARCH\nRUN echo $TARGETOS\n"
    assert found(text) == [("DF308", 4)]


def test_other_comment_lines_may_sit_between() -> None:
    text = "FROM alpine\n# dflint: ignore=DF308\n# why: CI\nRUN echo $TARGETARCH\n"
    assert found(text) == []


def test_ignore_stage() -> None:
    text = (
        "# dflint: ignore-stage=DF308\nFROM alpine AS a\nRUN echo $TARGETARCH\n"
        "FROM alpine\nRUN echo $TARGETOS\n"
    )
    assert found(text) == [("DF308", 5)]


def test_ignore_file() -> None:
    text = "# dflint: ignore-file=DF308\nFROM alpine\nRUN echo $TARGETARCH\nRUN echo $TARGETOS\n"
    assert found(text) == []


def test_invalid_suppressions_are_df002() -> None:
    text = (
        "FROM alpine\n# dflint: ignore=DF999\nRUN true\n# dflint: ignor=DF308\nRUN true\n"
        "# dflint: ignore-stage=DF308\nRUN true\n# dflint: ignore=DF308\n"
    )
    findings = [f for f in lint(text) if f.code == "DF002"]
    messages = [f.message for f in findings]
    assert [f.line for f in findings] == [2, 4, 6, 8]
    assert "unknown rule code(s) DF999" in messages[0]
    assert "did you mean 'ignore'?" in messages[1]
    assert "above a FROM" in messages[2]
    assert "not followed by an instruction" in messages[3]


def test_unused_suppression_is_df003() -> None:
    text = "FROM alpine\n# dflint: ignore=DF308\nRUN echo hello\n"
    [finding] = lint(text)
    assert (finding.code, finding.line, finding.severity.value) == ("DF003", 2, "info")


def test_pragma_inside_a_continuation_does_not_apply() -> None:
    text = "FROM alpine\nRUN echo a \\\n# dflint: ignore=DF308\n  $TARGETARCH\n"
    codes = [f.code for f in lint(text)]
    assert "DF308" in codes
