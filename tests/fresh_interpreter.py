"""Code run in a fresh interpreter (nothing of the app imported yet), for tests of what a start
imports and when: the last line it printed, read as JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from typing import Any


def last_json_line(code: str, env: Mapping[str, str], *arguments: str) -> Any:
    """Run ``python -c code arguments`` with ``env``; it must succeed. What it printed last."""
    done = subprocess.run(
        [sys.executable, "-c", code, *arguments],
        capture_output=True,
        text=True,
        env=dict(env),
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
