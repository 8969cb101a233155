"""DF316 hardcoded-arch-path."""

from __future__ import annotations

from collections.abc import Iterator

from dflint.analyse.analysis import Binding
from dflint.analyse.arch import (
    Literal,
    literals,
    references,
    same_arch,
    stage_arch,
    stage_on_build_platform,
    stages_where_arch_matters,
)
from dflint.analyse.shell.source import Piece, argument_text, setting_value_start
from dflint.core.findings import Severity
from dflint.lint.archsites import DownloadSite, binding_sites, written_value
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.read.model import Instruction

# the rule that reports a name DF316 would (an ENV value a download reads)
_DOWNLOAD_RULE = frozenset({"DF306"})


class HardcodedArchPath(Rule):
    """An ENV path or a COPY destination that names one CPU architecture's folder.

    What it does
    Finds `ENV` values holding an absolute path with an architecture name in it:
    `JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64`, `LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu`,
    `PATH=/opt/tool-linux-amd64/bin:$PATH`, also when the ENV takes the path, or the part of
    it that names the architecture, from an ARG's default
    (`ARG LIBDIR=/usr/lib/x86_64-linux-gnu` … `ENV LD_LIBRARY_PATH=$LIBDIR`,
    `ARG TRIPLET=x86_64-linux-gnu` … `ENV LD_LIBRARY_PATH=/usr/lib/${TRIPLET}`: reported on
    the ARG line, where the architecture is written, also when that ARG's default is built
    from another, `ARG LIBDIR=${BASE}/x86_64-linux-gnu`), and `COPY`/`ADD` destinations such as
    `/usr/lib/x86_64-linux-gnu/`, in a file built for several architectures. A value
    that names folders of several architectures (`/usr/lib/x86_64-linux-gnu` and
    `/usr/lib/aarch64-linux-gnu`) is taken as meant for all of them, and stages pinned to
    that architecture or built on `$BUILDPLATFORM` and Windows stages are not judged; in a
    per-architecture file (`Dockerfile.arm64`) only another architecture's folder is.

    Why is this bad?
    Debian's multiarch folders, the JDK's folder and many vendors' install folders are named
    for the CPU. Built for arm64, the folder is `/usr/lib/aarch64-linux-gnu` or
    `java-17-openjdk-arm64`: the variable points at nothing, and a library copied into the
    amd64 folder sits where the arm64 loader never looks. The image builds and its program
    fails at run time (`JAVA_HOME is not defined correctly`, a missing library).

    Example
    ```dockerfile
    FROM debian:bookworm
    RUN apt-get update && apt-get install -y openjdk-17-jdk-headless
    ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
    ```

    Use instead
    ```dockerfile
    FROM debian:bookworm
    RUN apt-get update && apt-get install -y openjdk-17-jdk-headless \\
     && ln -s "/usr/lib/jvm/java-17-openjdk-$(dpkg --print-architecture)" /usr/lib/jvm/java-17
    ENV JAVA_HOME=/usr/lib/jvm/java-17
    ```

    Fix safety
    No automatic fix: neither an ENV value nor a COPY destination can depend on the platform,
    so the folder needs an architecture-neutral name (a link made in a RUN, with
    `${TARGETARCH}` for Docker's and Debian's names, `$(uname -m)` for the kernel's), or the
    files a RUN that moves them, which only the author can place.

    References
    - https://wiki.debian.org/Multiarch/Implementation
    - https://docs.docker.com/build/building/multi-platform/
    """

    code = "DF316"
    name = "hardcoded-arch-path"
    severity = Severity.WARNING
    platforms = ("linux",)
    blocks = True

    def check_file(self, ctx: RuleContext) -> Iterator[Violation]:
        own = ctx.targets.own
        if own is not None and own.layout and not ctx.analysis.is_windows_only:
            # a per-architecture file: its own architecture's folders are its purpose, any
            # other architecture's is wrong
            stages = [facts for facts in ctx.analysis.stages if facts.os != "windows"]
        else:
            stages = list(stages_where_arch_matters(ctx.analysis, ctx.targets))
        reported: set[tuple[int, str]] = set()  # (line, name) of ARGs already reported
        for facts in stages:
            if stage_on_build_platform(ctx.analysis, facts):
                continue  # runs on the build machine, whatever it is: not the image's CPU
            pinned = stage_arch(facts)
            for instruction in facts.stage.instructions:
                if instruction.keyword == "ENV":
                    yield from self._env(ctx, instruction, pinned, reported)
                elif instruction.keyword in ("COPY", "ADD") and len(instruction.args) > 1:
                    yield from self._destination(ctx, instruction, pinned)

    def _env(
        self,
        ctx: RuleContext,
        instruction: Instruction,
        pinned: str | None,
        reported: set[tuple[int, str]],
    ) -> Iterator[Violation]:
        for name, value in instruction.pairs():
            if "$" in value:
                yield from self._through_arg(ctx, instruction, name, value, pinned, reported)
        pairs = [(name, value) for name, value in instruction.pairs() if "/" in value]
        if not pairs:
            return
        piece = argument_text(ctx.dockerfile, instruction)
        for name, value in pairs:
            judged = _judge(ctx, value, pinned)
            if judged is None:
                continue
            item, others = judged
            value_start = setting_value_start(piece.text, name)
            if value_start is None:
                continue
            start = value_start + piece.text[value_start:].find(value) + item.start
            yield Violation(
                piece.map.span(start, start + len(item.token)),
                f"ENV {name} names `{_path_at(value, item.start)}`, the {item.arch} folder: "
                f"{_no_such_folder(item, others)}",
                platform=",".join(others),
                breaks=True,
                covered_by=_DOWNLOAD_RULE,
            )

    def _through_arg(
        self,
        ctx: RuleContext,
        instruction: Instruction,
        name: str,
        value: str,
        pinned: str | None,
        reported: set[tuple[int, str]],
    ) -> Iterator[Violation]:
        """An ENV value that takes an ARG's default naming one architecture's folder
        (``ARG LIBDIR=/usr/lib/x86_64-linux-gnu`` … ``ENV LD_LIBRARY_PATH=$LIBDIR``), or the
        part of a path that names it (``ARG TRIPLET=x86_64-linux-gnu`` …
        ``/usr/lib/${TRIPLET}``): reported where the architecture is written, once per ARG."""
        for variable, start, _end in references(value):
            if value[start - 1 : start] == "\\" or value[start + 1 : start + 3] in ("{#", "{!"):
                continue  # an escaped `$`, or a length or an indirection, not the value
            binding = ctx.analysis.lookup(variable, instruction)
            if binding is None or binding.kind != "ARG" or not binding.text:
                continue
            arg = binding.instruction
            if arg is None:
                continue
            default = binding.text
            judged = _judge(ctx, default, pinned)
            if judged is not None:
                item, others = judged
                offset = item.start  # in the default
                what = f"`{_path_at(default, item.start)}`, the {item.arch} folder, and ENV"
                how = "takes it"
            else:
                # a part of a path (`ARG TRIPLET=x86_64-linux-gnu` … `/usr/lib/${TRIPLET}`):
                # judged as the ENV value reads with the default in its place
                whole = _reference_end(value, start, variable)
                if whole is None:
                    continue
                combined = value[:start] + default + value[whole:]
                judged = _judge(ctx, combined, pinned)
                if judged is None:
                    continue
                item, others = judged
                offset = item.start - start
                if not 0 <= offset <= len(default) - len(item.token):
                    continue  # the architecture is written in the ENV line itself
                what = f"`{item.token}`, and ENV"
                how = f"puts it in the folder `{_path_at(combined, item.start)}`"
            written = _where_written(ctx, arg, variable, default)
            if written is not None:
                arg, piece, at = written
                span = piece.map.span(at + offset, at + offset + len(item.token))
            else:
                # the default is built from another ARG (`ARG LIBDIR=${BASE}/x86_64-linux-gnu`,
                # `ARG LIBDIR=/usr/lib/${ARCH}-linux-gnu`): where the architecture is written
                site = _site_of(ctx, binding, item.arch)
                if site is None:
                    continue  # past the ARGs binding_sites follows
                arg, span = site.instruction, site.span
            if (arg.start_line, variable) in reported:
                continue
            reported.add((arg.start_line, variable))
            yield Violation(
                span,
                f"ARG {variable} names {what} {name} on line {instruction.start_line} "
                f"{how}: {_no_such_folder(item, others)} and set the ARG to it",
                platform=",".join(others),
                breaks=True,
                covered_by=_DOWNLOAD_RULE,
            )

    def _destination(
        self, ctx: RuleContext, instruction: Instruction, pinned: str | None
    ) -> Iterator[Violation]:
        destination = instruction.args[-1]
        if "/" not in destination:
            return
        judged = _judge(ctx, destination, pinned)
        if judged is None:
            return
        item, others = judged
        piece = argument_text(ctx.dockerfile, instruction)
        at = piece.text.rfind(destination)
        if at < 0:
            return
        start = at + item.start
        yield Violation(
            piece.map.span(start, start + len(item.token)),
            f"{instruction.keyword} puts files in `{_path_at(destination, item.start)}`, the "
            f"{item.arch} folder: built for {', '.join(others)} nothing looks there (the "
            "loader and the tools use that architecture's own folder); copy to an "
            "architecture-neutral path, and move the files in a RUN "
            f"({_in_a_run('mv … /usr/lib/', item.token, '…')})",
            platform=",".join(others),
            breaks=True,
            covered_by=_DOWNLOAD_RULE,  # the source names the architecture too: DF306
        )


