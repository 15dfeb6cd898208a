"""The wizard's page scroll bars are painted from a picture kept per look
(app/ui/scroll_bar_pictures.py, issue 20): a scrolling page looks exactly as with a plain QScrollBar,
pixel for pixel, at the top, in the middle and at the end, after the palette changes, and where
the window does not paint a plain colour behind the bar (the style draws it then)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QBrush, QColor, QCursor, QImage, QLinearGradient, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea, QScrollBar, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.i18n import set_language
from app.services import records
from app.services.context import AppContext
from app.ui.scroll_bar_pictures import KeptScrollBar
from app.ui.wizard.wizard import IntakeWizard


def _page(qtbot: QtBot, kept: bool) -> tuple[QWidget, QScrollArea]:
    window = QWidget()
    area = QScrollArea(window)
    if kept:
        area.setVerticalScrollBar(KeptScrollBar(Qt.Orientation.Vertical))
    inner = QWidget()
    column = QVBoxLayout(inner)
    for number in range(60):
        column.addWidget(QLabel(f"line {number}"))
    area.setWidget(inner)
    area.setWidgetResizable(True)
    QVBoxLayout(window).addWidget(area)
    window.resize(400, 300)
    qtbot.addWidget(window)
    window.move(500, 500)
    window.show()
    qtbot.waitExposed(window)
    return window, area


def _shots(window: QWidget, area: QScrollArea) -> list[QImage]:
    bar = area.verticalScrollBar()
    shots = []
    for value in (bar.minimum(), (bar.minimum() + bar.maximum()) // 2, bar.maximum(), 0):
        bar.setValue(value)
        QApplication.processEvents()
        shots.append(window.grab().toImage().convertToFormat(QImage.Format.Format_RGB32))
    return shots


def test_a_page_with_a_kept_bar_looks_as_with_qts(vss_qapp: QApplication, qtbot: QtBot) -> None:
    QCursor.setPos(QPoint(0, 0))  # the pointer away from the bars (a hovered bar: Qt paints)
    plain_window, plain_area = _page(qtbot, kept=False)
    kept_window, kept_area = _page(qtbot, kept=True)
    bar = kept_area.verticalScrollBar()
    assert isinstance(bar, KeptScrollBar)
    assert _shots(kept_window, kept_area) == _shots(plain_window, plain_area)
    assert len(bar._pictures) >= 3, "drawn from pictures, one per place"
    assert _shots(kept_window, kept_area) == _shots(plain_window, plain_area)  # from the pictures

    for window in (plain_window, kept_window):  # a new palette: drawn anew, never stale
        palette = window.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("#d8e4f0"))
        palette.setColor(QPalette.ColorRole.Button, QColor("#c0d0a0"))
        window.setPalette(palette)
    assert _shots(kept_window, kept_area) == _shots(plain_window, plain_area)

    kept = len(bar._pictures)
    gradient = QLinearGradient(0, 0, 0, 300)  # no plain colour behind the bar: the style draws
    gradient.setColorAt(0, QColor("#ffffff"))
    gradient.setColorAt(1, QColor("#202020"))
    for window in (plain_window, kept_window):
        palette = window.palette()
        palette.setBrush(QPalette.ColorRole.Window, QBrush(gradient))
        window.setPalette(palette)
    assert _shots(kept_window, kept_area) == _shots(plain_window, plain_area)
    assert len(bar._pictures) == kept, "no picture made where the window paints no plain colour"


def test_the_wizard_pages_scroll_with_kept_bars(
    vss_qapp: QApplication, qtbot: QtBot, ctx: AppContext
) -> None:
    set_language("km")
    wizard = IntakeWizard(ctx, records.start_application(ctx, "civil_party"))
    qtbot.addWidget(wizard)
    bars = [page.verticalScrollBar() for page in wizard.pages]
    bars.append(wizard.review.body.verticalScrollBar())
    assert all(isinstance(bar, KeptScrollBar) for bar in bars)
    assert not any(type(bar) is QScrollBar for bar in bars)
