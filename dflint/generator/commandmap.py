"""What the translator needs beyond the command catalogue (``dflint.catalogue``).

TO MERGE INTO THE COMMAND CATALOGUE. The catalogue is the one place that says which shell
has which command and what does the same job elsewhere; the translator reads it for that.
These few facts are not in it yet (it describes the commands of the three shells, not the
language toolchains, and has no metadata on PowerShell parameters). They are data only, so
that folding them into the catalogue later changes no logic.
"""

from __future__ import annotations

# Programs the catalogue does not list that exist on Linux and Windows images alike with the
# same command line (toolchains install the same CLI on both). Users add their own in
# config: [tool.dflint.fix] commands = ["mytool"].
CROSS_PLATFORM_PROGRAMS = frozenset(
    {
        "bun",
        "bundle",
        "cargo",
        "cd",
        "cmake",
        "composer",
        "conda",
        "deno",
        "dotnet",
        "exit",
        "gem",
        "git",
        "go",
        "gofmt",
        "gradle",
        "jar",
        "java",
        "javac",
        "mvn",
        "ninja",
        "node",
        "npm",
        "npx",
        "php",
        "pip",
        "pnpm",
        "poetry",
        "python",
        "ruby",
        "rustc",
        "rustup",
        "uv",
        "yarn",
    }
)
# Linux program names that are spelled differently in the Windows images of the same tool
# (the python images for Windows have python.exe and pip.exe only).
WINDOWS_PROGRAM_NAMES: dict[str, str] = {"python3": "python", "pip3": "pip"}

# Names PowerShell aliases to a cmdlet with another job's options, even without options
# (``curl URL`` prints a response object; the program is curl.exe).
POWERSHELL_ALIAS_MISMATCH = frozenset({"curl", "wget"})

# PowerShell parameters that take a value (the next word); the rest are switches.
POWERSHELL_VALUE_PARAMETERS = frozenset(
    {"-itemtype", "-erroraction", "-value", "-filter", "-encoding", "-uri", "-outfile"}
)
# PowerShell parameters whose value is an operand (a path), in the order the forms list them.
POWERSHELL_PATH_PARAMETERS = ("-path", "-literalpath", "-destination")
