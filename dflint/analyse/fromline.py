"""FROM-line values as BuildKit's Dockerfile frontend expands them before building.

In a FROM line only the global ARGs and BuildKit's automatic platform ARGs are defined; a name
nothing declares is empty. Used by the rules that judge what BuildKit does with the expanded
value (DF004's base names, DF006's platforms).
"""

from __future__ import annotations

import re

from dflint import lazyre
from dflint.analyse.analysis import Analysis
from dflint.read.model import Instruction

# BuildKit's automatic ARGs (dockerfile2llb defaultArgs): defined in every FROM line.
AUTOMATIC_ARGS = (
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDOSVERSION",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETOSVERSION",
    "TARGETARCH",
    "TARGETVARIANT",
    "TARGETSTAGE",
)
# Automatic ARGs that always hold a non-empty value of this shape: a stand-in is enough to
# tell whether the rest of the value can ever parse.
_STAND_INS = {
    "BUILDPLATFORM": "linux/amd64",
    "TARGETPLATFORM": "linux/amd64",
    "BUILDOS": "linux",
    "TARGETOS": "linux",
    "BUILDARCH": "amd64",
    "TARGETARCH": "amd64",
}
_PLAIN_REFERENCE = lazyre.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def from_value(analysis: Analysis, instruction: Instruction, text: str) -> tuple[str, set[str]]:
    """A FROM-line value as BuildKit expands it, and the names nothing declares.

    Raises LookupError when the value depends on something only the build knows (a global
    ARG without a default, which `--build-arg` may set, or a variant).
    """
    if uses_declared_arg(analysis, instruction, text):
        raise LookupError("a declared ARG: --build-arg may change it")
    expanded, names = analysis.expand(text, instruction, word=True)
    undeclared = {name for name in names if analysis.lookup(name, instruction) is None}
    unknown = names - undeclared
    if not unknown:
        return expanded, undeclared
    if not unknown <= _STAND_INS.keys():
        raise LookupError(", ".join(sorted(unknown)))

    # replace the always-set automatic ARGs by stand-ins, when written plainly
    def stand_in(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return _STAND_INS.get(name, match.group(0))

    replaced = _PLAIN_REFERENCE.sub(stand_in, text)
    expanded, names = analysis.expand(replaced, instruction, word=True)
    if names - undeclared:
        raise LookupError(", ".join(sorted(names - undeclared)))
    return expanded, undeclared


def uses_declared_arg(analysis: Analysis, instruction: Instruction, text: str) -> bool:
    """The value names a global ARG the file declares: `--build-arg` can change it."""
    for match in _PLAIN_REFERENCE.finditer(text):
        binding = analysis.lookup(match.group(1) or match.group(2), instruction)
        if binding is not None and binding.kind != "platform":
            return True
    return "${" in text and any(
        (binding := analysis.lookup(name, instruction)) is not None and binding.kind != "platform"
        for name in _NAMES.findall(text)
    )


_NAMES = lazyre.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")
