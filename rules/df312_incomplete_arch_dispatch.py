"""DF312 incomplete-arch-dispatch."""

from __future__ import annotations

from collections.abc import Iterator

from dflint.analyse.archdispatch import ReadChoice, may_dispatch, read_choices, spelling
from dflint.analyse.shell import Script, script_text, shell_view
from dflint.analyse.targets import arch_of
from dflint.core.findings import Severity
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.read.model import Instruction

_FAIL = '*) echo "unsupported architecture: $arch" >&2; exit 1 ;;'


class IncompleteArchDispatch(Rule):
    """An arch dispatch that gives unnamed architectures a value instead of failing.

    What it does
    Finds a `case` or `if` on the machine's architecture (`uname -m`,
    `dpkg --print-architecture`, `apk --print-arch`, `rpm --eval '%{_arch}'`,
    `$TARGETARCH`, or a variable set from one of them) whose branches choose a value (assign
    a variable, print a name) for some architectures, when a target platform's architecture
    is named by no branch and the fallback does not fail: an `else`/`*)` that picks one
    architecture's build for all the others, or no fallback at all, so the variable keeps
    whatever it held. A dispatch is correct when its fallback exits non-zero or its
    branches name every target; one that only runs optional work for one architecture
    (install an extra package on x86_64) chooses nothing and is not reported.

    Why is this bad?
    `if [ "$(uname -m)" = x86_64 ]; then A=x64; else A=arm64; fi` works for the two
    architectures its author tried and silently gives every other one (arm/v7, ppc64le,
    s390x, …) the arm64 build: the image is built, and fails with `exec format error` where
    it runs. A dispatch that maps only amd64 leaves every other architecture with the
    x86_64 download. Failing on the unknown turns that into a build error that names the
    architecture.

    Example
    ```dockerfile
    FROM alpine:3.20
    RUN if [ "$(uname -m)" = x86_64 ]; then A=x86_64; else A=arm; fi \
     && wget -O /tmp/cli.tgz "https://example.com/cli-linux-$A.tar.gz"
    ```

    Use instead
    ```dockerfile
    FROM alpine:3.20
    RUN case "$(uname -m)" in \
          x86_64) A=x86_64 ;; \
          aarch64) A=arm ;; \
          *) echo "unsupported architecture: $(uname -m)" >&2; exit 1 ;; \
        esac \
     && wget -O /tmp/cli.tgz "https://example.com/cli-linux-$A.tar.gz"
    ```

    Fix safety
    No automatic fix: the names of the other architectures' builds are the vendor's.

    Options
    The targets (`platforms`) decide which architectures the branches must name.

    References
    - https://docs.docker.com/build/building/multi-platform/
    - https://github.com/docker-library/official-images#multiple-architectures
    """

    code = "DF312"
    name = "incomplete-arch-dispatch"
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
        own = ctx.targets.own
        wanted = [own.platform] if own is not None else list(ctx.targets.platforms)
        for script in shell_view(ctx.analysis, instruction).scripts:
            for read in read_choices(script):
                violation = _judge(script, read, wanted)
                if violation is not None:
                    yield violation


def _judge(script: Script, read: ReadChoice, wanted: list[str]) -> Violation | None:
    fallback = read.fallback
    if fallback is not None and fallback.fails:
        return None
    covered = read.covered
    if covered is None or not read.maps(script):
        return None
    missing = [p for p in wanted if arch_of(p).split("/", 1)[0] not in covered]
    if not missing:
        return None
    named = _named(read)
    what = "`case`" if read.choice.kind == "case" else "`if`"
    head = f"the {what} on {read.shown_tool} names only {named}"
    if covered == {"amd64"}:
        shown = "" if named == "amd64" else f" ({named})"
        head = f"the {what} on {read.shown_tool} maps only amd64{shown}"
    if fallback is not None and fallback.picked_arch is not None:
        label = "`*)`" if read.choice.kind == "case" else "`else`"
        body = (
            f"; its {label} picks `{fallback.picked_arch}` for every other architecture "
            f"instead of failing, so {', '.join(missing)} and any platform no branch names "
            "get that one build"
        )
        arm = fallback.arm
        start, end = (
            (arm.label_start, arm.label_end) if arm.label else (arm.body_start, arm.body_end)
        )
    else:
        names: list[str] = []
        for item in read.arms:
            names += [name for name in item.assigned if name not in names]
        chosen = ", ".join(f"`{name}`" for name in names) or "what it prints"
        runs = "no branch runs" if fallback is None else "only the fallback runs"
        keeps = "keeps" if len(names) < 2 else "keep"
        body = (
            f", and nothing fails for the others: on {', '.join(missing)} {runs} and "
            f"{chosen} {keeps} whatever it held, so the build goes on with a name made for "
            "no architecture"
        )
        start, end = read.choice.start, _first_line_end(script, read.choice.start)
    return Violation(
        script.span(start, end),
        f"{head}{body}; name every target's architecture and fail on the rest (`{_FAIL}`)",
        platform=",".join(missing),
    )


def _named(read: ReadChoice) -> str:
    words = []
    for item in read.arms:
        for value in item.values:
            if value.text not in words:
                words.append(value.text)
    if not words and read.tool is not None:
        words = [w for w in (spelling(read.tool, "amd64"),) if w]
    return ", ".join(words) if words else "some architectures"


def _first_line_end(script: Script, start: int) -> int:
    end = script.text.find("\n", start)
    return len(script.text) if end < 0 else end
