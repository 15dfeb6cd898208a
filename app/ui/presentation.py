"""Forum presentation: the rights topics as full-screen slides for a projector or a large screen.

One idea per slide, in very large Khmer with the English below it in smaller type. Each topic
starts with a title slide. Presentation clickers send PageDown/PageUp, so those move as the arrow
keys and Space do; Esc closes; E shows or hides the English line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QColor, QKeyEvent, QMouseEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.core.rights import RightsTopic
from app.i18n import format_number
from app.ui.text import _, display

KHMER_POINT_SIZE = 44.0
ENGLISH_POINT_SIZE = 26.0
TITLE_POINT_SIZE = 54.0
SMALLEST_KHMER_POINT_SIZE = 28.0
# The sizes above are for a 1920x1080 screen; on a smaller one (an old 800x600 projector) text
# and margins shrink in proportion, so the slide looks the same from the back of the room.
REFERENCE_HEIGHT = 1080
MARGINS = (80, 50, 80, 30)
INK = "#111111"
ENGLISH_INK = "#34495e"
GREY = "#6b6b6b"

NEXT_KEYS = frozenset(
    {
        Qt.Key.Key_Right,
        Qt.Key.Key_Down,
        Qt.Key.Key_PageDown,
        Qt.Key.Key_Space,
        Qt.Key.Key_Return,
        Qt.Key.Key_Enter,
    }
)
PREVIOUS_KEYS = frozenset({Qt.Key.Key_Left, Qt.Key.Key_Up, Qt.Key.Key_PageUp, Qt.Key.Key_Backspace})


def set_point_size(widget: QWidget, size: float, bold: bool = False, color: str = "") -> None:
    """Give ``widget`` a text size that the app's style sheet (``QWidget { font-size: 12pt }``)
    cannot override: a widget's own style sheet wins over the application's, setFont() does not."""
    rules = f"font-size: {size:.1f}pt; font-weight: {'bold' if bold else 'normal'};"
    if color:
        rules += f" color: {color};"
    widget.setStyleSheet(rules)
    widget.ensurePolished()


@dataclass(frozen=True)
class SlideContent:
    """One screen: the Khmer text, the English text, and whether it is a topic's title slide."""

    topic_index: int
    khmer: str
    english: str
    is_title: bool
    source: str = ""


def build_slides(topics: Sequence[RightsTopic]) -> list[SlideContent]:
    """Every topic in order: its title slide, then one slide per idea (Khmer slide ``i`` paired
    with English slide ``i``)."""
    slides: list[SlideContent] = []
    for index, topic in enumerate(topics):
        km = topic.text("km", fallback=True)
        en = topic.text("en", fallback=True)
        slides.append(SlideContent(index, km.title, en.title, True, km.source))
        for number, khmer in enumerate(km.slides):
            english = en.slides[number] if number < len(en.slides) else ""
            slides.append(SlideContent(index, khmer, english, False))
    return slides


