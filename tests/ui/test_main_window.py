from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QFontDatabase, QFontInfo
from PySide6.QtWidgets import QApplication, QPushButton

from app import __version__
from app.core.forms import check_form_file
from app.core.resources import fonts_dir
from app.ui.fonts import UI_FONT_FAMILY, register_bundled_fonts
from app.ui.main_window import MainWindow
from app.ui.record_view import RecordDialog
from app.ui.text import plain


def test_the_khmer_font_comes_from_assets(vss_qapp: QApplication) -> None:
    families = register_bundled_fonts()
    assert UI_FONT_FAMILY in families
    assert list(fonts_dir().glob("NotoSansKhmer-*.ttf"))
    assert (fonts_dir() / "OFL.txt").exists()
    assert UI_FONT_FAMILY in QFontDatabase.families()
    # The application font actually resolves to the bundled family, not a system fallback.
    assert QFontInfo(vss_qapp.font()).family() == UI_FONT_FAMILY


def test_main_window_starts_in_khmer_and_switches_language(main_window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    assert plain(main_window.navigation.item(0).text()) == "ទំព័រដើម"  # the start page comes first
    first_item = main_window.navigation.item(1)
    assert plain(first_item.text()) == "អ្នកដាក់ពាក្យ"
    assert first_item.text() == "អ្នក\u200bដាក់\u200bពាក្យ"  # shown with breaks between words
    assert plain(main_window.officer_label.text()) == "មន្ត្រី៖ Sokha"
    assert plain(main_window.records_label.text()) == "កំណត់ត្រា៖ ០"

    main_window.language_box.setCurrentIndex(main_window.language_box.findData("en"))
    assert first_item.text() == "Applicants"
    assert main_window.records_label.text() == "Records: 0"
    assert main_window.windowTitle() == "VSS Outreach"

    main_window.language_box.setCurrentIndex(main_window.language_box.findData("km"))
    assert plain(first_item.text()) == "អ្នកដាក់ពាក្យ"


def test_navigation_shows_each_page(main_window: MainWindow) -> None:
    for row in range(main_window.navigation.count()):
        main_window.navigation.setCurrentRow(row)
        assert main_window.pages.currentIndex() == row


def test_command_line_version_and_smoke_start(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "VSS_OUTREACH_HOME": str(tmp_path),
        "VSS_OUTREACH_FAST_KDF": "1",
    }
    version = subprocess.run(
        [sys.executable, "-m", "app.main", "--version"], capture_output=True, text=True, env=env
    )
    assert version.returncode == 0
    assert __version__ in version.stdout

    def start(*extra: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
        run_env = dict(env)
        if password is not None:
            run_env["VSS_OUTREACH_PASSWORD"] = password
        return subprocess.run(
            [sys.executable, "-m", "app.main", *extra],
            capture_output=True,
            text=True,
            env=run_env,
            timeout=120,
        )

    # A new laptop opens on the set-up dialog; nothing is written before an account exists.
    first = tmp_path / "first.png"
    started = start("--quit-after-start", "--screenshot", str(first))
    assert started.returncode == 0, started.stderr
    assert first.stat().st_size > 5_000
    assert not (tmp_path / "vss-outreach.db").exists()

    made = start(
        "--user",
        "admin",
        "setup",
        "--name",
        "Admin",
        "--device",
        "Laptop 1",
        password="correct horse",
    )
    assert made.returncode == 0, made.stderr
    assert "-" in made.stdout  # the recovery code is printed once

    shot = tmp_path / "main.png"
    signed_in = start(
        "--user", "admin", "--quit-after-start", "--screenshot", str(shot), password="correct horse"
    )
    assert signed_in.returncode == 0, signed_in.stderr
    assert shot.stat().st_size > 10_000
    assert (tmp_path / "vss-outreach.db").exists()

    wrong = start("--user", "admin", "--quit-after-start", password="wrong password")
    assert wrong.returncode == 1
    assert "ពាក្យសម្ងាត់" in wrong.stderr  # the reason, in Khmer


def test_registry_opens_a_record_and_prints_from_it(main_window: MainWindow, ctx) -> None:  # type: ignore[no-untyped-def]
    import random

    from app.core.demo_answers import demo_answers
    from app.services import form_catalogue, records
    from app.ui.print_page import PrintPage
    from app.ui.registry import RegistryPage

    form = form_catalogue.form_definition("complaint")
    application_id = records.start_application(ctx, "complaint")
    reference = records.finalize_application(
        ctx, application_id, demo_answers(form, random.Random(2))
    )
    registry = main_window.page_by_key["applicants"]
    assert isinstance(registry, RegistryPage)
    registry.apply_filters()
    assert registry.model.rowCount() == 1
    registry.application_chosen.emit(registry.model.application_id(0))
    dialog = main_window.findChild(RecordDialog)
    assert dialog is not None and reference in dialog.windowTitle()
    dialog.findChild(QPushButton, "print_receipt").click()
    printer = main_window.page_by_key["print"]
    assert isinstance(printer, PrintPage)
    assert main_window.current_page() is printer
    assert printer.document is not None and printer.document.kind == "receipt"


def test_a_damaged_form_file_is_left_out_and_reported(
    vss_qapp: QApplication,
    qtbot,
    ctx,
    tmp_path: Path,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    import shutil

    from app.services import form_catalogue
    from app.ui.intake_page import IntakePage

    folder = tmp_path / "forms"
    folder.mkdir()
    shutil.copy(fonts_dir().parent.parent / "forms" / "complaint.yaml", folder)
    broken = (fonts_dir().parent.parent / "forms" / "civil_party.yaml").read_text(encoding="utf-8")
    (folder / "civil_party.yaml").write_text(
        broken.replace("type: choice", "type: choise", 1), encoding="utf-8"
    )
    monkeypatch.setattr(form_catalogue, "forms_dir", lambda: folder)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    # Checked once the window is painted (the forms are parsed off the UI thread).
    qtbot.waitUntil(lambda: not window.form_warning.isHidden())
    problems = [str(problem) for problem in check_form_file(folder / "civil_party.yaml")]
    assert len(problems) == 1 and "unknown field type 'choise'" in problems[0]
    assert plain(window.form_warning.text()) == (
        "ឯកសារទម្រង់មួយខូច ហើយនឹងមិនត្រូវបានផ្តល់ជូនទេ រហូតដល់វាត្រូវបានកែ៖\n" + problems[0]
    )
    intake = window.page_by_key["new_application"]
    assert isinstance(intake, IntakePage)
    assert list(intake.chooser.form_buttons) == ["complaint"]
    window.shutdown()


def test_registry_filters_by_forum_and_shows_new_records_when_shown_again(
    main_window: MainWindow,
    ctx,  # type: ignore[no-untyped-def]
) -> None:
    import random

    from app.core.demo_answers import demo_answers
    from app.services import form_catalogue, records
    from app.ui.registry import RegistryPage

    form = form_catalogue.form_definition("complaint")
    for seed, forum in ((1, "វេទិកា បាទី"), (2, "វេទិកា បាទី"), (3, "វេទិកា ព្រៃកប្បាស")):
        application_id = records.start_application(ctx, "complaint")
        records.finalize_application(
            ctx,
            application_id,
            demo_answers(form, random.Random(seed), overrides={"intake_forum": forum}),
        )
    main_window.show_page("settings")
    main_window.show_page("applicants")  # coming back shows the new records
    registry = main_window.page_by_key["applicants"]
    assert isinstance(registry, RegistryPage)
    assert registry.model.rowCount() == 3
    registry.forum_filter.setCurrentIndex(registry.forum_filter.findData("វេទិកា បាទី"))
    assert registry.model.rowCount() == 2


def test_every_page_is_called_the_same_in_the_menu_and_its_title(main_window: MainWindow) -> None:
    from PySide6.QtWidgets import QLabel

    from app.ui.main_window import NAVIGATION

    for language in ("km", "en"):
        main_window.language_box.setCurrentIndex(main_window.language_box.findData(language))
        for row, (key, _label) in enumerate(NAVIGATION):
            page = main_window.page(key)
            # The New application page opens on its form chooser, which carries its title.
            title = getattr(getattr(page, "chooser", page), "title", None)
            assert isinstance(title, QLabel), key
            assert title.text() == main_window.navigation.item(row).text(), key
