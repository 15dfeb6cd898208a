from __future__ import annotations

import tomllib
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app import __version__
from app.i18n import set_language
from app.services.error_log import configure_logging, report_bug
from app.ui.about import CREDITS, AboutDialog, app_icon, font_licence_path
from app.ui.text import plain

ROOT = Path(__file__).resolve().parents[2]


def test_about_shows_the_version_from_pyproject(vss_qapp: QApplication, qtbot) -> None:  # type: ignore[no-untyped-def]
    with (ROOT / "pyproject.toml").open("rb") as handle:
        version = tomllib.load(handle)["project"]["version"]
    assert __version__ == version
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert plain(dialog.version_label.text()) == f"កំណែ {version}"
    assert plain(dialog.purpose_label.text()) == (
        "កម្មវិធីសម្រាប់មន្ត្រីអង្គភាពគាំពារជនរងគ្រោះ ដើម្បីពន្យល់សិទ្ធិ "
        "ជួយបំពេញពាក្យបណ្តឹង និងពាក្យសុំតាំងខ្លួនជាដើមបណ្តឹងរដ្ឋប្បវេណី បោះពុម្ពឯកសារ "
        "និងផ្ញើកំណត់ត្រាទៅការិយាល័យកណ្តាល ទោះបីគ្មានអ៊ីនធឺណិតក៏ដោយ។\n\n"
        "For Victims Support Section officers: explain victims' rights, fill in complaints and "
        "civil party applications, print documents and send records to the central office, "
        "even offline."
    )
    assert "data.mef.gov.kh" in dialog.credits_view.toPlainText()
    credits = dialog.credits_view.toPlainText()
    for name in ("Noto Sans Khmer", "PySide6", "ReportLab", "SQLCipher", "HarfBuzz", "khmercut"):
        assert name in credits
    assert {credit.name for credit in CREDITS} >= {"Babel", "SQLAlchemy"}
    assert not app_icon().isNull()
    assert not dialog.icon_label.pixmap().isNull()


def test_the_font_licence_text_is_reachable(vss_qapp: QApplication, qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.licence_text.isVisible()
    show_label = dialog.licence_button.text()
    qtbot.mouseClick(dialog.licence_button, Qt.MouseButton.LeftButton)
    assert dialog.licence_text.isVisible()
    text = dialog.licence_text.toPlainText()
    assert "SIL OPEN FONT LICENSE Version 1.1" in text
    assert text == font_licence_path().read_text(encoding="utf-8")
    assert dialog.licence_button.text() != show_label
    qtbot.mouseClick(dialog.licence_button, Qt.MouseButton.LeftButton)
    assert not dialog.licence_text.isVisible()
    assert dialog.licence_button.text() == show_label
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == AboutDialog.DialogCode.Accepted


def test_the_error_log_can_be_saved_for_the_office(
    vss_qapp: QApplication, qtbot, home: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    set_language("en")
    configure_logging(home)
    dialog = AboutDialog(home=home)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.log_button.isVisible()
    target = tmp_path / "for-the-office.log"
    assert not dialog.export_log_to(target)  # nothing went wrong yet: nothing to save
    assert dialog.log_message.text() == "There is nothing in the error log yet."
    assert not target.exists()
    key = "Markername"
    try:
        {}[key]
    except KeyError as error:
        report_bug(error, "test.about")
    assert dialog.export_log_to(target)
    assert dialog.log_message.text() == (
        f"The error log was saved: {target}. Give it to the office."
    )
    text = target.read_text(encoding="utf-8")
    assert "Unexpected error in test.about" in text and "builtins.KeyError" in text
    assert "Markername" not in text


def test_without_a_data_folder_there_is_no_log_button(vss_qapp: QApplication, qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.log_button.isVisible()
