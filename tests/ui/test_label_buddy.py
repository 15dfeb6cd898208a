"""MeasuredLabel asks for its buddy at a paint only once one was set (issue 20): a label with
none paints from its kept layout without the call (each returned None dropped a reference to
None, see app.ui.none_guard); a label with a buddy is painted by QLabel as before, with the same
pixels as a plain QLabel, and once its buddy is deleted it is treated as before too."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.ui.text import MeasuredLabel, display

KHMER = display("សូមសួរអំពីអ្នកដែលកំពុងដាក់ពាក្យ។ បើគាត់មិនអាចអានបាន សូមអានសំណួរនីមួយៗឱ្យគាត់ស្តាប់។")


def _image(widget: QWidget) -> QImage:
    return widget.grab().toImage().convertToFormat(QImage.Format.Format_ARGB32)


def _shown(qtbot: QtBot, label: QLabel, text: str) -> QWidget:
    box = QWidget()
    qtbot.addWidget(box)
    layout = QVBoxLayout(box)
    layout.addWidget(label)
    label.setWordWrap(True)
    label.setText(text)
    box.resize(260, 160)
    box.show()
    QApplication.processEvents()
    return box


def test_a_label_without_a_buddy_is_not_asked_for_one(vss_qapp: QApplication, qtbot: QtBot) -> None:
    label = MeasuredLabel()
    asked: list[object] = []
    label.buddy = lambda: asked.append(1)  # type: ignore[method-assign]
    plain = QLabel()
    boxes = [_shown(qtbot, label, KHMER), _shown(qtbot, plain, KHMER)]
    assert _image(label) == _image(plain)
    assert label._kept is not None, "painted from its kept layout"
    assert not asked
    assert len(boxes) == 2


def test_a_label_with_a_buddy_paints_as_qlabel_even_after_the_buddy_is_gone(
    vss_qapp: QApplication, qtbot: QtBot
) -> None:
    for text in (KHMER, "&Name of the applicant, as written on the identity card"):
        label, plain = MeasuredLabel(), QLabel()
        buddies = [QLineEdit(), QLineEdit()]
        boxes = []
        for one, buddy in zip((label, plain), buddies, strict=True):
            box = _shown(qtbot, one, text)
            boxes.append(box)
            box.layout().addWidget(buddy)
            one.setBuddy(buddy)
            QApplication.processEvents()
        label._kept = None
        assert _image(label) == _image(plain), text
        assert label._kept is None, "a label with a buddy is painted by QLabel"
        for buddy in buddies:
            buddy.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        assert label.buddy() is None
        if "&" in text:
            continue  # QLabel keeps hiding the "&" of a deleted buddy's mnemonic (as before)
        label.update()
        plain.update()
        QApplication.processEvents()
        assert _image(label) == _image(plain), text
