"""BuildKit's instruction layer: what it rejects after the lines are read.

BuildKit reads a Dockerfile in two steps. Its parser turns lines into nodes (dflint's reader
does that, see ``dflint.read.reader``); then ``frontend/dockerfile/instructions`` turns each node
into a typed instruction, checking argument counts, flags (``bflag.go``) and values, and the
Dockerfile frontend checks some values again while it converts the stages (``dockerfile2llb``:
``--chmod``, ``--checksum``, ports, signals, mounts). A file that fails any of these is not
built at all. This module repeats those checks on the dflint tree, with BuildKit's messages,
so that a file BuildKit rejects is never called clean.

Checks that depend on values only known at build time (``$VAR`` in a flag, a port or a
signal) are left alone: BuildKit expands them first and dflint cannot know the result.
Messages follow BuildKit's wording (its reason), and each problem also says what to write
instead. Source: moby/buildkit at the commit recorded in tests/data/buildkit/README.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from dflint import lazyre
from dflint.read.lineparse import GO_SPACE
from dflint.read.model import KNOWN_KEYWORDS, Dockerfile, Instruction, Span
from dflint.read.reader import MAX_LINE_BYTES

TYPE_CHECKING = False  # typing's constant, without importing typing at run time
if TYPE_CHECKING:
    from typing import Literal, TypeAlias

ProblemKind: TypeAlias = 'Literal["invalid-instruction", "unknown-instruction"]'


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason BuildKit refuses the file, at an instruction (or a physical line)."""

    kind: ProblemKind
    span: Span
    reason: str  # BuildKit's own words
    advice: str  # what to write instead

    @property
    def message(self) -> str:
        return f"{self.reason}: {self.advice}" if self.advice else self.reason


