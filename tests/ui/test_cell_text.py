"""The registry's cells are painted from cached layouts (app/ui/cell_text.py, issue 20), and look
exactly as Qt's own item painting: the same pixels in Khmer and English, at 1024x600 and
1366x768, with a selected row, identity-protection icons, and columns so narrow that texts wrap
and end with "…"."""

from __future__ import annotations

import random

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QItemSelectionModel
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QStyledItemDelegate
from pytestqt.qtbot import QtBot

from app.core.demo_answers import demo_answers
from app.i18n import current_language, set_language
from app.services import form_catalogue, records
from app.services.context import AppContext
from app.ui.cell_text import CachedTextDelegate
from app.ui.registry import NAME_KM_COLUMN, RegistryPage
from tests.ui.pixels import ROUNDING, largest_difference


def _import(ctx: AppContext, count: int) -> None:
    rng = random.Random(5)
    forms = list(form_catalogue.available_forms().values())
    items = [(f.id, demo_answers(f, rng)) for f in (rng.choice(forms) for _ in range(count))]
    records.import_applications(ctx, items)


def _registry_page(ctx: AppContext, qtbot: QtBot, count: int) -> RegistryPage:
    """The registry of ``count`` imported records at 1024x600, not shown yet (some tests set
    spans or focus first)."""
    _import(ctx, count)
    page = RegistryPage(ctx)
    qtbot.addWidget(page)
    page.resize(1024, 600)
    return page


def _both(page: RegistryPage) -> tuple[QImage, QImage]:
    """The table's rows painted by Qt's delegate, then by the cached one."""
    shots = []
    for delegate in (
        QStyledItemDelegate(page.table),
        CachedTextDelegate(page.table, page.model.cell),
    ):
        page.table.setItemDelegate(delegate)
        QApplication.processEvents()
        shots.append(page.table.viewport().grab().toImage())
    return shots[0], shots[1]


@pytest.mark.parametrize("language", ["km", "en"])
def test_cells_look_as_qt_paints_them(
    vss_qapp: QApplication, qtbot, ctx: AppContext, language: str
) -> None:  # type: ignore[no-untyped-def]
    _import(ctx, 40)
    before = current_language()
    set_language(language)
    try:
        page = RegistryPage(ctx)
        qtbot.addWidget(page)
        protected = [
            r for r in range(page.model.rowCount()) if page.model.rows[r].identity_protected
        ]
        assert protected, "the demo data has identity-protected applicants (icons)"
        for width, height in ((1024, 600), (1366, 768)):
            page.resize(width, height)
            page.show()
            page.table.selectRow(protected[0])
            QApplication.processEvents()
            qt, cached = _both(page)
            assert largest_difference(qt, cached) <= ROUNDING, (language, width)
        # Narrow columns: names wrap at a space and end with "…", titles are cut short.
        header = page.table.horizontalHeader()
        for column in range(header.count()):
            header.resizeSection(column, 64)
        page.table.selectRow(1)
        qt, cached = _both(page)
        assert largest_difference(qt, cached) <= ROUNDING, language
        delegate = page.table.itemDelegate()
        assert isinstance(delegate, CachedTextDelegate)
        shortened = [
            key
            for key, (layout, _x, _y) in delegate._layouts.items()
            if layout is not None and layout.text() != key[0]
        ]
        assert shortened, "some texts were elided by the cached path"
        assert any(key[3] for key in delegate._layouts), "a name beside an icon was laid out"
    finally:
        set_language(before)


