"""The ``dflint fix`` and ``dflint render`` commands, registered on the main Typer app.

Only option parsing lives here; the work is in :mod:`dflint.generate.run`, imported when a
command runs, so that ``dflint --help`` and ``dflint lint`` never load Jinja2 or the
translator.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from dflint.app.options import (
    ConfigOption,
    IgnoreOption,
    NoConfigOption,
    OfflineOption,
    SelectOption,
)

if TYPE_CHECKING:
    from dflint.generate.translator import Platform


class TargetOSChoice(StrEnum):
    linux = "linux"
    windows = "windows"


class ShellOption(StrEnum):
    cmd = "cmd"
    powershell = "powershell"


def _split(values: list[str] | None) -> list[str]:
    items: list[str] = []
    for value in values or []:
        items += [part.strip() for part in value.split(",") if part.strip()]
    return items


def _fail(message: str) -> typer.Exit:
    _echo_err(f"dflint: error: {message}")
    return typer.Exit(2)


def _platforms(values: list[str] | None) -> tuple[Platform, ...]:
    from dflint.core.platform import PlatformError, check_target
    from dflint.generate.translator import Platform

    found: list[Platform] = []
    for item in _split(values):
        try:
            platform = Platform.parse(check_target(item))
        except (PlatformError, ValueError) as exc:
            raise _fail(f"--platforms: {exc}") from None
        if platform.os == "windows" and platform.arch != "amd64":
            raise _fail(f"--platforms: {item}: Windows container images are amd64 only")
        if platform not in found:
            found.append(platform)
    return tuple(found)


def _check_codes(selected: tuple[str, ...], ignored: tuple[str, ...]) -> None:
    from dflint.app.options import code_problem

    problem = code_problem(selected, "--select") or code_problem(ignored, "--ignore")
    if problem is not None:
        raise _fail(problem)


def _echo(text: str) -> None:
    """stdout: ``Fixing <path>`` lines and diffs (bytes that are not UTF-8 as ``\\xNN``)."""
    from dflint.read.fileio import escape_surrogates, write_stdout

    write_stdout(escape_surrogates(text) + "\n")


def _echo_err(text: str) -> None:
    from dflint.read.fileio import printable_name

    typer.echo(printable_name(text), err=True)


def register(app: typer.Typer) -> None:
    """Add ``fix`` and ``render`` to ``app``."""

    @app.command()
    def fix(
        files: Annotated[
            list[Path], typer.Argument(help="The Dockerfiles to fix.", readable=False)
        ],
        os_name: Annotated[
            Optional[TargetOSChoice],  # noqa: UP045 - typer needs Optional on 3.11
            typer.Option("--os", help="Write the variant for this OS: Dockerfile.windows/.linux."),
        ] = None,
        from_os: Annotated[
            Optional[TargetOSChoice],  # noqa: UP045
            typer.Option(
                "--from-os",
                help="The OS the file is written for, where its content does not say.",
            ),
        ] = None,
        platforms: Annotated[
            Optional[list[str]],  # noqa: UP045
            typer.Option(
                "--platforms",
                help="Write one file per platform (Dockerfile.linux-amd64, ...) with "
                "docker-bake.hcl and manifest.sh; with --multiarch, the target platforms.",
            ),
        ] = None,
        multiarch: Annotated[
            bool,
            typer.Option("--multiarch", help="Apply the findings' fixes to the file itself."),
        ] = False,
        shell: Annotated[
            Optional[ShellOption],  # noqa: UP045
            typer.Option("--shell", help="The Windows shell to translate commands to."),
        ] = None,
        template: Annotated[
            Optional[Path],  # noqa: UP045
            typer.Option(
                "--template",
                help="Render variants through this Jinja2 template.",
                readable=False,
            ),
        ] = None,
        output_dir: Annotated[
            Optional[Path],  # noqa: UP045
            typer.Option(
                "--output-dir",
                help="Write variants here (default: next to FILE).",
                readable=False,
            ),
        ] = None,
        image: Annotated[
            Optional[str],  # noqa: UP045
            typer.Option("--image", help="Image name in docker-bake.hcl and manifest.sh."),
        ] = None,
        diff: Annotated[
            bool, typer.Option("--diff", help="Show what would change; write nothing.")
        ] = False,
        check: Annotated[
            bool,
            typer.Option(
                "--check", help="Write nothing; exit 1 when a variant is missing or out of date."
            ),
        ] = False,
        write: Annotated[
            bool,
            typer.Option("--write", help="Overwrite the file being fixed and earlier variants."),
        ] = False,
        force: Annotated[
            bool,
            typer.Option("--force", help="Also overwrite files dflint did not generate."),
        ] = False,
        unsafe_fixes: Annotated[
            bool, typer.Option("--unsafe-fixes", help="Also apply fixes marked unsafe.")
        ] = False,
        select: SelectOption = None,
        ignore: IgnoreOption = None,
        config: ConfigOption = None,
        no_config: NoConfigOption = False,
        offline: OfflineOption = False,
    ) -> None:
        """Write per-OS or per-platform variants, or fix one file for every architecture.

        Variants (--os, --platforms): exit 0 written and complete; 1 written, with untranslated
        lines (listed); 2 an error. --check: exit 1 when a variant is missing or out of date.
        --multiarch: exit 0 nothing to change; 1 a file changed or would change; 2 an error.
        Prints `Fixing <path>` for every file written.
        """
        from dflint.generate.publish import image_problem
        from dflint.generate.run import Request, run_fix
        from dflint.lint.engine import Options
        from dflint.read.discovery import display_path

        selected = tuple(code.upper() for code in _split(select))
        ignored = tuple(code.upper() for code in _split(ignore))
        _check_codes(selected, ignored)
        modes = [bool(os_name), bool(platforms) and not multiarch, multiarch]
        if sum(modes) != 1:
            raise _fail("choose one of --os, --platforms and --multiarch")
        if multiarch and (template or shell or output_dir or from_os or check):
            raise _fail(
                "--template, --shell, --output-dir, --from-os and --check make variants, "
                "not --multiarch"
            )
        if check and (write or force or diff):
            raise _fail("--check writes nothing: it goes without --write, --force and --diff")
        problem = image_problem(image) if image is not None else None
        if problem is not None:
            raise _fail(f"--image: {problem}")
        if template is not None:
            from dflint.read.fileio import check_input

            problem = check_input(template)
            if problem is not None:
                raise _fail(f"--template: {template}: {problem}")
        targets = _platforms(platforms)
        options = Options(
            platforms=tuple(p.text for p in targets) if multiarch else (),
            select=selected,
            ignore=ignored,
            config_path=config,
            no_config=no_config,
            offline=offline,
        )
        request = Request(
            paths=[(path, display_path(path)) for path in files],
            os=os_name.value if os_name else None,
            from_os=from_os.value if from_os else None,
            platforms=() if multiarch else targets,
            multiarch=multiarch,
            shell=shell.value if shell else None,
            template=template,
            output_dir=output_dir,
            image=image,
            diff=diff,
            write=write,
            force=force,
            unsafe=unsafe_fixes,
            check=check,
            options=options,
        )
        sys.stdout.flush()
        raise typer.Exit(run_fix(request, _echo, _echo_err))

    @app.command()
    def render(
        template: Annotated[
            Path, typer.Argument(help="A Jinja2 template of a Dockerfile.", readable=False)
        ],
        platforms: Annotated[
            list[str],
            typer.Option("--platforms", help="Render for these, e.g. linux/amd64,windows/amd64."),
        ],
        shell: Annotated[
            Optional[ShellOption],  # noqa: UP045
            typer.Option("--shell", help="The Windows shell the command filter writes for."),
        ] = None,
        output_dir: Annotated[
            Optional[Path],  # noqa: UP045
            typer.Option(
                "--output-dir",
                help="Write the files here (default: the template's).",
                readable=False,
            ),
        ] = None,
        diff: Annotated[
            bool, typer.Option("--diff", help="Show what would change; write nothing.")
        ] = False,
        write: Annotated[
            bool, typer.Option("--write", help="Overwrite files rendered before.")
        ] = False,
        force: Annotated[
            bool, typer.Option("--force", help="Also overwrite files dflint did not render.")
        ] = False,
        select: SelectOption = None,
        ignore: IgnoreOption = None,
        config: ConfigOption = None,
        no_config: NoConfigOption = False,
        offline: OfflineOption = False,
    ) -> None:
        """Render a Dockerfile template for each platform and lint each result.

        The template sees os, arch, variant, platform, tag, escape and shell, and the filters
        path, var, command and exec_form. Exit codes as for `dflint fix`.
        """
        from dflint.generate.run import RenderRequest, run_render
        from dflint.lint.engine import Options
        from dflint.read.discovery import display_path

        selected = tuple(code.upper() for code in _split(select))
        ignored = tuple(code.upper() for code in _split(ignore))
        _check_codes(selected, ignored)
        targets = _platforms(platforms)
        if not targets:
            raise _fail("--platforms: name at least one platform")
        request = RenderRequest(
            template=template,
            shown=display_path(template),
            platforms=targets,
            shell=shell.value if shell else None,
            output_dir=output_dir,
            diff=diff,
            write=write,
            force=force,
            options=Options(
                select=selected,
                ignore=ignored,
                config_path=config,
                no_config=no_config,
                offline=offline,
            ),
        )
        raise typer.Exit(run_render(request, _echo, _echo_err))
