"""Where the officer's data lives on this machine.

The default is the platform's per-user data folder; ``VSS_OUTREACH_HOME`` overrides it for tests and for
a portable install (e.g. running from a USB stick).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

HOME_ENV = "VSS_OUTREACH_HOME"
DATABASE_FILE_NAME = "vss-outreach.db"


def data_dir() -> Path:
    override = os.environ.get(HOME_ENV)
    path = (
        Path(override)
        if override
        else Path(platformdirs.user_data_dir("VSS Outreach", "VSS", roaming=False))
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_path(home: Path | None = None) -> Path:
    return (home or data_dir()) / DATABASE_FILE_NAME


def backups_dir(home: Path | None = None) -> Path:
    path = (home or data_dir()) / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path
