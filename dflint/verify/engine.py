"""``dflint verify``: does each platform's image of a tag hold binaries for that platform?

For every reference: the manifest it names (an index: every platform entry but attestations;
an image: its config's platform); for each platform image its config, compared with the index
entry; then its layers, read concurrently on a thread pool shared by the whole run, each blob
once however many platforms (or references) share it; then the layers stacked in order with
whiteouts applied, and every executable and shared object judged against the platform.

Judging: an ELF, PE or Mach-O file is *for another platform* when its OS or architecture
differs from the image's. Allowed, because the CPU runs them natively: 386 code in an amd64
image (IA-32 compatibility, WOW64 on Windows), and an older 32-bit ARM version in a newer one
(a v6 binary in an arm/v7 image, not the reverse). 32-bit ARM code in an arm64 image is
reported: many arm64 CPUs cannot run it. In Windows images only PE files count (``.exe``,
``.dll``, ``.sys``); in Linux images ELF files, and PE or Mach-O files only when marked
executable (pip ships Windows launchers as data in every Python image). .NET IL-only
assemblies run anywhere and are counted apart.
"""

from __future__ import annotations

import fnmatch
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TextIO

from dflint.core.platform import Platform, normalise_arch
from dflint.registry.client import RegistryFailure
from dflint.verify.binaries import BinaryHeader
from dflint.verify.layers import Filesystem, LayerError, LayerScan, read_layer
from dflint.verify.provenance import PROVENANCE_TYPES, Origin, from_history, from_provenance
from dflint.verify.sources import CONFIG_LIMIT, Node, Source, SourceError, is_index

ATTESTATION_TYPE = "vnd.docker.reference.type"
ATTESTATION_SUBJECT = "vnd.docker.reference.digest"
IMAGE_CONFIG_TYPES = (
    "application/vnd.oci.image.config.v1+json",
    "application/vnd.docker.container.image.v1+json",
)
PROVENANCE_LIMIT = 32 * 1024 * 1024
MAX_PLATFORMS = 64
WORKERS = 4


@dataclass(frozen=True, slots=True)
class Foreign:
    """A file built for another platform than the image's."""

    path: str  # as it appears in a container: /usr/bin/app, C:/app/app.exe
    header: BinaryHeader
    layer: str  # digest of the layer that put it there
    layer_number: int  # 1-based, of the image's layers
    origin: Origin | None  # the instruction that made the layer, when known


@dataclass(slots=True)
class PlatformResult:
    """What ``dflint verify`` found in one platform's image: its verdict and foreign binaries."""

    platform: str  # what the index says (or the config, for a single image)
    manifest: str  # the image manifest's digest
    config_platform: str | None = None
    status: str = "verified"  # verified, mismatch, empty, error
    binaries: int = 0  # judged files
    neutral: int = 0  # architecture-neutral ones (.NET IL)
    layers: int = 0
    foreign: list[Foreign] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # config/index disagreement
    error: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ImageResult:
    """What ``dflint verify`` found for one reference: its platforms, and the targets it lacks."""

    reference: str
    kind: str = ""  # registry, oci, docker-archive
    media_type: str | None = None
    digest: str | None = None
    platforms: list[PlatformResult] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # targets the image has no entry for
    error: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Run:
    """A ``dflint verify`` run: each reference's result, and the exit code they make."""

    images: list[ImageResult] = field(default_factory=list)
    targets: tuple[str, ...] = ()

    def exit_code(self) -> int:
        if any(image.error for image in self.images) or any(
            item.status == "error" for image in self.images for item in image.platforms
        ):
            return 2
        if any(image.missing for image in self.images) or any(
            item.status == "mismatch" for image in self.images for item in image.platforms
        ):
            return 1
        return 0


# --- judging ------------------------------------------------------------------------------------


def _variant_number(variant: str) -> float:
    try:
        return float(variant.lstrip("v"))
    except ValueError:
        return 0.0


def judge(header: BinaryHeader, target: Platform) -> str:
    """``match``, ``foreign``, ``neutral`` (runs anywhere) or ``skip`` (not this OS's kind)."""
    if header.neutral:
        return "neutral"
    wanted = target.normalised
    if wanted.os == "windows" and not header.format.startswith("PE"):
        return "skip"
    if header.os != wanted.os:
        return "foreign"
    arch = normalise_arch(header.architecture, "")[0]
    if arch == wanted.architecture:
        if (
            arch == "arm"
            and header.variant
            and _variant_number(header.variant) > _variant_number(wanted.variant)
        ):
            return "foreign"
        return "match"
    if wanted.architecture == "amd64" and arch == "386":
        return "match"
    return "foreign"


