"""The officer's input, watched for the idle lock: any key or mouse input in any window of the app
counts as activity, and the lock shortcut is caught in every window (a modal record view or
question blocks the main window's own shortcuts).

The watch is an application-wide event filter. In Python it is called for every event of every
widget, and building and showing the main window sends hundreds: PySide6 built the Python type of
each widget and event class it saw (~60 ms before the first frame). So it goes on after the first
frame: the window's QWindow is watched until its first expose (the first frame is painted as that
is handled) and the filter goes on at the next turn of the event loop; at once if a modal window
blocks the main window first (only the filter sees the lock shortcut there).
"""

from __future__ import annotations

from collections.abc import Callable

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
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def _watch_all(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

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
