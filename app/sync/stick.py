"""A folder on a USB stick, treated as hostile (laptop export, office import, receipts, statuses).

Whoever prepared the stick may have planted symbolic links, junctions, FIFOs, device nodes, huge
files or names such as ``../../keyring.json``. Everything here therefore:

* works only on plain names inside the one chosen folder (no separators, no ``..``, no absolute
  paths; :func:`plain_name`),
* never follows a link: the folder and its sub-folders are opened with ``O_NOFOLLOW`` and every
  file is opened relative to that descriptor (``dir_fd``) with ``O_NOFOLLOW``; where the platform
  lacks those (Windows), links and junctions (reparse points) are refused by ``lstat`` and the opened
  file must be the very one that was looked at,
* opens only regular files (never a device or FIFO: ``O_NONBLOCK`` so a FIFO cannot make us wait)
  and reads at most ``limit`` bytes,
* writes into a new file created exclusively (``O_CREAT | O_EXCL | O_NOFOLLOW``) in the same folder,
  fsynced, then renamed over the target (a rename replaces a planted link, it never writes through
  it).

Refusals are :class:`StickError` with a stable ``code`` the caller turns into a translated message.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

# The stick's layout, read and written by the laptop (app.services.sync_usb) and the office
# (app.server.usb_import): the manifest of batches, the office's receipts for them, the statuses
# for the laptop, and the office's list of civil parties.
MANIFEST_FILE = "manifest.json"
RECEIPTS_FOLDER = "receipts"
STATUSES_FOLDER = "statuses"
LISTS_FOLDER = "lists"

MAX_MANIFEST_BYTES = 4 * 1024 * 1024
MAX_SMALL_FILE_BYTES = 4 * 1024 * 1024  # a receipt, a status document, an error note

_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_REPARSE_POINT = getattr(stat, "FILE_ATTRIBUTE_REPARSE_POINT", 0x400)
_HAS_DIR_FD = os.open in os.supports_dir_fd and os.replace in os.supports_dir_fd


class StickError(Exception):
    """The stick folder (or one file on it) cannot be used safely.

    Codes: ``link`` (a symbolic link or junction), ``name`` (a name that leaves the folder),
    ``not_file`` (a device, FIFO or folder where a file belongs), ``too_large``, ``missing``,
    ``not_folder``, ``io`` (the operating system refused).
    """

    def __init__(self, code: str, name: str, detail: str = "") -> None:
        super().__init__(f"{code}: {name}" + (f" ({detail})" if detail else ""))
        self.code = code
        self.name = name
        self.detail = detail


def plain_name(name: object) -> str:
    """``name`` if it is one plain file name inside the folder, else ``StickError('name')``."""
    if not isinstance(name, str) or not _PLAIN_NAME.fullmatch(name) or ".." in name:
        raise StickError("name", str(name)[:80])
    return name


def _is_link(info: os.stat_result) -> bool:
    attributes = getattr(info, "st_file_attributes", 0)
    return stat.S_ISLNK(info.st_mode) or bool(attributes & _REPARSE_POINT)


def _os_error(error: OSError, name: str) -> StickError:
    if error.errno == errno.ELOOP or error.errno == errno.EMLINK:
        return StickError("link", name)
    if error.errno == errno.ENOENT:
        return StickError("missing", name)
    if error.errno in (errno.ENOTDIR, errno.EISDIR):
        return StickError("not_file", name)
    return StickError("io", name, error.strerror or str(error))


class StickFolder:
    """One folder on the stick, held open so that nothing can swap it for a link meanwhile."""

    def __init__(self, path: Path, fd: int | None) -> None:
        self.path = path
        self._fd = fd

    # --- opening -------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, create: bool = False) -> StickFolder:
        """The folder at ``path`` (made if ``create``); refused if it is a link or not a folder."""
        if create:
            try:
                path.mkdir(parents=True, exist_ok=True)
            except FileExistsError as error:
                raise StickError("not_folder", path.name) from error
            except OSError as error:
                raise _os_error(error, path.name) from error
        return cls._open_at(path, None, path)

    @classmethod
    def _open_at(cls, path: Path, parent_fd: int | None, shown: Path) -> StickFolder:
        try:
            info = os.lstat(path if parent_fd is None else path.name, dir_fd=parent_fd)
        except OSError as error:
            raise _os_error(error, shown.name) from error
        if _is_link(info):
            raise StickError("link", shown.name)
        if not stat.S_ISDIR(info.st_mode):
            raise StickError("not_folder", shown.name)
        if not _HAS_DIR_FD:
            return cls(path, None)
        try:
            fd = os.open(
                path if parent_fd is None else path.name,
                os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC,
                dir_fd=parent_fd,
            )
        except OSError as error:
            raise _os_error(error, shown.name) from error
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
            os.close(fd)
            raise StickError("link", shown.name)
        return cls(path, fd)

    def subfolder(self, name: str, create: bool = False) -> StickFolder:
        plain_name(name)
        if create:
            try:
                os.mkdir(self._target(name), dir_fd=self._fd)
            except FileExistsError:
                pass
            except OSError as error:
                raise _os_error(error, name) from error
        return self._open_at(self.path / name, self._fd, self.path / name)

    def close(self) -> None:
        if self._fd is not None:
            with suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def __enter__(self) -> StickFolder:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _target(self, name: str) -> str | Path:
        return name if self._fd is not None else self.path / name

    # --- reading -------------------------------------------------------------------------------

    def names(self) -> list[str]:
        """Plain names of the regular files in the folder (links, devices and odd names left out)."""
        try:
            entries = os.listdir(self._fd if self._fd is not None else self.path)
        except OSError as error:
            raise _os_error(error, self.path.name) from error
        found = []
        for name in sorted(entries):
            if not _PLAIN_NAME.fullmatch(name) or ".." in name:
                continue
            try:
                info = os.lstat(self._target(name), dir_fd=self._fd)
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode) and not _is_link(info):
                found.append(name)
        return found

    def exists(self, name: str) -> bool:
        try:
            os.lstat(self._target(plain_name(name)), dir_fd=self._fd)
        except OSError:
            return False
        return True

    def read(self, name: str, limit: int) -> bytes:
        """The bytes of regular file ``name`` (at most ``limit``, else ``too_large``)."""
        plain_name(name)
        target = self._target(name)
        try:
            before = os.lstat(target, dir_fd=self._fd)
        except OSError as error:
            raise _os_error(error, name) from error
        if _is_link(before):
            raise StickError("link", name)
        if not stat.S_ISREG(before.st_mode):
            raise StickError("not_file", name)
        if before.st_size > limit:
            raise StickError("too_large", name)
        flags = os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _BINARY | _CLOEXEC
        try:
            fd = os.open(target, flags, dir_fd=self._fd)
        except OSError as error:
            raise _os_error(error, name) from error
        try:
            opened = os.fstat(fd)
            if (opened.st_dev, opened.st_ino) != (before.st_dev, before.st_ino):
                raise StickError("link", name)  # swapped between the look and the open
            if not stat.S_ISREG(opened.st_mode):
                raise StickError("not_file", name)
            chunks: list[bytes] = []
            total = 0
            while True:
                chunk = os.read(fd, min(1 << 20, limit + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
                if total > limit:
                    raise StickError("too_large", name)  # grew while being read
        except OSError as error:
            raise _os_error(error, name) from error
        finally:
            os.close(fd)
        return b"".join(chunks)

    # --- writing -------------------------------------------------------------------------------

    def write(self, name: str, data: bytes) -> None:
        """Replace ``name`` with ``data``: a fresh exclusive file, fsynced, renamed into place."""
        plain_name(name)
        temporary = f".{name[:60]}.{secrets.token_hex(8)}.part"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY | _CLOEXEC
        try:
            fd = os.open(self._target(temporary), flags, 0o600, dir_fd=self._fd)
        except OSError as error:
            raise _os_error(error, name) from error
        try:
            try:
                view = memoryview(data)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(
                self._target(temporary),
                self._target(name),
                src_dir_fd=self._fd,
                dst_dir_fd=self._fd,
            )
        except OSError as error:
            with suppress(OSError):
                os.unlink(self._target(temporary), dir_fd=self._fd)
            raise _os_error(error, name) from error
        if self._fd is not None:
            with suppress(OSError):
                os.fsync(self._fd)


@contextmanager
def stick_folder(path: Path, create: bool = False) -> Iterator[StickFolder]:
    folder = StickFolder.open(path, create=create)
    try:
        yield folder
    finally:
        folder.close()
