"""Jinja2 rendering: the built-in variant templates and users' own templates.

Templates are package data (``dflint/generate/templates``), one per OS family. The
environment uses ``StrictUndefined`` (a misspelt variable is an error, never an empty
string), keeps the trailing newline and does no HTML escaping. Jinja2 is imported here only,
so commands that render nothing never pay for it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dflint import lazyre
from dflint.core.platform import Platform
from dflint.errors import DflintError
from dflint.generate import commands, paths
from dflint.generate.paths import Untranslatable
from dflint.generate.shellsyntax import Dialect
from dflint.generate.translator import (
    POWERSHELL_SHELL,
    Plan,
    ShellChoice,
    platform_suffix,
    target_os,
)

if TYPE_CHECKING:
    import jinja2

_DIRECTIVE_LINE = lazyre.compile(r"#\s*(syntax|escape|check)\s*=", re.I)
DEFAULT_SHELLS: dict[Dialect, tuple[str, ...]] = {
    "sh": ("/bin/sh", "-c"),
    "cmd": ("cmd", "/S", "/C"),
    "powershell": POWERSHELL_SHELL,
}


class TemplateError(DflintError):
    """A template that cannot be loaded or rendered: the message says where and why."""


def exec_form(values: list[str] | tuple[str, ...]) -> str:
    """A JSON array as Dockerfiles write it (Jinja's tojson would escape ' and <)."""
    return "[" + ", ".join(json.dumps(value, ensure_ascii=False) for value in values) + "]"


def _environment(loader: jinja2.BaseLoader) -> jinja2.Environment:
    import jinja2

    environment = jinja2.Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["exec_form"] = exec_form
    return environment


def builtin_template(os_name: str) -> str:
    return f"{os_name}.Dockerfile.j2"


def _file_loader(folder: Path) -> jinja2.BaseLoader:
    """Templates (and what they include) read from ``folder`` through dflint's one way of
    opening files: a FIFO, a device or a huge file is an error, and a template that is not
    UTF-8 is one line with its position."""
    import jinja2
    from jinja2.loaders import split_template_path

    from dflint.errors import InputError
    from dflint.read.discovery import display_path
    from dflint.read.fileio import read_input
    from dflint.read.reader import byte_position

    class FileLoader(jinja2.BaseLoader):
        def get_source(
            self, environment: jinja2.Environment, name: str
        ) -> tuple[str, str, Callable[[], bool]]:
            path = folder.joinpath(*split_template_path(name))
            shown = display_path(path)
            try:
                data = read_input(path)
            except InputError as exc:
                if exc.message == "no such file or directory":
                    raise jinja2.TemplateNotFound(name) from None
                raise TemplateError(f"{shown}: {exc.message}") from None
            try:
                source = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                line, column = byte_position(data, exc.start)
                raise TemplateError(
                    f"{shown}:{line}:{column}: not UTF-8 (byte 0x{data[exc.start]:02x}); "
                    "save the template as UTF-8"
                ) from None
            return source, shown, lambda: False

    return FileLoader()


def render_plan(plan: Plan, header: str, template: Path | None = None) -> str:
    """The variant's text from its plan, through the built-in template or the user's."""
    import jinja2

    try:
        if template is None:
            environment = _environment(jinja2.PackageLoader("dflint.generate", "templates"))
            compiled = environment.get_template(builtin_template(plan.platform.os))
        else:
            environment = _environment(_file_loader(template.parent))
            compiled = environment.get_template(template.name)
        text = compiled.render(
            header=header,
            directives=plan.directives,
            escape=plan.escape,
            shell=list(plan.shell) if plan.shell else None,
            items=plan.items,
            source=plan.source,
            os=plan.platform.os,
            arch=plan.platform.architecture,
            variant=plan.platform.variant,
            platform=str(plan.platform),
        )
    except TemplateError:
        raise
    except Exception as exc:  # a template may raise anything: 1/0, a filter's error, ...
        raise TemplateError(_describe(exc, template)) from None
    return ensure_header(text, header)


def ensure_header(text: str, header: str) -> str:
    """The text with the generated-file header after its parser directives (once)."""
    if header in text:
        return text
    lines = text.splitlines(keepends=True)
    index = 0
    while index < len(lines) and _DIRECTIVE_LINE.match(lines[index].strip()):
        index += 1
    return "".join([*lines[:index], header + "\n", *lines[index:]])


def _describe(exc: Exception, template: Path | None) -> str:
    """One line: the template and line the error happened at, and what it was."""
    import jinja2

    from dflint.read.discovery import display_path

    where = display_path(template) if template is not None else "built-in template"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"{exc.filename or where}:{exc.lineno}: syntax error: {exc.message}"
    place = _template_line(exc)
    if place is not None:
        where = f"{place[0]}:{place[1]}"
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"{where}: template not found: {exc.name}"
    if isinstance(exc, RecursionError):
        return f"{where}: recursion too deep (a macro or include that calls itself?)"
    if isinstance(exc, jinja2.UndefinedError):
        return f"{where}: {exc.message}"
    message = str(exc).splitlines()[0] if str(exc) else ""
    return f"{where}: {type(exc).__name__}" + (f": {message}" if message else "")


def _template_line(exc: BaseException) -> tuple[str, int] | None:
    """The innermost template file and line in the traceback (Jinja2 rewrites tracebacks
    so that template code shows as frames of the template file)."""
    found: tuple[str, int] | None = None
    trace = exc.__traceback__
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if not filename.endswith(".py") and not filename.startswith("<"):
            found = (filename, trace.tb_lineno)
        trace = trace.tb_next
    return found


# --- dflint render: the user's own template, per platform ---------------------------------


@dataclass(slots=True)
class RenderContext:
    """What one platform's rendering of a user template sees, and what went wrong in it."""

    platform: Platform
    shell: ShellChoice | None
    path_map: dict[str, str] = field(default_factory=dict)
    programs: frozenset[str] = frozenset()
    problems: list[str] = field(default_factory=list)

    @property
    def dialect(self) -> Dialect:
        if self.platform.os == "linux":
            return "sh"
        return "powershell" if self.shell == "powershell" else "cmd"

    def variables(self) -> dict[str, Any]:
        return {
            "os": self.platform.os,
            "arch": self.platform.architecture,
            "variant": self.platform.variant,
            "platform": str(self.platform),
            "tag": platform_suffix(self.platform),
            "escape": "`" if self.platform.os == "windows" else "\\",
            "shell": list(DEFAULT_SHELLS[self.dialect]),
        }

    def filters(self) -> dict[str, Callable[..., str]]:
        return {
            "path": self.path,
            "var": self.var,
            "command": self.command,
            "exec_form": exec_form,
        }

    def path(self, value: str) -> str:
        """A Linux path (``/app``) as this platform writes it (``C:\\app``)."""
        try:
            return paths.translate(str(value), target_os(self.platform), self.path_map)
        except Untranslatable as exc:
            self.problems.append(exc.reason)
            return str(value)

    def var(self, name: str) -> str:
        """A reference to an environment variable in this platform's shell."""
        text = str(name)
        try:
            renamed = paths.variable_name(text, target_os(self.platform))
        except Untranslatable as exc:
            self.problems.append(exc.reason)
            renamed = text
        if self.dialect == "cmd":
            return f"%{renamed}%"
        if self.dialect == "powershell":
            return f"$env:{renamed}"
        return "${" + renamed + "}"

    def command(self, line: str) -> str:
        """A sh command line (``ls /app && uname -a``) in this platform's shell."""
        text = str(line)
        if self.dialect == "sh":
            return text
        context = commands.Context(
            "linux", "sh", target_os(self.platform), self.dialect, self.path_map, self.programs
        )
        try:
            return "".join(commands.translate_line(text, context))
        except Untranslatable as exc:
            self.problems.append(f"{text}: {exc.reason}")
            return text


def render_user_template(template: Path, context: RenderContext, header: str) -> str:

    environment = _environment(_file_loader(template.parent))
    environment.filters.update(context.filters())
    try:
        text = environment.get_template(template.name).render(header=header, **context.variables())
    except TemplateError:
        raise
    except Exception as exc:  # a template may raise anything: 1/0, a filter's error, ...
        raise TemplateError(_describe(exc, template)) from None
    return ensure_header(text, header)
