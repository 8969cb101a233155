"""DF314: downloads named for the build machine in the image's own stages."""

from __future__ import annotations

from pathlib import Path

from conftest import codes, dflint_cli, lint, span, write_file

TEXT = (
    "FROM alpine:3.20\n"
    "ARG BUILDARCH\n"
    'RUN wget -O /usr/local/bin/tool "https://example.com/tool-linux-${BUILDARCH}"\n'
)


def test_final_stage_download_named_with_buildarch() -> None:
    [finding] = [f for f in lint(TEXT) if f.code == "DF314"]
    assert span(finding) == (3, 33, 3, 78)  # the quoted URL
    assert finding.message == (
        '`"https://example.com/tool-linux-${BUILDARCH}"` is named with $BUILDARCH, the build '
        "machine's, but stage 0 is the image: built on amd64 for linux/arm64 it gets the "
        "amd64 file; name it with $TARGETARCH (or $TARGETOS, $TARGETPLATFORM)"
    )
    assert finding.severity.value == "error"


def test_through_an_arg_a_shell_variable_and_add() -> None:
    text = (
        "FROM alpine:3.20 AS base\n"
        "ARG BUILDPLATFORM\n"
        "ARG ASSET=tool-${BUILDPLATFORM}.tgz\n"
        "ADD https://example.com/${ASSET} /tmp/\n"
        "FROM base\n"
        "ARG BUILDARCH\n"
        'RUN a="$BUILDARCH"; curl -o /t "https://example.com/t-$a"\n'
    )
    assert [(f.line, f.code) for f in lint(text) if f.code == "DF314"] == [
        (4, "DF314"),
        (7, "DF314"),
    ]


def test_stages_only_copied_from_and_target_names_are_fine() -> None:
    copied = (
        "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\n"
        "ARG BUILDARCH TARGETARCH\n"
        "RUN curl -o /protoc.zip https://example.com/protoc-linux-${BUILDARCH}.zip\n"
        "RUN GOARCH=$TARGETARCH go build -o /app .\n"
        "FROM alpine:3.20\nCOPY --from=build /app /app\n"
    )
    assert "DF314" not in codes(copied)
    assert "DF314" not in codes(TEXT.replace("BUILDARCH", "TARGETARCH"))


def test_fix_names_the_target(tmp_path: Path) -> None:
    path = write_file(tmp_path, "repo/Dockerfile", TEXT)
    code, _, err = dflint_cli("fix", "--multiarch", "--no-config", "--write", str(path))
    assert code == 1, err
    assert path.read_text() == (
        "FROM alpine:3.20\nARG TARGETARCH\n"
        "ARG BUILDARCH\n"
        'RUN wget -O /usr/local/bin/tool "https://example.com/tool-linux-${TARGETARCH}"\n'
    )


def test_a_heredoc_script_is_read() -> None:
    text = (
        "FROM alpine:3.20\n"
        "ARG BUILDARCH\n"
        "ARG ASSET=tool-linux-${BUILDARCH}\n"
        "RUN <<EOF\n"
        "wget -O /usr/local/bin/tool https://example.com/tool-linux-${BUILDARCH}\n"
        "wget -O /usr/local/bin/other https://example.com/${ASSET}\n"
        "EOF\n"
    )
    found = [(span(f), f.message.split(",")[0]) for f in lint(text) if f.code == "DF314"]
    assert found == [
        ((5, 29, 5, 72), "`https://example.com/tool-linux-${BUILDARCH}` is named with $BUILDARCH"),
        (
            (6, 30, 6, 58),
            "`https://example.com/${ASSET}` is named with a variable set from $BUILDARCH or "
            "another BUILD argument",
        ),
    ]


def test_through_an_arg_in_run_the_variable_is_named_and_not_fixed() -> None:
    text = (
        "FROM alpine:3.20\n"
        "ARG BUILDARCH\n"
        "ARG ASSET=tool-linux-${BUILDARCH}\n"
        "RUN wget -O /usr/local/bin/tool https://example.com/${ASSET}\n"
    )
    [finding] = [f for f in lint(text) if f.code == "DF314"]
    assert span(finding) == (4, 33, 4, 61)
    assert finding.message.startswith(
        "`https://example.com/${ASSET}` is named with a variable set from $BUILDARCH or "
        "another BUILD argument, the build machine's, but stage 0 is the image"
    )
    assert finding.fix is None  # the author must change where ASSET is set


