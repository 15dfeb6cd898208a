"""Window sizes that suit the laptops officers have (1024x600 netbooks to 1920x1080 screens)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

# Room a window may take on the smallest screen: 1024x600 less the task bar and a title bar.
SMALLEST_SCREEN_ROOM = (1024, 540)


def fit_to_width(window: QWidget, width: int) -> None:
    """Size ``window`` to ``width`` (less on a narrower screen) and the height its wrapped text
    needs at that width: Qt sizes a top-level window from its width-free size hint, which leaves
    word-wrapped labels too short (they overlap what follows) or makes the window too wide."""
    screen = window.screen()
    if screen is not None:
        width = min(width, screen.availableGeometry().width())
    layout = window.layout()
    height = layout.totalHeightForWidth(width) if layout is not None else -1
    if height < 0:
        height = window.sizeHint().height()
    window.setMinimumHeight(min(height, SMALLEST_SCREEN_ROOM[1]))
    window.resize(width, height)
