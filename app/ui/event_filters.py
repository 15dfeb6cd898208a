"""Event filters written in Python, taken off what they watch before Python lets go of them.

Qt calls a filter for every event of the objects it watches until the filter's C++ object is
deleted. A widget tree whose Python side is only in reference cycles (a wizard left to Python's
collector) is taken apart in the wrong order for that: the collector first clears the Python
attributes of every object in the cycle, then the last reference goes and Qt deletes the C++
tree, sending events (a child removed, ...) to the objects still alive, filters included; the
filter's Python ``eventFilter`` then ran without its attributes (AttributeError inside Qt's
delete). The collector finalises every object before it clears any (PEP 442), so a filter that
takes itself off in ``__del__`` is never called without its Python side. Deleted the usual way
(``deleteLater``, a parent deleted) the filter goes with its C++ object, as any other.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject


class WatchingFilter:
    """Mixed into a QObject subclass (before it) that filters other objects' events in Python:
    ``watch`` installs the filter; the filters come off when the Python object is finalised."""

    def watch(self, watched: QObject) -> None:
        me = self._as_object()
        watched.installEventFilter(me)
        self.__dict__.setdefault("_watched_objects", []).append(watched)

    def __del__(self) -> None:
        me = self._as_object()
        for watched in self.__dict__.get("_watched_objects", ()):
            if shiboken6.isValid(me) and shiboken6.isValid(watched):
                watched.removeEventFilter(me)

    def _as_object(self) -> QObject:
        assert isinstance(self, QObject)
        return self