class _Reject(Exception):
    def __init__(self, reason: str, advice: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.advice = advice


# --- `# check=` options (linter.ParseLintOptions) ------------------------------------------

_GO_BOOLS = frozenset(
    ("1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False")
)
_CHECK_COMMENT = lazyre.compile(r"([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*\Z", re.S)


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """The BuildKit checks a ``# check=`` directive or comment turns off (``skip=``)."""

    skip_all: bool = False
    skip: frozenset[str] = frozenset()

    def skips(self, check: str) -> bool:
        return self.skip_all or check in self.skip


def parse_check_options(text: str) -> CheckOptions:
    """BuildKit's linter.ParseLintOptions; raises ValueError with its message."""
    text = text.strip()
    if not text:
        return CheckOptions()
    skip_all = False
    skip: set[str] = set()
    for part in text.split(";", 2):
        key, equals, value = part.partition("=")
        if not equals:
            raise ValueError(f'invalid check option "{part}"')
        key = key.strip()
        if key == "skip":
            value = value.strip()
            if value == "all":
                skip_all = True
            else:
                skip |= {item.strip() for item in value.split(",")}
        elif key == "experimental":
            continue
        elif key == "error":
            if value.strip() not in _GO_BOOLS:
                raise ValueError(
                    f'failed to parse check option "{part}": strconv.ParseBool: parsing '
                    f'"{value.strip()}": invalid syntax'
                )
        else:
            raise ValueError(f'invalid check option "{key}"')
    return CheckOptions(skip_all, frozenset(skip))


def check_comment(text: str) -> str | None:
    """The value of a `check=` comment as BuildKit reads one above an instruction, else None."""
    match = _CHECK_COMMENT.match(text.lstrip())
    if match is None or match.group(1).lower() != "check":
        return None
    return match.group(2)


# --- helpers with Go's behaviour ---------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


def go_quote(text: str) -> str:
    """Go's %q (strconv.Quote) for printable text."""
    out = ['"']
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif char == "\r":
            out.append("\\r")
        elif not char.isprintable():
            out.append(f"\\x{ord(char):02x}" if ord(char) < 0x80 else f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def levenshtein(left: str, right: str) -> int:
    if left == right:
        return 0
    previous = list(range(len(right) + 1))
    for i, a in enumerate(left, 1):
        current = [i]
        for j, b in enumerate(right, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        previous = current
    return previous[-1]


def suggest(value: str, options: Iterable[str], case_sensitive: bool) -> str | None:
    """BuildKit's util/suggest.Search: the closest option under distance 3, else None.

    Ties (which BuildKit breaks by map order, at random) go to the first option in sorted
    order, so that dflint's answer is stable.
    """
    wanted = value if case_sensitive else value.lower()
    best: str | None = None
    best_distance = 3
    for option in sorted(options):
        candidate = option if case_sensitive else option.lower()
        if candidate == wanted:
            return None
        if abs(len(candidate) - len(wanted)) >= best_distance:
            continue  # the distance is at least the difference in length
        distance = levenshtein(wanted, candidate)
        if distance < best_distance:
            best, best_distance = candidate, distance
    if best is None or case_sensitive:
        return best
    if value == value.lower():
        return best.lower()
    if value == value.upper():
        return best.upper()
    return best


_DURATION_UNITS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "μs": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
_DURATION_PART = lazyre.compile(r"([0-9]*)(\.[0-9]*)?([^0-9.]*)")


def parse_go_duration(text: str) -> int:
    """Go's time.ParseDuration, in nanoseconds; raises ValueError with Go's message."""
    original = text
    quoted = go_quote(original)
    negative = False
    if text and text[0] in "+-":
        negative = text[0] == "-"
        text = text[1:]
    if text == "0":
        return 0
    if text == "":
        raise ValueError(f"time: invalid duration {quoted}")
    total = 0.0
    while text:
        match = _DURATION_PART.match(text)
        if match is None:  # pragma: no cover - the pattern matches any text
            raise ValueError(f"time: invalid duration {quoted}")
        whole, fraction, unit = match.group(1), match.group(2) or "", match.group(3)
        if whole == "" and fraction in ("", "."):
            raise ValueError(f"time: invalid duration {quoted}")
        if unit == "":
            raise ValueError(f"time: missing unit in duration {quoted}")
        if unit not in _DURATION_UNITS:
            raise ValueError(f"time: unknown unit {go_quote(unit)} in duration {quoted}")
        number = float((whole or "0") + (fraction if fraction != "." else ""))
        total += number * _DURATION_UNITS[unit]
        text = text[match.end() :]
    if total > 2**63 - 1:
        raise ValueError(f"time: invalid duration {quoted}")
    return -int(total) if negative else int(total)


def _parse_int32(text: str) -> int:
    """strconv.ParseInt(text, 10, 32); raises ValueError with Go's message."""
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        raise ValueError(f"strconv.ParseInt: parsing {go_quote(text)}: invalid syntax")
    value = int(text)
    if not -(2**31) <= value < 2**31:
        raise ValueError(f"strconv.ParseInt: parsing {go_quote(text)}: value out of range")
    return value


def _parse_uint(text: str, base: int, bits: int) -> int | None:
    """strconv.ParseUint: None when Go would fail (base prefixes are not accepted)."""
    digits = "01234567" if base == 8 else "0123456789"
    if not text or any(char not in digits for char in text):
        return None
    value = int(text, base)
    return value if value < 2**bits else None


def _parse_bool(text: str) -> bool | None:
    """strconv.ParseBool."""
    if text in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if text in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    return None


# --- flags (bflag.go) ----------------------------------------------------------------------

FlagKind: TypeAlias = 'Literal["bool", "string", "strings"]'

_HEALTH_FLAGS: dict[str, FlagKind] = {
    "interval": "string",
    "timeout": "string",
    "start-period": "string",
    "start-interval": "string",
    "retries": "string",
}
# The flags each instruction accepts. STOPSIGNAL and ARG never parse theirs: BuildKit
# ignores any flag given to them.
INSTRUCTION_FLAGS: dict[str, dict[str, FlagKind]] = {
    "ADD": {
        "chown": "string",
        "chmod": "string",
        "link": "bool",
        "keep-git-dir": "bool",
        "checksum": "string",
        "unpack": "bool",
        "exclude": "strings",
    },
    "COPY": {
        "chown": "string",
        "from": "string",
        "chmod": "string",
        "link": "bool",
        "exclude": "strings",
        "parents": "bool",
    },
    "FROM": {"platform": "string"},
    "RUN": {"device": "strings", "mount": "strings", "network": "string", "security": "string"},
    "HEALTHCHECK": _HEALTH_FLAGS,
}
for _name in ("ENV", "MAINTAINER", "LABEL", "ONBUILD", "WORKDIR", "CMD", "ENTRYPOINT"):
    INSTRUCTION_FLAGS[_name] = {}
for _name in ("EXPOSE", "USER", "VOLUME", "SHELL"):
    INSTRUCTION_FLAGS[_name] = {}


@dataclass(slots=True)
class Flags:
    """An instruction's flags as BuildKit's BFlags reads them, by name."""

    values: dict[str, str]  # bool and string flags that were given
    lists: dict[str, list[str]]  # strings flags, every value in order


def _accepted(keyword: str, spec: dict[str, FlagKind]) -> str:
    if not spec:
        return f"{keyword} takes no flags; remove it"
    names = ", ".join(f"--{name}" for name in sorted(spec))
    return f"{keyword} accepts {names}"


def parse_flags(keyword: str, flags: list[str], spec: dict[str, FlagKind]) -> Flags:
    """BuildKit's BFlags.Parse over the flags of one instruction."""
    result = Flags({}, {})
    used: set[str] = set()
    for item in flags:
        if item == "--":
            break
        name, equals, value = item.partition("=")
        key = name[2:]
        kind = spec.get(key)
        if kind is None:
            close = suggest(key, spec, case_sensitive=True)
            reason = f"unknown flag: {name}"
            if close is not None:
                reason += f" (did you mean {close}?)"
                advice = f"write --{close}"
            else:
                advice = _accepted(keyword, spec)
            raise _Reject(reason, advice)
        if key in used and kind != "strings":
            raise _Reject(
                f"duplicate flag specified: {name}", f"give {name} once (only one value is used)"
            )
        used.add(key)
        if kind == "bool":
            if equals and value == "":
                raise _Reject(
                    f"missing a value on flag: {name}", f"write {name} or {name}=true|false"
                )
            if value.lower() not in ("true", "false", ""):
                raise _Reject(
                    f"expecting boolean value for flag {name}, not: {value}",
                    f"write {name}=true or {name}=false",
                )
            result.values[key] = "false" if value.lower() == "false" else "true"
        else:
            if not equals:
                raise _Reject(f"missing a value on flag: {name}", f"write {name}=<value>")
            if kind == "string":
                result.values[key] = value
            else:
                result.lists.setdefault(key, []).append(value)
    return result


# --- RUN --mount and --device (commands_runmount.go, commands_rundevice.go) -----------------

_MOUNT_TYPES = ("bind", "cache", "tmpfs", "secret", "ssh")
_SHARING = ("shared", "private", "locked")
_MOUNT_KEYS = (
    "type",
    "from",
    "source",
    "target",
    "readonly",
    "id",
    "sharing",
    "required",
    "size",
    "mode",
    "uid",
    "gid",
    "src",
    "dst",
    "destination",
    "ro",
    "rw",
    "readwrite",
    "env",
)


class _CSVError(Exception):
    pass


def csv_fields(text: str) -> list[str]:
    """One CSV record as tonistiigi/go-csvvalue reads it (encoding/csv rules, no lazy quotes)."""
    if text.endswith("\r\n"):
        text = text[:-2]
    elif text.endswith("\n"):
        text = text[:-1]
    if text == "":
        raise _CSVError("EOF")
    fields: list[str] = []
    pos = 0
    rest = text
    while True:
        if rest == "" or rest[0] != '"':
            comma = rest.find(",")
            field = rest if comma < 0 else rest[:comma]
            quote = field.find('"')
            if quote >= 0:
                raise _CSVError(
                    f'parse error on line 1, column {pos + quote + 1}: bare " in non-quoted-field'
                )
            fields.append(field)
            if comma < 0:
                return fields
            rest = rest[comma + 1 :]
            pos += comma + 1
            continue
        rest = rest[1:]
        pos += 1
        value = ""
        while True:
            quote = rest.find('"')
            if quote < 0:
                raise _CSVError(
                    f'parse error on line 1, column {pos + 1}: extraneous or missing " in '
                    "quoted-field"
                )
            value += rest[:quote]
            rest = rest[quote + 1 :]
            pos += quote + 1
            if rest.startswith('"'):
                value += '"'
                rest = rest[1:]
                pos += 1
                continue
            if rest.startswith(","):
                fields.append(value)
                rest = rest[1:]
                pos += 1
                break
            if rest == "":
                fields.append(value)
                return fields
            raise _CSVError(
                f'parse error on line 1, column {pos}: extraneous or missing " in quoted-field'
            )


_SIZE = lazyre.compile(r"([0-9.]+) ?([kKmMgGtTpP]?)[iI]?[bB]?\Z")


def _valid_ram_size(text: str) -> bool:
    """docker/go-units RAMInBytes accepts the text."""
    match = _SIZE.match(text)
    if match is None:
        return False
    try:
        float(match.group(1))
    except ValueError:
        return False
    return True


def check_mount(spec: str) -> None:
    """Raise _Reject for a --mount value BuildKit refuses (values with $ are not judged)."""
    try:
        fields = csv_fields(spec)
    except _CSVError as exc:
        raise _Reject(
            f"failed to parse csv mounts: {exc}",
            "write --mount=type=<type>,target=<path>[,key=value...]",
        ) from None
    for field in fields:
        key, equals, value = field.partition("=")
        if equals and key.lower() == "from":
            dollar = value.find("$")
            if dollar != -1 and dollar != len(value) - 1:
                raise _Reject(
                    "'from' doesn't support variable expansion, define alias stage instead",
                    "name the stage with FROM <image> AS <name> and mount from=<name>",
                )
    if "$" in spec:
        return  # the rest is expanded at build time
    mount_type = "bind"
    read_only: bool | None = None
    source = target = cache_id = sharing = ""
    from_stage = ""
    file_info = []
    for field in fields:
        key, equals, value = field.partition("=")
        key = key.lower()
        if not equals:
            if key in ("readonly", "ro", "readwrite", "rw"):
                read_only = key in ("readonly", "ro")
                continue
            if key == "required":
                if mount_type in ("secret", "ssh"):
                    continue
                raise _Reject(
                    f"unexpected key '{key}' for mount type '{mount_type}'",
                    "use required only with type=secret or type=ssh",
                )
            raise _Reject(f"invalid field '{field}' must be a key=value pair", "write key=value")
        if key == "type":
            lowered = value.lower()
            if lowered not in _MOUNT_TYPES:
                close = suggest(value, _MOUNT_TYPES, case_sensitive=True)
                hint = f" (did you mean {close}?)" if close else ""
                raise _Reject(
                    f"unsupported mount type {go_quote(value)}{hint}",
                    f"write type={close}" if close else "use type=" + "|".join(_MOUNT_TYPES),
                )
            mount_type = lowered
        elif key == "from":
            from_stage = value
        elif key in ("source", "src"):
            source = value
        elif key in ("target", "dst", "destination"):
            target = value
        elif key in ("readonly", "ro", "readwrite", "rw"):
            if _parse_bool(value) is None:
                raise _Reject(f"invalid value for {key}: {value}", f"write {key}=true or false")
        elif key == "required":
            if mount_type not in ("secret", "ssh"):
                raise _Reject(
                    f"unexpected key '{key}' for mount type '{mount_type}'",
                    "use required only with type=secret or type=ssh",
                )
            if _parse_bool(value) is None:
                raise _Reject(f"invalid value for {key}: {value}", f"write {key}=true or false")
        elif key == "size":
            if mount_type != "tmpfs":
                raise _Reject(
                    f"unexpected key '{key}' for mount type '{mount_type}'",
                    "use size only with type=tmpfs",
                )
            if not _valid_ram_size(value):
                raise _Reject(f"invalid value for {key}: {value}", "write a size such as 64m")
        elif key == "id":
            cache_id = value
        elif key == "sharing":
            if value.lower() not in _SHARING:
                close = suggest(value, _SHARING, case_sensitive=True)
                hint = f" (did you mean {close}?)" if close else ""
                raise _Reject(
                    f"unsupported sharing value {go_quote(value)}{hint}",
                    "use sharing=shared, private or locked",
                )
            sharing = value
        elif key == "mode":
            if _parse_uint(value, 8, 32) is None:
                raise _Reject(f"invalid value {value} for mode", "write an octal mode such as 0755")
            file_info.append("mode")
        elif key in ("uid", "gid"):
            if _parse_uint(value, 10, 32) is None:
                raise _Reject(f"invalid value {value} for {key}", f"write a numeric {key}")
            file_info.append(key)
        elif key == "env":
            pass
        else:
            close = suggest(key, _MOUNT_KEYS, case_sensitive=True)
            hint = f" (did you mean {close}?)" if close else ""
            raise _Reject(
                f"unexpected key '{key}' in '{field}'{hint}",
                f"write {close}=" if close else "use " + ", ".join(_MOUNT_KEYS[:12]),
            )
    if mount_type not in ("secret", "ssh", "cache"):
        for name in ("mode", "uid", "gid"):
            if name in file_info:
                raise _Reject(
                    f"{name} not allowed for {go_quote(mount_type)} type mounts",
                    f"use {name} only with type=cache, secret or ssh",
                )
    if mount_type == "secret":
        if from_stage:
            raise _Reject("secret mount should not have a from", "remove from=")
        if sharing:
            raise _Reject("secret mount should not define sharing", "remove sharing=")
        if not source and not target and not cache_id:
            raise _Reject(
                "invalid secret mount. one of source, target required", "add id=<secret id>"
            )
        if source and cache_id:
            raise _Reject("both source and id can't be set", "keep only id=")
    if sharing and mount_type != "cache":
        raise _Reject(
            f"invalid cache sharing set for {mount_type} mount", "use sharing= only with type=cache"
        )
    if mount_type == "ssh" and source:
        raise _Reject("ssh does not support source", "remove source= (use id= for the ssh key)")
    if target and target.startswith("/") and _clean_path(target) == "/":
        raise _Reject(f"invalid mount target {go_quote('/')}", "mount at a directory below /")
    del read_only


def _clean_path(path: str) -> str:
    import posixpath

    return posixpath.normpath(path)


def check_device(spec: str) -> None:
    try:
        fields = csv_fields(spec)
    except _CSVError as exc:
        raise _Reject(
            f"failed to parse csv devices: {exc}", "write --device=<name>[,required]"
        ) from None
    name = ""
    for field in fields:
        key, equals, value = field.partition("=")
        key = key.lower()
        if not equals:
            if key == "required":
                continue
            if name == "":
                name = field
                continue
            raise _Reject(f"invalid field '{field}' must be a key=value pair", "write key=value")
        if key == "name":
            if name != "":
                raise _Reject(f"device name already set to {name}", "give the device name once")
            name = value
        elif key == "required":
            if _parse_bool(value) is None:
                raise _Reject(f"invalid value for {key}: {value}", "write required=true or false")
        elif name == "":
            name = field
        else:
            close = suggest(key, ("name", "required"), case_sensitive=True)
            hint = f" (did you mean {close}?)" if close else ""
            raise _Reject(f"unexpected key '{key}' in '{field}'{hint}", "use name= or required")


# --- per instruction (parse.go) ---------------------------------------------------------------

_STAGE_NAME = lazyre.compile(r"[a-z][a-z0-9\-_.]*\Z")
_HEREDOC = lazyre.compile(r"(\d*)<<(-?)[\t\n\v\f\r ]*([^<]*)\Z")
_SIGNALS = frozenset(
    _words(
        "ABRT ALRM BUS CHLD CLD CONT FPE HUP ILL INT IO IOT KILL PIPE POLL PROF PWR QUIT SEGV "
        "STKFLT STOP SYS TERM TRAP TSTP TTIN TTOU URG USR1 USR2 VTALRM WINCH XCPU XFSZ RTMIN "
        "RTMAX "
    )
    + [f"RTMIN+{n}" for n in range(1, 16)]
    + [f"RTMAX-{n}" for n in range(1, 15)]
)
_USAGE = {
    "ENV": "ENV <name>=<value>",
    "LABEL": "LABEL <key>=<value>",
    "MAINTAINER": 'LABEL org.opencontainers.image.authors="<name>"',
    "WORKDIR": "WORKDIR <path>",
    "USER": "USER <user>[:<group>]",
    "STOPSIGNAL": "STOPSIGNAL <signal> (e.g. SIGTERM)",
    "ONBUILD": "ONBUILD <instruction>",
    "HEALTHCHECK": "HEALTHCHECK [options] CMD <command> or HEALTHCHECK NONE",
    "EXPOSE": "EXPOSE <port>[/<protocol>]",
    "VOLUME": 'VOLUME ["<path>"]',
    "ARG": "ARG <name>[=<default>]",
    "SHELL": 'SHELL ["<executable>", "<parameters>"]',
    "ADD": "ADD <source>... <destination>",
    "COPY": "COPY <source>... <destination>",
}


def _at_least_one(keyword: str) -> _Reject:
    return _Reject(f"{keyword} requires at least one argument", f"write {_USAGE[keyword]}")


def _exactly_one(keyword: str) -> _Reject:
    return _Reject(f"{keyword} requires exactly one argument", f"write {_USAGE[keyword]}")


def _heredoc_name(word: str) -> bool:
    """The word opens a heredoc (BuildKit's MustParseHeredoc returns one)."""
    match = _HEREDOC.match(word)
    return match is not None and match.group(3) != "" and " " not in match.group(3).strip()


def _kvps(keyword: str, instruction: Instruction) -> None:
    if not instruction.args:
        raise _at_least_one(keyword)
    for key, _value in instruction.pairs():
        if key == "":
            raise _Reject(f"{keyword} names can not be blank", f"write {_USAGE[keyword]}")


def _flags(instruction: Instruction) -> Flags:
    spec = INSTRUCTION_FLAGS[instruction.keyword]
    return parse_flags(instruction.keyword, instruction.flags, spec)


def _check_sources_and_dest(keyword: str, instruction: Instruction) -> None:
    if _heredoc_name(instruction.args[-1]):
        raise _Reject(
            f"{keyword} cannot accept a heredoc as a destination",
            f"write the heredoc as a source: {keyword} <<EOF <destination>",
        )


def _check_chmod(value: str) -> None:
    if value == "" or "$" in value:
        return
    octal = _parse_uint(value, 8, 32)
    if octal is not None and octal <= 0o7777:
        return
    numeric = re.fullmatch(r"[+-]?[0-9_]+", value) is not None or octal is not None
    if numeric or not re.fullmatch(
        r"([ugoa]*[-+=]([rwxXst]*|[ugo]))+(,([ugoa]*[-+=]([rwxXst]*|[ugo]))+)*", value
    ):
        raise _Reject(
            f"invalid chmod parameter: '{value}'. it should be octal string and between 0 and "
            "07777",
            "write an octal mode such as --chmod=755",
        )


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def _check_add(instruction: Instruction) -> None:
    if len(instruction.args) < 2:
        raise _Reject(
            "ADD requires at least two arguments, but only one was provided. Destination could "
            "not be determined",
            f"write {_USAGE['ADD']}",
        )
    flags = _flags(instruction)
    _check_sources_and_dest("ADD", instruction)
    _check_chmod(flags.values.get("chmod", ""))
    checksum = flags.values.get("checksum", "")
    if checksum and "$" not in checksum:
        sources = [item for item in instruction.args[:-1] if not _heredoc_name(item)]
        if len(sources) != 1:
            raise _Reject(
                "checksum can't be specified for multiple sources",
                "use one ADD --checksum per downloaded file",
            )
        source = sources[0]
        if "$" not in source and not _is_url(source) and not _looks_like_git(source):
            raise _Reject(
                "checksum requires HTTP(S) or Git sources",
                "remove --checksum, or ADD from an https:// URL",
            )
        if _is_url(source):
            _check_digest(checksum)


_DIGEST_SIZES = {"sha256": 64, "sha384": 96, "sha512": 128}


def _check_digest(checksum: str) -> None:
    """opencontainers/go-digest's Validate, as BuildKit applies it to ADD --checksum."""
    algorithm, colon, encoded = checksum.partition(":")
    advice = "write --checksum=sha256:<64 hex digits>"
    if not colon or not encoded or not algorithm:
        raise _Reject("invalid checksum digest format", advice)
    size = _DIGEST_SIZES.get(algorithm)
    if size is None:
        raise _Reject("unsupported digest algorithm", advice)
    if len(encoded) != size:
        raise _Reject("invalid checksum digest length", advice)
    if not re.fullmatch(r"[a-f0-9]+", encoded):
        raise _Reject("invalid checksum digest format", advice)


def _looks_like_git(source: str) -> bool:
    return source.startswith(("git@", "git://", "ssh://")) or ".git" in source


def _check_copy(instruction: Instruction) -> None:
    if len(instruction.args) < 2:
        raise _Reject(
            "COPY requires at least two arguments, but only one was provided. Destination could "
            "not be determined",
            f"write {_USAGE['COPY']}",
        )
    flags = _flags(instruction)
    _check_sources_and_dest("COPY", instruction)
    source_stage = flags.values.get("from", "")
    if "$" in source_stage:
        raise _Reject(
            "variable expansion is not supported for --from, define a new stage with FROM using "
            "ARG from global scope as a workaround",
            "add `FROM ${ARG} AS <name>` and COPY --from=<name>",
        )
    _check_chmod(flags.values.get("chmod", ""))
    for source in instruction.args[:-1]:
        if _is_url(source):
            raise _Reject("source can't be a URL for COPY", "use ADD to download a URL")


def _check_from(instruction: Instruction) -> None:
    args = instruction.args
    if len(args) == 3 and args[1].lower() == "as":
        if not _STAGE_NAME.match(args[2].lower()):
            raise _Reject(
                f"invalid name for build stage: {go_quote(args[2])}, name can't start with a "
                "number or contain symbols",
                "name the stage with a letter followed by letters, digits, -, _ or .",
            )
    elif len(args) != 1:
        raise _Reject(
            "FROM requires either one or three arguments",
            "write FROM [--platform=<platform>] <image> [AS <name>]",
        )
    _flags(instruction)


def _check_onbuild(instruction: Instruction) -> None:
    if instruction.sub is None:
        raise _at_least_one("ONBUILD")
    _flags(instruction)
    trigger = instruction.sub.raw_keyword.strip(GO_SPACE).upper()
    if trigger == "ONBUILD":
        raise _Reject(
            "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
            "write a single ONBUILD <instruction>",
        )
    if trigger in ("MAINTAINER", "FROM"):
        raise _Reject(
            f"{trigger} isn't allowed as an ONBUILD trigger",
            "a child image starts with its own FROM; remove this ONBUILD",
        )


def _check_run(instruction: Instruction) -> None:
    flags = _flags(instruction)
    for device in flags.lists.get("device", []):
        check_device(device)
    for mount in flags.lists.get("mount", []):
        check_mount(mount)
    network = flags.values.get("network", "default")
    if network not in ("default", "none", "host"):
        raise _Reject(
            f"invalid network mode {go_quote(network)}",
            "use --network=default, --network=none or --network=host",
        )
    security = flags.values.get("security", "sandbox")
    if security not in ("insecure", "sandbox"):
        raise _Reject(
            f"security {go_quote(security)} is not valid",
            "use --security=insecure or --security=sandbox",
        )


def _check_healthcheck(instruction: Instruction) -> None:
    args = instruction.args
    if not args:
        raise _at_least_one("HEALTHCHECK")
    kind = args[0].upper()
    if kind == "NONE":
        if len(args) > 1:
            raise _Reject("HEALTHCHECK NONE takes no arguments", "write HEALTHCHECK NONE")
        return
    flags = _flags(instruction)
    if kind != "CMD":
        raise _Reject(
            f"Unknown type {go_quote(kind)} in HEALTHCHECK (try CMD)",
            "write HEALTHCHECK [options] CMD <command>",
        )
    if len(args) < 2 or (not instruction.json and " ".join(args[1:]) == ""):
        raise _Reject("Missing command after HEALTHCHECK CMD", "write HEALTHCHECK CMD <command>")
    for name in ("interval", "timeout", "start-period", "start-interval"):
        value = flags.values.get(name, "")
        if value == "":
            continue
        try:
            duration = parse_go_duration(value)
        except ValueError as exc:
            raise _Reject(str(exc), f"write --{name} as a duration such as 30s") from None
        if duration != 0 and duration < 1_000_000:
            raise _Reject(
                f"Interval {go_quote(name)} cannot be less than 1ms",
                f"write --{name} of at least 1ms (or 0 for the default)",
            )
    retries = flags.values.get("retries", "")
    if retries != "":
        try:
            count = _parse_int32(retries)
        except ValueError as exc:
            raise _Reject(str(exc), "write --retries=<number>") from None
        if count < 0:
            raise _Reject(f"--retries cannot be negative ({count})", "write --retries=0 or more")


_PORT = lazyre.compile(r"(.*?)(?:/(.*))?\Z", re.S)


def _check_port(raw: str) -> None:
    """dockerfile2llb's parsePort for one literal EXPOSE word."""
    parts = raw.split(":")
    if len(parts) == 1:
        ip, host, container = "", "", parts[0]
    elif len(parts) == 2:
        ip, host, container = "", parts[0], parts[1]
    elif len(parts) == 3:
        ip, host, container = parts[0], parts[1], parts[2]
    else:
        ip = ":".join(parts[:-2])
        host, container = parts[-2], parts[-1]
    port, _, proto = container.partition("/")
    if port == "":
        raise _Reject(f"invalid port: {go_quote(raw)}: no port specified", "write EXPOSE <port>")
    if proto.lower() not in ("", "tcp", "udp", "sctp"):
        raise _Reject(
            f"invalid port: {go_quote(raw)}: invalid proto: {proto}",
            "write <port>/tcp, <port>/udp or <port>/sctp",
        )
    if ip.startswith("["):
        ip = ip[1:].split("]", 1)[0]
    if ip and not _is_ip(ip):
        raise _Reject(f"invalid IP address: {ip}", "write EXPOSE <port>")
    container_range = _port_range(port)
    if container_range is None:
        raise _Reject(f"invalid containerPort: {port}", "write a port number from 0 to 65535")
    if host:
        host_range = _port_range(host)
        if host_range is None:
            raise _Reject(f"invalid hostPort: {host}", "write EXPOSE <port>")
        if (container_range[1] - container_range[0]) != (host_range[1] - host_range[0]) and (
            container_range[1] != container_range[0]
        ):
            raise _Reject(
                f"invalid ranges specified for container and host Ports: {port} and {host}",
                "write EXPOSE <port>",
            )


def _is_ip(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _port_number(text: str) -> int | None:
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        return None
    value = int(text)
    return value if 0 <= value <= 65535 else None


def _port_range(text: str) -> tuple[int, int] | None:
    if text == "":
        return None
    start, dash, end = text.partition("-")
    first = _port_number(start)
    if first is None:
        return None
    if not dash or start == end:
        return first, first
    last = _port_number(end)
    if last is None or last < first:
        return None
    return first, last


def _check_expose(instruction: Instruction) -> None:
    if not instruction.args:
        raise _at_least_one("EXPOSE")
    _flags(instruction)
    for port in instruction.args:
        if "$" not in port and "'" not in port and '"' not in port and "\\" not in port:
            _check_port(port)


def _check_stopsignal(instruction: Instruction) -> None:
    if len(instruction.args) != 1:
        raise _exactly_one("STOPSIGNAL")
    signal = instruction.args[0]
    if any(char in signal for char in "$'\"\\"):
        return
    if re.fullmatch(r"[+-]?[0-9]+", signal):
        if int(signal) != 0:
            return
    elif signal.upper().removeprefix("SIG") in _SIGNALS:
        return
    raise _Reject(f"invalid signal: {signal}", "write a signal name such as SIGTERM")


def _check_shell(instruction: Instruction) -> None:
    _flags(instruction)
    if not instruction.args or (instruction.json and not instruction.args):
        raise _at_least_one("SHELL")
    if not instruction.json:
        raise _Reject(
            "SHELL requires the arguments to be in JSON form",
            'write SHELL ["<executable>", "<parameter>"]',
        )


def _check_volume(instruction: Instruction) -> None:
    if not instruction.args:
        raise _at_least_one("VOLUME")
    _flags(instruction)
    if any(item.strip() == "" for item in instruction.args):
        raise _Reject("VOLUME specified can not be an empty string", 'write VOLUME ["/data"]')


def _check_one(instruction: Instruction) -> None:
    keyword = instruction.keyword
    args = instruction.args
    if keyword in ("ENV", "LABEL"):
        _flags(instruction)
        _kvps(keyword, instruction)
    elif keyword == "MAINTAINER":
        if len(args) != 1:
            raise _exactly_one(keyword)
        _flags(instruction)
    elif keyword == "ADD":
        _check_add(instruction)
    elif keyword == "COPY":
        _check_copy(instruction)
    elif keyword == "FROM":
        _check_from(instruction)
    elif keyword == "ONBUILD":
        _check_onbuild(instruction)
    elif keyword in ("WORKDIR", "USER"):
        if len(args) != 1:
            raise _exactly_one(keyword)
        _flags(instruction)
    elif keyword == "RUN":
        _check_run(instruction)
    elif keyword in ("CMD", "ENTRYPOINT"):
        _flags(instruction)
    elif keyword == "HEALTHCHECK":
        _check_healthcheck(instruction)
    elif keyword == "EXPOSE":
        _check_expose(instruction)
    elif keyword == "VOLUME":
        _check_volume(instruction)
    elif keyword == "STOPSIGNAL":
        _check_stopsignal(instruction)
    elif keyword == "ARG":
        if not args:
            raise _at_least_one("ARG")
        if any(item.startswith("=") for item in args):
            raise _Reject("ARG names can not be blank", f"write {_USAGE['ARG']}")
    elif keyword == "SHELL":
        _check_shell(instruction)


@lru_cache(maxsize=1024)
def _closest_keyword(written: str) -> str | None:
    # cached: a file that is not a Dockerfile (a template) repeats the same few words
    return suggest(written, KNOWN_KEYWORDS, case_sensitive=False)


def unknown_instruction(instruction: Instruction) -> Problem:
    written = instruction.raw_keyword
    close = _closest_keyword(written)
    reason = f"unknown instruction: {written}"
    if close is not None:
        reason += f" (did you mean {close}?)"
        advice = f"write {close.upper()}"
    elif re.fullmatch(r"[A-Za-z]+", written):
        advice = "use one of the Dockerfile instructions (FROM, RUN, COPY, ...)"
    else:
        advice = "this line is read as an instruction; join it to the one above or remove it"
    return Problem("unknown-instruction", _keyword_span(instruction), reason, advice)


def _keyword_span(instruction: Instruction) -> Span:
    return Span(
        instruction.start_line,
        instruction.column,
        instruction.start_line,
        instruction.column + len(instruction.raw_keyword),
    )


def check_instruction(instruction: Instruction) -> Problem | None:
    """BuildKit's verdict on one instruction by itself: None when it accepts it."""
    if not instruction.known:
        return unknown_instruction(instruction)
    try:
        _check_one(instruction)
    except _Reject as exc:
        return Problem("invalid-instruction", instruction.span, exc.reason, exc.advice)
    return None


_FALSE_HEREDOC = lazyre.compile(r"<<-[ \t]+([A-Za-z_'\"]\S*)")


def _false_heredoc(instruction: Instruction) -> Instruction | None:
    """A RUN/COPY/ADD with `<<- EOF`: BuildKit reads no heredoc there (its body lines become
    instructions of their own)."""
    target = instruction.effective
    if target.keyword not in ("RUN", "COPY", "ADD") or target.json or instruction.heredocs:
        return None
    return instruction if _FALSE_HEREDOC.search(instruction.original) else None


def _after_false_heredoc(problem: Problem, opener: Instruction) -> Problem:
    match = _FALSE_HEREDOC.search(opener.original)
    word = match.group(1) if match else "EOF"
    advice = (
        f"`<<- {word}` on line {opener.start_line} is not a heredoc for BuildKit (a blank "
        f"after `<<-` ends the word), so the lines below it are read as instructions; write "
        f"`<<-{word}`"
    )
    return Problem(problem.kind, problem.span, problem.reason, advice)


def validate(dockerfile: Dockerfile, raw_lines: Iterable[tuple[int, int]] = ()) -> list[Problem]:
    """Every reason BuildKit refuses the file (BuildKit itself stops at the first).

    ``raw_lines`` gives (line number, length in bytes) of physical lines longer than
    BuildKit's scanner reads.
    """
    problems: list[Problem] = []
    for number, size in raw_lines:
        text = dockerfile.lines[number - 1] if number <= len(dockerfile.lines) else ""
        problems.append(
            Problem(
                "invalid-instruction",
                Span(number, 1, number, len(text) + 1),
                f"dockerfile line greater than max allowed size of {MAX_LINE_BYTES}",
                f"line {number} is {size} bytes: split it with line continuations",
            )
        )
    check = dockerfile.directive("check")
    if check:
        try:
            parse_check_options(check.split(" ", 1)[0])
        except ValueError as exc:
            line = next(item.line for item in dockerfile.directives if item.name == "check")
            text = dockerfile.lines[line - 1]
            problems.append(
                Problem(
                    "invalid-instruction",
                    Span(line, 1, line, len(text.rstrip()) + 1),
                    f"failed to parse check options: {exc}",
                    "write # check=skip=<check>[,<check>...][;error=true|false]",
                )
            )
    seen_from = False
    not_heredoc: Instruction | None = None
    for instruction in dockerfile.instructions:
        problem = check_instruction(instruction)
        if problem is not None:
            if problem.kind == "unknown-instruction" and not_heredoc is not None:
                problem = _after_false_heredoc(problem, not_heredoc)
            problems.append(problem)
            continue
        if instruction.known:
            not_heredoc = _false_heredoc(instruction)
        if instruction.keyword == "RUN" and instruction.flag_values("device"):
            syntax = dockerfile.directive("syntax") or ""
            if "labs" not in syntax:
                problems.append(
                    Problem(
                        "invalid-instruction",
                        instruction.span,
                        "device feature is only supported in Dockerfile frontend 1.14.0-labs "
                        "or later",
                        "make the first line `# syntax=docker/dockerfile:1-labs`, or remove "
                        "--device",
                    )
                )
        if instruction.keyword == "FROM":
            seen_from = True
        elif not seen_from and instruction.keyword != "ARG":
            problems.append(
                Problem(
                    "invalid-instruction",
                    instruction.span,
                    "no build stage in current context",
                    f"only ARG may come before the first FROM; move {instruction.keyword} "
                    "below a FROM",
                )
            )
    if not dockerfile.stages and dockerfile.instructions and not problems:
        last = dockerfile.instructions[-1]
        problems.append(
            Problem(
                "invalid-instruction",
                last.span,
                "dockerfile contains no stages to build",
                "add a FROM instruction",
            )
        )
    problems.sort(key=lambda item: (item.span.line, item.span.column))
    return problems


# --- platform values (containerd/platforms.Parse, as BuildKit calls it) ---------------------

_OS_RE = lazyre.compile(r"([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.%-]*)((?:\+[A-Za-z0-9_.%-]+)*)\))?\Z")
# osRe as Go's %q shows it in the error
_OS_RE_SHOWN = '"^([A-Za-z0-9_-]+)(?:\\\\(([A-Za-z0-9_.%-]*)((?:\\\\+[A-Za-z0-9_.%-]+)*)\\\\))?$"'
_SPECIFIER_RE = lazyre.compile(r"[A-Za-z0-9_.-]+\Z")
_KNOWN_OS = frozenset(
    _words(
        "aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd "
        "plan9 solaris windows zos "
    )
)
_KNOWN_ARCH = frozenset(
    _words(
        "386 amd64 amd64p32 arm armbe arm64 arm64be ppc64 ppc64le loong64 mips mipsle mips64 "
        "mips64le mips64p32 mips64p32le ppc riscv riscv64 s390 s390x sparc sparc64 wasm "
    )
)
_ARCH_ALIASES = {"i386": "386", "x86_64": "amd64", "x86-64": "amd64", "aarch64": "arm64"}
_ARCH_ALIASES |= {"armhf": "arm", "armel": "arm"}


def platform_error(specifier: str) -> str | None:
    """containerd's platforms.Parse error for ``specifier``, or None when it parses."""
    invalid = "invalid argument"
    if "*" in specifier:
        return f"{go_quote(specifier)}: wildcards not yet supported: {invalid}"
    parts = specifier.split("/", 3)
    for index, part in enumerate(parts):
        if index == 0:
            if not _OS_RE.match(part):
                return (
                    f"{go_quote(part)} is an invalid OS component of {go_quote(specifier)}: "
                    f"OSAndVersion specifier component must match {_OS_RE_SHOWN}: {invalid}"
                )
        elif not _SPECIFIER_RE.match(part):
            return (
                f"{go_quote(part)} is an invalid component of {go_quote(specifier)}: platform "
                f'specifier component must match "^[A-Za-z0-9_.-]+$": {invalid}'
            )
    if len(parts) == 1:
        name = _OS_RE.match(parts[0])
        os_name = name.group(1).lower() if name else ""
        if os_name in _KNOWN_OS:
            return None
        arch = parts[0].lower()
        if _ARCH_ALIASES.get(arch, arch) in _KNOWN_ARCH:
            return None
        return f"{go_quote(specifier)}: unknown operating system or architecture: {invalid}"
    if len(parts) in (2, 3):
        return None
    return f"{go_quote(specifier)}: cannot parse platform specifier: {invalid}"
