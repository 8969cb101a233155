"""dflint.analyse.shell: parsed views of RUN/CMD/ENTRYPOINT/HEALTHCHECK in every dialect."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import shared_path

from dflint.analyse.analysis import Analysis, analyze
from dflint.analyse.shell import Command, Script, ShellView, dialect_of, inline_script, shell_view
from dflint.analyse.shell.source import Piece, SourceMap
from dflint.read.model import Instruction
from dflint.read.parser import parse_text


def views(text: str, path: str = "Dockerfile") -> tuple[Analysis, list[Instruction]]:
    analysis = analyze(parse_text(text, path))
    return analysis, analysis.dockerfile.instructions


def view_of(text: str, index: int = -1, path: str = "Dockerfile") -> ShellView:
    analysis, instructions = views(text, path)
    return shell_view(analysis, instructions[index])


def command(view: ShellView, name: str) -> tuple[Script, Command]:
    for script, found in view.commands():
        if found.name == name:
            return script, found
    raise AssertionError(f"no command {name!r} in {[c.name for _, c in view.commands()]}")


def position(text: str, needle: str) -> tuple[int, int]:
    """(line, column), 1-based, of the first occurrence of needle in the file text."""
    for number, line in enumerate(text.splitlines(), 1):
        column = line.find(needle)
        if column >= 0:
            return number, column + 1
    raise AssertionError(needle)


# --- dialects ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shell", "dialect"),
    [
        (["/bin/sh", "-c"], "posix"),
        (["/bin/bash", "-o", "pipefail", "-c"], "posix"),
        (["busybox", "sh", "-c"], "posix"),
        (["/usr/bin/env", "bash", "-c"], "posix"),
        (["powershell", "-Command"], "powershell"),
        (["pwsh", "-c"], "powershell"),
        (["C:\\Windows\\System32\\cmd.EXE", "/S", "/C"], "cmd"),
        (["/usr/bin/python3", "-c"], None),
        ([], None),
    ],
)
def test_dialect_of_a_shell(shell: list[str], dialect: str | None) -> None:
    assert dialect_of(shell) == dialect


def test_the_shell_in_force_chooses_the_dialect() -> None:
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "RUN dir /B\n"
        'SHELL ["powershell", "-Command"]\n'
        "RUN Get-ChildItem\n"
        "FROM alpine\n"
        "RUN ls\n"
    )
    analysis, instructions = views(text)
    runs = [item for item in instructions if item.keyword == "RUN"]
    dialects = [shell_view(analysis, item).scripts[0].dialect for item in runs]
    assert dialects == ["cmd", "powershell", "posix"]
    assert [shell_view(analysis, item).scripts[0].interpreter for item in runs] == [
        "cmd",
        "powershell",
        "sh",
    ]


def test_only_shell_instructions_have_scripts() -> None:
    analysis, instructions = views("FROM alpine\nENV A=1\nHEALTHCHECK NONE\n")
    assert all(shell_view(analysis, item).empty for item in instructions)


# --- commands, words and spans ------------------------------------------------------------


def test_spans_follow_continuation_lines() -> None:
    text = "FROM debian\nRUN apt-get update && \\\n    apt-get install -y \\\n        curl\n"
    view = view_of(text)
    _, install = next(item for item in view.commands() if item[1].args[:1] == ["install"])
    assert install.name_span.line == 3
    assert install.name_span.column == 5
    curl = install.words[-1]
    assert curl.value == "curl"
    assert (curl.span.line, curl.span.column, curl.span.end_column) == (4, 9, 13)


def test_spans_with_a_backtick_escape() -> None:
    text = (
        "# escape=`\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n"
        "CMD echo a && `\n  dir /B\n"
    )
    _, found = command(view_of(text), "dir")
    assert (found.span.line, found.span.column) == (4, 3)


def test_quotes_are_removed_from_values_but_kept_in_text() -> None:
    view = view_of('FROM alpine\nRUN echo "a b" \'c\' d\\ e "$HOME/x"\n')
    _, echo = command(view, "echo")
    assert [word.value for word in echo.words] == ["a b", "c", "d e", "$HOME/x"]
    assert echo.words[0].text == '"a b"'


def test_env_prefix_assignments_belong_to_the_command() -> None:
    view = view_of("FROM golang\nRUN CGO_ENABLED=0 GOARCH=amd64 go build -o /x .\n")
    script, go = command(view, "go")
    assert [item.name for item in go.env] == ["CGO_ENABLED", "GOARCH"]
    assert all(item.exported for item in go.env)
    assert [item.name for item in script.assignments] == ["CGO_ENABLED", "GOARCH"]


def test_variables_and_assignments() -> None:
    view = view_of('FROM alpine\nRUN arch="$(apk --print-arch)"; echo ${arch} $HOME ${X:-d}\n')
    script = view.scripts[0]
    assert [ref.name for ref in script.variables] == ["arch", "HOME", "X"]
    assert script.assignments[0].name == "arch"
    assert script.assignments[0].value == '"$(apk --print-arch)"'
    # the command inside the substitution is a command too
    assert [item.name for item in script.commands] == ["apk", "echo"]


def test_single_quoted_text_is_literal() -> None:
    script = view_of("FROM alpine\nRUN echo '$HOME' \"$HOME\"\n").scripts[0]
    text = script.text
    assert script.is_literal(text.index("'$HOME'") + 1)
    assert not script.is_literal(text.index('"$HOME"') + 1)


# --- control structures -------------------------------------------------------------------


def test_case_branches_carry_what_they_test() -> None:
    text = (
        "FROM debian\n"
        'RUN arch="$(dpkg --print-architecture)"; \\\n'
        '    case "$arch" in \\\n'
        "      amd64|x86_64) curl -o a https://x/a-amd64 ;; \\\n"
        "      *) echo unsupported; exit 1 ;; \\\n"
        "    esac\n"
    )
    view = view_of(text)
    _, curl = command(view, "curl")
    [condition] = curl.conditions
    assert (condition.kind, condition.test, condition.pattern) == (
        "case",
        '"$arch"',
        "amd64|x86_64",
    )
    _, exit_ = command(view, "exit")
    assert exit_.conditions[0].pattern == "*"


def test_if_elif_else_branches() -> None:
    text = (
        "FROM debian\n"
        'RUN if [ "$(uname -m)" = x86_64 ]; then a; elif [ -f /x ]; then b; else c; fi\n'
    )
    view = view_of(text)
    kinds = {name: [(c.kind, c.test) for c in command(view, name)[1].conditions] for name in "abc"}
    assert kinds["a"] == [("if", '[ "$(uname -m)" = x86_64 ]')]
    assert kinds["b"] == [("else", '[ "$(uname -m)" = x86_64 ]'), ("if", "[ -f /x ]")]
    assert kinds["c"] == [("else", '[ "$(uname -m)" = x86_64 ] ; [ -f /x ]')]


def test_and_or_lists_guard_the_right_side() -> None:
    view = view_of('FROM alpine\nRUN [ "$a" = x ] && b || c\n')
    assert command(view, "b")[1].conditions[0].kind == "and"
    assert command(view, "c")[1].conditions[0].kind == "or"


def test_powershell_if_and_switch() -> None:
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        'SHELL ["powershell", "-Command"]\n'
        "RUN if ($env:PROCESSOR_ARCHITECTURE -eq 'AMD64') { Write-Host a } else { Write-Host b }; "
        "switch ($arch) { 'x64' { curl.exe -o f u } }\n"
    )
    view = view_of(text)
    hosts = [c for _, c in view.commands() if c.name == "Write-Host"]
    assert [c.conditions[0].kind for c in hosts] == ["if", "else"]
    assert "PROCESSOR_ARCHITECTURE" in hosts[0].conditions[0].test
    _, curl = command(view, "curl.exe")
    assert (curl.conditions[0].kind, curl.conditions[0].pattern) == ("switch", "x64")
    refs = view.scripts[0].variables
    assert ("PROCESSOR_ARCHITECTURE", "ps-env") in [(ref.name, ref.syntax) for ref in refs]


def test_cmd_operators_groups_and_if() -> None:
    text = (
        "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n"
        'RUN echo %PATH% && if exist C:\\x (echo yes) else (dir /B) & set "A=1" | more\n'
    )
    view = view_of(text)
    names = [c.name for _, c in view.commands()]
    assert names == ["echo", "echo", "dir", "set", "more"]
    _, dir_ = command(view, "dir")
    assert [c.kind for c in dir_.conditions][-1] == "else"
    script = view.scripts[0]
    assert [(ref.name, ref.syntax) for ref in script.variables] == [("PATH", "cmd")]
    assert [(item.name, item.value) for item in script.assignments] == [("A", "1")]


def test_cmd_keeps_dollar_references_for_rules() -> None:
    script = view_of(
        "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCMD app ${HOST} $env:X\n"
    ).scripts[0]
    assert [(ref.name, ref.syntax) for ref in script.variables] == [("HOST", "sh"), ("X", "ps-env")]


# --- heredocs, exec form, nested scripts ---------------------------------------------------


def test_heredoc_body_is_the_script() -> None:
    text = "FROM debian\nRUN <<EOF\napt-get update\n[[ -f x ]] && echo yes\nEOF\n"
    view = view_of(text)
    [script] = view.scripts
    assert script.origin == "heredoc <<EOF"
    _, apt = command(view, "apt-get")
    assert (apt.name_span.line, apt.name_span.column) == (3, 1)
    assert [feature.name for feature in script.features] == ["[[ … ]]"]


def test_heredoc_with_a_shebang_for_another_language_is_not_shell() -> None:
    text = "FROM python\nRUN <<EOF\n#!/usr/bin/env python3\nimport os\nEOF\n"
    assert view_of(text).empty


def test_heredoc_fed_to_a_program_is_data() -> None:
    text = "FROM debian\nRUN cat <<EOF > /etc/x && echo done\nrm -rf /\nEOF\n"
    names = [c.name for _, c in view_of(text).commands()]
    assert names == ["cat", "echo"]


def test_heredoc_fed_to_a_shell_is_a_script() -> None:
    text = "FROM debian\nRUN bash -e <<EOF\nsource /etc/profile\nEOF\n"
    view = view_of(text)
    assert [s.interpreter for s in view.scripts] == ["sh", "bash"]
    _, source = command(view, "source")
    assert source.name_span.line == 3


def test_exec_form_is_one_command_with_mapped_words() -> None:
    text = 'FROM alpine\nCMD ["/usr/bin/app", "--flag", "x\\u0041"]\n'
    view = view_of(text)
    [script] = view.scripts
    assert script.dialect == "exec"
    [found] = script.commands
    assert found.name == "/usr/bin/app"
    assert found.args == ["--flag", "xA"]
    assert found.words[1].span.column == text.splitlines()[1].index("x\\u") + 1


def test_exec_form_shell_strings_are_parsed() -> None:
    text = 'FROM alpine\nCMD ["sh", "-ec", "uname -a && dir /B"]\n'
    view = view_of(text)
    assert [s.dialect for s in view.scripts] == ["exec", "posix"]
    _, dir_ = command(view, "dir")
    assert (dir_.name_span.line, dir_.name_span.column) == position(text, "dir /B")


@pytest.mark.parametrize(
    ("program", "args", "dialect", "script"),
    [
        ("sh", ["-c", "echo hi"], "posix", "echo hi"),
        ("bash", ["-o", "pipefail", "-ec", "x"], "posix", "x"),
        ("bash", ["script.sh"], None, None),
        ("powershell", ["-NoProfile", "-Command", "Get-Item", "x"], "powershell", "Get-Item x"),
        ("powershell", ["-ExecutionPolicy", "Bypass", "Get-Item"], "powershell", "Get-Item"),
        ("pwsh", ["-File", "x.ps1"], None, None),
        ("pwsh", ["x.ps1"], None, None),
        ("cmd", ["/S", "/C", '"dir /B"'], "cmd", "dir /B"),
        ("cmd", ["/c", "dir"], "cmd", "dir"),
        ("busybox", ["sh", "-c", "ls"], "posix", "ls"),
    ],
)
def test_inline_scripts(
    program: str, args: list[str], dialect: str | None, script: str | None
) -> None:
    source = SourceMap()
    source.add(0, 1, 1)
    found = inline_script(program, [Piece(arg, source) for arg in args])
    if dialect is None:
        assert found is None
    else:
        assert found is not None
        assert (found[0], found[1].text) == (dialect, script)


def test_powershell_inside_cmd_is_powershell() -> None:
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "RUN powershell -Command \"$ErrorActionPreference = 'Stop'; "
        'Invoke-WebRequest https://x/%V%/a.zip -OutFile a.zip" && echo done\n'
    )
    view = view_of(text)
    assert [s.dialect for s in view.scripts] == ["cmd", "powershell"]
    outer, nested = view.scripts
    assert nested.parent is outer
    # the cmd line's own references: %V% yes (cmd expands it first), $-syntax not
    assert [(ref.name, ref.syntax) for ref in outer.variables] == [("V", "cmd")]
    _, iwr = command(view, "Invoke-WebRequest")
    assert (iwr.name_span.line, iwr.name_span.column) == position(text, "Invoke-WebRequest")


def test_sh_c_inside_a_script_is_parsed_with_its_own_spans() -> None:
    text = "FROM debian\nRUN su app -s /bin/sh -c true && bash -c 'source /x; echo \"$HOME\"'\n"
    view = view_of(text)
    nested = [s for s in view.scripts if s.parent is not None]
    assert [s.interpreter for s in nested] == ["bash"]
    _, source = command(view, "source")
    assert (source.name_span.line, source.name_span.column) == position(text, "source")


def test_healthcheck_cmd() -> None:
    view = view_of("FROM alpine\nHEALTHCHECK --interval=5s CMD wget -q -O- http://x || exit 1\n")
    assert [c.name for _, c in view.commands()] == ["wget", "exit"]
    view = view_of('FROM alpine\nHEALTHCHECK CMD ["curl", "-f", "http://x"]\n')
    assert [c.name for _, c in view.commands()] == ["curl"]


def test_one_parse_per_instruction() -> None:
    analysis, instructions = views("FROM alpine\nRUN echo hi\n")
    assert shell_view(analysis, instructions[1]) is shell_view(analysis, instructions[1])


# --- robustness --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        'RUN echo "unterminated',
        "RUN case x in",
        "RUN $(((",
        "RUN if then fi fi",
        "RUN ((((((((((",
        'CMD ["sh", "-c"]',
        'CMD ["sh", "-c", "echo \\"a"]',
        "RUN ｅｃｈｏ ünïcödé && echo 🐳 $X",
        'RUN powershell -Command "if ((( {"',
        "RUN cmd /c ((( ^",
    ],
)
def test_broken_shell_text_never_raises(line: str) -> None:
    for base in ("alpine", "mcr.microsoft.com/windows/servercore:ltsc2022"):
        analysis, instructions = views(f"FROM {base}\n{line}\n")
        view = shell_view(analysis, instructions[-1])
        for script, found in view.commands():
            assert found.span.line >= 1
            assert script.text is not None


def test_unicode_offsets_map_to_characters() -> None:
    text = "FROM alpine\nRUN echo 'ünï' && uname -a\n"
    _, uname = command(view_of(text), "uname")
    assert (uname.name_span.line, uname.name_span.column) == position(text, "uname")


def test_tree_sitter_is_imported_only_when_a_script_is_parsed() -> None:
    code = (
        "import sys\n"
        "from dflint.lint.engine import Options, lint_bytes\n"
        "lint_bytes(b'FROM alpine\\nENV A=1\\n', 'Dockerfile', Options(no_config=True))\n"
        "print(any(name.startswith('tree_sitter') for name in sys.modules))\n"
    )
    assert python_prints(code).strip() == "False"


def test_tree_sitter_imported_after_a_parse_is_the_binding_dflint_loaded() -> None:
    # dflint loads tree-sitter's compiled module without its package (dflint.analyse.shell._ts):
    # a later `import tree_sitter` (a test, another library) must get the same types
    code = (
        "from dflint.analyse.shell import _ts\n"
        "tree = _ts.parser('bash').parse(b'echo hi')\n"
        "import tree_sitter\n"
        "print(type(tree.root_node) is tree_sitter.Node, type(tree) is tree_sitter.Tree)\n"
        "print(tree_sitter.Parser(tree_sitter.Language(__import__('tree_sitter_bash')"
        ".language())).parse(b'ls').root_node.type)\n"
    )
    assert python_prints(code).split() == ["True", "True", "program"]


def python_prints(code: str) -> str:
    """What ``code`` prints, run in a fresh interpreter (what it imports is its own)."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout


