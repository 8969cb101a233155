"""DF313 impossible-arch-test."""

from __future__ import annotations

from collections.abc import Iterator

from dflint.analyse.archdispatch import (
    ReadArm,
    ReadChoice,
    Value,
    arch_of_word,
    looks_like_arch,
    matches_pattern,
    may_dispatch,
    read_choices,
    spelling,
)
from dflint.analyse.shell import Script, script_text, shell_view
from dflint.core.findings import Severity
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.read.model import Instruction


class ImpossibleArchTest(Rule):
    """An architecture test against a value the tool never prints.

    What it does
    Finds a `case` branch or an `if` comparison on `uname -m`, `dpkg --print-architecture`,
    `apk --print-arch`, `rpm --eval '%{_arch}'`, `$TARGETARCH` or `$TARGETPLATFORM` (or a
    variable set from one of them) whose values that tool never prints: `uname -m` says
    `aarch64`, not `arm64` or `arm_64`; dpkg says `arm64` and `ppc64el`, not `aarch64` or
    `ppc64le`; `$TARGETARCH` says `amd64`, not `x86_64`. A branch is reported only when
    none of its alternatives can match (`aarch64|arm64)` under `uname -m` is fine).

    Why is this bad?
    The branch never runs. On the architecture it was written for the build takes another
    branch, usually the fallback that downloads the amd64 build, and the image ships a
    binary its CPU cannot run, or the build fails far from the typo.

    Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN case "$(dpkg --print-architecture)" in \
          amd64) A=x86_64 ;; \
          aarch64) A=aarch64 ;; \
          *) exit 1 ;; \
        esac \
     && curl -fsSLo /usr/local/bin/tool "https://example.com/tool-$A"
    ```

    Use instead
    ```dockerfile
    FROM debian:bookworm-slim
    RUN case "$(dpkg --print-architecture)" in \
          amd64) A=x86_64 ;; \
          arm64) A=aarch64 ;; \
          *) exit 1 ;; \
        esac \
     && curl -fsSLo /usr/local/bin/tool "https://example.com/tool-$A"
    ```

    Fix safety
    No automatic fix yet: the intended architecture is usually clear (the message names the
    tool's spelling of it), but a branch may also be dead on purpose.

    References
    - https://manpages.debian.org/dpkg-architecture
    - https://wiki.alpinelinux.org/wiki/Architecture
    - https://docs.docker.com/reference/dockerfile/#automatic-platform-args-in-the-global-scope
    """

    code = "DF313"
    name = "impossible-arch-test"
    severity = Severity.WARNING
    platforms = ("linux",)
    nodes = frozenset({"RUN"})

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        facts = ctx.analysis.facts(instruction)
        if facts is None or facts.os == "windows":
            return
        text = script_text(instruction)
        if not may_dispatch(text):
            return
        for script in shell_view(ctx.analysis, instruction).scripts:
            for read in read_choices(script):
                if read.tool is None:
                    continue  # a variable read from a file: its spelling is not known
                for arm in read.arms:
                    yield from _dead(script, read, arm)


def _dead(script: Script, read: ReadChoice, arm: ReadArm) -> Iterator[Violation]:
    assert read.tool is not None
    vocabulary = read.vocabulary
    values = arm.values
    if not values or any(_matches(value, vocabulary) for value in values):
        return
    if not any(looks_like_arch(value.text) for value in values):
        return  # not an architecture at all (a variant, a typo'd subject): not ours
    for value in values:
        if not looks_like_arch(value.text):
            continue
        meant = arch_of_word(value.text) or arch_of_word(value.text.replace("_", ""))
        said = spelling(read.tool, meant) if meant is not None else None
        hint = (
            f": on {meant} it prints `{said}`"
            if said is not None and meant is not None
            else f"; it prints {', '.join(f'`{word}`' for word in list(vocabulary)[:4])}, …"
        )
        yield Violation(
            script.span(value.start, value.end),
            f"{read.shown_tool} never prints `{value.text}`{hint}, so this branch never "
            "runs and that architecture takes another one",
            platform=f"linux/{meant}" if meant is not None else None,
        )


def _matches(value: Value, vocabulary: dict[str, str]) -> bool:
    return any(matches_pattern(word, value) for word in vocabulary)
