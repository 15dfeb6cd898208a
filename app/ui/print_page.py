"""The Print page: choose a document, preview it, print it or save it as PDF.

PDFs are rendered into memory and previewed from a QBuffer (QtPdf), so an applicant's name never
lands in a temporary file. Batches (every application of a forum) run off the UI thread with a
progress bar and Cancel, and are written only to the file the officer chose.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import UserFacingError
from app.i18n import current_language, format_number
from app.services import form_catalogue, printing, records
from app.services.context import AppContext
from app.ui.text import ReadingProgressBar, _
from app.ui.worker import BackgroundTask, JobView, run_job

DOCUMENT_KINDS = ("application", "receipt", "blank_form", "leaflet", "forum")


class PrintPage(QWidget):
    scrolls_itself = True  # the preview scrolls inside the page (see MainWindow)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.document: printing.PdfDocument | None = None
        self.task: BackgroundTask | None = None
        self.title = QLabel()
        self.title.setObjectName("pageTitle")

        self.kind_group = QButtonGroup(self)
        self.kind_buttons: dict[str, QRadioButton] = {}
        kinds = QVBoxLayout()
        for kind in DOCUMENT_KINDS:
            button = QRadioButton()
            button.setObjectName(f"kind_{kind}")
            self.kind_group.addButton(button)
            self.kind_buttons[kind] = button
            kinds.addWidget(button)
        self.kind_buttons["application"].setChecked(True)
        self.kind_group.buttonToggled.connect(lambda *_a: self._kind_changed())

        self.reference = QLineEdit()
        self.reference.setObjectName("referenceInput")
        self.reference.setPlaceholderText("VSS-XXXX-0000-X")
        self.reference.returnPressed.connect(self.preview)
        self.reference.textEdited.connect(lambda *_a: self.invalidate())
        self.reference.textChanged.connect(lambda *_a: self.invalidate())
        self.form_choice = QComboBox()
        self.form_choice.setObjectName("formChoice")
        self.forum_choice = QComboBox()
        self.forum_choice.setObjectName("forumChoice")
        self.full_copy = QCheckBox()
        self.full_copy.setObjectName("fullCopy")
        self.full_copy_reason = QLineEdit()
        self.full_copy_reason.setObjectName("fullCopyReason")
        self.full_copy.toggled.connect(self.full_copy_reason.setEnabled)
        self.full_copy.toggled.connect(lambda *_a: self.invalidate())
        self.full_copy_reason.setEnabled(False)
        self.full_copy_reason.textChanged.connect(lambda *_a: self.invalidate())
        self.form_choice.currentIndexChanged.connect(lambda *_a: self.invalidate())
        self.options = QFormLayout()
        self.reference_label = QLabel()
        self.form_label = QLabel()
        self.forum_label = QLabel()
        self.options.addRow(self.reference_label, self.reference)
        self.options.addRow(self.form_label, self.form_choice)
        self.options.addRow(self.forum_label, self.forum_choice)
        self.options.addRow(self.full_copy)
        self.options.addRow(self.full_copy_reason)

        self.preview_button = QPushButton()
        self.preview_button.setObjectName("previewButton")
        self.preview_button.clicked.connect(self.preview)
        self.print_button = QPushButton()
        self.print_button.setObjectName("printButton")
        self.print_button.clicked.connect(self.print_document)
        self.save_button = QPushButton()
        self.save_button.setObjectName("saveButton")
        self.save_button.clicked.connect(self.save_document)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelButton")
        self.progress = ReadingProgressBar()
        self.progress.setObjectName("batchProgress")
        self.message = QLabel()
        self.message.setObjectName("printMessage")
        self.message.setWordWrap(True)

        controls = QWidget()
        left = QVBoxLayout(controls)
        left.addWidget(self.title)
        left.addLayout(kinds)
        left.addLayout(self.options)
        buttons = QHBoxLayout()
        for action in (self.preview_button, self.print_button, self.save_button):
            buttons.addWidget(action)
        left.addLayout(buttons)
        left.addWidget(self.progress)
        left.addWidget(self.cancel_button)
        left.addWidget(self.message)
        left.addStretch(1)

        self.pdf = QPdfDocument(self)
        self.view = QPdfView()
        self.view.setObjectName("pdfView")
        self.view.setDocument(self.pdf)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self._buffer: QBuffer | None = None

        splitter = QSplitter()
        splitter.addWidget(controls)
        splitter.addWidget(self.view)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.retranslate()
        self._kind_changed()

    # --- choosing -------------------------------------------------------------------------

    def kind(self) -> str:
        return next(k for k, b in self.kind_buttons.items() if b.isChecked())

    def choose(self, kind: str, reference: str | None = None) -> None:
        """Open the page on a document, e.g. from the wizard's "print the receipt"."""
        self.kind_buttons[kind].setChecked(True)
        if reference is not None:
            self.reference.setText(reference)
        self.preview()

    def invalidate(self) -> None:
        """Forget the shown document: whatever the officer changed, the preview no longer shows
        the document named on screen, so nothing may be printed or saved until it is rendered again."""
        self.document = None
        self.pdf.close()
        if self._buffer is not None:
            self._buffer.close()
            self._buffer = None
        if self.task is None or not self.task.is_running():
            self.message.setText("")
        self._update_actions()

    def _update_actions(self) -> None:
        batch_running = self.task is not None and self.task.is_running()
        if self.kind() == "forum":
            self.save_button.setEnabled(not batch_running)
            return
        self.print_button.setEnabled(self.document is not None)
        self.save_button.setEnabled(self.document is not None)

    def _kind_changed(self) -> None:
        self.invalidate()
        kind = self.kind()
        shown: list[tuple[QWidget, bool]] = [
            (self.reference, kind in ("application", "receipt")),
            (self.reference_label, kind in ("application", "receipt")),
            (self.form_choice, kind == "blank_form"),
            (self.form_label, kind == "blank_form"),
            (self.forum_choice, kind == "forum"),
            (self.forum_label, kind == "forum"),
            (self.full_copy, kind in ("application", "receipt")),
            (self.full_copy_reason, kind in ("application", "receipt")),
        ]
        for widget, visible in shown:
            widget.setVisible(visible)
        is_batch = kind == "forum"
        self.preview_button.setVisible(not is_batch)
        self.print_button.setVisible(not is_batch)
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        if is_batch:
            self._fill_forums()

    def _fill_forums(self) -> None:
        self.forum_choice.clear()
        self.forum_choice.addItem(_("All final applications"), None)
        for forum in printing.printable_forums(self.ctx):
            self.forum_choice.addItem(forum, forum)

    def retranslate(self) -> None:
        lang = current_language()
        self.title.setText(_("Print"))
        texts = {
            "application": _("The filled application of a record"),
            "receipt": _("The applicant's receipt"),
            "blank_form": _("A blank paper form"),
            "leaflet": _("The rights leaflet"),
            "forum": _("Every application of a forum (one PDF)"),
        }
        for kind, text in texts.items():
            self.kind_buttons[kind].setText(text)
        self.reference_label.setText(_("Reference number"))
        self.form_label.setText(_("Form"))
        self.forum_label.setText(_("Forum"))
        self.full_copy.setText(
            _("Print the names of an identity-protected applicant (written to the audit log)")
        )
        self.full_copy_reason.setPlaceholderText(_("Why is a full copy needed?"))
        self.preview_button.setText(_("Preview"))
        self.print_button.setText(_("Print…"))
        self.save_button.setText(_("Save as PDF…"))
        self.cancel_button.setText(_("Cancel"))
        current = self.form_choice.currentData()
        self.form_choice.clear()
        for form in form_catalogue.available_forms().values():
            self.form_choice.addItem(form.title.get(lang), form.id)
        self.form_choice.setCurrentIndex(max(0, self.form_choice.findData(current)))

    # --- rendering ------------------------------------------------------------------------

    def _application_id(self) -> str:
        typed = self.reference.text().strip()
        application_id = records.find_by_reference(self.ctx, typed) if typed else None
        if application_id is None:
            raise printing.PrintError(
                _("No application has the reference {reference}.").format(reference=typed or "—")
            )
        return application_id

    def render_document(self) -> printing.PdfDocument:
        kind = self.kind()
        reason = self.full_copy_reason.text() if self.full_copy.isChecked() else None
        needs_reason = kind in ("application", "receipt") and self.full_copy.isChecked()
        if needs_reason and not (reason or "").strip():
            raise printing.PrintError(_("Please write why a full copy is needed."))
        if kind == "application":
            return printing.application_pdf(
                self.ctx, self._application_id(), full_copy_reason=reason
            )
        if kind == "receipt":
            return printing.receipt_pdf(self.ctx, self._application_id(), full_copy_reason=reason)
        if kind == "blank_form":
            return printing.blank_form_pdf(str(self.form_choice.currentData()), self.ctx)
        return printing.leaflet_pdf(self.ctx)

    def preview(self) -> bool:
        if self.kind() == "forum":
            return False
        self.invalidate()
        try:
            document = self.render_document()
        except UserFacingError as error:
            self.message.setText(error.full_text())
            return False
        self.document = document
        self._buffer = QBuffer(self)
        self._buffer.setData(QByteArray(self.document.data))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.pdf.load(self._buffer)
        shown = _("Pages: {count}").format(count=format_number(self.document.pages))
        if self.document.redacted:
            label = self.document.protection_label
            shown += " — " + (
                _("Redacted copy, as the applicant asked: {level}.").format(
                    level=label.get(current_language())
                )
                if label is not None
                else _("Redacted copy: the applicant asked for identity protection.")
            )
        self.message.setText(shown)
        self._update_actions()
        return True

    def print_document(self) -> None:
        # Render again from what is named on screen now: what is printed is never an older preview.
        if not self.preview():
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return
        self.print_to(printer)

    def print_to(self, printer: QPrinter) -> None:
        """Draw every page of the previewed PDF on the printer at its resolution."""
        assert self.document is not None
        painter = QPainter()
        if not painter.begin(printer):
            self.message.setText(_("The printer could not be started."))
            return
        try:
            for page in range(self.pdf.pageCount()):
                if page:
                    printer.newPage()
                target = painter.viewport()
                size = (
                    self.pdf.pagePointSize(page)
                    .toSize()
                    .scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
                )
                image = self.pdf.render(page, QSize(size.width(), size.height()))
                painter.drawImage(0, 0, image)
        finally:
            painter.end()
        printing.record_printed(self.ctx, self.document)
        self.message.setText(_("Sent to the printer."))

    def save_document(self) -> None:
        suggested = f"{self.kind()}.pdf"
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save as PDF"), suggested, "PDF (*.pdf)"
        )
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> None:
        if self.kind() == "forum":
            self.start_batch(path)
            return
        # Render again from what is named on screen now: what is saved is never an older preview.
        if not self.preview():
            return
        assert self.document is not None
        try:
            printing.write_pdf(path, self.document.data, self.ctx.home)
        except printing.PrintError as error:
            self.message.setText(str(error))
            return
        printing.record_printed(self.ctx, self.document)
        self.message.setText(_("Saved: {path}").format(path=path))

    # --- batches --------------------------------------------------------------------------

    def start_batch(self, path: Path) -> None:
        forum = self.forum_choice.currentData()
        ids = printing.application_ids_for_forum(self.ctx, forum)
        if not ids:
            self.message.setText(_("There is no final application to print."))
            return
        ctx = self.ctx

        def job(progress: Any, cancelled: Any) -> printing.BatchResult:
            return printing.print_applications(ctx, ids, path, progress, cancelled)

        self.task = run_job(
            job,
            JobView(self.message, self.progress, self.cancel_button, busy=(self.save_button,)),
            name="print_page.batch",
            started=_("Printing {count} applications…").format(count=format_number(len(ids))),
            done=lambda result: _("Saved {records} applications ({pages} pages).").format(
                records=format_number(result.records), pages=format_number(result.pages)
            ),
        )

    def cancel_batch(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def closeEvent(self, event: Any) -> None:
        if self.task is not None:
            self.task.stop()
        super().closeEvent(event)
