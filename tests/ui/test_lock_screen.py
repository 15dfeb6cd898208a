"""The lock hides everything (issue 14, item 2): no applicant text visible, in a title or in a
grab of the window while locked, and unlocking returns to where the officer was."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractItemModel, QAbstractListModel, QModelIndex, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.core.demo_answers import demo_answers
from app.core.forms import FieldRole
from app.services import records
from app.services.accounts import first_run_setup, is_locked
from app.services.context import AppContext
from app.ui.main_window import MainWindow
from app.ui.print_page import PrintPage
from app.ui.text import plain

PASSWORD = "long enough 1"


@pytest.fixture(autouse=True)
def _fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VSS_OUTREACH_FAST_KDF", "1")


def _finalize(ctx: AppContext, seed: int, latin: str, khmer: str) -> str:
    form = records.form_definition("complaint")
    name_field = form.field_with_role(FieldRole.APPLICANT_NAME)
    assert name_field is not None
    answers = demo_answers(
        form, random.Random(seed), overrides={name_field.id: {"km": khmer, "latin": latin}}
    )
    return records.finalize_application(ctx, records.start_application(ctx, form.id), answers)


def _model_texts(model: QAbstractItemModel) -> list[str]:
    texts: list[str] = []
    root = QModelIndex()
    columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(root)
    for row in range(model.rowCount(root)):
        for column in range(columns):
            index = model.index(row, column, root)
            texts.append(str(model.data(index, Qt.ItemDataRole.DisplayRole) or ""))
            texts.append(str(model.data(index, Qt.ItemDataRole.ToolTipRole) or ""))
    for section in range(columns):
        texts.append(str(model.headerData(section, Qt.Orientation.Horizontal) or ""))
    return texts


def _widget_texts(widget: QWidget) -> list[str]:
    texts = [widget.windowTitle(), widget.toolTip(), widget.accessibleName()]
    if isinstance(widget, QLabel | QAbstractButton | QLineEdit):
        texts.append(widget.text())
    if isinstance(widget, QLineEdit):
        texts.append(widget.placeholderText())
    if isinstance(widget, QTextEdit | QPlainTextEdit):
        texts.append(widget.toPlainText())
    if isinstance(widget, QComboBox):
        texts.extend(widget.itemText(i) for i in range(widget.count()))
    if isinstance(widget, QAbstractItemView) and widget.model() is not None:
        texts.extend(_model_texts(widget.model()))
    return texts


def visible_texts() -> list[str]:
    """Every text a person could read on screen: titles and contents of visible widgets."""
    texts: list[str] = []
    for top in QApplication.topLevelWidgets():
        if not top.isVisible():
            continue
        for widget in [top, *top.findChildren(QWidget)]:
            if widget.isVisible():
                texts.extend(_widget_texts(widget))
    return texts


def _open_everything(window: MainWindow, qtbot: QtBot, reference: str) -> None:
    """A record view open over the print page, which previews the applicant's receipt."""
    window.print_document("receipt", reference)
    printer = window.page("print")
    assert isinstance(printer, PrintPage) and printer.document is not None
    application_id = records.find_by_reference(window.ctx, reference)
    assert application_id is not None
    dialog = window.open_record(application_id)
    qtbot.waitExposed(dialog)
    window.page("applicants")


