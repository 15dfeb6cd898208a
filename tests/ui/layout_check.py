"""What "fits" means for the layout test: a walk over a shown window that lists every widget whose
text needs more room than it has, every sideways scroll bar, nested scroll areas, anything cut off
at the right of a scroll area that has no sideways scroll bar, and anything placed outside the
window. Used by tests/ui/test_layout_fit.py."""

from __future__ import annotations

import os
import re
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QFrame,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabBar,
    QToolButton,
    QWidget,
)

from app.core.line_breaks import strip_display_marks

SLACK = 1  # pixels of rounding Qt may need


def _name(widget: QWidget) -> str:
    text = ""
    if isinstance(widget, (QLabel, QAbstractButton)):
        text = strip_display_marks(re.sub("<[^>]+>", "", widget.text()))[:40]
    return f"{type(widget).__name__}#{widget.objectName() or '-'} {text!r}"


def inside_scroll_viewport(widget: QWidget, top: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent.parentWidget(), QAbstractScrollArea) and parent.objectName() in (
            "qt_scrollarea_viewport",
        ):
            return True
        parent = parent.parentWidget()
    return False


def _scroll_viewport(widget: QWidget, top: QWidget) -> tuple[QWidget, QAbstractScrollArea] | None:
    """The innermost scroll area ``widget`` is shown in, with its viewport (None: not in one)."""
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        area = parent.parentWidget()
        if isinstance(area, QAbstractScrollArea) and parent is area.viewport():
            return parent, area
        parent = parent.parentWidget()
    return None


# Plain containers: what is cut off is reported as the labels, buttons and boxes inside them.
_CONTAINERS = (QWidget, QFrame, QSplitter, QStackedWidget)


def _clipped_problem(widget: QWidget, top: QWidget) -> str | None:
    """A widget reaching past the right edge of the scroll area it is in, while that area has no
    sideways scroll bar to reach it: its right part is simply not shown (a page wider than the
    screen inside the window's scroll area)."""
    if type(widget) in _CONTAINERS:
        return None
    inside = _scroll_viewport(widget, top)
    if inside is None:
        return None
    viewport, area = inside
    bar = area.horizontalScrollBar()
    if bar.isVisible() and bar.maximum() > 0:
        return None  # reachable sideways: reported as the scroll bar itself
    left = widget.mapTo(viewport, QPoint(0, 0)).x()
    hidden = left + widget.width() - viewport.width()
    if hidden > SLACK:
        return f"cut off at the right of its scroll area ({hidden} px not shown)"
    return None


def _label_problem(label: QLabel) -> str | None:
    if not label.text().strip() or (label.pixmap() is not None and not label.pixmap().isNull()):
        return None
    width = label.contentsRect().width()
    if label.wordWrap():
        if label.minimumSizeHint().width() > label.width() + SLACK:
            return f"needs {label.minimumSizeHint().width()} px wide, has {label.width()}"
        needed = label.heightForWidth(label.width())
        if needed > label.height() + SLACK:
            return f"needs {needed} px high at its width, has {label.height()}"
        return None
    if GuiQt.mightBeRichText(label.text()) and label.textFormat() != Qt.TextFormat.PlainText:
        document = QTextDocument()
        document.setDefaultFont(label.font())
        document.setDocumentMargin(0)
        document.setHtml(label.text())
        needed = int(document.idealWidth())
    else:
        needed = label.sizeHint().width() - (label.width() - width)
    if needed > width + SLACK:
        return f"text needs {needed} px, has {width}"
    return None


def _button_problem(button: QAbstractButton) -> str | None:
    if not button.text().strip() or isinstance(button, QToolButton):
        return None
    if button.hasHeightForWidth():  # a wrapping button: its text may take several lines
        if button.minimumSizeHint().width() > button.width() + SLACK:
            return f"needs {button.minimumSizeHint().width()} px wide, has {button.width()}"
        needed = button.heightForWidth(button.width())
        if needed > button.height() + SLACK:
            return f"needs {needed} px high at its width, has {button.height()}"
        return None
    hint = button.sizeHint()
    if hint.width() > button.width() + SLACK:
        return f"needs {hint.width()} px wide, has {button.width()}"
    if hint.height() > button.height() + SLACK:
        return f"needs {hint.height()} px high, has {button.height()}"
    return None


def _header_problems(header: QHeaderView) -> list[str]:
    if header.orientation() != Qt.Orientation.Horizontal or not header.isVisible():
        return []
    found = []
    model = header.model()
    for section in range(header.count()):
        if header.isSectionHidden(section) or model is None:
            continue
        needed = header.sectionSizeFromContents(section).width()
        if needed > header.sectionSize(section) + SLACK:
            title = model.headerData(section, Qt.Orientation.Horizontal)
            found.append(
                f"header {strip_display_marks(str(title))!r} needs {needed} px, "
                f"has {header.sectionSize(section)}"
            )
    return found


def layout_problems(top: QWidget) -> list[str]:
    """Everything in ``top`` (a shown window) that does not fit, as readable lines."""
    QApplication.processEvents()
    # A timer that fired just now (the status bar's refresh after a write) may have changed a
    # text and only posted the layout that follows: judge the window as its next paint shows it.
    QApplication.sendPostedEvents()
    found: list[str] = []
    hint = top.minimumSizeHint()
    if hint.width() > top.width() + SLACK or hint.height() > top.height() + SLACK:
        found.append(
            f"window needs at least {hint.width()}x{hint.height()}, has {top.width()}x{top.height()}"
        )
    window_rect = top.rect()
    for widget in top.findChildren(QWidget):
        if not widget.isVisibleTo(top) or widget.width() <= 0:
            continue
        problem: str | None = None
        if isinstance(widget, QLabel):
            problem = _label_problem(widget)
        elif isinstance(widget, QAbstractButton) and not isinstance(widget.parent(), QTabBar):
            problem = _button_problem(widget)
        elif isinstance(widget, QHeaderView):
            found.extend(f"{_name(widget)}: {p}" for p in _header_problems(widget))
        elif isinstance(widget, QAbstractScrollArea):
            bar = widget.horizontalScrollBar()
            if bar.isVisible() and bar.maximum() > 0:
                problem = f"sideways scroll bar ({bar.maximum()} px hidden)"
            if isinstance(widget, QScrollArea):
                outer = widget.parentWidget()
                while outer is not None and outer is not top:
                    if isinstance(outer, QScrollArea):
                        problem = "scroll area nested inside another scroll area"
                    outer = outer.parentWidget()
        if problem is None:
            problem = _clipped_problem(widget, top)
        placed = problem is None and not isinstance(widget, QComboBox)
        if placed and not inside_scroll_viewport(widget, top):
            rect = QRect(widget.mapTo(top, QPoint(0, 0)), widget.size())
            if not window_rect.adjusted(-SLACK, -SLACK, SLACK, SLACK).contains(rect):
                problem = f"outside the window at {rect.getRect()}"
        if problem is not None:
            found.append(f"{_name(widget)}: {problem}")
    return found


def screenshot_folder(default: Path) -> Path:
    """Where the layout test keeps its screenshots: $VSS_LAYOUT_SHOTS, else ``default``."""
    folder = Path(os.environ.get("VSS_LAYOUT_SHOTS") or default)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
