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