def _lock_and_grab(window: MainWindow, qtbot: QtBot) -> QImage:
    # Pressed where the officer is: in the record view on top.
    target = QApplication.activeWindow() or window
    qtbot.keyClick(target, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.locked and is_locked(window.ctx)
    qtbot.wait(50)
    return window.grab().toImage()


def _checked(window: MainWindow, qtbot: QtBot) -> None:
    """The password is checked in the background: wait until the lock screen shows the outcome."""
    task = window.lock_screen.task
    assert task is not None
    qtbot.waitUntil(lambda: task.reported, timeout=30_000)


def _unlock(window: MainWindow, qtbot: QtBot) -> None:
    window.lock_screen.password.setText("wrong")
    qtbot.mouseClick(window.lock_screen.unlock_button, Qt.MouseButton.LeftButton)
    _checked(window, qtbot)
    assert window.locked
    assert plain(window.lock_screen.error.text()) == "ពាក្យសម្ងាត់មិនត្រឹមត្រូវទេ។"
    qtbot.keyClicks(window.lock_screen.password, PASSWORD)
    qtbot.keyClick(window.lock_screen.password, Qt.Key.Key_Return)
    _checked(window, qtbot)
    assert not window.locked and not is_locked(window.ctx)


def test_nothing_of_the_applicant_is_visible_while_locked(
    vss_qapp: object, qtbot: QtBot, tmp_path: Path
) -> None:
    ctx, _code = first_run_setup(tmp_path, "admin", "Admin", PASSWORD, "Laptop", "km")
    first = _finalize(ctx, 1, "Sokunthea Ouk", "អ៊ុក សុគន្ធា")
    second = _finalize(ctx, 2, "Rithy Pen", "ប៉ែន ឫទ្ធី")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)

    _open_everything(window, qtbot, first)
    before = visible_texts()
    assert any("Sokunthea" in text for text in before)  # the walk does see applicant text
    page_before = window.pages.currentIndex()
    grab_first = _lock_and_grab(window, qtbot)
    shown = visible_texts()
    for secret in ("Sokunthea", "សុគន្ធា", first):
        assert not any(secret in text for text in shown), secret
    assert [w for w in QApplication.topLevelWidgets() if w.isVisible()] == [window]
    assert "Sokunthea" not in window.windowTitle() and first not in window.windowTitle()

    _unlock(window, qtbot)
    # Back where the officer was: the same page, the record view open again.
    assert window.pages.currentIndex() == page_before
    assert any("Sokunthea" in text for text in visible_texts())
    for top in QApplication.topLevelWidgets():
        if top is not window and top.isVisible():
            top.close()

    # Another applicant open when locking: the locked window is the same picture, pixel for
    # pixel, so no part of either applicant can be seen in a grab.
    _open_everything(window, qtbot, second)
    grab_second = _lock_and_grab(window, qtbot)
    assert grab_first.size() == grab_second.size()
    assert grab_first == grab_second
    _unlock(window, qtbot)
    window.shutdown()
    ctx.close()


def test_a_question_open_at_lock_time_is_cancelled(
    vss_qapp: object, qtbot: QtBot, tmp_path: Path
) -> None:
    ctx, _code = first_run_setup(tmp_path, "admin", "Admin", PASSWORD, "Laptop", "km")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    box = QMessageBox(QMessageBox.Icon.Question, "Delete Sokunthea?", "Sokunthea", parent=window)
    box.open()
    qtbot.waitExposed(box)
    window.idle_lock_seconds = lambda: 0.0  # type: ignore[method-assign]
    window.check_idle()  # the idle lock, this time
    assert window.locked and not box.isVisible()
    assert not any("Sokunthea" in text for text in visible_texts())
    _unlock(window, qtbot)
    assert not box.isVisible()  # a cancelled question is not asked again by itself
    window.shutdown()
    ctx.close()


def _qt_dialogs(parent: QWidget) -> list[QDialog]:
    """One of each of Qt's own dialogs with an event loop of their own (file dialog: Qt's, not
    the platform's, so it is a widget here too)."""
    from PySide6.QtPrintSupport import QPrintDialog

    files = QFileDialog(parent, "Save Sokunthea")
    files.setOption(QFileDialog.Option.DontUseNativeDialog)
    question = QInputDialog(parent)
    question.setLabelText("Sokunthea")
    progress = QProgressDialog("Sokunthea", "Cancel", 0, 10, parent)
    return [files, question, progress, QPrintDialog(parent)]


def test_qts_own_dialogs_are_cancelled_and_the_apps_are_hidden_and_shown_again(
    vss_qapp: object, qtbot: QtBot, tmp_path: Path
) -> None:
    """Qt's file, input, progress and print dialogs are cancelled by the lock (as its question
    box is, above); a dialog of the app's own is hidden and comes back after unlocking."""
    ctx, _code = first_run_setup(tmp_path, "admin", "Admin", PASSWORD, "Laptop", "km")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    dialogs = _qt_dialogs(window)
    own = QDialog(window)
    own.setWindowTitle("Sokunthea")
    for dialog in [*dialogs, own]:
        QDialog.open(dialog)  # (window-modal, as the app opens them; QFileDialog's own open
        qtbot.waitExposed(dialog)  # wants a receiver)
    window.lock_now()
    assert window.locked
    assert [dialog.isVisible() for dialog in [*dialogs, own]] == [False] * 5
    assert [dialog.result() for dialog in dialogs] == [QDialog.DialogCode.Rejected] * 4
    _unlock(window, qtbot)
    assert [dialog.isVisible() for dialog in dialogs] == [False] * 4
    assert own.isVisible()
    window.shutdown()
    ctx.close()
