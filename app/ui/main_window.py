"""The main window: navigation on the left, one page per task, the officer and sync state below."""

from __future__ import annotations

import importlib
import time
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QSize, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    current_language,
    format_number,
    on_language_changed,
    remove_language_listener,
    set_language,
)
from app.ui import feature_check  # noqa: F401 (first: PySide6's import hook made light)
from app.ui.form_warning import FormFilesWarning
from app.ui.status_line import StatusLine, refresh_training_banner, training_banner
from app.ui.text import _
from app.ui.window_pages import (
    COMING_TEXT,
    FRAME_PAGES,
    NAVIGATION,
    PageFactory,
    PageRegistry,
    PlaceholderPage,
    default_page_factories,
    instance_of,
    scrolling,
)

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent, QKeyEvent, QShowEvent

    # The services (and with them SQLAlchemy and the models) are imported once the store is
    # open (attach): signing in from the environment paints the window's frame before they are
    # loaded. A record's window is imported when a record is opened.
    from app.services.context import AppContext
    from app.services.start import StartSummary
    from app.ui.input_watch import InputWatch
    from app.ui.lock_screen import HiddenWindows, LockScreen
    from app.ui.record_view import RecordDialog
    from app.ui.worker import DataEvents

IDLE_CHECK_MS = 15_000
NAVIGATION_KEY_ROLE = 256  # Qt.ItemDataRole.UserRole (named so without building Qt's enums)


WARM_UP_DELAY_MS = 1500
WARM_UP_STEP_MS = 50