def test_one_finding_per_command_at_its_first_download_word() -> None:
    text = (
        "FROM alpine:3.20\n"
        "ARG BUILDARCH\n"
        "RUN curl -fsSLo /tmp/tool-${BUILDARCH}.tgz https://example.com/tool-${BUILDARCH}.tgz"
        " && tar -xzf /tmp/tool-${BUILDARCH}.tgz -C /usr/local/bin\n"
    )
    found = [(span(f), f.message.split("`")[1]) for f in lint(text) if f.code == "DF314"]
    assert found == [
        ((3, 17, 3, 43), "/tmp/tool-${BUILDARCH}.tgz"),
        ((3, 98, 3, 124), "/tmp/tool-${BUILDARCH}.tgz"),
    ]


def test_add_reports_each_source_named_for_the_build_machine() -> None:
    text = (
        "FROM alpine:3.20\n"
        "ARG BUILDARCH\n"
        "ADD https://example.com/tool-${BUILDARCH}.tgz /tmp/\n"
        "ADD config.json https://example.com/lib-${BUILDARCH}.tgz /opt/\n"
    )
    found = [(span(f), f.message.split("`")[1]) for f in lint(text) if f.code == "DF314"]
    assert found == [
        ((3, 5, 3, 46), "https://example.com/tool-${BUILDARCH}.tgz"),
        ((4, 17, 4, 57), "https://example.com/lib-${BUILDARCH}.tgz"),
    ]


def test_stages_not_built_for_the_target_are_not_judged() -> None:
    windows = (
        "# escape=`\n"
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "ARG BUILDARCH\n"
        "ADD https://example.com/tool-${BUILDARCH}.zip C:/tools/\n"
    )
    assert "DF314" not in codes(windows)  # Windows builds on the machine it targets
    on_build_platform = TEXT.replace("FROM ", "FROM --platform=$BUILDPLATFORM ")
    found = codes(on_build_platform)
    assert "DF208" in found and "DF314" not in found  # the whole stage is DF208's error


def test_what_is_not_a_download_in_a_posix_script_is_not_judged() -> None:
    label = (
        "FROM alpine:3.20\n"
        "ARG BUILDARCH BUILDPLATFORM\n"
        "LABEL org.example.build-arch=$BUILDARCH org.example.build-platform=$BUILDPLATFORM\n"
    )
    assert "DF314" not in codes(label)
    target_in_shell = (
        "FROM alpine:3.20\n"
        "ARG BUILDARCH TARGETARCH\n"
        'RUN arch="$TARGETARCH"; echo "building on $BUILDARCH for $arch";'
        ' wget -O /usr/local/bin/tool "https://example.com/tool-linux-$arch"\n'
    )
    assert "DF314" not in codes(target_in_shell)
    # in PowerShell `${BUILDARCH}` is a PowerShell variable, not the build argument
    pwsh = (
        "FROM mcr.microsoft.com/powershell:7.4-ubuntu-22.04\n"
        'SHELL ["pwsh", "-Command"]\n'
        "ARG BUILDARCH\n"
        'RUN Invoke-WebRequest -Uri "https://example.com/tool-linux-${BUILDARCH}"'
        " -OutFile /usr/local/bin/tool\n"
    )
    assert "DF314" not in codes(pwsh)


def test_fix_declares_each_target_argument_once() -> None:
    text = (
        "FROM alpine:3.20\n"
        "ARG BUILDOS BUILDARCH\n"
        "RUN wget -O /usr/local/bin/tool"
        " https://example.com/${BUILDARCH}/tool-${BUILDOS}-${BUILDARCH}\n"
    )
    [finding] = [f for f in lint(text) if f.code == "DF314"]
    edits = [(e.line, e.column, e.end_line, e.end_column, e.replacement) for e in finding.fix.edits]
    assert edits == [
        (3, 33, 3, 94, "https://example.com/${TARGETARCH}/tool-${TARGETOS}-${TARGETARCH}"),
        (1, 17, 1, 17, "\nARG TARGETARCH"),  # after the FROM line, once
        (1, 17, 1, 17, "\nARG TARGETOS"),
    ]
    declared = text.replace("ARG BUILDOS BUILDARCH", "ARG BUILDOS BUILDARCH TARGETOS TARGETARCH")
    [finding] = [f for f in lint(declared) if f.code == "DF314"]
    assert [e.replacement for e in finding.fix.edits] == [
        "https://example.com/${TARGETARCH}/tool-${TARGETOS}-${TARGETARCH}"
    ]


def test_no_fix_for_a_word_continued_over_lines() -> None:
    text = (
        "FROM alpine:3.20\n"
        "ARG BUILDARCH\n"
        'RUN wget "https://example.com/${BUILDARCH}/\\\n'
        'releases/download/v1.2.3/tool-linux.tar.gz"\n'
    )
    [finding] = [f for f in lint(text) if f.code == "DF314"]
    assert span(finding) == (3, 10, 4, 44)
    assert finding.fix is None
