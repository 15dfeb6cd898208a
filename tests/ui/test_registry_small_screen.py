"""The Applicants page on a 1024x600 netbook in Khmer (issue 14 item 5): the search box's hint
and every reference number are read whole, not cut at the right or to "VSS-…"."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QStyle,
    QStyleOptionFrame,
    QStyleOptionViewItem,
    QToolButton,
)
from pytestqt.qtbot import QtBot

from app.core.demo_answers import demo_answers
from app.i18n import set_language
from app.services import records
from app.services.context import AppContext
from app.ui.main_window import MainWindow
from app.ui.registry import RegistryPage, widest_reference
from tests.ui.conftest import build_main_window


@pytest.fixture
def window(vss_qapp: QApplication, qtbot: QtBot, ctx: AppContext) -> Iterator[MainWindow]:
    form = records.form_definition("complaint")
    for number in range(3):
        application = records.start_application(ctx, form.id)
        records.finalize_application(ctx, application, demo_answers(form, random.Random(number)))
    set_language("km")
    shown = build_main_window(ctx)
    qtbot.addWidget(shown)
    shown.resize(1024, 600)
    shown.show()
    qtbot.waitExposed(shown)
    shown.show_page("applicants")
    for _ in range(3):
        QApplication.processEvents()
    yield shown
    shown.shutdown()
    set_language("en")


def _placeholder_room(box: QLineEdit) -> int:
    """Pixels the line edit has for its text: its contents less margins and the clear button."""
    option = QStyleOptionFrame()
    box.initStyleOption(option)
    contents = box.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, box)
    margins = box.textMargins()
    clear = sum(b.width() for b in box.findChildren(QToolButton))
    return contents.width() - margins.left() - margins.right() - clear - 4  # Qt's own 2+2


def _shot(window: MainWindow, name: str) -> None:
    folder = (
        Path(os.environ.get("VSS_LAYOUT_SHOTS", "")) if "VSS_LAYOUT_SHOTS" in os.environ else None
    )
    if folder is not None:
        window.grab().save(str(folder / f"{name}.png"))


def test_the_search_hint_is_read_whole_at_1024x600(window: MainWindow) -> None:
    page = window.page("applicants")
    assert isinstance(page, RegistryPage)
    _shot(window, "km_1024x600_applicants")
    box = page.search_box
    hint = box.placeholderText()
    assert hint.replace("\u200b", "") == "ឈ្មោះ លេខយោង ឬភូមិ"  # word breaks are marked
    assert QFontMetrics(box.font()).horizontalAdvance(hint) <= _placeholder_room(box)


def test_every_reference_is_read_whole_at_1024x600(window: MainWindow) -> None:
    page = window.page("applicants")
    assert isinstance(page, RegistryPage)
    table = page.table
    references = [page.model.index(row, 0).data() for row in range(page.model.rowCount())]
    assert len(references) == 3 and all(ref.startswith("VSS-") for ref in references)
    metrics = QFontMetrics(table.font())
    widest = widest_reference(metrics)
    for row, text in [(0, widest), *enumerate(references)]:
        option = QStyleOptionViewItem()
        option.rect = table.visualRect(page.model.index(row, 0))
        option.font = table.font()
        option.fontMetrics = metrics
        option.text = text
        option.features |= QStyleOptionViewItem.ViewItemFeature.HasDisplay
        room = table.style().subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, table)
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room.width())
        assert shown == text, f"{text!r} shown as {shown!r} in {room.width()} px"
    assert table.horizontalScrollBar().maximum() == 0  # and no sideways scrolling for it
