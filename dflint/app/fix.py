"""The ``dflint fix`` and ``dflint render`` commands: their options, and the checks of them.

Only option parsing lives here; the work is in :mod:`dflint.generate.run`, imported when a
command runs, so that ``dflint --help`` and ``dflint lint`` never load Jinja2 or the
translator (and ``dflint lint`` never imports this module: :mod:`dflint.app.main` builds a
command's parser only when that command runs).
"""

from __future__ import annotations

import sys
from argparse import Namespace
from pathlib import Path
from typing import TYPE_CHECKING

from dflint.app.options import (
    Choice,
    Parser,
    add_config,
    add_registry,
    add_rule_selection,
    split,
)

if TYPE_CHECKING:
    from dflint.core.platform import Platform


class _Refused(Exception):
    """A combination of options that cannot run: one line, exit 2."""


def _platforms(values: list[str] | None) -> tuple[Platform, ...]:
    from dflint.core.platform import Platform, PlatformError, check_target

    found: list[Platform] = []
    for item in split(values):
        try:
            platform = Platform.parse(check_target(item))
        except (PlatformError, ValueError) as exc:
            raise _Refused(f"--platforms: {exc}") from None
        if platform.os == "windows" and platform.architecture != "amd64":
            raise _Refused(f"--platforms: {item}: Windows container images are amd64 only")
        if platform not in found:
            found.append(platform)
    return tuple(found)


def _codes(args: Namespace) -> tuple[tuple[str, ...], tuple[str, ...]]:
    from dflint.app.options import code_problem

    selected = tuple(code.upper() for code in split(args.select))
    ignored = tuple(code.upper() for code in split(args.ignore))
    problem = code_problem(selected, "--select") or code_problem(ignored, "--ignore")
    if problem is not None:
        raise _Refused(problem)
    return selected, ignored


def _insecure(args: Namespace) -> tuple[str, ...]:
    from dflint.errors import ConfigError
    from dflint.settings.registry import parse_insecure

    values = split(args.insecure_registry)
    try:
        return parse_insecure(list(values), "--insecure-registry", None) if values else ()
    except ConfigError as exc:
        raise _Refused(str(exc)) from None


def _echo(text: str) -> None:
    """stdout: ``Fixing <path>`` lines and diffs (bytes that are not UTF-8 as ``\\xNN``)."""
    from dflint.read.fileio import escape_surrogates, write_stdout

    write_stdout(escape_surrogates(text) + "\n")


def _echo_err(text: str) -> None:
    from dflint.read.fileio import printable_name

    sys.stderr.write(printable_name(text) + "\n")
    sys.stderr.flush()


def _refused(exc: _Refused) -> int:
    _echo_err(f"dflint: error: {exc}")
    return 2


# --- fix ------------------------------------------------------------------------------------------


def fix_parser(prog: str) -> Parser:
    parser = Parser(
        prog,
        "Write per-OS or per-platform variants, or fix one file for every architecture.\n\n"
        "Variants (--os, --platforms): exit 0 written and complete; 1 written, with untranslated\n"
        "lines (listed); 2 an error. --check: exit 1 when a variant is missing or out of date.\n"
        "--multiarch: exit 0 nothing to change; 1 a file changed or would change; 2 an error.\n"
        "Prints `Fixing <path>` for every file written.",
    )
    parser.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="The Dockerfiles to fix."
    )
    parser.add_argument(
        "--os", dest="os_name", type=Choice("linux", "windows"), metavar="OS",
        help="Write the variant for this OS (linux or windows): Dockerfile.windows/.linux.",
    )  # fmt: skip
    parser.add_argument(
        "--from-os", type=Choice("linux", "windows"), metavar="OS",
        help="The OS the file is written for, where its content does not say.",
    )  # fmt: skip
    parser.add_argument(
        "--platforms",
        action="append",
        metavar="PLATFORMS",
        help="Write one file per platform (Dockerfile.linux-amd64, ...) with "
        "docker-bake.hcl and manifest.sh; with --multiarch, the target platforms.",
    )
    parser.add_argument(
        "--multiarch", action="store_true", help="Apply the findings' fixes to the file itself."
    )
    parser.add_argument(
        "--shell", type=Choice("cmd", "powershell"), metavar="SHELL",
        help="The Windows shell to translate commands to: cmd or powershell.",
    )  # fmt: skip
    parser.add_argument(
        "--template", type=Path, metavar="FILE",
        help="Render variants through this Jinja2 template.",
    )  # fmt: skip
    parser.add_argument(
        "--output-dir", type=Path, metavar="DIR",
        help="Write variants here (default: next to FILE).",
    )  # fmt: skip
    parser.add_argument(
        "--image", metavar="IMAGE", help="Image name in docker-bake.hcl and manifest.sh."
    )
    parser.add_argument(
        "--diff", action="store_true", help="Show what would change; write nothing."
    )
    parser.add_argument(
        "--check", action="store_true",
        help="Write nothing; exit 1 when a variant is missing or out of date.",
    )  # fmt: skip
    parser.add_argument(
        "--write", action="store_true",
        help="Overwrite the file being fixed and earlier variants.",
    )  # fmt: skip
    parser.add_argument(
        "--force", action="store_true", help="Also overwrite files dflint did not generate."
    )
    parser.add_argument(
        "--unsafe-fixes", action="store_true", help="Also apply fixes marked unsafe."
    )
    add_rule_selection(parser)
    add_config(parser)
    add_registry(parser)
    return parser


