"""The officer's input, watched for the idle lock: any key or mouse input in any window of the app
counts as activity, and the lock shortcut is caught in every window (a modal record view or
question blocks the main window's own shortcuts).

The watch is an application-wide event filter. In Python it is called for every event of every
widget, and building and showing the main window sends hundreds: PySide6 built the Python type of
each widget and event class it saw (~60 ms before the first frame). So it goes on after the first
frame: the window's QWindow is watched until its first expose (the first frame is painted as that
is handled) and the filter goes on at the next turn of the event loop; at once if a modal window
blocks the main window first (only the filter sees the lock shortcut there).

Each event the filter is given crosses from Qt into Python, and building a large screen sends
thousands (about 26,000 for the wizard: children added, polished, laid out), none of them input:
the wizard's opening took 0.3-0.6 s more CPU with the watch on. No input is delivered while Python
code runs without turning the event loop, so such a build is done with the watch set aside
(``set_aside``) and loses nothing; the watch is back before the event loop turns again.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

ACTIVITY_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)
_FIRST_FRAME_EVENTS = frozenset({QEvent.Type.Expose, QEvent.Type.WindowBlocked})
# The watches on the application now (between _watch_all and stop).
_ON_THE_APPLICATION: weakref.WeakSet[InputWatch] = weakref.WeakSet()


@contextmanager
def set_aside() -> Iterator[None]:
    """The watches are off the application for a build run without turning the event loop
    (no dialog, no processEvents inside: no input can arrive meanwhile), and back after it,
    whatever happens in it; a watch stopped meanwhile stays off."""
    app = QApplication.instance()
    aside = [watch for watch in _ON_THE_APPLICATION if shiboken6.isValid(watch)]
    if app is not None:
        for watch in aside:
            app.removeEventFilter(watch)
    try:
        yield
    finally:
        if app is not None:
            for watch in aside:
                if watch in _ON_THE_APPLICATION and shiboken6.isValid(watch):
                    app.installEventFilter(watch)


class InputWatch(QObject):
    """Calls ``activity`` on any input, and ``lock_key`` on every key press (True: the key was
    the lock shortcut and is used up). The window calls :meth:`window_shown` from its showEvent."""

    def __init__(
        self,
        window: QWidget,
        activity: Callable[[], None],
        lock_key: Callable[[QKeyEvent], bool],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._activity = activity
        self._lock_key = lock_key
        self.watching = False

    def window_shown(self) -> None:
        handle = self._window.windowHandle()
        if not self.watching and handle is not None:
            handle.installEventFilter(self)  # for its first expose

    def watch_now(self) -> None:
        """The window was painted before the watch was made (the main window's frame)."""
        if not self.watching:
            self.watching = True
            self._watch_all()

    def stop(self) -> None:
        _ON_THE_APPLICATION.discard(self)
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def _watch_all(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
            _ON_THE_APPLICATION.add(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if not self.watching:
            if kind in _FIRST_FRAME_EVENTS:
                self.watching = True
                watched.removeEventFilter(self)
                if kind == QEvent.Type.Expose:
                    QTimer.singleShot(0, self._watch_all)
                else:
                    self._watch_all()
            return False
        if kind in ACTIVITY_EVENTS:
            self._activity()
        return (
            kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and self._lock_key(event)
        )
