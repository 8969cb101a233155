"""Reading a layer as it streams: decompression, tar headers, whiteouts. Nothing touches disk.

A layer is read once, front to back, through a small buffer: the tar reader here parses each
header itself (ustar, pax and GNU long names, base-256 sizes) so that every size it acts on is
bounded, reads the first :data:`~dflint.verify.binaries.HEADER_SIZE` bytes of the files worth
judging, and skips the rest of every file by reading past it. :func:`scan_layer` returns what
one layer holds (:class:`LayerScan`); :class:`Filesystem` stacks the scans of an image's layers
in order, applying whiteouts as the OCI image spec says, so that a file deleted or replaced in
a later layer is not judged.

Each problem ends as :class:`LayerError` with a one-line reason: a truncated or corrupt stream,
a compression this Python cannot read, a bad tar header, a name that leaves the image root (as
Docker refuses, "breakout"), a hard link to a file that is not there.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any, Protocol, cast

from dflint import lazyre
from dflint.verify.binaries import HEADER_SIZE, ArmAttributes, BinaryHeader, read_header

CHUNK = 256 * 1024
BLOCK = 512
META_LIMIT = 1024 * 1024  # a pax or GNU long-name header larger than this is refused
WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"
_SHARED_OBJECT = lazyre.compile(r"\.so(?:\.[0-9][0-9a-z_.-]*)?\Z")
_WINDOWS_BINARY = lazyre.compile(r"\.(?:exe|dll|sys)\Z", re.I)


class LayerError(Exception):
    """A layer that cannot be read to the end; the message is one line."""


class Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


# --- decompression ----------------------------------------------------------------------------


def zstd_reader(source: Readable) -> Readable:
    """A zstd decompressor over ``source``: the standard library's (3.14+) or ``zstandard``."""
    try:
        from compression import zstd  # type: ignore[import-not-found]

        reader: Readable = zstd.ZstdFile(source)
        return reader
    except ImportError:
        pass
    try:
        import zstandard
    except ImportError:
        raise LayerError(
            "the layer is zstd-compressed and this Python cannot read zstd: "
            "pip install 'dflint[zstd]'"
        ) from None
    decompressor = zstandard.ZstdDecompressor()
    stream: Readable = decompressor.stream_reader(cast(IO[bytes], source), read_across_frames=True)
    return stream


class _Gzip:
    """gzip members one after another (pigz and others write several), with bounded output."""

    def __init__(self, source: Readable) -> None:
        self.source = source
        self.inflater = zlib.decompressobj(wbits=31)
        self.pending = b""
        self.finished = False

    def read(self, size: int) -> bytes:
        while True:
            if self.inflater.unconsumed_tail:
                data = self.inflater.unconsumed_tail
            else:
                if self.finished:
                    return b""
                data = self.source.read(CHUNK)
                if not data:
                    if self.inflater.eof and not self.inflater.unused_data:
                        self.finished = True
                        return b""
                    raise LayerError("the gzip stream ends early (truncated layer)")
            try:
                out = self.inflater.decompress(data, size)
            except zlib.error as exc:
                raise LayerError(f"the gzip stream is corrupt ({exc})") from None
            if self.inflater.eof:
                rest = self.inflater.unused_data
                self.inflater = zlib.decompressobj(wbits=31)
                if rest.strip(b"\0"):
                    # another member follows; feed what is already here
                    self.source = _Prepend(rest, self.source)
                else:
                    self.finished = True
            if out:
                return out


class _Prepend:
    def __init__(self, first: bytes, rest: Readable) -> None:
        self.first, self.rest = first, rest

    def read(self, size: int) -> bytes:
        if self.first:
            out, self.first = self.first[:size], self.first[size:]
            return out
        return self.rest.read(size)


