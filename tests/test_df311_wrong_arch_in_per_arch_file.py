"""DF311: a per-architecture file checked against its own architecture, as users lay them out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import codes, dflint_cli, lint, shared_path, span, write_file

from dflint.core.findings import Edit, Finding

GOSU = (
    "FROM debian:bookworm-slim\n"
    "ADD https://github.com/tianon/gosu/releases/download/1.10/gosu-amd64 /usr/sbin/gosu\n"
    "RUN chmod +x /usr/sbin/gosu\n"
)


def findings(path: Path, *args: str) -> list[dict[str, object]]:
    code, out, err = dflint_cli("lint", "--format", "json", "--no-config", *args, str(path))
    assert code in (0, 1), err
    found: list[dict[str, object]] = json.loads(out)["findings"]
    return found


def test_gosu_amd64_in_a_linux_arm64_folder(tmp_path: Path) -> None:
    path = write_file(tmp_path, "repo/linux/arm64/Dockerfile", GOSU)
    for args in ((), ("--platform", "linux/arm64")):
        [finding] = [f for f in findings(path, *args) if f["code"] == "DF311"]
        assert finding["severity"] == "error"
        assert finding["message"] == (
            "this linux/arm64 file (folder arm64) downloads `gosu-amd64`, the amd64 build "
            "(the URL names `amd64`): on linux/arm64 it cannot run; use the arm64 one"
        )
        assert (finding["line"], finding["column"]) == (2, 64)
        assert finding["platform"] == "linux/arm64"
    # the multi-arch rule does not say it again
    assert "DF306" not in [f["code"] for f in findings(path)]


def test_a_per_arch_file_name(tmp_path: Path) -> None:
    path = write_file(tmp_path, "repo/Dockerfile.linux-arm64", GOSU)
    [finding] = [f for f in findings(path) if f["code"] == "DF311"]
    assert str(finding["message"]).startswith(
        "this linux/arm64 file (file name Dockerfile.linux-arm64) downloads `gosu-amd64`"
    )


def test_own_arch_downloads_are_right(tmp_path: Path) -> None:
    path = write_file(tmp_path, "repo/linux/arm64/Dockerfile", GOSU.replace("amd64", "arm64"))
    assert not [f for f in findings(path) if f["code"] in ("DF311", "DF306")]
    # and the amd64 sibling is right too
    path = write_file(tmp_path, "repo/linux/amd64/Dockerfile", GOSU)
    assert not [f for f in findings(path) if f["code"] in ("DF311", "DF306")]


def test_build_flags_copy_sources_and_bases_of_another_arch(tmp_path: Path) -> None:
    text = (
        "FROM golang:1.23 AS build\n"
        "RUN GOOS=linux GOARCH=amd64 go build -o /out/app .\n"
        "FROM amd64/alpine:3.20\n"
        "COPY .build/linux-amd64/prometheus /bin/prometheus\n"
        "COPY --from=build /out/app /app\n"
    )
    path = write_file(tmp_path, "repo/arm64/Dockerfile", text)
    found = {(f["line"], f["code"]): f for f in findings(path)}
    assert set(found) >= {(2, "DF311"), (3, "DF311"), (4, "DF311")}
    assert str(found[(2, "DF311")]["message"]).startswith(
        "this linux/arm64 file (folder arm64) builds for amd64 with `GOARCH=amd64`"
    )
    assert str(found[(3, "DF311")]["message"]).startswith(
        "this linux/arm64 file (folder arm64) starts stage 1 from `amd64/alpine:3.20`, "
        "built for amd64 only"
    )
    assert str(found[(4, "DF311")]["message"]).startswith(
        "this linux/arm64 file (folder arm64) copies `.build/linux-amd64/prometheus`"
    )
    assert (3, "DF202") not in found  # another arch than the file's own: DF311 only


def test_a_constant_platform_on_the_final_stage_is_the_files_platform() -> None:
    text = "FROM --platform=linux/arm64 debian:bookworm-slim\n" + GOSU.split("\n", 1)[1]
    assert "DF311" in codes(text)


def test_a_name_and_a_final_platform_that_disagree() -> None:
    text = "FROM --platform=linux/amd64 debian:bookworm-slim\nRUN true\n"
    [finding] = [f for f in lint(text, path="linux/arm64/Dockerfile") if f.code == "DF311"]
    assert finding.message == (
        "this linux/arm64 file (folder arm64) builds stage 0, which the final image is built "
        "from, for linux/amd64 (`--platform=linux/amd64`): the image is not linux/arm64"
    )


def test_stages_pinned_elsewhere_or_on_the_build_platform_may_fetch_their_tools() -> None:
    text = (
        "FROM --platform=linux/amd64 debian AS tools\n"
        "RUN curl -fsSLo /usr/bin/yq https://example.com/yq_linux_amd64\n"
        "FROM --platform=$BUILDPLATFORM debian AS fetch\n"
        "RUN curl -fsSLo /usr/bin/jq https://example.com/jq-linux-amd64\n"
        "FROM arm64v8/debian\n"
        "COPY --from=tools /usr/bin/yq /usr/bin/yq\n"
    )
    assert "DF311" not in codes(text, path="linux/arm64/Dockerfile")


def test_dispatches_and_windows_files_are_not_judged() -> None:
    dispatch = (
        "FROM debian\n"
        'RUN case "$(dpkg --print-architecture)" in amd64) a=amd64 ;; arm64) a=arm64 ;; '
        "*) exit 1 ;; esac && curl -o /x https://example.com/x-linux-amd64\n"
    )
    assert "DF311" not in codes(dispatch.replace("-amd64", "-$a"), path="arm64/Dockerfile")
    windows = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "RUN curl -o C:\\x.exe https://example.com/x-windows-amd64.exe\n"
    )
    assert "DF311" not in codes(windows, path="Dockerfile.windows-arm64")


def test_fixes(tmp_path: Path) -> None:
    text = (
        "FROM amd64/alpine:3.20\n"
        "RUN GOARCH=amd64 go build .\n"
        "ADD https://example.com/tool-x86_64 /tool\n"
    )
    path = write_file(tmp_path, "repo/linux/arm64/Dockerfile", text)
    code, _, err = dflint_cli("fix", "--multiarch", "--no-config", "--write", str(path))
    assert code == 1, err
    fixed = path.read_text()
    # the safe fixes only: the namespace (arm64v8/alpine, then, as DF202 finds it, the
    # multi-arch alpine the offline table confirms) and GOARCH; the asset name is a guess
    assert fixed.startswith("FROM alpine:3.20\nRUN GOARCH=arm64 go build .\n")
    assert "tool-x86_64" in fixed
    dflint_cli("fix", "--multiarch", "--unsafe-fixes", "--no-config", "--write", str(path))
    assert "ADD https://example.com/tool-aarch64 /tool" in path.read_text()


def test_the_per_arch_layout_accepted_keeps_these_checks(tmp_path: Path) -> None:
    path = write_file(tmp_path, "repo/linux/arm64/Dockerfile", GOSU)
    (tmp_path / "repo" / ".dflint.toml").write_text('per-arch-files = "accept"\n')
    _, out, _ = dflint_cli("lint", "--format", "json", str(path))
    assert [f["code"] for f in json.loads(out)["findings"]] == ["DF311"]


def test_real_per_arch_files_of_the_corpus(tmp_path: Path) -> None:
    """fluentd's arm64 file and dotnet's arm64v8 files at their real paths: their pins are
    reported (DF202, DF203) and nothing in them is for another architecture."""
    real = shared_path("corpus", "real")
    layout = {
        "fluent__fluentd-docker-image/v1.18__arm64__debian__Dockerfile": (
            "v1.18/arm64/debian/Dockerfile"
        ),
        "dotnet__dotnet-docker/src__runtime__10.0__alpine3.24__arm64v8__Dockerfile": (
            "src/runtime/10.0/alpine3.24/arm64v8/Dockerfile"
        ),
        "cloudflare__cloudflared/Dockerfile.arm64": "Dockerfile.arm64",
    }
    for source, target in layout.items():
        path = tmp_path / "repo" / target
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(real / source, path)
    found = {
        target: sorted(
            {
                str(f["code"])
                for f in findings(tmp_path / "repo" / target)
                if f["severity"] != "info"
            }
        )
        for target in layout.values()
    }
    assert found == {
        "v1.18/arm64/debian/Dockerfile": ["DF203"],
        "src/runtime/10.0/alpine3.24/arm64v8/Dockerfile": ["DF202"],
        "Dockerfile.arm64": ["DF202"],
    }
    [pin] = [
        f
        for f in findings(tmp_path / "repo" / "v1.18/arm64/debian/Dockerfile")
        if f["code"] == "DF203"
    ]
    assert str(pin["message"]).startswith(
        "this linux/arm64 file (folder arm64) is one of a per-architecture set: "
        "`--platform=linux/arm64` pins it to linux/arm64, but the targets include linux/amd64"
    )


def test_a_file_pinned_by_its_base_keeps_its_download_pins_reported() -> None:
    """Not named per-arch: its own architecture's downloads are still pins (DF306) beside the
    base's (DF202); another architecture's are DF311's error, said once."""
    own = "FROM arm64v8/alpine:3.20\nRUN wget -O /t https://example.com/tool-linux-arm64\n"
    assert sorted(codes(own)) == ["DF202", "DF306"]
    other = own.replace("linux-arm64", "linux-amd64")
    assert sorted(codes(other)) == ["DF202", "DF311"]


