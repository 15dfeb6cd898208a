"""Comparing a cached paint with Qt's own, pixel by pixel: used by the tests of the registry's
cell pictures (test_cell_text.py) and of the wizard review's problems list
(test_review_problems_paint.py), which paint through the same cached delegate."""

from __future__ import annotations

from PySide6.QtGui import QImage

# A glyph's edge drawn on a transparent picture and then onto the view differs from one drawn on
# the view directly by at most a rounding step of one colour channel (premultiplied alpha).
ROUNDING = 2


def largest_difference(one: QImage, other: QImage) -> int:
    """The largest difference of one colour channel between two images of the same size."""
    assert one.size() == other.size()
    if one == other:
        return 0
    first = one.convertToFormat(QImage.Format.Format_RGB32).constBits().tobytes()
    second = other.convertToFormat(QImage.Format.Format_RGB32).constBits().tobytes()
    return max(abs(a - b) for a, b in zip(first, second, strict=True))