def decompressed(source: Readable) -> Readable:
    """The tar stream of a layer, whatever its compression (told by its first bytes: media
    types lie, and docker-archive layers carry none)."""
    head = source.read(4)
    stream = _Prepend(head, source)
    if head[:2] == b"\x1f\x8b":
        return _Gzip(stream)
    if head == b"\x28\xb5\x2f\xfd":
        return _Checked(zstd_reader(stream), "zstd")
    if head[:3] == b"BZh":
        raise LayerError("the layer is bzip2-compressed, which OCI images do not allow")
    return stream


class _Checked:
    """Turns a decompressor's own exceptions into LayerError."""

    def __init__(self, inner: Readable, name: str) -> None:
        self.inner, self.name = inner, name

    def read(self, size: int) -> bytes:
        try:
            return self.inner.read(size)
        except LayerError:
            raise
        except Exception as exc:  # zstandard.ZstdError, EOFError, ValueError
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise LayerError(f"the {self.name} stream is corrupt or truncated ({reason})") from None


class Digesting:
    """Passes bytes through while hashing them, to check the blob against its digest."""

    def __init__(
        self, source: Readable, digest: str | None, on_read: Callable[[int], None]
    ) -> None:
        self.source = source
        self.digest = digest if digest and digest.startswith("sha256:") else None
        self.hash = hashlib.sha256()
        self.on_read = on_read
        self.size = 0

    def read(self, size: int) -> bytes:
        data = self.source.read(size)
        if data:
            self.hash.update(data)
            self.size += len(data)
            self.on_read(len(data))
        return data

    def drain(self) -> None:
        while self.read(CHUNK):
            pass

    def check(self) -> None:
        if self.digest and "sha256:" + self.hash.hexdigest() != self.digest:
            raise LayerError(f"the blob's content does not match its digest {self.digest}")


# --- tar ----------------------------------------------------------------------------------------


class _Blocks:
    """Exact reads from a stream; an early end is a truncated layer."""

    def __init__(self, source: Readable) -> None:
        self.source = source
        self.offset = 0
        self.buffer = bytearray()

    def read_exact(self, size: int) -> bytes:
        while len(self.buffer) < size:
            data = self.source.read(max(CHUNK, size - len(self.buffer)))
            if not data:
                raise LayerError(f"the tar stream ends inside an entry at byte {self.offset}")
            self.buffer += data
        out = bytes(self.buffer[:size])
        del self.buffer[:size]
        self.offset += size
        return out

    def read_some(self, most: int) -> bytes:
        if not self.buffer:
            data = self.source.read(CHUNK)
            if not data:
                raise LayerError(f"the tar stream ends inside an entry at byte {self.offset}")
            self.buffer += data
        out = bytes(self.buffer[:most])
        del self.buffer[: len(out)]
        self.offset += len(out)
        return out

    def discard(self, size: int) -> None:
        """Skip ``size`` bytes, seeking when the source can (an archive file on disk)."""
        if size <= len(self.buffer):
            del self.buffer[:size]
            self.offset += size
            return
        rest = size - len(self.buffer)
        self.offset += len(self.buffer)
        self.buffer.clear()
        seek = getattr(self.source, "seek", None)
        if seek is not None:
            seek(rest, 1)
            self.offset += rest
            return
        while rest:
            data = self.source.read(min(CHUNK, rest))
            if not data:
                raise LayerError(f"the tar stream ends inside an entry at byte {self.offset}")
            rest -= len(data)
            self.offset += len(data)

    def at_end(self) -> bool:
        if self.buffer:
            return False
        data = self.source.read(CHUNK)
        self.buffer += data
        return not data


def _number(field_bytes: bytes, what: str, offset: int) -> int:
    if field_bytes and field_bytes[0] & 0x80:  # GNU base-256
        value = int.from_bytes(field_bytes[1:], "big")
        if field_bytes[0] & 0x40:
            raise LayerError(f"tar header at byte {offset}: negative {what}")
        return value
    text = field_bytes.split(b"\0", 1)[0].strip(b" \0")
    if not text:
        return 0
    try:
        return int(text, 8)
    except ValueError:
        raise LayerError(f"tar header at byte {offset}: {what} is not a number") from None


def _text(data: bytes) -> str:
    return data.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


