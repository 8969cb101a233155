"""What a parsed Dockerfile means: stages, scopes, shells, commands and architectures.

``analysis``      stages, ARG/ENV scope, BuildKit's word expansion, each stage's OS
``shell``         the shell views of RUN/CMD/ENTRYPOINT (sh, PowerShell, cmd), parsed once
``catalogue``     the command catalogue: what each command is, per OS, and its translations
``oscommands``    commands of the other OS, found in a stage's scripts
``arch``          architecture literals, pins and per-architecture files
``archdispatch``  dispatches on the architecture (case/if over uname -m, dpkg, TARGETARCH)
``targets``       the platforms a file is built for, and where that came from
``fromline``      the FROM line's flags, as BuildKit validates them
``winbuild``      Windows build numbers and their names
"""
