"""Image references normalised as distribution/reference (ParseNormalizedNamed) does."""

from __future__ import annotations

import pytest

from dflint.core.reference import (
    ImageRef,
    ReferenceError,
    is_loopback_host,
    parse_image,
    parse_reference,
    split_written,
)
from dflint.core.reference import parse_image as legacy_parse_image
from dflint.generate.images import map_image
from dflint.lint.imagefix import multi_arch_candidate

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("text", "registry", "repository", "tag", "digest"),
    [
        ("alpine", "docker.io", "library/alpine", None, None),
        ("alpine:3.20", "docker.io", "library/alpine", "3.20", None),
        ("library/alpine:3.20", "docker.io", "library/alpine", "3.20", None),
        ("docker.io/alpine", "docker.io", "library/alpine", None, None),
        ("index.docker.io/alpine", "docker.io", "library/alpine", None, None),
        ("index.docker.io/foo/bar", "docker.io", "foo/bar", None, None),
        ("arm64v8/alpine:3.20", "docker.io", "arm64v8/alpine", "3.20", None),
        ("ghcr.io/owner/app:v1", "ghcr.io", "owner/app", "v1", None),
        ("localhost/app", "localhost", "app", None, None),
        ("localhost:5000/app:dev", "localhost:5000", "app", "dev", None),
        ("127.0.0.1:5000/a/b/c:1", "127.0.0.1:5000", "a/b/c", "1", None),
        ("[::1]:5000/app", "[::1]:5000", "app", None, None),
        ("mcr.microsoft.com/windows/servercore:ltsc2022", "mcr.microsoft.com",
         "windows/servercore", "ltsc2022", None),
        (f"alpine@{DIGEST}", "docker.io", "library/alpine", None, DIGEST),
        (f"alpine:3.20@{DIGEST}", "docker.io", "library/alpine", "3.20", DIGEST),
        # a first component with upper case is a registry host, as Docker reads it
        ("Registry.Example/app", "registry.example", "app", None, None),
        ("a__b/c--d.e_f:TAG_1.x-y", "docker.io", "a__b/c--d.e_f", "TAG_1.x-y", None),
    ],
)  # fmt: skip
def test_normalisation(
    text: str, registry: str, repository: str, tag: str | None, digest: str | None
) -> None:
    assert parse_reference(text) == ImageRef(registry, repository, tag, digest)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty"),
        ("Alpine", "must be lowercase"),
        ("library/Alpine:1", "must be lowercase"),
        ("a" * 64, "64-character hexadecimal"),
        ("alpine:", "invalid reference format"),
        ("alpine:-x", "invalid reference format"),
        ("alpine:" + "t" * 129, "invalid reference format"),
        ("alpine@sha256:abc", "invalid reference format"),
        ("-alpine", "invalid reference format"),
        ("alpine_", "invalid reference format"),
        ("a..b/c", "invalid reference format"),
        ("foo bar", "invalid reference format"),
        ("/".join(["abcdefghij"] * 26), "more than 255 characters"),
    ],
)
def test_invalid_references_say_why(text: str, why: str) -> None:
    with pytest.raises(ReferenceError, match=why):
        parse_reference(text)


def test_key_familiar_and_reference() -> None:
    plain = parse_reference("python")
    assert plain.key == "docker.io/library/python:latest"
    assert plain.familiar == "python:latest"
    assert plain.reference == "latest"
    pinned = parse_reference(f"ghcr.io/o/app:1.2@{DIGEST}")
    # the digest wins: Docker pulls by digest and ignores the tag
    assert pinned.key == f"ghcr.io/o/app@{DIGEST}"
    assert pinned.reference == DIGEST
    assert pinned.familiar == f"ghcr.io/o/app@{DIGEST}"