def _pax(data: bytes, offset: int) -> dict[str, str]:
    records: dict[str, str] = {}
    at = 0
    while at < len(data):
        space = data.find(b" ", at)
        if space < 0:
            break
        try:
            length = int(data[at:space])
        except ValueError:
            raise LayerError(f"pax header at byte {offset} is malformed") from None
        if length <= 0 or at + length > len(data):
            raise LayerError(f"pax header at byte {offset} is malformed")
        record = data[space + 1 : at + length - 1]
        key, _, value = record.partition(b"=")
        records[key.decode("utf-8", "replace")] = value.decode("utf-8", "surrogateescape")
        at += length
    return records


@dataclass(slots=True)
class TarEntry:
    """A member of a layer's tar stream, read from its header: name, type, mode and size."""

    name: str
    kind: str  # file, dir, symlink, hardlink, other
    mode: int
    size: int
    linkname: str
    offset: int
    data: int  # bytes of data that follow the header (files, and types unknown here)
    sparse: bool = False


_KINDS = {
    "0": "file", "7": "file", "S": "file", "1": "hardlink", "2": "symlink", "5": "dir",
    "3": "other", "4": "other", "6": "other",
}  # fmt: skip


def _entries(blocks: _Blocks) -> Iterable[TarEntry]:
    """The entries of a tar stream; the caller must consume each file's data (``size`` bytes,
    padded to a block) before asking for the next entry (see :func:`_skip`)."""
    long_name: str | None = None
    long_link: str | None = None
    pax: dict[str, str] = {}
    global_pax: dict[str, str] = {}
    while True:
        if blocks.at_end():
            return  # a stream that stops at a block boundary: Docker accepts it too
        offset = blocks.offset
        header = blocks.read_exact(BLOCK)
        if header == bytes(BLOCK):
            return  # end-of-archive marker (the second zero block, if any, is not needed)
        stored = _number(header[148:156], "checksum", offset)
        checksum = sum(header[:148]) + 8 * 32 + sum(header[156:])
        if stored != checksum:
            raise LayerError(f"tar header at byte {offset} has a bad checksum (not a tar stream?)")
        size = _number(header[124:136], "size", offset)
        flag = chr(header[156]) if header[156] else "0"
        if flag in "xgLK":
            if size > META_LIMIT:
                raise LayerError(
                    f"tar header at byte {offset} declares {size} bytes of metadata "
                    f"(over the {META_LIMIT // 1024} KiB limit)"
                )
            data = blocks.read_exact(size)
            blocks.read_exact(-size % BLOCK)
            if flag == "x":
                pax = _pax(data, offset)
            elif flag == "g":
                global_pax.update(_pax(data, offset))
            elif flag == "L":
                long_name = _text(data)
            else:
                long_link = _text(data)
            continue
        name = _text(header[0:100])
        if header[257:262] == b"ustar" and header[345:500].strip(b"\0"):
            name = _text(header[345:500]) + "/" + name
        linkname = _text(header[157:257])
        merged = {**global_pax, **pax}
        if long_name is not None:
            name = long_name
        if long_link is not None:
            linkname = long_link
        if "path" in merged:
            name = merged["path"]
        if "linkpath" in merged:
            linkname = merged["linkpath"]
        if "size" in merged:
            try:
                size = int(merged["size"])
            except ValueError:
                raise LayerError(f"pax header at byte {offset}: size is not a number") from None
        sparse = flag == "S" or any(key.startswith("GNU.sparse.") for key in merged)
        if flag == "S" and header[482]:
            while blocks.read_exact(BLOCK)[504]:  # old GNU sparse extension headers
                pass
        long_name = long_link = None
        pax = {}
        kind = _KINDS.get(flag, "other")
        # As Go's archive/tar and Python's tarfile: links, folders and devices carry no data,
        # whatever their size field says; types unknown here are skipped by their size.
        follows = size if kind == "file" or flag not in _KINDS else 0
        mode = _number(header[100:108], "mode", offset) & 0o7777
        yield TarEntry(name, kind, mode, size, linkname, offset, follows, sparse)


