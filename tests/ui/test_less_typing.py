"""Less typing (issue 14, item 9): the officer's name filled in; organisations and forums
chosen from lists kept on the laptop, so a second spelling never splits a forum."""

from __future__ import annotations

import random
import threading

from pytestqt.qtbot import QtBot

from app.core.demo_answers import demo_answers
from app.core.forms import FieldRole
from app.i18n import set_language
from app.services import form_catalogue, records
from app.services.context import AppContext
from app.services.remembered import remembered_values
from app.ui.intake_page import IntakePage
from app.ui.main_window import MainWindow
from app.ui.wizard.field_widgets import RememberedEditor
from app.ui.wizard.wizard import IntakeWizard
from tests.officers import FIELD_OFFICER, add_officers
from tests.ui.test_wizard import type_text


def _wizard(main_window: MainWindow) -> IntakeWizard:
    main_window.show_page("new_application")
    page = main_window.page("new_application")
    assert isinstance(page, IntakePage)
    page.start("complaint")
    assert page.wizard is not None
    return page.wizard


def test_the_officers_name_is_filled_in(ctx: AppContext) -> None:
    add_officers(ctx, [FIELD_OFFICER])
    ctx.officer = FIELD_OFFICER
    application_id = records.start_application(ctx, "complaint")
    form = form_catalogue.form_definition("complaint")
    officer_field = form.field_with_role(FieldRole.OFFICER_NAME)
    assert officer_field is not None
    answers = records.get_application(ctx, application_id, audit=False).answers
    assert answers[officer_field.id] == FIELD_OFFICER.display_name


def test_forums_and_organisations_come_from_the_laptops_list(
    main_window: MainWindow, qtbot: QtBot, ctx: AppContext
) -> None:
    set_language("en")
    form = form_catalogue.form_definition("complaint")
    remembered = [f for f in form.all_fields() if f.remembered]
    forum = form.field_with_role(FieldRole.FORUM)
    assert forum is not None and forum in remembered and len(remembered) >= 2
    answers = demo_answers(form, random.Random(1), overrides={forum.id: "Forum Batheay 2026"})
    records.finalize_application(ctx, records.start_application(ctx, form.id), answers)
    assert remembered_values(ctx, forum) == ["Forum Batheay 2026"]

    wizard = _wizard(main_window)
    editor = wizard.rows[forum.id].editor
    assert isinstance(editor, RememberedEditor)
    assert [editor.combo.itemText(i) for i in range(editor.combo.count())] == ["Forum Batheay 2026"]
    # Typed again with other case and spacing: the listed spelling is kept, not a new forum.
    type_text(editor.edit, "forum  batheay 2026 ")
    assert editor.value() == "Forum Batheay 2026"
    # A new forum is simply typed, and joins the list once its application is final.
    editor.edit.clear()
    type_text(editor.edit, "Forum Prey Kabbas")
    assert editor.value() == "Forum Prey Kabbas"
    second = demo_answers(form, random.Random(2), overrides={forum.id: editor.value()})
    records.finalize_application(ctx, records.start_application(ctx, form.id), second)
    assert remembered_values(ctx, forum) == ["Forum Prey Kabbas", "Forum Batheay 2026"]


def test_a_busy_message_shows_while_the_key_is_derived(
    vss_qapp: object, qtbot: QtBot, tmp_path: object, monkeypatch: object
) -> None:
    from pathlib import Path

    import pytest
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.services.accounts import first_run_setup
    from app.ui import sign_in as sign_in_module

    assert isinstance(monkeypatch, pytest.MonkeyPatch) and isinstance(tmp_path, Path)
    monkeypatch.setenv("VSS_OUTREACH_FAST_KDF", "1")
    ctx, _code = first_run_setup(tmp_path, "admin", "Admin", "long enough 1", "Laptop", "en")
    ctx.close()
    dialog = sign_in_module.SignInDialog(tmp_path)
    qtbot.addWidget(dialog)
    seen: list[tuple[str, bool, bool]] = []
    real = sign_in_module.sign_in
    deriving, release = threading.Event(), threading.Event()
    threads: list[bool] = []

    def watched(*args: object) -> AppContext:
        # Held in the derivation until the UI thread has looked at the dialog.
        threads.append(threading.current_thread() is threading.main_thread())
        deriving.set()
        release.wait(30)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(sign_in_module, "sign_in", watched)
    dialog.password.setText("long enough 1")
    task = dialog.attempt()
    assert task is not None and deriving.wait(30)
    # While the key is derived the window keeps working: a timer fires, the message is shown.
    ticks: list[int] = []
    QTimer.singleShot(10, lambda: ticks.append(1))
    qtbot.waitUntil(lambda: bool(ticks), timeout=5_000)
    cursor = QApplication.overrideCursor()
    seen.append((dialog.error.text(), dialog.sign_in_button.isEnabled(), cursor is not None))
    assert dialog.progress.isVisibleTo(dialog)  # the bar moves while the officer waits
    release.set()
    qtbot.waitUntil(lambda: task.reported, timeout=30_000)
    assert threads == [False]  # derived off the UI thread
    assert seen and seen[0][0] and not seen[0][1] and seen[0][2]
    assert dialog.ctx is not None and QApplication.overrideCursor() is None
    dialog.ctx.close()
