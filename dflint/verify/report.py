"""The formats of ``dflint verify``: text, json, sarif and github, like ``lint``'s.

Text: for each reference a table, one row per platform (✓ verified, ✗ mismatch, – nothing to
prove, ! could not verify, also "missing" for a target the image lacks), then the files built
for another platform, each with its machine, the layer that put it there and, when known, the
instruction that made that layer.

SARIF and GitHub annotations point at the Dockerfile line when BuildKit's provenance names it;
otherwise a SARIF result points at the file inside the image (``uriBaseId`` ``IMAGEROOT``) and
an annotation has no file.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from dflint.report.formatters import printable
from dflint.report.formatters.github import escape_data, escape_property
from dflint.report.formatters.sarif import SCHEMA_URI, artifact_uri
from dflint.verify.engine import Foreign, ImageResult, PlatformResult, Run

FORMATS = ("text", "json", "sarif", "github")
RULES = {
    "foreign-binary": "A file in a platform's image is built for another platform.",
    "platform-mismatch": "An index entry's platform disagrees with its image's config.",
    "missing-platform": "The image has no entry for a target platform.",
    "not-verified": "A platform's image could not be read to the end.",
    "nothing-to-prove": "A platform's image holds no executable or shared object.",
}


def render(run: Run, name: str, unicode: bool = True) -> str:
    if name == "json":
        return json.dumps(document(run), indent=2, ensure_ascii=False) + "\n"
    if name == "sarif":
        return json.dumps(sarif(run), indent=2, ensure_ascii=False) + "\n"
    if name == "github":
        return github(run)
    return text(run, unicode)


# --- text -------------------------------------------------------------------------------------


def _mark(status: str, unicode: bool) -> str:
    marks = {"verified": "✓", "mismatch": "✗", "empty": "–", "error": "!", "missing": "✗"}
    plain = {"verified": "ok", "mismatch": "FAIL", "empty": "-", "error": "!", "missing": "FAIL"}
    return (marks if unicode else plain)[status]


def _summary_cell(item: PlatformResult) -> str:
    if item.status == "error":
        return f"could not verify: {item.error}"
    if item.status == "empty":
        return "no executables or shared objects: nothing to prove"
    parts = []
    if item.foreign:
        parts.append(f"{len(item.foreign)} of {item.binaries} binaries built for another platform")
    elif item.binaries:
        parts.append(f"{item.binaries} binaries, all {item.platform.split(':')[0]}")
    if item.neutral:
        parts.append(f"{item.neutral} architecture-neutral")
    parts += item.problems
    return "; ".join(parts)


def _describe_image(image: ImageResult) -> str:
    kinds = {
        "application/vnd.oci.image.index.v1+json": "OCI image index",
        "application/vnd.docker.distribution.manifest.list.v2+json": "Docker manifest list",
        "application/vnd.oci.image.manifest.v1+json": "OCI image manifest",
        "application/vnd.docker.distribution.manifest.v2+json": "Docker image manifest",
    }
    kind = kinds.get(image.media_type or "", image.media_type or "image")
    digest = f" {image.digest[:19]}" if image.digest else ""
    count = len(image.platforms)
    return f"{kind}{digest}, {count} platform{'s' if count != 1 else ''}"


def _foreign_lines(item: Foreign) -> list[str]:
    header = item.header
    lines = [f"    {printable(item.path)}: {header.format} {header.machine} = {header.platform}"]
    where = f"      layer {item.layer_number} ({item.layer[:19]})"
    if item.origin is not None:
        source = (
            f"{item.origin.file}:{item.origin.line}: "
            if item.origin.file and item.origin.line
            else ""
        )
        where += f", made by {source}{printable(item.origin.instruction)}"
    lines.append(where)
    return lines


def text(run: Run, unicode: bool = True) -> str:
    out: list[str] = []
    totals = {"verified": 0, "mismatch": 0, "empty": 0, "error": 0, "missing": 0}
    for image in run.images:
        if image.error is not None:
            out.append(f"{printable(image.reference)}: could not verify: {printable(image.error)}")
            out.append("")
            totals["error"] += 1
            continue
        out.append(f"{printable(image.reference)}  ({_describe_image(image)})")
        rows = [(item.platform, item.status, _summary_cell(item)) for item in image.platforms]
        rows += [
            (target, "missing", "missing: asked for, not in the image") for target in image.missing
        ]
        width = max((len(platform) for platform, _, _ in rows), default=8)
        for item in image.platforms:
            totals[item.status] += 1
        totals["missing"] += len(image.missing)
        for platform, status, cell in rows:
            out.append(f"  {platform:<{width}}  {_mark(status, unicode)}  {printable(cell)}")
        for item in image.platforms:
            if item.foreign:
                out.append(f"  {item.platform}: files built for another platform:")
                for foreign in item.foreign:
                    out += _foreign_lines(foreign)
            for note in item.notes:
                out.append(f"  {item.platform}: note: {printable(note)}")
        for note in image.notes:
            out.append(f"  note: {printable(note)}")
        out.append("")
    images = len(run.images)
    parts = [f"{totals['verified']} verified"]
    for key, label in (
        ("mismatch", "mismatched"),
        ("missing", "missing"),
        ("empty", "with nothing to prove"),
        ("error", "not verified"),
    ):
        if totals[key]:
            parts.append(f"{totals[key]} {label}")
    out.append(f"{images} image{'s' if images != 1 else ''}; platforms: {', '.join(parts)}.")
    return "\n".join(out) + "\n"


# --- json --------------------------------------------------------------------------------------


def _foreign_dict(item: Foreign) -> dict[str, Any]:
    origin = item.origin
    return {
        "path": item.path,
        "format": item.header.format,
        "machine": item.header.machine,
        "platform": item.header.platform,
        "layer": item.layer,
        "layer_number": item.layer_number,
        "instruction": origin.instruction if origin else None,
        "file": origin.file if origin else None,
        "line": origin.line if origin else None,
    }


def document(run: Run) -> dict[str, Any]:
    return {
        "version": 1,
        "targets": list(run.targets),
        "images": [
            {
                "reference": image.reference,
                "source": image.kind,
                "media_type": image.media_type,
                "digest": image.digest,
                "error": image.error,
                "missing": image.missing,
                "notes": image.notes,
                "platforms": [
                    {
                        "platform": item.platform,
                        "manifest": item.manifest,
                        "config_platform": item.config_platform,
                        "status": item.status,
                        "binaries": item.binaries,
                        "neutral": item.neutral,
                        "layers": item.layers,
                        "problems": item.problems,
                        "error": item.error,
                        "notes": item.notes,
                        "foreign": [_foreign_dict(f) for f in item.foreign],
                    }
                    for item in image.platforms
                ],
            }
            for image in run.images
        ],
        "exit_code": run.exit_code(),
    }


# --- findings for sarif and github -------------------------------------------------------------


def _findings(run: Run) -> list[tuple[str, str, str, Foreign | None]]:
    """(rule, level, message, file) for every problem of the run."""
    found: list[tuple[str, str, str, Foreign | None]] = []
    for image in run.images:
        ref = image.reference
        if image.error is not None:
            found.append(("not-verified", "error", f"{ref}: could not verify: {image.error}", None))
            continue
        for target in image.missing:
            found.append(("missing-platform", "error", f"{ref}: no image for {target}", None))
        for item in image.platforms:
            where = f"{ref} [{item.platform}]"
            if item.status == "error":
                message = f"{where}: could not verify: {item.error}"
                found.append(("not-verified", "error", message, None))
            if item.status == "empty":
                message = f"{where}: no executables or shared objects, nothing to prove"
                found.append(("nothing-to-prove", "note", message, None))
            for problem in item.problems:
                found.append(("platform-mismatch", "error", f"{where}: {problem}", None))
            for foreign in item.foreign:
                header = foreign.header
                message = (
                    f"{where}: {foreign.path} is {header.format} {header.machine} "
                    f"({header.platform}), in layer {foreign.layer_number} ({foreign.layer[:19]})"
                )
                if foreign.origin is not None:
                    message += f" made by {foreign.origin.instruction}"
                found.append(("foreign-binary", "error", message, foreign))
    return found


def sarif(run: Run) -> dict[str, Any]:
    import dflint
    from dflint.report.docs import PROJECT_URL

    findings = _findings(run)
    ids = list(RULES)
    results = []
    for rule, level, message, foreign in findings:
        result: dict[str, Any] = {
            "ruleId": f"verify/{rule}",
            "ruleIndex": ids.index(rule),
            "level": level,
            "message": {"text": message},
        }
        if foreign is not None:
            origin = foreign.origin
            if origin is not None and origin.file and origin.line:
                location = {
                    "artifactLocation": {"uri": artifact_uri(origin.file)},
                    "region": {"startLine": origin.line},
                }
            else:
                location = {
                    "artifactLocation": {
                        "uri": quote(_inside(foreign.path), safe="/"),
                        "uriBaseId": "IMAGEROOT",
                    }
                }
            result["locations"] = [{"physicalLocation": location}]
            result["properties"] = {"platform": foreign.header.platform, "layer": foreign.layer}
        results.append(result)
    driver = {
        "name": "dflint",
        "version": dflint.__version__,
        "semanticVersion": dflint.__version__,
        "informationUri": PROJECT_URL,
        "rules": [
            {"id": f"verify/{rule}", "name": rule, "shortDescription": {"text": summary}}
            for rule, summary in RULES.items()
        ],
    }
    successful = run.exit_code() != 2
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "originalUriBaseIds": {
                    "IMAGEROOT": {"description": {"text": "the root file system of the image"}}
                },
                "results": results,
                "invocations": [{"executionSuccessful": successful}],
            }
        ],
    }


def _inside(path: str) -> str:
    """A path in the image relative to its root: C:/app/x.exe -> app/x.exe."""
    return path[3:] if path[:3].upper() == "C:/" else path.lstrip("/")


def github(run: Run) -> str:
    levels = {"error": "error", "warning": "warning", "note": "notice"}
    lines = []
    for rule, level, message, foreign in _findings(run):
        properties = []
        if foreign is not None and foreign.origin and foreign.origin.file and foreign.origin.line:
            properties += [("file", foreign.origin.file), ("line", str(foreign.origin.line))]
        properties.append(("title", f"dflint verify: {rule}"))
        joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
        lines.append(f"::{levels[level]} {joined}::{escape_data(message)}")
    lines.append(text(run, unicode=False).rstrip("\n").splitlines()[-1])
    return "\n".join(lines) + "\n"
