"""DF316: an ENV path naming one architecture's folder."""

from __future__ import annotations

from conftest import lint

from dflint.core.findings import Finding

CODE = "DF316"


def hits(text: str, path: str = "Dockerfile", platforms: tuple[str, ...] = ()) -> list[Finding]:
    return [f for f in lint(text, path, platforms, select=(CODE,)) if f.code == CODE]


def test_java_home_library_path_and_path() -> None:
    text = (
        "FROM debian:bookworm\n"
        "ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 "
        "LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu\n"
        "ENV PATH=/opt/tool-linux-amd64/bin:$PATH\n"
        'ENV LIBS "/usr/lib/aarch64-linux-gnu"\n'
    )
    found = hits(text, platforms=("linux/amd64", "linux/arm64"))
    assert [(f.line, f.column, f.end_column) for f in found] == [
        (2, 44, 49),
        (2, 75, 81),
        (3, 26, 31),
        (4, 20, 27),
    ]
    assert found[0].message == (
        "ENV JAVA_HOME names `/usr/lib/jvm/java-17-openjdk-amd64`, the amd64 folder: built "
        "for linux/arm64 that folder has another name and does not exist; an ENV value cannot "
        "follow the platform, so name a link made in a RUN "
        "(`ln -s …${TARGETARCH}… …` after `ARG TARGETARCH`)"
    )
    assert found[2].message.startswith("ENV PATH names `/opt/tool-linux-amd64/bin`")
    # the kernel's spelling is what `uname -m` prints
    assert found[1].message.endswith("(`ln -s …$(uname -m)… …`)")
    assert found[3].platform == "linux/amd64" and found[3].breaks


def test_lists_for_every_architecture_urls_and_file_names_are_fine() -> None:
    text = (
        "FROM debian:bookworm\n"
        "ENV LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu:/usr/lib/aarch64-linux-gnu\n"
        "ENV URL=https://example.com/x86_64/tool.tgz NAME=tool-amd64.tgz\n"
        "ENV JAVA_HOME=/usr/lib/jvm/java-17\n"
    )
    assert hits(text, platforms=("linux/amd64", "linux/arm64")) == []


def test_pinned_build_platform_and_windows_stages_and_one_target_are_fine() -> None:
    text = (
        "FROM --platform=linux/amd64 debian:bookworm AS tools\n"
        "ENV LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu\n"
        "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\n"
        "ENV PATH=/opt/cross-x86_64/bin:$PATH\n"
        "FROM debian:bookworm\n"
        "ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64\n"
    )
    assert [f.line for f in hits(text, platforms=("linux/amd64", "linux/arm64"))] == [6]
    assert hits(text, platforms=("linux/amd64",)) == []
    windows = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nENV P=/x/amd64/bin\n"
    assert hits(windows) == []


def test_a_per_arch_file_may_name_its_own_architecture_only() -> None:
    text = "FROM debian:bookworm\nENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64\n"
    assert hits(text, path="Dockerfile.amd64") == []
    [finding] = hits(text, path="linux/arm64/Dockerfile")
    assert finding.message.startswith(
        "ENV JAVA_HOME names `/usr/lib/jvm/java-17-openjdk-amd64`, the amd64 folder: built "
        "for linux/arm64 that folder"
    )


def test_a_value_a_download_reads_is_reported_once_by_df306() -> None:
    text = (
        "FROM debian:bookworm\n"
        "ENV TOOL_DIR=/opt/tool-linux-amd64\n"
        "RUN curl -fsSL https://example.com/tool.tgz | tar -xz -C $TOOL_DIR\n"
    )
    found = lint(text, platforms=("linux/amd64", "linux/arm64"))
    assert [(f.code, f.line, f.column) for f in found] == [("DF306", 2, 30)]
    # without DF306 the path is still reported, by DF316
    [alone] = hits(text, platforms=("linux/amd64", "linux/arm64"))
    assert (alone.line, alone.column) == (2, 30)


def test_only_env_values_are_judged() -> None:
    # LABEL holds key=value pairs too, but nothing reads them as folders
    text = (
        "FROM debian:bookworm\n"
        "LABEL org.example.lib=/usr/lib/x86_64-linux-gnu\n"
        "ARG LIBDIR=/usr/lib/x86_64-linux-gnu\n"
    )
    assert hits(text, platforms=("linux/amd64", "linux/arm64")) == []


def test_a_copy_destination_in_one_architectures_folder() -> None:
    text = (
        "FROM debian:bookworm AS build\n"
        "RUN make libfoo.so\n"
        "FROM gcr.io/distroless/base-debian12\n"
        "COPY --from=build /src/libfoo.so /usr/lib/x86_64-linux-gnu/\n"
        'COPY ["libbar.so", "/usr/lib/aarch64-linux-gnu/libbar.so"]\n'
        "COPY --from=build /usr/lib/x86_64-linux-gnu/libz.so.1 /usr/lib/x86_64-linux-gnu/\n"
        "COPY app.conf /etc/app/\n"
    )
    found = hits(text, platforms=("linux/amd64", "linux/arm64"))
    assert [(f.line, f.column, f.end_column) for f in found] == [
        (4, 43, 49),
        (5, 30, 37),
        (6, 64, 70),
    ]
    assert found[0].message.startswith(
        "COPY puts files in `/usr/lib/x86_64-linux-gnu/`, the amd64 folder: built for "
        "linux/arm64 nothing looks there"
    )
    assert found[1].platform == "linux/amd64"
    assert found[0].message.endswith("(`mv … /usr/lib/$(uname -m)…`)")
    # with DF306 on, line 6's source is its finding, and one is enough for the line
    everything = lint(text, platforms=("linux/amd64", "linux/arm64"))
    assert sorted((f.code, f.line) for f in everything if f.line == 6) == [("DF306", 6)]