def test_a_cell_with_an_icon_or_the_focus_still_shows_its_text(
    vss_qapp: QApplication, qtbot, ctx: AppContext
) -> None:  # type: ignore[no-untyped-def]
    page = _registry_page(ctx, qtbot, 10)
    page.show()
    page.activateWindow()
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus)
    page.table.setCurrentIndex(page.model.index(0, NAME_KM_COLUMN))
    QApplication.processEvents()
    qt, cached = _both(page)
    assert largest_difference(qt, cached) <= ROUNDING
    # One delegate through changes: the focus moves, the selection moves, the pointer comes.
    delegate = page.table.itemDelegate()
    assert isinstance(delegate, CachedTextDelegate)
    shots = []
    for row in (2, 5):
        page.table.selectRow(row + 1)
        keep = QItemSelectionModel.SelectionFlag.NoUpdate  # the focus elsewhere than the selection
        page.table.selectionModel().setCurrentIndex(page.model.index(row, 1), keep)
        QApplication.processEvents()
        shots.append(page.table.viewport().grab().toImage())
        assert {row, row + 1} <= delegate._special_rows
    QTest.mouseMove(page.table.viewport(), page.table.visualRect(page.model.index(7, 2)).center())
    QApplication.processEvents()
    shots.append(page.table.viewport().grab().toImage())
    assert 7 in delegate._special_rows
    page.table.setItemDelegate(QStyledItemDelegate(page.table))
    for number, row in enumerate((2, 5)):
        page.table.selectRow(row + 1)
        keep = QItemSelectionModel.SelectionFlag.NoUpdate  # the focus elsewhere than the selection
        page.table.selectionModel().setCurrentIndex(page.model.index(row, 1), keep)
        QApplication.processEvents()
        qt = page.table.viewport().grab().toImage()
        assert largest_difference(qt, shots[number]) <= ROUNDING, row
    QTest.mouseMove(page.table.viewport(), page.table.visualRect(page.model.index(7, 2)).center())
    QApplication.processEvents()
    assert largest_difference(page.table.viewport().grab().toImage(), shots[2]) <= ROUNDING


def test_the_next_page_is_prepared_while_idle_and_looks_the_same(
    vss_qapp: QApplication, qtbot, ctx: AppContext
) -> None:  # type: ignore[no-untyped-def]
    """After a paint the rows below the visible ones are drawn while the officer reads: a page
    down then copies their pictures (app.ui.row_pictures), with Qt's pixels."""
    page = _registry_page(ctx, qtbot, 60)
    page.show()
    table = page.table
    table.viewport().grab()
    rows = table._row_pictures
    assert rows is not None, "the table's plain rows are drawn from row pictures"
    before = set(rows._pictures)
    QApplication.processEvents()  # idle: the next page is prepared
    prepared = set(rows._pictures) - before
    last = table.rowAt(table.viewport().height() - 1)
    assert page.model.row_cells(last + 1) in {key[0] for key in prepared}, "the row below"
    assert all(rows._pictures[key] is not None for key in prepared)
    # Texts that come back row after row (a form's title, a status) are copied from a picture
    # of their cell; the comparison below covers rows made that way.
    assert rows._cells, "repeated cell texts are kept as pictures"
    bar = table.verticalScrollBar()
    bar.setValue(bar.value() + bar.pageStep())
    made = set(rows._pictures)
    cached = table.viewport().grab().toImage()
    assert len(set(rows._pictures) - made) < len(prepared)  # drawn mostly from prepared ones
    table.setItemDelegate(QStyledItemDelegate(table))
    QApplication.processEvents()
    qt = table.viewport().grab().toImage()
    assert largest_difference(qt, cached) <= ROUNDING


