"""VSS Outreach: offline intake, rights information, printing and sync for the Victims Support Section."""

from __future__ import annotations

from functools import lru_cache

APP_NAME = "VSS Outreach"


@lru_cache(maxsize=1)
def _read_version() -> str:
    # importlib.metadata costs ~75 ms to import: read the version only when something asks.
    from importlib import metadata

    try:
        return metadata.version("vss-outreach")
    except metadata.PackageNotFoundError:  # a frozen build without dist-info
        return "0.0.0+unknown"


def __getattr__(name: str) -> str:
    """``app.__version__``, from the installed package metadata (pyproject.toml's version)."""
    if name == "__version__":
        return _read_version()
    raise AttributeError(f"module 'app' has no attribute {name!r}")
