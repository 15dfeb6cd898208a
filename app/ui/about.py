"""The About box: the app's name and version, what it is for, and the licences and credits of what
it is built from (the font's licence requires its text to travel with the app, so it can be shown)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

import app
from app import APP_NAME
from app.core.errors import UserFacingError
from app.core.resources import assets_dir, fonts_dir
from app.services.error_log import export_log
from app.ui.sizing import fit_to_width
from app.ui.style import app_icon
from app.ui.text import _, display

# What the app is for, shown in both languages whatever the interface language (Khmer first).
PURPOSE_KM = (
    "កម្មវិធីសម្រាប់មន្ត្រីអង្គភាពគាំពារជនរងគ្រោះ ដើម្បីពន្យល់សិទ្ធិ "
    "ជួយបំពេញពាក្យបណ្តឹង និងពាក្យសុំតាំងខ្លួនជាដើមបណ្តឹងរដ្ឋប្បវេណី "
    "បោះពុម្ពឯកសារ និងផ្ញើកំណត់ត្រាទៅការិយាល័យកណ្តាល ទោះបីគ្មានអ៊ីនធឺណិតក៏ដោយ។"
)
PURPOSE_EN = (
    "For Victims Support Section officers: explain victims' rights, fill in complaints and civil "
    "party applications, print documents and send records to the central office, even offline."
)

# The gazetteer's source asks to be credited (assets/gazetteer/README.md); both languages.
GAZETTEER_CREDIT_KM = (
    "ឈ្មោះទីកន្លែង៖ ទិន្នន័យតំបន់រដ្ឋបាល ឆ្នាំ ២០២៥ របស់អគ្គនាយកដ្ឋានសេដ្ឋកិច្ចឌីជីថល (GDDE) "
    "ក្រសួងសេដ្ឋកិច្ច និងហិរញ្ញវត្ថុ (data.mef.gov.kh)។"
)
GAZETTEER_CREDIT_EN = (
    "Place names: administrative divisions 2025, General Directorate of Digital Economy (GDDE), "
    "Ministry of Economy and Finance (data.mef.gov.kh), with NCDD/NIS codes."
)


@dataclass(frozen=True)
class Credit:
    """One component the app is built from, and its licence (proper names, not translated)."""

    name: str
    licence: str


CREDITS: tuple[Credit, ...] = (
    Credit("Noto Sans Khmer (font)", "SIL Open Font License 1.1"),
    Credit("Qt 6 / PySide6", "GNU LGPL v3"),
    Credit("ReportLab", "BSD"),
    Credit("rl-accel (ReportLab accelerator)", "BSD"),
    Credit("SQLCipher", "BSD-style (Zetetic)"),
    Credit("sqlcipher3", "zlib"),
    Credit("HarfBuzz", "MIT (Old MIT)"),
    Credit("uharfbuzz", "Apache 2.0"),
    Credit("Babel", "BSD 3-Clause"),
    Credit("SQLAlchemy", "MIT"),
    Credit("Alembic", "MIT"),
    Credit("khmercut", "Apache 2.0"),
    Credit("python-crfsuite / CRFsuite", "MIT / BSD"),
    Credit("argon2-cffi", "MIT"),
    Credit("cryptography", "Apache 2.0 or BSD 3-Clause"),
    Credit("OpenSSL", "Apache 2.0"),
    Credit("PyYAML", "MIT"),
    Credit("platformdirs", "MIT"),
    Credit("Pillow", "MIT-CMU"),
    Credit("Python", "PSF License"),
)


def font_licence_path() -> Path:
    """The SIL Open Font License that ships with the bundled Noto Sans Khmer."""
    return fonts_dir() / "OFL.txt"


def read_font_licence() -> str:
    path = font_licence_path()
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return _("The licence file is missing:") + f" {path}"


def credits_html() -> str:
    rows = "".join(
        f"<tr><td>{escape(item.name)}</td><td>&nbsp;&nbsp;{escape(item.licence)}</td></tr>"
        for item in CREDITS
    )
    return f"<table>{rows}</table>"


class AboutDialog(QDialog):
    """App name, version, purpose (Khmer and English), licences and credits; the button swaps
    the credits for the full text of the font's licence and back."""

    def __init__(self, parent: QWidget | None = None, home: Path | None = None) -> None:
        super().__init__(parent)
        self.home = home  # the data folder whose error log can be saved for the office
        self.setWindowTitle(_("About VSS Outreach"))
        self.setWindowIcon(app_icon())
        self.setMinimumWidth(640)

        self.icon_label = QLabel()
        self.icon_label.setPixmap(QPixmap(str(assets_dir() / "icons" / "vss-outreach-64.png")))
        self.name_label = QLabel(APP_NAME)
        self.name_label.setObjectName("pageTitle")
        self.version_label = QLabel(_("Version {version}").format(version=app.__version__))
        self.version_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        title_box = QVBoxLayout()
        title_box.addWidget(self.name_label)
        title_box.addWidget(self.version_label)
        header = QHBoxLayout()
        header.addWidget(self.icon_label)
        header.addLayout(title_box, 1)

        self.purpose_label = QLabel(display(f"{PURPOSE_KM}\n\n{PURPOSE_EN}"))
        self.purpose_label.setWordWrap(True)
        self.app_licence_label = QLabel(
            _("This app is free software under the GNU GPL, version 3 or later.")
        )
        self.app_licence_label.setWordWrap(True)
        self.credits_title = QLabel(_("Licences and credits"))
        self.credits_title.setStyleSheet("font-weight: bold;")
        self.credits_view = QTextBrowser()
        self.credits_view.setObjectName("credits")
        # The gazetteer's credit sits under the table: the dialog must fit a 1024x600 screen.
        gazetteer = "".join(
            f"<p>{escape(display(text))}</p>" for text in (GAZETTEER_CREDIT_KM, GAZETTEER_CREDIT_EN)
        )
        self.credits_view.setHtml(credits_html() + gazetteer)

        self.licence_text = QPlainTextEdit()
        self.licence_text.setObjectName("fontLicence")
        self.licence_text.setReadOnly(True)
        # The credits and the font's licence share one area, so the box fits a 768-pixel screen.
        self.details = QStackedWidget()
        self.details.addWidget(self.credits_view)
        self.details.addWidget(self.licence_text)
        self.details.setFixedHeight(180)
        self.licence_button = QPushButton()
        self.licence_button.setCheckable(True)
        self.licence_button.toggled.connect(self._show_licence)
        self.log_button = QPushButton(_("Save the error log for the office…"))
        self.log_button.setObjectName("exportLog")
        self.log_button.setVisible(home is not None)
        self.log_button.clicked.connect(self.choose_log_file)
        self.log_message = QLabel()
        self.log_message.setWordWrap(True)
        self.log_message.setVisible(False)
        self.close_button = QPushButton(_("Close"))
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.licence_button)
        buttons.addWidget(self.log_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.purpose_label)
        layout.addWidget(self.app_licence_label)
        layout.addWidget(self.credits_title)
        layout.addWidget(self.details)
        layout.addWidget(self.log_message)
        layout.addLayout(buttons)
        self._show_licence(False)
        # Wrapped labels need the height they take at the dialog's width, or they overlap the list.
        fit_to_width(self, 640)

    def _show_licence(self, shown: bool) -> None:
        if shown and not self.licence_text.toPlainText():
            self.licence_text.setPlainText(read_font_licence())
        self.details.setCurrentWidget(self.licence_text if shown else self.credits_view)
        self.licence_button.setText(
            _("Hide the font licence") if shown else _("Show the font licence")
        )

    def choose_log_file(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save the error log for the office…"), "vss-outreach-errors.log", "Log (*.log)"
        )
        if path:
            self.export_log_to(Path(path))

    def export_log_to(self, target: Path) -> bool:
        """Copy the error log (tracebacks only, no applicant data) to ``target``."""
        assert self.home is not None
        self.log_message.setVisible(True)
        try:
            export_log(self.home, target)
        except UserFacingError as error:
            self.log_message.setText(error.full_text())
            return False
        self.log_message.setText(
            _("The error log was saved: {path}. Give it to the office.").format(path=target)
        )
        return True