def test_ignoring_df311_leaves_the_download_to_df306() -> None:
    # DF306 yields to DF311 only while DF311 is reported: with DF311 ignored, the amd64
    # download in an arm64-based file is still reported, by the multi-arch rule. (A file filed
    # or named per architecture is DF311's alone: DF306 is about multi-arch files.)
    text = "FROM arm64v8/alpine:3.20\nRUN wget -O /t https://example.com/tool-linux-amd64\n"
    from dflint.lint.engine import Options, lint_bytes

    for options in (
        Options(ignore=("DF311",), no_config=True, offline=True),
        Options(select=("DF306",), no_config=True, offline=True),
    ):
        found = lint_bytes(text.encode(), "Dockerfile", options).findings
        [finding] = [f for f in found if f.code != "DF202"]
        assert finding.code == "DF306"
        assert (finding.line, finding.column) == (2, 47)
        assert finding.platform == "linux/arm64"


def df311(text: str, path: str = "linux/arm64/Dockerfile") -> list[Finding]:
    return [f for f in lint(text, path=path) if f.code == "DF311"]


def test_a_file_for_no_one_architecture_is_left_to_the_multi_arch_rules() -> None:
    assert sorted(codes(GOSU)) == ["DF306"]


def test_what_a_download_is_called_in_the_message() -> None:
    """The word around the architecture name; for a URL, the path component holding it."""
    docker = (
        "FROM debian:bookworm-slim\n"
        "RUN curl -fsSL https://download.docker.com/linux/static/stable/x86_64/docker-27.1.1.tgz"
        " | tar -xz -C /usr/local/bin --strip-components=1\n"
    )
    [finding] = df311(docker)
    assert span(finding) == (2, 64, 2, 70)
    assert finding.message.startswith(
        "this linux/arm64 file (folder arm64) downloads `x86_64`, the amd64 build "
        "(the download URL names `x86_64`)"
    )
    [copied] = df311("FROM alpine:3.20\nCOPY amd64/prometheus /bin/prometheus\n")
    assert "copies `amd64/prometheus`, the amd64 build" in copied.message
    # a source on a continuation line that is not indented
    [continued] = df311("FROM alpine:3.20\nCOPY \\\n.build/linux-amd64/app /app\n")
    assert span(continued) == (3, 14, 3, 19)
    assert "copies `.build/linux-amd64/app`" in continued.message


