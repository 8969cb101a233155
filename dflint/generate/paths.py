"""Paths and environment-variable names between their Linux and Windows spellings.

``/app`` ↔ ``C:\\app``: a Linux absolute path becomes the same path on drive C. The mapping
is plain so that it is reversible (a variant translated back gives the source). Paths that
only mean something to one OS (``/etc``, ``/proc``, ``C:\\Windows``, ``C:\\Program Files``)
have no counterpart: they raise :class:`Untranslatable`, and the instruction is copied and
marked instead of being silently wrong. Users can add their own prefixes in config.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from dflint import lazyre

TargetOS = Literal["linux", "windows"]


class Untranslatable(Exception):
    """Something with no counterpart on the target: the message says what and why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# Prefixes whose meaning is the OS's own layout: no same-named folder on the other OS does
# the same job, so translating them would give a path that exists but means nothing.
LINUX_SYSTEM_PATHS: tuple[str, ...] = (
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/home",
    "/lib",
    "/lib32",
    "/lib64",
    "/proc",
    "/root",
    "/run",
    "/sbin",
    "/sys",
    "/usr/bin",
    "/usr/include",
    "/usr/lib",
    "/usr/libexec",
    "/usr/sbin",
    "/usr/share",
    "/var/cache",
    "/var/lib",
    "/var/log",
    "/var/run",
)
WINDOWS_SYSTEM_PATHS: tuple[str, ...] = (
    "C:\\Windows",
    "C:\\Program Files",
    "C:\\Program Files (x86)",
    "C:\\ProgramData",
    "C:\\Users",
)
# Folders that exist on both with the same job, checked before the system prefixes.
DEFAULT_PATH_MAP: tuple[tuple[str, str], ...] = (("/tmp", "C:\\Windows\\Temp"),)

# Environment variables with the same meaning under another name.
LINUX_TO_WINDOWS_VARIABLES: dict[str, str] = {
    "HOME": "USERPROFILE",
    "HOSTNAME": "COMPUTERNAME",
}
WINDOWS_TO_LINUX_VARIABLES: dict[str, str] = {
    value.upper(): key for key, value in LINUX_TO_WINDOWS_VARIABLES.items()
}
# Variables only one OS sets; a reference to one of them cannot be carried across.
LINUX_ONLY_VARIABLES = frozenset({"USER", "PWD", "OLDPWD", "SHELL", "LANG", "TERM", "UID"})
WINDOWS_ONLY_VARIABLES = frozenset(
    {
        "PROCESSOR_ARCHITECTURE",
        "PROCESSOR_IDENTIFIER",
        "PROCESSOR_LEVEL",
        "PROCESSOR_REVISION",
        "NUMBER_OF_PROCESSORS",
        "PROGRAMFILES",
        "PROGRAMFILES(X86)",
        "PROGRAMDATA",
        "SYSTEMROOT",
        "SYSTEMDRIVE",
        "WINDIR",
        "COMSPEC",
        "PATHEXT",
        "APPDATA",
        "LOCALAPPDATA",
        "USERNAME",
        "USERDOMAIN",
        "TEMP",
        "TMP",
        "OS",
        "CD",
        "ERRORLEVEL",
    }
)

_WINDOWS_ABSOLUTE = lazyre.compile(r"[A-Za-z]:(?:[\\/]|\Z)")
_URL = lazyre.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def is_linux_absolute(text: str) -> bool:
    return text.startswith("/") and not text.startswith("//")


def is_windows_absolute(text: str) -> bool:
    return _WINDOWS_ABSOLUTE.match(text) is not None


def is_url(text: str) -> bool:
    return _URL.match(text) is not None


def _under(path: str, prefix: str, separator: str, fold: bool) -> bool:
    if fold:
        path, prefix = path.lower(), prefix.lower()
    return path == prefix or path.startswith(prefix.rstrip(separator) + separator)


def to_windows(path: str, extra: Mapping[str, str] | None = None) -> str:
    """A Linux path on Windows: ``/app/x`` → ``C:\\app\\x``; relative ones keep their form."""
    if not is_linux_absolute(path):
        return path
    for source, target in (*(extra or {}).items(), *DEFAULT_PATH_MAP):
        if _under(path, source, "/", fold=False):
            rest = path[len(source.rstrip("/")) :]
            return target.rstrip("\\") + rest.replace("/", "\\")
    for prefix in LINUX_SYSTEM_PATHS:
        if _under(path, prefix, "/", fold=False):
            raise Untranslatable(f"{path} is a Linux system path with no Windows counterpart")
    return "C:" + path.replace("/", "\\")


def to_linux(path: str, extra: Mapping[str, str] | None = None) -> str:
    """A Windows path on Linux: ``C:\\app\\x`` → ``/app/x``; relative ones get ``/``."""
    if not is_windows_absolute(path):
        rooted = path.startswith(("/", "\\")) and not path.startswith(("//", "\\\\"))
        if rooted:
            # Docker on Windows reads `/Windows/System32` as C:\Windows\System32
            normal = "C:" + path.replace("/", "\\")
            for prefix in WINDOWS_SYSTEM_PATHS:
                if _under(normal, prefix, "\\", fold=True):
                    raise Untranslatable(
                        f"{path} is a Windows system path with no Linux counterpart"
                    )
        if "\\" in path and not path.startswith("\\\\"):
            return path.replace("\\", "/")
        return path
    normal = path.replace("/", "\\")
    for target, source in (*(extra or {}).items(), *DEFAULT_PATH_MAP):
        if _under(normal, source, "\\", fold=True):
            rest = normal[len(source.rstrip("\\")) :]
            return target.rstrip("/") + rest.replace("\\", "/")
    if normal[0].upper() != "C":
        raise Untranslatable(
            f"{path} is on drive {normal[0].upper()}:, which Linux has no name for"
        )
    for prefix in WINDOWS_SYSTEM_PATHS:
        if _under(normal, prefix, "\\", fold=True):
            raise Untranslatable(f"{path} is a Windows system path with no Linux counterpart")
    rest = normal[2:].replace("\\", "/")
    return rest if rest.startswith("/") else "/" + rest


def translate(path: str, target: TargetOS, extra: Mapping[str, str] | None = None) -> str:
    return to_windows(path, extra) if target == "windows" else to_linux(path, extra)


def looks_like_path(text: str, source: TargetOS) -> bool:
    """Whether a word is an absolute path of the source OS (a URL is not)."""
    if is_url(text):
        return False
    return is_windows_absolute(text) if source == "windows" else is_linux_absolute(text)


def variable_name(name: str, target: TargetOS) -> str:
    """The name a variable has on the target; raises when only the source OS sets it."""
    if target == "windows":
        if name in LINUX_ONLY_VARIABLES:
            raise Untranslatable(f"${name} is set by Linux shells only")
        return LINUX_TO_WINDOWS_VARIABLES.get(name, name)
    upper = name.upper()
    if upper in WINDOWS_ONLY_VARIABLES:
        raise Untranslatable(f"%{name}% is set by Windows only")
    return WINDOWS_TO_LINUX_VARIABLES.get(upper, name)


def assigned_name(name: str, target: TargetOS) -> str:
    """The name to set on the target: a known equivalent, else the name itself."""
    if target == "windows":
        return LINUX_TO_WINDOWS_VARIABLES.get(name, name)
    return WINDOWS_TO_LINUX_VARIABLES.get(name.upper(), name)


def is_path_list_name(name: str) -> bool:
    """PATH-like variables hold a list of folders, ``:``-separated on Linux, ``;`` on Windows."""
    return name.upper().endswith("PATH")