class PresentationWindow(QWidget):
    """Full-screen slides; ``show_presentation()`` opens it full screen (tests may call show())."""

    slide_changed = Signal(int)

    def __init__(
        self,
        topics: Sequence[RightsTopic],
        start_topic_index: int = 0,
        show_english: bool = True,
    ) -> None:
        super().__init__()
        self.setObjectName("presentation")
        self.setWindowTitle(_("Presentation"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("#fdfcf7"))
        self.setPalette(palette)
        self.slides = build_slides(topics)
        self.show_english = show_english
        self.index = 0

        self.khmer_label = QLabel()
        self.khmer_label.setObjectName("slideKhmer")
        self.english_label = QLabel()
        self.english_label.setObjectName("slideEnglish")
        self.source_label = QLabel()
        self.source_label.setObjectName("slideSource")
        set_point_size(self.source_label, 16, color=GREY)
        self.indicator = QLabel()
        self.indicator.setObjectName("slideIndicator")
        set_point_size(self.indicator, 14, color=GREY)
        self.indicator.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.hint = QLabel()
        self.hint.setObjectName("slideHint")
        set_point_size(self.hint, 11, color=GREY)
        for label in (self.khmer_label, self.english_label, self.source_label):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

        layout = self.main_layout = QVBoxLayout(self)
        layout.setContentsMargins(*MARGINS)
        layout.setSpacing(24)
        layout.addStretch(1)
        layout.addWidget(self.khmer_label)
        layout.addWidget(self.english_label)
        layout.addWidget(self.source_label)
        layout.addStretch(1)
        footer = QVBoxLayout()
        footer.addWidget(self.indicator)
        footer.addWidget(self.hint)
        layout.addLayout(footer)

        self.go_to_topic(start_topic_index)

    # --- navigation ------------------------------------------------------------------------------

    @property
    def slide_count(self) -> int:
        return len(self.slides)

    def go_to(self, index: int) -> None:
        if not self.slides:
            self._show_empty()
            return
        self.index = max(0, min(index, len(self.slides) - 1))
        self._show_current()
        self.slide_changed.emit(self.index)

    def go_to_topic(self, topic_index: int) -> None:
        for number, slide in enumerate(self.slides):
            if slide.is_title and slide.topic_index == topic_index:
                self.go_to(number)
                return
        self.go_to(0)

    def next_slide(self) -> None:
        self.go_to(self.index + 1)

    def previous_slide(self) -> None:
        self.go_to(self.index - 1)

    def toggle_english(self) -> None:
        self.show_english = not self.show_english
        self._show_current()

    def show_presentation(self) -> None:
        self.showFullScreen()
        self.activateWindow()
        self.setFocus()

    # --- events ----------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in NEXT_KEYS:
            self.next_slide()
        elif key in PREVIOUS_KEYS:
            self.previous_slide()
        elif key == Qt.Key.Key_Home:
            self.go_to(0)
        elif key == Qt.Key.Key_End:
            self.go_to(len(self.slides) - 1)
        elif key == Qt.Key.Key_E:
            self.toggle_english()
        elif key == Qt.Key.Key_Escape:
            self.close()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        # A click anywhere moves on, as on most presentation tools; a right click goes back.
        if event.button() == Qt.MouseButton.RightButton:
            self.previous_slide()
        else:
            self.next_slide()
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_text()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.isFullScreen():
            self.showNormal()
        super().closeEvent(event)

    # --- drawing ---------------------------------------------------------------------------------

    def _show_empty(self) -> None:
        self.index = 0
        self.khmer_label.setText("")
        self.english_label.setText("")
        self.source_label.setText("")
        self.indicator.setText("")

    def _show_current(self) -> None:
        slide = self.slides[self.index]
        self.khmer_label.setText(display(slide.khmer))
        self.english_label.setText(slide.english)
        self.english_label.setVisible(self.show_english and bool(slide.english))
        self.source_label.setText(slide.source)
        self.source_label.setVisible(bool(slide.source))
        self.indicator.setText(
            _("Slide {number} / {count}").format(
                number=format_number(self.index + 1), count=format_number(len(self.slides))
            )
        )
        self.hint.setText(
            _("→ / PageDown: next · ← / PageUp: back · E: English on/off · Esc: close")
        )
        self._fit_text()

    def _fit_text(self) -> None:
        """The largest type (down to a readable minimum) at which the slide fits the screen."""
        if not self.slides:
            return
        slide = self.slides[self.index]
        screen_factor = min(1.0, self.height() / REFERENCE_HEIGHT, self.width() / 1440)
        left, top, right, bottom = (round(m * max(screen_factor, 0.4)) for m in MARGINS)
        self.main_layout.setContentsMargins(left, top, right, bottom)
        self.main_layout.setSpacing(round(24 * max(screen_factor, 0.4)))
        margins = self.main_layout.contentsMargins()
        width = max(200, self.width() - margins.left() - margins.right())
        reserved = (
            margins.top()
            + margins.bottom()
            + self.indicator.sizeHint().height()
            + self.hint.sizeHint().height()
            + (self.source_label.heightForWidth(width) if slide.source else 0)
            + 3 * self.main_layout.spacing()
        )
        available = max(200, self.height() - reserved)
        alignment = Qt.AlignmentFlag.AlignHCenter if slide.is_title else Qt.AlignmentFlag.AlignLeft
        self.khmer_label.setAlignment(alignment)
        self.english_label.setAlignment(alignment)
        start = TITLE_POINT_SIZE if slide.is_title else KHMER_POINT_SIZE
        scale = 1.0
        while True:
            khmer_size = start * scale
            set_point_size(self.khmer_label, khmer_size, bold=slide.is_title, color=INK)
            set_point_size(
                self.english_label,
                ENGLISH_POINT_SIZE * max(scale, 0.75 * screen_factor),
                color=ENGLISH_INK,
            )
            needed = self.khmer_label.heightForWidth(width)
            if self.english_label.isVisibleTo(self):
                needed += self.english_label.heightForWidth(width)
            if needed <= available or khmer_size <= SMALLEST_KHMER_POINT_SIZE * screen_factor:
                break
            scale *= 0.92
