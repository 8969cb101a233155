"""DF401 windows-path-in-linux-stage."""

from __future__ import annotations

from collections.abc import Iterator

from dflint import lazyre
from dflint.analyse.shell.source import argument_text
from dflint.core.findings import Severity
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.read.model import Instruction

# A drive-letter path at the start of a word or value: C:\app, c:/tools, "D:\data".
_DRIVE_PATH = lazyre.compile(r"(?:(?<=^)|(?<=[\s=\"'\[,;]))([A-Za-z]):[\\/]")
_JSON_STRING = lazyre.compile(r'"(?:[^"\\]|\\.)*"')
_CHECKED = frozenset({"WORKDIR", "COPY", "ADD", "ENV", "VOLUME", "ARG"})

_SLASHES = lazyre.compile(r"/+")


class WindowsPathInLinuxStage(Rule):
    """A Windows drive path (`C:\\…`) in a Linux stage.

    What it does
    Finds drive-letter paths (`C:\\app`, `c:/tools`) in WORKDIR, COPY, ADD, ENV, ARG and
    VOLUME of a stage that builds a Linux image.

    Why is this bad?
    Linux has no drives: `WORKDIR C:\\app` creates a folder literally named `C:\\app` under the
    current folder, and an `ENV JAVA_HOME=C:\\openjdk` points nowhere. It usually means a
    Windows Dockerfile was copied, or that a multi-OS tag (`python:3.12`) resolved to its
    Linux image on a Linux host.

    Example
    ```dockerfile
    FROM debian:bookworm-slim
    WORKDIR C:\\app
    ```

    Use instead
    ```dockerfile
    FROM debian:bookworm-slim
    WORKDIR /app
    ```

    Fix safety
    No automatic fix: `dflint fix --os linux` maps Windows paths when it translates a file.

    References
    - https://docs.docker.com/reference/dockerfile/#workdir
    """

    code = "DF401"
    name = "windows-path-in-linux-stage"
    severity = Severity.ERROR
    platforms = ("linux",)
    nodes = _CHECKED

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        facts = ctx.analysis.facts(instruction)
        if facts is None or facts.os != "linux":
            return
        if ":" not in instruction.arg_text:
            return
        piece = argument_text(ctx.dockerfile, instruction)
        text = piece.text
        if instruction.keyword in ("COPY", "ADD"):
            # Sources are build-context paths (never drives) or another stage's files; only
            # the destination (the last word, or the JSON form's last string) is in the
            # image. A URL's scheme (https://) is not a drive either.
            if instruction.json:
                start = max((m.start() for m in _JSON_STRING.finditer(text)), default=0)
            else:
                last = text.rstrip().rsplit(None, 1)[-1] if text.strip() else ""
                start = len(text.rstrip()) - len(last)
            matches = [m for m in _DRIVE_PATH.finditer(text) if m.start() >= start]
        else:
            matches = list(_DRIVE_PATH.finditer(text))
        for match in matches:
            path_start = match.start(1)
            quote = text[path_start - 1] if path_start and text[path_start - 1] in "\"'" else ""
            end = match.end()
            if quote:  # a quoted path (JSON form too) may hold spaces: up to its closing quote
                while end < len(text) and text[end] != quote:
                    end += 2 if text[end] == "\\" and quote == '"' else 1
                end = min(end, len(text))
            else:
                while end < len(text) and not text[end].isspace() and text[end] not in "\"';,]":
                    end += 1
            path = text[path_start:end]
            yield Violation(
                piece.map.span(match.start(1), end),
                f"`{path}` is a Windows path, but this stage builds a Linux image "
                f"({facts.os_evidence}): use a Linux path such as "
                f"`/{_linux_tail(path)}`",
                platform="linux",
            )


def _linux_tail(path: str) -> str:
    tail = _SLASHES.sub("/", path[3:].replace("\\", "/")).strip("/")
    return tail or "app"
