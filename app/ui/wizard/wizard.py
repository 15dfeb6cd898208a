"""The intake wizard, generated from a form definition: one page per section, then a review.

Autosave: on every page change (right after the new page is painted: the write, encrypted, takes
longer than the switch itself) and every few seconds while something changed, so killing the app
loses at most the last few seconds; closing, locking and quitting save at once. Finalising goes through the records service, which validates
again, assigns the reference number and writes the version, the outbox row and the audit entry.
"""

from __future__ import annotations

import json
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core import clock
from app.core.errors import UserFacingError
from app.core.forms import FieldRole, FormDefinition
from app.core.forms.validation import (
    FieldIssue,
    Severity,
    is_required,
    visible_fields,
    visible_sections,
)
from app.i18n import current_language, format_number
from app.services import court as court_service
from app.services import duplicates, errors, form_catalogue, records
from app.services.context import AppContext
from app.services.followup import intake_deadline_warning
from app.services.intake import add_attachment, screening_notes
from app.services.people import PERSON_ID_KEY
from app.services.remembered import remembered_values
from app.services.security import PermissionDenied
from app.ui.text import MeasuredLabel, _, html_text
from app.ui.wizard.choice_editors import ChoiceEditor
from app.ui.wizard.editors import make_editor
from app.ui.wizard.field_widgets import NameEditor
from app.ui.wizard.page_preparer import PagePreparer
from app.ui.wizard.review import ReviewPage
from app.ui.wizard.section_page import FieldRow, SectionPage
from app.ui.wizard.step_bar import StepBar
from app.ui.wizard.victims import VictimSuggestions

AUTOSAVE_INTERVAL_MS = 3000