def _skip(blocks: _Blocks, size: int) -> None:
    """Read past ``size`` bytes of data and the block padding after them."""
    _skip_from(blocks, size, 0, None)


def clean_path(name: str, offset: int) -> str:
    """A tar name as the path it stands for below the root; LayerError when it leaves it."""
    parts: list[str] = []
    for part in name.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            raise LayerError(
                f"tar entry {_shown(name)} at byte {offset} points outside the image root"
            )
        parts.append(part)
    return "/".join(parts)


def _shown(name: str) -> str:
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    text = "".join("\ufffd" if ord(ch) < 32 or ord(ch) == 127 else ch for ch in text)
    return repr(text[:200])


# --- one layer ------------------------------------------------------------------------------------


@dataclass(slots=True)
class LayerScan:
    """What one layer holds that matters for judging binaries (paths without a leading /)."""

    binaries: dict[str, BinaryHeader] = field(default_factory=dict)
    paths: set[str] = field(default_factory=set)  # every entry that is not a directory
    dirs: set[str] = field(default_factory=set)
    whiteouts: set[str] = field(default_factory=set)  # paths deleted from the layers below
    opaque: set[str] = field(default_factory=set)  # folders whose lower content is hidden
    links: list[tuple[str, str]] = field(default_factory=list)  # hard links to lower layers
    files: int = 0
    size: int = 0  # compressed bytes read


def worth_judging(path: str, mode: int, windows: bool) -> bool:
    """Executables and shared objects; on Windows, .exe/.dll/.sys (modes mean nothing there)."""
    if windows:
        return _WINDOWS_BINARY.search(path) is not None
    return bool(mode & 0o111) or _SHARED_OBJECT.search(path.rsplit("/", 1)[-1]) is not None


def scan_layer(stream: Readable, windows: bool) -> LayerScan:
    """Read a decompressed layer tar to its end; every judged file's header is read."""
    blocks = _Blocks(stream)
    scan = LayerScan()
    in_layer: dict[str, str] = {}  # path -> kind, of this layer's entries so far
    for entry in _entries(blocks):
        path = clean_path(entry.name, entry.offset)
        folder, _, base = path.rpartition("/")
        if not path or base == OPAQUE or base.startswith(WHITEOUT) or entry.kind != "file":
            _skip(blocks, entry.data)
            if not path:
                continue
            if base == OPAQUE:
                scan.opaque.add(folder)
            elif base.startswith(WHITEOUT):
                scan.whiteouts.add(posixpath.join(folder, base[len(WHITEOUT) :]))
            elif entry.kind == "dir":
                scan.dirs.add(path)
                in_layer[path] = "dir"
            else:
                scan.paths.add(path)
                scan.binaries.pop(path, None)
                in_layer[path] = entry.kind
                if entry.kind == "hardlink":
                    _link(scan, in_layer, path, clean_path(entry.linkname, entry.offset))
            continue
        scan.paths.add(path)
        scan.binaries.pop(path, None)
        in_layer[path] = "file"
        scan.files += 1
        if entry.sparse or entry.size < 16 or not worth_judging(path, entry.mode, windows):
            _skip(blocks, entry.data)
            continue
        head_size = min(entry.size, HEADER_SIZE)
        head = blocks.read_exact(head_size)
        header = read_header(head)
        watch = None
        if header is not None and header.format == "ELF" and header.architecture == "arm":
            attributes = ArmAttributes(head)
            attributes.feed(head, 0)
            watch = attributes.feed
        _skip_from(blocks, entry.size - head_size, head_size, watch)
        if watch is not None and header is not None:
            found = attributes.variant()
            if found is not None:
                variant, name = found
                header = BinaryHeader(
                    header.format, f"{header.machine}, {name}", header.os, "arm", variant
                )
        if header is not None:
            scan.binaries[path] = header
    return scan


