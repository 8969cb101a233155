"""DF305 bashism-under-sh."""

from __future__ import annotations

from collections.abc import Iterator

from dflint import lazyre
from dflint.analyse.shell import SHELL_KEYWORDS, script_text, shell_view
from dflint.core.findings import Severity
from dflint.lint.rule import Rule, RuleContext, Violation
from dflint.read.model import Instruction

# What to write instead, for POSIX sh (dash), by the feature names dflint.analyse.shell records.
_ADVICE: dict[str, str] = {
    "[[ … ]]": "`[ … ]`",
    "source (use .)": "`. FILE`",
    "== in test (use =)": "`=`",
    "function keyword": "`name() { …; }`",
    "array": "separate variables or a space-separated string",
    "array subscript": "separate variables or a space-separated string",
    "array element assignment": "separate variables",
    "process substitution <(…)": "a temporary file or a pipe",
    "ANSI-C quoting $'…'": "`printf` to make the characters",
    "here-string <<<": "`printf '%s\\n' … |` or a heredoc",
    "brace expansion {a,b}": "the words written out",
    "redirection &>": "`> FILE 2>&1`",
    "redirection &>>": "`>> FILE 2>&1`",
    "pipe with stderr |&": "`2>&1 |`",
    "let": "`$(( … ))`",
    "arithmetic command (( … ))": "`[ $(( … )) -ne 0 ]`",
    "C-style for loop": "a `while` loop with `$(( … ))`",
    "declare": "plain assignments",
    "typeset": "plain assignments",
    "substring ${var:offset:length}": "`cut` or `expr substr`",
    "pattern substitution ${var/a/b}": "`sed` or `${var%…}`/`${var#…}`",
    "pattern substitution ${var//a/b}": "`sed` or `tr`",
    "indirect expansion ${!var}": "`eval`",
    "case modification ${var^}": "`tr`",
    "case modification ${var^^}": "`tr '[:lower:]' '[:upper:]'`",
    "case modification ${var,}": "`tr`",
    "case modification ${var,,}": "`tr '[:upper:]' '[:lower:]'`",
}
# BusyBox ash (Alpine) accepts most bash extensions ([[, source, $'…', ${x:0:1}, ${x/a/b},
# &>); these it does not.
_NOT_IN_ASH = frozenset(
    {
        "array",
        "array subscript",
        "array element assignment",
        "process substitution <(…)",
        "brace expansion {a,b}",
        "declare",
        "typeset",
        "indirect expansion ${!var}",
        "case modification ${var^}",
        "case modification ${var^^}",
        "case modification ${var,}",
        "case modification ${var,,}",
        "C-style for loop",
    }
)
_DASH_FAMILIES = frozenset({"debian", "ubuntu"})
_ASH_FAMILIES = frozenset({"alpine", "busybox"})
_DASH_OR_ASH = lazyre.compile(r"(?:^|/)(?:dash|ash)\Z")
# A cheap test before parsing: text that may hold bash syntax. Plain substrings are looked
# for one by one (each a fast scan); a pattern runs only where its literal part is present,
# as one pattern of all the alternatives was tried at every position of every RUN line.
_HINT_WORDS = (
    "[[", "=(", "<(", ">(", "$'", "&>", "|&", "==", "declare", "typeset", "${!", "^^", ",,}",
    "[@]", "[*]", "<<<",
)  # fmt: skip
_HINT_PATTERNS = (
    ("source", lazyre.compile(r"s(?<!\ws)ource\b")),
    ("function", lazyre.compile(r"f(?<!\wf)unction\b")),
    ("let", lazyre.compile(r"l(?<!\wl)et\b")),
    ("((", lazyre.compile(r"\((?<!\$\()\(")),
    ("{", lazyre.compile(r"\{[^}\s]*(?:,|\.\.)")),
    ("${", lazyre.compile(r"\$\{[#!]?\w+(?:\[|:[^-=+?]|//?|\^)")),
    ("]", lazyre.compile(r"\w\[[^]\s]*\]\+?=")),
)


