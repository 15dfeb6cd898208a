"""Keeps the interpreter alive under PySide6 6.12 on Python 3.11.

Measured here: every call of a PySide6 6.12 method that returns nothing (``setVisible``,
``setText``, ``setEnabled`` ...) and every ``QComboBox.currentData()`` that returns ``None``
drops one reference to ``None`` that it never took (methods returning a bool do the same to
``True``/``False``). Before Python 3.12, ``None`` is an ordinary
object: once its count reaches zero the interpreter aborts ("Fatal Python error: none_dealloc").
The wizard makes about a hundred such calls per keystroke (skip logic), so a day of intake —
or a long test run — ends in a crash that loses the unsaved answers.

Until the toolkit or the interpreter is upgraded, the references that Qt drops are given back:
``top_up`` raises the count of ``None`` (CPython keeps it in the first word of the object) far
above zero. Holding extra references in a list would not do: the list is freed when the
interpreter shuts down, and the count would fall to zero right there. A timer calls it every
second. On Python 3.12+ ``None`` is immortal and this does nothing.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, QTimer

# Far above anything a session (or the clean-up at exit, which no timer sees) can drop: the count
# is only a number, so a large one costs nothing — Python 3.12 makes None immortal the same way.
FLOOR = 1 << 39  # top up when fewer references than this are left
TARGET = 1 << 40
# True and False are dropped the same way by methods that return a bool (isChecked, isHidden).
SINGLETONS = (None, True, False)


def needed() -> bool:
    return sys.version_info < (3, 12)


def top_up() -> int:
    """Give back the references lost since the last call; returns how many were added."""
    if not needed():
        return 0
    added = 0
    for singleton in SINGLETONS:
        count = sys.getrefcount(singleton)
        if count < FLOOR:
            ctypes.c_ssize_t.from_address(id(singleton)).value += TARGET - count
            added += TARGET - count
    return added


def install(parent: QObject) -> QTimer | None:
    """Top up now and every second for as long as ``parent`` (the application) lives."""
    if not needed():
        return None
    top_up()
    timer = QTimer(parent)
    timer.setInterval(1000)
    timer.timeout.connect(top_up)
    timer.start()
    return timer
