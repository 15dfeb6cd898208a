"""The Follow-up page's list of records waiting for their signed paper, and its confirmation.

Nothing of these records is sent to the office before the officer (or a supervisor) confirms
that the applicant signed or put a thumbprint on the printed declaration (audited)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import format_stamp
from app.services import records, signatures
from app.services.context import AppContext
from app.services.security import PermissionDenied
from app.ui.text import _

ID_ROLE = Qt.ItemDataRole.UserRole


class AwaitingSignatureBox(QGroupBox):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("awaitingSignatureBox")
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("awaitingSignatureList")
        self.signed_button = QPushButton()
        self.signed_button.setObjectName("confirmSignature")
        self.thumb_button = QPushButton()
        self.thumb_button.setObjectName("confirmThumbprint")
        self.signed_button.clicked.connect(lambda: self.confirm("signature"))
        self.thumb_button.clicked.connect(lambda: self.confirm("thumbprint"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.list, 1)
        # One under the other: side by side they would widen the column beyond 1024x600.
        layout.addWidget(self.signed_button)
        layout.addWidget(self.thumb_button)
        layout.addWidget(self.message)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(_("Awaiting signature"))
        self.intro.setText(
            _(
                "Print these for signing. They are not sent to the office until you confirm "
                "the signed paper."
            )
        )
        self.signed_button.setText(_("Signed on paper"))
        self.thumb_button.setText(_("Thumbprint on paper"))
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        for row in signatures.awaiting_signature(self.ctx):
            when = format_stamp(row.finalized_at) if row.finalized_at else ""
            item = QListWidgetItem(f"{row.reference or ''} — {row.name} — {when}")
            item.setData(ID_ROLE, row.application_id)
            self.list.addItem(item)
        has_rows = self.list.count() > 0
        self.signed_button.setEnabled(has_rows)
        self.thumb_button.setEnabled(has_rows)

    def confirm(self, mark: str) -> bool:
        item = self.list.currentItem()
        if item is None:
            self.message.setText(_("Choose a record in the list first."))
            return False
        try:
            signatures.confirm_signed_paper(self.ctx, str(item.data(ID_ROLE)), mark)
        except (records.RecordError, PermissionDenied) as error:
            self.message.setText(str(error))
            return False
        self.message.setText(_("Confirmed. The record will go to the office at the next sync."))
        self.refresh()
        return True
