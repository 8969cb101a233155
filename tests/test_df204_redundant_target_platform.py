from __future__ import annotations

from conftest import codes, lint


def test_redundant_flag_with_a_safe_fix() -> None:
    [finding] = [f for f in lint("FROM --platform=$TARGETPLATFORM alpine\n") if f.code == "DF204"]
    assert (finding.line, finding.column, finding.end_column) == (1, 6, 32)
    assert finding.fix is not None and finding.fix.safe
    [edit] = finding.fix.edits
    assert (edit.column, edit.end_column, edit.replacement) == (6, 33, "")


def test_braced_form() -> None:
    assert "DF204" in codes("FROM --platform=${TARGETPLATFORM} alpine\n")


def test_buildplatform_is_not_redundant() -> None:
    assert "DF204" not in codes("FROM --platform=$BUILDPLATFORM alpine\n")


def test_check_skip_above_the_from_is_honoured() -> None:
    """DF204 is BuildKit's RedundantTargetPlatform: `# check=skip=` silences both."""
    text = "\n# check=skip=RedundantTargetPlatform\nFROM --platform=$TARGETPLATFORM scratch\n"
    assert "DF204" not in codes(text)
    text = "# check=skip=all\nFROM --platform=$TARGETPLATFORM scratch\n"
    assert "DF204" not in codes(text)


def test_check_skip_above_one_from_leaves_the_others() -> None:
    text = (
        "# check=skip=RedundantTargetPlatform\n"
        "FROM --platform=$TARGETPLATFORM alpine AS a\n"  # the directive: whole file
        "FROM --platform=$TARGETPLATFORM alpine AS b\n"
    )
    assert "DF204" not in codes(text)
    text = (
        "FROM --platform=$TARGETPLATFORM alpine AS a\n"
        "# check=skip=RedundantTargetPlatform\n"
        "FROM --platform=$TARGETPLATFORM alpine AS b\n"
    )
    assert [f.line for f in lint(text) if f.code == "DF204"] == [1]


def test_check_skip_of_another_check_does_not_silence_df204() -> None:
    text = "# check=skip=FromPlatformFlagConstDisallowed\nFROM --platform=$TARGETPLATFORM scratch\n"
    assert "DF204" in codes(text)
