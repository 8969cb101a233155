"""Where an image is read from: a registry, an OCI image layout, a docker-archive tarball.

Each :class:`Source` answers the same three questions — the manifest a reference names, a
small blob (a config, an attestation) and a layer blob as a stream — so the verifier does not
care where the bytes live. The registry side is the resolver's client
(:mod:`dflint.registry.client`: token auth, the four manifest types, mirrors,
``insecure-registries``); the local ones open files carefully (regular files only, never a
FIFO or a device; blob names checked against the digest grammar, so a manifest cannot point
outside the layout) and read tar archives through an index of their members, seeking past
the data instead of reading it.

A ``docker save`` archive has no manifests: its ``manifest.json`` is turned into OCI image
manifests here, whose layer "digests" are the config's ``diff_ids`` (the digests of the
uncompressed tars docker writes), so every layer is still checked against a digest.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from dflint import lazyre
from dflint.core.reference import ImageRef, ReferenceError, parse_reference
from dflint.registry.client import INDEX_TYPES, OCI_INDEX, OCI_MANIFEST, RegistryFailure
from dflint.verify.layers import BLOCK, LayerError, Readable, _Blocks, _entries

if TYPE_CHECKING:
    from dflint.registry.client import RegistryClient

CONFIG_LIMIT = 16 * 1024 * 1024
INDEX_LIMIT = 4 * 1024 * 1024
_DIGEST = lazyre.compile(r"(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})\Z")
MIN_RATE = 64 * 1024  # bytes a second a blob must at least arrive at, on average


class SourceError(Exception):
    """The image cannot be read at all; one line."""


@dataclass(frozen=True, slots=True)
class Node:
    """A manifest or index read from a source, with its media type and digest."""

    document: dict[str, Any]
    media_type: str
    digest: str


class Source:
    label: str  # the reference as the user wrote it
    kind: str  # registry, oci, docker-archive

    def root(self) -> Node:
        raise NotImplementedError

    def manifest(self, digest: str) -> Node:
        raise NotImplementedError

    def blob(self, digest: str, limit: int) -> bytes:
        raise NotImplementedError

    @contextmanager
    def open_blob(self, digest: str, size: int) -> Iterator[Readable]:
        raise NotImplementedError
        yield  # pragma: no cover

    def close(self) -> None:
        pass


def _kind_of(document: Any, what: str) -> str:
    if not isinstance(document, dict):
        raise SourceError(f"{what} is not a JSON object")
    media_type = document.get("mediaType")
    if isinstance(media_type, str) and media_type:
        return media_type
    if isinstance(document.get("manifests"), list):
        return OCI_INDEX
    if isinstance(document.get("config"), dict):
        return OCI_MANIFEST
    raise SourceError(f"{what} is neither an image manifest nor an index")


def _load_json(data: bytes, what: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        raise SourceError(f"{what} is not valid JSON") from None


# --- registry ------------------------------------------------------------------------------------


class RegistrySource(Source):
    kind = "registry"

    def __init__(self, text: str, ref: ImageRef, client: RegistryClient) -> None:
        self.label = text
        self.ref = ref
        self.client = client
        self.budget = client.settings.timeout
        self.base: str | None = None

    def root(self) -> Node:
        return self._get(self.ref.reference)

    def manifest(self, digest: str) -> Node:
        return self._get(digest)

    def _get(self, reference: str) -> Node:
        try:
            found = self.client.get_manifest(self.ref, reference, self.budget)
        except RegistryFailure as exc:
            raise SourceError(exc.reason) from None
        if self.base is None:
            self.base = found.base
        return Node(found.document, found.media_type, found.digest)

    def blob(self, digest: str, limit: int) -> bytes:
        assert self.base is not None
        try:
            return self.client.get_blob(self.base, self.ref, digest, limit, self.budget)
        except RegistryFailure as exc:
            raise SourceError(exc.reason) from None

    @contextmanager
    def open_blob(self, digest: str, size: int) -> Iterator[Readable]:
        assert self.base is not None
        deadline = time.monotonic() + self.budget + max(size, 0) / MIN_RATE
        try:
            stream = self.client.open_blob(self.base, self.ref, digest, self.budget, deadline)
        except RegistryFailure as exc:
            raise LayerError(exc.reason) from None
        with stream:
            yield _Failures(stream)


class _Failures:
    """A blob stream whose registry failures are layer errors."""

    def __init__(self, inner: Readable) -> None:
        self.inner = inner

    def read(self, size: int) -> bytes:
        try:
            return self.inner.read(size)
        except RegistryFailure as exc:
            raise LayerError(exc.reason) from None


# --- local files --------------------------------------------------------------------------------


def open_regular(path: str) -> BinaryIO:
    """Open a regular file for reading; a FIFO, device or folder is refused, never waited on
    (dflint's one way in: :func:`dflint.read.fileio.open_input`, with no size cap)."""
    from dflint.errors import InputError
    from dflint.read.fileio import open_input

    try:
        return open_input(path)
    except InputError as exc:
        raise SourceError(f"{path}: {exc.message}") from None


class _Slice:
    """``size`` bytes of an open file from its current position."""

    def __init__(self, handle: BinaryIO, size: int) -> None:
        self.handle, self.left = handle, size

    def read(self, size: int) -> bytes:
        if self.left <= 0:
            return b""
        data = self.handle.read(min(size, self.left) if size >= 0 else self.left)
        self.left -= len(data)
        return data


class _Files:
    """The files of an OCI layout folder, or the members of a tar archive, by name."""

    def __init__(self, path: str, archive: bool) -> None:
        self.path = path
        self.archive = archive
        self.members: dict[str, tuple[int, int]] = {}
        if archive:
            with open_regular(path) as handle:
                self.members = _index_tar(handle, path)
        elif not os.path.isdir(path):
            raise SourceError(f"{path}: no such folder")

    def exists(self, name: str) -> bool:
        if self.archive:
            return name in self.members
        return os.path.lexists(os.path.join(self.path, name))

    @contextmanager
    def open(self, name: str) -> Iterator[tuple[Readable, int]]:
        if self.archive:
            if name not in self.members:
                raise SourceError(f"{self.path}: has no {name}")
            offset, size = self.members[name]
            with open_regular(self.path) as handle:
                handle.seek(offset)
                yield _Slice(handle, size), size
            return
        full = os.path.join(self.path, name)
        with open_regular(full) as handle:
            yield handle, os.fstat(handle.fileno()).st_size

    def read(self, name: str, limit: int) -> bytes:
        with self.open(name) as (stream, size):
            if size > limit:
                raise SourceError(f"{self.path}: {name} is {size} bytes (over the {limit} limit)")
            return stream.read(size)


class _Seekable:
    """A file whose skipped data is seeked over, for indexing an archive without reading it."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle

    def read(self, size: int) -> bytes:
        return self.handle.read(size)

    def seek(self, offset: int, whence: int) -> int:
        return self.handle.seek(offset, whence)


def _index_tar(handle: BinaryIO, path: str) -> dict[str, tuple[int, int]]:
    members: dict[str, tuple[int, int]] = {}
    blocks = _Blocks(_Seekable(handle))
    try:
        for entry in _entries(blocks):
            name = entry.name.removeprefix("./")
            data_at = blocks.offset
            if entry.kind == "file":
                members[name] = (data_at, entry.size)
            elif entry.kind == "hardlink" and entry.linkname in members:
                members[name] = members[entry.linkname]
            blocks.discard(entry.data + (-entry.data % BLOCK))
    except LayerError as exc:
        raise SourceError(f"{path}: not a readable tar archive: {exc}") from None
    return members


def _blob_name(digest: str) -> str:
    if not _DIGEST.match(digest):
        raise SourceError(f"{digest[:80]!r} is not a digest")
    algorithm, _, hexdigest = digest.partition(":")
    return f"blobs/{algorithm}/{hexdigest}"


def _digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class LayoutSource(Source):
    """An OCI image layout: a folder (``oci:DIR[:tag]``) or a tar of one (``oci-archive:``)."""

    kind = "oci"

    def __init__(self, label: str, path: str, tag: str | None, files: _Files) -> None:
        self.label = label
        self.tag = tag
        self.files = files
        self.path = path
        if not self.files.exists("index.json"):
            raise SourceError(f"{path}: not an OCI image layout (no index.json)")

    def root(self) -> Node:
        data = self.files.read("index.json", INDEX_LIMIT)
        document = _load_json(data, f"{self.path}: index.json")
        kind = _kind_of(document, f"{self.path}: index.json")
        entries = [e for e in document.get("manifests") or [] if isinstance(e, dict)]
        if self.tag is not None:
            chosen = [e for e in entries if _tag_of(e) == self.tag]
            if not chosen:
                tags = sorted({t for t in map(_tag_of, entries) if t})
                known = f" (it has: {', '.join(tags)})" if tags else " (it has no tagged image)"
                raise SourceError(f"{self.path}: no image tagged {self.tag!r}{known}")
            entries = chosen[:1]
        if len(entries) == 1 and isinstance(entries[0].get("digest"), str):
            return self.manifest(entries[0]["digest"])
        return Node(document, kind, _digest_of(data))

    def manifest(self, digest: str) -> Node:
        data = self.blob(digest, INDEX_LIMIT)
        document = _load_json(data, f"manifest {digest[:19]}")
        return Node(document, _kind_of(document, f"manifest {digest[:19]}"), digest)

    def blob(self, digest: str, limit: int) -> bytes:
        data = self.files.read(_blob_name(digest), limit)
        if digest.startswith("sha256:") and _digest_of(data) != digest:
            raise SourceError(f"{self.path}: blob {digest[:19]} does not match its digest")
        return data

    @contextmanager
    def open_blob(self, digest: str, size: int) -> Iterator[Readable]:
        try:
            with self.files.open(_blob_name(digest)) as (stream, _):
                yield stream
        except SourceError as exc:
            raise LayerError(str(exc)) from None


def _tag_of(entry: dict[str, Any]) -> str | None:
    annotations = entry.get("annotations")
    if not isinstance(annotations, dict):
        return None
    name = annotations.get("org.opencontainers.image.ref.name")
    if isinstance(name, str):
        return name
    full = annotations.get("io.containerd.image.name")
    if isinstance(full, str) and ":" in full.rsplit("/", 1)[-1]:
        return full.rsplit(":", 1)[1]
    return None


class ArchiveSource(Source):
    """``docker save`` output (also ``buildah push … docker-archive:FILE``)."""

    kind = "docker-archive"

    def __init__(self, label: str, path: str, tag: str | None, files: _Files) -> None:
        self.label = label
        self.path = path
        self.files = files
        self.tag = tag
        self.synthetic: dict[str, tuple[dict[str, Any], str]] = {}  # digest -> manifest
        self.names: dict[str, str] = {}  # blob digest -> member name

    def root(self) -> Node:
        document = _load_json(self.files.read("manifest.json", INDEX_LIMIT), "manifest.json")
        if not isinstance(document, list) or not document:
            raise SourceError(f"{self.path}: manifest.json lists no image")
        descriptors = []
        for entry in document:
            if not isinstance(entry, dict):
                continue
            tags = [t for t in entry.get("RepoTags") or [] if isinstance(t, str)]
            if self.tag is not None and not any(
                t == self.tag or t.rsplit(":", 1)[-1] == self.tag or _same_ref(t, self.tag)
                for t in tags
            ):
                continue
            descriptors.append(self._image(entry))
        if not descriptors:
            raise SourceError(f"{self.path}: no image tagged {self.tag!r}")
        if len(descriptors) == 1:
            return self.manifest(descriptors[0]["digest"])
        index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": descriptors}
        return Node(index, OCI_INDEX, _digest_of(json.dumps(index).encode()))

    def _image(self, entry: dict[str, Any]) -> dict[str, Any]:
        config_name = entry.get("Config")
        layers = entry.get("Layers")
        if not isinstance(config_name, str) or not isinstance(layers, list):
            raise SourceError(f"{self.path}: manifest.json entry without Config and Layers")
        config_data = self.files.read(config_name, CONFIG_LIMIT)
        config_digest = _digest_of(config_data)
        self.names[config_digest] = config_name
        config = _load_json(config_data, config_name)
        diff_ids = (config.get("rootfs") or {}).get("diff_ids") if isinstance(config, dict) else []
        if not isinstance(diff_ids, list) or len(diff_ids) != len(layers):
            diff_ids = [None] * len(layers)
        descriptors = []
        for index, (name, diff_id) in enumerate(zip(layers, diff_ids, strict=True)):
            if not isinstance(name, str):
                raise SourceError(f"{self.path}: manifest.json names a layer that is not a path")
            key = diff_id if isinstance(diff_id, str) and _DIGEST.match(diff_id) else None
            key = key or f"member:{index}:{name}"
            self.names[key] = name
            size = self.files.members.get(name, (0, -1))[1]
            descriptors.append({"mediaType": "application/vnd.oci.image.layer.v1.tar",
                                "digest": key, "size": size})  # fmt: skip
        manifest = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": config_digest, "size": len(config_data)},
            "layers": descriptors,
        }  # fmt: skip
        digest = _digest_of(json.dumps(manifest, sort_keys=True).encode())
        self.synthetic[digest] = (manifest, OCI_MANIFEST)
        return {"mediaType": OCI_MANIFEST, "digest": digest, "size": 0}

    def manifest(self, digest: str) -> Node:
        if digest not in self.synthetic:
            raise SourceError(f"{self.path}: has no manifest {digest[:19]}")
        document, media_type = self.synthetic[digest]
        return Node(document, media_type, digest)

    def blob(self, digest: str, limit: int) -> bytes:
        if digest not in self.names:
            raise SourceError(f"{self.path}: has no blob {digest[:19]}")
        return self.files.read(self.names[digest], limit)

    @contextmanager
    def open_blob(self, digest: str, size: int) -> Iterator[Readable]:
        try:
            if digest not in self.names:
                raise SourceError(f"{self.path}: has no blob {digest[:19]}")
            with self.files.open(self.names[digest]) as (stream, _):
                yield stream
        except SourceError as exc:
            raise LayerError(str(exc)) from None


def _same_ref(tag: str, wanted: str) -> bool:
    try:
        return parse_reference(tag).key == parse_reference(wanted).key
    except ReferenceError:
        return False


# --- the reference the user wrote -----------------------------------------------------------------

TRANSPORTS = ("oci:", "oci-archive:", "docker-archive:", "docker://")


def _split_tag(rest: str) -> tuple[str, str | None]:
    """``DIR[:tag]``: the tag only when DIR alone does not name something that exists."""
    if os.path.lexists(rest) or ":" not in rest:
        return rest, None
    path, _, tag = rest.rpartition(":")
    if path and "/" not in tag:
        return path, tag or None
    return rest, None


def _archive(label: str, path: str, tag: str | None) -> Source:
    """A tar archive: docker save's format (manifest.json), else an OCI layout in a tar."""
    files = _Files(path, archive=True)
    if files.exists("manifest.json"):
        return ArchiveSource(label, path, tag, files)
    if files.exists("index.json"):
        return LayoutSource(label, path, tag, files)
    raise SourceError(f"{path}: neither a docker-archive nor an OCI archive (no manifest.json)")


def open_source(text: str, client_for: Any) -> Source:
    """The source ``text`` names; ``client_for()`` gives the registry client when needed."""
    if text.startswith("oci:"):
        path, tag = _split_tag(text[4:])
        if os.path.isfile(path):
            return _archive(text, path, tag)
        return LayoutSource(text, path, tag, _Files(path, archive=False))
    if text.startswith("oci-archive:") or text.startswith("docker-archive:"):
        path, tag = _split_tag(text.split(":", 1)[1])
        return _archive(text, path, tag)
    name = text.removeprefix("docker://")
    if name == text and os.path.isfile(text):
        return _archive(text, text, None)  # a `docker save` tarball named directly
    if name == text and os.path.isdir(text) and os.path.isfile(os.path.join(text, "oci-layout")):
        return LayoutSource(text, text, None, _Files(text, archive=False))
    try:
        ref = parse_reference(name)
    except ReferenceError as exc:
        raise SourceError(
            f"{exc} (for a local image write oci:DIR or docker-archive:FILE)"
        ) from None
    return RegistrySource(text, ref, client_for())


def is_index(media_type: str) -> bool:
    return media_type in INDEX_TYPES
