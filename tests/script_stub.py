"""Run a generated ``manifest.sh`` for real under ``sh``, with ``docker`` (or ``buildah``)
replaced by a stub that records every call: the argument vector exactly as the program
would receive it, and the folder it ran in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

STUB = """#!{python}
import json, os, sys
with open(os.environ["STUB_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps([os.path.basename(sys.argv[0]), os.getcwd(), *sys.argv[1:]]) + "\\n")
"""


def run_script(
    script: Path, tools: Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> tuple[subprocess.CompletedProcess[str], list[list[str]]]:
    """Run ``sh script`` with stub ``docker`` and ``buildah`` first on PATH (in ``tools``);
    returns the result and the calls, each ``[program, working folder, *arguments]``."""
    tools.mkdir(exist_ok=True)
    for name in ("docker", "buildah"):
        stub = tools / name
        stub.write_text(STUB.format(python=sys.executable))
        stub.chmod(0o755)
    log = tools / "calls.jsonl"
    log.unlink(missing_ok=True)
    environment = {
        **os.environ,
        **(env or {}),
        "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}",
        "STUB_LOG": str(log),
    }
    result = subprocess.run(
        ["sh", str(script)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd or script.parent,
        timeout=60,
    )
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return result, calls
