"""dflint's build: the package as pyproject.toml describes it, with the modules that every
linted file goes through compiled to C by mypyc (as black and mypy ship theirs).

Reading a Dockerfile, analysing it and reading its shell scripts is Python code run for each
file; compiled, a lint of the real corpus takes about 15% less CPU (BENCHMARKS.md, issue 16).
Each compiled module keeps its ``.py`` beside it, and Python loads the extension first. The
modules are type-checked as they are compiled, so mypyc runs with its own plain settings
(dflint's dependencies are not in the build environment, and are typed as ``Any``).

Where mypyc or a C compiler is missing, or compiling fails, the build goes on without the
compiled modules: the same program, slower. Editable installs (``pip install -e .``, the
tests' and contributors' install) are never compiled, so that an edit to a module takes
effect at once; ``DFLINT_PURE_PYTHON=1`` leaves any build uncompiled.
"""

from __future__ import annotations

import os
from importlib.machinery import EXTENSION_SUFFIXES
from typing import Any

from setuptools import Distribution, setup
from setuptools.command.build_ext import build_ext

ENV_PURE = "DFLINT_PURE_PYTHON"

# The modules a lint spends its time in (profiles in BENCHMARKS.md): the reader, the
# analysis, the shell readers and the architecture searches. The rules stay Python: they
# are what contributors edit, and what the mutation runs change.
COMPILED = (
    "dflint/read/reader.py",
    "dflint/read/lineparse.py",
    "dflint/read/instructions.py",
    "dflint/read/model.py",
    "dflint/analyse/analysis.py",
    "dflint/analyse/arch.py",
    "dflint/analyse/archdispatch.py",
    "dflint/analyse/oscommands.py",
    "dflint/analyse/shell/_ts.py",
    "dflint/analyse/shell/cmd.py",
    "dflint/analyse/shell/model.py",
    "dflint/analyse/shell/posix.py",
    "dflint/analyse/shell/powershell.py",
    "dflint/analyse/shell/source.py",
    "dflint/analyse/shell/view.py",
    "dflint/lint/archsites.py",
)


class _Distribution(Distribution):
    def has_ext_modules(self) -> bool:
        # The extensions are made by build_ext (below) when it runs; a wheel that may hold
        # them is tagged for this Python and platform.
        return not os.environ.get(ENV_PURE)


class _BuildExt(build_ext):
    def finalize_options(self) -> None:
        self.set_undefined_options("build", ("build_temp", "build_temp"))
        if self._compiles():
            self.distribution.ext_modules = _compiled_modules(self.build_temp)
        super().finalize_options()

    def _compiles(self) -> bool:
        editable = getattr(self, "editable_mode", False) or self.inplace
        return not editable and not os.environ.get(ENV_PURE)

    def run(self) -> None:
        self._remove_compiled()
        if not self._compiles():
            return
        try:
            super().run()
        except Exception as exc:  # a compiler that is missing or fails
            self._remove_compiled()
            self.warn(f"dflint: installing without compiled modules ({exc})")

    def _remove_compiled(self) -> None:
        # The program must be all Python or have all its compiled parts, never some: after a
        # failed build, and before any build, as pip builds in the source folder, whose
        # build/ keeps what an earlier build compiled (copied into this wheel, a module no
        # longer compiled, or one from another build of mypyc's library, fails to import).
        suffixes = tuple(EXTENSION_SUFFIXES)
        for folder, _, names in os.walk(os.path.join(self.build_lib, "dflint")):
            for name in names:
                if name.endswith(suffixes):
                    os.remove(os.path.join(folder, name))
        if os.path.isdir(self.build_lib):
            for name in os.listdir(self.build_lib):
                if name.startswith("dflint__mypyc") and name.endswith(suffixes):
                    os.remove(os.path.join(self.build_lib, name))


def _compiled_modules(build_temp: str) -> list[Any]:
    """mypyc's extensions for the modules of COMPILED; none when mypyc is missing or
    cannot compile them (it exits on an error it reports)."""
    try:
        from mypyc.build import mypycify

        return list(
            mypycify(
                # mypyc's own settings, not the repository's strict ones (see above)
                ["--config-file=", "--ignore-missing-imports", *COMPILED],
                opt_level="3",
                debug_level="0",
                group_name="dflint",
                target_dir=os.path.join(build_temp, "mypyc"),
            )
        )
    except (Exception, SystemExit) as exc:
        print(f"dflint: installing without compiled modules ({exc or type(exc).__name__})")
        return []


setup(distclass=_Distribution, cmdclass={"build_ext": _BuildExt})
