from __future__ import annotations

from conftest import lint, span

from dflint.core.findings import Finding

CODE = "DF310"


def hits(text: str) -> list[Finding]:
    return [f for f in lint(text, select=(CODE,)) if f.code == CODE]


def test_bash_on_alpine() -> None:
    [finding] = hits('FROM alpine:3.20\nENTRYPOINT ["/bin/bash", "-c", "exec app"]\n')
    assert span(finding) == (2, 1, 2, 43)
    assert "`/bin/bash` is not in this stage's base `alpine:3.20`" in finding.message
    assert "apk add --no-cache bash" in finding.message


def test_installed_bash_is_fine() -> None:
    text = 'FROM alpine:3.20\nRUN apk add --no-cache bash\nSHELL ["/bin/bash", "-c"]\n'
    assert hits(text) == []
    assert hits('FROM bash:5.2\nCMD ["bash", "-c", "echo hi"]\n') == []


def test_shells_on_distroless_and_scratch() -> None:
    text = 'FROM gcr.io/distroless/static-debian12\nCMD ["/bin/sh", "-c", "app"]\n'
    assert len(hits(text)) == 1
    [shell_form] = hits("FROM scratch\nCOPY app /app\nRUN chmod +x /app\n")
    assert "shell form" in shell_form.message
    assert hits('FROM scratch\nCOPY app /app\nENTRYPOINT ["/app"]\n') == []


def test_windows_shells() -> None:
    assert (
        len(hits('FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCMD ["bash", "-c", "x"]\n'))
        == 1
    )
    nano = 'FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nSHELL ["powershell", "-Command"]\n'
    [finding] = hits(nano)
    assert "Nano Server" in finding.message
    # Nano Server 2016 still had PowerShell
    old = nano.replace("ltsc2022", "10.0.14393.2068")
    assert hits(old) == []


def test_windows_shells_on_linux() -> None:
    [finding] = hits('FROM debian\nCMD ["powershell", "-Command", "x"]\n')
    assert "pwsh" in finding.message
    assert len(hits('FROM debian\nCMD ["cmd", "/S", "/C", "dir"]\n')) == 1


def test_present_shells_are_fine() -> None:
    text = (
        'FROM debian\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
        'FROM alpine\nCMD ["/bin/sh", "-c", "x"]\n'
        'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command"]\n'
        'FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nSHELL ["cmd", "/S", "/C"]\n'
        'FROM ubuntu\nCMD ["pwsh", "-c", "x"]\n'
    )
    assert hits(text) == []


def test_unknown_bases_are_not_guessed() -> None:
    assert hits('ARG BASE\nFROM ${BASE}\nCMD ["/bin/bash", "-c", "x"]\n') == []


def test_why_each_linux_base_lacks_the_shell_and_what_to_use() -> None:
    [busybox] = hits('FROM busybox:1.36\nCMD ["bash", "-c", "exec app"]\n')
    assert busybox.message.endswith(
        "(busybox images have ash and sh only): "
        "use `/bin/sh`, or start from alpine and install it (`apk add --no-cache bash`)"
    )
    [zsh] = hits('FROM debian:bookworm\nCMD ["zsh", "-c", "exec app"]\n')
    assert span(zsh) == (2, 1, 2, 30)
    assert zsh.message.endswith("(debian images have bash and dash and sh only): use `/bin/sh`")
    [distroless] = hits('FROM gcr.io/distroless/static-debian12\nCMD ["sh", "-c", "app"]\n')
    assert distroless.message.endswith(
        "(distroless images have no shell): "
        "run the program directly in exec form, or use a `:debug` or full base image"
    )
    [windows] = hits('FROM debian\nCMD ["cmd", "/S", "/C", "dir"]\n')
    assert windows.message.endswith(
        "(Linux has no cmd or Windows PowerShell; PowerShell for Linux is pwsh): "
        'use `["/bin/sh", "-c", …]` (or install PowerShell and run `pwsh`)'
    )


def test_why_each_windows_base_lacks_the_shell_and_what_to_use() -> None:
    servercore = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
    for shell in ("bash", "zsh"):  # any POSIX shell: cmd and PowerShell are the way here
        [finding] = hits(servercore + f'CMD ["{shell}", "-c", "x"]\n')
        assert finding.message.endswith(
            "(Windows has no POSIX shell unless one is installed): "
            'use `["cmd", "/S", "/C", …]` or `["powershell", "-Command", …]`'
        )
    nano = "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022 AS base\n"
    # a stage built on a Nano Server stage is judged by the Nano Server build at the root
    [finding] = hits(nano + 'FROM base\nSHELL ["powershell", "-Command"]\n')
    assert span(finding) == (3, 1, 3, 33)
    assert finding.message.endswith(
        "(Nano Server has had no Windows PowerShell since 1709): "
        'use `["cmd", "/S", "/C", …]`, or a Server Core base for Windows PowerShell'
    )
    old = nano.replace("ltsc2022", "10.0.14393.2068")
    assert hits(old + 'FROM base\nSHELL ["powershell", "-Command"]\n') == []
    # the build comes from the ARG's value
    version = "ARG WINDOWS_VERSION=ltsc2022\n" + nano.replace("ltsc2022", "${WINDOWS_VERSION}")
    [finding] = hits(version + 'FROM base\nSHELL ["powershell", "-Command"]\n')
    assert "Nano Server has had no Windows PowerShell" in finding.message


