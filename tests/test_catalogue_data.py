"""dflint/analyse/catalogue.json: the command catalogue's data file, checked by its loader.

The shipped file must load; a broken copy must fail with one line that names the file and
the entry (and the key) at fault; the file is read at the first question, once, never at import.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dflint.analyse import catalogue

Data = dict[str, Any]


def _shipped() -> Data:
    with open(catalogue.DATA_FILE, encoding="utf-8") as stream:
        data: Data = json.load(stream)
    return data


def _command(data: Data, name: str) -> Data:
    found: Data = next(item for item in data["commands"] if item["name"] == name)
    return found


def _translation(data: Data, key: str) -> Data:
    found: Data = next(item for item in data["translations"] if item["key"] == key)
    return found


def test_the_shipped_file_loads_with_every_table_filled() -> None:
    loaded = catalogue.load()
    assert len(loaded.entries) > 150 and len(loaded.translations) > 20
    for table in dataclasses.fields(loaded):
        assert getattr(loaded, table.name), f"table {table.name} is empty"
    # dflint reads its own file without the check: the same tables, to the last regex
    assert catalogue.load(check=False) == loaded
    assert catalogue.tables() == loaded
    assert catalogue.PACKAGE_MANAGERS is catalogue.tables().package_managers


def test_every_table_of_the_file_says_what_it_is() -> None:
    data = _shipped()
    assert set(data["about"]) == set(data) - {"about"}
    assert all(
        lines and all(isinstance(line, str) for line in lines) for lines in data["about"].values()
    )


def _set(path: Callable[[Data], Data], key: str, value: Any) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        path(data)[key] = value

    return change


def _drop(path: Callable[[Data], Data], key: str) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        del path(data)[key]

    return change


def _append_copy(table: str, index: int, **changes: Any) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        data[table].append({**data[table][index], **changes})

    return change


def _rm(data: Data) -> Data:
    return _command(data, "rm")


def _rm_rf(data: Data) -> Data:
    return _translation(data, "rm -rf")


BROKEN: list[tuple[str, Callable[[Data], None], str]] = [
    (
        "unknown key",
        _set(_rm, "form", {}),
        "catalogue.json: command 'rm': unknown key 'form' (known: equivalents, foreign_options, "
        "forms, name, note, purpose, shells)",
    ),
    (
        "unknown shell",
        _set(_rm, "shells", ["sh", "bash"]),
        "catalogue.json: command 'rm'.shells: unknown shell 'bash' (one of sh, cmd, powershell)",
    ),
    (
        "unknown shell of an equivalent",
        _set(_rm, "equivalents", {"pwsh": "Remove-Item FILE"}),
        "catalogue.json: command 'rm'.equivalents.pwsh: unknown shell 'pwsh' "
        "(one of sh, cmd, powershell)",
    ),
    (
        "unknown placeholder",
        _set(_rm, "equivalents", {"cmd": "del /Q FOLDER"}),
        "catalogue.json: command 'rm'.equivalents.cmd: unknown placeholder 'FOLDER' in "
        "'del /Q FOLDER' (one of ",
    ),
    (
        "an option that is not one",
        _set(_rm, "forms", {"rf": {"cmd": "rmdir /S /Q DIR"}}),
        "catalogue.json: command 'rm'.forms: option 'rf' does not start with '-'",
    ),
    (
        "a pattern that is not a regular expression",
        _set(_rm, "foreign_options", {"sh": "/[A-Z"}),
        "catalogue.json: command 'rm'.foreign_options.sh: not a regular expression (",
    ),
    (
        "a command without a purpose",
        _drop(_rm, "purpose"),
        "catalogue.json: command 'rm': no 'purpose'",
    ),
    (
        "a name twice, in another case",
        _append_copy("commands", 0, name="UNAME"),
        "catalogue.json: command 'uname': listed twice",
    ),
    (
        "a lone brace in a template",
        _set(_rm_rf, "forms", {"cmd": {"template": "rmdir /S /Q {path"}}),
        "catalogue.json: translation 'rm -rf'.forms.cmd.template: expected '}' before end of "
        "string in 'rmdir /S /Q {path' (write a literal brace as {{ or }})",
    ),
    (
        "an unknown template field",
        _set(_rm_rf, "forms", {"cmd": {"template": "rmdir /S /Q {file}"}}),
        "catalogue.json: translation 'rm -rf'.forms.cmd.template: unknown field {file} (one of ",
    ),
    (
        "a wildcard form without its pattern",
        _set(_rm_rf, "forms", {"cmd": {"template": "rmdir {path}", "pattern": "rmdir {path}"}}),
        "catalogue.json: translation 'rm -rf'.forms.cmd.pattern: has no {pattern}",
    ),
    (
        "a form flag that is not a flag",
        _set(_rm_rf, "forms", {"cmd": {"template": "rmdir {path}", "each": "yes"}}),
        "catalogue.json: translation 'rm -rf'.forms.cmd.each: expected true or false, got 'yes'",
    ),
    (
        "a form in the source shell",
        _set(_rm_rf, "forms", {"sh": {"template": "rm -rf {words}"}}),
        "catalogue.json: translation 'rm -rf'.forms.sh: a form in the source shell itself",
    ),
    (
        "an unknown outcome",
        _set(_rm_rf, "behaviour", {"does": "remove", "missing": "maybe"}),
        "catalogue.json: translation 'rm -rf'.behaviour.missing: 'maybe' is not one of ok, "
        "error, created, n/a",
    ),
    (
        "operands the wrong way round",
        _set(_rm_rf, "max_operands", 0),
        "catalogue.json: translation 'rm -rf': max_operands 0 is below min_operands 1",
    ),
    (
        "a translation key twice",
        _append_copy("translations", 0, options=["-x"]),
        "catalogue.json: translation 'ls': listed twice",
    ),
    (
        "the same command line translated twice",
        _append_copy("translations", 0, key="ls again"),
        "catalogue.json: translation of 'sh ls []': listed twice",
    ),
    (
        "a missing table",
        _drop(lambda data: data, "package_managers"),
        "catalogue.json: the file: no 'package_managers' table",
    ),
    (
        "a table nobody described",
        _drop(lambda data: data["about"], "translations"),
        "catalogue.json: about: says nothing of, or knows no table, 'translations'",
    ),
    (
        "a word listed twice",
        _set(lambda data: data, "powershell_verbs", ["Get", "Set", "Get"]),
        "catalogue.json: powershell_verbs: 'Get' listed twice",
    ),
]


@pytest.mark.parametrize(
    ("change", "expected"), [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN]
)
def test_a_broken_file_fails_with_one_line_naming_the_entry(
    tmp_path: Path, change: Callable[[Data], None], expected: str
) -> None:
    data = _shipped()
    change(data)
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(catalogue.CatalogueError) as raised:
        catalogue.load(path)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(expected), message


def test_a_file_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.json"
    path.write_text('{"commands": [', encoding="utf-8")
    with pytest.raises(catalogue.CatalogueError, match=r"^catalogue\.json: not JSON \("):
        catalogue.load(path)


def test_read_at_the_first_question_once_and_not_at_import() -> None:
    """An audit hook sees every open() of the data file in a fresh interpreter."""
    script = """
import sys
opened = []
sys.addaudithook(
    lambda event, args: opened.append(1)
    if event == "open" and str(args[0]).endswith("catalogue.json") else None
)
import dflint.analyse.catalogue as catalogue, dflint.analyse.oscommands
print(len(opened))
catalogue.lookup("ls"); catalogue.exists("rm", "cmd"); catalogue.translations()
print(len(opened), sorted(catalogue.PACKAGE_MANAGERS["apk"]))
"""
    # without the start-up cache, which would answer from its copy of the file
    env = {**os.environ, "DFLINT_NO_CODE_CACHE": "1"}
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    )
    assert run.stdout.split("\n")[:2] == ["0", "1 ['alpine']"]


def test_an_unknown_attribute_is_still_an_error() -> None:
    with pytest.raises(AttributeError, match="NO_SUCH_TABLE"):
        catalogue.NO_SUCH_TABLE  # type: ignore[attr-defined]  # noqa: B018
