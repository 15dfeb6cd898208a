"""One input widget per field type of a form definition (no per-form widget code).

Every editor has the same small interface (``FieldEditor``): ``value()`` returns the stored value
of its type (see forms/README.md), ``set_value()`` shows one, ``changed`` fires on every edit and
``retranslate()`` relabels it. Labels and help come from the form's Khmer/English texts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.core.forms import Field, FieldType
from app.ui.wizard.attachment_editor import AttachmentEditor
from app.ui.wizard.choice_editors import (
    ChoiceEditor,
    ConsentEditor,
    MultiChoiceEditor,
    SignatureMarkEditor,
    YesNoEditor,
)
from app.ui.wizard.field_widgets import (
    ApproxDateEditor,
    FieldEditor,
    IntegerEditor,
    NameEditor,
    NarrativeEditor,
    PhoneEditor,
    RememberedEditor,
    TextEditor,
)
from app.ui.wizard.group_editor import GroupEditor
from app.ui.wizard.place_editor import PlaceEditor

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget


@dataclass(frozen=True)
class EditorNeeds:
    """What some editors need from the wizard: where an attached file goes, the laptop's list
    for a ``remembered`` field, and the widget the editor is made in (its row)."""

    add_file: Callable[[str], dict[str, str]] | None = None
    listed: list[str] | None = None
    parent: QWidget | None = None


def _text_editor(item: Field, needs: EditorNeeds) -> FieldEditor:
    if item.remembered:
        return RememberedEditor(item, needs.listed or [], needs.parent)
    return TextEditor(item, needs.parent)


def _plain(
    editor: Callable[[Field, QWidget | None], FieldEditor],
) -> Callable[[Field, EditorNeeds], FieldEditor]:
    return lambda item, needs: editor(item, needs.parent)


EditorFactory = Callable[[Field, EditorNeeds], FieldEditor]

EDITORS: Mapping[FieldType, EditorFactory] = {
    FieldType.TEXT: _text_editor,
    FieldType.NAME: _plain(NameEditor),
    FieldType.APPROX_DATE: _plain(ApproxDateEditor),
    FieldType.CHOICE: _plain(ChoiceEditor),
    FieldType.MULTI_CHOICE: _plain(MultiChoiceEditor),
    FieldType.YES_NO: _plain(YesNoEditor),
    FieldType.NARRATIVE: _plain(NarrativeEditor),
    FieldType.PLACE: _plain(PlaceEditor),
    FieldType.PHONE: _plain(PhoneEditor),
    FieldType.INTEGER: _plain(IntegerEditor),
    FieldType.ATTACHMENT: lambda item, needs: AttachmentEditor(item, needs.add_file, needs.parent),
    FieldType.SIGNATURE_MARK: _plain(SignatureMarkEditor),
    FieldType.CONSENT: _plain(ConsentEditor),
    FieldType.GROUP: lambda item, needs: GroupEditor(
        item, lambda member: make_editor(member, needs.add_file), needs.parent
    ),
}


def make_editor(
    item: Field,
    add_file: Callable[[str], dict[str, str]] | None = None,
    listed: list[str] | None = None,
    parent: QWidget | None = None,
) -> FieldEditor:
    """The editor of a field; ``listed`` is the laptop's list for a ``remembered`` field;
    ``parent`` the widget it is made in (see SectionPage.add_row)."""
    return EDITORS[item.type](item, EditorNeeds(add_file, listed, parent))
