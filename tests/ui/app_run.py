"""Running the app (``python -m app.main``) in a fresh child process, for the start-up tests
(test_first_paint, test_main_window_first_paint, test_window_frame): a laptop set up for one
officer, the app started as that officer with the password in the environment (as a forum kiosk
signs in), and what it reported (``--report-modules``, ``--report-painted``) read back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

OFFICER = "officer"
PASSWORD = "long enough 1"


def officer_laptop(tmp_path: Path, name: str = "home") -> Path:
    """A data folder set up with one officer (administrator) and the test-speed key derivation."""
    from app.services.accounts import first_run_setup

    os.environ["VSS_OUTREACH_FAST_KDF"] = "1"
    home = tmp_path / name
    ctx, _code = first_run_setup(home, OFFICER, "Officer", PASSWORD, "Laptop", "km")
    ctx.close()
    return home


def app_environment(home: Path, password: str | None = None) -> dict[str, str]:
    """Offscreen, the test-speed key derivation, and the password in the environment only when
    given (without it the app shows its sign-in window)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "VSS_OUTREACH_FAST_KDF": "1"}
    env.pop("VSS_OUTREACH_PASSWORD", None)
    env["VSS_OUTREACH_HOME"] = str(home)
    if password is not None:
        env["VSS_OUTREACH_PASSWORD"] = password
    return env


def run_app(
    home: Path, *arguments: str, password: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m app.main --home HOME ARGUMENTS``; its exit code and output are the caller's
    to check."""
    return subprocess.run(
        [sys.executable, "-m", "app.main", "--home", str(home), *arguments],
        capture_output=True,
        text=True,
        env=app_environment(home, password),
        timeout=120,
    )


def run_as_officer(
    home: Path, *arguments: str, password: str = PASSWORD
) -> subprocess.CompletedProcess[str]:
    """The app signed in as the officer from the environment (``--user``, the password set)."""
    return run_app(home, "--user", OFFICER, *arguments, password=password)


def read_report(path: Path) -> Any:
    """What the app wrote with ``--report-modules`` or ``--report-painted``."""
    return json.loads(path.read_text(encoding="utf-8"))
