"""The base image of each stage, resolved: what rules (through the RuleContext) and the
``dflint platforms`` matrix see.

FROM images are taken after ARG substitution, as the analysis does it. A value that depends on
an ARG without a known value stays unknown ("unknown", not a guess); ``scratch`` and
``FROM <stage>`` need no resolving.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

from dflint.analyse.analysis import Analysis, StageFacts
from dflint.core.platform import Platform
from dflint.core.reference import ImageRef, ReferenceError, parse_reference
from dflint.registry.resolver import Resolution, unknown

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from typing import Literal, TypeAlias

BaseKind: TypeAlias = 'Literal["image", "stage", "scratch", "unknown"]'
# Resolve references (by ImageRef.key); the engine passes the run's resolver here.
Lookup = Callable[[list[ImageRef]], Mapping[str, Resolution]]


@dataclass(frozen=True, slots=True)
class StageBase:
    """A stage's base, resolved: an image with its platforms, a stage, scratch or unknown."""

    facts: StageFacts
    kind: BaseKind
    image: str | None  # after ARG substitution; None when it depends on an unknown value
    ref: ImageRef | None
    resolution: Resolution | None  # for "image" and "unknown" kinds
    platform_flag: str | None  # --platform after substitution, as written when unknown
    platform_depends_on: frozenset[str]  # names the --platform value could not be given

    @property
    def index(self) -> int:
        return self.facts.stage.index

    @property
    def on_build_platform(self) -> bool:
        """``--platform=$BUILDPLATFORM``: built for the machine running the build."""
        return bool(self.platform_depends_on & {"BUILDPLATFORM", "BUILDOS", "BUILDARCH"})

    @property
    def pinned_platform(self) -> Platform | None:
        """A constant ``--platform`` (after ARG substitution), else None."""
        if not self.platform_flag or self.platform_depends_on:
            return None
        try:
            return Platform.parse(self.platform_flag)
        except ValueError:
            return None

    @property
    def follows_target(self) -> bool:
        """Built for each target platform: no --platform, or one of $TARGETPLATFORM."""
        if not self.platform_flag:
            return True
        return not self.on_build_platform and bool(
            self.platform_depends_on & {"TARGETPLATFORM", "TARGETOS", "TARGETARCH"}
        )

    def wanted(self, targets: Iterable[str]) -> list[Platform]:
        """The platforms this stage is built for, of a build for ``targets``: the constant
        --platform, else the targets; none when --platform depends on an unknown value."""
        pinned = self.pinned_platform
        if pinned is not None:
            return [pinned]
        if not self.follows_target:
            return []
        found = []
        for text in targets:
            try:
                found.append(Platform.parse(text))
            except ValueError:
                continue
        return found

    @property
    def shown(self) -> str:
        """The image as the user wrote it, with its value when an ARG gave one."""
        written = self.facts.stage.image
        if self.image is not None and self.image != written:
            return f"{written} (= {self.image})"
        return written


class BaseImages:
    """The base of every stage of one Dockerfile, in stage order."""

    def __init__(self, bases: Iterable[StageBase]) -> None:
        self._bases = list(bases)
        self._by_index = {item.index: item for item in self._bases}

    def __iter__(self) -> Iterator[StageBase]:
        return iter(self._bases)

    def __len__(self) -> int:
        return len(self._bases)

    def for_stage(self, index: int) -> StageBase | None:
        return self._by_index.get(index)

    def root(self, index: int) -> StageBase | None:
        """The base a stage finally stands on, following ``FROM <stage>`` links."""
        seen: set[int] = set()
        base = self._by_index.get(index)
        while base is not None and base.kind == "stage" and base.index not in seen:
            seen.add(base.index)
            parent = base.facts.parent
            base = self._by_index.get(parent.stage.index) if parent is not None else None
        return base


def _describe(names: Iterable[str]) -> str:
    listed = sorted(names)
    quoted = ", ".join(f"${name}" for name in listed)
    return f"{quoted}, which {'has' if len(listed) == 1 else 'have'} no value here"


