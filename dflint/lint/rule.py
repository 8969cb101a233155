"""The rule contract and the context a rule sees.

A rule is a class in its own module under ``rules/`` with a code, a kebab-case name, a default
severity, the platforms it applies to, the instruction keywords it inspects (``nodes``) and
a docstring in fixed sections. It yields :class:`Violation` objects; the engine turns them
into findings, applying the configured severity, suppressions and selection.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from dflint.core.findings import Fix, Severity
from dflint.read.model import Instruction, Span

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from typing import ClassVar

    from dflint.analyse.analysis import Analysis
    from dflint.analyse.targets import OwnPlatform, Targets
    from dflint.core.findings import Finding
    from dflint.read.model import Dockerfile
    from dflint.registry.resolver import Resolver
    from dflint.registry.stages import BaseImages


@dataclass(slots=True)
class Violation:
    """What a rule reports (where, what, for which platforms); the engine makes it a Finding."""

    span: Span
    message: str
    # the target platforms the finding is about (comma-separated); None: all of them
    platform: str | None = None
    fix: Fix | None = None
    # the image cannot be built for ``platform``, or is built wrong (a base image without
    # that platform, a binary for another CPU): ``dflint platforms`` marks them ✗
    breaks: bool = False
    # codes of rules that say the same thing better about this instruction (DF202 names the
    # multi-arch image to use where DF201 can only say a platform is missing): the engine drops
    # this violation when one of them is reported on the same line, and only then, so
    # `--ignore DF202` leaves DF201's finding in place
    covered_by: frozenset[str] = frozenset()


@dataclass(slots=True)
class RuleContext:
    """What a rule checks a file with: the Dockerfile, its analysis, targets and options."""

    dockerfile: Dockerfile
    analysis: Analysis
    targets: Targets
    options: dict[str, object] = field(default_factory=dict)
    # Each stage's base image with its platforms: filled by the engine before the rules run,
    # only when an enabled rule sets ``needs_base_images`` (it may cost registry requests).
    base_images: BaseImages | None = None

    def line_text(self, line: int) -> str:
        return self.dockerfile.lines[line - 1] if 0 < line <= len(self.dockerfile.lines) else ""


@dataclass(frozen=True, slots=True)
class FixRequest:
    """What :meth:`Rule.registry_fix` is given: a finding of the rule, the text of its line
    as it is in this round of ``dflint fix``, the file's targets and the registry."""

    finding: Finding
    line_text: str
    targets: tuple[str, ...]
    own: OwnPlatform | None  # the platform of a per-architecture file, from its path
    resolver: Resolver


class Rule:
    """Base class of every rule. Subclasses set the class variables and override a check."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    # "linux", "windows" or "any": the target operating systems the rule is about
    platforms: ClassVar[tuple[str, ...]] = ("any",)
    # instruction keywords passed to check_instruction; empty means the rule only checks files
    nodes: ClassVar[frozenset[str]] = frozenset()
    # True: `dflint fix` can repair what the rule finds, in its check (Violation.fix) or in
    # registry_fix; the contract test runs the fixer on the rule's Example to hold it true
    fixable: ClassVar[bool] = False
    # True: a finding can say the image cannot be built, or is built wrong, for the
    # platforms it names (Violation.breaks), so `dflint platforms` marks them ✗
    blocks: ClassVar[bool] = False
    # True: the rule reads ctx.base_images, so the engine resolves the FROM images' platforms
    needs_base_images: ClassVar[bool] = False

    def check_file(self, ctx: RuleContext) -> Iterator[Violation]:
        return iter(())

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        return iter(())

    def registry_fix(self, request: FixRequest) -> Fix | None:
        """The fix of one of this rule's findings once the registry can be asked (a rule
        whose fix depends on which images exist overrides it); the finding's own by default.
        Only ``dflint fix`` calls it: lint never asks about names nobody wrote."""
        return request.finding.fix


def asks_registry_to_fix(rule: type[Rule]) -> bool:
    """Whether the rule overrides :meth:`Rule.registry_fix`."""
    return rule.registry_fix is not Rule.registry_fix


def line_span(ctx: RuleContext, line: int, start: int = 0, end: int | None = None) -> Span:
    """A span on one physical line; start/end are 0-based character offsets."""
    text = ctx.line_text(line)
    stop = len(text.rstrip()) if end is None else end
    return Span(line, start + 1, line, max(stop, start) + 1)