def test_cells_qt_paints_are_prepared_by_the_delegate_while_idle(
    vss_qapp: QApplication, qtbot, ctx: AppContext
) -> None:  # type: ignore[no-untyped-def]
    """When QTableView paints the table (here: a span is set), the delegate prepares the cells
    of the rows below the visible ones while idle, and a page down draws their pictures."""
    page = _registry_page(ctx, qtbot, 60)
    page.table.setSpan(0, 0, 1, 1)
    page.show()
    delegate = page.table.itemDelegate()
    assert isinstance(delegate, CachedTextDelegate)
    page.table.viewport().grab()
    before = set(delegate._pictures)
    QApplication.processEvents()  # idle: the next page is prepared
    prepared = set(delegate._pictures) - before
    last = page.table.rowAt(page.table.viewport().height() - 1)
    below = {page.model.cell(last + 1, column)[0] for column in range(page.model.columnCount())}
    assert below & {key[0] for key in prepared}, "the row below the visible ones was prepared"
    bar = page.table.verticalScrollBar()
    bar.setValue(bar.value() + bar.pageStep())
    made = len(delegate._pictures)
    cached = page.table.viewport().grab().toImage()
    assert len(delegate._pictures) - made < len(prepared)  # drawn mostly from prepared ones
    page.table.setItemDelegate(QStyledItemDelegate(page.table))
    QApplication.processEvents()
    qt = page.table.viewport().grab().toImage()
    assert largest_difference(qt, cached) <= ROUNDING


def test_closing_the_list_before_the_next_page_is_prepared_is_quiet(
    vss_qapp: QApplication, qtbot, ctx: AppContext
) -> None:  # type: ignore[no-untyped-def]
    """The look-ahead is called on the delegate's own timer: a list closed and deleted right
    after a paint does not run it on a deleted table."""
    _import(ctx, 30)
    page = RegistryPage(ctx)
    page.resize(1024, 600)
    page.show()
    page.table.viewport().grab()  # paints, and asks for the look-ahead when idle
    page.close()
    page.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qtbot.wait(50)  # an exception in the timer's call would fail the test (pytest-qt)


def test_a_table_with_spans_is_painted_by_qt_with_the_same_pixels(
    vss_qapp: QApplication, qtbot, ctx: AppContext
) -> None:  # type: ignore[no-untyped-def]
    """The table's own paint knows no spans: once one is set, QTableView paints (the delegate
    still draws the texts from its pictures), and the cells look as Qt paints them."""
    page = _registry_page(ctx, qtbot, 20)
    page.show()
    page.table.setSpan(1, 1, 1, 2)
    QApplication.processEvents()
    qt, cached = _both(page)
    assert largest_difference(qt, cached) <= ROUNDING


