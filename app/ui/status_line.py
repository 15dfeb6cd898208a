"""The foot of the main window: who is signed in, how many records the laptop holds, and what
waits to be sent to the office; and the training banner at its head. Filled once the store is
open (the window's frame shows them empty) and again after every write (app.ui.main_window's
data events)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QStatusBar

from app.i18n import format_number
from app.ui.text import _

if TYPE_CHECKING:
    from app.services.context import AppContext, SyncSummary


class StatusLine:
    """Three labels kept at the right of the window's status bar."""

    def __init__(self, status_bar: QStatusBar) -> None:
        self.officer_label = QLabel()
        self.records_label = QLabel()
        self.sync_label = QLabel()
        for label in (self.officer_label, self.records_label, self.sync_label):
            status_bar.addPermanentWidget(label)

    def refresh(self, ctx: AppContext, sync: SyncSummary | None = None) -> None:
        """Read and show the three; ``sync``: the outbox's state just read by the caller (the
        start page's reading at the window's opening), not read a second time."""
        # (The services are imported once the store is open: the frame shows no status.)
        from app.services.context import count_applications, sync_summary

        officer = ctx.officer
        self.officer_label.setText(
            _("Officer: {name}").format(
                name=officer.display_name if officer else _("not signed in")
            )
        )
        self.records_label.setText(
            _("Records: {count}").format(count=format_number(count_applications(ctx)))
        )
        summary = sync_summary(ctx) if sync is None else sync
        if summary.pending:
            text = _("Sync: {count} waiting").format(count=format_number(summary.pending))
        else:
            text = _("Sync: up to date")
        self.sync_label.setText(text)


def training_banner() -> QLabel:
    """The banner above every page while the laptop trains as of a past date (a supervisor's
    setting); hidden otherwise."""
    banner = QLabel()
    banner.setObjectName("trainingBanner")
    banner.setWordWrap(True)
    banner.setStyleSheet("background:#b00020; color:white; font-weight:bold; padding:6px;")
    banner.setVisible(False)
    return banner


def refresh_training_banner(banner: QLabel, ctx: AppContext) -> None:
    from app.services import court as court_service

    text = court_service.training_banner(ctx)
    banner.setVisible(text is not None)
    banner.setText(text or "")