def test_api_host_of_docker_hub() -> None:
    assert parse_reference("alpine").api_host == "registry-1.docker.io"
    assert parse_reference("quay.io/a/b").api_host == "quay.io"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("localhost:5000", True),
        ("127.0.0.1:41234", True),
        ("127.8.9.10", True),
        ("[::1]:5000", True),
        ("registry.localhost", True),
        ("10.0.0.1:5000", False),
        ("docker.io", False),
        ("localhost.example.com", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_parse_image_is_none_for_variables_and_invalid_text() -> None:
    assert parse_image("${BASE}:1") is None
    assert parse_image("Not Valid") is None
    assert parse_image("  alpine  ") == parse_reference("alpine")
    # dflint.core.reference is the same function, kept for rules that import it from there
    assert legacy_parse_image is parse_image


WRITTEN = [
    ("alpine", ("alpine", "", "")),
    ("alpine:3.20", ("alpine", "3.20", "")),
    ("library/alpine:3.20", ("library/alpine", "3.20", "")),
    ("docker.io/library/alpine:3.20", ("docker.io/library/alpine", "3.20", "")),
    (f"alpine@{DIGEST}", ("alpine", "", DIGEST)),
    (f"alpine:3.20@{DIGEST}", ("alpine", "3.20", DIGEST)),
    ("localhost:5000/app", ("localhost:5000/app", "", "")),
    ("localhost:5000/app:1.2-arm64", ("localhost:5000/app", "1.2-arm64", "")),
    (f"registry.example:443/team/app:v1@{DIGEST}", ("registry.example:443/team/app", "v1", DIGEST)),
    ("[::1]:5000/app:v1", ("[::1]:5000/app", "v1", "")),
    ("arm64v8/alpine:3.20", ("arm64v8/alpine", "3.20", "")),
]


@pytest.mark.parametrize(("text", "parts"), WRITTEN, ids=[text for text, _ in WRITTEN])
def test_split_written_keeps_ports_and_digests_apart_from_tags(
    text: str, parts: tuple[str, str, str]
) -> None:
    assert split_written(text) == parts
    # the same tag and digest as the normalising parser finds, the name as written
    ref = parse_reference(text)
    assert (ref.tag or "", ref.digest or "") == parts[1:]
    assert ref.key == parse_reference(parts[0]).key.rsplit(":", 1)[0] + (
        f"@{parts[2]}" if parts[2] else f":{parts[1] or 'latest'}"
    )


def test_split_written_takes_text_no_parser_accepts() -> None:
    # masks, variables and upper case: the analysis and the generator read what people wrote
    assert split_written("${REGISTRY}/app:${TAG}") == ("${REGISTRY}/app", "${TAG}", "")
    assert split_written("Example/App:Latest") == ("Example/App", "Latest", "")
    assert parse_image("${REGISTRY}/app:${TAG}") is None


@pytest.mark.parametrize(
    ("image", "candidate"),
    [
        ("localhost:5000/app:1.2-arm64", "localhost:5000/app:1.2"),
        ("localhost:5000/arm64v8/app", None),  # a port is no tag, and no tag: nothing to strip
        (f"arm64v8/alpine:3.20@{DIGEST}", None),  # a digest names one image: never renamed
        ("docker.io/arm64v8/alpine:3.20", None),  # written with its registry: left as written
        ("library/alpine:3.20-amd64", "library/alpine:3.20"),
    ],
)
def test_multi_arch_candidate_on_ports_digests_and_namespaces(
    image: str, candidate: str | None
) -> None:
    assert multi_arch_candidate(image) == candidate


def test_generator_maps_images_with_ports_and_library_namespaces() -> None:
    from dflint.generate.images import Target

    arm = Target("linux", "arm64")
    assert map_image("localhost:5000/app:1.2-amd64", "linux", "amd64", arm).image == (
        "localhost:5000/app:1.2-arm64"
    )
    # a multi-arch official image, written with its registry and library/: kept as written
    assert map_image("docker.io/library/alpine:3.20", "linux", "amd64", arm).image == (
        "docker.io/library/alpine:3.20"
    )
    windows = Target("windows", "amd64")
    assert map_image("docker.io/library/alpine:3.20", "linux", "amd64", windows).image == (
        "mcr.microsoft.com/windows/nanoserver:ltsc2022"
    )