def test_every_shell_instruction_of_the_real_corpus_parses() -> None:
    real = shared_path("corpus", "real")
    from dflint.read.parser import parse_bytes

    count = 0
    for path in sorted(real.glob("*/*")):
        try:
            dockerfile = parse_bytes(path.read_bytes(), path.name)
        except Exception:
            continue  # unrendered templates
        analysis = analyze(dockerfile)
        for instruction in dockerfile.instructions:
            for _script, found in shell_view(analysis, instruction).commands():
                span = found.name_span
                line = dockerfile.lines[span.line - 1]
                name = found.name
                written = line[span.column - 1 : span.end_column - 1]
                if span.line != span.end_line or any(c in written for c in "\"'\\^`$"):
                    continue  # quoting or escapes between the text and the value
                # the name sits exactly where its span says
                assert written == name, (path.name, span, name)
                count += 1
    assert count > 9000


def test_a_script_read_again_elsewhere_points_at_its_own_lines() -> None:
    # Scripts already read are kept by text; read again at other lines they are moved
    # there, and read again at the very same lines (a twin file) they share what was found.
    from dflint.analyse.shell.view import forget_scripts

    forget_scripts()  # the first read below is a parse, whatever ran before
    script = 'case "$(uname -m)" in x86_64) a=amd64 ;; esac && curl -o /x https://e.com/y'
    first = view_of(f"FROM alpine\nRUN {script}\n", path="a/Dockerfile")
    twin = view_of(f"FROM alpine\nRUN {script}\n", path="b/Dockerfile")
    moved = view_of(f"FROM alpine\n\n\nRUN {script}\n", path="c/Dockerfile")
    spans = [
        [(found.name_span.line, found.name_span.column) for _, found in view.commands()]
        for view in (first, twin, moved)
    ]
    assert spans[0] == spans[1] == [(2, 13), (2, 54)]  # uname, curl
    assert spans[2] == [(4, 13), (4, 54)]
    [one], [two], [three] = (view.scripts for view in (first, twin, moved))
    assert one is not two and one.commands[1] is two.commands[1]  # shared, being in place
    assert three.commands[1] is not one.commands[1]
    # a moved script keeps its own objects shared where they were: the arm's condition
    assert three.assignments[0].conditions[0] is three.choices[0].arms[0].condition
