"""One input widget per field type of a form definition (no per-form widget code).

Every editor has the same small interface (``FieldEditor``): ``value()`` returns the stored value
of its type (see forms/README.md), ``set_value()`` shows one, ``changed`` fires on every edit and
``retranslate()`` relabels it. Labels and help come from the form's Khmer/English texts.
"""

from __future__ import annotations

from collections.abc import Callable

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
from app.ui.wizard.place_editor import PlaceEditor

EDITORS: dict[FieldType, type[FieldEditor]] = {
    FieldType.TEXT: TextEditor,
    FieldType.NAME: NameEditor,
    FieldType.APPROX_DATE: ApproxDateEditor,
    FieldType.CHOICE: ChoiceEditor,
    FieldType.MULTI_CHOICE: MultiChoiceEditor,
    FieldType.YES_NO: YesNoEditor,
    FieldType.NARRATIVE: NarrativeEditor,
    FieldType.PLACE: PlaceEditor,
    FieldType.PHONE: PhoneEditor,
    FieldType.INTEGER: IntegerEditor,
    FieldType.ATTACHMENT: AttachmentEditor,
    FieldType.SIGNATURE_MARK: SignatureMarkEditor,
    FieldType.CONSENT: ConsentEditor,
}


def make_editor(
    item: Field,
    add_file: Callable[[str], dict[str, str]] | None = None,
    listed: list[str] | None = None,
) -> FieldEditor:
    """The editor of a field; ``listed`` is the laptop's list for a ``remembered`` field."""
    if item.type is FieldType.ATTACHMENT:
        return AttachmentEditor(item, add_file)
    if item.remembered and item.type is FieldType.TEXT:
        return RememberedEditor(item, listed or [])
    return EDITORS[item.type](item)