def _why_unknown(analysis: Analysis, facts: StageFacts) -> str:
    """Why a FROM image has no single value: a platform ARG differs per target; an ARG
    declared without a default is empty unless `--build-arg` sets it."""
    stage = facts.stage
    instruction = stage.from_instruction
    _, names = analysis.expand(stage.image, instruction, word=True)
    if not names:
        return "unknown image"
    kinds = {name: analysis.lookup(name, instruction) for name in names}
    per_target = sorted(
        name for name, binding in kinds.items() if binding and binding.kind == "platform"
    )
    listed = ", ".join(f"${name}" for name in sorted(names))
    if per_target:
        quoted = ", ".join(f"${name}" for name in per_target)
        return (
            f"the image depends on {quoted}, which {'is' if len(per_target) == 1 else 'are'} "
            "set for each target platform"
        )
    default = analysis.expand_default(stage.image, instruction)
    if default is not None:
        them = "it" if len(names) == 1 else "them"
        return (
            f"the image depends on {listed}, declared without a default (a --build-arg may set "
            f"{them}); without one it is `{default}`"
        )
    return f"the image depends on {_describe(names)}"


def collect(analysis: Analysis) -> list[StageBase]:
    """Every stage's base, not resolved yet (``resolution`` is None for external images)."""
    bases = []
    for facts in analysis.stages:
        stage = facts.stage
        instruction = stage.from_instruction
        platform_flag: str | None = None
        depends: frozenset[str] = frozenset()
        if stage.platform:
            text, names = analysis.expand(stage.platform, instruction)
            platform_flag, depends = text, frozenset(names)
        ref: ImageRef | None = None
        resolution: Resolution | None = None
        kind: BaseKind
        if facts.parent is not None:
            kind = "stage"
        elif facts.image is None:
            kind = "unknown"
            resolution = unknown(stage.image, _why_unknown(analysis, facts))
        elif facts.image.strip().lower() == "scratch":
            kind = "scratch"
        else:
            kind = "image"
            try:
                ref = parse_reference(facts.image.strip())
            except ReferenceError as exc:
                resolution = unknown(facts.image, f"not a valid image reference: {exc}")
        bases.append(StageBase(facts, kind, facts.image, ref, resolution, platform_flag, depends))
    return bases


def base_images(analysis: Analysis, lookup: Lookup) -> BaseImages:
    """Every stage's base, with the external images resolved through ``lookup``."""
    bases = collect(analysis)
    refs = [base.ref for base in bases if base.ref is not None]
    resolved = lookup(refs) if refs else {}
    return BaseImages(
        replace(
            base, resolution=resolved.get(base.ref.key) or unknown(base.ref.key, "not resolved")
        )
        if base.ref is not None
        else base
        for base in bases
    )


def image_refs(analysis: Analysis) -> list[ImageRef]:
    """The external images of a Dockerfile's FROM lines (for resolving many files at once)."""
    return [base.ref for base in collect(analysis) if base.ref is not None]


def stage_chain(facts: StageFacts) -> list[StageFacts]:
    """A stage and the stages it is built FROM."""
    chain: list[StageFacts] = []
    seen: set[int] = set()  # by identity: StageFacts compare by value, recursively
    current: StageFacts | None = facts
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.parent
    return chain


def copied_into_final(analysis: Analysis) -> list[StageFacts]:
    """The stages whose files reach the final image through COPY --from or RUN --mount."""
    final_chain = stage_chain(analysis.stages[-1])
    found: list[StageFacts] = []
    todo = list(final_chain)
    seen = {id(item) for item in final_chain}
    while todo:
        current = todo.pop()
        for name in current.copies_from:
            source = analysis.stage_by_name(name)
            if source is None or id(source) in seen:
                continue  # an external image, or already visited
            for item in stage_chain(source):
                if id(item) not in seen:
                    seen.add(id(item))
                    found.append(item)
                    todo.append(item)
    return found