def _may_hold_bashism(text: str) -> bool:
    return any(word in text for word in _HINT_WORDS) or any(
        literal in text and pattern.search(text) is not None for literal, pattern in _HINT_PATTERNS
    )


class BashismUnderSh(Rule):
    """Bash syntax in a command that `/bin/sh` runs, on a base whose sh is not bash.

    What it does
    Finds bash-only syntax (`[[ … ]]`, `source`, `==` in `[`, arrays, `<(…)`, `$'…'`,
    `{a,b}`, `&>`, `${var:0:3}`, `${var//a/b}`, `function name`, …) in shell-form RUN, CMD,
    ENTRYPOINT and HEALTHCHECK run by `/bin/sh`, and in scripts given to `sh -c` (exec form
    included), on a Debian or Ubuntu base, where sh is dash.
    On Alpine and BusyBox, whose ash accepts most bash extensions, only what ash lacks
    (arrays, `<(…)`, `{a,b}`, `declare`) is reported. Nothing is reported on RHEL-like
    bases, where sh is bash, or when the base's family is unknown.

    Why is this bad?
    dash stops with `[[: not found` or `Bad substitution`, or, for brace expansion, silently
    does something else (`mkdir /a/{b,c}` makes one folder named `{b,c}`). The same line works
    on one base and breaks on another, which is how moving to `-slim` breaks builds.

    Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN if [[ -f /etc/os-release ]]; then . /etc/os-release; fi
    ```

    Use instead
    ```dockerfile
    FROM debian:bookworm-slim
    RUN if [ -f /etc/os-release ]; then . /etc/os-release; fi
    ```

    Fix safety
    No automatic fix: switching the stage to bash (`SHELL ["/bin/bash", "-c"]`) and rewriting
    the line in POSIX sh are both valid; the choice is the author's.

    References
    - https://wiki.ubuntu.com/DashAsBinSh
    - https://pubs.opengroup.org/onlinepubs/9699919799/utilities/V3_chap02.html
    """

    code = "DF305"
    name = "bashism-under-sh"
    severity = Severity.WARNING
    platforms = ("linux",)
    nodes = SHELL_KEYWORDS

    def check_instruction(self, ctx: RuleContext, instruction: Instruction) -> Iterator[Violation]:
        facts = ctx.analysis.facts(instruction)
        if facts is None or facts.os == "windows":
            return
        if facts.family not in _DASH_FAMILIES | _ASH_FAMILIES and not _DASH_OR_ASH.search(
            " ".join(ctx.analysis.shell(instruction)[:1])
        ):
            return  # sh is bash there, or nobody knows which sh it is
        text = script_text(instruction)
        if not _may_hold_bashism(text):
            return
        for script in shell_view(ctx.analysis, instruction).scripts:
            if script.dialect != "posix":
                continue  # `bash -c '…'` is posix too, but its interpreter is bash: see below
            shell = _sh_flavour(script.interpreter, facts.family)
            if shell is None:
                continue
            for feature in script.features:
                if shell == "ash" and feature.name not in _NOT_IN_ASH:
                    continue
                advice = _ADVICE.get(feature.name)
                instead = f"use {advice}, " if advice else ""
                yield Violation(
                    feature.span,
                    f"{_feature_label(feature.name)} is bash syntax, but /bin/sh here is "
                    f"{shell} ({facts.family}): {instead}or set "
                    '`SHELL ["/bin/bash", "-c"]` if bash is installed',
                    platform="linux",
                )


def _sh_flavour(interpreter: str, family: str) -> str | None:
    """Which shell really runs `sh`: dash, ash, or None when it is bash or unknown."""
    if interpreter == "dash":
        return "dash"
    if interpreter == "ash":
        return "ash"
    if interpreter != "sh":
        return None
    if family in _DASH_FAMILIES:
        return "dash"
    if family in _ASH_FAMILIES:
        return "ash"
    return None


def _feature_label(name: str) -> str:
    label = name.split(" (use", 1)[0]
    return f"`{label}`" if not label[0].isalpha() or label in ("source", "let") else label
