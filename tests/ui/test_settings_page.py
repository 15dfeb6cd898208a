from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.i18n import current_language, format_number, translator
from app.services.context import AppContext
from app.services.settings import AppSettings, SettingsError, load_settings, save_settings
from app.ui.main_window import MainWindow
from app.ui.settings_page import SettingsPage
from app.ui.text import plain


def test_settings_are_validated_and_stored(ctx: AppContext) -> None:
    with pytest.raises(SettingsError):
        save_settings(ctx, AppSettings(idle_lock_minutes=0))
    with pytest.raises(SettingsError):
        save_settings(ctx, AppSettings(server_url="ftp://office"))
    save_settings(ctx, AppSettings(server_url="https://vss.example.org", idle_lock_minutes=15))
    assert load_settings(ctx).idle_lock_minutes == 15
    assert load_settings(ctx).server_url == "https://vss.example.org"


def test_settings_page_switches_digits_and_language(main_window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    main_window.show_page("settings")
    page = main_window.page_by_key["settings"]
    assert isinstance(page, SettingsPage)
    assert format_number(25) == "២៥"
    page.khmer_digits.setChecked(False)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert translator.khmer_digits is False
    assert format_number(25) == "25"
    assert plain(page.message.text()) == "បានរក្សាទុកការកំណត់។"

    page.server_url.setText("not a url")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert "http" in page.message.text()
    assert load_settings(main_window.ctx).server_url == ""

    page.server_url.setText("")
    page.language.setCurrentIndex(page.language.findData("en"))
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert current_language() == "en"
    assert main_window.navigation.item(1).text() == "Applicants"
    assert page.save_button.text() == "Save settings"
