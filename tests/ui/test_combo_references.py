"""Reading the wizard's answers must not drain references to None (PySide6 6.12 on Python 3.11
drops one each time a combo box returns None as its data; the interpreter then aborts)."""

from __future__ import annotations

import gc
import sys

from PySide6.QtWidgets import QComboBox

from app.services import records
from app.services.context import AppContext
from app.ui.combo import NO_DATA, combo_data
from app.ui.wizard.wizard import IntakeWizard


def _none_refs() -> int:
    gc.collect()
    return sys.getrefcount(None)


def test_reading_every_answer_many_times_keeps_references_to_none(
    vss_qapp: object, ctx: AppContext
) -> None:
    wizard = IntakeWizard(ctx, records.start_application(ctx, "civil_party"))
    try:
        wizard.answers()
        before = _none_refs()
        for _ in range(200):
            wizard.answers()
        # Without the fix: several place and choice editors x 200 reads (thousands lost).
        assert before - _none_refs() < 50
    finally:
        wizard.autosave_timer.stop()
        wizard.deleteLater()


def test_the_nothing_chosen_item_reads_as_none(vss_qapp: object) -> None:
    combo = QComboBox()
    combo.addItem("—", NO_DATA)
    combo.addItem("Takeo", "21")
    assert combo_data(combo) is None
    combo.setCurrentIndex(1)
    assert combo_data(combo) == "21"
    assert combo_data(QComboBox()) is None


def test_references_that_qt_drops_are_given_back(vss_qapp: object) -> None:
    from PySide6.QtWidgets import QLabel

    from app.ui import none_guard

    if not none_guard.needed():
        return  # Python 3.12+: None is immortal
    label = QLabel()
    none_guard.top_up()
    start = _none_refs()
    for _ in range(1000):
        label.setVisible(False)  # each call drops one reference under PySide6 6.12 / 3.11
    lost = start - _none_refs()
    added = none_guard.top_up()
    assert _none_refs() >= none_guard.FLOOR
    assert added == 0 or added >= lost