def fix_command(args: Namespace) -> int:
    try:
        return _fix(args)
    except _Refused as exc:
        return _refused(exc)


def _fix(args: Namespace) -> int:
    from dflint.generate.publish import image_problem
    from dflint.generate.run import Request, run_fix
    from dflint.lint.options import Options
    from dflint.read.discovery import display_path

    selected, ignored = _codes(args)
    multiarch = args.multiarch
    platforms = args.platforms
    modes = [bool(args.os_name), bool(platforms) and not multiarch, multiarch]
    if sum(modes) != 1:
        raise _Refused("choose one of --os, --platforms and --multiarch")
    if multiarch and (args.template or args.shell or args.output_dir or args.from_os or args.check):
        raise _Refused(
            "--template, --shell, --output-dir, --from-os and --check make variants, "
            "not --multiarch"
        )
    if args.check and (args.write or args.force or args.diff):
        raise _Refused("--check writes nothing: it goes without --write, --force and --diff")
    problem = image_problem(args.image) if args.image is not None else None
    if problem is not None:
        raise _Refused(f"--image: {problem}")
    if args.template is not None:
        from dflint.read.fileio import check_input

        problem = check_input(args.template)
        if problem is not None:
            raise _Refused(f"--template: {args.template}: {problem}")
    targets = _platforms(platforms)
    options = Options(
        platforms=tuple(str(p) for p in targets) if multiarch else (),
        select=selected,
        ignore=ignored,
        config_path=args.config,
        no_config=args.no_config,
        offline=args.offline,
        insecure_registries=_insecure(args),
        registry_budget=args.registry_budget,
    )
    request = Request(
        paths=[(path, display_path(path)) for path in args.files],
        os=args.os_name,
        from_os=args.from_os,
        platforms=() if multiarch else targets,
        multiarch=multiarch,
        shell=args.shell,
        template=args.template,
        output_dir=args.output_dir,
        image=args.image,
        diff=args.diff,
        write=args.write,
        force=args.force,
        unsafe=args.unsafe_fixes,
        check=args.check,
        options=options,
    )
    sys.stdout.flush()
    return run_fix(request, _echo, _echo_err)


# --- render ---------------------------------------------------------------------------------------


def render_parser(prog: str) -> Parser:
    parser = Parser(
        prog,
        "Render a Dockerfile template for each platform and lint each result.\n\n"
        "The template sees os, arch, variant, platform, tag, escape and shell, and the filters\n"
        "path, var, command and exec_form. Exit codes as for `dflint fix`.",
    )
    parser.add_argument(
        "template", type=Path, metavar="TEMPLATE", help="A Jinja2 template of a Dockerfile."
    )
    parser.add_argument(
        "--platforms",
        action="append",
        required=True,
        metavar="PLATFORMS",
        help="Render for these, e.g. linux/amd64,windows/amd64.",
    )
    parser.add_argument(
        "--shell", type=Choice("cmd", "powershell"), metavar="SHELL",
        help="The Windows shell the command filter writes for: cmd or powershell.",
    )  # fmt: skip
    parser.add_argument(
        "--output-dir", type=Path, metavar="DIR",
        help="Write the files here (default: the template's).",
    )  # fmt: skip
    parser.add_argument(
        "--diff", action="store_true", help="Show what would change; write nothing."
    )
    parser.add_argument("--write", action="store_true", help="Overwrite files rendered before.")
    parser.add_argument(
        "--force", action="store_true", help="Also overwrite files dflint did not render."
    )
    add_rule_selection(parser)
    add_config(parser)
    add_registry(parser)
    return parser


def render_command(args: Namespace) -> int:
    try:
        return _render(args)
    except _Refused as exc:
        return _refused(exc)


def _render(args: Namespace) -> int:
    from dflint.generate.run import RenderRequest, run_render
    from dflint.lint.options import Options
    from dflint.read.discovery import display_path

    selected, ignored = _codes(args)
    targets = _platforms(args.platforms)
    if not targets:
        raise _Refused("--platforms: name at least one platform")
    request = RenderRequest(
        template=args.template,
        shown=display_path(args.template),
        platforms=targets,
        shell=args.shell,
        output_dir=args.output_dir,
        diff=args.diff,
        write=args.write,
        force=args.force,
        options=Options(
            select=selected,
            ignore=ignored,
            config_path=args.config,
            no_config=args.no_config,
            offline=args.offline,
            insecure_registries=_insecure(args),
            registry_budget=args.registry_budget,
        ),
    )
    return run_render(request, _echo, _echo_err)