def test_a_value_set_once_and_used_twice_is_reported_once_where_it_is_written() -> None:
    text = (
        "FROM debian:bookworm-slim\n"
        "ENV GOSU_FILE=gosu-amd64\n"
        "RUN curl -fsSLo /usr/sbin/gosu https://example.com/gosu/1.17/${GOSU_FILE} \\\n"
        " && curl -fsSLo /tmp/gosu.asc https://example.com/gosu/1.17/${GOSU_FILE}.asc\n"
        "ENV GOARCH=amd64\n"
        "RUN curl -fsSL https://go.dev/dl/go1.23.0.linux-${GOARCH}.tar.gz | tar -C /usr/local -xz\n"
        "RUN go build -o /a ./a\n"
    )
    download, flag = df311(text)
    assert span(download) == (2, 20, 2, 25)
    # the value, not `GOSU_FILE=…`; ENV keeps its capitals inside the sentence
    assert download.message == (
        "this linux/arm64 file (folder arm64) downloads `gosu-amd64`, the amd64 build "
        "(ENV GOSU_FILE (used by a download) names `amd64`): on linux/arm64 it cannot run; "
        "use the arm64 one"
    )
    # a build setting that a download uses too: said once, as the build setting
    assert span(flag) == (5, 12, 5, 17)
    assert "builds for amd64 with `ENV GOARCH=amd64`" in flag.message