def _site_of(ctx: RuleContext, binding: Binding, arch: str) -> DownloadSite | None:
    """Where a name of ``arch`` is written among the ARG lines behind a binding's value (its
    own, and those of the ARGs it is built from)."""
    for site in binding_sites(ctx, binding, "an ENV"):
        if same_arch(site.literal.arch, arch):
            return site
    return None


def _reference_end(value: str, start: int, variable: str) -> int | None:
    """Where the reference to ``variable`` at ``start`` ends in ``value`` (after the name,
    or after the closing brace); None for a form that changes the value (``${NAME:-x}``,
    ``${NAME%/*}``, …)."""
    if value.startswith("${", start):
        end = start + 2 + len(variable)
        return end + 1 if value[end : end + 1] == "}" else None
    return start + 1 + len(variable)


def _where_written(
    ctx: RuleContext, arg: Instruction, variable: str, value: str
) -> tuple[Instruction, Piece, int] | None:
    """The ARG line that writes ``value`` for ``variable`` (``arg`` itself, or the global ARG
    whose default a stage's bare ``ARG NAME`` takes), its text, and where ``value`` starts in
    it; None when that line writes the value otherwise (built from another ARG)."""
    written = written_value(ctx, arg, variable)
    if written is None:
        return None
    candidate, piece, value_start = written
    at = piece.text.find(value, value_start)
    return (candidate, piece, at) if at >= 0 else None