def shown_path(path: str, windows: bool) -> str:
    if windows and path.lower().startswith("files/"):
        return "C:/" + path[6:]
    return path if windows else "/" + path


# --- progress ------------------------------------------------------------------------------------


class Progress:
    """One line on a terminal's stderr, rewritten at most a few times a second."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream
        self.total = self.done = 0
        self.layers = self.layers_done = 0
        self._lock = threading.Lock()
        self._shown = 0.0
        self._dirty = False

    def add(self, size: int) -> None:
        with self._lock:
            self.total += max(size, 0)
            self.layers += 1

    def read(self, size: int) -> None:
        with self._lock:
            self.done += size
        self._show()

    def finished_layer(self) -> None:
        with self._lock:
            self.layers_done += 1
        self._show(force=True)

    def _show(self, force: bool = False) -> None:
        if self.stream is None:
            return
        now = time.monotonic()
        if not force and now - self._shown < 0.2:
            return
        with self._lock:
            self._shown = now
            mb, total = self.done / 1e6, self.total / 1e6
            line = f"verifying: {self.layers_done}/{self.layers} layers, {mb:.1f}/{total:.1f} MB"
            self.stream.write("\r" + line + "\x1b[K")
            self.stream.flush()
            self._dirty = True

    def clear(self) -> None:
        if self.stream is not None and self._dirty:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


# --- the run -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Plan:
    """One platform image to verify: its config, its layers and their scans under way."""

    source: Source
    result: PlatformResult
    target: Platform
    windows: bool
    layers: list[dict[str, Any]]
    config: dict[str, Any]
    scans: list[Future[LayerScan]]
    provenance: str | None  # digest of the attestation manifest for this image


class Verifier:
    def __init__(
        self,
        targets: tuple[Platform, ...] = (),
        exclude: tuple[str, ...] = (),
        workers: int = WORKERS,
        progress: TextIO | None = None,
    ) -> None:
        self.targets = targets
        self.exclude = exclude
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dflint-verify")
        self.scans: dict[tuple[str, bool], Future[LayerScan]] = {}
        self.configs: dict[str, bytes] = {}
        self.progress = Progress(progress)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.progress.clear()

    def run(self, sources: list[tuple[str, Callable[[], Source]]]) -> Run:
        """``sources``: (the reference as written, what opens it)."""
        run = Run(targets=tuple(str(t) for t in self.targets))
        plans: list[tuple[ImageResult, list[_Plan], Source | None]] = []
        for text, opener in sources:
            image = ImageResult(text)
            run.images.append(image)
            source: Source | None = None
            try:
                source = opener()
                image.kind = source.kind
                plans.append((image, self._plan(source, image), source))
            except (SourceError, RegistryFailure) as exc:
                image.error = _reason(exc)
                plans.append((image, [], source))
        for image, image_plans, source in plans:
            for plan in image_plans:
                self._finish(plan)
            image.platforms = [plan.result for plan in image_plans]
            if source is not None:
                source.close()
        self.progress.clear()
        return run

    # --- planning: manifests and configs ----------------------------------------------------

    def _plan(self, source: Source, image: ImageResult) -> list[_Plan]:
        root = source.root()
        image.media_type, image.digest = root.media_type, root.digest
        entries: list[tuple[Platform | None, str]] = []
        attestations: dict[str, str] = {}
        if is_index(root.media_type):
            self._entries(source, root, entries, attestations, image, depth=0)
            if not entries:
                raise SourceError("the index lists no platform image")
        else:
            entries.append((None, root.digest))
        plans = []
        for platform, digest in entries[:MAX_PLATFORMS]:
            plan = self._plan_platform(source, image, platform, digest, root)
            if plan is not None:
                plan.provenance = attestations.get(digest)
                plans.append(plan)
        found = [p.target for p in plans if p.result.status != "error"]
        if len(entries) > MAX_PLATFORMS:
            image.notes.append(f"only the first {MAX_PLATFORMS} of {len(entries)} entries read")
        for target in self.targets:
            if not any(item.serves(target) for item in found):
                image.missing.append(str(target))
        return plans

    def _entries(
        self,
        source: Source,
        node: Node,
        entries: list[tuple[Platform | None, str]],
        attestations: dict[str, str],
        image: ImageResult,
        depth: int,
    ) -> None:
        listed = node.document.get("manifests")
        if not isinstance(listed, list):
            raise SourceError("the index has no manifests list")
        for entry in listed:
            if not isinstance(entry, dict) or not isinstance(entry.get("digest"), str):
                continue
            annotations = entry.get("annotations")
            annotations = annotations if isinstance(annotations, dict) else {}
            raw = entry.get("platform")
            platform = Platform.from_oci(raw) if isinstance(raw, dict) else None
            if ATTESTATION_TYPE in annotations or (platform and platform.is_attestation):
                subject = annotations.get(ATTESTATION_SUBJECT)
                if isinstance(subject, str):
                    attestations[subject] = entry["digest"]
                continue
            if isinstance(entry.get("mediaType"), str) and is_index(entry["mediaType"]):
                if depth < 2:
                    child = source.manifest(entry["digest"])
                    self._entries(source, child, entries, attestations, image, depth + 1)
                continue
            entries.append((platform, entry["digest"]))

    def _plan_platform(
        self,
        source: Source,
        image: ImageResult,
        platform: Platform | None,
        digest: str,
        root: Node,
    ) -> _Plan | None:
        result = PlatformResult(str(platform) if platform else "?", digest)
        failed = _Plan(source, result, platform or Platform("?", "?"), False, [], {}, [], None)
        try:
            node = root if digest == root.digest and not is_index(root.media_type) else None
            node = node or source.manifest(digest)
            document = node.document
            config_descriptor = document.get("config")
            if not isinstance(config_descriptor, dict) or not isinstance(
                config_descriptor.get("digest"), str
            ):
                raise SourceError("the image manifest has no config")
            config_type = config_descriptor.get("mediaType")
            if isinstance(config_type, str) and config_type not in IMAGE_CONFIG_TYPES:
                image.notes.append(
                    f"{digest[:19]} is not a container image ({config_type}): skipped"
                )
                return None
            config_digest = config_descriptor["digest"]
            if config_digest not in self.configs:  # shared by platforms: read once
                self.configs[config_digest] = source.blob(config_digest, CONFIG_LIMIT)
            config = json.loads(self.configs[config_digest])
            if not isinstance(config, dict):
                raise SourceError("the image config is not a JSON object")
        except (SourceError, RegistryFailure, ValueError, RecursionError) as exc:
            result.status, result.error = "error", _reason(exc)
            return failed
        configured = Platform.from_oci(config)
        if configured is not None:
            result.config_platform = str(configured)
        if platform is None:
            if configured is None:
                result.status, result.error = "error", "the image config names no os/architecture"
                return failed
            platform = configured
            result.platform = str(platform)
        elif configured is None:
            result.problems.append("the image config names no os/architecture")
        elif not _agree(platform, configured):
            result.problems.append(
                f"the index says {platform} but the image's config says {configured}"
            )
        layers = [d for d in document.get("layers") or [] if isinstance(d, dict)]
        windows = platform.os == "windows"
        result.layers = len(layers)
        plan = _Plan(source, result, platform, windows, layers, config, [], None)
        for descriptor in layers:
            plan.scans.append(self._scan(source, descriptor, windows))
        return plan

    def _scan(self, source: Source, descriptor: dict[str, Any], windows: bool) -> Future[LayerScan]:
        digest = descriptor.get("digest")
        size = descriptor.get("size")
        size = size if isinstance(size, int) else 0
        media_type = str(descriptor.get("mediaType") or "")
        if not isinstance(digest, str):
            failed: Future[LayerScan] = Future()
            failed.set_exception(LayerError("a layer descriptor has no digest"))
            return failed
        key = (digest, windows)
        if key in self.scans:
            return self.scans[key]
        if media_type and "tar" not in media_type and "rootfs" not in media_type:
            failed = Future()
            failed.set_exception(
                LayerError(f"layer media type {media_type!r} is not a file system")
            )
            self.scans[key] = failed
            return failed
        self.progress.add(size)

        def work() -> LayerScan:
            try:
                with source.open_blob(digest, size) as stream:
                    return read_layer(stream, digest, windows, self.progress.read)
            finally:
                self.progress.finished_layer()

        future = self.pool.submit(work)
        self.scans[key] = future
        return future

    # --- judging: layers stacked ------------------------------------------------------------

    def _finish(self, plan: _Plan) -> None:
        result = plan.result
        if result.status == "error":
            return
        filesystem = Filesystem()
        foreign_layer_missing = 0
        try:
            for index, future in enumerate(plan.scans):
                try:
                    scan = future.result()
                except LayerError as exc:
                    descriptor = plan.layers[index]
                    if "foreign" in str(descriptor.get("mediaType")) or descriptor.get("urls"):
                        foreign_layer_missing += 1
                        continue
                    raise LayerError(f"layer {index + 1} ({_short(descriptor)}): {exc}") from None
                try:
                    filesystem.apply(index, scan)
                except LayerError as exc:
                    where = _short(plan.layers[index])
                    raise LayerError(f"layer {index + 1} ({where}): {exc}") from None
        except LayerError as exc:
            result.status, result.error = "error", str(exc)
            return
        except Exception as exc:
            result.status, result.error = "error", f"internal error: {type(exc).__name__}: {exc}"
            return
        if foreign_layer_missing:
            result.notes.append(
                f"{foreign_layer_missing} foreign (non-distributable) base layer(s) could not be "
                "read from the registry and were not checked"
            )
        origins: list[Origin | None] | None = None
        for path in sorted(filesystem.binaries):
            placed = filesystem.binaries[path]
            shown = shown_path(path, plan.windows)
            if any(fnmatch.fnmatchcase(shown, pattern) for pattern in self.exclude):
                continue
            verdict = judge(placed.header, plan.target)
            if verdict == "skip":
                continue
            if verdict == "neutral":
                result.neutral += 1
                continue
            result.binaries += 1
            if verdict == "foreign":
                if origins is None:
                    origins = self._origins(plan)
                descriptor = plan.layers[placed.layer]
                result.foreign.append(
                    Foreign(
                        shown,
                        placed.header,
                        str(descriptor.get("digest")),
                        placed.layer + 1,
                        origins[placed.layer],
                    )
                )
        if result.foreign or result.problems:
            result.status = "mismatch"
        elif result.binaries == 0:
            result.status = "empty"

    def _origins(self, plan: _Plan) -> list[Origin | None]:
        origins = from_history(plan.config, len(plan.layers))
        if plan.provenance is None:
            return origins
        try:
            mapped = self._provenance(plan.source, plan.provenance)
        except (SourceError, RegistryFailure, ValueError, RecursionError) as exc:
            plan.result.notes.append(f"provenance not read: {_reason(exc)}")
            return origins
        for index, descriptor in enumerate(plan.layers):
            found = mapped.get(str(descriptor.get("digest")))
            if found is not None:
                origins[index] = found
        return origins

    def _provenance(self, source: Source, digest: str) -> dict[str, Origin]:
        node = source.manifest(digest)
        mapped: dict[str, Origin] = {}
        for layer in node.document.get("layers") or []:
            if not isinstance(layer, dict):
                continue
            annotations = layer.get("annotations") or {}
            kind = (
                annotations.get("in-toto.io/predicate-type")
                if isinstance(annotations, dict)
                else None
            )
            if kind not in PROVENANCE_TYPES or not isinstance(layer.get("digest"), str):
                continue
            statement = json.loads(source.blob(layer["digest"], PROVENANCE_LIMIT))
            mapped.update(from_provenance(statement))
        return mapped


def _agree(index: Platform, config: Platform) -> bool:
    a, b = index.normalised, config.normalised
    if (a.os, a.architecture) != (b.os, b.architecture):
        return False
    if index.variant and config.variant and a.variant != b.variant:
        return False
    return not (index.os_version and config.os_version and index.os_version != config.os_version)


def _short(descriptor: dict[str, Any]) -> str:
    digest = str(descriptor.get("digest") or "?")
    return digest[:19] if digest.startswith("sha256:") else digest[:60]


def _reason(exc: BaseException) -> str:
    if isinstance(exc, RegistryFailure):
        return exc.reason
    if isinstance(exc, ValueError | RecursionError) and not isinstance(exc, SourceError):
        return "the image config is not valid JSON"
    text = str(exc)
    return text.splitlines()[0] if text else type(exc).__name__


def terminal(stream: TextIO) -> TextIO | None:
    return stream if stream.isatty() else None
