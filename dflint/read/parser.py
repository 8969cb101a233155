"""From text to the Dockerfile tree: instructions grouped into stages."""

from __future__ import annotations

from dflint import lazyre
from dflint.errors import InputError
from dflint.read.instructions import validate
from dflint.read.model import Dockerfile, Instruction, Stage
from dflint.read.reader import decode, read_text

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from typing import Any

_AS = lazyre.compile(r"(?i)as")
_SURROGATE_ESCAPE = lazyre.compile("[\udc80-\udcff]")


def parse_text(text: str, path: str = "Dockerfile") -> Dockerfile:
    """Parse Dockerfile text. Raises InputError (with path, line and column) on a syntax error."""
    try:
        reader = read_text(text)
    except InputError as exc:
        raise exc.with_path(path) from None
    dockerfile = Dockerfile(
        path=path,
        lines=reader.lines,
        escape=reader.escape,
        directives=reader.block.directives,
        comments=reader.comments,
        instructions=reader.instructions,
        warnings=reader.warnings,
    )
    _build_stages(dockerfile)
    dockerfile.problems = validate(dockerfile, reader.long_lines)
    return dockerfile


def parse_bytes(data: bytes, path: str = "Dockerfile") -> Dockerfile:
    try:
        text = decode(data)
    except InputError as exc:
        raise exc.with_path(path) from None
    dockerfile = parse_text(text, path)
    dockerfile.non_utf8 = not data.isascii() and _has_escapes(text)
    return dockerfile


def _has_escapes(text: str) -> bool:
    return _SURROGATE_ESCAPE.search(text) is not None


def parse_file(path: str, display_path: str | None = None) -> Dockerfile:
    from dflint.read.fileio import read_input

    shown = display_path or path
    try:
        data = read_input(path)
    except InputError as exc:
        raise exc.with_path(shown) from None
    return parse_bytes(data, shown)


def _build_stages(dockerfile: Dockerfile) -> None:
    current: Stage | None = None
    for instruction in dockerfile.instructions:
        if instruction.keyword == "FROM":
            image = instruction.args[0] if instruction.args else ""
            alias = None
            if len(instruction.args) >= 3 and _AS.fullmatch(instruction.args[1]):
                alias = instruction.args[2].lower()
            current = Stage(
                index=len(dockerfile.stages),
                from_instruction=instruction,
                image=image,
                alias=alias,
                platform=instruction.flag("platform"),
            )
            dockerfile.stages.append(current)
        elif current is None:
            if instruction.keyword == "ARG":
                dockerfile.global_args.append(instruction)
        else:
            current.instructions.append(instruction)


def instruction_dict(instruction: Instruction) -> dict[str, Any]:
    result: dict[str, Any] = {
        "keyword": instruction.keyword,
        "raw_keyword": instruction.raw_keyword,
        "flags": instruction.flags,
        "args": instruction.args,
        "json": instruction.json,
        "start_line": instruction.start_line,
        "end_line": instruction.end_line,
        "column": instruction.column,
        "end_column": instruction.end_column,
        "original": instruction.original,
        "buildkit_dump": buildkit_dump(instruction),
        "heredocs": [
            {
                "name": heredoc.name,
                "content": heredoc.content,
                "expand": heredoc.expand,
                "chomp": heredoc.chomp,
                "file_descriptor": heredoc.file_descriptor,
            }
            for heredoc in instruction.heredocs
        ],
    }
    if instruction.sub is not None:
        result["sub"] = instruction_dict(instruction.sub)
        sub_heredocs = result["sub"]["heredocs"]
        result["heredocs"] = [
            {
                "name": heredoc.name,
                "content": heredoc.content,
                "expand": heredoc.expand,
                "chomp": heredoc.chomp,
                "file_descriptor": heredoc.file_descriptor,
            }
            for heredoc in instruction.sub.heredocs
        ] or sub_heredocs
    return result


def dockerfile_dict(dockerfile: Dockerfile) -> dict[str, Any]:
    return {
        "path": dockerfile.path,
        "escape": dockerfile.escape,
        "directives": {item.name: item.value for item in dockerfile.directives},
        "comments": [
            {"line": item.line, "column": item.column, "text": item.text}
            for item in dockerfile.comments
        ],
        "stages": [
            {
                "index": stage.index,
                "image": stage.image,
                "alias": stage.alias,
                "platform": stage.platform,
                "start_line": stage.from_instruction.start_line,
            }
            for stage in dockerfile.stages
        ],
        "instructions": [instruction_dict(item) for item in dockerfile.instructions],
        # why BuildKit would refuse the file after reading its lines (DF004/DF005)
        "problems": [
            {
                "kind": problem.kind,
                "line": problem.span.line,
                "column": problem.span.column,
                "reason": problem.reason,
                "advice": problem.advice,
            }
            for problem in dockerfile.problems
        ],
    }


def go_quote(text: str) -> str:
    """Go's strconv.Quote, used to compare with BuildKit's AST dumps."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        elif code < 0x80:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


_GO_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}


def buildkit_dump(instruction: Instruction) -> str:
    """The instruction as BuildKit's ``Node.Dump()`` prints it (separator nodes included)."""
    parts = [instruction.raw_keyword.lower()]
    if instruction.flags:
        parts.append("[" + " ".join(go_quote(flag) for flag in instruction.flags) + "]")
    if instruction.sub is not None:
        parts.append("(" + buildkit_dump(instruction.sub) + ")")
    elif instruction.pair_separator is not None:
        for key, value in instruction.pairs():
            parts += [go_quote(key), go_quote(value), go_quote(instruction.pair_separator)]
    elif not instruction.known:
        parts.append(go_quote(""))
    else:
        parts += [go_quote(arg) for arg in instruction.args]
    return " ".join(parts)