def test_an_env_that_takes_the_folder_from_an_arg_is_reported_where_it_is_written() -> None:
    text = (
        "ARG JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64\n"
        "FROM debian:bookworm\n"
        "ARG JAVA_HOME\n"
        "ARG LIBDIR=/usr/lib/x86_64-linux-gnu\n"
        "ENV JAVA_HOME=$JAVA_HOME\n"
        'ENV LD_LIBRARY_PATH=${LIBDIR} CPATH="${LIBDIR}/include"\n'
        "ENV AGAIN=$LIBDIR\n"
    )
    found = hits(text, platforms=("linux/amd64", "linux/arm64"))
    # the global ARG's default (the stage's `ARG JAVA_HOME` has none), then LIBDIR once
    assert [(f.line, f.column, f.end_column) for f in found] == [(1, 44, 49), (4, 21, 27)]
    assert found[1].message == (
        "ARG LIBDIR names `/usr/lib/x86_64-linux-gnu`, the amd64 folder, and ENV "
        "LD_LIBRARY_PATH on line 6 takes it: built for linux/arm64 that folder has another "
        "name and does not exist; an ENV value cannot follow the platform, so name a link "
        "made in a RUN (`ln -s …$(uname -m)… …`) and set the ARG to it"
    )
    assert found[0].platform == "linux/arm64" and found[0].breaks


def test_args_no_env_takes_or_that_fit_every_target_are_fine() -> None:
    text = (
        "FROM debian:bookworm\n"
        "ARG LIBDIR=/usr/lib/x86_64-linux-gnu\n"
        "ARG BOTH=/usr/lib/x86_64-linux-gnu:/usr/lib/aarch64-linux-gnu\n"
        "ARG TARGETARCH\n"
        "RUN ls $LIBDIR\n"  # a RUN is DF306's business
        "ENV ESCAPED=\\$LIBDIR LIBS=$BOTH ARCH=$TARGETARCH\n"
        "FROM --platform=linux/amd64 debian:bookworm AS tools\n"
        "ARG TOOLS=/usr/lib/x86_64-linux-gnu\n"
        "ENV LD_LIBRARY_PATH=$TOOLS\n"
    )
    assert hits(text, platforms=("linux/amd64", "linux/arm64")) == []


def test_an_arg_in_a_per_architecture_file_is_judged_against_the_file() -> None:
    text = (
        "FROM arm64v8/debian:bookworm\n"
        "ARG OWN=/usr/lib/aarch64-linux-gnu\n"
        "ARG OTHER=/usr/lib/x86_64-linux-gnu\n"
        "ENV A=$OWN B=$OTHER\n"
    )
    found = hits(text, path="arm64/Dockerfile")
    assert [(f.line, f.column) for f in found] == [(3, 20)]
    assert found[0].platform == "linux/arm64"


def test_a_global_arg_two_stages_take_is_reported_once() -> None:
    text = (
        "ARG LIBDIR=/usr/lib/x86_64-linux-gnu\n"
        "FROM debian:bookworm AS one\n"
        "ARG LIBDIR\n"
        "ENV LD_LIBRARY_PATH=$LIBDIR\n"
        "FROM debian:bookworm\n"
        "ARG LIBDIR\n"
        "ENV LD_LIBRARY_PATH=$LIBDIR\n"
    )
    found = hits(text, platforms=("linux/amd64", "linux/arm64"))
    assert [(f.line, f.column) for f in found] == [(1, 21)]
    assert "ENV LD_LIBRARY_PATH on line 4 takes it" in found[0].message


BOTH = ("linux/amd64", "linux/arm64")


def spans(text: str) -> list[tuple[int, int, int]]:
    """(line, column, end column) of each finding, for amd64 and arm64."""
    return [(f.line, f.column, f.end_column) for f in hits(text, platforms=BOTH)]


