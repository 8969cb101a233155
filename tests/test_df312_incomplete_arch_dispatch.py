"""DF312: arch dispatches whose fallback picks a build instead of failing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import codes, dflint_cli, lint, shared_path, span

V7 = ("linux/amd64", "linux/arm64", "linux/arm/v7")


def dispatch_findings(text: str, platforms: tuple[str, ...] = ()) -> list[str]:
    return [f.message for f in lint(text, platforms=platforms) if f.code == "DF312"]


def real(tmp_path: Path, source: str, target: str) -> Path:
    path = tmp_path / "repo" / target
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shared_path("corpus", "real", source), path)
    return path


def run(path: Path, *args: str) -> list[dict[str, object]]:
    code, out, err = dflint_cli("lint", "--format", "json", "--no-config", *args, str(path))
    assert code in (0, 1), err
    return [f for f in json.loads(out)["findings"] if f["code"] == "DF312"]


def test_cloud_sdk_alpine_else_picks_arm(tmp_path: Path) -> None:
    path = real(
        tmp_path, "GoogleCloudPlatform__cloud-sdk-docker/alpine__Dockerfile", "alpine/Dockerfile"
    )
    [finding] = run(path)
    assert finding["line"] == 9 and finding["severity"] == "warning"
    assert finding["message"] == (
        "the `if` on `uname -m` maps only amd64 (x86_64); its `else` picks `arm` for every "
        "other architecture instead of failing, so linux/arm64 and any platform no branch "
        "names get that one build; name every target's architecture and fail on the rest "
        '(`*) echo "unsupported architecture: $arch" >&2; exit 1 ;;`)'
    )


def test_the_finding_points_at_the_fallback() -> None:
    text = (
        'FROM alpine\nRUN if [ "$(uname -m)" = x86_64 ]; then A=amd64; else A=arm; fi '
        "&& wget https://x/tool-$A\n"
    )
    [finding] = [f for f in lint(text) if f.code == "DF312"]
    assert span(finding) == (2, 55, 2, 60)  # `A=arm`: what every other architecture gets


def test_lachie83_kubectl_leaves_armv7l_in_the_url(tmp_path: Path) -> None:
    path = real(tmp_path, "lachie83__k8s-kubectl/Dockerfile", "Dockerfile")
    # its branches name both default targets: right for them
    assert run(path) == []
    [finding] = run(path, "--platform", ",".join(V7))
    assert finding["platform"] == "linux/arm/v7"
    assert finding["message"] == (
        "the `if` on `uname -m` names only x86_64, aarch64, and nothing fails for the "
        "others: on linux/arm/v7 no branch runs and `ARCH` keeps whatever it held, so the "
        "build goes on with a name made for no architecture; name every target's "
        'architecture and fail on the rest (`*) echo "unsupported architecture: $arch" '
        ">&2; exit 1 ;;`)"
    )


def test_a_case_whose_fallback_picks_aarch64() -> None:
    text = (
        "FROM debian\nARG TARGETARCH\n"
        'RUN case "$TARGETARCH" in amd64) A=x86_64 ;; *) A=aarch64 ;; esac '
        '&& curl -o /t "https://example.com/t-$A"\n'
    )
    [message] = dispatch_findings(text)
    assert message.startswith(
        "the `case` on `$TARGETARCH` maps only amd64; its `*)` picks `aarch64` for every "
        "other architecture"
    )


def test_a_dispatch_that_maps_only_amd64() -> None:
    text = (
        "FROM debian\n"
        'RUN A=x86_64; if [ "$(dpkg --print-architecture)" = amd64 ]; then A=x64; fi; '
        'curl -o /t "https://example.com/t-$A"\n'
    )
    [message] = dispatch_findings(text)
    assert message.startswith(
        "the `if` on `dpkg --print-architecture` maps only amd64, and nothing fails for the "
        "others: on linux/arm64 no branch runs and `A` keeps whatever it held"
    )


def test_correct_dispatches_are_silent() -> None:
    failing = (
        "FROM debian\n"
        'RUN arch="$(dpkg --print-architecture)"; case "$arch" in '
        "amd64) a=x64 ;; arm64) a=arm64 ;; "
        '*) echo "unsupported: $arch" >&2; exit 1 ;; esac; curl -o /t "https://e.com/t-$a"\n'
    )
    assert dispatch_findings(failing, V7) == []
    every_target = failing.replace('*) echo "unsupported: $arch" >&2; exit 1 ;; ', "")
    assert dispatch_findings(every_target) == []
    assert dispatch_findings(every_target, V7) != []  # arm/v7 is named by no branch
    optional = (
        "FROM debian\n"
        'RUN if [ "$(uname -m)" = x86_64 ]; then apt-get install -y spanner-emulator; fi\n'
    )
    assert dispatch_findings(optional, V7) == []


def test_docker_library_dispatches_are_silent(tmp_path: Path) -> None:
    for source, target in (
        ("docker-library__golang/1.26__bookworm__Dockerfile", "1.26/bookworm/Dockerfile"),
        ("nats-io__nats-docker/2.12.x__alpine3.22__Dockerfile", "2.12.x/alpine3.22/Dockerfile"),
        ("SeleniumHQ__docker-selenium/Base__Dockerfile", "Base/Dockerfile"),
    ):
        path = real(tmp_path, source, target)
        assert run(path, "--platform", ",".join(V7)) == [], source


def test_selenium_driver_arch_picks_aarch64() -> None:
    text = (
        "FROM ubuntu:noble\n"
        'RUN DRIVER_ARCH=$(if [ "$(dpkg --print-architecture)" = "amd64" ]; then '
        'echo "linux64"; else echo "linux-aarch64"; fi) \\\n'
        "  && wget -O /tmp/d.zip https://example.com/${DRIVER_ARCH}/chromedriver.zip\n"
    )
    [message] = dispatch_findings(text)
    assert "its `else` picks `aarch64` for every other architecture" in message


def test_windows_stages_are_not_judged() -> None:
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        'RUN if [ "$(uname -m)" = x86_64 ]; then A=x64; else A=arm; fi; echo $A\n'
    )
    assert "DF312" not in codes(text)
    # nor under bash, though this `if` names no target (windows/amd64) and its else picks x64
    bash = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        'SHELL ["bash", "-c"]\n'
        'RUN if [ "$(uname -m)" = aarch64 ]; then A=arm64; else A=x64; fi; echo $A\n'
    )
    assert "DF312" not in codes(bash)


def test_apk_and_rpm_dispatches() -> None:
    apk = (
        "FROM alpine:3.20\n"
        'RUN apkArch="$(apk --print-arch)"; case "$apkArch" in x86_64) a=amd64 ;; '
        '*) a=arm64 ;; esac; wget -O /t "https://example.com/t-linux-$a"\n'
    )
    [message] = dispatch_findings(apk)
    assert message.startswith(
        "the `case` on `apk --print-arch` maps only amd64 (x86_64); its `*)` picks `arm64`"
    )
    rpm = (
        "FROM fedora:40\n"
        'RUN arch="$(rpm --eval \'%{_arch}\')"; case "$arch" in x86_64) a=x64 ;; '
        'aarch64) a=arm64 ;; esac; curl -o /t "https://example.com/t-$a"\n'
    )
    assert dispatch_findings(rpm) == []
    [message] = dispatch_findings(rpm, V7)
    assert message.startswith("the `case` on `rpm %{_arch}` names only x86_64, aarch64")


def test_a_fallback_that_only_warns_fails_nothing() -> None:
    text = (
        "FROM debian\nARG TARGETARCH\n"
        'RUN case "$TARGETARCH" in amd64) A=x64; B=x86_64 ;; arm64) A=arm64; B=aarch64 ;; '
        '*) echo "unknown architecture: $TARGETARCH" ;; esac; '
        'curl -o /t "https://example.com/$B/t-$A"\n'
    )
    [finding] = [f for f in lint(text, platforms=V7) if f.code == "DF312"]
    assert finding.platform == "linux/arm/v7"
    assert span(finding) == (3, 5, 3, 175)  # from `case` to the end of the line
    assert finding.message.startswith(
        "the `case` on `$TARGETARCH` names only amd64, arm64, and nothing fails for the "
        "others: on linux/arm/v7 only the fallback runs and `A`, `B` keep whatever it held"
    )


def test_a_dispatch_without_fallback_points_at_its_first_line() -> None:
    text = (
        "FROM debian\nRUN <<EOF\n"
        'if [ "$(uname -m)" = x86_64 ]; then\n  A=x64\nfi\n'
        'curl -o /t "https://example.com/t-$A"\nEOF\n'
    )
    [finding] = [f for f in lint(text) if f.code == "DF312"]
    assert span(finding) == (3, 1, 3, 36)  # `if …; then`, not the heredoc's last line
    assert finding.message.startswith("the `if` on `uname -m` maps only amd64 (x86_64),")


def test_a_case_fallback_points_at_its_pattern() -> None:
    text = (
        "FROM debian\nARG TARGETARCH\n"
        'RUN case "$TARGETARCH" in amd64) A=x86_64 ;; *) A=aarch64 ;; esac '
        '&& curl -o /t "https://example.com/t-$A"\n'
    )
    [finding] = [f for f in lint(text) if f.code == "DF312"]
    assert span(finding) == (3, 46, 3, 47)  # the `*` of `*)`


def test_a_per_arch_file_needs_only_its_own_architecture() -> None:
    path = "linux/arm64/Dockerfile"
    only_arm = (
        "FROM debian\n"
        'RUN case "$(uname -m)" in aarch64) A=arm64 ;; esac; curl -o /t "https://e.com/t-$A"\n'
    )
    assert [f for f in lint(only_arm, path=path) if f.code == "DF312"] == []
    only_x86 = only_arm.replace("aarch64) A=arm64", "x86_64) A=x64")
    [finding] = [f for f in lint(only_x86, path=path) if f.code == "DF312"]
    assert finding.platform == "linux/arm64"
    assert "on linux/arm64 no branch runs and `A` keeps whatever it held" in finding.message


def test_a_choice_on_a_build_argument_is_not_an_arch_dispatch() -> None:
    # the value is what the build passes, not what the machine reports
    text = (
        "FROM debian\nARG CPU=x86_64\n"
        'RUN case "$CPU" in x86_64) A=x64 ;; *) A=arm64 ;; esac; '
        'curl -o /t "https://example.com/t-$A"\n'
    )
    assert dispatch_findings(text) == []


def test_a_copied_elif_that_tests_amd64_twice() -> None:
    text = (
        "FROM debian\nARG TARGETARCH\n"
        'RUN if [ "$TARGETARCH" = amd64 ]; then A=x64; '
        'elif [ "$TARGETARCH" = amd64 ]; then A=arm64; fi; '
        'curl -o /t "https://example.com/t-$A"\n'
    )
    [message] = dispatch_findings(text)
    # arm64 is tested by no branch; amd64 is named once however often it is tested
    assert message.startswith(
        "the `if` on `$TARGETARCH` maps only amd64, and nothing fails for the others: "
        "on linux/arm64 no branch runs and `A` keeps whatever it held"
    )
