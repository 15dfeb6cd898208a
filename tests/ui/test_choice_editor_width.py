"""A long drop-down (the follow-up form's reparation projects, long Khmer labels) fits a small screen."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from app.core.forms import FieldRole
from app.core.forms.loader import load_form
from app.core.resources import forms_dir
from app.ui.wizard.choice_editors import ChoiceEditor


def test_the_reparation_project_drop_down_fits_a_1024_pixel_screen(vss_qapp: QApplication) -> None:
    item = load_form(forms_dir() / "follow_up.yaml").field_with_role(FieldRole.REPARATION_PROJECT)
    assert item is not None and len(item.choices) > ChoiceEditor.RADIO_LIMIT
    editor = ChoiceEditor(item)
    assert editor.combo is not None
    # Every project is offered, whole, in the open list...
    labels = [editor.combo.itemText(i) for i in range(1, editor.combo.count())]
    assert labels == [choice.label.get("km") for choice in item.choices] or labels == [
        choice.label.get("en") for choice in item.choices
    ]
    # ...while the closed box asks for far less than a 1024-pixel window beside the form's list.
    assert editor.combo.minimumSizeHint().width() < 500
    assert editor.minimumSizeHint().width() < 500
