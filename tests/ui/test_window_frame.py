"""The main window's frame (issue 20): signing in from the environment, the window is painted as
soon as the password is checked, without a context, and filled in once the store is open
(app.ui.signed_in_start). Before that it shows nothing of the store and nothing can be done with
it; after it, the window is the ordinary main window (lock, idle lock, counts)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services.context import AppContext
from app.ui.main_window import NAVIGATION, MainWindow
from app.ui.start_page import StartPage
from app.ui.text import plain
from tests.ui.app_run import officer_laptop, read_report, run_as_officer


def test_the_frame_shows_nothing_of_the_store_and_fills_in_once_it_is_open(
    vss_qapp: object, qtbot: QtBot, ctx: AppContext
) -> None:
    window = MainWindow(None)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert not window.attached
    start = window.page_by_key["start"]
    assert isinstance(start, StartPage)
    assert start.summary is None
    assert plain(start.tiles["drafts"].text()) == "សេចក្តីព្រាងត្រូវបញ្ចប់៖ …"  # count to come
    assert not start.drafts.isVisible()
    assert window.officer_label.text() == "" and window.records_label.text() == ""
    # Nothing to lock or watch yet, and no other page is built without the store.
    window.last_activity = 0.0
    window.check_idle()
    window.lock_now()
    assert not window.locked
    window.show_page("applicants")
    assert dict.get(window.page_by_key, "applicants") is None
    window.show_page("start")

    window.attach(ctx)
    assert window.attached
    assert start.summary is not None
    assert plain(start.tiles["drafts"].text()) == "សេចក្តីព្រាងត្រូវបញ្ចប់៖ ០"
    assert "…" not in plain(window.records_label.text())
    assert window.input_watch is not None and window.input_watch.watching
    # The lock works as in any main window: the shortcut, and the idle lock.
    assert window.lock_action.shortcut().toString() == "Ctrl+L"
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.locked and window.body.currentWidget() is window.lock_screen
    window.shutdown()


def test_the_idle_lock_works_once_the_frame_is_filled_in(
    vss_qapp: object, qtbot: QtBot, ctx: AppContext
) -> None:
    window = MainWindow(None)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.show_page("applicants")  # chosen in the frame: built once the store is open
    window.attach(ctx)
    assert dict.get(window.page_by_key, "applicants") is not None
    assert window.current_page() is window.page_by_key["applicants"]
    window.last_activity = 0.0
    window.check_idle()
    assert window.locked
    window.shutdown()


def test_signing_in_from_the_environment_paints_the_frame_then_the_filled_window(
    tmp_path: Path,
) -> None:
    """The frame is painted first, the filled window after it, and the screenshot a smoke test
    takes is of the filled window (the status bar names the officer)."""
    home = officer_laptop(tmp_path)
    painted = tmp_path / "painted.json"
    report = tmp_path / "modules.json"
    done = run_as_officer(
        home,
        "--quit-after-start",
        "--report-painted",
        str(painted),
        "--report-modules",
        str(report),
    )
    assert done.returncode == 0, done.stderr
    moments = read_report(painted)
    assert moments["frame"] <= moments["filled"]
    # The bench's share of the filled window's CPU that went to loading the store's modules.
    assert 0 < moments["store_modules_cpu"] <= moments["filled_cpu"]
    loaded = set(read_report(report))
    assert {"app.services.context", "app.ui.lock_screen"} <= loaded  # filled: signed in


def test_the_frame_is_never_shown_for_a_wrong_password(tmp_path: Path) -> None:
    home = officer_laptop(tmp_path)
    painted = tmp_path / "painted.json"
    done = run_as_officer(
        home,
        "--quit-after-start",
        "--report-painted",
        str(painted),
        password="not the password",
    )
    assert done.returncode == 1
    assert "ពាក្យសម្ងាត់" in done.stderr
    assert not painted.exists()


def test_navigation_keys_are_kept_in_the_items(vss_qapp: object, qtbot: QtBot) -> None:
    """The navigation's items carry their page key in Qt's user role (named by number in the
    frame, so Qt's namespace of enums is not built for it)."""
    window = MainWindow(None)
    qtbot.addWidget(window)
    keys = [
        window.navigation.item(row).data(Qt.ItemDataRole.UserRole)
        for row in range(window.navigation.count())
    ]
    assert keys == [key for key, _label in NAVIGATION]


def test_the_forms_are_parsed_after_the_window_is_filled_in(
    vss_qapp: object,
    qtbot: QtBot,
    ctx: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Parsing the forms (~0.3 s of CPU) is not needed to paint the filled window when no draft
    names its form: the damaged-files check runs after the paint, off the UI thread."""
    import shutil

    from app.core.resources import forms_dir
    from app.services import form_catalogue

    folder = tmp_path / "forms"
    shutil.copytree(forms_dir(), folder)
    monkeypatch.setattr(form_catalogue, "forms_dir", lambda: folder)
    window = MainWindow(None)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.attach(ctx)
    window.grab()
    assert form_catalogue.parsed_form_problems() is None  # not parsed to fill the window in
    qtbot.waitUntil(lambda: form_catalogue.parsed_form_problems() is not None, timeout=30_000)
    assert form_catalogue.parsed_form_problems() == []
    assert window.form_warning.isHidden()
    window.shutdown()


def test_nothing_is_built_or_checked_after_the_window_is_shut_down(
    vss_qapp: object, qtbot: QtBot, ctx: AppContext
) -> None:
    """A warm-up step or the form files' check due after shutdown starts no work the closing
    store would have to wait for (a page built then started its count on a closed window)."""
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    built = set(window.page_by_key)
    window.shutdown()
    window._warm_up()
    window.form_warning.check()
    assert set(window.page_by_key) == built
    assert window.form_warning._task is None
