"""Every screen fits (issue 14 items 4-6): each page, each section of each form (conditional fields
shown), each dialog and each presentation slide, in Khmer and English, at the screen sizes officers
have. Fails on any label or button whose text needs more room than it has, any sideways scroll bar,
nested scroll areas and anything outside the window.

Screenshots are kept in $VSS_LAYOUT_SHOTS (or the pytest temporary folder, printed on failure):
look at them, Khmer at 1024x600 above all.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.core.demo_answers import demo_answers
from app.i18n import set_language
from app.services import form_catalogue, records
from app.services.accounts import first_run_setup
from app.services.context import AppContext
from app.services.rights import rights_topics
from app.ui.about import AboutDialog
from app.ui.intake_page import IntakePage
from app.ui.main_window import NAVIGATION, MainWindow
from app.ui.path_explainer import PathExplainerDialog
from app.ui.presentation import PresentationWindow
from app.ui.record_view import RecordDialog
from app.ui.sign_in import FirstRunDialog, RecoveryCodeDialog, SignInDialog
from tests.ui.layout_check import inside_scroll_viewport, layout_problems, screenshot_folder

SCREENS = ((1024, 600), (1366, 768), (1920, 1080))
SLIDE_SCREENS = ((800, 600), (1024, 768), (1920, 1080))
LANGUAGES = ("km", "en")


@pytest.fixture(autouse=True)
def _fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VSS_OUTREACH_FAST_KDF", "1")


@pytest.fixture
def admin(tmp_path: Path) -> Iterator[AppContext]:
    ctx, _code = first_run_setup(
        tmp_path / "home", "admin", "អ្នកគ្រប់គ្រង Admin", "long enough 1", "L", "km"
    )
    yield ctx
    ctx.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return screenshot_folder(tmp_path_factory.mktemp("layout_shots"))


def _some_records(ctx: AppContext) -> None:
    """Drafts of every form and a few final applications (their long form titles and names)."""
    import random

    for number, form in enumerate(form_catalogue.available_forms().values()):
        records.start_application(ctx, form.id)
        final = records.start_application(ctx, form.id)
        records.finalize_application(ctx, final, demo_answers(form, random.Random(number)))


def _settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def _check(widget: QWidget, where: str, shots: Path, shot: str | None) -> list[str]:
    _settle()
    if shot is not None:
        widget.grab().save(str(shots / f"{shot}.png"))
    return [f"{where}: {problem}" for problem in layout_problems(widget)]


def _fail_if(problems: list[str], shots: Path) -> None:
    assert not problems, f"screenshots in {shots}\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_fits_every_screen(
    vss_qapp: QApplication, qtbot: QtBot, admin: AppContext, shots: Path, language: str
) -> None:
    set_language(language)
    _some_records(admin)  # lists, tables and counts filled as on a laptop in use
    window = MainWindow(admin)
    qtbot.addWidget(window)
    window.show()
    problems: list[str] = []
    try:
        for width, height in SCREENS:
            window.resize(width, height)
            for key, _label in NAVIGATION:
                window.show_page(key)
                name = f"{language}_{width}x{height}_page_{key}"
                problems += _check(window, name, shots, name)
        window.lock_now()  # the lock screen replaces everything: it must fit too
        for width, height in SCREENS:
            window.resize(width, height)
            name = f"{language}_{width}x{height}_lock_screen"
            problems += _check(window, name, shots, name)
    finally:
        window.shutdown()
    _fail_if(problems, shots)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_wizard_section_fits_with_all_its_fields(
    vss_qapp: QApplication, qtbot: QtBot, admin: AppContext, shots: Path, language: str
) -> None:
    set_language(language)
    window = MainWindow(admin)
    qtbot.addWidget(window)
    window.show()
    intake = window.page("new_application")
    assert isinstance(intake, IntakePage)
    problems: list[str] = []
    try:
        for form in form_catalogue.available_forms().values():
            window.show_page("new_application")
            intake.start(form.id)
            wizard = intake.wizard
            assert wizard is not None
            for width, height in SCREENS:
                window.resize(width, height)
                for index, page in enumerate(wizard.pages):
                    # Conditional fields and sections shown too: every field must fit.
                    page.setEnabled(True)
                    for row in page.rows:
                        row.setVisible(True)
                    wizard.show_page(index)
                    name = (
                        f"{language}_{width}x{height}_form_{form.id}_{index:02d}_{page.section.id}"
                    )
                    shot = name if (width, height) == SCREENS[0] else None
                    problems += _check(window, name, shots, shot)
                wizard.show_page(len(wizard.pages))
                name = f"{language}_{width}x{height}_form_{form.id}_review"
                problems += _check(window, name, shots, name)
                # Finalise is in sight without scrolling anything.
                finalize = wizard.review.finalize_button
                corner = finalize.mapTo(window, QPoint(0, 0))
                assert finalize.isVisibleTo(window), name
                assert window.rect().contains(QRect(corner, finalize.size())), name
                assert not inside_scroll_viewport(finalize, window), name
            intake.save_open_draft()
            intake.show_chooser()
    finally:
        window.shutdown()
    _fail_if(problems, shots)


def _dialogs(ctx: AppContext, home: Path, parent: QWidget) -> Iterator[tuple[str, QWidget]]:
    sign_in = SignInDialog(home)
    if sign_in.username.isEditable():
        sign_in.username.setEditText("nobody")
    sign_in.password.setText("wrong password")
    task = sign_in.attempt()  # shows the error message once the key was tried
    assert task is not None and task.wait()
    while not task.reported:
        QApplication.processEvents()
    yield "sign_in_error", sign_in
    yield "first_run", FirstRunDialog(home.parent / "fresh")
    yield "recovery_code", RecoveryCodeDialog("ABCD-EFGH-IJKL-MNOP-QRST-UVWX")
    yield "about", AboutDialog(parent)
    explainer = PathExplainerDialog(parent)
    yield "path_explainer_question", explainer
    while not explainer.at_result:
        explainer.answer(True)
    yield "path_explainer_result", explainer
    form = form_catalogue.form_definition("civil_party")
    application_id = records.start_application(ctx, form.id)
    import random

    records.finalize_application(ctx, application_id, demo_answers(form, random.Random(3)))
    yield "record", RecordDialog(ctx, application_id, parent)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_dialog_fits_every_screen(
    vss_qapp: QApplication, qtbot: QtBot, admin: AppContext, shots: Path, language: str
) -> None:
    set_language(language)
    parent = QWidget()
    qtbot.addWidget(parent)
    home = admin.home
    problems: list[str] = []
    for name, dialog in _dialogs(admin, home, parent):
        qtbot.addWidget(dialog)
        dialog.show()
        _settle()
        opened = dialog.size()
        for width, height in SCREENS:
            # A dialog opens at its own size; a screen smaller than that clips it to the screen
            # (less the task bar and title bar), where it must still work.
            dialog.resize(min(opened.width(), width), min(opened.height(), height - 60))
            where = f"{language}_{width}x{height}_dialog_{name}"
            problems += _check(dialog, where, shots, where if width == SCREENS[0][0] else None)
        dialog.hide()
    _fail_if(problems, shots)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_slide_fits_every_projector(
    vss_qapp: QApplication, qtbot: QtBot, shots: Path, language: str
) -> None:
    set_language(language)
    window = PresentationWindow(rights_topics())
    qtbot.addWidget(window)
    window.show()
    problems: list[str] = []
    for width, height in SLIDE_SCREENS:
        window.resize(width, height)
        for index in range(window.slide_count):
            window.go_to(index)
            where = f"{language}_{width}x{height}_slide_{index:02d}"
            shot = where if (width, height) == SLIDE_SCREENS[0] else None
            problems += _check(window, where, shots, shot)
    _fail_if(problems, shots)
