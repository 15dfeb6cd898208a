"""Making a written file, and a file renamed into a folder, survive a power cut.

A field laptop runs on battery: a backup, a key rotation or a restore that renames a file into
place must be on the disk before it is reported done. ``os.replace`` is atomic but not durable:
the file's bytes and the folder entry the rename made each need an fsync.
"""

from __future__ import annotations

import os
from pathlib import Path


def fsync_file(path: Path) -> None:
    """Flush a written file's bytes to the disk."""
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename into it) to the disk; POSIX only (Windows makes a
    rename durable with the file and cannot open a folder for this)."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
