"""The Civil parties page: the office's list of civil parties and applicants for the provinces this
laptop serves. Search by a Khmer name, a Latin spelling or a number; open a person's card (case,
status, lawyer team, contacts recorded); record a contact; print a commune's village visit list.

Only the roles the services allow see anything: for any other role the page says so and asks
nothing of the list (a refusal would be audited for merely opening the page).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core import clock
from app.core.errors import UserFacingError
from app.i18n import (
    N_,
    format_date,
    format_number,
    localize_digits,
    on_language_changed,
    remove_language_listener,
)
from app.services import civil_parties
from app.services.context import AppContext
from app.services.security import Action, may
from app.ui.combo import NO_DATA, combo_data
from app.ui.errors import show_error
from app.ui.sizing import ColumnFitter
from app.ui.text import WrapLabel, _, display

COLUMNS = (N_("Number"), N_("Name"), N_("Case"), N_("Status"))
SEARCH_DELAY_MS = 250

STATUS_LABELS = {
    "civil_party": N_("Civil party"),
    "applicant": N_("Applicant (no decision)"),
    "not_admitted": N_("Not admitted"),
    "withdrawn": N_("Withdrew"),
}


def status_label(code: str) -> str:
    label = STATUS_LABELS.get(code)
    return _(label) if label else code


def case_label(code: str) -> str:
    return _("Case {number}").format(number=localize_digits(code))


def person_name(row: civil_parties.ListedRow) -> str:
    if row.masked:
        return _("Identity protected")
    return " / ".join(part for part in (row.name_km, row.name_latin) if part)


class CivilPartiesPage(QWidget):
    contact_started = Signal(str)  # the follow-up draft to continue on the intake page
    scrolls_itself = True  # the table scrolls; the page around it does not

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.rows: list[civil_parties.ListedRow] = []
        self.card: civil_parties.PersonCard | None = None
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.info = WrapLabel()
        self.info.setObjectName("listInfo")
        self.search = QLineEdit()
        self.search.setObjectName("listSearch")
        self.search.setClearButtonEnabled(True)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)
        self.timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _text: self.timer.start())
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("listTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.columns = ColumnFitter(self.table, (22, 44, 14, 20), optional=(2,))
        self.table.itemSelectionChanged.connect(self._selection_changed)

        self.card_box = QGroupBox()
        self.card_box.setObjectName("personCard")
        self.card_name = WrapLabel()
        self.card_name.setObjectName("cardName")
        self.card_name.setStyleSheet("font-weight: bold;")
        self.card_fields: dict[str, tuple[QLabel, WrapLabel]] = {}
        card_form = QFormLayout()
        # A long place name takes the row below its label instead of being cut.
        card_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for key in ("number", "case", "status", "team", "place", "last_contact"):
            label, value = QLabel(), WrapLabel()
            value.setObjectName(f"card_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.card_fields[key] = (label, value)
            card_form.addRow(label, value)
        self.contacts_label = QLabel()
        self.contacts = QListWidget()
        self.contacts.setObjectName("cardContacts")
        self.contacts.setMaximumHeight(90)
        self.contact_button = QPushButton()
        self.contact_button.setObjectName("recordContact")
        self.contact_button.clicked.connect(self.record_contact)
        card_layout = QVBoxLayout(self.card_box)
        card_layout.addWidget(self.card_name)
        card_layout.addLayout(card_form)
        card_layout.addWidget(self.contacts_label)
        card_layout.addWidget(self.contacts)
        card_layout.addWidget(self.contact_button)
        card_layout.addStretch(1)

        self.visit_box = QGroupBox()
        self.visit_box.setObjectName("visitBox")
        self.commune = QComboBox()
        self.commune.setObjectName("visitCommune")
        self.commune.currentIndexChanged.connect(lambda _i: self._show_due())
        self.due_label = WrapLabel()
        self.due_label.setObjectName("notContacted")
        self.print_button = QPushButton()
        self.print_button.setObjectName("printVisitList")
        self.print_button.clicked.connect(self.choose_visit_file)
        visit_layout = QVBoxLayout(self.visit_box)
        visit_layout.addWidget(self.commune)
        visit_layout.addWidget(self.due_label)
        visit_layout.addWidget(self.print_button)

        left = QVBoxLayout()
        left.addWidget(self.info)
        left.addWidget(self.search)
        left.addWidget(self.table, 1)
        # The card and the visit box scroll on their own on a 600-pixel screen (the table
        # beside them has its own scroll bar; the page itself does not scroll).
        right_panel = QWidget()
        right = QVBoxLayout(right_panel)
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.card_box, 1)
        right.addWidget(self.visit_box)
        self.side = QScrollArea()
        self.side.setObjectName("civilPartiesSide")
        self.side.setWidgetResizable(True)
        self.side.setFrameShape(QFrame.Shape.NoFrame)
        self.side.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.side.setWidget(right_panel)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addWidget(self.side, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(body, 1)

        self._listener = lambda _language: self.retranslate()
        on_language_changed(self._listener)
        self.destroyed.connect(lambda *_a, f=self._listener: remove_language_listener(f))
        self.retranslate()

    # --- text ----------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.title.setText(_("Civil parties"))
        self.search.setPlaceholderText(
            _("Search by name (Khmer or Latin spelling) or number").replace("\u200b", "")
        )
        self.table.setHorizontalHeaderLabels([_(c) for c in COLUMNS])
        self.card_box.setTitle(_("Person's card"))
        labels = {
            "number": _("Number"),
            "case": _("Case"),
            "status": _("Status"),
            "team": _("Lawyer team"),
            "place": _("Village"),
            "last_contact": _("Last contact"),
        }
        for key, (label, _value) in self.card_fields.items():
            label.setText(labels[key])
        self.contacts_label.setText(_("Contacts recorded on this laptop"))
        self.contact_button.setText(_("Record a contact"))
        self.visit_box.setTitle(_("Not contacted for 12 months"))
        self.print_button.setText(_("Print the visit list"))
        self.refresh()

    # --- data ----------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def allowed(self) -> bool:
        return may(self.ctx, Action.CIVIL_PARTY_LIST)

    def refresh(self) -> None:
        allowed = self.allowed()
        for widget in (self.search, self.table, self.side):
            widget.setVisible(allowed)
        if not allowed:
            self.info.setText(
                _("Your role does not see the office's list. Field officers and supervisors do.")
            )
            return
        info = civil_parties.list_info(self.ctx)
        if info.count == 0:
            self.info.setText(
                _("No list yet: the office sends it with the next sync or on a USB stick.")
            )
        else:
            self.info.setText(
                _("{count} people in the provinces this laptop serves; list of {date}.").format(
                    count=format_number(info.count),
                    date=format_date(_date_of(info.issued)) if info.issued else "—",
                )
            )
        self._fill_communes()
        self.run_search()
        self._show_card()

    def _fill_communes(self) -> None:
        current = combo_data(self.commune)
        self.commune.blockSignals(True)
        self.commune.clear()
        self.commune.addItem(_("Choose a commune"), NO_DATA)
        for code, name in civil_parties.communes_served(self.ctx):
            self.commune.addItem(display(name), code)
        index = self.commune.findData(current) if current else 0
        self.commune.setCurrentIndex(max(index, 0))
        self.commune.blockSignals(False)
        self._show_due()

    def run_search(self) -> None:
        if not self.allowed():
            return
        self.rows = civil_parties.search_people(self.ctx, self.search.text())
        self.table.setRowCount(len(self.rows))
        for index, row in enumerate(self.rows):
            case = localize_digits(row.case)  # the column says "Case"
            cells = (row.number, person_name(row), case, status_label(row.status))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, row.number)
                self.table.setItem(index, column, item)
        self.columns.fit()

    def _selection_changed(self) -> None:
        selected = self.table.selectedItems()
        if not selected:
            return
        number = selected[0].data(Qt.ItemDataRole.UserRole)
        try:
            self.card = civil_parties.open_card(self.ctx, str(number))
        except UserFacingError as error:
            show_error(self, error, "civil_parties.open_card")
            return
        self._show_card()

    def _show_card(self) -> None:
        card = self.card
        self.contact_button.setEnabled(card is not None)
        if card is None:
            self.card_name.setText(_("Choose a person in the list."))
            for _label, value in self.card_fields.values():
                value.setText("")
            self.contacts.clear()
            return
        person = card.person
        name = person_name(person)
        if person.deceased:
            name = _("{name} (deceased)").format(name=name)
        self.card_name.setText(name)
        values = {
            "number": person.number,
            "case": case_label(person.case),
            "status": status_label(person.status),
            "team": card.lawyer_team or "—",
            "place": card.place,
            "last_contact": format_date(card.last_contact) if card.last_contact else "—",
        }
        for key, (_label, value) in self.card_fields.items():
            value.setText(values[key])
        self.contacts.clear()
        for contact in card.contacts:
            when = format_date(clock.day_of(contact.finalized_at)) if contact.finalized_at else ""
            what = contact.what or contact.form_title
            self.contacts.addItem(display(f"{when} · {what} · {contact.reference or ''}"))

    def record_contact(self) -> None:
        if self.card is None:
            return
        try:
            draft = civil_parties.start_contact(self.ctx, self.card.person.number)
        except UserFacingError as error:
            show_error(self, error, "civil_parties.start_contact")
            return
        self.contact_started.emit(draft)

    # --- village visit -------------------------------------------------------------------------

    def _show_due(self) -> None:
        code = combo_data(self.commune)
        self.print_button.setEnabled(bool(code))
        if not code:
            self.due_label.setText(_("Choose a commune to see who has not been contacted."))
            return
        due = civil_parties.not_contacted(self.ctx, commune_code=str(code))
        self.due_label.setText(
            _("People not contacted for 12 months: {count}").format(count=format_number(len(due)))
        )

    def choose_visit_file(self) -> None:
        code = combo_data(self.commune)
        if not code:
            return
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Print the visit list"), str(Path.home() / "visit-list.pdf"), "PDF (*.pdf)"
        )
        if path:
            self.print_visit_list(Path(path))

    def print_visit_list(self, path: Path) -> int:
        code = combo_data(self.commune)
        try:
            pages = civil_parties.print_visit_list(self.ctx, str(code or ""), path)
        except UserFacingError as error:
            show_error(self, error, "civil_parties.print_visit_list")
            return 0
        self.due_label.setText(
            _("Visit list saved: {path} ({pages} pages).").format(
                path=path, pages=format_number(pages)
            )
        )
        return pages


def _date_of(iso: str) -> date:
    return datetime.fromisoformat(iso).date()
