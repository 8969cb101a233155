"""DF304 package-manager-mismatch."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dflint import lazyre
from dflint.analyse.catalogue import FAMILY_INSTALL, PACKAGE_MANAGERS
from dflint.analyse.shell import Condition, program_name, script_text, shell_view, unwrapped
from dflint.core.findings import Severity
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.read.model import Instruction

# Families whose package manager is known; elsewhere (unknown, ${BASE_IMAGE}, photon, …)
# the rule stays silent rather than guess.
_JUDGED = frozenset({"debian", "ubuntu", "alpine", "rhel-like", "busybox"})
_OWNERS = {
    "apt-get": "Debian's and Ubuntu's",
    "apt": "Debian's and Ubuntu's",
    "aptitude": "Debian's and Ubuntu's",
    "apk": "Alpine's",
    "yum": "the RHEL family's",
    "dnf": "the RHEL family's",
    "microdnf": "the RHEL family's",
    "zypper": "openSUSE's",
    "pacman": "Arch Linux's",
    "tdnf": "Photon's and Azure Linux's",
}
_NAMES = lazyre.compile(
    r"(?<![\w-])(?:" + "|".join(map(re.escape, PACKAGE_MANAGERS)) + r")(?![\w-])"
)


def _any_word(names: list[str]) -> re.Pattern[str]:
    """One of the names as a whole word. Each branch starts with its first letter (the
    look-behind comes after it), so that re skips to where a name may start."""
    branches = [rf"{re.escape(name[0])}(?<![\w-].){re.escape(name[1:])}" for name in names]
    return lazyre.compile("(?:" + "|".join(branches) + r")(?![\w-])")


# Per family, the package managers it lacks: the cheap test before parsing.
_FOREIGN = {
    family: _any_word([name for name, has in PACKAGE_MANAGERS.items() if family not in has])
    for family in _JUDGED
}
_CHECK_START = lazyre.compile(r"\s*(?:!\s*)?(?:\[\[?|test\b|command\s+-v|which\b|type\b|hash\b)")
# A branch that checks which distribution or package manager it is on.
_DISTRO_TEST = lazyre.compile(
    r"command\s+-v|\bwhich\b|\btype\b|\bhash\b|os-release|alpine-release|debian_version"
    r"|redhat-release|/etc/issue|\bID\b|" + _NAMES.pattern
)


class PackageManagerMismatch(Rule):
    """A package manager the stage's base image does not have.

    What it does
    Finds `apt-get` on an Alpine base, `apk` on Debian or Ubuntu, `yum`/`dnf` on either,
    and any package manager on BusyBox, when the base image's family is known from its name
    (`alpine:3.20`, `python:3.12-slim`, `ubi9/ubi-minimal`) or from the stage it builds on.
    Commands inside a branch that tests the distribution (`if command -v apk …`) or after
    `||` are fallbacks and are not reported.

    Why is this bad?
    The RUN fails with `apt-get: not found`. It usually means the base image was changed
    (to a smaller variant) without changing the install line.

    Example
    ```dockerfile
    FROM alpine:3.20
    RUN apt-get update && apt-get install -y curl
    ```

    Use instead
    ```dockerfile
    FROM alpine:3.20
    RUN apk add --no-cache curl
    ```

    Fix safety
    No automatic fix: package names differ between distributions.

    References
    - https://wiki.alpinelinux.org/wiki/Alpine_Package_Keeper
    - https://docs.docker.com/build/building/best-practices/#apt-get
    """

    code = "DF304"
    name = "package-manager-mismatch"
    severity = Severity.ERROR
    platforms = ("linux",)
    nodes = frozenset({"RUN"})

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        facts = ctx.analysis.facts(instruction)
        if facts is None or facts.os == "windows" or facts.family not in _JUDGED:
            return
        family = facts.family
        foreign = _FOREIGN[family]
        text = script_text(instruction)
        if not foreign.search(text):
            return
        base = facts.image or facts.stage.image
        for script in shell_view(ctx.analysis, instruction).scripts:
            if script.dialect not in ("posix", "exec"):
                continue  # exec form names the program itself: `RUN ["apk", "add", "git"]`
            for command in map(unwrapped, script.commands):  # `sudo apt-get` is apt-get
                program = program_name(command.name)
                families = PACKAGE_MANAGERS.get(program)
                if families is None or family in families or _fallback(command.conditions):
                    continue
                if family == "busybox":
                    advice = "BusyBox images have no package manager; start from alpine instead"
                else:
                    advice = f"use `{FAMILY_INSTALL.get(family, 'its own package manager')}`"
                yield Violation(
                    command.name_span,
                    f"`{program}` is {_OWNERS.get(program, 'another family')} package manager, "
                    f"but this stage's base `{base}` is {family}: {advice}",
                    platform="linux",
                )


def _fallback(conditions: tuple[Condition, ...]) -> bool:
    """Inside `a || b`, or a branch that checks the distribution or the package manager
    (`if command -v apk`, `case "$ID"`, `[ -f /etc/alpine-release ] && …`)."""
    for condition in conditions:
        if condition.kind == "or":
            return True
        test = condition.test
        if condition.kind == "and":
            # `apt-get update && apt-get install` only sequences; `[ … ] && x` tests
            test = re.split(r"&&|\|\|", test)[-1]
            if not _CHECK_START.match(test):
                continue
        if condition.kind != "loop" and _DISTRO_TEST.search(test):
            return True
    return False