def _link(scan: LayerScan, in_layer: dict[str, str], path: str, target: str) -> None:
    """A hard link: to a file of this layer (read already), or to one below, checked later."""
    kind = in_layer.get(target)
    if kind in ("file", "hardlink"):
        if target in scan.binaries:
            scan.binaries[path] = scan.binaries[target]
    elif kind is None:
        scan.links.append((path, target))


def _skip_from(
    blocks: _Blocks, rest: int, start: int, watch: Callable[[bytes, int], None] | None
) -> None:
    """Skip the rest of a file whose first ``start`` bytes were read (padding included)."""
    done = 0
    while done < rest:
        data = blocks.read_some(min(CHUNK, rest - done))
        if watch is not None:
            watch(data, start + done)
        done += len(data)
    total = start + rest
    if total % BLOCK:
        blocks.read_exact(BLOCK - total % BLOCK)


def read_layer(
    source: Readable, digest: str | None, windows: bool, on_read: Any = None
) -> LayerScan:
    """Check, decompress and scan one layer blob read from ``source``."""
    digesting = Digesting(source, digest, on_read or (lambda _: None))
    stream = decompressed(digesting)
    scan = scan_layer(stream, windows)
    # The rest (the tar's zero padding, the compression trailer) must still be read, to
    # check the stream and the digest.
    while stream.read(CHUNK):
        pass
    digesting.drain()
    digesting.check()
    scan.size = digesting.size
    return scan


# --- the image: layers stacked --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Placed:
    """A judged file of an image: its binary header and the layer it comes from."""

    header: BinaryHeader
    layer: int  # index of the layer the file comes from


class Filesystem:
    """The judged files of an image, layer by layer, with whiteouts applied.

    It keeps every path (to check hard links and to let a later layer's entry replace a lower
    one) but only the headers of the judged files, so its size follows the number of files,
    never their bytes.
    """

    def __init__(self) -> None:
        self.binaries: dict[str, Placed] = {}
        self.paths: set[str] = set()  # non-directories
        self.dirs: set[str] = set()  # folders, named or implied by a path below them

    def apply(self, index: int, scan: LayerScan) -> None:
        # What this layer deletes or replaces below it: whiteouts, and any non-directory
        # (which replaces a lower file, or a lower folder with all it holds).
        replaced = scan.whiteouts | scan.paths
        folders = (replaced & self.dirs) | {d for d in scan.opaque if d in self.dirs or not d}
        if folders:
            opaque = {d for d in scan.opaque if d in folders}
            gone = replaced & folders
            self.paths = {p for p in self.paths if not _below(p, gone, opaque)}
            self.dirs = {d for d in self.dirs if d not in gone and not _below(d, gone, opaque)}
            self.binaries = {
                p: placed for p, placed in self.binaries.items() if not _below(p, gone, opaque)
            }
        self.paths -= replaced
        for path in replaced & self.binaries.keys():
            del self.binaries[path]
        for path in scan.dirs & self.paths:  # a folder replaces a lower file of its name
            self.paths.discard(path)
            self.binaries.pop(path, None)
        for path, target in scan.links:
            if target not in self.paths:
                raise LayerError(
                    f"hard link {_shown('/' + path)} points to {_shown('/' + target)}, "
                    "which no layer holds"
                )
            if target in self.binaries:
                self.binaries[path] = Placed(self.binaries[target].header, index)
        self.paths |= scan.paths
        self.dirs -= scan.paths
        self.dirs |= scan.dirs
        for path in scan.paths:
            folder = path
            while "/" in folder:
                folder = folder.rsplit("/", 1)[0]
                if folder in self.dirs:
                    break
                self.dirs.add(folder)
        for path, header in scan.binaries.items():
            self.binaries[path] = Placed(header, index)


def _below(path: str, gone: set[str], opaque: set[str]) -> bool:
    """Whether ``path`` lies in a deleted folder, or in an opaque one (the root is "")."""
    if "" in opaque:
        return True
    folder = path
    while "/" in folder:
        folder = folder.rsplit("/", 1)[0]
        if folder in gone or folder in opaque:
            return True
    return False
