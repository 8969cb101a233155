"""Which instruction made a layer: the image config's history, or BuildKit's provenance.

The history has one entry per instruction; those without ``empty_layer`` made the layers, in
order, so the n-th of them is the n-th layer (only when the counts agree: a config whose
history was rewritten or dropped gets no attribution rather than a wrong one).

BuildKit's SLSA provenance (``--provenance=mode=max``), stored in the index as an attestation
manifest for the image, maps build steps to the layer chains they produced
(``buildkit_metadata.layers``: ``"stepN:M" -> [[descriptor, ...]]``) and steps to Dockerfile
lines (``source.locations`` with ``source.infos`` holding the Dockerfile itself). A layer is
attributed to the step with the shortest chain that holds it, which is the step that added it.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

BUILDKIT_V02 = "https://mobyproject.org/buildkit@v1#metadata"
PROVENANCE_TYPES = ("https://slsa.dev/provenance/v0.2", "https://slsa.dev/provenance/v1")


@dataclass(frozen=True, slots=True)
class Origin:
    """The instruction that made a layer: its text, and its Dockerfile and line when known."""

    instruction: str  # the Dockerfile text, or the history's created_by
    file: str | None = None  # the Dockerfile (provenance only)
    line: int | None = None


def clean_created_by(text: str) -> str:
    """``/bin/sh -c #(nop)  COPY file:… in /app`` -> ``COPY file:… in /app``."""
    text = " ".join(text.split())
    for prefix in ("/bin/sh -c #(nop) ", "/bin/sh -c "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    text = text.removesuffix(" # buildkit")
    return text if len(text) <= 160 else text[:159] + "…"


def from_history(config: dict[str, Any], layers: int) -> list[Origin | None]:
    history = config.get("history")
    if not isinstance(history, list):
        return [None] * layers
    made = [entry for entry in history if isinstance(entry, dict) and not entry.get("empty_layer")]
    if len(made) != layers:
        return [None] * layers
    origins: list[Origin | None] = []
    for entry in made:
        created = entry.get("created_by")
        origins.append(Origin(clean_created_by(created)) if isinstance(created, str) else None)
    return origins


def _metadata(predicate: dict[str, Any]) -> dict[str, Any] | None:
    metadata = predicate.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get(BUILDKIT_V02), dict):
        found: dict[str, Any] = metadata[BUILDKIT_V02]
        return found
    details = predicate.get("runDetails")
    if isinstance(details, dict):
        metadata = details.get("metadata")
        if isinstance(metadata, dict) and isinstance(metadata.get("buildkit_metadata"), dict):
            found = metadata["buildkit_metadata"]
            return found
    return None


def from_provenance(statement: Any) -> dict[str, Origin]:
    """Layer digest -> the Dockerfile instruction that made it, from an in-toto statement."""
    if not isinstance(statement, dict) or not isinstance(statement.get("predicate"), dict):
        return {}
    metadata = _metadata(statement["predicate"])
    if metadata is None:
        return {}
    layers, source = metadata.get("layers"), metadata.get("source")
    if not isinstance(layers, dict) or not isinstance(source, dict):
        return {}
    step_of: dict[str, tuple[int, str]] = {}  # layer digest -> (chain length, step)
    for key, chains in layers.items():
        step = str(key).split(":", 1)[0]
        if not isinstance(chains, list):
            continue
        for chain in chains:
            if not isinstance(chain, list):
                continue
            for descriptor in chain:
                digest = descriptor.get("digest") if isinstance(descriptor, dict) else None
                if isinstance(digest, str):
                    known = step_of.get(digest)
                    if known is None or len(chain) < known[0]:
                        step_of[digest] = (len(chain), step)
    texts = _sources(source.get("infos"))
    locations = source.get("locations")
    if not isinstance(locations, dict):
        return {}
    origins: dict[str, Origin] = {}
    for digest, (_, step) in step_of.items():
        origin = _located(locations.get(step), texts)
        if origin is not None:
            origins[digest] = origin
    return origins


def _sources(infos: Any) -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []
    for info in infos if isinstance(infos, list) else []:
        if not isinstance(info, dict):
            found.append(("", []))
            continue
        name = info.get("filename") if isinstance(info.get("filename"), str) else ""
        try:
            data = base64.b64decode(info.get("data") or "", validate=True)
            lines = data.decode("utf-8", "replace").splitlines()
        except (binascii.Error, ValueError, TypeError):
            lines = []
        found.append((str(name), lines))
    return found


def _located(entry: Any, texts: list[tuple[str, list[str]]]) -> Origin | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("locations"), list):
        return None
    for location in entry["locations"]:
        if not isinstance(location, dict):
            continue
        index = location.get("sourceIndex", 0)
        ranges = location.get("ranges")
        if not isinstance(index, int) or not 0 <= index < len(texts):
            continue
        if not isinstance(ranges, list) or not ranges or not isinstance(ranges[0], dict):
            continue
        start = (ranges[0].get("start") or {}).get("line")
        end = (ranges[0].get("end") or {}).get("line", start)
        name, lines = texts[index]
        if not isinstance(start, int) or not 1 <= start <= len(lines):
            continue
        last = end if isinstance(end, int) and start <= end <= len(lines) else start
        text = " ".join(" ".join(lines[start - 1 : last]).replace("\\ ", " ").split())
        if len(text) > 160:
            text = text[:159] + "…"
        return Origin(text, name or "Dockerfile", start)
    return None
