"""The user's cache and data directories for dflint, found without platformdirs on Linux.

platformdirs costs 5-10 ms of start-up (it imports pathlib, tempfile and configparser), more
than the rest of a small lint; on Linux its answer is the XDG rule below, which is all it does
there (tests/test_userdirs.py holds the cases). Other systems ask platformdirs.
"""

from __future__ import annotations

import os
import sys

APP = "dflint"
# Where dflint keeps its caches instead (the platform cache, and the compiled methods beside it).
ENV_CACHE_DIR = "DFLINT_CACHE_DIR"


def _xdg(variable: str, default: str) -> str:
    root = os.environ.get(variable, "")
    # the XDG spec: a relative path "is invalid and should be ignored"
    if not os.path.isabs(root):
        root = os.path.expanduser(default)
    return os.path.join(root, APP)


def user_cache_dir() -> str:
    """``$XDG_CACHE_HOME/dflint`` or ``~/.cache/dflint`` on Linux; platformdirs' elsewhere."""
    if sys.platform.startswith("linux"):
        return _xdg("XDG_CACHE_HOME", "~/.cache")
    import platformdirs

    return platformdirs.user_cache_dir(APP, appauthor=False)


def user_data_dir() -> str:
    """``$XDG_DATA_HOME/dflint`` or ``~/.local/share/dflint`` on Linux; platformdirs'
    elsewhere."""
    if sys.platform.startswith("linux"):
        return _xdg("XDG_DATA_HOME", "~/.local/share")
    import platformdirs

    return platformdirs.user_data_dir(APP, appauthor=False)
