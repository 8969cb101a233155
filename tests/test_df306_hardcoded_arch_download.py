from __future__ import annotations

from conftest import lint

from dflint.core.findings import Finding

CODE = "DF306"


def hits(text: str, path: str = "Dockerfile", platforms: tuple[str, ...] = ()) -> list[Finding]:
    return [f for f in lint(text, path, platforms, select=(CODE,)) if f.code == CODE]


def test_literal_in_a_download_url() -> None:
    text = "FROM debian\nRUN curl -fsSLo /usr/bin/yq https://x.example/v4/yq_linux_amd64\n"
    [finding] = hits(text)
    assert (finding.line, finding.column, finding.end_column) == (2, 59, 64)
    assert "`amd64`" in finding.message and "linux/arm64" in finding.message
    assert finding.platform == "linux/arm64"


def test_fix_uses_targetarch_and_declares_it() -> None:
    text = "FROM debian\nRUN curl -fsSLo /usr/bin/yq https://x.example/v4/yq_linux_amd64\n"
    [finding] = hits(text)
    fix = finding.fix
    assert fix is not None and not fix.safe  # the vendor's other asset names are a guess
    replace, declare = fix.edits
    assert (replace.line, replace.column, replace.end_column) == (2, 59, 64)
    assert replace.replacement == "${TARGETARCH}"
    assert (declare.line, declare.column, declare.replacement) == (1, 12, "\nARG TARGETARCH")


def test_fix_for_uname_style_names() -> None:
    text = "FROM debian\nARG TARGETARCH\nRUN curl -o d.tgz https://x.example/d_Linux_x86_64.tgz\n"
    [finding] = hits(text)
    assert finding.fix is not None
    [edit] = finding.fix.edits  # TARGETARCH is not needed: uname -m names it the same way
    assert edit.replacement == "$(uname -m)"


def test_no_fix_inside_single_quotes_or_for_vendor_spellings() -> None:
    [quoted] = hits("FROM debian\nRUN curl -o f 'https://x.example/f-amd64.tgz'\n")
    assert quoted.fix is None
    [x64] = hits("FROM debian\nRUN curl -o n.tgz https://x.example/node-v20-linux-x64.tgz\n")
    assert x64.fix is None
    assert "case" in x64.message


def test_arch_dispatch_on_dpkg_makes_literals_correct() -> None:
    text = (
        "FROM debian\n"
        'RUN dpkgArch="$(dpkg --print-architecture)"; \\\n'
        '    case "${dpkgArch##*-}" in \\\n'
        "      amd64) url='https://x.example/t-amd64.tgz' ;; \\\n"
        "      arm64) url='https://x.example/t-arm64.tgz' ;; \\\n"
        "      *) echo >&2 unsupported; exit 1 ;; \\\n"
        "    esac; \\\n"
        '    curl -o t.tgz "$url"\n'
    )
    assert hits(text) == []


def test_other_dispatch_forms() -> None:
    dispatches = [
        'case "$(apk --print-arch)" in x86_64) curl -O https://x.example/a-x86_64.tgz ;; esac',
        'if [ "$(uname -m)" = x86_64 ]; then curl -O https://x.example/a-amd64.tgz; fi',
        '[ "$TARGETARCH" = amd64 ] && curl -O https://x.example/a-amd64.tgz',
        "case \"$(rpm --query --queryformat='%{ARCH}' rpm)\" in "
        "x86_64) curl -O https://x.example/a-x86_64.rpm ;; esac",
        'ARCH=$(uname -m); if [ "$ARCH" = aarch64 ]; then curl -O https://x.example/a-arm64; fi',
        'x=$(if [ "$(dpkg --print-architecture)" = amd64 ]; then echo linux64; '
        'else echo linux-aarch64; fi); curl -O "https://x.example/$x.zip"',
    ]
    for line in dispatches:
        assert hits(f"FROM debian\nARG TARGETARCH\nRUN {line}\n") == [], line


