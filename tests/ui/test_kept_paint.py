"""What the wizard keeps between paints draws exactly what Qt draws (issue 20).

Labels remember their height for a width and keep their text's layout (plain text) or shaped
glyphs (rich text); the step bar keeps a picture per look. Each is compared here, pixel for
pixel, with the plain Qt widget showing the same thing, including after the text, the width or
the value changes (nothing stale is ever shown). Timings are not asserted.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QProgressBar,
    QProxyStyle,
    QStyle,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.ui.text import MeasuredLabel, display
from app.ui.wizard.step_bar import StepBar

KHMER = display(
    "សូមសួរអំពីអ្នកដែលកំពុងដាក់ពាក្យ។ បើគាត់មិនអាចអានបាន សូមអានសំណួរនីមួយៗឱ្យគាត់ស្តាប់ ហើយសរសេរចម្លើយតាមដែលគាត់និយាយ។"
)
ENGLISH = "Ask about the person applying.\nIf they cannot read, read each question aloud to them."
RICH = f"<b>{KHMER}</b> *<br><span style='color:#555'>{ENGLISH}</span>"


def _image(widget: QWidget) -> QImage:
    return widget.grab().toImage().convertToFormat(QImage.Format.Format_ARGB32)


def _pair(qtbot: QtBot, text: str, width: int, height: int) -> tuple[MeasuredLabel, QLabel]:
    kept, plain = MeasuredLabel(), QLabel()
    for label in (kept, plain):
        label.setWordWrap(True)
        label.setText(text)
        label.resize(width, height)
        qtbot.addWidget(label)
        label.show()
    return kept, plain


@pytest.mark.parametrize("text", [KHMER, ENGLISH, RICH, "", "a < b & c"])
@pytest.mark.parametrize(
    "alignment",
    [
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        Qt.AlignmentFlag.AlignCenter,
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
    ],
)
def test_a_measured_label_paints_and_measures_as_qlabel(
    vss_qapp: QApplication, qtbot: QtBot, text: str, alignment: Qt.AlignmentFlag
) -> None:
    kept, plain = _pair(qtbot, text, 320, 160)
    for label in (kept, plain):
        label.setAlignment(alignment)
    for width, height in [(320, 160), (200, 260), (500, 60), (140, 40)]:  # 140x40 clips
        for label in (kept, plain):
            label.resize(width, height)
        assert kept.heightForWidth(width) == plain.heightForWidth(width)
        assert _image(kept) == _image(plain), (width, height)
        assert _image(kept) == _image(plain), "second paint, from what was kept"

    # A new text, a new font and a disabled label: measured and painted afresh.
    for label in (kept, plain):
        label.setText(ENGLISH if text != ENGLISH else KHMER)
    assert kept.heightForWidth(140) == plain.heightForWidth(140)
    assert _image(kept) == _image(plain)
    for label in (kept, plain):
        font = label.font()
        font.setPointSizeF(font.pointSizeF() + 5)
        label.setFont(font)
    assert kept.heightForWidth(200) == plain.heightForWidth(200)
    assert _image(kept) == _image(plain)
    for label in (kept, plain):
        label.setEnabled(False)
    assert _image(kept) == _image(plain)


def test_a_measured_label_paints_as_qlabel_after_its_look_changes(
    vss_qapp: QApplication, qtbot: QtBot
) -> None:
    """What a label reads once (alignment, text format, selectable text, direction) is read
    again after it changes: every change below is painted as QLabel paints it."""
    kept, plain = _pair(qtbot, KHMER, 320, 160)
    assert _image(kept) == _image(plain)
    changes = [
        lambda label: label.setAlignment(
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom
        ),
        lambda label: label.setAlignment(Qt.AlignmentFlag.AlignHCenter),
        lambda label: label.setAlignment(Qt.AlignmentFlag.AlignJustify),
        lambda label: label.setAlignment(Qt.AlignmentFlag.AlignLeft),
        lambda label: label.setTextFormat(Qt.TextFormat.RichText),
        lambda label: label.setText(RICH),
        lambda label: label.setTextFormat(Qt.TextFormat.PlainText),
        lambda label: label.setText(ENGLISH),
        lambda label: label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse),
        lambda label: label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction),
        lambda label: label.setLayoutDirection(Qt.LayoutDirection.RightToLeft),
        lambda label: label.setLayoutDirection(Qt.LayoutDirection.LeftToRight),
        lambda label: label.setStyleSheet("letter-spacing: 2px"),
        lambda label: label.setStyleSheet(""),
    ]
    for number, change in enumerate(changes):
        for label in (kept, plain):
            change(label)
        assert _image(kept) == _image(plain), number
        assert _image(kept) == _image(plain), f"{number}, painted again"
    # A font that differs only by its letter spacing lays the text out and measures it afresh.
    assert kept.heightForWidth(140) == plain.heightForWidth(140)
    for label in (kept, plain):
        font = label.font()
        font.setLetterSpacing(font.SpacingType.AbsoluteSpacing, 4)
        label.setFont(font)
    assert kept.heightForWidth(140) == plain.heightForWidth(140)
    assert _image(kept) == _image(plain)
    # Measured afresh after a change of the text format alone (the same text).
    for label in (kept, plain):
        label.setText(RICH)
        label.setTextFormat(Qt.TextFormat.PlainText)
    assert kept.heightForWidth(140) == plain.heightForWidth(140)
    for label in (kept, plain):
        label.setTextFormat(Qt.TextFormat.RichText)
    assert kept.heightForWidth(140) == plain.heightForWidth(140)
    assert _image(kept) == _image(plain)


def test_the_step_bar_paints_as_a_progress_bar(vss_qapp: QApplication, qtbot: QtBot) -> None:
    window = QWidget()
    layout = QVBoxLayout(window)
    kept, plain = StepBar(), QProgressBar()
    for bar in (kept, plain):
        bar.setTextVisible(True)
        layout.addWidget(bar)
    qtbot.addWidget(window)
    window.resize(700, 120)
    window.show()
    qtbot.waitExposed(window)
    looks = [
        (3, 12, "ជំហាន​ទី ៣ នៃ ១២"),
        (4, 12, "ជំហាន​ទី ៤ នៃ ១២"),
        (3, 12, "Step 3 of 12"),
        (9, 12, "Step"),  # the same text, a longer bar
        (10, 12, "Step"),
    ]
    for value, total, text in [*looks, *looks]:  # the second time round from kept pictures
        for bar in (kept, plain):
            bar.setRange(0, total)
            bar.setValue(value)
            bar.setFormat(text)
        assert _image(kept) == _image(plain), text
    window.resize(500, 120)
    QApplication.processEvents()
    assert _image(kept) == _image(plain), "a new width is drawn afresh"
    for bar in (kept, plain):
        bar.setEnabled(False)
    assert _image(kept) == _image(plain), "a disabled bar is drawn afresh"


class _FramesStyle(QProxyStyle):
    """A style that animates progress bars: each drawing is a new frame (a shade per frame)."""

    def __init__(self) -> None:
        super().__init__("Fusion")
        self.frames = 0

    def drawControl(self, element, option, painter, widget=None) -> None:  # type: ignore[no-untyped-def]
        super().drawControl(element, option, painter, widget)
        if element == QStyle.ControlElement.CE_ProgressBarLabel:  # last of a bar's parts
            self.frames += 1
            painter.fillRect(0, 0, 4, 4, QColor(self.frames % 256, 0, 0))


def test_the_step_bar_shows_every_frame_of_an_animating_style(
    vss_qapp: QApplication, qtbot: QtBot
) -> None:
    style = _FramesStyle()
    bar = StepBar()
    bar.setStyle(style)
    bar.setRange(0, 12)
    bar.setValue(3)
    qtbot.addWidget(bar)
    bar.resize(400, 40)
    bar.show()
    first = _image(bar)
    assert _image(bar) == first, "a still style: the kept picture"
    # The style asks for its next frame (as QStyleAnimation does): every paint is drawn afresh.
    QApplication.sendEvent(bar, QEvent(QEvent.Type.StyleAnimationUpdate))
    second = _image(bar)
    assert _image(bar) != second
