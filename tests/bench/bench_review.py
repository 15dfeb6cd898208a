"""The wizard's review page come back to (issue 20): the page shown again with the same answers
and grabbed, UI-thread CPU time, with its problems list painted by the page's cached delegate
(app.ui.cell_text) and, in turns in the same run, by Qt's own item delegate (the baseline).

``python -m tests.bench.bench_review [km|en]`` (a small store; under a minute).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from app.i18n import set_language
from app.services import records
from tests.bench.bench_app import build_store
from tests.bench.bench_wizard import _officer_pause, create_qt_application

TURNS = 16


def review_revisit(language: str = "km") -> dict[str, float]:
    from PySide6.QtWidgets import QStyledItemDelegate

    from app.ui.wizard.wizard import IntakeWizard

    create_qt_application()
    set_language(language)
    ctx = build_store(Path(tempfile.mkdtemp()), 50)
    wizard = IntakeWizard(ctx, records.start_application(ctx, "civil_party"))
    wizard.resize(1100, 800)
    wizard.show()
    review = len(wizard.pages)
    problems = wizard.review.problems
    delegates = {"cached": problems.itemDelegate(), "qt": QStyledItemDelegate(problems)}
    switch: dict[str, list[float]] = {"cached": [], "qt": []}
    paint: dict[str, list[float]] = {"cached": [], "qt": []}
    wizard.show_page(review)
    wizard.grab()
    _officer_pause()
    for turn in range(TURNS):
        which = "qt" if turn % 2 == 0 else "cached"
        problems.setItemDelegate(delegates[which])
        wizard.show_page(0)
        wizard.grab()
        _officer_pause(0.1)
        start = time.thread_time()
        wizard.show_page(review)
        wizard.grab()
        elapsed = time.thread_time() - start
        start = time.thread_time()
        wizard.review.grab()
        painted = time.thread_time() - start
        if turn >= 2:  # the first of each: pictures and Qt's caches made
            switch[which].append(elapsed)
            paint[which].append(painted)
        _officer_pause(0.1)
    wizard.close()
    return {
        "review_revisit_cpu_ms": 1000 * statistics.median(switch["cached"]),
        "review_revisit_qt_delegate_cpu_ms": 1000 * statistics.median(switch["qt"]),
        "review_paint_cpu_ms": 1000 * statistics.median(paint["cached"]),
        "review_paint_qt_delegate_cpu_ms": 1000 * statistics.median(paint["qt"]),
        "review_problems": float(problems.count()),
    }


if __name__ == "__main__":
    for key, value in review_revisit(sys.argv[1] if len(sys.argv) > 1 else "km").items():
        print(f"{key:40s} {value:8.2f}")