def test_rows_scrolled_sideways_or_with_moved_columns_look_as_qt_paints_them(
    vss_qapp: QApplication, qtbot, ctx: AppContext
) -> None:  # type: ignore[no-untyped-def]
    """A plain row is drawn from one picture of the whole row (app.ui.row_pictures), placed by
    the columns' positions: scrolled sideways, with a column moved and one hidden, its pixels
    are still Qt's."""
    page = _registry_page(ctx, qtbot, 30)
    page.show()
    QApplication.processEvents()
    page.table.viewport().removeEventFilter(page.columns)  # columns wider than the table
    header = page.table.horizontalHeader()
    for column in range(header.count()):
        header.resizeSection(column, 240)
    header.moveSection(header.visualIndex(2), 0)
    page.table.setColumnHidden(5, True)
    bar = page.table.horizontalScrollBar()
    QApplication.processEvents()
    assert bar.maximum() > 0, "the columns are wider than the table"
    for value in (bar.maximum() // 3, bar.maximum()):
        bar.setValue(value)
        QApplication.processEvents()
        qt, cached = _both(page)
        assert page.table._row_pictures is not None and page.table._row_pictures.kept
        assert largest_difference(qt, cached) <= ROUNDING, value


def test_row_pictures_are_kept_within_their_budget(
    vss_qapp: QApplication, qtbot, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The oldest rows' pictures are let go beyond the budget (app.ui.row_pictures.KEPT_BYTES),
    and the rows drawn again after that still look as Qt paints them."""
    from app.ui import row_pictures

    page = _registry_page(ctx, qtbot, 60)
    page.show()
    QApplication.processEvents()
    row = page.table.viewport().width() * page.table.rowHeight(0) * 4  # a row's bytes, or more
    monkeypatch.setattr(row_pictures, "KEPT_BYTES", 5 * row)
    bar = page.table.verticalScrollBar()
    for value in (bar.maximum(), 0):
        bar.setValue(value)
        QApplication.processEvents()
        page.table.viewport().grab()
        kept = page.table._row_pictures
        assert kept is not None and 0 < kept.kept <= 5
        assert kept._bytes <= 5 * row
    qt, cached = _both(page)
    assert largest_difference(qt, cached) <= ROUNDING


def test_rows_are_drawn_again_in_a_new_palette(
    vss_qapp: QApplication, qtbot, ctx: AppContext
) -> None:  # type: ignore[no-untyped-def]
    """Row pictures kept from before a palette change (another text colour, another
    background) are not shown after it: the rows look as Qt paints them in the new colours."""
    from PySide6.QtGui import QColor, QPalette

    page = _registry_page(ctx, qtbot, 20)
    page.show()
    QApplication.processEvents()
    # The text colour is the table's; the background is its viewport's.
    table, viewport = page.table, page.table.viewport()
    for widget, role, colour in (
        (table, QPalette.ColorRole.Text, "#1b5e20"),
        (viewport, QPalette.ColorRole.Base, "#fff8e1"),
    ):
        before = viewport.grab().toImage()
        palette = widget.palette()
        palette.setColor(role, QColor(colour))
        widget.setPalette(palette)
        QApplication.processEvents()
        cached = viewport.grab().toImage()  # with the row pictures kept from before
        assert largest_difference(before, cached) > ROUNDING, ("the new colour is shown", role)
        delegate = table.itemDelegate()
        table.setItemDelegate(QStyledItemDelegate(table))
        QApplication.processEvents()
        assert largest_difference(viewport.grab().toImage(), cached) <= ROUNDING, role
        table.setItemDelegate(delegate)


def test_a_table_filling_its_own_background_looks_as_qt_paints_it(
    vss_qapp: QApplication, qtbot, ctx: AppContext
) -> None:  # type: ignore[no-untyped-def]
    """Once its background is known to be one colour the table fills it itself (Qt fills none
    under the rows' pictures, app/ui/cached_table.py): right of the last column, below the
    last row, behind a selected row and the row under the pointer, and under a row scrolled
    into view, the pixels are still Qt's."""
    from PySide6.QtCore import Qt

    page = _registry_page(ctx, qtbot, 8)
    page.show()
    QApplication.processEvents()
    table, viewport = page.table, page.table.viewport()
    page.table.viewport().removeEventFilter(page.columns)  # columns narrower than the table
    header = table.horizontalHeader()
    for column in range(header.count()):
        header.resizeSection(column, 90)
    table.selectRow(2)
    QTest.mouseMove(viewport, table.visualRect(page.model.index(4, 1)).center())
    QApplication.processEvents()
    viewport.grab()  # the first paint: Qt fills the background, the table then takes over
    assert viewport.testAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
    assert table.rowViewportPosition(page.model.rowCount() - 1) < viewport.height() // 2
    assert header.length() < viewport.width() * 3 // 4  # room right of the last column
    cached = viewport.grab().toImage()
    delegate = table.itemDelegate()
    table.setItemDelegate(QStyledItemDelegate(table))
    QApplication.processEvents()
    assert largest_difference(viewport.grab().toImage(), cached) <= ROUNDING
    table.setItemDelegate(delegate)
    QApplication.processEvents()
    viewport.grab()
    # A part of the viewport painted again (one row's band, as when the pointer moves on).
    viewport.repaint(table.visualRect(page.model.index(5, 0)).adjusted(0, 0, 400, 0))
    cached = viewport.grab().toImage()
    table.setItemDelegate(QStyledItemDelegate(table))
    QApplication.processEvents()
    assert largest_difference(viewport.grab().toImage(), cached) <= ROUNDING
