"""A visible "working…" while a short job blocks the window (deriving keys from a password takes
about a second on a field laptop): the wait cursor, a message, and the button disabled, so the
officer does not press again or think the app has frozen."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import Qt
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QApplication, QLabel, QPushButton


@contextmanager
def busy(message_label: QLabel, text: str, button: QPushButton | None = None) -> Iterator[None]:
    previous = message_label.text()
    message_label.setText(text)
    message_label.setVisible(True)
    if button is not None:
        button.setEnabled(False)
    QApplication.setOverrideCursor(QCursor(Qt.CursorShape.WaitCursor))
    # Paint the message before the work starts.
    message_label.repaint()
    QApplication.processEvents()
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()
        if button is not None:
            button.setEnabled(True)
        if message_label.text() == text:
            message_label.setText(previous)
