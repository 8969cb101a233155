from __future__ import annotations

from conftest import codes, lint


def test_targetarch_without_arg() -> None:
    text = "FROM alpine\nRUN wget https://x/tool-$TARGETARCH.tgz\n"
    [finding] = [f for f in lint(text) if f.code == "DF308"]
    assert (finding.line, finding.column) == (2, 25)
    assert "ARG TARGETARCH" in finding.message


def test_declared_in_stage_is_fine() -> None:
    assert "DF308" not in codes("FROM alpine\nARG TARGETARCH\nRUN echo $TARGETARCH\n")


def test_global_arg_used_without_redeclaring() -> None:
    text = "ARG GOARCH=amd64\nFROM golang\nRUN GOOS=linux go build -o /x . && echo ${GOARCH}\n"
    assert "DF308" in codes(text)


def test_global_arg_used_in_from_is_fine() -> None:
    assert "DF308" not in codes("ARG VERSION=3.20\nFROM alpine:${VERSION}\nRUN true\n")


def test_redeclared_global_arg_is_fine() -> None:
    assert "DF308" not in codes("ARG V=1\nFROM alpine\nARG V\nRUN echo $V\n")


def test_script_that_sets_the_variable_itself() -> None:
    text = "FROM alpine\nRUN TARGETARCH=$(apk --print-arch) && echo $TARGETARCH\n"
    assert "DF308" not in codes(text)


def test_each_unrelated_stage_needs_its_own_arg() -> None:
    text = "FROM alpine AS a\nARG TARGETARCH\nFROM alpine\nRUN echo $TARGETARCH\n"
    assert [f.line for f in lint(text) if f.code == "DF308"] == [4]


def test_child_stage_inherits_the_parents_arg() -> None:
    # BuildKit carries ARGs into stages built FROM a stage (moby/buildkit#5381)
    text = "FROM alpine AS a\nARG TARGETARCH\nFROM a\nRUN echo $TARGETARCH\n"
    assert "DF308" not in codes(text)


def test_reported_once_per_name_with_the_fix_that_declares_it() -> None:
    text = "FROM alpine\nRUN echo $TARGETARCH $TARGETARCH\n"
    [finding] = [f for f in lint(text) if f.code == "DF308"]
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (2, 10, 2, 21)
    assert finding.message.startswith("`$TARGETARCH` is an automatic platform argument but ")
    assert finding.fix is not None
    assert [
        (e.line, e.column, e.end_line, e.end_column, e.replacement) for e in finding.fix.edits
    ] == [
        (1, 12, 1, 12, "\nARG TARGETARCH")  # a new line after the stage's FROM
    ]


def test_a_global_arg_is_named_as_one() -> None:
    [finding] = [f for f in lint("ARG V=1\nFROM alpine\nRUN echo ${V}\n") if f.code == "DF308"]
    assert finding.message.startswith("`$V` is declared before the first FROM but ")


def test_an_escaped_dollar_is_literal_for_the_builder() -> None:
    assert "DF308" not in codes("FROM alpine\nENV A=\\$TARGETARCH\n")