class IntakeWizard(QWidget):
    """Walks through one application; emits ``finished(reference)`` once it is final."""

    finished = Signal(str)
    closed = Signal()

    def __init__(self, ctx: AppContext, application_id: str, parent: QWidget | None = None) -> None:
        # ``parent``: where the wizard is shown (IntakePage's stack). Under the app's style
        # sheet, giving a widget a new parent walks every widget below it (~1,700 here), so the
        # wizard is built in place from the top down: each page is in the stack before its rows
        # are made, and the rows are made in their page.
        super().__init__(parent)
        self.ctx = ctx
        self.application_id = application_id
        detail = records.get_application(ctx, application_id, audit=False)
        # A final record is corrected, not edited: the wizard makes a new version with a reason.
        self.correcting = detail.status != "draft"
        self.reference = detail.reference
        self.form: FormDefinition = form_catalogue.form_definition(detail.form_id)
        self.rows: dict[str, FieldRow] = {}
        self.pages: list[SectionPage] = []
        self.dirty = False
        self._loading = True
        self._visible_indexes: list[int] | None = None  # pages shown for the answers so far
        self._warned_page: int | None = None
        # "Step 3 of 12" per (step, total, language): Babel's number formatting took longer
        # than the rest of the step bar's update, on every switch.
        self._step_texts: dict[tuple[int, int, str], str] = {}
        self._review_seen: tuple[str, date, str] | None = None  # see refresh_review

        self.header = MeasuredLabel()
        self.header.setObjectName("wizardHeader")
        self.header.setWordWrap(True)
        self.progress = StepBar()
        self.progress.setObjectName("wizardProgress")
        self.progress.setTextVisible(True)
        self.saved_label = QLabel()
        self.saved_label.setObjectName("savedLabel")
        self.stack = QStackedWidget()
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.progress)
        layout.addWidget(self.stack, 1)
        for section in self.form.sections:
            page = SectionPage(section)
            self.stack.addWidget(page)  # before its rows (see above)
            for item in section.fields:
                listed = remembered_values(ctx, item) if item.remembered else None
                # The editor is made in its row: make_editor(item, add_file, listed, row).
                row = page.add_row(
                    item, partial(make_editor, item, self._add_file_for(item.id), listed)
                )
                editor = row.editor
                if item.role is FieldRole.COURT_CASE and isinstance(editor, ChoiceEditor):
                    # Closed cases are shown as closed on the app's day (court.yaml).
                    editor.set_choice_notes(court_service.case_choice_notes(self.ctx))
                editor.changed.connect(self._answer_changed)
                self.rows[item.id] = row
            page.end_rows()
            self.pages.append(page)
        self.review = ReviewPage()
        self.stack.addWidget(self.review)
        self.review.finalize_requested.connect(self.finalize)
        self.review.go_to_field.connect(self.go_to_field)
        for waiting in [*self.pages[1:], self.review]:  # see _switch_stack_to
            waiting.setUpdatesEnabled(False)
        # Pages are laid out and painted out of sight while the officer reads the one shown.
        self.preparer = PagePreparer(
            self.stack, self.pages, self._visible_page_indexes, self.review, self._fill_review_ahead
        )

        self.back_button = QPushButton()
        self.back_button.setObjectName("backButton")
        self.next_button = QPushButton()
        self.next_button.setObjectName("nextButton")
        self.next_button.setDefault(True)
        self.close_button = QPushButton()
        self.close_button.setObjectName("saveCloseButton")
        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self.go_next)
        self.close_button.clicked.connect(self.save_and_close)
        QShortcut(QKeySequence("Alt+Right"), self, self.go_next)
        QShortcut(QKeySequence("Alt+Left"), self, self.go_back)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save_now)

        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.saved_label, 1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        layout.addLayout(buttons)

        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_INTERVAL_MS)
        self.autosave_timer.timeout.connect(self._autosave_tick)
        self.autosave_timer.start()
        # A zero timer fires once the events already waiting (the new page's paint) are done.
        self.page_change_save = QTimer(self)
        self.page_change_save.setSingleShot(True)
        self.page_change_save.setInterval(0)
        self.page_change_save.timeout.connect(self.save_now)

        self.linked_person_id: str | None = detail.answers.get(PERSON_ID_KEY)
        self.victim_suggestions = self._add_victim_suggestions()
        for field_id, value in detail.answers.items():
            if field_id in self.rows:
                self.rows[field_id].editor.set_value(value)
        self._loading = False
        self.current = 0
        self.refresh_visibility()
        self.retranslate()
        self.show_page(self._visible_page_indexes()[0])

    # --- answers ---------------------------------------------------------------------------

    def answers(self) -> dict[str, Any]:
        values = {fid: row.editor.value() for fid, row in self.rows.items()}
        answers = {fid: value for fid, value in values.items() if value is not None}
        if self.linked_person_id is not None:
            answers[PERSON_ID_KEY] = self.linked_person_id
        return answers

    def _add_file_for(self, field_id: str) -> Any:
        def add(path: str) -> dict[str, str]:
            return add_attachment(self.ctx, self.application_id, field_id, Path(path))

        return add

    def _answer_changed(self) -> None:
        self._visible_indexes = None
        self.preparer.changed()
        if self._loading:
            return
        self.dirty = True
        self.saved_label.setText(_("Not saved yet"))
        self.refresh_visibility()
        self.recheck_shown_issues()

    def recheck_shown_issues(self) -> None:
        """A message under a field goes as soon as the answer is fixed (and changes as it does);
        an answer too long for the printed form is said at once, while typing."""
        issues = records.check_application(self.form, self.answers())
        by_field: dict[str, list[FieldIssue]] = {}
        for issue in issues:
            if issue.code != "minimum_content":
                by_field.setdefault(issue.field_id, []).append(issue)
        for field_id, row in self.rows.items():
            found = by_field.get(field_id, [])
            if row.showing_issue():
                row.show_issues(found)
            else:
                at_once = [i for i in found if i.code in ("too_long", "unprintable")]
                if at_once:
                    row.show_issues(at_once)

    def refresh_visibility(self) -> None:
        """Skip logic: hide fields and sections that do not apply to the answers so far."""
        answers = self.answers()
        visible = {s.id for s in visible_sections(self.form, answers)}
        self._visible_indexes = [i for i, p in enumerate(self.pages) if p.section.id in visible]
        for page in self.pages:
            page.setEnabled(page.section.id in visible)
            shown = (
                {f.id for f in visible_fields(page.section, answers)}
                if page.section.id in visible
                else set()
            )
            for row in page.rows:
                row.setVisible(row.field.id in shown)
                required = is_required(row.field, answers)
                if required != row.required:
                    row.required = required
                    row.retranslate()
        self._update_progress()

    def _visible_page_indexes(self) -> list[int]:
        """The pages that apply to the answers, worked out once per change of an answer (a page
        switch used to read every editor and evaluate every condition, twice)."""
        if self._visible_indexes is None:
            visible = {s.id for s in visible_sections(self.form, self.answers())}
            self._visible_indexes = [
                i for i, page in enumerate(self.pages) if page.section.id in visible
            ]
        return [*self._visible_indexes, len(self.pages)]  # the review page comes last

    def _add_victim_suggestions(self) -> VictimSuggestions | None:
        """Under the direct victim's name: people other applicants already named, so a family's
        killed or disappeared relative is recorded once and every applicant is linked to them."""
        item = self.form.field_with_role(FieldRole.VICTIM_NAME)
        if item is None or not isinstance(self.rows[item.id].editor, NameEditor):
            return None
        editor = self.rows[item.id].editor
        assert isinstance(editor, NameEditor)
        suggestions = VictimSuggestions(self.ctx, editor)
        suggestions.chosen.connect(self._victim_chosen)
        editor.changed.connect(self._victim_name_edited)
        layout = self.rows[item.id].layout()
        if layout is not None:
            layout.addWidget(suggestions)
        return suggestions

    def _victim_chosen(self, person_id: str) -> None:
        self.linked_person_id = person_id
        self._answer_changed()

    def _victim_name_edited(self) -> None:
        if self._loading or self.victim_suggestions is None:
            return
        if self.victim_suggestions.applying:
            return
        # A name typed by hand is a new person unless the officer picks a suggestion again.
        self.linked_person_id = None
        self.victim_suggestions.schedule()

    # --- navigation ------------------------------------------------------------------------

    def show_page(self, index: int) -> None:
        self.current = index
        # The step first: its paint is only asked for (see _update_progress), and made with the
        # new page's, never a paint of the page before.
        self._update_progress()
        self._update_buttons()
        self._switch_stack_to(index)
        if index == len(self.pages):
            self.refresh_review()
        page = self.stack.currentWidget()
        if page is not None:
            page.setFocus()
        self.preparer.page_shown(index)

    def _switch_stack_to(self, index: int) -> None:
        """Show page ``index``. Pages out of sight keep their updates switched off: Qt's stack
        switches updates off and on again around the change for every widget below it (all
        pages, some 1,700 widgets), and stops at a page whose updates are already off."""
        shown: QWidget = self.pages[index] if index < len(self.pages) else self.review
        hidden = self.stack.currentWidget()
        if hidden is not None and hidden is not shown:
            hidden.setUpdatesEnabled(False)
        shown.setUpdatesEnabled(True)
        self.stack.setCurrentIndex(index)

    def _update_progress(self) -> None:
        indexes = self._visible_page_indexes()
        position = indexes.index(self.current) + 1 if self.current in indexes else 1
        self.progress.setRange(0, len(indexes))
        # QProgressBar repaints itself (and every region waiting to be painted) at once when its
        # text changes; with updates off it only asks for a paint, made with the new page's.
        self.progress.setUpdatesEnabled(False)
        self.progress.setValue(position)
        self.progress.setFormat(self._step_text(position, len(indexes)))
        self.progress.setUpdatesEnabled(True)

    def _step_text(self, step: int, total: int) -> str:
        key = (step, total, current_language())
        text = self._step_texts.get(key)
        if text is None:
            text = _("Step {step} of {total}").format(
                step=format_number(step), total=format_number(total)
            )
            self._step_texts[key] = text
        return text

    def _update_buttons(self) -> None:
        indexes = self._visible_page_indexes()
        self.back_button.setEnabled(self.current != indexes[0])
        self.next_button.setVisible(self.current != len(self.pages))

    def current_page_issues(self) -> list[FieldIssue]:
        if self.current >= len(self.pages):
            return []
        page_ids = {row.field.id for row in self.pages[self.current].rows if not row.isHidden()}
        issues = records.check_application(self.form, self.answers())
        return [i for i in issues if i.field_id in page_ids and i.code != "minimum_content"]

    def show_issues(self, issues: list[FieldIssue]) -> None:
        by_field: dict[str, list[FieldIssue]] = {}
        for issue in issues:
            by_field.setdefault(issue.field_id, []).append(issue)
        for field_id, row in self.rows.items():
            row.show_issues(by_field.get(field_id, []))

    def go_next(self) -> None:
        """Next page. A page with errors is shown once with its messages; pressing Next again
        moves on anyway (the officer may come back later, and finalising checks everything)."""
        if self.current >= len(self.pages):
            return
        issues = self.current_page_issues()
        self.show_issues(issues)
        has_errors = any(i.severity == Severity.ERROR for i in issues)
        if has_errors and self._warned_page != self.current:
            self.save_now()
            self._warned_page = self.current
            self.saved_label.setText(
                _("Some answers need attention. Press Next again to continue anyway.")
            )
            return
        self._warned_page = None
        indexes = self._visible_page_indexes()
        later = [i for i in indexes if i > self.current]
        self.show_page(later[0] if later else len(self.pages))
        self.save_after_paint()

    def go_back(self) -> None:
        indexes = self._visible_page_indexes()
        earlier = [i for i in indexes if i < self.current]
        if earlier:
            self.show_page(earlier[-1])
            self.save_after_paint()

    def go_to_field(self, field_id: str) -> None:
        for index, page in enumerate(self.pages):
            if any(row.field.id == field_id for row in page.rows):
                self.show_page(index)
                row = self.rows[field_id]
                page.ensureWidgetVisible(row)
                row.editor.setFocus()
                self.show_issues(self.current_page_issues())
                return

    # --- saving and finalising -------------------------------------------------------------

    def _autosave_tick(self) -> None:
        if self.dirty:
            self.save_now()

    def save_after_paint(self) -> None:
        """Save the draft as soon as the page just shown is painted. Until then the answers stay
        marked unsaved, so closing, locking or quitting in between saves them (``save_now``)."""
        if self.dirty and not self.correcting:
            self.page_change_save.start()
            self.preparer.after_other_work()

    def save_now(self) -> None:
        self.page_change_save.stop()
        if not self.dirty or self.correcting:
            return
        try:
            records.save_draft(self.ctx, self.application_id, self.answers())
        except (errors.RecordError, PermissionDenied) as error:
            # e.g. the session locked itself: the answers stay in the wizard and are saved
            # at the next tick after unlocking (dirty stays set).
            self.saved_label.setText(str(error))
            return
        self.dirty = False
        self.saved_label.setText(_("Draft saved"))

    def save_and_close(self) -> None:
        self.save_now()
        self.autosave_timer.stop()
        self.closed.emit()

    def refresh_review(self, again: bool = False) -> None:
        """Fill the review page. Coming back to it with the same answers (same language, same
        day) shows what it showed: the duplicate search, the court's day from the settings and
        the page's rebuilding took 50-130 ms on every visit. ``again`` after something the
        answers do not show changed (a "not the same person" decision, a refused finalising)."""
        answers = self.answers()
        seen = (current_language(), clock.today(), json.dumps(answers, sort_keys=True, default=str))
        if seen == self._review_seen and not again:
            return
        self._review_seen = seen
        self.review.show_review(
            self.form,
            answers,
            records.check_application(self.form, answers),
            screening_notes(self.form, answers),
            intake_deadline_warning(self.form, answers, today=court_service.as_of(self.ctx)),
            duplicates.find_possible_duplicates(self.ctx, self.application_id, answers),
        )
        self.review.not_duplicate.connect(self._not_duplicate, Qt.ConnectionType.UniqueConnection)

    def _fill_review_ahead(self) -> None:
        """The review filled while the officer reads the last page. If that is refused (the
        session locked meanwhile), it is filled when shown, as before."""
        try:
            self.refresh_review()
        except UserFacingError:
            self._review_seen = None

    def _not_duplicate(self, other_id: str) -> None:
        duplicates.mark_not_duplicate(self.ctx, self.application_id, other_id)
        self.refresh_review(again=True)

    def finalize(self) -> None:
        if self.correcting:
            self.correct()
            return
        self.save_now()
        try:
            reference = records.finalize_application(self.ctx, self.application_id, self.answers())
        except records.ValidationFailed as failure:
            self.show_issues(failure.issues)
            self.refresh_review(again=True)
            return
        except errors.RecordError as error:
            QMessageBox.warning(self, _("Not finalised"), str(error))
            return
        self.autosave_timer.stop()
        self.finished.emit(reference)

    def correct(self, reason: str | None = None) -> bool:
        """Save the changes to a final record as a new version (supervisors; reason required)."""
        if reason is None:
            reason, accepted = QInputDialog.getText(
                self, _("Correction"), _("Why is this record corrected?")
            )
            if not accepted:
                return False
        try:
            records.correct_application(self.ctx, self.application_id, self.answers(), reason)
        except records.ValidationFailed as failure:
            self.show_issues(failure.issues)
            self.refresh_review(again=True)
            return False
        except UserFacingError as error:
            QMessageBox.warning(self, _("Not finalised"), error.full_text())
            return False
        self.autosave_timer.stop()
        self.finished.emit(self.reference or "")
        return True

    def retranslate(self) -> None:
        lang = current_language()
        self.header.setText(
            f"<span style='font-size:15pt'>{html_text(self.form.title.get(lang))}</span>"
        )
        for page in self.pages:
            page.retranslate()
        self.review.retranslate()
        self.preparer.changed()
        self.back_button.setText(_("← Back"))
        self.next_button.setText(_("Next →"))
        self.close_button.setText(_("Save and close"))
        self._update_progress()

    def closeEvent(self, event: Any) -> None:
        self.preparer.stop()
        self.save_now()
        super().closeEvent(event)
