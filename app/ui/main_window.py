"""The main window: navigation on the left, one page per task, the officer and sync state below."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    N_,
    _,
    current_language,
    format_number,
    on_language_changed,
    set_language,
)
from app.services.context import AppContext, count_applications, sync_summary


class PlaceholderPage(QWidget):
    """A page whose feature arrives with a later issue; it says so plainly."""

    def __init__(self, title: str, description: str) -> None:
        super().__init__()
        self._title_source = title
        self._description_source = description
        layout = QVBoxLayout(self)
        self.title_label = QLabel()
        self.title_label.setObjectName("pageTitle")
        self.description_label = QLabel()
        self.description_label.setWordWrap(True)
        layout.addWidget(self.title_label)
        layout.addWidget(self.description_label)
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.title_label.setText(_(self._title_source))
        self.description_label.setText(_(self._description_source))


PageFactory = Callable[[AppContext], QWidget]

# (page key, navigation label msgid). Labels are marked for extraction and translated when shown.
NAVIGATION: list[tuple[str, str]] = [
    ("applicants", N_("Applicants")),
    ("new_application", N_("New application")),
    ("rights", N_("Rights")),
    ("print", N_("Print")),
    ("sync", N_("Sync")),
    ("settings", N_("Settings")),
]

COMING_TEXT: dict[str, tuple[str, str]] = {
    "applicants": (N_("Applicants"), N_("Coming: the list of applicants and applications.")),
    "new_application": (
        N_("New application"),
        N_("Coming: the guided intake of a complaint or civil party application."),
    ),
    "rights": (N_("Rights"), N_("Coming: victims' rights explained in Khmer and English.")),
    "print": (N_("Print"), N_("Coming: printing forms, receipts and leaflets.")),
    "sync": (N_("Sync"), N_("Coming: sending records to the central office.")),
    "settings": (N_("Settings"), N_("Coming: language, lock time, server and backup settings.")),
}


def default_page_factories() -> dict[str, PageFactory]:
    """The pages built so far; a key missing here shows its "coming" placeholder."""
    from app.ui.intake_page import IntakePage
    from app.ui.registry import RegistryPage
    from app.ui.settings_page import SettingsPage

    return {"applicants": RegistryPage, "new_application": IntakePage, "settings": SettingsPage}


class MainWindow(QMainWindow):
    def __init__(
        self, ctx: AppContext, page_factories: dict[str, PageFactory] | None = None
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.setMinimumSize(QSize(960, 640))
        factories = default_page_factories() if page_factories is None else page_factories

        self.language_box = QComboBox()
        self.language_box.setObjectName("languageBox")
        for code in LANGUAGES:
            self.language_box.addItem(LANGUAGE_NAMES[code], code)
        self.language_box.setCurrentIndex(LANGUAGES.index(current_language()))
        self.language_box.currentIndexChanged.connect(self._language_chosen)
        toolbar = QToolBar()
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        self.language_caption = QLabel()
        toolbar.addWidget(self.language_caption)
        toolbar.addWidget(self.language_box)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setMaximumWidth(260)
        self.pages = QStackedWidget()
        self.page_by_key: dict[str, QWidget] = {}
        for key, _label in NAVIGATION:
            factory = factories.get(key)
            page = factory(ctx) if factory else PlaceholderPage(*COMING_TEXT[key])
            self.page_by_key[key] = page
            self.pages.addWidget(page)
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.navigation.addItem(item)
        self.navigation.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.navigation.setCurrentRow(0)

        splitter = QSplitter()
        splitter.addWidget(self.navigation)
        splitter.addWidget(self.pages)
        splitter.setStretchFactor(1, 1)
        self.setCentralWidget(splitter)

        self.officer_label = QLabel()
        self.records_label = QLabel()
        self.sync_label = QLabel()
        for label in (self.officer_label, self.records_label, self.sync_label):
            self.statusBar().addPermanentWidget(label)

        on_language_changed(lambda _language: self.retranslate())
        self.retranslate()
        # The status bar is cheap to refresh; keep it current while other pages change data.
        self.status_timer = QTimer(self)
        self.status_timer.timeout.connect(self.refresh_status)
        self.status_timer.start(5000)

    def show_page(self, key: str) -> None:
        self.navigation.setCurrentRow([k for k, _l in NAVIGATION].index(key))

    def _language_chosen(self, index: int) -> None:
        set_language(self.language_box.itemData(index))

    def retranslate(self) -> None:
        self.setWindowTitle(_("VSS Outreach"))
        self.language_caption.setText(_("Language:") + " ")
        for row, (_key, label) in enumerate(NAVIGATION):
            item = self.navigation.item(row)
            if item is not None:
                item.setText(_(label))
        for page in self.page_by_key.values():
            retranslate = getattr(page, "retranslate", None)
            if callable(retranslate):
                retranslate()
        self.refresh_status()

    def refresh_status(self) -> None:
        officer = self.ctx.officer
        self.officer_label.setText(
            _("Officer: {name}").format(
                name=officer.display_name if officer else _("not signed in")
            )
        )
        self.records_label.setText(
            _("Records: {count}").format(count=format_number(count_applications(self.ctx)))
        )
        summary = sync_summary(self.ctx)
        if summary.pending:
            text = _("Sync: {count} waiting").format(count=format_number(summary.pending))
        else:
            text = _("Sync: up to date")
        self.sync_label.setText(text)
