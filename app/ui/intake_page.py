"""The "New application" page: choose a form or resume a draft, then the wizard, then the
reference number to tell the applicant."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import current_language, format_stamp
from app.services import form_catalogue, records
from app.services.context import AppContext
from app.ui.input_watch import set_aside
from app.ui.text import WrapButton, _, display
from app.ui.wizard.wizard import IntakeWizard

DRAFT_ID_ROLE = 256


class FormChooser(QWidget):
    form_chosen = Signal(str)
    draft_chosen = Signal(str)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.form_buttons: dict[str, WrapButton] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        buttons = QHBoxLayout()
        for form in form_catalogue.available_forms().values():
            button = WrapButton()
            button.setObjectName(f"start_{form.id}")
            button.setMinimumHeight(90)
            button.clicked.connect(lambda _c=False, form_id=form.id: self.form_chosen.emit(form_id))
            self.form_buttons[form.id] = button
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.drafts_title = QLabel()
        self.drafts = QListWidget()
        self.drafts.setObjectName("draftList")
        # A long form title wraps inside the list (it scrolled sideways on a netbook).
        self.drafts.setWordWrap(True)
        self.drafts.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.drafts.setResizeMode(QListView.ResizeMode.Adjust)
        self.drafts.itemActivated.connect(self._draft_activated)
        self.resume_button = QPushButton()
        self.resume_button.setObjectName("resumeDraft")
        self.resume_button.clicked.connect(self._resume_selected)
        layout.addWidget(self.drafts_title)
        layout.addWidget(self.drafts, 1)
        layout.addWidget(self.resume_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.retranslate()

    def retranslate(self) -> None:
        lang = current_language()
        self.title.setText(_("New application"))
        self.intro.setText(
            _(
                "Explain the rights first (Rights page). Then choose the form that fits the "
                "applicant. You can stop at any time: the draft is saved."
            )
        )
        for form_id, button in self.form_buttons.items():
            form = form_catalogue.form_definition(form_id)
            description = form.description.get(lang) if form.description else ""
            button.setText(f"{form.title.get(lang)}\n{description}")
        self.drafts_title.setText(_("Unfinished drafts — continue where you stopped:"))
        self.resume_button.setText(_("Continue the selected draft"))
        self.refresh()

    def refresh(self) -> None:
        lang = current_language()
        self.drafts.clear()
        for draft in records.drafts_to_resume(self.ctx):
            form = form_catalogue.form_definition(draft.form_id)
            name = draft.name_km or draft.name_latin or _("(no name yet)")
            item = QListWidgetItem(
                display(f"{name} — {form.title.get(lang)} — {format_stamp(draft.updated_at)}")
            )
            item.setData(DRAFT_ID_ROLE, draft.id)
            self.drafts.addItem(item)
        has_drafts = self.drafts.count() > 0
        self.drafts_title.setVisible(has_drafts)
        self.drafts.setVisible(has_drafts)
        self.resume_button.setVisible(has_drafts)

    def _draft_activated(self, item: QListWidgetItem) -> None:
        self.draft_chosen.emit(str(item.data(DRAFT_ID_ROLE)))

    def _resume_selected(self) -> None:
        item = self.drafts.currentItem() or self.drafts.item(0)
        if item is not None:
            self._draft_activated(item)


class FinishedPanel(QWidget):
    another = Signal()
    print_requested = Signal(str, str)  # document kind, reference

    def __init__(self) -> None:
        super().__init__()
        self.heading = QLabel()
        self.heading.setObjectName("pageTitle")
        self.reference = QLabel()
        self.reference.setObjectName("referenceLabel")
        self.reference.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reference.setStyleSheet("font-size: 30pt; font-weight: bold; letter-spacing: 2px;")
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.awaiting = QLabel()  # shown when the signature is taken later on the printed paper
        self.awaiting.setObjectName("awaitingSignatureNote")
        self.awaiting.setWordWrap(True)
        self.awaiting.setVisible(False)
        self.print_buttons = QHBoxLayout()
        self.print_receipt = QPushButton()
        self.print_receipt.setObjectName("printReceipt")
        self.print_application = QPushButton()
        self.print_application.setObjectName("printApplication")
        self.print_receipt.clicked.connect(
            lambda: self.print_requested.emit("receipt", self.reference.text())
        )
        self.print_application.clicked.connect(
            lambda: self.print_requested.emit("application", self.reference.text())
        )
        self.print_buttons.addWidget(self.print_receipt)
        self.print_buttons.addWidget(self.print_application)
        self.print_buttons.addStretch(1)
        self.another_button = QPushButton()
        self.another_button.setObjectName("anotherApplication")
        self.another_button.clicked.connect(self.another.emit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.reference)
        layout.addWidget(self.explain)
        layout.addWidget(self.awaiting)
        layout.addLayout(self.print_buttons)
        layout.addWidget(self.another_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(_("The application is final"))
        self.explain.setText(
            _(
                "Tell the applicant this reference number and give them the printed receipt. "
                "They can quote it to the Victims Support Section at any time."
            )
        )
        self.awaiting.setText(
            _(
                "Awaiting signature: print the application now and have it signed or "
                "thumbprinted. It is sent to the office only after you confirm the signed paper "
                "on the Follow-up page."
            )
        )
        self.another_button.setText(_("Start another application"))
        self.print_receipt.setText(_("Print the receipt"))
        self.print_application.setText(_("Print the application"))


class IntakePage(QWidget):
    """Hosts the chooser, the running wizard and the finished panel."""

    scrolls_itself = True  # its own scroll areas fill the page (see MainWindow)

    application_finalized = Signal(str, str)  # application id, reference

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.stack = QStackedWidget()
        self.chooser = FormChooser(ctx)
        self.finished_panel = FinishedPanel()
        self.stack.addWidget(self.chooser)
        self.stack.addWidget(self.finished_panel)
        self.wizard: IntakeWizard | None = None
        self.last_application_id: str | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.chooser.form_chosen.connect(self.start)
        self.chooser.draft_chosen.connect(self.open_draft)
        self.finished_panel.another.connect(self.show_chooser)

    def start(self, form_id: str) -> None:
        self.open_draft(records.start_application(self.ctx, form_id))

    def open_draft(self, application_id: str) -> None:
        self._drop_wizard()
        # Built without turning the event loop: the idle lock's watch need not see the ~26,000
        # events of the build (app.ui.input_watch.set_aside); it is back before any input.
        with set_aside():
            # Made in the stack it is shown in (see IntakeWizard: a new parent walks every widget).
            self.wizard = IntakeWizard(self.ctx, application_id, self.stack)
            self.wizard.finished.connect(self._finished)
            self.wizard.closed.connect(self.show_chooser)
            self.stack.addWidget(self.wizard)
            self.stack.setCurrentWidget(self.wizard)

    def _drop_wizard(self) -> None:
        if self.wizard is not None:
            self.wizard.save_now()
            self.wizard.autosave_timer.stop()
            self.stack.removeWidget(self.wizard)
            self.wizard.deleteLater()
            self.wizard = None

    def _finished(self, reference: str) -> None:
        assert self.wizard is not None
        self.last_application_id = self.wizard.application_id
        self._drop_wizard()
        self.finished_panel.reference.setText(reference)
        status = records.get_application(self.ctx, self.last_application_id, audit=False).status
        self.finished_panel.awaiting.setVisible(status == records.AWAITING_SIGNATURE)
        self.stack.setCurrentWidget(self.finished_panel)
        self.application_finalized.emit(self.last_application_id, reference)

    def show_chooser(self) -> None:
        self._drop_wizard()
        self.chooser.refresh()
        self.stack.setCurrentWidget(self.chooser)

    def save_open_draft(self) -> None:
        if self.wizard is not None:
            self.wizard.save_now()

    def retranslate(self) -> None:
        self.chooser.retranslate()
        self.finished_panel.retranslate()
        if self.wizard is not None:
            self.wizard.retranslate()
