"""dflint's own XDG lookup on Linux: the XDG Base Directory rules, as platformdirs reads them."""

from __future__ import annotations

import sys

import platformdirs
import pytest

from dflint.userdirs import user_cache_dir, user_data_dir

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux rule")


@pytest.mark.parametrize(
    ("xdg", "cache", "data"),
    [
        (None, "/home/someone/.cache/dflint", "/home/someone/.local/share/dflint"),
        ("", "/home/someone/.cache/dflint", "/home/someone/.local/share/dflint"),
        ("   ", "/home/someone/.cache/dflint", "/home/someone/.local/share/dflint"),
        # relative paths are invalid and ignored
        ("relative/xdg", "/home/someone/.cache/dflint", "/home/someone/.local/share/dflint"),
        ("/srv/xdg", "/srv/xdg/dflint", "/srv/xdg/dflint"),
    ],
)
def test_the_xdg_rules(
    monkeypatch: pytest.MonkeyPatch, xdg: str | None, cache: str, data: str
) -> None:
    monkeypatch.setenv("HOME", "/home/someone")
    for variable in ("XDG_CACHE_HOME", "XDG_DATA_HOME"):
        if xdg is None:
            monkeypatch.delenv(variable, raising=False)
        else:
            monkeypatch.setenv(variable, xdg)
    assert (user_cache_dir(), user_data_dir()) == (cache, data)
    if xdg is None or xdg.startswith("/"):  # where every platformdirs release agrees
        assert user_cache_dir() == platformdirs.user_cache_dir("dflint", appauthor=False)
        assert user_data_dir() == platformdirs.user_data_dir("dflint", appauthor=False)
