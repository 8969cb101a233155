"""Windows OS builds named by image tags (ltsc2019, 1809, 10.0.17763.1234, …).

Process-isolated Windows containers need the host's build; Nano Server lost Windows
PowerShell in build 16299 (1709). Both questions need the build number behind a tag.
"""

from __future__ import annotations

from dflint import lazyre

# Release names and the build number they stand for.
BUILDS: dict[str, int] = {
    "ltsc2016": 14393,
    "sac2016": 14393,
    "1607": 14393,
    "1709": 16299,
    "1803": 17134,
    "ltsc2019": 17763,
    "1809": 17763,
    "1903": 18362,
    "1909": 18363,
    "2004": 19041,
    "20h2": 19042,
    "2009": 19042,
    "ltsc2022": 20348,
    "ltsc2025": 26100,
}
NAMES: dict[int, str] = {
    14393: "ltsc2016",
    16299: "1709",
    17134: "1803",
    17763: "ltsc2019 (1809)",
    18362: "1903",
    18363: "1909",
    19041: "2004",
    19042: "20H2",
    20348: "ltsc2022",
    26100: "ltsc2025",
}
_FULL = lazyre.compile(r"(?<![\d.])10\.0\.(\d{5})(?!\d)")
_TOKEN = lazyre.compile(r"(?<![a-z0-9])(" + "|".join(BUILDS) + r")(?![a-z0-9])")
NANOSERVER_WITHOUT_POWERSHELL = 16299


def windows_build(image: str) -> int | None:
    """The Windows build an image reference names, when its tag or name says it."""
    text = image.lower().split("@", 1)[0]
    match = _FULL.search(text)
    if match is not None:
        return int(match.group(1))
    found = {BUILDS[token] for token in _TOKEN.findall(text)}
    return found.pop() if len(found) == 1 else None


def build_name(build: int) -> str:
    return NAMES.get(build, f"10.0.{build}")
