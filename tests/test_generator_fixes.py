"""`dflint fix --multiarch`: the fix-application engine over findings' edits, and the fixes
it applies (DF203, DF306, DF307, DF308 and the resolver-confirmed DF202 step)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, lint

from dflint.core.findings import Edit, Fix
from dflint.generate import fixes
from dflint.generate.fixes import apply_fixes, fix_text
from dflint.lint.engine import Options
from dflint.lint.imagefix import multi_arch_candidate
from dflint.settings.config import Config

OPTIONS = Options(platforms=("linux/amd64", "linux/arm64"), no_config=True, offline=True)
PORTABILITY = ("DF306", "DF307", "DF308")

KUBECTL = """\
FROM alpine:3.20
RUN curl -fsSLo /usr/local/bin/kubectl \\
      https://dl.k8s.io/release/v1.30.0/bin/linux/amd64/kubectl && \\
    chmod +x /usr/local/bin/kubectl
RUN wget -qO /tmp/helm.tgz https://get.helm.sh/helm-v3.15.0-linux-amd64.tar.gz
"""

GO_PINNED = """\
FROM --platform=linux/amd64 golang:1.22 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -o /out/app .

FROM alpine:3.20
COPY --from=build /out/app /usr/local/bin/app
RUN echo built for $TARGETARCH
"""


def fixed(text: str, unsafe: bool = False) -> fixes.FixResult:
    return fix_text(text, "Dockerfile", OPTIONS, Config(), unsafe=unsafe)


def portability_codes(text: str) -> list[str]:
    return [f.code for f in lint(text) if f.code in PORTABILITY]


# --- the engine ----------------------------------------------------------------------------


def test_edits_apply_by_position_from_the_end() -> None:
    text = "FROM a\nRUN x amd64 y amd64\n"
    first = Fix("one", (Edit(2, 7, 2, 12, "${TARGETARCH}"),))
    second = Fix("two", (Edit(2, 15, 2, 20, "${TARGETARCH}"),))
    new, chosen = apply_fixes(text, [second, first])
    assert new == "FROM a\nRUN x ${TARGETARCH} y ${TARGETARCH}\n"
    assert sorted(chosen) == [0, 1]


def test_overlapping_fixes_wait_for_the_next_round() -> None:
    text = "FROM a\nRUN abcdef\n"
    first = Fix("one", (Edit(2, 5, 2, 8, "X"),))
    second = Fix("two", (Edit(2, 7, 2, 10, "Y"),))
    new, chosen = apply_fixes(text, [first, second])
    assert new == "FROM a\nRUN Xdef\n"
    assert chosen == [0]


def test_two_insertions_at_one_place_conflict_unless_identical() -> None:
    text = "FROM a\nRUN x\n"
    arg = Edit(1, 7, 1, 7, "\nARG TARGETARCH")
    same = [Fix("a", (arg,)), Fix("b", (arg,))]
    assert apply_fixes(text, same)[0] == "FROM a\nARG TARGETARCH\nRUN x\n"
    other = [Fix("a", (arg,)), Fix("b", (Edit(1, 7, 1, 7, "\nARG TARGETOS"),))]
    new, chosen = apply_fixes(text, other)
    assert new == "FROM a\nARG TARGETARCH\nRUN x\n" and chosen == [0]


def test_a_fix_is_applied_whole_or_not_at_all() -> None:
    text = "FROM a\nRUN amd64\n"
    blocker = Fix("blocker", (Edit(2, 5, 2, 10, "arm64"),))
    pair = Fix("pair", (Edit(1, 7, 1, 7, "\nARG X"), Edit(2, 5, 2, 10, "${X}")))
    new, chosen = apply_fixes(text, [blocker, pair])
    # the pair starts first, so it wins; none of the blocker's edit is applied
    assert new == "FROM a\nARG X\nRUN ${X}\n" and chosen == [1]


def test_crlf_and_bom_survive() -> None:
    text = "\ufeffFROM a\r\nRUN amd64\r\n"
    new, _ = apply_fixes(text, [Fix("f", (Edit(1, 7, 1, 7, "\nARG T"), Edit(2, 5, 2, 10, "$T")))])
    assert new == "\ufeffFROM a\r\nARG T\r\nRUN $T\r\n"


def test_edits_outside_the_file_are_dropped() -> None:
    assert apply_fixes("FROM a\n", [Fix("f", (Edit(9, 1, 9, 2, "x"),))]) == ("FROM a\n", [])


# --- --multiarch on real patterns ----------------------------------------------------------


def test_kubectl_downloads_are_fixed_with_unsafe_fixes() -> None:
    assert "DF306" in portability_codes(KUBECTL)
    safe = fixed(KUBECTL)
    assert safe.text == KUBECTL  # DF306's fix guesses the vendor's name: unsafe
    assert safe.unsafe_skipped == 2
    result = fixed(KUBECTL, unsafe=True)
    assert "bin/linux/${TARGETARCH}/kubectl" in result.text
    assert "helm-v3.15.0-linux-${TARGETARCH}.tar.gz" in result.text
    assert result.text.count("ARG TARGETARCH") == 1
    assert portability_codes(result.text) == []


def test_a_pinned_go_build_becomes_a_cross_build() -> None:
    assert sorted(set(portability_codes(GO_PINNED))) == ["DF307", "DF308"]
    result = fixed(GO_PINNED)
    assert result.text == (
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n"
        "ARG TARGETARCH\n"
        "WORKDIR /src\n"
        "COPY . .\n"
        "RUN CGO_ENABLED=0 GOOS=linux GOARCH=${TARGETARCH} go build -o /out/app .\n"
        "\n"
        "FROM alpine:3.20\n"
        "ARG TARGETARCH\n"
        "COPY --from=build /out/app /usr/local/bin/app\n"
        "RUN echo built for $TARGETARCH\n"
    )
    # DF203's switch became safe once DF307's fix made the stage cross-compile
    assert [item.code for item in result.applied][-1] == "DF203"
    assert portability_codes(result.text) == []
    assert [f.code for f in lint(result.text) if f.code == "DF203"] == []


def test_the_sample_go_build_is_already_portable() -> None:
    text = (ROOT / "sample_dockerfiles" / "Dockerfile.go-multistage").read_text()
    assert portability_codes(text) == []
    assert fixed(text, unsafe=True).text == text


def test_fixing_twice_equals_fixing_once() -> None:
    for text in (KUBECTL, GO_PINNED):
        once = fixed(text, unsafe=True).text
        assert fixed(once, unsafe=True).text == once


def test_a_constant_platform_is_kept_on_a_stage_that_does_not_cross_compile() -> None:
    text = "FROM --platform=linux/amd64 debian:12 AS tools\nRUN apt-get update\nFROM alpine:3.20\n"
    assert fixed(text).text == text
    assert "--platform=$BUILDPLATFORM" in fixed(text, unsafe=True).text


def test_a_constant_platform_on_the_final_stage_is_removed() -> None:
    text = "FROM --platform=linux/amd64 alpine:3.20\nRUN echo hi\n"
    assert fixed(text).text == "FROM alpine:3.20\nRUN echo hi\n"


def test_a_file_that_does_not_parse_is_an_error() -> None:
    result = fixed("FROM alpine\nRUN cat <<EOF\nno end\n")
    assert result.error is not None and "unterminated heredoc" in result.error


# --- DF202: only with the resolver's word --------------------------------------------------


@pytest.mark.parametrize(
    ("image", "candidate"),
    [
        ("arm64v8/alpine:3.20", "alpine:3.20"),
        ("amd64/ubuntu", "ubuntu"),
        ("example/app:1.2-amd64", "example/app:1.2"),
        ("example/app:amd64", "example/app:latest"),
        ("example/app:linux-arm64-v2", "example/app:linux-v2"),
        ("example/app:1.2", None),
        ("example/app@sha256:" + "a" * 64, None),
    ],
)
def test_multi_arch_candidates(image: str, candidate: str | None) -> None:
    assert multi_arch_candidate(image) == candidate


class _Resolution:
    def __init__(self, covers: bool | None) -> None:
        self._covers = covers
        self.explained = "a test table"

    def covers(self, target: object) -> bool | None:
        return self._covers


class _Resolver:
    def __init__(self, covers: bool | None) -> None:
        self.covers = covers
        self.asked: list[str] = []

    def resolve(self, reference: object) -> _Resolution:
        self.asked.append(str(reference))
        return _Resolution(self.covers)


@pytest.mark.parametrize(("covers", "expected"), [(True, "FROM alpine:3.20\n"), (None, None)])
def test_arch_specific_base_becomes_multi_arch_when_confirmed(
    monkeypatch: pytest.MonkeyPatch, covers: bool | None, expected: str | None
) -> None:
    import dflint.registry.resolver as resolver_module

    resolver = _Resolver(covers)
    monkeypatch.setattr(resolver_module, "resolver_for", lambda *a, **k: resolver)
    text = "FROM arm64v8/alpine:3.20\n"
    result = fixed(text)
    assert resolver.asked == ["docker.io/library/alpine:3.20"]
    assert result.text == (expected or text)


def test_a_tag_without_its_arch_word_is_an_unsafe_guess(monkeypatch: pytest.MonkeyPatch) -> None:
    import dflint.registry.resolver as resolver_module

    monkeypatch.setattr(resolver_module, "resolver_for", lambda *a, **k: _Resolver(True))
    text = "FROM example/app:1.2-amd64\n"
    assert fixed(text).text == text
    assert fixed(text, unsafe=True).text == "FROM example/app:1.2\n"


def test_fix_cli_multiarch_writes_only_with_write(tmp_path: Path) -> None:
    from test_generator_cli import run

    path = tmp_path / "Dockerfile"
    path.write_text(GO_PINNED)
    preview = run("fix", "--multiarch", "Dockerfile", cwd=tmp_path)
    assert preview.returncode == 1
    assert "would change (use --write" in preview.stderr
    assert path.read_text() == GO_PINNED
    written = run("fix", "--multiarch", "--write", "Dockerfile", cwd=tmp_path)
    assert written.returncode == 1
    assert written.stdout == "Fixing Dockerfile\n"
    assert "GOARCH=${TARGETARCH}" in path.read_text()
    again = run("fix", "--multiarch", "--write", "Dockerfile", cwd=tmp_path)
    assert (again.returncode, again.stdout) == (0, "")


# --- per-architecture files: the DF203 fix follows the target model -------------------------

FLUENTD = 'FROM --platform=linux/arm64 arm64v8/ruby:3.2-slim-bookworm\nCMD ["fluentd"]\n'


def fix_at(text: str, path: str, unsafe: bool = False) -> fixes.FixResult:
    options = Options(no_config=True, offline=True)
    return fix_text(text, path, options, Config(), unsafe=unsafe)


@pytest.mark.parametrize(
    ("covers", "safe_text", "unsafe_text"),
    [
        # the multi-arch name exists for the file's own platform and every target: one safe fix
        (True, 'FROM ruby:3.2-slim-bookworm\nCMD ["fluentd"]\n', None),
        # not confirmed: removing the flag alone leaves `FROM arm64v8/ruby`, which an amd64
        # builder cannot pull ("no image found in image index for architecture amd64")
        (None, FLUENTD, 'FROM arm64v8/ruby:3.2-slim-bookworm\nCMD ["fluentd"]\n'),
    ],
)
def test_a_per_arch_files_platform_goes_only_with_a_confirmed_multi_arch_name(
    monkeypatch: pytest.MonkeyPatch, covers: bool | None, safe_text: str, unsafe_text: str | None
) -> None:
    import dflint.registry.resolver as resolver_module

    resolver = _Resolver(covers)
    monkeypatch.setattr(resolver_module, "resolver_for", lambda *a, **k: resolver)
    path = "v1.18/arm64/debian/Dockerfile"
    assert fix_at(FLUENTD, path).text == safe_text
    assert "docker.io/library/ruby:3.2-slim-bookworm" in resolver.asked
    if unsafe_text is not None:
        assert fix_at(FLUENTD, path, unsafe=True).text.startswith(unsafe_text.split("\n")[0])


def test_a_per_arch_files_platform_on_an_unpinned_image_is_an_unsafe_fix() -> None:
    text = "FROM --platform=linux/arm64 debian:bookworm\nRUN true\n"
    assert fix_at(text, "linux/arm64/Dockerfile").text == text
    assert fix_at(text, "linux/arm64/Dockerfile", unsafe=True).text == (
        "FROM debian:bookworm\nRUN true\n"
    )
    # the same line in a file that is not one of a per-architecture set is a safe fix
    assert fix_at(text, "Dockerfile").text == "FROM debian:bookworm\nRUN true\n"


def test_a_build_platform_stage_on_a_pinned_image_gets_an_unsafe_rename(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import dflint.registry.resolver as resolver_module

    monkeypatch.setattr(resolver_module, "resolver_for", lambda *a, **k: _Resolver(True))
    text = "FROM --platform=$BUILDPLATFORM example/sdk:8.0-arm64v8 AS build\nFROM alpine:3.20\n"
    assert fixed(text).text == text
    assert fixed(text, unsafe=True).text.startswith(
        "FROM --platform=$BUILDPLATFORM example/sdk:8.0 AS build\n"
    )
