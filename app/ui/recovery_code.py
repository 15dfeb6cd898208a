"""The recovery code, shown once when it is made or replaced (set-up, a reset with the old code):
the officer confirms it is written down before going on."""

from __future__ import annotations

from PySide6 import QtCore
from PySide6.QtWidgets import QCheckBox, QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from app.ui.text import _


class RecoveryCodeDialog(QDialog):
    """Shown once: the code that opens the records if every password is forgotten."""

    def __init__(self, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Recovery code"))
        explain = QLabel(
            _(
                "Write this code on paper and keep it locked away at the office, not with the "
                "laptop. It opens the records if every password is forgotten. It is shown only once."
            )
        )
        explain.setWordWrap(True)
        self.code = QLabel(code)
        self.code.setObjectName("recoveryCode")
        self.code.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code.setStyleSheet("font-size: 20pt; font-family: monospace; padding: 12px;")
        self.confirm = QCheckBox(_("I have written the code down"))
        self.confirm.setObjectName("confirmWritten")
        self.ok = QPushButton(_("Continue"))
        self.ok.setEnabled(False)
        self.confirm.toggled.connect(self.ok.setEnabled)
        self.ok.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        for widget in (explain, self.code, self.confirm, self.ok):
            layout.addWidget(widget)