def test_sequencing_is_not_a_dispatch() -> None:
    # `a && b` only sequences: a detected arch before it does not make a literal correct
    text = (
        "FROM debian\nRUN arch=$(dpkg --print-architecture) && curl -O https://x.example/t_amd64\n"
    )
    assert len(hits(text)) == 1


def test_arg_default_used_in_a_download() -> None:
    text = (
        "FROM ubuntu:22.04\n"
        "ARG PS_VERSION=7.4.0\n"
        "ARG PS_PACKAGE=powershell_${PS_VERSION}-1.deb_amd64.deb\n"
        "ARG PS_URL=https://x.example/v${PS_VERSION}/${PS_PACKAGE}\n"
        "RUN curl -sSL ${PS_URL} -o /tmp/powershell.deb\n"
    )
    [finding] = hits(text)
    assert finding.line == 3  # reported where the literal is written
    assert "ARG PS_PACKAGE" in finding.message


def test_a_global_arg_default_a_stage_takes_is_reported_where_it_is_written() -> None:
    # the stage's `ARG ARCH` has no value of its own: the global ARG's default is the one the
    # download gets, on every platform
    text = (
        "ARG ARCH=amd64\n"
        "FROM debian:bookworm\n"
        "ARG ARCH\n"
        "RUN curl -fsSL https://x.example/tool-linux-$ARCH.tar.gz | tar -xz\n"
    )
    [finding] = hits(text)
    assert (finding.line, finding.column, finding.end_column) == (1, 10, 15)
    assert finding.message.startswith("ARG ARCH (used by a download) names `amd64`")
    assert finding.fix is not None
    assert [(e.line, e.column, e.replacement) for e in finding.fix.edits] == [
        (1, 10, "${TARGETARCH}")
    ]


def test_env_value_used_in_a_download() -> None:
    text = (
        "FROM debian\n"
        "ENV BUILDKIT_FILENAME=buildkit-v0.12.linux-amd64.tar.gz\n"
        "RUN curl -sSL https://x.example/${BUILDKIT_FILENAME} | tar -xz\n"
    )
    [finding] = hits(text)
    assert (finding.line, finding.column) == (2, 44)


def test_unused_arg_with_a_literal_is_not_reported() -> None:
    assert hits("FROM debian\nARG FILE=tool_amd64.deb\nRUN echo hello\n") == []


def test_shell_variable_hard_set_to_an_arch() -> None:
    text = (
        "FROM registry.access.redhat.com/ubi8/ubi-minimal\n"
        "RUN consulArch=amd64 && \\\n"
        "    wget https://x.example/consul_1.0_linux_${consulArch}.zip\n"
    )
    [finding] = hits(text)
    assert (finding.line, finding.column) == (2, 16)
    assert "`consulArch`" in finding.message


def test_apt_source_pinned_to_one_arch() -> None:
    text = (
        "FROM ubuntu\n"
        'RUN echo "deb [arch=amd64] https://download.example/linux/ubuntu jammy stable" '
        "> /etc/apt/sources.list.d/x.list\n"
    )
    assert len(hits(text)) == 1


def test_add_url_and_copy_source() -> None:
    assert len(hits("FROM alpine\nADD https://x.example/t_linux_amd64.tgz /tmp/\n")) == 1
    text = "FROM alpine\nARG ARCH=amd64\nCOPY .build/linux-${ARCH}/app /bin/app\n"
    [finding] = hits(text)
    assert finding.line == 2 and "COPY source" in finding.message


def test_windows_only_files_and_stages_are_not_judged() -> None:
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        'SHELL ["powershell", "-Command"]\n'
        "RUN Invoke-WebRequest https://x.example/tool-windows-amd64.zip -OutFile t.zip\n"
    )
    assert hits(text) == []


def test_per_arch_files_are_not_judged() -> None:
    text = "FROM debian\nRUN curl -O https://x.example/t_linux_amd64.tgz\n"
    assert hits(text, path="Dockerfile.amd64") == []
    assert hits(text, path="amd64/Dockerfile") == []


