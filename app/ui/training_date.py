"""Settings box: run the app as of a past date, for training (supervisors and administrators).

The role check and the audit are in ``app.services.court``; this box only shows the choice. While a
date is set, every screen shows a red banner and every printed page says "TRAINING".
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from app.services import court as court_service
from app.services.context import AppContext
from app.services.security import PermissionDenied, Role, has_role
from app.ui.text import DigitsDateEdit, _


class TrainingDateBox(QGroupBox):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("trainingDateBox")
        self.enabled = QCheckBox()
        self.day = DigitsDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        first = court_service.EARLIEST_TRAINING_DATE
        self.day.setMinimumDate(QDate(first.year, first.month, first.day))
        self.day.setMaximumDate(QDate.currentDate().addDays(-1))
        self.apply_button = QPushButton()
        self.apply_button.setObjectName("applyTrainingDate")
        self.apply_button.clicked.connect(self.apply)
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.enabled)
        row.addWidget(self.day)
        row.addWidget(self.apply_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.enabled.toggled.connect(self.day.setEnabled)
        self.load()
        self.retranslate()

    def load(self) -> None:
        current = court_service.training_date(self.ctx)
        self.enabled.setChecked(current is not None)
        self.day.setEnabled(current is not None)
        shown = current or date(2010, 1, 20)
        self.day.setDate(QDate(shown.year, shown.month, shown.day))
        self.setVisible(has_role(self.ctx, Role.SUPERVISOR, Role.ADMINISTRATOR))

    def chosen(self) -> date | None:
        if not self.enabled.isChecked():
            return None
        value = self.day.date()
        return date(value.year(), value.month(), value.day())

    def apply(self) -> bool:
        try:
            court_service.set_training_date(self.ctx, self.chosen())
        except (PermissionDenied, court_service.CourtError) as error:
            self.message.setStyleSheet("color: #a00000;")
            self.message.setText(str(error))
            return False
        self.message.setStyleSheet("color: #1b5e20;")
        self.message.setText(
            court_service.training_banner(self.ctx) or _("The app runs as of today again.")
        )
        return True

    def retranslate(self) -> None:
        self.setTitle(_("Training: run the app as of a past date"))
        self.explain.setText(
            _(
                "For training only. The app then tells what was true about the court on that "
                "date, shows a red banner on every screen and prints TRAINING on every page."
            )
        )
        self.enabled.setText(_("Run as of"))
        self.apply_button.setText(_("Apply"))
