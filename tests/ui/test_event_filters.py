"""A widget tree left to Python's cycle collector is taken apart without calling a Python event
filter whose attributes the collector has already cleared (app/ui/event_filters.py).

Before, the review page's CachedTextDelegate stayed installed on its list while the collector
cleared it, and Qt called it as it deleted the list's children: "'CachedTextDelegate' object has
no attribute 'view'", raised inside whatever Python code the collection ran in (a later test's
label measuring its height)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.i18n import set_language
from app.services import records
from app.services.context import AppContext
from app.ui.event_filters import WatchingFilter
from app.ui.wizard.wizard import IntakeWizard


def _collected_without_errors(qtbot: QtBot, make: Callable[[], QObject]) -> None:
    """``make()`` a tree reachable only through reference cycles, then let the collector take
    it: it must be collected by ``gc.collect`` (not before: the test would prove nothing), and
    no Python code may fail while Qt deletes it."""
    gc.collect()
    gc.disable()
    try:
        tree = weakref.ref(make())
        QApplication.processEvents()
        assert tree() is not None, "freed without the collector: nothing was tested"
        with qtbot.captureExceptions() as exceptions:
            gc.collect()
        assert tree() is None
    finally:
        gc.enable()
    assert [str(error[1]) for error in exceptions] == []


def test_a_wizard_left_to_the_collector_is_deleted_without_calling_its_filters(
    vss_qapp: QApplication, qtbot: QtBot, ctx: AppContext
) -> None:
    set_language("km")

    def make() -> QObject:
        wizard = IntakeWizard(ctx, records.start_application(ctx, "civil_party"))
        wizard.resize(1024, 600)
        wizard.show()
        wizard.show_page(len(wizard.pages))  # the review, its problems list filled
        wizard.grab()
        wizard.close()
        return wizard

    _collected_without_errors(qtbot, make)


class _Watcher(WatchingFilter, QObject):
    """A filter on a widget, reading an attribute of its own at every event it is given."""

    def __init__(self, watched: QWidget, parent: QObject) -> None:
        super().__init__(parent)
        self.owner = parent  # the parent holds its child's Python side too: a cycle
        self.watched = watched
        self.seen = 0
        self.watch(watched)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.watched:
            self.seen += 1
        return False


def test_a_watching_filter_comes_off_before_the_collector_clears_it(
    vss_qapp: QApplication, qtbot: QtBot
) -> None:
    def make() -> QObject:
        widget = QWidget()
        # A child deleted before the filter (its sibling, made after it): a widget is sent
        # QEvent.Destroy as it is deleted, and its filters are given it.
        child = QWidget(widget)
        _Watcher(child, widget)
        return widget

    _collected_without_errors(qtbot, make)


def test_a_watching_filter_still_filters_while_alive(vss_qapp: QApplication) -> None:
    widget = QWidget()
    watcher = _Watcher(widget, widget)
    QApplication.sendEvent(widget, QEvent(QEvent.Type.User))
    assert watcher.seen == 1