def test_a_single_target_architecture_is_intended() -> None:
    text = "FROM debian\nRUN curl -O https://x.example/t_linux_amd64.tgz\n"
    assert hits(text, platforms=("linux/amd64",)) == []
    assert len(hits(text, platforms=("linux/arm64",))) == 1


def test_non_download_uses_are_not_reported() -> None:
    text = (
        "FROM debian\n"
        "RUN dpkg --add-architecture i386 && apt-get install -y libc6:i386 "
        "gcc-aarch64-linux-gnu\n"
    )
    assert hits(text) == []


def test_a_stage_pinned_by_a_constant_platform_is_intended() -> None:
    text = (
        "FROM --platform=linux/amd64 debian AS tools\n"
        "RUN curl -O https://x.example/t_linux_amd64.tgz\n"
    )
    assert hits(text) == []


def test_other_casings_get_no_fix() -> None:
    [finding] = hits("FROM debian\nRUN curl -O https://x.example/T_Linux_AMD64.tgz\n")
    assert finding.fix is None


def test_heredoc_scripts() -> None:
    text = (
        "FROM debian\n"
        "RUN <<EOF\n"
        "set -e\n"
        "curl -fsSLo /usr/bin/tool https://x.example/tool_linux_amd64\n"
        "EOF\n"
    )
    [finding] = hits(text)
    assert (finding.line, finding.column) == (4, 56)


def test_a_stage_pinned_to_a_variant_or_another_spelling_is_intended() -> None:
    # the stage runs on linux/arm/v7 only: its armv7 (armhf) download is the right one
    for platform, token in (
        ("linux/arm/v7", "armv7"),
        ("linux/arm", "armhf"),
        ("linux/x86_64", "amd64"),
        ("linux/aarch64", "arm64"),
    ):
        text = (
            f"FROM --platform={platform} debian AS tools\n"
            f"RUN curl -O https://x.example/t_linux_{token}.tgz\n"
            "FROM alpine\nCOPY --from=tools /t /t\n"
        )
        assert hits(text) == [], platform


def test_the_message_says_what_the_fix_does() -> None:
    text = "FROM debian\nRUN curl -fsSLo /usr/bin/yq https://x.example/v4/yq_linux_amd64\n"
    [finding] = hits(text)
    assert finding.message == (
        "The download URL names `amd64`: every platform gets the amd64 build, but the targets "
        "include linux/arm64; use `${TARGETARCH}` and declare `ARG TARGETARCH` in the stage"
    )
    # `$(uname -m)` needs no ARG: the hint stops at the replacement
    text = "FROM debian\nRUN curl -o d.tgz https://x.example/d_Linux_x86_64.tgz\n"
    [uname] = hits(text)
    assert uname.fix is not None and len(uname.fix.edits) == 1
    assert uname.fix.edits[0].replacement == "$(uname -m)"
    assert uname.message.endswith("but the targets include linux/arm64; use `$(uname -m)`")


def test_fix_declares_targetarch_only_where_the_stage_lacks_it() -> None:
    declared = "FROM debian\nARG TARGETARCH\nRUN curl -O https://x.example/t_linux_amd64.tgz\n"
    [finding] = hits(declared)
    assert finding.fix is not None
    [edit] = finding.fix.edits
    assert (edit.line, edit.column, edit.replacement) == (3, 39, "${TARGETARCH}")
    assert finding.message.endswith("; use `${TARGETARCH}`")
    # a global ARG is not seen inside the stage: the stage must still declare it
    text = "ARG TARGETARCH\nFROM debian\nRUN curl -O https://x.example/t_linux_amd64.tgz\n"
    [finding] = hits(text)
    assert finding.fix is not None
    replace, declare = finding.fix.edits
    assert (replace.line, replace.replacement) == (3, "${TARGETARCH}")
    assert (declare.line, declare.column, declare.replacement) == (2, 12, "\nARG TARGETARCH")


