"""Reading the data of a combo box item without losing references to None.

PySide6 6.12 on Python 3.11 drops one reference to ``None`` each time ``currentData()`` or
``itemData()`` returns ``None`` (an item added without data, or with ``None``). ``None`` is not
immortal before Python 3.12, so after a few thousand such calls — the wizard reads every
answer on each keystroke — the interpreter aborts with "deallocating None". Items that mean
"nothing chosen" therefore hold ``NO_DATA`` ("") and ``combo_data`` maps it back to ``None``
(an empty combo box is not asked at all).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox

NO_DATA = ""


def combo_data(combo: QComboBox) -> Any:
    """The current item's data; ``None`` for the "nothing chosen" item (``NO_DATA``) and for an
    empty combo box (asked without calling Qt, which would return None)."""
    if combo.currentIndex() < 0:
        return None
    value = combo.currentData()
    return None if value == NO_DATA else value
