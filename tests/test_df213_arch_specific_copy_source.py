"""DF213: COPY --from / RUN --mount from an image built for one architecture."""

from __future__ import annotations

from conftest import lint

from dflint.core.findings import Finding

CODE = "DF213"


def hits(text: str, path: str = "Dockerfile", platforms: tuple[str, ...] = ()) -> list[Finding]:
    return [f for f in lint(text, path, platforms, select=(CODE,)) if f.code == CODE]


def test_copy_from_an_official_per_arch_namespace() -> None:
    text = "FROM alpine:3.20\nCOPY --from=amd64/busybox:1.36 /bin/busybox /usr/local/bin/\n"
    [finding] = hits(text, platforms=("linux/amd64", "linux/arm64", "linux/arm/v7"))
    assert (finding.line, finding.column, finding.end_column) == (2, 6, 31)
    assert finding.message == (
        "`COPY` copies from `amd64/busybox:1.36`, built for amd64 only, but the targets "
        "include linux/arm64, linux/arm/v7: every platform's image gets its amd64 files; "
        "use the multi-arch `busybox:1.36`"
    )
    assert finding.platform == "linux/arm64,linux/arm/v7" and finding.breaks


def test_a_run_mount_from_an_image_with_an_arch_tag() -> None:
    text = (
        "FROM debian:bookworm\n"
        "RUN --mount=type=bind,from=example/tool:1.2-linux-arm64,target=/t \\\n"
        "    cp /t/tool /usr/local/bin/\n"
    )
    [finding] = hits(text, platforms=("linux/amd64", "linux/arm64"))
    assert (finding.line, finding.column) == (2, 23)
    assert "`RUN` mounts `example/tool:1.2-linux-arm64`, built for arm64 only" in finding.message
    assert "the command runs with its arm64 files; use the image's multi-arch tag" in (
        finding.message
    )
    assert finding.platform == "linux/amd64"


def test_stages_multi_arch_images_and_windows_stages_are_fine() -> None:
    text = (
        "FROM golang:1.23 AS amd64-build\n"
        "RUN go build -o /out/app .\n"
        "FROM alpine:3.20\n"
        "COPY --from=amd64-build /out/app /app\n"  # a stage named like an arch
        "COPY --from=0 /out/app /app2\n"
        "COPY --from=busybox:1.36 /bin/busybox /bin/\n"
        "COPY --from=ghcr.io/example/tool:2.0 /tool /tool\n"
        "RUN --mount=type=cache,target=/root/.cache true\n"
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "COPY --from=amd64/example:1 C:/x C:/x\n"
    )
    assert hits(text, platforms=("linux/amd64", "linux/arm64")) == []


def test_a_per_arch_file_is_told_the_one_dockerfile_form_as_for_its_base() -> None:
    text = "FROM alpine:3.20\nCOPY --from=arm64v8/busybox:1.36 /bin/busybox /bin/\n"
    [finding] = hits(text, path="Dockerfile.linux-arm64")
    assert finding.message.startswith(
        "this linux/arm64 file (file name Dockerfile.linux-arm64): `COPY` copies from "
        "`arm64v8/busybox:1.36`, built for arm64 only, but the targets include linux/amd64"
    )
    assert "the one-Dockerfile form is `COPY --from=busybox:1.36`, built with" in finding.message
    # a declared target is the file's only one; another architecture than the file's is wrong
    declared = "# dflint: platform=linux/arm64\n" + text
    assert hits(declared, path="Dockerfile.linux-arm64") == []
    [wrong] = hits(declared.replace("arm64v8/", "amd64/"), path="Dockerfile.linux-arm64")
    assert "built for amd64 only, but the targets include linux/arm64" in wrong.message


def test_only_targets_of_the_same_architecture() -> None:
    text = "FROM alpine:3.20\nCOPY --from=amd64/busybox:1.36 /bin/busybox /bin/\n"
    assert hits(text, platforms=("linux/amd64",)) == []


def test_the_flag_is_found_on_a_continued_line_and_a_per_arch_mount_is_advised() -> None:
    text = (
        "FROM alpine:3.20\nCOPY --chmod=755 \\\n     --from=amd64/busybox:1.36 /bin/busybox /bin/\n"
    )
    [finding] = hits(text, platforms=("linux/amd64", "linux/arm64"))
    assert (finding.line, finding.column, finding.end_column) == (3, 6, 31)
    mount = (
        "FROM alpine:3.20\n"
        "RUN --mount=type=bind,from=arm64v8/busybox:1.36,target=/b /b/bin/busybox true\n"
    )
    [per_arch] = hits(mount, path="Dockerfile.arm64")
    assert "the one-Dockerfile form is `from=busybox:1.36`, built with" in per_arch.message