def _judge(ctx: RuleContext, value: str, pinned: str | None) -> tuple[Literal, list[str]] | None:
    """The one architecture an absolute path in ``value`` names, and the targets it is wrong
    for; None when there is none, when the value names several architectures' folders (meant
    for each), or when it is right for every target."""
    found = [item for item in literals(value) if _in_a_path(value, item.start)]
    if not found or len({item.arch.split("/", 1)[0] for item in found}) > 1:
        return None
    item = found[0]
    if pinned is not None and same_arch(pinned, item.arch):
        return None  # the stage only ever runs on that architecture
    own = ctx.targets.own
    if own is not None and own.layout:
        others = [] if same_arch(own.arch, item.arch) else [own.platform]
    else:
        others = ctx.targets.other_than(item.arch)
    return (item, others) if others else None


# Spellings of the kernel and of GNU triplets (`uname -m` prints them); the others are Docker's
# and Debian's (`$TARGETARCH`: amd64, arm64, …).
_KERNEL_SPELLINGS = frozenset({"x86_64", "aarch64", "i686", "armv7l", "armv6l", "ppc64le", "s390x"})


def _no_such_folder(item: Literal, others: list[str]) -> str:
    """What an ENV value naming ``item``'s folder does on the other targets, and the way out."""
    return (
        f"built for {', '.join(others)} that folder has another name and does not exist; an "
        "ENV value cannot follow the platform, so name a link made in a RUN "
        f"({_in_a_run('ln -s …', item.token, '… …')})"
    )


def _in_a_run(before: str, token: str, after: str) -> str:
    """A RUN's command with the literal written so that it follows the platform."""
    if token.lower() in _KERNEL_SPELLINGS:
        return f"`{before}$(uname -m){after}`"
    return f"`{before}${{TARGETARCH}}{after}` after `ARG TARGETARCH`"


def _bounds(value: str, offset: int) -> tuple[int, int]:
    """The `:`-separated element of a value (a PATH-like list) around ``offset``."""
    start = value.rfind(":", 0, offset) + 1
    end = value.find(":", offset)
    return start, len(value) if end < 0 else end


def _path_at(value: str, offset: int) -> str:
    start, end = _bounds(value, offset)
    return value[start:end].strip("'\"")


def _in_a_path(value: str, offset: int) -> bool:
    """The literal is in an absolute path (not a URL, not a bare file name)."""
    start, end = _bounds(value, offset)
    element = value[start:end].strip("'\" ")
    return element.startswith("/") and "//" not in value[max(start - 1, 0) : end]
