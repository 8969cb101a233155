"""A parsed Dockerfile → the instruction lines of its variant for another platform.

The translator walks the file line by line and keeps everything that is not an instruction
(comments, blank lines) where it was. Each instruction is either translated (base image,
paths, variables, users, commands, ``ENV PATH``, the escape character of its continuations)
or, when something in it has no counterpart, copied unchanged under a
``# dflint: untranslated …`` comment and reported. The result is a :class:`Plan`, the
per-OS instruction list that a Jinja2 template turns into the variant's text.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from dflint import lazyre
from dflint.analyse import catalogue, oscommands
from dflint.analyse.analysis import Analysis, StageFacts, analyze
from dflint.core.archnames import ARCH_NAMESPACES, arch_tokens_in_tag
from dflint.core.platform import Platform
from dflint.core.reference import split_written
from dflint.errors import DflintError
from dflint.generate import commands, layout, paths
from dflint.generate import images as image_map
from dflint.generate.paths import TargetOS, Untranslatable
from dflint.generate.shellsyntax import Dialect, parse
from dflint.read.model import Dockerfile, Instruction
from dflint.settings.fix import Settings

UNTRANSLATED = "dflint: untranslated"
POWERSHELL_SHELL = image_map.POWERSHELL_SHELL
CMD_SHELL = image_map.CMD_SHELL
# cmd with delayed expansion: a variable set earlier in a line is read as !NAME! (cmd expands
# %NAME% when it reads the line, before the set runs)
CMD_DELAYED_SHELL = ("cmd", "/S", "/V:ON", "/C")
DEFAULT_USERS: dict[str, str] = {"root": "ContainerAdministrator", "nobody": "ContainerUser"}
ShellChoice = Literal["cmd", "powershell"]
# image -> the SHELL it runs RUN lines with, or None when unknown
ShellLookup = Callable[[str], "tuple[str, ...] | None"]

# Every spelling of an architecture, for finding literals that would pin a variant to the
# source's architecture (the longer spellings first so that x86_64 wins over x86).
_ARCH_SPELLINGS: dict[str, tuple[str, ...]] = {
    "amd64": ("x86_64", "x86-64", "amd64", "x64"),
    "arm64": ("aarch64", "arm64v8", "arm64"),
    "arm/v7": ("armv7l", "armv7", "armhf", "arm32v7"),
    "386": ("i386", "i686", "386"),
}
_URL = lazyre.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"']+")
_WINDOWS_ARTEFACTS = (".exe", ".msi", ".msu", ".dll", ".bat", ".cmd", ".ps1", ".psm1", ".nupkg")
_LINUX_ARTEFACTS = (".deb", ".rpm", ".apk", ".appimage", ".so")


def _bare_program_url(url: str) -> bool:
    """A download whose file name has no extension: a program (an ELF, from a Linux file)."""
    path = url.split("://", 1)[1].split("?", 1)[0].split("#", 1)[0]
    if "/" not in path.rstrip("/"):
        return False
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return bool(name) and "." not in name and "$" not in name


def target_os(platform: Platform) -> TargetOS:
    """The OS of a platform the generator writes for (linux or windows)."""
    return "windows" if platform.os == "windows" else "linux"


def arch_with_variant(platform: Platform) -> str:
    """The architecture with its variant (arm/v7), as the image tables name it."""
    return (
        f"{platform.architecture}/{platform.variant}" if platform.variant else platform.architecture
    )


def platform_suffix(platform: Platform) -> str:
    """The file and tag suffix the seed uses: linux-amd64, linux-arm (for arm/v7)."""
    if platform.architecture == "arm" and platform.variant == "v7":
        return f"{platform.os}-arm"
    return "-".join(part for part in (platform.os, platform.architecture, platform.variant) if part)


@dataclass(frozen=True, slots=True)
class Problem:
    """A source line the translation could not carry over, or a note on a judgement call."""

    line: int  # in the source
    message: str
    untranslated: bool = True  # False: a note on a judgement call, not a failure


@dataclass(slots=True)
class Item:
    """A piece of a variant in source order: FROM, instruction, comment, blank line or marker."""

    kind: Literal["from", "instruction", "comment", "blank", "marker"]
    lines: list[str]
    # after a FROM: the SHELL line the stage needs (None: the base image's shell is the one)
    shell: tuple[str, ...] | None = None


@dataclass(slots=True)
class Plan:
    """A variant before rendering: what the templates see."""

    source: str  # the file it was made from (the original when the input was generated)
    platform: Platform
    escape: str
    shell: tuple[str, ...] | None  # SHELL to set after each FROM; None: the OS's default
    directives: list[tuple[str, str]]  # syntax and check, kept
    items: list[Item]
    problems: list[Problem]
    identical: bool = False  # the input already is this variant: write it unchanged
    # per translated instruction (source line): the catalogue translations it is made of
    forms: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)

    @property
    def untranslated(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.untranslated]


class UnknownSourceOS(DflintError):
    """Nothing in the file says whether a stage is for Linux or Windows."""

    def __init__(self, stage: str, line: int, hint: str) -> None:
        super().__init__(
            f"line {line}: cannot tell from its content whether stage {stage} is for Linux "
            f"or Windows{hint}; say which with --from-os linux or --from-os windows"
        )
        self.line = line


def generated_for(dockerfile: Dockerfile) -> TargetOS | None:
    """The OS a variant dflint generated is for, as its header says."""
    found = layout.generated_from(dockerfile)
    if found is None:
        return None
    match = re.search(r" for (linux|windows)/", dockerfile.lines[found[1] - 1])
    if match is None:
        return None
    return "windows" if match.group(1) == "windows" else "linux"


def _generated_stage_os(dockerfile: Dockerfile, facts: StageFacts) -> TargetOS | None:
    """In a variant dflint generated: the header's OS, or the other one for a stage kept as
    the source wrote it (its FROM is marked untranslated)."""
    made_for = generated_for(dockerfile)
    if made_for is None:
        return None
    above = facts.stage.from_instruction.start_line - 1
    kept = above >= 1 and UNTRANSLATED in dockerfile.lines[above - 1]
    if kept:
        return "linux" if made_for == "windows" else "windows"
    return made_for


def source_platform(
    dockerfile: Dockerfile, analysis: Analysis, from_os: TargetOS | None = None
) -> Platform:
    """The platform the file is written for, as far as its final stage says."""
    if not analysis.stages:
        return Platform(from_os or "linux", "amd64")
    systems = source_systems(dockerfile, analysis, from_os)
    return Platform(systems[-1], *_split_arch(_stage_arch(analysis, -1)))


# Evidence that comes from where the file is, not from what it says.
_PATH_EVIDENCE = ("folder ", "file name ")
_WINDOWS_TEXT = lazyre.compile(
    r"%[A-Za-z_][A-Za-z0-9_]*%|(?<![A-Za-z])[A-Za-z]:[\\/]|\$env:|"
    r"\.(?:exe|ps1|bat|msi)\b|ContainerAdministrator|ContainerUser",
    re.I,
)
_LINUX_PATH = lazyre.compile(r"(?:^|[\s\"'\[,=:])/[A-Za-z0-9_.-]")
_QUOTED = lazyre.compile(r"\"[^\"]*\"|'[^']*'")


def source_systems(
    dockerfile: Dockerfile, analysis: Analysis, from_os: TargetOS | None = None
) -> list[TargetOS]:
    """Each stage's OS, from the file's content: base image, SHELL, escape directive,
    commands, paths and variable syntax; never from a folder or file name alone.

    ``from_os`` answers for the stages whose content says nothing; without it such a stage
    raises :class:`UnknownSourceOS`.
    """
    neutral = analysis
    if any(facts.os_evidence.startswith(_PATH_EVIDENCE) for facts in analysis.stages):
        neutral = analyze(dataclasses.replace(dockerfile, path="Dockerfile"))
    systems: list[TargetOS] = []
    for index, facts in enumerate(neutral.stages):
        # a multi-OS tag alone (python:3.12) says nothing: Linux is only a builder's default
        if facts.os in ("linux", "windows") and "(plain tag" not in facts.os_evidence:
            systems.append("windows" if facts.os == "windows" else "linux")
            continue
        parent = facts.parent
        if parent is not None and parent.stage.index < index:
            systems.append(systems[parent.stage.index])
            continue
        known: dict[str, TargetOS] = {}
        for earlier, system in enumerate(systems):
            known[str(earlier)] = system
            alias = neutral.stages[earlier].stage.alias
            if alias is not None:
                known[alias.lower()] = system
        found = _content_os(facts, known)
        if found is None:
            found = from_os or _generated_stage_os(dockerfile, facts)
        if found is None:
            original = analysis.stages[index]
            named = original.os if original.os_evidence.startswith(_PATH_EVIDENCE) else ""
            hint = f" (only its path says {named})" if named else ""
            raise UnknownSourceOS(facts.stage.name, facts.stage.from_instruction.start_line, hint)
        systems.append(found)
    return systems


def _content_os(facts: StageFacts, known: dict[str, TargetOS]) -> TargetOS | None:
    """What the stage's commands, paths and variables say.

    Strong evidence: commands of one OS's shells, ``%NAME%``, drive paths, ``.exe`` programs.
    Weaker: the OS of a stage it copies from, then absolute ``/`` paths (which Docker on
    Windows also accepts).
    """
    windows = linux = linux_paths = False
    copied: set[TargetOS] = set()
    for instruction in facts.stage.instructions:
        text = instruction.original.split(None, 1)[1] if " " in instruction.original else ""
        keyword = instruction.keyword
        if keyword in ("RUN", "CMD", "ENTRYPOINT"):
            # words inside quotes are arguments (pwsh -c "Install-Module …"), not commands
            bare = _QUOTED.sub(" ", text)
            windows |= oscommands.mentions_windows_command(bare)
            linux |= oscommands.mentions_linux_command(bare)
        if keyword in ("RUN", "CMD", "ENTRYPOINT", "WORKDIR", "COPY", "ADD", "ENV", "USER"):
            windows |= _WINDOWS_TEXT.search(text) is not None
        if keyword in ("WORKDIR", "COPY", "ADD", "VOLUME", "ENV"):
            # an absolute path with / (a cmd switch in RUN lines looks the same)
            linux_paths |= _LINUX_PATH.search(text) is not None
        if keyword == "COPY":
            for value in instruction.flag_values("from"):
                if value.lower() in known:
                    copied.add(known[value.lower()])
    if windows != linux:
        return "windows" if windows else "linux"
    if windows:
        return None
    if len(copied) == 1:
        return copied.pop()
    return "linux" if linux_paths else None


def _split_arch(arch: str) -> tuple[str, str]:
    name, _, variant = arch.partition("/")
    return name, variant


def _stage_arch(analysis: Analysis, index: int) -> str:
    """The architecture a stage is pinned to: --platform, image name, file name; else amd64."""
    facts = analysis.stages[index]
    platform = facts.stage.platform
    if platform and "$" not in platform and platform.count("/") >= 1:
        arch = platform.lower().split("/", 1)[1]
        return "arm/v7" if arch == "arm" else arch
    image = facts.image or facts.stage.image
    name, tag, _ = split_written(image)
    namespace = name.split("/")[0] if "/" in name else ""
    if namespace in ARCH_NAMESPACES:
        return ARCH_NAMESPACES[namespace]
    found = arch_tokens_in_tag(tag)
    if len(set(found)) == 1:
        return found[0]
    if facts.arch_in_name:
        return "arm/v7" if facts.arch_in_name == "arm" else facts.arch_in_name
    return "amd64"


def translate(
    dockerfile: Dockerfile,
    analysis: Analysis,
    target: Platform,
    shell: ShellChoice | None = None,
    settings: Settings | None = None,
    in_place: bool = False,
    from_os: TargetOS | None = None,
    shell_of: ShellLookup | None = None,
) -> Plan:
    """The variant of ``dockerfile`` for ``target``.

    ``in_place``: the variant would replace the file itself; when the file already is that
    variant the plan says so (``identical``) instead of rewriting it with a header.
    ``from_os``: the OS of stages whose content does not say (else :class:`UnknownSourceOS`).
    ``shell_of``: the shell a Windows image runs RUN lines with, when known (default: what
    dflint's tables know, :func:`~dflint.generate.images.known_shell`).
    """
    systems = source_systems(dockerfile, analysis, from_os)
    chosen = settings or Settings()
    lookup = shell_of or image_map.known_shell
    translator = _Translator(dockerfile, analysis, target, shell, chosen, systems, lookup)
    plan = translator.run(in_place)
    if target.os == "windows" and not plan.identical and translator.windows_stages == 0:
        # every stage stayed Linux: the backtick escape would be wrong in all of them
        again = _Translator(dockerfile, analysis, target, shell, chosen, systems, lookup, "\\")
        plan = again.run(in_place)
    return plan


def same_shell(first: tuple[str, ...], second: tuple[str, ...]) -> bool:
    """Two SHELL lines that run the same way (cmd reads its switches in any case)."""
    if first and second and first[0].lower() == second[0].lower() == "cmd":
        return [item.lower() for item in first] == [item.lower() for item in second]
    return first == second


class _Translator:
    def __init__(
        self,
        dockerfile: Dockerfile,
        analysis: Analysis,
        target: Platform,
        shell: ShellChoice | None,
        settings: Settings,
        systems: list[TargetOS],
        shell_of: ShellLookup,
        escape: str | None = None,
    ) -> None:
        self.shell_of = shell_of
        self.df = dockerfile
        self.analysis = analysis
        self.target = target
        self.target_os: TargetOS = target_os(target)
        self.settings = settings
        self.systems = systems
        self.escape = escape or ("`" if target.os == "windows" else "\\")
        self.shell_choice: ShellChoice = shell or "cmd"
        if target.os == "linux":
            self.dialect: Dialect = "sh"
        else:
            self.dialect = "powershell" if self.shell_choice == "powershell" else "cmd"
        self.items: list[Item] = []
        self.problems: list[Problem] = []
        self.source = (
            Platform(systems[-1], *_split_arch(_stage_arch(analysis, -1)))
            if systems
            else Platform("linux", "amd64")
        )
        self.users = {**DEFAULT_USERS, **settings.users}
        self.path_map = settings.paths
        self.image_map = settings.images
        self.produced = _produced(dockerfile)
        # per stage, while walking it
        self.stage_index = -1
        self.stage_os: TargetOS = target_os(self.source)
        self.stage_arch = arch_with_variant(self.source)
        self.flavour = ""  # the Windows flavour of the stage's base (nanoserver needs care)
        self.flavours: dict[int, str] = {}  # per stage index, for FROM <stage>
        self.user: str | None = None
        self.pending_markers: list[str] = []
        self.stage_kept = False  # the stage's FROM could not be translated
        self.kept_stages: set[int] = set()
        self.windows_stages = 0  # stages the variant runs on Windows
        self.from_item: Item | None = None  # the translated FROM of the stage being walked
        self.base_shell: tuple[str, ...] | None = None  # what the stage's base runs
        self.stage_delayed = False  # a line of the stage needs cmd's delayed expansion
        # translated cmd lines of the stage with a literal `!`, which delayed expansion reads
        self.exclaimed: list[tuple[Item, Instruction]] = []
        self.stage_shells: dict[int, tuple[str, ...] | None] = {}  # per stage: its shell
        self.forms: list[tuple[int, tuple[str, ...]]] = []

    # --- the walk ------------------------------------------------------------------------

    def run(self, in_place: bool) -> Plan:
        df = self.df
        generated = layout.generated_from(df)
        source_name = generated[0] if generated else df.path.replace("\\", "/").rsplit("/", 1)[-1]
        shell = POWERSHELL_SHELL if self.dialect == "powershell" else None
        directives = [(d.name, d.value) for d in df.directives if d.name != "escape"]
        plan = Plan(
            source_name,
            self.target,
            self.escape,
            shell,
            directives,
            self.items,
            self.problems,
            forms=self.forms,
        )
        if in_place and self._already_target():
            plan.identical = True
            return plan
        skip = {item.line for item in df.directives}
        if generated:
            skip.add(generated[1])
            if generated[1] < len(df.lines) and not df.lines[generated[1]].strip():
                skip.add(generated[1] + 1)
        starts = {item.start_line: item for item in df.instructions}
        number = 1
        while number <= len(df.lines):
            if number in skip:
                number += 1
                continue
            instruction = starts.get(number)
            if instruction is not None:
                if instruction.keyword == "FROM":
                    self._end_stage()
                self._instruction(instruction)
                number = instruction.end_line + 1
                continue
            text = df.lines[number - 1]
            if not text.strip():
                # an instruction left out (a SHELL) must not leave two blank lines behind
                if not (self.items and self.items[-1].kind == "blank"):
                    self.items.append(Item("blank", [""]))
            elif UNTRANSLATED in text:
                # an earlier run's marker: kept unless this run marks the line again
                self.pending_markers.append(text)
            else:
                self._flush_markers()
                self.items.append(Item("comment", [text]))
            number += 1
        self._end_stage()
        while self.items and self.items[0].kind == "blank":
            self.items.pop(0)
        while self.items and self.items[-1].kind == "blank":
            self.items.pop()
        return plan

    def _already_target(self) -> bool:
        """The input is already this platform's variant, with the right escape."""
        if self.df.escape != self.escape or not self.analysis.stages:
            return False
        for index in range(len(self.analysis.stages)):
            if self.systems[index] != self.target_os:
                return False
            if (
                self.target_os == "linux"
                and _stage_arch(self.analysis, index) != arch_with_variant(self.target)
            ) and not self._multi_arch_stage(index):
                return False
        return True

    def _multi_arch_stage(self, index: int) -> bool:
        """No architecture in the stage's platform or image name: the builder chooses it."""
        facts = self.analysis.stages[index]
        platform = facts.stage.platform
        if platform and "$" not in platform:
            return False
        image = facts.image or facts.stage.image
        name, tag, _ = split_written(image)
        namespace = name.split("/")[0] if "/" in name else ""
        return namespace not in ARCH_NAMESPACES and not arch_tokens_in_tag(tag)

    def _instruction(self, instruction: Instruction) -> None:
        facts = self.analysis.facts(instruction)
        if instruction.keyword == "FROM" and facts is not None:
            self.stage_index = facts.stage.index
            self.stage_os = self.systems[self.stage_index]
            self.stage_arch = _stage_arch(self.analysis, self.stage_index)
            self.user = None
            self.stage_kept = False
            parent = facts.parent
            if parent is not None and parent.stage.index in self.kept_stages and self.cross_os:
                self.kept_stages.add(self.stage_index)
                self.stage_kept = True
                self._untranslated(
                    instruction,
                    f"it builds on stage {parent.stage.name}, which is kept as it is; "
                    "so is this one",
                )
                return
        if self.stage_kept:
            # the stage's base has no counterpart: its lines stay as the source OS wrote them
            self._flush_markers()
            self.items.append(
                Item("instruction", layout.reescape_lines(self.df, instruction, self.escape))
            )
            return
        try:
            lines = self._translate(instruction)
        except Untranslatable as exc:
            if instruction.keyword == "FROM" and self.cross_os:
                self.stage_kept = True
                self.kept_stages.add(self.stage_index)
                exc = Untranslatable(f"{exc.reason}; the whole stage is kept as it is")
            self._untranslated(instruction, exc.reason)
            return
        kind: Literal["from", "instruction"] = (
            "from" if instruction.keyword == "FROM" else "instruction"
        )
        self._flush_markers()
        if lines:
            self.items.append(Item(kind, lines))
            if kind == "from":
                self._start_stage(self.items[-1])
            elif self.dialect == "cmd" and self.cross_os and "!" in instruction.original:
                self.exclaimed.append((self.items[-1], instruction))

    def _start_stage(self, item: Item) -> None:
        self.stage_delayed = False
        self.exclaimed = []
        if self.stage_os == self.target_os:
            self.windows_stages += self.target_os == "windows"
            return  # a stage already for the target keeps its own SHELL lines
        self.windows_stages += self.target_os == "windows"
        self.from_item = item

    def _end_stage(self) -> None:
        """The stage's SHELL: stated after its FROM unless its base already runs it."""
        item, self.from_item = self.from_item, None
        if item is None or self.target_os != "windows":
            return
        if self.dialect == "powershell":
            wanted: tuple[str, ...] = POWERSHELL_SHELL
        else:
            wanted = CMD_DELAYED_SHELL if self.stage_delayed else CMD_SHELL
        if self.stage_delayed:
            self._unmark_exclaimed()
        self.stage_shells[self.stage_index] = wanted
        if self.base_shell is None or not same_shell(self.base_shell, wanted):
            item.shell = wanted

    def _unmark_exclaimed(self) -> None:
        """Under delayed expansion cmd reads a literal `!` as the start of a `!NAME!`: the
        stage's other lines with one are kept as written and marked instead."""
        for item, instruction in self.exclaimed:
            reason = (
                "a literal ! (this stage runs cmd with delayed expansion, which reads it as "
                "the start of a !NAME! reference)"
            )
            position = next(i for i, found in enumerate(self.items) if found is item)
            marker = Item("marker", [f"{self._indent(instruction)}# {UNTRANSLATED}: {reason}"])
            kept = Item("instruction", layout.reescape_lines(self.df, instruction, self.escape))
            self.items[position : position + 1] = [marker, kept]
            self.problems.append(Problem(instruction.start_line, reason))
            self.forms[:] = [entry for entry in self.forms if entry[0] != instruction.start_line]
        self.exclaimed = []

    def _flush_markers(self) -> None:
        for text in self.pending_markers:
            self.items.append(Item("marker", [text]))
        self.pending_markers.clear()

    def _untranslated(self, instruction: Instruction, reason: str) -> None:
        indent = self._indent(instruction)
        marker = f"{indent}# {UNTRANSLATED}: {reason}"
        if self.pending_markers:
            # marked by an earlier run, from the original source: that reason says more
            marker = self.pending_markers[-1]
            reason = marker.split(f"{UNTRANSLATED}:", 1)[1].strip()
            self.pending_markers.clear()
        self.problems.append(Problem(instruction.start_line, reason))
        self.items.append(Item("marker", [marker]))
        kind: Literal["from", "instruction"] = (
            "from" if instruction.keyword == "FROM" else "instruction"
        )
        self.items.append(Item(kind, layout.reescape_lines(self.df, instruction, self.escape)))

    def _note(self, instruction: Instruction, message: str) -> None:
        self.problems.append(Problem(instruction.start_line, message, untranslated=False))

    # --- per instruction -----------------------------------------------------------------

    @property
    def cross_os(self) -> bool:
        return self.stage_os != self.target_os

    def _retarget(self, text: str) -> str:
        """Platform names of the source in printed text, as the target's."""
        source = f"{self.stage_os}/{self.stage_arch}"
        if source == str(self.target):
            return text
        return re.sub(rf"(?<![\w/]){re.escape(source)}(?![\w/])", str(self.target), text)

    def _translate(self, instruction: Instruction) -> list[str]:
        keyword = instruction.keyword
        if keyword == "FROM":
            return self._from(instruction)
        if not self.cross_os:
            return self._same_os(instruction)
        handler = {
            "WORKDIR": self._workdir,
            "COPY": self._copy,
            "ADD": self._copy,
            "ENV": self._env,
            "ARG": self._arg,
            "USER": self._user,
            "VOLUME": self._volume,
            "SHELL": self._shell,
            "RUN": self._command,
            "CMD": self._command,
            "ENTRYPOINT": self._command,
            "HEALTHCHECK": self._healthcheck,
        }.get(keyword)
        if handler is None:
            if keyword == "ONBUILD":
                raise Untranslatable("ONBUILD runs in another image's build: translate it there")
            return layout.reescape_lines(self.df, instruction, self.escape)
        return handler(instruction)

    def _same_os(self, instruction: Instruction) -> list[str]:
        """An instruction for the same OS: only the architecture may change."""
        lines = layout.reescape_lines(self.df, instruction, self.escape)
        if instruction.keyword in ("RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK", "ADD", "LABEL"):
            lines = [self._retarget(line) for line in lines]
            self._check_arch_literals(instruction, "\n".join(lines))
        if instruction.keyword == "USER" and instruction.args:
            self.user = instruction.args[0]
        return lines

    def _check_arch_literals(self, instruction: Instruction, text: str) -> None:
        """An architecture literal of the source left in a variant for another one."""
        if self.stage_arch == arch_with_variant(self.target):
            return
        for spelling in _ARCH_SPELLINGS.get(self.stage_arch, ()):
            if re.search(rf"(?<![A-Za-z0-9]){re.escape(spelling)}(?![A-Za-z0-9])", text):
                raise Untranslatable(
                    f"`{spelling}` pins this step to {self.stage_arch}; use ${{TARGETARCH}} "
                    "(dflint fix --multiarch) before making per-architecture files"
                )

    def _check_os_literals(self, text: str) -> None:
        """A download of the source OS's build would be silently wrong on the target."""
        word = "linux" if self.stage_os == "linux" else "windows"
        for url in _URL.findall(text):
            if re.search(rf"(?<![A-Za-z0-9]){word}(?![A-Za-z0-9])", url, re.I):
                raise Untranslatable(f"{url} downloads the {self.stage_os} build")
            self._check_artefact(url)

    def _indent(self, instruction: Instruction) -> str:
        first = self.df.lines[instruction.start_line - 1]
        return first[: len(first) - len(first.lstrip(" \t"))]

    def _line(self, instruction: Instruction, rest: str, flags: list[str] | None = None) -> str:
        indent = self._indent(instruction)
        flag_text = "".join(f" {flag}" for flag in (instruction.flags if flags is None else flags))
        return f"{indent}{instruction.raw_keyword}{flag_text}" + (f" {rest}" if rest else "")

    def _from(self, instruction: Instruction) -> list[str]:
        facts = self.analysis.facts(instruction)
        args = instruction.args
        if facts is None or not args:
            return layout.reescape_lines(self.df, instruction, self.escape)
        image = args[0]
        flags = [self._platform_flag(flag) for flag in instruction.flags]
        parent = facts.parent
        if parent is not None:
            mapped = image  # another stage of this file
            self.flavour = self.flavours.get(parent.stage.index, "")
            self.base_shell = self.stage_shells.get(parent.stage.index)
        else:
            target = image_map.Target(
                self.target_os,
                arch_with_variant(self.target),
                image_map.SERVERCORE if self.dialect == "powershell" else image_map.NANOSERVER,
                self.settings.windows_release,
            )
            if "$" in image and facts.image is not None and not self.cross_os:
                result = image_map.Mapped(image)
            else:
                result = image_map.map_image(
                    image, self.stage_os, self.stage_arch, target, self.image_map
                )
            mapped = result.image
            if result.note:
                self._note(instruction, result.note)
            self.flavour = "nanoserver" if "nanoserver" in mapped.lower() else ""
            self.base_shell = self.shell_of(mapped)
        self.flavours[facts.stage.index] = self.flavour
        rest = " ".join([mapped, *args[1:]])
        return [self._line(instruction, rest, flags)]

    def _platform_flag(self, flag: str) -> str:
        name, equals, value = flag.partition("=")
        if name != "--platform" or not equals or "$" in value:
            return flag
        return f"--platform={self.target!s}"

    # --- words ---------------------------------------------------------------------------

    def _path(self, raw: str) -> str:
        """A path argument of a Dockerfile instruction (not a shell), as the target writes it."""
        value, quote = _unquote(raw, self.df.escape)
        if value is None:
            if paths.looks_like_path(raw.strip("\"'"), self.stage_os):
                raise Untranslatable(f"the path {raw} holds quotes or escapes")
            return layout.reescape_word(raw, self.df.escape, self.escape)
        if "$" in value:
            translated = _flip_separators(value, self.target_os)
        else:
            translated = paths.translate(value, self.target_os, self.path_map)
        return _requote(translated, quote, self.escape)

    def _value(self, name: str, raw: str) -> str:
        """An ENV or ARG value: paths and PATH-like lists translated, the rest kept."""
        value, quote = _unquote(raw, self.df.escape)
        if value is None:
            return layout.reescape_word(raw, self.df.escape, self.escape)
        source_os = self.stage_os
        if paths.is_path_list_name(name):
            source_sep, target_sep = (":", ";") if source_os == "linux" else (";", ":")
            pieces = [self._path_piece(piece) for piece in _split_list(value, source_sep)]
            translated = target_sep.join(pieces)
        elif paths.looks_like_path(value, source_os):
            translated = paths.translate(value, self.target_os, self.path_map)
        else:
            return layout.reescape_word(raw, self.df.escape, self.escape)
        return _requote(translated, quote, self.escape)

    def _path_piece(self, piece: str) -> str:
        if "$" in piece or not piece:
            return piece
        return paths.translate(piece, self.target_os, self.path_map)

    # --- instructions ----------------------------------------------------------------------

    def _workdir(self, instruction: Instruction) -> list[str]:
        return [self._line(instruction, self._path(instruction.arg_text.strip()))]

    def _volume(self, instruction: Instruction) -> list[str]:
        if instruction.json:
            values = [
                paths.translate(arg, self.target_os, self.path_map) for arg in instruction.args
            ]
            return [self._line(instruction, _json(values))]
        return [self._line(instruction, " ".join(self._path(arg) for arg in instruction.args))]

    def _copy(self, instruction: Instruction) -> list[str]:
        flags: list[str] = []
        for flag in instruction.flags:
            name = flag.split("=", 1)[0]
            if name in ("--chown", "--chmod") and self.target_os == "windows":
                raise Untranslatable(f"{name}: Windows has no Unix owners or modes")
            flags.append(flag)
        if instruction.heredocs:
            raise Untranslatable("a heredoc")
        args = instruction.args
        self._check_copy_source(instruction)
        for source in args[:-1]:
            self._check_artefact(source)
        if instruction.keyword == "ADD":
            self._check_os_literals(" ".join(args))
        if instruction.json:
            values = [
                arg if paths.is_url(arg) else paths.translate(arg, self.target_os, self.path_map)
                for arg in args
            ]
            return [self._line(instruction, _json(values), flags)]
        words = [arg if paths.is_url(arg) else self._path(arg) for arg in args]
        return [self._line(instruction, " ".join(words), flags)]

    def _check_copy_source(self, instruction: Instruction) -> None:
        """COPY --from an image, or from a stage the variant keeps for the source OS."""
        for value in instruction.flag_values("from"):
            stage = self._stage_named(value)
            if stage is None:
                raise Untranslatable(
                    f"COPY --from={value} copies files out of an image built for "
                    f"{self.stage_os}; its files do not run on {self.target_os}"
                )
            if stage in self.kept_stages:
                raise Untranslatable(
                    f"COPY --from={value}: that stage stays a {self.systems[stage]} stage"
                )

    def _stage_named(self, value: str) -> int | None:
        if value.isdigit():
            index = int(value)
            return index if index < len(self.analysis.stages) else None
        for facts in self.analysis.stages:
            alias = facts.stage.alias
            if alias is not None and alias.lower() == value.lower():
                return facts.stage.index
        return None

    def _check_artefact(self, source: str) -> None:
        """A COPY/ADD source that only the source OS can run."""
        name = source.rstrip("/").rsplit("/", 1)[-1].lower()
        if self.target_os == "linux" and name.endswith(_WINDOWS_ARTEFACTS):
            raise Untranslatable(f"{source} is a Windows program or package")
        if self.target_os == "windows" and name.endswith(_LINUX_ARTEFACTS):
            raise Untranslatable(f"{source} is a Linux package or program")
        if self.target_os == "windows" and paths.is_url(source) and _bare_program_url(source):
            raise Untranslatable(f"{source} looks like a Linux program (a file with no extension)")

    def _arg(self, instruction: Instruction) -> list[str]:
        words: list[str] = []
        for arg in instruction.args:
            name, equals, raw = arg.partition("=")
            words.append(f"{name}={self._value(name, raw)}" if equals else arg)
        return [self._line(instruction, " ".join(words))]

    def _env(self, instruction: Instruction) -> list[str]:
        pairs = instruction.pairs()
        kept: list[str] = []
        out: list[str] = []
        path_lines: list[str] = []
        for name, raw in pairs:
            if name.upper() == "PATH" and self.target_os == "windows":
                path_lines = self._windows_path(instruction, raw)
                continue
            value = self._value(name, raw)
            kept.append(
                f"{name} {value}" if instruction.pair_separator == "" else f"{name}={value}"
            )
        if kept:
            out.append(self._line(instruction, " ".join(kept)))
        return out + path_lines

    def _windows_path(self, instruction: Instruction, raw: str) -> list[str]:
        """``ENV PATH`` on Windows: the image config has no PATH, so set the machine's."""
        value, _ = _unquote(raw, self.df.escape)
        if value is None:
            raise Untranslatable("a PATH value with escapes")
        pieces: list[str] = []
        for piece in _split_list(value, ":"):
            match = re.fullmatch(r"\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))(/[^$]*)?", piece)
            if match is not None:
                name = match.group(1) or match.group(2)
                rest = (match.group(3) or "").replace("/", "\\")
                reference = f"$env:{name}" if self.dialect == "powershell" else f"%{name}%"
                pieces.append(reference + rest)
            elif "$" in piece:
                raise Untranslatable(f"the PATH entry {piece}")
            else:
                pieces.append(paths.translate(piece, "windows", self.path_map))
        joined = ";".join(pieces)
        indent = self._indent(instruction)
        if self.dialect == "powershell":
            command = f"RUN [Environment]::SetEnvironmentVariable('PATH', \"{joined}\", 'Machine')"
        else:
            # setx reads its arguments by the C runtime's rules: `\"` is a quote, so a
            # backslash that ends the value is doubled (`C:\\"` is C:\ and the closing quote)
            trailing = len(joined) - len(joined.rstrip("\\"))
            doubled = "\\" * trailing
            command = f'RUN setx /M PATH "{joined}{doubled}"'
        lines = [indent + command]
        if self.flavour == "nanoserver" and self.user in (None, "ContainerUser"):
            # setx /M writes the machine's settings, which Nano Server's default user may not
            lines = [f"{indent}USER ContainerAdministrator", *lines, f"{indent}USER ContainerUser"]
        return lines

    def _user(self, instruction: Instruction) -> list[str]:
        name = instruction.arg_text.strip()
        if self.target_os == "windows":
            mapped = self.users.get(name)
        else:
            reverse = {value.lower(): key for key, value in self.users.items()}
            mapped = reverse.get(name.lower())
        if mapped is None:
            raise Untranslatable(
                f"no {self.target_os} user for {name}; map it in [tool.dflint.fix.users]"
            )
        self.user = mapped
        return [self._line(instruction, mapped)]

    def _shell(self, instruction: Instruction) -> list[str]:
        # The target's shell is set after every FROM by the template (SHELL resets at FROM).
        return []

    def _source_dialect(self, instruction: Instruction) -> Dialect:
        program = self.analysis.shell(instruction)[0].replace("\\", "/").rsplit("/", 1)[-1]
        program = program.lower().removesuffix(".exe")
        if program == "cmd":
            return "cmd"
        if program in ("powershell", "pwsh"):
            return "powershell"
        if self.stage_os == "windows":
            raise Untranslatable(f"the shell {program} on Windows")
        return "sh"

    def _context(self, source: Dialect) -> commands.Context:
        return commands.Context(
            self.stage_os,
            source,
            self.target_os,
            self.dialect,
            self.path_map,
            self.settings.commands,
            self._retarget,
            self.produced,
            delayed_expansion=self.dialect == "cmd",
        )

    def _command(self, instruction: Instruction) -> list[str]:
        if instruction.heredocs:
            raise Untranslatable("a heredoc")
        flags = list(instruction.flags)
        for flag in flags:
            if flag.startswith("--mount"):
                raise Untranslatable(
                    "RUN --mount (cache and secret mounts are Linux builder features)"
                )
        self._check_os_literals(instruction.original)
        if instruction.json:
            values = self._exec(instruction.args)
            return [self._line(instruction, _json(values), flags)]
        source = self._source_dialect(instruction)
        body = layout.body(self.df, instruction)
        if instruction.keyword == "RUN" and source == "cmd":
            env = self._setx_path(body.text)
            if env is not None:
                return [self._indent(instruction) + env]
        translated = commands.translate_command_line(body.text, self._context(source))
        self._record(instruction, translated)
        return self._layout(instruction, translated.lines, flags)

    def _record(self, instruction: Instruction, translated: commands.Translated) -> None:
        self.forms.append((instruction.start_line, translated.used))
        if translated.delayed:
            self.stage_delayed = True

    def _layout(self, instruction: Instruction, lines: list[str], flags: list[str]) -> list[str]:
        first = self._line(instruction, lines[0], flags)
        out = [first, *lines[1:]]
        return [
            line + self.escape if index < len(out) - 1 else line for index, line in enumerate(out)
        ]

    def _setx_path(self, text: str) -> str | None:
        """``RUN setx /M PATH "…"`` alone: an ``ENV PATH`` on Linux."""
        steps = parse(text, "cmd")
        if len(steps) != 1 or steps[0].command.program != "setx":
            return None
        args = steps[0].command.args
        names = [word.literal for word in args]
        if len(args) != 3 or (names[0] or "").lower() != "/m" or (names[1] or "").upper() != "PATH":
            return None
        placeholder = "\x00"  # where %PATH% was, while the list is split
        text = ""
        for part in args[2].parts:
            if part.var and part.text.upper() != "PATH":
                raise Untranslatable(f"the PATH entry %{part.text}%")
            text += placeholder if part.var else part.text
        entries: list[str] = []
        for entry in text.split(";"):
            if entry == placeholder:
                entries.append("${PATH}")
            elif placeholder in entry:
                raise Untranslatable("%PATH% inside a PATH entry")
            elif entry:
                entries.append(paths.to_linux(entry, self.path_map))
        return f'ENV PATH="{":".join(entries)}"'

    def _exec(self, args: list[str]) -> list[str]:
        """An exec-form argument list for the target."""
        if not args:
            return args
        program = args[0].replace("\\", "/").rsplit("/", 1)[-1].lower().removesuffix(".exe")
        script: str | None = None
        source: Dialect | None = None
        lowered = [arg.lower() for arg in args]
        if program in ("sh", "bash", "ash", "dash") and len(args) == 3 and args[1] == "-c":
            script, source = args[2], "sh"
        elif program == "cmd" and len(args) >= 3 and lowered[1:3] == ["/s", "/c"]:
            script, source = " ".join(args[3:]), "cmd"
        elif program == "cmd" and len(args) >= 2 and lowered[1] == "/c":
            script, source = " ".join(args[2:]), "cmd"
        elif (
            program in ("powershell", "pwsh")
            and len(args) >= 3
            and lowered[-2] in ("-command", "-c")
        ):
            script, source = args[-1], "powershell"
        if script is not None and source is not None:
            result = commands.translate_command_line(script, self._context(source))
            if result.delayed:
                raise Untranslatable("a variable set earlier in the line, in an exec form")
            return [*self._shell_argv(), "".join(result.lines)]
        commands.other_os_program(args[0], self._exec_context())
        if ("/" in args[0] or "\\" in args[0]) and not commands.is_produced(args[0], self.produced):
            raise Untranslatable(
                f"`{args[0]}` is a program of the {self.stage_os} image; nothing in this "
                f"Dockerfile builds or copies it for {self.target_os}"
            )
        converted: list[str] = []
        for index, arg in enumerate(args):
            if paths.looks_like_path(arg, self.stage_os) or (index == 0 and "/" in arg):
                converted.append(paths.translate(arg, self.target_os, self.path_map))
            else:
                converted.append(arg)
        known = catalogue.CROSS_PLATFORM_PROGRAMS | self.settings.commands
        if "/" not in args[0] and "\\" not in args[0] and program not in known:
            raise Untranslatable(f"`{args[0]}` is not known to exist on {self.target_os}")
        return converted

    def _exec_context(self) -> commands.Context:
        return self._context("cmd" if self.stage_os == "windows" else "sh")

    def _shell_argv(self) -> list[str]:
        if self.dialect == "cmd":
            return ["cmd", "/S", "/C"]
        if self.dialect == "powershell":
            return ["powershell", "-Command"]
        return ["/bin/sh", "-c"]

    def _healthcheck(self, instruction: Instruction) -> list[str]:
        args = instruction.args
        if not args or args[0].upper() == "NONE":
            return layout.reescape_lines(self.df, instruction, self.escape)
        if instruction.json:
            values = self._exec(args[1:])
            return [self._line(instruction, f"{args[0]} {_json(values)}")]
        body = layout.body(self.df, instruction)
        text = body.text.lstrip()
        if not text[:3].upper() == "CMD":
            raise Untranslatable("a HEALTHCHECK without CMD")
        translated = commands.translate_command_line(
            text[3:].lstrip(), self._context(self._source_dialect(instruction))
        )
        self._record(instruction, translated)
        lines = translated.lines
        lines[0] = f"{args[0]} {lines[0]}"
        return self._layout(instruction, lines, list(instruction.flags))


# --- helpers -----------------------------------------------------------------------------


_OUTPUT_FLAG = lazyre.compile(r"(?:^|\s)(?:-o|--output)(?:\s+|=)(\S+)")


def _produced(dockerfile: Dockerfile) -> frozenset[str]:
    """Absolute paths the Dockerfile writes files to: COPY/ADD destinations and the
    ``-o`` outputs of build commands (``go build -o /out/app``)."""
    found: set[str] = set()
    for instruction in dockerfile.instructions:
        keyword = instruction.keyword
        if keyword in ("COPY", "ADD") and len(instruction.args) >= 2:
            candidates = [instruction.args[-1]]
        elif keyword == "RUN":
            candidates = _OUTPUT_FLAG.findall(instruction.original)
        else:
            continue
        for candidate in candidates:
            value = candidate.strip("\"'")
            if paths.is_linux_absolute(value) or paths.is_windows_absolute(value):
                found.add(value)
    return frozenset(found)


def _json(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(value, ensure_ascii=False) for value in values) + "]"


def _unquote(raw: str, escape: str) -> tuple[str | None, str]:
    """(value, quote) of a simple word: one pair of quotes at most, no escapes but ``\\\\``.

    None when the word is not that simple; its text is then kept as written.
    """
    quote = ""
    text = raw
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        quote, text = text[0], text[1:-1]
        if quote in text:
            return None, ""
    elif "'" in text or '"' in text:
        return None, ""
    if escape in text:
        if escape == "\\" and re.fullmatch(r"(?:[^\\]|\\\\)*", text):
            text = text.replace("\\\\", "\\")  # C:\\app in a file with the default escape
        elif quote != "'":
            return None, ""
    return text, quote


def _requote(value: str, quote: str, escape: str) -> str:
    needs = quote or any(char in value for char in " \t")
    if escape == "\\" and "\\" in value and quote != "'":
        value = value.replace("\\", "\\\\")
    if not needs:
        return value
    quote = quote or '"'
    return f"{quote}{value}{quote}"


def _split_list(value: str, separator: str) -> list[str]:
    return value.split(separator)


def _flip_separators(value: str, target: TargetOS) -> str:
    return value.replace("/", "\\") if target == "windows" else value.replace("\\", "/")
