"""The error log for the office: what went wrong in the app, never who it was about.

An unexpected exception (a bug, as opposed to a :class:`UserFacingError`) is written here with its
traceback to a rotating file in the data folder (``logs/vss-outreach.log``, a few hundred KB at
most). The office asks for it when an officer reports a problem; the About box exports it.

No applicant data may reach this file: it is not encrypted and it leaves the laptop. So the log
keeps exception *types* and where they happened (file, line, function, the line of code), and
never an exception's message: messages carry values (a name that failed to parse, an SQL
statement's parameters, a path naming a person). The only values kept are an OSError's errno
and the operating system's text for it.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import traceback
from pathlib import Path

import app
from app.core.errors import UserFacingError
from app.i18n import _

LOG_FOLDER = "logs"
LOG_FILE = "vss-outreach.log"
MAX_LOG_BYTES = 256 * 1024
LOG_BACKUPS = 3
LOGGER_NAME = "vss_outreach"

_logger = logging.getLogger(LOGGER_NAME)
_logger.propagate = False  # nothing of ours reaches handlers other libraries may install
_logger.setLevel(logging.INFO)
_APP_ROOT = Path(app.__file__).resolve().parent.parent


def log_path(home: Path) -> Path:
    return home / LOG_FOLDER / LOG_FILE


def _short(filename: str) -> str:
    """A source path without the laptop's folders (they may carry the officer's account name)."""
    path = Path(filename)
    try:
        return str(path.resolve().relative_to(_APP_ROOT))
    except (ValueError, OSError):
        return path.name


def safe_traceback(error: BaseException) -> str:
    """The traceback of ``error`` and of the exceptions that led to it, without their messages."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    lines: list[str] = []
    for number, exception in enumerate(reversed(chain)):
        if number:
            lines.append("While handling it, another exception happened:")
        lines.append("Traceback (most recent call last):")
        for frame in traceback.extract_tb(exception.__traceback__):
            lines.append(f'  File "{_short(frame.filename)}", line {frame.lineno}, in {frame.name}')
            if frame.line:
                lines.append(f"    {frame.line.strip()}")
        kind = type(exception)
        summary = f"{kind.__module__}.{kind.__qualname__}"
        if isinstance(exception, OSError) and exception.errno is not None:
            summary += f" (errno {exception.errno}: {os.strerror(exception.errno)})"
        lines.append(summary + " [message not logged: it may contain applicant data]")
    return "\n".join(lines)


class _RotatingLog(logging.Handler):
    """The rotating log file, opened at the first entry: logging.handlers (with socket, pickle
    and queue) costs ~15 ms at start-up, and most runs write nothing."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._file: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self._file is None:
            import logging.handlers

            self._file = logging.handlers.RotatingFileHandler(
                self.path,
                maxBytes=MAX_LOG_BYTES,
                backupCount=LOG_BACKUPS,
                encoding="utf-8",
                delay=True,  # errors opening the file are handled by its emit
            )
            self._file.setFormatter(self.formatter)
        self._file.handle(record)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()


class _SafeFormatter(logging.Formatter):
    def formatException(self, ei):  # type: ignore[no-untyped-def]
        error = ei[1]
        return safe_traceback(error) if error is not None else ""


def configure_logging(home: Path) -> Path:
    """Write the app's log to ``home/logs`` from now on (again after a change of data folder)."""
    path = log_path(home)
    for old in list(_logger.handlers):
        _logger.removeHandler(old)
        old.close()
    handler: logging.Handler
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = _RotatingLog(path)
    except OSError:
        handler = logging.NullHandler()  # a read-only data folder must not stop the app
    handler.setFormatter(_SafeFormatter("%(asctime)s %(levelname)s %(message)s"))
    _logger.addHandler(handler)  # the file is created at the first entry, not at start-up
    return path


def report_bug(error: BaseException, where: str) -> None:
    """Save an unexpected exception's traceback for the office. ``where`` names the action in
    code terms (``"sync_page.export_to"``), never with data."""
    import platform

    _logger.error(
        "Unexpected error in %s (VSS Outreach %s, Python %s, %s)",
        where,
        app.__version__,
        platform.python_version(),
        platform.platform(terse=True),
        exc_info=(type(error), error, error.__traceback__),
    )
    for handler in _logger.handlers:
        handler.flush()


def apology() -> str:
    return _("Sorry, something went wrong. The details were saved for the office.")


def describe(error: BaseException, where: str) -> str:
    """What to tell the officer about ``error``: its own message when it is meant for them,
    otherwise (a bug) a short apology, after saving the traceback."""
    if isinstance(error, UserFacingError):
        return error.full_text()
    report_bug(error, where)
    return apology()


def log_excepthook(kind: type[BaseException], error: BaseException, tb: object) -> None:
    """``sys.excepthook`` for the command line: the bug goes to the log, an apology to stderr."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, tb)  # type: ignore[arg-type]
        return
    print(describe(error, "uncaught"), file=sys.stderr)


def export_log(home: Path, target: Path) -> int:
    """Copy the log (older rotated parts first) to ``target`` for the office; returns its size.
    Raises UserFacingError when there is no log yet or the file cannot be written."""
    current = log_path(home)
    parts = [current.with_name(f"{current.name}.{n}") for n in range(LOG_BACKUPS, 0, -1)]
    parts.append(current)
    for handler in _logger.handlers:
        handler.flush()
    try:
        data = b"".join(part.read_bytes() for part in parts if part.exists())
    except OSError as error:
        raise UserFacingError(_("The error log could not be read.")) from error
    if not data:
        raise UserFacingError(_("There is nothing in the error log yet."))
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=".vss-log-", dir=target.parent)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, target)
    except OSError as error:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise UserFacingError(
            _("The error log could not be saved in {folder}.").format(folder=str(target.parent)),
            error.strerror or None,
        ) from error
    return len(data)
