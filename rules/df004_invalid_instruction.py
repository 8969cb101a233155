"""DF004 invalid-instruction."""

from __future__ import annotations

from collections.abc import Iterator

from dflint.findings import Severity
from dflint.rule import Rule, RuleContext, Violation


class InvalidInstruction(Rule):
    """An instruction BuildKit refuses, so the file does not build at all.

    What it does
    Checks every instruction the way BuildKit does after reading the lines: the number of
    arguments (`WORKDIR` with none, `COPY onlyone`, `FROM a b`), the flags each instruction
    accepts (an unknown flag such as `--chmodd`, a flag given twice, `--link=maybe`), their
    values (`RUN --mount` specs, `--network`, `--security`, `HEALTHCHECK` durations and
    `--retries`, `COPY --chmod`, `ADD --checksum`, `EXPOSE` ports, `STOPSIGNAL` names),
    `KEY=value` forms (`ENV =value`), `SHELL` in JSON form, `ONBUILD` triggers (no `FROM`,
    `MAINTAINER` or `ONBUILD ONBUILD`), a heredoc as `COPY` destination, instructions other
    than `ARG` before the first `FROM`, and lines over 65,535 bytes. The message gives
    BuildKit's reason and what to write instead.

    Why is this bad?
    `docker build` stops with "dockerfile parse error" before running anything: nothing
    else in the file matters until this is fixed. Values that come from `$VARIABLES` are
    judged by BuildKit only at build time and are left alone here.

    Example
    ```dockerfile
    FROM alpine:3.20
    COPY --chmodd=755 entrypoint.sh /usr/local/bin/
    HEALTHCHECK --interval=50ns CMD wget -q -O- http://localhost/
    ```

    Use instead
    ```dockerfile
    FROM alpine:3.20
    COPY --chmod=755 entrypoint.sh /usr/local/bin/
    HEALTHCHECK --interval=30s CMD wget -q -O- http://localhost/
    ```

    Fix safety
    No automatic fix: which argument or flag was meant is the author's call; the message
    names the likely one.

    References
    - https://docs.docker.com/reference/dockerfile/
    - https://github.com/moby/buildkit/blob/master/frontend/dockerfile/instructions/parse.go
    """

    code = "DF004"
    name = "invalid-instruction"
    severity = Severity.ERROR

    def check_file(self, ctx: RuleContext) -> Iterator[Violation]:
        for problem in ctx.dockerfile.problems:
            if problem.kind == "invalid-instruction":
                yield Violation(problem.span, problem.message)
