"""Writing a file that holds applicant data (a PDF, an export) so that it exists only when whole.

A half-written or abandoned file next to the real one (``receipt.pdf.part``) is a leak: it holds a
full record and nobody knows it is there. So the data goes to a hidden temporary file in the
target folder (same folder, so the final rename is atomic), which is renamed only when complete.
Its path is noted in a journal in the app's data folder before the first byte is written and
taken off once renamed. A failed write removes the file at once; after a killed process or a
power cut the next start of the app removes whatever the journal still lists
(:func:`remove_unfinished_files`). (Linux's unnamed O_TMPFILE files were tried: linking them
into place fails in some sandboxes, and Windows, where officers work, has no equivalent.)
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

JOURNAL_NAME = "unfinished-files.txt"
TEMPORARY_PREFIX = ".vss-"
TEMPORARY_SUFFIX = ".part"
CHUNK = 1 << 20


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(descriptor, view[:CHUNK])
        view = view[written:]
    os.fsync(descriptor)


def _temporary_name(path: Path) -> Path:
    return path.with_name(f"{TEMPORARY_PREFIX}{secrets.token_hex(6)}{TEMPORARY_SUFFIX}")


def _journal_lines(journal: Path) -> list[str]:
    try:
        return [line for line in journal.read_text(encoding="utf-8").splitlines() if line]
    except (FileNotFoundError, UnicodeDecodeError):
        return []


def _journal_write(journal: Path, lines: list[str]) -> None:
    if not lines:
        journal.unlink(missing_ok=True)
        return
    journal.parent.mkdir(parents=True, exist_ok=True)
    journal.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")


def write_private_file(path: Path, data: bytes, journal_folder: Path | None = None) -> None:
    """Write ``data`` to ``path`` (replacing it) so that no partial or stray copy ever remains.

    ``journal_folder`` is the app's data folder, where the temporary name is noted until the
    rename. Raises OSError (the caller words it for the officer).
    """
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    temporary = _temporary_name(path)
    journal = journal_folder / JOURNAL_NAME if journal_folder is not None else None
    if journal is not None:
        _journal_write(journal, [*_journal_lines(journal), str(temporary)])
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            _write_all(descriptor, data)
        finally:
            os.close(descriptor)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise
    finally:
        if journal is not None:
            with contextlib.suppress(OSError):
                _journal_write(journal, [n for n in _journal_lines(journal) if n != str(temporary)])


def remove_unfinished_files(journal_folder: Path) -> list[Path]:
    """At start: remove temporary files a killed write left behind; returns those removed."""
    journal = journal_folder / JOURNAL_NAME
    removed: list[Path] = []
    for line in _journal_lines(journal):
        leftover = Path(line)
        # Only our own temporary names are ever removed, whatever the journal file says.
        if not (
            leftover.name.startswith(TEMPORARY_PREFIX) and leftover.name.endswith(TEMPORARY_SUFFIX)
        ):
            continue
        with contextlib.suppress(OSError):
            if leftover.exists():
                leftover.unlink()
                removed.append(leftover)
    with contextlib.suppress(OSError):
        journal.unlink(missing_ok=True)
    return removed
