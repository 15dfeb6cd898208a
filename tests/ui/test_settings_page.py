from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.i18n import current_language, format_number, translator
from app.services.context import AppContext
from app.services.settings import AppSettings, SettingsError, load_settings, save_settings
from app.ui.main_window import MainWindow
from app.ui.settings_page import SettingsPage
from app.ui.text import plain
from tests.officers import SUPERVISOR


def test_settings_are_validated_and_stored(ctx: AppContext) -> None:
    ctx.officer = SUPERVISOR
    with pytest.raises(SettingsError):
        save_settings(ctx, AppSettings(idle_lock_minutes=0))
    with pytest.raises(SettingsError):
        save_settings(ctx, AppSettings(server_url="ftp://office"))
    save_settings(ctx, AppSettings(server_url="https://vss.example.org", idle_lock_minutes=15))
    assert load_settings(ctx).idle_lock_minutes == 15
    assert load_settings(ctx).server_url == "https://vss.example.org"


def test_settings_page_switches_digits_and_language(main_window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    main_window.ctx.officer = SUPERVISOR
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
    assert plain(page.message.text()) == (
        "អាសយដ្ឋានម៉ាស៊ីនមេ ត្រូវចាប់ផ្តើមដោយ http:// ឬ https:// ហើយមានឈ្មោះម៉ាស៊ីន។"
    )
    assert load_settings(main_window.ctx).server_url == ""

    page.server_url.setText("")
    page.language.setCurrentIndex(page.language.findData("en"))
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert current_language() == "en"
    assert main_window.navigation.item(1).text() == "Applicants"
    assert page.save_button.text() == "Save settings"


def test_a_field_officer_sees_the_settings_but_cannot_save_them(
    main_window: MainWindow,
    qtbot,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    from tests.officers import FIELD_OFFICER

    main_window.ctx.officer = FIELD_OFFICER
    page = SettingsPage(main_window.ctx)
    qtbot.addWidget(page)
    assert not page.save_button.isEnabled() and not page.server_url.isEnabled()
    assert page.message.text()  # says who may change them
    page.server_url.setText("https://attacker.example")
    assert page.save() is False  # even if the button were pressed, the service refuses
    assert load_settings(main_window.ctx).server_url == ""
    page.resize(1024, 600)
    page.grab().save(str(tmp_path / "settings-field-officer.png"))
