"""Errors on screen: an officer-facing error shows its own translated message; anything else is a
bug, saved to the log for the office (``app.services.error_log``) and shown as a short apology."""

from __future__ import annotations

import sys
from types import TracebackType

from PySide6.QtWidgets import QApplication, QWidget

from app.i18n import _
from app.services.error_log import apology, describe, report_bug

__all__ = ["describe", "install_error_hook", "show_error"]


def show_error(parent: QWidget | None, error: BaseException, where: str) -> None:
    """A message box for ``error`` (its message, or the apology for a bug)."""
    from PySide6.QtWidgets import QMessageBox  # built when first needed, not before first paint

    QMessageBox.warning(parent, _("VSS Outreach"), describe(error, where))


_apologising = False  # one apology box at a time, even if a timer's slot keeps failing


def _hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    global _apologising
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, tb)
        return
    if error.__traceback__ is None:
        error.__traceback__ = tb
    report_bug(error, "uncaught")
    if _apologising or QApplication.instance() is None:
        return
    _apologising = True
    from PySide6.QtWidgets import QMessageBox

    try:
        QMessageBox.warning(QApplication.activeWindow(), _("VSS Outreach"), apology())
    finally:
        _apologising = False


def install_error_hook() -> None:
    """An exception nobody caught in a Qt slot is a bug: log it and apologise (Qt would only
    print it to a console the officer never sees)."""
    sys.excepthook = _hook
