from __future__ import annotations

from conftest import lint, span

from dflint.core.findings import Finding

CODE = "DF206"


def hits(text: str) -> list[Finding]:
    return [f for f in lint(text, select=(CODE,)) if f.code == CODE]


def test_copy_from_a_linux_stage_into_a_windows_stage() -> None:
    text = (
        "FROM golang:1.23-alpine AS build\n"
        "RUN go build -o /out/app.exe .\n"
        "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n"
        "COPY --from=build /out/app.exe C:/app/app.exe\n"
    )
    [finding] = hits(text)
    assert span(finding) == (4, 1, 4, 46)  # the COPY
    assert "copies from stage `build`, which is linux" in finding.message
    assert "$BUILDPLATFORM" in finding.message


def test_mount_from_a_windows_stage_into_a_linux_stage() -> None:
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS win\n"
        "FROM debian\n"
        "RUN --mount=type=bind,from=win,target=/w ls /w\n"
    )
    assert [f.line for f in hits(text)] == [3]


def test_an_explicit_platform_makes_it_a_cross_build() -> None:
    text = (
        "FROM --platform=$BUILDPLATFORM golang:1.23-alpine AS build\n"
        "RUN go build -o /out/app.exe .\n"
        "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n"
        "COPY --from=build /out/app.exe C:/app/app.exe\n"
    )
    assert hits(text) == []


def test_multi_os_tags_are_not_judged() -> None:
    # golang:1.23 is a Windows image on a Windows host
    text = (
        "FROM golang:1.23 AS build\n"
        "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n"
        "COPY --from=build /go/bin/app.exe C:/app.exe\n"
    )
    assert hits(text) == []


def test_windows_versions_that_both_run_commands() -> None:
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2019 AS download\n"
        "RUN echo download\n"
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "RUN echo install\n"
    )
    [finding] = hits(text)
    assert finding.line == 3
    assert "ltsc2022" in finding.message and "ltsc2019" in finding.message


def test_same_build_under_two_names_is_fine() -> None:
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2019 AS download\n"
        "RUN echo download\n"
        "FROM mcr.microsoft.com/windows/nanoserver:1809\n"
        "COPY --from=download C:/x C:/x\n"
        "RUN echo done\n"
    )
    assert hits(text) == []


LTSC2022_RUNS = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN echo install\n"


def test_a_windows_stage_without_run_may_be_another_build() -> None:
    # only stages that run commands need the host's Windows build
    text = "FROM mcr.microsoft.com/windows/servercore:ltsc2019 AS files\nCOPY x y\n"
    assert hits(text + LTSC2022_RUNS) == []


def test_a_windows_stage_with_its_own_platform_is_not_compared() -> None:
    text = (
        "FROM --platform=windows/amd64 mcr.microsoft.com/windows/servercore:ltsc2019 AS a\n"
        "RUN echo download\n"
    )
    assert hits(text + LTSC2022_RUNS) == []


def test_a_windows_stage_of_an_unknown_build_is_not_compared() -> None:
    text = 'FROM example.com/win:1\nSHELL ["powershell", "-Command"]\nRUN echo download\n'
    assert hits(text + LTSC2022_RUNS) == []


def test_a_copying_stage_on_a_multi_os_tag_is_not_judged() -> None:
    # golang:1.23 copying from a Windows stage is itself a Windows image on a Windows host
    text = (
        "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022 AS win\n"
        "FROM golang:1.23\n"
        "COPY --from=win C:/app.exe /app.exe\n"
    )
    assert hits(text) == []


def test_a_copying_stage_with_its_own_platform_is_a_cross_build() -> None:
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS win\n"
        "FROM --platform=linux/amd64 debian\n"
        "RUN --mount=type=bind,from=win,target=/w ls /w\n"
    )
    assert hits(text) == []


def test_only_the_from_key_of_a_mount_names_a_stage() -> None:
    # `id=win` names a cache, not the Windows stage `win`
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS win\n"
        "FROM debian\n"
        "RUN --mount=type=cache,id=win,target=/cache ls /cache\n"
    )
    assert hits(text) == []
    [finding] = hits(text.replace("id=win", "id=x,FROM=win"))
    assert span(finding) == (3, 1, 3, 61)  # BuildKit reads mount keys in any case
    assert "this linux stage copies from stage `win`, which is windows" in finding.message
