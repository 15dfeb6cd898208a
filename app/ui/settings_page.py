"""Settings: language, Khmer digits, idle lock, server, device name, data and backup folders."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import LANGUAGE_NAMES, LANGUAGES, format_number
from app.services.context import AppContext
from app.services.security import Action, PermissionDenied, may
from app.services.settings import (
    AppSettings,
    SettingsError,
    load_policy,
    load_settings,
    save_settings,
)
from app.ui.text import DigitsSpinBox, _
from app.ui.training_date import TrainingDateBox


class SettingsPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.language = QComboBox()
        for code in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES[code], code)
        self.khmer_digits = QCheckBox()
        self.idle_minutes = DigitsSpinBox()
        self.idle_minutes.setRange(1, 240)
        self.server_url = QLineEdit()
        self.server_url.setPlaceholderText("https://")
        self.device_name = QLineEdit()
        self.data_folder = QLabel(str(ctx.home))
        self.data_folder.setWordWrap(True)
        self.backup_folder = QLineEdit()
        self.choose_backup = QPushButton()
        self.choose_backup.clicked.connect(self._choose_backup_folder)
        backup_row = QHBoxLayout()
        backup_row.addWidget(self.backup_folder, 1)
        backup_row.addWidget(self.choose_backup)
        self.save_button = QPushButton()
        self.save_button.setObjectName("saveSettings")
        self.save_button.clicked.connect(self.save)
        self.message = QLabel()
        self.message.setObjectName("settingsMessage")
        self.message.setWordWrap(True)

        self.form = QFormLayout()
        self.labels = [QLabel() for _ in range(7)]
        for label, widget in zip(
            self.labels,
            [
                self.language,
                self.khmer_digits,
                self.idle_minutes,
                self.server_url,
                self.device_name,
                self.data_folder,
                None,
            ],
            strict=True,
        ):
            if widget is None:
                self.form.addRow(label, backup_row)
            else:
                self.form.addRow(label, widget)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(self.form)
        layout.addWidget(self.save_button)
        layout.addWidget(self.message)
        self.training_box = TrainingDateBox(ctx)  # supervisors and administrators only
        layout.addWidget(self.training_box)
        layout.addStretch(1)
        self.load()
        self.retranslate()

    def load(self) -> None:
        allowed = may(self.ctx, Action.SETTINGS)
        editors: list[QWidget] = [self.language, self.khmer_digits, self.idle_minutes]
        editors += [self.server_url, self.device_name, self.backup_folder, self.choose_backup]
        for widget in [*editors, self.save_button]:
            widget.setEnabled(allowed)
        settings = load_settings(self.ctx)
        self.idle_minutes.setMaximum(load_policy(self.ctx).idle_lock_max_minutes)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        self.khmer_digits.setChecked(settings.khmer_digits)
        self.idle_minutes.setValue(settings.idle_lock_minutes)
        self.server_url.setText(settings.server_url)
        self.device_name.setText(settings.device_name)
        self.backup_folder.setText(settings.backup_folder)

    def current(self) -> AppSettings:
        return AppSettings(
            language=str(self.language.currentData()),
            khmer_digits=self.khmer_digits.isChecked(),
            idle_lock_minutes=self.idle_minutes.value(),
            server_url=self.server_url.text().strip(),
            device_name=self.device_name.text().strip(),
            backup_folder=self.backup_folder.text().strip(),
        )

    def save(self) -> bool:
        try:
            save_settings(self.ctx, self.current())
        except (SettingsError, PermissionDenied) as error:
            self.message.setStyleSheet("color: #a00000;")
            self.message.setText(str(error))
            return False
        self.message.setStyleSheet("color: #1b5e20;")
        self.message.setText(_("Settings saved."))
        return True

    def _choose_backup_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Choose the backup folder"))
        if folder:
            self.backup_folder.setText(folder)

    def retranslate(self) -> None:
        self.title.setText(_("Settings"))
        texts = [
            _("Language"),
            _("Show Khmer digits (០-៩)"),
            _("Lock after idle (minutes)"),
            _("Central server address"),
            _("Device name"),
            _("Data folder"),
            _("Backup folder (USB stick)"),
        ]
        for label, text in zip(self.labels, texts, strict=True):
            label.setText(text)
        self.khmer_digits.setText(_("Yes"))
        self.choose_backup.setText(_("Choose…"))
        self.save_button.setText(_("Save settings"))
        self.training_box.retranslate()
        if not may(self.ctx, Action.SETTINGS):
            self.message.setStyleSheet("")
            self.message.setText(_("Only a supervisor or an administrator can change settings."))
        self.idle_minutes.setToolTip(
            _("The office allows at most {minutes} minutes.").format(
                minutes=format_number(load_policy(self.ctx).idle_lock_max_minutes)
            )
        )
