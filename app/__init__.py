"""VSS Outreach: offline intake, rights information, printing and sync for the Victims Support Section."""

from __future__ import annotations

from importlib import metadata


def _read_version() -> str:
    try:
        return metadata.version("vss-outreach")
    except metadata.PackageNotFoundError:  # a frozen build without dist-info
        return "0.0.0+unknown"


__version__ = _read_version()
APP_NAME = "VSS Outreach"
