"""Parsed views of the shell commands a Dockerfile runs.

``shell_view(analysis, instruction)`` gives every script a RUN, CMD, ENTRYPOINT or
HEALTHCHECK runs: the shell-form text under the SHELL in force, RUN heredoc bodies, exec-form
argument lists, and the strings inside ``sh -c``, ``bash -c``, ``powershell -Command``,
``pwsh -c`` and ``cmd /S /C`` (in exec form and nested in other scripts). Each script is read
in its dialect (tree-sitter-bash for POSIX shells, tree-sitter-powershell, a tokenizer for
cmd.exe) into one model: commands with their arguments, variable references, assignments,
shell-specific features, and the control structures around each command, with spans on the
Dockerfile's physical lines.

The parsers load on first use and each instruction is parsed at most once per analysis, so a
rule should first rule out instructions cheaply (a substring test) and only then ask.
"""

from __future__ import annotations

from dflint.analyse.shell.model import (
    Assignment,
    Command,
    Condition,
    ConditionKind,
    Dialect,
    Feature,
    Script,
    ShellView,
    VariableRef,
    VariableSyntax,
    Word,
)
from dflint.analyse.shell.view import (
    POSIX_SHELLS,
    POWERSHELLS,
    SHELL_KEYWORDS,
    dialect_of,
    inline_script,
    program_name,
    script_text,
    shell_view,
    unwrapped,
)

__all__ = [
    "POSIX_SHELLS",
    "POWERSHELLS",
    "SHELL_KEYWORDS",
    "Assignment",
    "Command",
    "Condition",
    "ConditionKind",
    "Dialect",
    "Feature",
    "Script",
    "ShellView",
    "VariableRef",
    "VariableSyntax",
    "Word",
    "dialect_of",
    "inline_script",
    "program_name",
    "script_text",
    "shell_view",
    "unwrapped",
]