class MainWindow(QMainWindow):
    """Built with the officer's context, or first without it: signing in from the environment
    paints the window's frame (navigation, the start page with its counts to come) while the
    store's modules load and the store opens, then :meth:`attach` gives it the context. Nothing
    of the store is shown, and no page reads records, before that."""

    def __init__(
        self, ctx: AppContext | None, page_factories: dict[str, PageFactory] | None = None
    ) -> None:
        super().__init__()
        self._ctx = ctx  # (None: the frame, until attach)
        self._attached = False
        self._shut_down = False
        # Fits a 1024x600 netbook with its task bar; the app opens maximised (app.run_gui).
        self.setMinimumSize(QSize(800, 480))
        factories = default_page_factories() if page_factories is None else page_factories

        self.language_box = QComboBox()
        self.language_box.setObjectName("languageBox")
        for code in LANGUAGES:
            self.language_box.addItem(LANGUAGE_NAMES[code], code)
        self.language_box.setCurrentIndex(LANGUAGES.index(current_language()))
        self.language_box.currentIndexChanged.connect(self._language_chosen)
        toolbar = QToolBar()
        self.toolbar = toolbar
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        self.language_caption = QLabel()
        toolbar.addWidget(self.language_caption)
        toolbar.addWidget(self.language_box)
        # (At the top, as added without an area: naming the area builds Qt's namespace of
        # enums, ~60 ms the frame need not wait for.)
        self.addToolBar(toolbar)

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setMaximumWidth(260)
        self.navigation.setMinimumWidth(190)
        self.pages = QStackedWidget()
        # Pages are built when first shown (and the rest shortly after the first paint), so the
        # window appears fast; page_by_key builds a page on first access too.
        self._factories = factories
        self.page_by_key = PageRegistry(self)
        for _key, _label in NAVIGATION:
            self.pages.addWidget(QWidget())
            item = QListWidgetItem()
            item.setData(NAVIGATION_KEY_ROLE, _key)
            self.navigation.addItem(item)
        self.navigation.currentRowChanged.connect(self._row_chosen)
        self.navigation.setCurrentRow(0)

        # A damaged form file is left out, not fatal; the officer is told which and why.
        self.form_warning = FormFilesWarning()

        # Training as of a past date (supervisor setting): shown above every page, always.
        self.training_banner = training_banner()

        splitter = QSplitter()
        splitter.addWidget(self.navigation)
        splitter.addWidget(self.pages)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.addWidget(self.training_banner)
        central_layout.addWidget(self.form_warning)
        central_layout.addWidget(splitter, 1)
        # While locked, the lock screen takes the place of everything the window shows.
        self.content = central
        self.body = QStackedWidget()
        self.body.addWidget(central)
        self.setCentralWidget(self.body)
        self._focus_before_lock: QWidget | None = None
        # The start page's reading as the store opened (attach), kept for that turn of the
        # event loop: the status line and offer_drafts show it instead of reading again.
        self._opening: StartSummary | None = None

        self.status_line = StatusLine(self.statusBar())
        self.officer_label = self.status_line.officer_label
        self.records_label = self.status_line.records_label
        self.sync_label = self.status_line.sync_label

        self.lock_action = QAction(self)
        self.lock_action.setObjectName("lockAction")
        self.lock_action.triggered.connect(self.lock_now)
        toolbar.addAction(self.lock_action)
        self.about_action = QAction(self)
        self.about_action.triggered.connect(self.show_about)
        toolbar.addAction(self.about_action)
        # Idle lock: any key or mouse input in the app counts as activity (from the first frame).
        self.last_activity = time.monotonic()
        self.locked = False
        self.input_watch: InputWatch | None = None  # (attach: nothing to lock before)
        self._lock_screen: LockScreen | None = None  # built at the first lock
        self.idle_timer = QTimer(self)
        self.idle_timer.timeout.connect(self.check_idle)
        self.idle_timer.start(IDLE_CHECK_MS)

        # Removed again when the window is destroyed, so a closed window is never called.
        self._language_listener = lambda _language: self.retranslate()
        on_language_changed(self._language_listener)
        self.destroyed.connect(
            lambda *_a, listener=self._language_listener: remove_language_listener(listener)
        )
        if ctx is not None:
            self.attach(ctx)  # (which translates the window)
        else:
            self.retranslate()

    @property
    def ctx(self) -> AppContext:
        """The officer's context (the window's pages and services work only with it)."""
        if self._ctx is None:
            raise RuntimeError("the main window has no context yet (attach)")
        return self._ctx

    @property
    def attached(self) -> bool:
        return self._attached

    def attach(self, ctx: AppContext) -> None:
        """The store is open: the lock screen, the status bar and the pages come to life (the
        start page's counts fill in). Once, with the context the window was built for."""
        from app.ui.lock_screen import HiddenWindows
        from app.ui.worker import DataEvents

        self._ctx = ctx
        self._attached = True
        self.hidden_windows: HiddenWindows = HiddenWindows()
        from app.ui.input_watch import InputWatch

        # The lock screen is built at the first lock: it names Qt's namespace of enums (~90,
        # 15-25 ms to build), which the filled window's first paint does not need; so would the
        # shortcut given as setShortcut's argument (PySide6 choosing among its overloads).
        self.lock_action.setShortcuts([QKeySequence("Ctrl+L")])
        self.input_watch = InputWatch(self, self._input_seen, self._lock_key_pressed)
        if self.isVisible():  # the frame is painted: watch from now on
            self.input_watch.watch_now()
        for page in self.page_by_key.values():
            attach_page = getattr(page, "attach", None)
            if callable(attach_page):
                attach_page(ctx)
        self._row_chosen(self.navigation.currentRow())  # a page chosen meanwhile is built now
        QTimer.singleShot(WARM_UP_DELAY_MS, self._warm_up)
        self.form_warning.check_after_paint()
        shown: Any = self.current_page()  # (a write is signalled 150 ms later at the soonest)
        if shown is not None and instance_of(shown, "app.ui.start_page", "StartPage"):
            self._opening = shown.opening_summary()
            QTimer.singleShot(0, self, lambda: setattr(self, "_opening", None))
        self.retranslate()
        # The status bar (and a page of counts on screen) follows every write by any page, a
        # background job or sync, instead of polling the database.
        self.data_events: DataEvents = DataEvents(ctx.store, self)
        self.data_events.changed.connect(self._data_changed)

    def page(self, key: str) -> QWidget:
        """The page for a navigation key, built on first use."""
        existing = dict.get(self.page_by_key, key)
        if existing is not None:
            return existing
        index = [k for k, _l in NAVIGATION].index(key)
        factory = self._factories.get(key)
        label = dict(NAVIGATION)[key]
        if self._ctx is None and key in FRAME_PAGES and factory is not None:
            # The frame: a page that shows without the store (its counts come with attach).
            module_name, class_name = FRAME_PAGES[key]
            page = getattr(importlib.import_module(module_name), class_name)(None)
        elif factory:
            page = factory(self.ctx)
        else:
            page = PlaceholderPage(*COMING_TEXT.get(key, (label, "")))
        dict.__setitem__(self.page_by_key, key, page)
        placeholder = self.pages.widget(index)
        current = self.pages.currentIndex()
        self.pages.insertWidget(index, scrolling(page))
        if placeholder is not None:
            self.pages.removeWidget(placeholder)
            placeholder.deleteLater()
        self.pages.setCurrentIndex(current)
        self._connect_page(key, page)
        return page

    def _row_chosen(self, row: int) -> None:
        if 0 <= row < len(NAVIGATION):
            key = NAVIGATION[row][0]
            if self._ctx is not None or key in FRAME_PAGES:  # (others wait for the store)
                self.page(key)
            self.pages.setCurrentIndex(row)

    def _warm_up(self) -> None:
        """Build the remaining pages one by one after the first paint (sync starts its timer)."""
        if self._shut_down:
            return  # (a page built now would start work nobody stops before the store closes)
        # Pages read records to build: wait until the officer unlocks (or the store is open).
        if self.locked or not self._attached:
            QTimer.singleShot(WARM_UP_DELAY_MS, self._warm_up)
            return
        for key, _label in NAVIGATION:
            if dict.get(self.page_by_key, key) is None:
                self.page(key)
                QTimer.singleShot(WARM_UP_STEP_MS, self._warm_up)
                return

    def _connect_page(self, key: str, page: QWidget) -> None:
        """Links between pages: print from the wizard or a record, start a form from the rights
        explainer, open a record from the registry. A page class whose module is not imported
        yet cannot be this page's class: checking so keeps the wizard and the registry out of
        the start (importing them to compare would load them before the first paint)."""
        linked: Any = page
        if instance_of(page, "app.ui.start_page", "StartPage"):
            linked.page_requested.connect(self.show_page)
            linked.draft_chosen.connect(self.resume_draft)
        if instance_of(page, "app.ui.intake_page", "IntakePage"):
            linked.finished_panel.print_requested.connect(self.print_document)
        if instance_of(page, "app.ui.registry", "RegistryPage"):
            linked.application_chosen.connect(self.open_record)
        if instance_of(page, "app.ui.civil_parties_page", "CivilPartiesPage"):
            linked.contact_started.connect(self.resume_draft)
        start_form = getattr(page, "start_form", None)
        if key == "rights" and start_form is not None:
            start_form.connect(self.start_form)

    def print_document(self, kind: str, reference: str) -> None:
        from app.ui.print_page import PrintPage

        printer = self.page("print")
        self.show_page("print")
        if isinstance(printer, PrintPage):
            printer.choose(kind, reference)

    def start_form(self, form_id: str) -> None:
        from app.ui.intake_page import IntakePage

        intake = self.page("new_application")
        self.show_page("new_application")
        if isinstance(intake, IntakePage):
            intake.start(form_id)

    def resume_draft(self, application_id: str) -> None:
        from app.ui.intake_page import IntakePage

        intake = self.page("new_application")
        self.show_page("new_application")
        if isinstance(intake, IntakePage):
            intake.open_draft(application_id)

    def offer_drafts(self) -> bool:
        """At start: if this officer left drafts (e.g. the laptop died), open them first."""
        from app.services.records import drafts_to_resume

        opening, self._opening = self._opening, None
        drafts = drafts_to_resume(self.ctx) if opening is None else opening.drafts
        if not drafts:
            return False
        self.show_page("new_application")
        self.statusBar().showMessage(
            _("You have {count} unfinished drafts: continue where you stopped.").format(
                count=format_number(len(drafts))
            ),
            30_000,
        )
        return True

    def open_record(self, application_id: str) -> RecordDialog:
        """Show one application; from there the officer prints it or continues the draft."""
        from app.ui.record_view import RecordDialog

        dialog = RecordDialog(self.ctx, application_id, self)
        dialog.print_requested.connect(self.print_document)
        dialog.continue_draft.connect(self.resume_draft)
        dialog.correct_record.connect(
            self.resume_draft
        )  # the wizard opens a final record to correct
        dialog.open()
        return dialog

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.input_watch is not None:
            self.input_watch.window_shown()

    def _input_seen(self) -> None:
        self.last_activity = time.monotonic()

    @property
    def lock_screen(self) -> LockScreen:
        """The lock screen, in the window's body (built the first time it is needed)."""
        if self._lock_screen is None:
            from app.ui.lock_screen import LockScreen

            self._lock_screen = LockScreen(self.ctx)
            self._lock_screen.unlocked.connect(self._unlocked)
            self.body.addWidget(self._lock_screen)
        return self._lock_screen

    def _lock_key_pressed(self, event: QKeyEvent) -> bool:
        """Ctrl+L locks from any window of the app (app.ui.input_watch)."""
        if QKeySequence(event.keyCombination()) == self.lock_action.shortcut() and not self.locked:
            self.lock_now()
            return True
        return False

    def idle_lock_seconds(self) -> float:
        from app.services.settings import load_settings

        return 60.0 * load_settings(self.ctx).idle_lock_minutes

    def check_idle(self) -> None:
        if not self._attached:
            return  # nothing of the store is open or shown yet: nothing to lock
        if not self.locked and time.monotonic() - self.last_activity >= self.idle_lock_seconds():
            self.lock_now()

    def save_open_work(self) -> None:
        for page in self.page_by_key.values():
            save = getattr(page, "save_open_draft", None)
            if callable(save):
                save()

    def lock_now(self) -> None:
        """Save what is open, lock the session (services refuse work) and put the lock screen in
        place of the whole window; every other window of the app is hidden until unlocking."""
        if self.locked or not self._attached or self.ctx.officer is None:
            return
        from app.services.accounts import lock

        self.save_open_work()
        self.locked = True
        lock(self.ctx)
        self._focus_before_lock = QApplication.focusWidget()
        self.hidden_windows.hide_all(keep=self)
        self.toolbar.hide()
        self.statusBar().hide()
        self.body.setCurrentWidget(self.lock_screen)
        self.retranslate()
        self.lock_screen.start()

    def _unlocked(self) -> None:
        """Back exactly where the officer was: the same page, windows and focus."""
        self.locked = False
        self.last_activity = time.monotonic()
        self.body.setCurrentWidget(self.content)
        self.toolbar.show()
        self.statusBar().show()
        self.retranslate()
        self.hidden_windows.show_all()
        focus, self._focus_before_lock = self._focus_before_lock, None
        if focus is not None and shiboken6.isValid(focus) and focus.isVisible():
            focus.setFocus()

    def show_about(self) -> None:
        if not self._attached:
            return  # (the frame is on screen a moment; About shows the store's folder)
        from app.ui.about import AboutDialog

        dialog = AboutDialog(self, self.ctx.home)
        from PySide6.QtCore import Qt

        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def shutdown(self) -> None:
        """Closing the window: save open drafts, stop timers (the caller closes the store)."""
        self._shut_down = True
        remove_language_listener(self._language_listener)
        self.save_open_work()
        for page in self.page_by_key.values():
            stop = getattr(page, "shutdown", None)
            if callable(stop):
                stop()
        self.form_warning.stop()
        if self._attached:
            self.data_events.stop()
        self.idle_timer.stop()
        if self.input_watch is not None:
            self.input_watch.stop()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_open_work()
        super().closeEvent(event)

    def current_page(self) -> QWidget | None:
        """The page shown (not the scroll area around it)."""
        shown = self.pages.currentWidget()
        return shown.widget() if isinstance(shown, QScrollArea) else shown

    def show_page(self, key: str) -> None:
        self.navigation.setCurrentRow([k for k, _l in NAVIGATION].index(key))

    def _language_chosen(self, index: int) -> None:
        set_language(self.language_box.itemData(index))

    def retranslate(self) -> None:
        if self._lock_screen is not None:
            self._lock_screen.retranslate()
        if self.locked:
            # Pages read records to retranslate; they are redone when the session is unlocked.
            self.setWindowTitle(_("VSS Outreach — locked"))
            return
        self.setWindowTitle(_("VSS Outreach"))
        self.language_caption.setText(_("Language:") + " ")
        self.lock_action.setText(_("Lock now"))
        self.about_action.setText(_("About"))
        for row, (_key, label) in enumerate(NAVIGATION):
            item = self.navigation.item(row)
            if item is not None:
                item.setText(_(label))
        for page in self.page_by_key.values():
            retranslate = getattr(page, "retranslate", None)
            if callable(retranslate):
                retranslate()
        if not self._attached:
            return  # the forms' warning and the status bar come with the store (attach)
        self.form_warning.retranslate()
        self.refresh_status()

    def _data_changed(self) -> None:
        self.refresh_status()
        page = self.pages.currentWidget()
        if self.locked or page is None:
            return
        if instance_of(page, "app.ui.dashboard_page", "DashboardPage") or instance_of(
            page, "app.ui.sync_page", "SyncPage"
        ):
            page.refresh()  # type: ignore[attr-defined]  # cheap counts, nothing typed to lose

    def refresh_status(self) -> None:
        refresh_training_banner(self.training_banner, self.ctx)
        self.status_line.refresh(self.ctx, None if self._opening is None else self._opening.sync)
