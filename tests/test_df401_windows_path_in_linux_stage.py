from __future__ import annotations

from conftest import lint

from dflint.core.findings import Finding

CODE = "DF401"


def hits(text: str, path: str = "Dockerfile") -> list[Finding]:
    return [f for f in lint(text, path, select=(CODE,)) if f.code == CODE]


def test_workdir_and_env() -> None:
    found = hits('FROM debian\nWORKDIR C:\\app\nENV JAVA_HOME="c:/openjdk" X=1\n')
    assert [(f.line, f.column, f.end_column) for f in found] == [(2, 9, 15), (3, 16, 26)]
    assert "use a Linux path such as `/app`" in found[0].message


def test_copy_destination_only() -> None:
    found = hits("FROM debian\nCOPY app.exe C:/app/\nADD https://x.example/f /tmp/\n")
    assert [f.line for f in found] == [2]


def test_windows_and_unknown_stages_are_fine() -> None:
    assert hits("FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nWORKDIR C:\\app\n") == []
    assert hits("ARG BASE\nFROM ${BASE}\nWORKDIR C:\\app\n") == []


def test_urls_and_colons_are_not_paths() -> None:
    assert hits("FROM debian\nENV URL=https://x.example/a LABEL=a:b\nVOLUME /data\n") == []


def test_copy_sources_are_never_judged() -> None:
    # a source names the build context or another stage's files, in either form; only the
    # destination is a path in this image
    text = (
        "FROM debian\n"
        "COPY --from=build C:/app/out /app/\n"
        'COPY --from=build ["C:/app/out", "/app/"]\n'
        'ADD ["C:\\\\setup.zip", "d:/tools/"]\n'
    )
    [finding] = hits(text)
    assert (finding.line, finding.column) == (4, 24)
    assert finding.message.startswith("`d:/tools/` is a Windows path")


def test_destination_after_a_short_source() -> None:
    [finding] = hits("FROM debian\nCOPY a C:\\srv\\web\n")
    assert (finding.line, finding.column, finding.end_column) == (2, 8, 18)
    assert "`C:\\srv\\web` is a Windows path" in finding.message


def test_suggested_linux_path_keeps_the_folders() -> None:
    found = hits("FROM debian\nWORKDIR C:/\nENV JAVA_HOME=c:/openjdk/\n")
    assert [(f.line, f.column) for f in found] == [(2, 9), (3, 15)]
    assert found[0].message.endswith("use a Linux path such as `/app`")
    assert found[1].message.endswith("use a Linux path such as `/openjdk`")


def test_json_destination_with_a_space() -> None:
    # the JSON form's destination is its last string, spaces and all
    [finding] = hits('FROM debian\nCOPY ["app", "C:/Program Files/app/"]\n')
    assert (finding.line, finding.column) == (2, 15)
    assert "is a Windows path, but this stage builds a Linux image" in finding.message


def test_a_quoted_destination_with_spaces_is_shown_whole() -> None:
    text = (
        "FROM alpine:3.20\n"
        'COPY ["app.exe", "C:\\\\Program Files\\\\app\\\\"]\n'
        'ENV TOOLS="D:\\tools\\bin dir" OTHER=1\n'
    )
    found = [f for f in lint(text) if f.code == "DF401"]
    assert [(f.line, f.column, f.end_column) for f in found] == [(2, 19, 43), (3, 12, 28)]
    assert "`C:\\\\Program Files\\\\app\\\\` is a Windows path" in found[0].message
    assert found[0].message.endswith("use a Linux path such as `/Program Files/app`")
    assert "`D:\\tools\\bin dir`" in found[1].message


def test_an_unquoted_path_ends_at_the_space() -> None:
    [finding] = hits("FROM alpine:3.20\nENV TOOLS=D:\\tools\\bin OTHER=1\n")
    assert (finding.line, finding.column, finding.end_column) == (2, 11, 23)
    assert "`D:\\tools\\bin` is a Windows path" in finding.message
