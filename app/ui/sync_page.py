"""The Sync page: send records to the central office, by network or by USB stick.

Sync runs off the UI thread with progress and Cancel. While the app is open it also tries on its
own every few minutes when the office is reachable, so records leave whenever a connection
exists. A record counts as synced only after the office's signed receipt has come back.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import UserFacingError
from app.i18n import format_number
from app.services import sync, sync_enrolment, sync_outbox, sync_usb
from app.services.context import AppContext, sync_summary
from app.services.security import Action, may
from app.services.settings import SettingsError, load_settings, save_settings
from app.services.sync_outcome import outcome_sentences
from app.ui.text import ReadingProgressBar, _
from app.ui.worker import BackgroundTask, JobView, run_job

AUTO_SYNC_INTERVAL_MS = 3 * 60 * 1000
MAX_ENROLMENT_FILE_BYTES = 64 * 1024


class SyncPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.task: BackgroundTask | None = None
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.state = QLabel()
        self.state.setObjectName("syncState")
        self.state.setWordWrap(True)

        self.server_url = QLineEdit()
        self.server_url.setObjectName("serverUrl")
        self.server_url.setPlaceholderText("https://")
        self.sync_button = QPushButton()
        self.sync_button.setObjectName("syncNow")
        self.sync_button.clicked.connect(self.sync_now)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelSync")
        self.cancel_button.setVisible(False)
        self.progress = ReadingProgressBar()
        self.progress.setObjectName("syncProgress")
        self.progress.setVisible(False)
        self.message = QLabel()
        self.message.setObjectName("syncMessage")
        self.message.setWordWrap(True)
        self.network_box = QGroupBox()
        self.server_label = QLabel()
        network = QFormLayout(self.network_box)
        network.addRow(self.server_label, self.server_url)
        row = QHBoxLayout()
        row.addWidget(self.sync_button)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        network.addRow(row)
        network.addRow(self.progress)

        self.usb_box = QGroupBox()
        self.export_button = QPushButton()
        self.export_button.setObjectName("exportBatches")
        self.export_button.clicked.connect(self.choose_export_folder)
        self.import_button = QPushButton()
        self.import_button.setObjectName("importReceipts")
        self.import_button.clicked.connect(self.choose_receipts_folder)
        usb = QHBoxLayout(self.usb_box)
        usb.addWidget(self.export_button)
        usb.addWidget(self.import_button)
        usb.addStretch(1)

        self.enrol_box = QGroupBox()
        self.enrol_state = QLabel()
        self.enrol_state.setWordWrap(True)
        self.request_button = QPushButton()
        self.request_button.clicked.connect(self.choose_request_file)
        self.install_button = QPushButton()
        self.install_button.setObjectName("installEnrolment")
        self.install_button.clicked.connect(self.choose_enrolment_file)
        enrol = QVBoxLayout(self.enrol_box)
        enrol.addWidget(self.enrol_state)
        enrol_row = QHBoxLayout()
        enrol_row.addWidget(self.request_button)
        enrol_row.addWidget(self.install_button)
        enrol_row.addStretch(1)
        enrol.addLayout(enrol_row)

        self.quarantine_title = QLabel()
        self.quarantine = QListWidget()
        self.quarantine.setObjectName("quarantineList")

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.state)
        layout.addWidget(self.network_box)
        layout.addWidget(self.usb_box)
        layout.addWidget(self.enrol_box)
        layout.addWidget(self.message)
        layout.addWidget(self.quarantine_title)
        layout.addWidget(self.quarantine, 100)
        # The room left when the quarantine list is hidden goes below everything, not into
        # gaps between the boxes.
        layout.addStretch(1)

        self.server_url.setText(sync_enrolment.office_url(ctx))
        self.auto_timer = QTimer(self)
        self.auto_timer.setInterval(AUTO_SYNC_INTERVAL_MS)
        self.auto_timer.timeout.connect(self.sync_in_background)
        self.auto_timer.start()
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(_("Sync"))
        self.network_box.setTitle(_("Send to the central office over the network"))
        self.server_label.setText(_("Server address"))
        self.sync_button.setText(_("Sync now"))
        self.cancel_button.setText(_("Cancel"))
        self.usb_box.setTitle(_("No connection? Use a USB stick"))
        self.export_button.setText(_("Copy waiting records to a USB folder…"))
        self.import_button.setText(_("Read the office's receipts from a USB folder…"))
        self.enrol_box.setTitle(_("Enrolment of this laptop"))
        self.request_button.setText(_("Save an enrolment request…"))
        self.install_button.setText(_("Load the enrolment file from the office…"))
        self.quarantine_title.setText(_("Refused by the office (correct these records):"))
        self.refresh()

    def refresh(self) -> None:
        summary = sync_summary(self.ctx)
        text = _("Waiting to be sent: {count}").format(count=format_number(summary.pending))
        if summary.last_sync_at:
            text += " — " + _("Last sync: {when}").format(
                when=summary.last_sync_at[:16].replace("T", " ")
            )
        self.state.setText(text)
        enrolled = sync_enrolment.is_enrolled(self.ctx)
        self.enrol_state.setText(
            _("This laptop is enrolled with the central office.")
            if enrolled
            else _("This laptop is not enrolled with the central office yet.")
        )
        # What the role may not do is not offered (the services refuse it anyway).
        self.server_url.setReadOnly(not may(self.ctx, Action.SETTINGS))
        self.export_button.setVisible(may(self.ctx, Action.EXPORT_USB))
        self.install_button.setVisible(may(self.ctx, Action.ENROL))
        self.quarantine.clear()
        for item in sync_outbox.quarantined_records(self.ctx):
            self.quarantine.addItem(f"{item.reference or '—'} {item.name_km}: {item.reason}")
        has_refused = self.quarantine.count() > 0
        self.quarantine_title.setVisible(has_refused)
        self.quarantine.setVisible(has_refused)

    # --- network ---------------------------------------------------------------------------

    def _save_url(self) -> str:
        url = self.server_url.text().strip()
        settings = load_settings(self.ctx)
        if url != settings.server_url:
            try:
                save_settings(self.ctx, replace(settings, server_url=url))
            except SettingsError as error:
                self.message.setText(str(error))
                return ""
        return url

    def sync_now(self) -> bool:
        """Start a sync in the background; False when one is running or nothing can be done."""
        if self.task is not None and self.task.is_running():
            return False
        if not self.server_url.text().strip():
            self.message.setText(_("Type the server address first."))
            return False
        url = self._save_url()
        if not url:
            return False
        ctx = self.ctx

        def job(progress: Any, cancelled: Any) -> sync.SyncResult:
            return sync.sync_now(ctx, url, progress, cancelled)

        self._start(job)
        return True

    def sync_in_background(self) -> None:
        """The automatic attempt: quiet when the office cannot be reached."""
        url = sync_enrolment.office_url(self.ctx)
        if (
            not url
            or not sync_enrolment.is_enrolled(self.ctx)
            or sync_summary(self.ctx).pending == 0
        ):
            return
        if self.task is not None and self.task.is_running():
            return
        ctx = self.ctx

        def job(progress: Any, cancelled: Any) -> sync.SyncResult | None:
            if not sync.server_reachable(url, 3.0, sync_enrolment.tls_pin(ctx)):
                return None
            return sync.sync_now(ctx, url, progress, cancelled)

        self._start(job)

    def _start(self, job: Any) -> None:
        self.task = run_job(
            job,
            JobView(self.message, self.progress, self.cancel_button, (self.sync_button,)),
            name="sync_page.sync",
            started=_("Sending…"),
            done=self._outcome,
            ended=self.refresh,
        )

    def _outcome(self, result: sync.SyncResult | None) -> str:
        if result is None:
            return ""
        if result.error:
            return result.error
        if result.cancelled:
            return _("Stopped. What was already acknowledged stays synced.")
        return " ".join(outcome_sentences(result, _))

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    # --- USB and enrolment -----------------------------------------------------------------

    def choose_export_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Choose the USB folder"))
        if folder:
            self.export_to(Path(folder))

    def _usb_view(self) -> JobView:
        return JobView(
            self.message, busy=(self.export_button, self.import_button, self.sync_button)
        )

    def export_to(self, folder: Path) -> None:
        """Copy the waiting batches to a USB folder in the background."""
        ctx = self.ctx
        self.task = run_job(
            lambda _progress, _cancelled: sync_usb.export_batches(ctx, folder),
            self._usb_view(),
            name="sync_page.usb_export",
            started=_("Copying the waiting records…"),
            done=lambda count: _(
                "{count} records copied. They count as synced only when the office's receipt comes back."
            ).format(count=format_number(count)),
            ended=self.refresh,
        )

    def choose_receipts_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Choose the USB folder"))
        if folder:
            self.import_from(Path(folder))

    def import_from(self, folder: Path) -> None:
        """Read the office's receipts from a USB folder in the background."""
        ctx = self.ctx
        self.task = run_job(
            lambda _progress, _cancelled: sync_usb.import_receipts(ctx, folder),
            self._usb_view(),
            name="sync_page.usb_receipts",
            started=_("Reading the office's receipts…"),
            done=lambda count: _("{count} records acknowledged by the office.").format(
                count=format_number(count)
            ),
            ended=self.refresh,
        )

    def choose_request_file(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save an enrolment request…"), "enrolment-request.json", "JSON (*.json)"
        )
        if path:
            Path(path).write_text(
                json.dumps(sync_enrolment.enrolment_request(self.ctx), indent=2), encoding="utf-8"
            )

    def choose_enrolment_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Load the enrolment file from the office…"), "", "JSON (*.json)"
        )
        if path:
            self.install_from(Path(path))

    def confirm_fingerprint(self, fingerprint: str) -> bool:
        """Show the office key's fingerprint; the administrator compares it with the office's."""
        answer = QMessageBox.question(
            self,
            _("Trust this office key?"),
            _(
                "Compare this fingerprint with the one the office gave you (on paper or by "
                "phone). Only if every group is the same, press Yes.\n\n{fingerprint}"
            ).format(fingerprint=fingerprint),
        )
        return answer == QMessageBox.StandardButton.Yes

    def install_from(self, path: Path) -> bool:
        try:
            if path.stat().st_size > MAX_ENROLMENT_FILE_BYTES:
                raise ValueError(path.name)
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError(path.name)
            fingerprint = sync_enrolment.enrolment_fingerprint(data)
            if not self.confirm_fingerprint(fingerprint):
                self.message.setText(_("The enrolment file was not installed."))
                return False
            sync_enrolment.install_enrolment(self.ctx, data, fingerprint)
        except (OSError, ValueError, RecursionError) as error:
            self.message.setText(_("This enrolment file is damaged.") + f" ({error})")
            return False
        except UserFacingError as error:
            self.message.setText(error.full_text())
            return False
        self.message.setText(_("This laptop is enrolled with the central office."))
        self.refresh()
        return True

    def shutdown(self) -> None:
        self.auto_timer.stop()
        if self.task is not None:
            self.task.stop()
