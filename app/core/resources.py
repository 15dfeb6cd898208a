"""Where the app's bundled, read-only resources live (forms, locales, assets).

From a source checkout they sit at the repository root; in a PyInstaller build they sit in the
bundle's data folder (``sys._MEIPASS``). Everything that reads a resource asks here, so a frozen
build and a checkout behave the same.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

RESOURCE_ROOT_ENV = "VSS_OUTREACH_RESOURCES"


def resource_root() -> Path:
    """The folder that holds ``forms/``, ``locales/`` and ``assets/``."""
    override = os.environ.get(RESOURCE_ROOT_ENV)
    if override:
        return Path(override)
    bundle_dir = getattr(sys, "_MEIPASS", None)
    if bundle_dir:
        return Path(bundle_dir)
    return _CHECKOUT_ROOT


# Resolved once: resources are looked up for every record of a bulk import.
_CHECKOUT_ROOT = Path(__file__).resolve().parents[2]


def forms_dir() -> Path:
    return resource_root() / "forms"


def locales_dir() -> Path:
    return resource_root() / "locales"


def assets_dir() -> Path:
    return resource_root() / "assets"


def fonts_dir() -> Path:
    return assets_dir() / "fonts"