def test_which_findings_carry_a_fix() -> None:
    # the namespace of the file's own architecture, in place
    [base] = df311("FROM arm64v8/alpine:3.20 AS base\nRUN true\n", "linux/amd64/Dockerfile")
    assert base.fix is not None
    assert base.fix.edits == (Edit(1, 6, 1, 25, "amd64/alpine:3.20"),)
    # a namespace that comes from an ARG: the message shows both, and there is nothing to edit
    [argument] = df311("ARG NS=amd64\nFROM ${NS}/alpine:3.20\nRUN true\n")
    assert argument.message.startswith(
        "this linux/arm64 file (folder arm64) starts stage 0 from `${NS}/alpine:3.20` "
        "(`amd64/alpine:3.20`), built for amd64 only"
    )
    assert argument.fix is None
    # a vendor's own spelling (x64) has no counterpart to swap in
    [download] = df311("FROM debian\nADD https://example.com/tool-linux-x64.tar.gz /tmp/\n")
    assert "downloads `tool-linux-x64.tar.gz`" in download.message
    assert download.fix is None
    # only GOARCH is fixed: Rust's arm64 is aarch64, and the rest of a triple varies too
    rust = "FROM rust:1.80 AS build\nRUN cargo build --release --target x86_64-unknown-linux-musl\n"
    [flag] = df311(rust)
    assert span(flag) == (2, 36, 2, 42)
    assert flag.fix is None


def test_a_stage_pinned_to_another_platform_builds_what_it_likes() -> None:
    text = (
        "FROM --platform=linux/amd64 amd64/golang:1.23 AS tools\n"
        "RUN GOARCH=amd64 go build -o /usr/bin/yq ./yq\n"
        "FROM arm64v8/debian:bookworm-slim\n"
        "COPY --from=tools /usr/bin/yq /usr/bin/yq\n"
    )
    assert df311(text) == []


def test_windows_stages_and_unknown_bases_are_not_judged() -> None:
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS win\n"
        "RUN curl -o C:\\x.exe https://example.com/x-windows-amd64.exe\n"
        "FROM debian:bookworm-slim\n"
        "RUN true\n"
    )
    assert df311(text) == []
    assert df311("ARG BASE\nFROM ${BASE}\nRUN true\n") == []


def test_a_build_target_held_in_an_arg_and_set_through_env(tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "Dockerfile.arm64",
        "FROM rust:1.80\n"
        "ARG T=x86_64-unknown-linux-gnu\n"
        "RUN env CARGO_BUILD_TARGET=$T cargo build\n"
        "RUN env GOARCH=arm64 go build .\n",
    )
    [finding] = [f for f in findings(path) if f["code"] == "DF311"]
    assert (finding["line"], finding["column"]) == (2, 7)
    assert "builds for amd64 with `CARGO_BUILD_TARGET=$T`" in str(finding["message"])