def test_an_arg_whose_value_is_built_from_another_is_reported_where_the_arch_is_written() -> None:
    # The default is `/usr/lib/x86_64-linux-gnu` once expanded, a text written nowhere: the
    # finding goes where `x86_64` is written, in LIBDIR's own line or in the ARG it takes
    built = (
        "FROM debian:bookworm\n"
        "ARG BASE=/usr/lib\n"
        "ARG LIBDIR=${BASE}/x86_64-linux-gnu\n"
        "ENV LD_LIBRARY_PATH=$LIBDIR\n"
    )
    assert spans(built) == [(3, 20, 26)]
    assert hits(built, platforms=BOTH)[0].message.startswith(
        "ARG LIBDIR names `/usr/lib/x86_64-linux-gnu`, the amd64 folder, and ENV "
        "LD_LIBRARY_PATH on line 4 takes it: built for linux/arm64"
    )
    inner = (
        "FROM debian:bookworm\n"
        "ARG ARCH=x86_64\n"
        "ARG LIBDIR=/usr/lib/${ARCH}-linux-gnu\n"
        "ENV LD_LIBRARY_PATH=$LIBDIR\n"
        "ENV AGAIN=$LIBDIR\n"
    )
    assert spans(inner) == [(2, 10, 16)]
    # through a stage's bare `ARG ARCH`, which takes the global ARG's default
    global_default = (
        "ARG ARCH=x86_64\n"
        "FROM debian:bookworm\n"
        "ARG ARCH\n"
        "ARG LIBDIR=/usr/lib/${ARCH}-linux-gnu\n"
        "ENV LD_LIBRARY_PATH=$LIBDIR\n"
    )
    assert spans(global_default) == [(1, 10, 16)]
    # two spellings of one architecture: reported where LIBDIR's own is written
    two_spellings = (
        "FROM debian:bookworm\n"
        "ARG BASE=/opt/amd64-tools\n"
        "ARG LIBDIR=${BASE}/x86_64-linux-gnu\n"
        "ENV LD_LIBRARY_PATH=$LIBDIR\n"
    )
    assert spans(two_spellings) == [(3, 20, 26)]
    # a chain longer than the ARGs followed: nothing reported, and nothing crashes
    chain = "FROM debian:bookworm\nARG A0=x86_64\n"
    chain += "".join(f"ARG A{i}=${{A{i - 1}}}\n" for i in range(1, 7))
    chain += "ARG LIBDIR=/usr/lib/${A6}-linux-gnu\nENV LD_LIBRARY_PATH=$LIBDIR\n"
    assert spans(chain) == []
    # built from the platform's own ARG: right on every target
    own = (
        "FROM debian:bookworm\n"
        "ARG TARGETARCH\n"
        "ARG LIBDIR=/usr/lib/${TARGETARCH}\n"
        "ENV LD_LIBRARY_PATH=$LIBDIR\n"
    )
    assert spans(own) == []


def test_the_length_or_the_indirection_of_an_arg_is_not_its_folder() -> None:
    text = (
        "FROM debian:bookworm\n"
        "ARG LIBDIR=/usr/lib/x86_64-linux-gnu\n"
        "ENV SIZE=${#LIBDIR} NAMED=${!LIBDIR}\n"
    )
    assert hits(text, platforms=("linux/amd64", "linux/arm64")) == []


def test_an_arg_that_is_a_part_of_the_path_an_env_makes() -> None:
    # the multiarch triplet in an ARG, the folder in the ENV: on arm64 the loader's folder
    # is /usr/lib/aarch64-linux-gnu and LD_LIBRARY_PATH names nothing
    text = (
        "FROM debian:bookworm\n"
        "ARG TRIPLET=x86_64-linux-gnu\n"
        "ARG ARCH=amd64\n"
        "ENV LD_LIBRARY_PATH=/usr/lib/${TRIPLET}/pulseaudio PATH=/opt/tool-$ARCH/bin:$PATH\n"
        "ENV AGAIN=/lib/$TRIPLET\n"
    )
    found = hits(text, platforms=("linux/amd64", "linux/arm64"))
    assert [(f.line, f.column, f.end_column) for f in found] == [(2, 13, 19), (3, 10, 15)]
    assert found[0].message == (
        "ARG TRIPLET names `x86_64`, and ENV LD_LIBRARY_PATH on line 4 puts it in the folder "
        "`/usr/lib/x86_64-linux-gnu/pulseaudio`: built for linux/arm64 that folder has another "
        "name and does not exist; an ENV value cannot follow the platform, so name a link made "
        "in a RUN (`ln -s …$(uname -m)… …`) and set the ARG to it"
    )
    assert found[1].message.startswith(
        "ARG ARCH names `amd64`, and ENV PATH on line 4 puts it in the folder "
        "`/opt/tool-amd64/bin`:"
    )


def test_an_arg_in_no_path_or_changed_by_its_reference_is_not_a_folder() -> None:
    text = (
        "FROM debian:bookworm\n"
        "ARG TRIPLET=x86_64-linux-gnu\n"
        "ARG VERSION=17\n"
        "ENV NAME=$TRIPLET DEFAULTED=/usr/lib/${TRIPLET:-none} CUT=/usr/lib/${TRIPLET%%-*}\n"
        # the architecture written in the ENV line itself is reported there, once
        "ENV JAVA_HOME=/usr/lib/jvm/java-${VERSION}-openjdk-amd64\n"
    )
    found = hits(text, platforms=("linux/amd64", "linux/arm64"))
    assert [(f.line, f.column) for f in found] == [(5, 52)]
    assert found[0].message.startswith("ENV JAVA_HOME names")
