"""The wizard's pages are laid out and painted once while the officer reads the page shown, so
that Next and Back find them ready (issue 20).

A page's first showing cost three to four times a later one: Qt gives its ~100 widgets their
first size, every label measures its text for that width and shapes it, and the style polishes
what it has not seen. None of that shows on screen, and all of it is done the same way by
painting the page out of sight at the size it will be shown at. So once the page shown has been
painted (a zero timer: the events already waiting go first), the pages next to it are prepared,
one per turn of the event loop so typing and clicks are never held up by more than one page,
then the others once each. Nothing about a page changes: the same page object is shown later
and paints the same pixels; a page whose answers, language or window size changed since is
measured again when shown, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QRect, QTimer
from PySide6.QtWidgets import QStackedWidget, QWidget


class PagePreparer(QObject):
    """Prepares a stack's pages out of sight, nearest to the page shown first."""

    def __init__(
        self,
        stack: QStackedWidget,
        pages: Sequence[QWidget],
        visible_indexes: Callable[[], list[int]],
        review: QWidget,
        fill_review: Callable[[], None],
    ) -> None:
        super().__init__(stack)
        self.stack = stack
        self.pages = list(pages)
        # The pages that apply, in order, the review last (its index is len(pages)).
        self.visible_indexes = visible_indexes
        self.review = review
        self.fill_review = fill_review  # fills the review for the answers (kept while the same)
        self.generation = 0  # moved on by anything that may change a page's look
        # Per page: the (generation, size) it was last prepared for.
        self.prepared: dict[int, tuple[int, object]] = {}
        self.waiting: list[int] = []
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(0)
        self.timer.timeout.connect(self._prepare_one)

    def changed(self) -> None:
        """An answer or the language changed: pages next to the one shown are prepared again."""
        self.generation += 1

    def page_shown(self, index: int) -> None:
        """Queue the pages to prepare: the next and the one before (again if something changed
        since), then every other page not yet prepared, nearest first. The review is prepared
        only as the next page: filling it reads the answers and searches for duplicates."""
        order = [i for i in self.visible_indexes() if i != index]
        later = [i for i in order if i > index]
        earlier = [i for i in order if i < index]
        near = later[:1] + earlier[-1:]
        rest = sorted(
            (i for i in order if i not in near and i < len(self.pages)),
            key=lambda i: abs(i - index),
        )
        self.waiting = near + [i for i in rest if i not in self.prepared]
        self.timer.start()

    def after_other_work(self) -> None:
        """Let zero timers started since the page was shown (the draft's save) go first."""
        if self.timer.isActive():
            self.timer.start()

    def stop(self) -> None:
        self.waiting = []
        self.timer.stop()

    def _prepare_one(self) -> None:
        shown = self.stack.currentWidget()
        if shown is None or not self.stack.isVisible():  # closed, or another screen in front
            self.waiting = []
            return
        while self.waiting:
            index = self.waiting.pop(0)
            page = self.pages[index] if index < len(self.pages) else self.review
            if page is shown:
                continue
            geometry: QRect = shown.geometry()
            stamp = (self.generation, geometry.getRect())
            if self.prepared.get(index) == stamp:
                continue
            self.prepared[index] = stamp
            if page is self.review:
                self.fill_review()
            prepare(page, geometry)
            break
        if self.waiting:
            self.timer.start()


def prepare(page: QWidget, geometry: QRect) -> None:
    """Lay out and paint a hidden page at the size it will be shown at. The paint goes to a
    picture that is thrown away; the page keeps its updates off, as every page out of sight
    does (see IntakeWizard._switch_stack_to)."""
    page.setGeometry(geometry)
    page.setUpdatesEnabled(True)
    page.grab()
    page.setUpdatesEnabled(False)
