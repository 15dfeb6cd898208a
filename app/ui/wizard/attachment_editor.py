"""The attachment editor: scans or photos of documents, kept in the encrypted store."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.forms import Field
from app.ui.text import _
from app.ui.wizard.field_widgets import ATTACHMENT_ROLE, FieldEditor


class AttachmentEditor(FieldEditor):
    """Scans or photos of documents. Files are read into the encrypted store by the wizard (the
    value keeps only their ids and names), so no copy of an ID card is left lying on disk."""

    def __init__(
        self,
        item: Field,
        add_file: Callable[[str], dict[str, str]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(item, parent)
        self.add_file = add_file
        self.files = QListWidget()
        self.files.setMaximumHeight(110)
        self.add_button = QPushButton()
        self.add_button.setObjectName("addAttachment")
        self.remove_button = QPushButton()
        self.add_button.clicked.connect(self._choose)
        self.remove_button.clicked.connect(self._remove)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.files)
        layout.addLayout(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.add_button.setText(_("Add a scan or photo…"))
        self.remove_button.setText(_("Remove"))

    def _choose(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Add a scan or photo"), "", _("Images and PDF (*.png *.jpg *.jpeg *.pdf)")
        )
        if path:
            self.attach(path)

    def attach(self, path: str) -> None:
        reference = self.add_file(path) if self.add_file else {"name": path}
        item = QListWidgetItem(reference.get("name", path))
        item.setData(ATTACHMENT_ROLE, dict(reference))
        self.files.addItem(item)
        self.changed.emit()

    def _remove(self) -> None:
        for item in self.files.selectedItems():
            self.files.takeItem(self.files.row(item))
        self.changed.emit()

    def value(self) -> Any:
        items = [self.files.item(i).data(ATTACHMENT_ROLE) for i in range(self.files.count())]
        return items or None

    def set_value(self, value: Any) -> None:
        self.files.clear()
        for reference in value if isinstance(value, list) else []:
            data = reference if isinstance(reference, Mapping) else {"name": str(reference)}
            item = QListWidgetItem(str(data.get("name", "")))
            item.setData(ATTACHMENT_ROLE, dict(data))
            self.files.addItem(item)
