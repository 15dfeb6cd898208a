"""The password rules are on screen before the officer types a new password."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.services.accounts import password_rules
from app.ui.sign_in import FirstRunDialog


def test_the_rules_are_on_screen_before_typing(
    vss_qapp: object, qtbot: QtBot, tmp_path: Path
) -> None:

    dialog = FirstRunDialog(tmp_path / "home")
    qtbot.addWidget(dialog)
    dialog.resize(1024, 600)
    dialog.show()
    assert dialog.password.text() == ""
    assert dialog.rules.isVisible() and dialog.rules.text() == password_rules()
    dialog.grab().save(str(tmp_path / "first-run.png"))
