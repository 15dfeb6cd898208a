"""The signed-in main window is painted without loading the PDF machinery or the pages not
shown (issue 20).

The app signs in (``--user`` with the password in the environment) in a child process with
``--report-modules``: it paints the main window, writes the names in ``sys.modules`` at that
moment and quits. ReportLab and the shaping engine cost start-up time an officer waits through
after the password; they are loaded only where a PDF is made (printing, receipts, leaflets).
"""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.services.context import AppContext
from tests.ui.app_run import officer_laptop, read_report, run_as_officer

# Packages and modules that must NOT be imported when the main window first paints.
NOT_BEFORE_MAIN_WINDOW_PAINT = (
    "reportlab",
    "uharfbuzz",
    "alembic",
    "app.pdf",
    "app.services.printing",
    # Pages not shown yet are built after the first paint (the wizard is the heaviest), and a
    # record's window when one is opened.
    "app.ui.wizard",
    "app.ui.intake_page",
    "app.ui.record_view",
    "app.ui.civil_parties_page",
    "app.ui.print_page",
    "app.ui.sync_page",
    "app.ui.dashboard_page",
    "app.ui.security_page",
    "app.ui.settings_page",
    # The bulk import (its checks and the second core's worker: multiprocessing) is loaded when
    # an import starts, the deadline check once the start page is painted (on a thread), the
    # draft table's column fitter when there are drafts.
    "app.services.bulk_import",
    "app.services.import_checks",
    "app.services.people_batch",
    "multiprocessing",
    "app.services.followup",
    "app.ui.sizing",
    # Printing's Qt module comes with the first print dialog (the lock screen asks Qt's class
    # names, app.ui.lock_screen).
    "PySide6.QtPrintSupport",
)


def _modules_at_main_window_paint(home: Path) -> set[str]:
    report = home.parent / "main-window-modules.json"
    done = run_as_officer(home, "--report-modules", str(report))
    assert done.returncode == 0, done.stderr
    loaded = set(read_report(report))
    assert "app.ui.main_window" in loaded and "app.services.context" in loaded  # it signed in
    return loaded


def test_the_main_window_is_painted_before_the_pdf_machinery_is_imported(tmp_path: Path) -> None:
    home = officer_laptop(tmp_path)
    loaded = _modules_at_main_window_paint(home)
    forbidden = sorted(
        name
        for name in loaded
        for banned in NOT_BEFORE_MAIN_WINDOW_PAINT
        if name == banned or name.startswith(banned + ".")
    )
    assert forbidden == []


def test_input_is_watched_for_the_idle_lock_from_the_first_paint_on(
    vss_qapp: object, qtbot: QtBot, ctx: AppContext
) -> None:
    """The idle lock's application-wide event filter is installed once the window has painted:
    in Python it is called for every event of every widget, and building the window sends
    hundreds. From then on any key press, in any window, counts as activity."""
    from PySide6.QtCore import Qt

    from app.ui.app import build_main_window

    window = build_main_window(ctx)
    qtbot.addWidget(window)
    window.last_activity = 0.0
    qtbot.keyClick(window, Qt.Key.Key_A)
    assert window.last_activity == 0.0  # not painted yet: nothing watched
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.input_watch.watching)
    qtbot.wait(20)
    qtbot.keyClick(window, Qt.Key.Key_A)
    assert window.last_activity > 0.0
    window.shutdown()


def test_a_store_that_cannot_be_opened_is_reported_when_signing_in_from_the_environment(
    tmp_path: Path,
) -> None:
    """The store is opened on the sign-in thread while Qt loads: what it refuses still reaches
    the officer as the translated message (exit 1), not as a traceback."""
    home = officer_laptop(tmp_path)
    (home / "vss-outreach.db").write_bytes(b"not a database" * 1000)
    for stale in home.glob("vss-outreach.db-*"):
        stale.unlink()
    done = run_as_officer(home)
    assert done.returncode == 1
    assert "មិនអាចបើកឯកសារទិន្នន័យបានទេ" in done.stderr
    assert "Traceback" not in done.stderr
