"""The editor of a repeating group: a list of items (e.g. several direct victims), each a small
form of the group's members, with "Add another" and "Remove". Each member gets the editor of its
type from the same table as every other field (``app.ui.wizard.editors``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core import clock
from app.core.forms import Field, is_empty
from app.i18n import current_language, format_number
from app.ui.text import WrapLabel, _, display
from app.ui.wizard.field_widgets import FieldEditor

MemberEditor = Callable[[Field], FieldEditor]


class GroupItem(QFrame):
    """One item of the group: a numbered box with the members' editors and a Remove button."""

    def __init__(self, group: Field, make_member: MemberEditor) -> None:
        super().__init__()
        self.group = group
        self.setObjectName("groupItem")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel()
        self.title.setObjectName("groupItemTitle")
        self.remove_button = QPushButton()
        self.remove_button.setObjectName("removeGroupItem")
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        self.editors: dict[str, FieldEditor] = {}
        self.labels: dict[str, WrapLabel] = {}
        self.rows: dict[str, QWidget] = {}
        for member in group.fields:
            row = QWidget()
            row_layout = QVBoxLayout(row)
            row_layout.setContentsMargins(0, 0, 0, 0)
            label = WrapLabel("")
            editor = make_member(member)
            row_layout.addWidget(label)
            row_layout.addWidget(editor)
            editor.changed.connect(self.update_visible)
            self.editors[member.id] = editor
            self.labels[member.id] = label
            self.rows[member.id] = row
            layout.addWidget(row)
        self.update_visible()

    def retranslate(self, number: int) -> None:
        lang = current_language()
        self.title.setText(f"{self.group.label.get(lang)} — {format_number(number)}")
        self.remove_button.setText(_("Remove"))
        for member in self.group.fields:
            text = member.label.get(lang) + (" *" if member.required is True else "")
            self.labels[member.id].setText(display(text))
            self.editors[member.id].retranslate()

    def update_visible(self) -> None:
        item = self.raw_value()
        for member in self.group.fields:
            shown = member.relevant is None or member.relevant.test(item, today=clock.today())
            self.rows[member.id].setVisible(shown)

    def raw_value(self) -> dict[str, Any]:
        return {
            member_id: answer
            for member_id, editor in self.editors.items()
            if not is_empty(answer := editor.value())
        }

    def value(self) -> dict[str, Any]:
        """The answers of the members that are shown (a hidden member's answer does not count)."""
        item = self.raw_value()
        return {
            member.id: item[member.id]
            for member in self.group.fields
            if member.id in item
            and (member.relevant is None or member.relevant.test(item, today=clock.today()))
        }


class GroupEditor(FieldEditor):
    def __init__(
        self, item: Field, make_member: MemberEditor, parent: QWidget | None = None
    ) -> None:
        super().__init__(item, parent)
        self.make_member = make_member
        self.items: list[GroupItem] = []
        # Reserved keys of an item (e.g. the id of the person it names) kept across edits.
        self.kept: list[dict[str, Any]] = []
        self.box = QVBoxLayout()
        self.box.setContentsMargins(0, 0, 0, 0)
        self.add_button = QPushButton()
        self.add_button.setObjectName("addGroupItem")
        self.add_button.clicked.connect(self.add_item)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.box)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.retranslate()

    def add_item(self) -> GroupItem:
        entry = GroupItem(self.field, self.make_member)
        for editor in entry.editors.values():
            editor.changed.connect(self._emit)
        entry.remove_button.clicked.connect(lambda _c=False, e=entry: self.remove_item(e))
        self.items.append(entry)
        self.kept.append({})
        self.box.addWidget(entry)
        self.retranslate()
        self.changed.emit()
        return entry

    def remove_item(self, entry: GroupItem) -> None:
        index = self.items.index(entry)
        self.items.pop(index)
        self.kept.pop(index)
        self.box.removeWidget(entry)
        entry.deleteLater()
        self.retranslate()
        self.changed.emit()

    def retranslate(self) -> None:
        self.add_button.setText(_("Add another") if self.items else _("Add"))
        for number, entry in enumerate(self.items, start=1):
            entry.retranslate(number)

    def value(self) -> Any:
        values = []
        for entry, kept in zip(self.items, self.kept, strict=True):
            answers = entry.value()
            if answers:
                values.append({**kept, **answers})
        return values or None

    def set_value(self, value: Any) -> None:
        for entry in list(self.items):
            self.box.removeWidget(entry)
            entry.deleteLater()
        self.items, self.kept = [], []
        for stored in value if isinstance(value, list) else []:
            if not isinstance(stored, Mapping):
                continue
            entry = self.add_item()
            self.kept[-1] = {k: v for k, v in stored.items() if str(k).startswith("_")}
            for member_id, editor in entry.editors.items():
                editor.set_value(stored.get(member_id))
            entry.update_visible()
        self.retranslate()
