"""DF005 unknown-instruction."""

from __future__ import annotations

from collections.abc import Iterator

from dflint.core.findings import Severity
from dflint.lint.rule import Rule, RuleContext, Violation


class UnknownInstruction(Rule):
    """A line that starts with a word BuildKit does not know as an instruction.

    What it does
    Finds instructions whose keyword is none of BuildKit's eighteen (`FROM`, `RUN`, `COPY`,
    ...), matched without regard to case as BuildKit does, and suggests the closest one
    (`FORM` → `FROM`). This also catches lines that only look like part of something else:
    `FR\\om alpine` and `FROM\\ alpine` (an escape inside the keyword keeps it one unknown
    word), and the body lines of `RUN <<- EOF`, which BuildKit does not read as a heredoc
    because of the blank after `<<-`.

    Why is this bad?
    `docker build` fails with "unknown instruction". A mistyped `FROM` also means that no
    stage starts there, so nothing below it is linted as intended.

    Example
    ```dockerfile
    FORM alpine:3.20
    RUN apk add --no-cache curl
    ```

    Use instead
    ```dockerfile
    FROM alpine:3.20
    RUN apk add --no-cache curl
    ```

    Fix safety
    No automatic fix: the suggestion is only the closest keyword.

    References
    - https://docs.docker.com/reference/dockerfile/#overview
    """

    code = "DF005"
    name = "unknown-instruction"
    severity = Severity.ERROR

    def check_file(self, ctx: RuleContext) -> Iterator[Violation]:
        for problem in ctx.dockerfile.problems:
            if problem.kind == "unknown-instruction":
                yield Violation(problem.span, problem.message)
