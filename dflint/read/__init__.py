"""Bytes to a Dockerfile tree, exactly as BuildKit reads them.

``fileio``        the one way in: regular files, stdin, size and encoding checks; atomic writes
``discovery``     which files are Dockerfiles (shared with the pre-commit hooks)
``reader``        physical lines, directives, escape character, line continuations, heredocs
``lineparse``     words, quotes and flags of one instruction line
``instructions``  BuildKit's per-instruction parsing and validation
``model``         the tree: directives, comments, instructions and stages, with source spans
``parser``        reader + instructions → model
"""
