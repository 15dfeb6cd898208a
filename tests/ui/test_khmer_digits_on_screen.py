"""Khmer UI speaks Khmer digits (issue 14 item 8): with the setting on, no count, total or step
shown on any page is written in Latin digits, also after switching from English; with the
setting off, Latin digits are shown."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QLabel,
    QProgressBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.core.demo_answers import demo_answers
from app.core.forms import FieldType
from app.i18n import set_language, translator
from app.services import records
from app.services.context import AppContext
from app.ui.forums_page import ForumsPage
from app.ui.main_window import NAVIGATION, MainWindow
from app.ui.settings_page import SettingsPage
from app.ui.start_page import StartPage
from app.ui.text import DigitsDateEdit, DigitsSpinBox
from app.ui.wizard.editors import make_editor
from app.ui.wizard.field_widgets import IntegerEditor
from tests.ui.conftest import build_main_window

LATIN_DIGIT = re.compile(r"[0-9]")
# Not counts: web addresses and folders (sources, the data folder) and Latin words with digits.
NOT_A_COUNT = re.compile(r"\S*[/.]\S*[0-9]\S*|\S*[0-9]\S*[/.]\S*|\b[A-Za-z]+[0-9]+\b")
# Latin on purpose: the password rules show keys as typed on the keyboard (11111111); a source
# quotes an English-language publication as written.
QUOTED_AS_WRITTEN = {"passwordRules", "rightsSource"}
KHMER_DIGIT = re.compile(r"[០-៩]")


def _shown_texts(top: QWidget) -> Iterator[tuple[str, str]]:
    """(widget, text) of every label, button and progress bar text shown in ``top``."""
    for widget in top.findChildren(QWidget):
        if not widget.isVisibleTo(top):
            continue
        if isinstance(widget, (QLabel, QAbstractButton)):
            text = re.sub("<[^>]+>", "", widget.text())
        elif (isinstance(widget, QProgressBar) and widget.isTextVisible()) or isinstance(
            widget, QAbstractSpinBox
        ):
            text = widget.text()
        else:
            continue
        yield f"{type(widget).__name__}#{widget.objectName()}", text


def _with_records(ctx: AppContext) -> None:
    form = records.form_definition("complaint")
    for number in range(12):  # two-digit counts
        application = records.start_application(ctx, form.id)
        if number % 3 == 0:
            records.finalize_application(
                ctx, application, demo_answers(form, random.Random(number))
            )


@pytest.fixture
def window(vss_qapp: QApplication, qtbot: QtBot, ctx: AppContext) -> Iterator[MainWindow]:
    _with_records(ctx)
    set_language("en")
    shown = build_main_window(ctx)
    qtbot.addWidget(shown)
    shown.resize(1366, 768)
    shown.show()
    qtbot.waitExposed(shown)
    yield shown
    shown.shutdown()
    translator.khmer_digits = True


def test_no_latin_digit_on_any_page_in_khmer(window: MainWindow, qtbot: QtBot) -> None:
    set_language("km")  # switched while the window is open: every page redoes its counts
    latin: list[str] = []
    for key, _label in NAVIGATION:
        window.show_page(key)
        QApplication.processEvents()
        latin += [
            f"{key}: {name} {text!r}"
            for name, text in _shown_texts(window)
            if LATIN_DIGIT.search(NOT_A_COUNT.sub("", text))
            and name.split("#")[1] not in QUOTED_AS_WRITTEN
        ]
    assert not latin, "\n".join(latin)
    window.show_page("start")
    start = window.page("start")
    assert isinstance(start, StartPage)
    start.refresh()
    assert "១២" in window.records_label.text()  # twelve records, in Khmer digits
    assert all(KHMER_DIGIT.search(tile.text()) for tile in start.tiles.values())


def test_latin_digits_when_the_setting_is_off(window: MainWindow) -> None:
    set_language("km")
    translator.khmer_digits = False
    window.show_page("start")
    window.refresh_status()
    start = window.page("start")
    assert isinstance(start, StartPage)
    start.refresh()
    assert "12" in window.records_label.text()
    assert not any(KHMER_DIGIT.search(tile.text()) for tile in start.tiles.values())


def test_number_and_date_boxes_show_khmer_digits_and_take_either_kind(
    vss_qapp: QApplication, qtbot: QtBot
) -> None:
    set_language("km")
    minutes = DigitsSpinBox()
    qtbot.addWidget(minutes)
    minutes.setRange(1, 240)
    minutes.setValue(10)
    assert minutes.text() == "១០"
    for typed, value, shown in (("១៥", 15, "១៥"), ("42", 42, "៤២")):
        minutes.lineEdit().setText(typed)
        minutes.interpretText()
        assert (minutes.value(), minutes.text()) == (value, shown)
    minutes.lineEdit().setText("៩៩៩")  # out of range: refused, the value stays
    minutes.interpretText()
    assert minutes.value() == 42
    day = DigitsDateEdit()
    qtbot.addWidget(day)
    day.setDisplayFormat("yyyy-MM-dd")
    day.setDate(QDate(2010, 1, 20))
    assert day.text() == "២០១០-០១-២០"
    day.lineEdit().setText("២០១២-០៣-០៤")
    day.interpretText()
    assert day.date() == QDate(2012, 3, 4)
    set_language("en")
    minutes.setValue(7)
    assert minutes.text() == "7"


def test_the_settings_page_shows_the_idle_minutes_in_khmer(
    vss_qapp: QApplication, qtbot: QtBot, ctx: AppContext
) -> None:
    set_language("km")
    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    assert KHMER_DIGIT.search(page.idle_minutes.text())
    assert not LATIN_DIGIT.search(page.idle_minutes.text())


def test_the_wizard_number_field_shows_khmer_digits(vss_qapp: QApplication, qtbot: QtBot) -> None:
    set_language("km")
    form = records.form_definition("complaint")
    whole_number = next(item for item in form.all_fields() if item.type == FieldType.INTEGER)
    editor = make_editor(whole_number)
    qtbot.addWidget(editor)
    assert isinstance(editor, IntegerEditor)
    editor.set_value(125)
    assert editor.spin.text() == "១២៥"
    editor.spin.lineEdit().setText("៣០")  # typed in Khmer digits: kept as a number
    editor.spin.interpretText()
    assert (editor.value(), editor.spin.text()) == (30, "៣០")
    editor.set_value(None)  # unanswered: the dash, not a number
    assert (editor.value(), editor.spin.text()) == (None, "—")
    translator.khmer_digits = False
    try:
        editor.set_value(125)
        assert editor.spin.text() == "125"
    finally:
        translator.khmer_digits = True


def test_the_forums_page_date_shows_khmer_digits(
    vss_qapp: QApplication, qtbot: QtBot, ctx: AppContext
) -> None:
    set_language("km")
    page = ForumsPage(ctx)
    qtbot.addWidget(page)
    page.date_edit.setDate(QDate(2026, 11, 30))
    assert page.date_edit.text() == "២០២៦-១១-៣០"
    page.date_edit.lineEdit().setText("២០២៧-០១-០៥")
    page.date_edit.interpretText()
    assert page.date_edit.date() == QDate(2027, 1, 5)