def test_a_shell_at_a_windows_path_was_put_there_by_the_author() -> None:
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        'SHELL ["C:/Program Files/Git/bin/bash.exe", "-c"]\n'
        'RUN ["C:\\\\tools\\\\msys64\\\\usr\\\\bin\\\\bash.exe", "-lc", "make"]\n'
    )
    assert hits(text) == []


def test_programs_that_are_not_shells_are_left_alone() -> None:
    assert hits('FROM debian\nCMD ["/usr/local/bin/myapp", "--serve"]\n') == []
    assert hits('FROM gcr.io/distroless/static-debian12\nENTRYPOINT ["/app"]\n') == []
    # `ENTRYPOINT []` and `CMD []` reset what the base set: no program at all
    assert hits("FROM alpine:3.20\nENTRYPOINT []\nCMD []\n") == []


def test_healthcheck() -> None:
    exec_form = 'FROM alpine:3.20\nHEALTHCHECK --interval=30s CMD ["/bin/bash", "-c", "x"]\n'
    [finding] = hits(exec_form)
    assert span(finding) == (2, 1, 2, 56)
    assert "`/bin/bash` is not in this stage's base `alpine:3.20`" in finding.message
    distroless = "FROM gcr.io/distroless/static-debian12\nCOPY app /app\n"
    # shell form is CMD-SHELL: the container runs it with /bin/sh -c, and is never healthy
    [shell_form] = hits(distroless + "HEALTHCHECK --interval=30s CMD /app healthcheck\n")
    assert span(shell_form) == (3, 1, 3, 48)
    assert "`/bin/sh (shell form)` is not in this stage's base" in shell_form.message
    assert hits(distroless + 'HEALTHCHECK CMD ["/app", "healthcheck"]\n') == []
    assert hits(distroless + "HEALTHCHECK NONE\n") == []


def test_a_shell_line_takes_over_the_shell_form_after_it() -> None:
    shell = 'SHELL ["/busybox/sh", "-c"]\n'
    # the SHELL line is the one reported; the RUN after it is its consequence
    [finding] = hits("FROM scratch\n" + shell + "RUN echo hi\n")
    assert span(finding) == (2, 1, 2, 28)
    assert "`/busybox/sh` is not in this stage's base `scratch`" in finding.message
    # a SHELL line after the RUN does not change what the RUN ran with
    before, after = hits("FROM scratch\nRUN echo hi\n" + shell)
    assert (before.line, after.line) == (2, 3)
    assert "`/bin/sh (shell form)`" in before.message


def test_shells_brought_in_before_the_instruction() -> None:
    # BusyBox is sh
    assert hits("FROM scratch\nCOPY --from=busybox:1.36-musl /bin/ /bin/\nRUN echo hi\n") == []
    # an install in the stage it builds on counts
    parent = "FROM alpine:3.20 AS base\nRUN apk add --no-cache bash\n"
    assert hits(parent + 'FROM base\nSHELL ["/bin/bash", "-c"]\n') == []
    # one after it comes too late
    late = 'FROM alpine:3.20\nSHELL ["/bin/bash", "-c"]\nRUN apk add --no-cache bash\n'
    [finding] = hits(late)
    assert span(finding) == (2, 1, 2, 26)


def test_a_base_chosen_by_an_arg_is_judged_by_its_value() -> None:
    assert hits('ARG BASE=bash:5.2\nFROM ${BASE}\nCMD ["bash", "-c", "x"]\n') == []
    [finding] = hits('ARG TAG=3.20\nFROM alpine:${TAG}\nCMD ["bash", "-c", "x"]\n')
    assert "`bash` is not in this stage's base `alpine:3.20`" in finding.message


def test_the_busybox_of_distroless_debug_images() -> None:
    """`:debug` tags have BusyBox in /busybox, on PATH, and no /bin/sh."""
    debug = "FROM gcr.io/distroless/base-debian12:debug\n"
    assert hits(debug + 'ENTRYPOINT ["/busybox/sh", "-c", "exec app"]\n') == []
    assert hits(debug.replace("debug", "debug-nonroot", 1) + 'CMD ["sh", "-c", "app"]\n') == []
    assert hits(debug + 'SHELL ["/busybox/sh", "-c"]\nRUN mkdir /data\n') == []
    [absolute] = hits(debug + 'CMD ["/bin/sh", "-c", "app"]\n')
    assert "`/bin/sh` is not in this stage's base" in absolute.message
    [shell_form] = hits(debug + "RUN mkdir /data\n")
    assert "`/bin/sh (shell form)`" in shell_form.message
    [bash] = hits(debug + 'CMD ["bash", "-c", "app"]\n')  # BusyBox has no bash
    assert "`bash` is not in this stage's base" in bash.message
    plain = 'FROM gcr.io/distroless/base-debian12\nENTRYPOINT ["/busybox/sh", "-c", "app"]\n'
    assert len(hits(plain)) == 1