def test_a_value_used_by_several_instructions_is_reported_once() -> None:
    text = (
        "FROM debian\n"
        "ARG PKG=tool_1.2_amd64.deb\n"
        "RUN curl -fsSLO https://x.example/${PKG}\n"
        "RUN dpkg -i ${PKG} && rm ${PKG}\n"
    )
    [finding] = hits(text)
    assert (finding.line, finding.column) == (2, 18)
    assert "`amd64`" in finding.message


def test_a_literal_of_another_arch_than_the_files_own_is_left_to_df311() -> None:
    # arm64v8/debian says the file is for arm64: DF311 reports the amd64 download
    text = "FROM arm64v8/debian\nRUN curl -O https://x.example/t_linux_amd64.tgz\n"
    assert [(f.code, f.line, f.column) for f in lint(text) if f.code in ("DF306", "DF311")] == [
        ("DF311", 2, 39)
    ]
    assert len(hits(text)) == 1  # alone, DF306 still reports it
    # only that literal: another one on the same line stays DF306's
    text = (
        "FROM arm64v8/debian\n"
        "RUN curl -O https://x.example/a_arm64.tgz && curl -O https://x.example/b_amd64.tgz\n"
    )
    found = [(f.code, f.line, f.column) for f in lint(text) if f.code in ("DF306", "DF311")]
    assert sorted(found) == [("DF306", 2, 33), ("DF311", 2, 74)]


def test_targets_with_a_variant_are_matched_whole() -> None:
    text = "FROM debian\nRUN curl -O https://x.example/t_linux_armv7.tgz\n"
    assert hits(text, platforms=("linux/arm/v7",)) == []
    [finding] = hits(text, platforms=("linux/arm/v7", "linux/arm/v6", "linux/amd64"))
    assert (finding.line, finding.column) == (2, 39)
    expected = (
        "every platform gets the arm/v7 build, but the targets include linux/arm/v6, linux/amd64;"
    )
    assert expected in finding.message
    assert finding.platform == "linux/arm/v6,linux/amd64"


def test_an_archive_unpacked_under_sudo() -> None:
    text = "FROM debian\nRUN sudo tar -xzf /tmp/tool-linux-amd64.tar.gz -C /usr/local\n"
    [finding] = hits(text)
    assert (finding.line, finding.column, finding.end_column) == (2, 35, 40)


def test_a_folder_on_the_image_is_said_not_to_exist_elsewhere() -> None:
    # a link into Debian's amd64 multiarch folder, a file copied out of a build stage's:
    # on arm64 the folder is aarch64-linux-gnu, so the link dangles and the COPY fails
    text = (
        "FROM debian:bookworm AS build\n"
        "RUN ln -s /usr/lib/x86_64-linux-gnu/libz.so.1 /usr/lib/libz.so.1\n"
        "FROM debian:bookworm\n"
        "COPY --from=build /usr/lib/x86_64-linux-gnu/libz.so.1 /usr/lib/\n"
    )
    link, copy = hits(text)
    assert (link.line, link.column, link.end_column) == (2, 20, 26)
    assert link.message == (
        "The path names `x86_64`, the amd64 folder: built for linux/arm64 it does not exist "
        "(that architecture's files are in its own); use `$(uname -m)`"
    )
    assert (copy.line, copy.column) == (4, 28)
    assert copy.message.startswith("The source path names `x86_64`, the amd64 folder: built")


def test_an_architecture_in_a_file_name_is_still_the_build_every_platform_gets() -> None:
    # the last part of a path is the downloaded file, and a context path is the user's file
    text = (
        "FROM debian:bookworm\n"
        "RUN tar -xzf /tmp/tool-linux-amd64.tar.gz -C /opt\n"
        "COPY /dist/x86_64/tool /usr/bin/tool\n"
    )
    found = hits(text)
    assert [f.line for f in found] == [2, 3]
    for finding in found:
        assert ": every platform gets the amd64 build, but the targets include linux/arm64; " in (
            finding.message
        )
