"""The main window's pages: the navigation, the page classes (imported when a page is first
built) and the pages the window's frame shows before the store is open (app.ui.main_window)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.i18n import N_
from app.ui.text import _

if TYPE_CHECKING:
    from app.services.context import AppContext


class PageBuilder(Protocol):
    """What builds a page on first use (the main window)."""

    def page(self, key: str) -> QWidget: ...


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


PageFactory = Callable[["AppContext"], QWidget]

# (page key, navigation label msgid). Labels are marked for extraction and translated when shown.
NAVIGATION: list[tuple[str, str]] = [
    ("start", N_("Start")),
    ("applicants", N_("Applicants")),
    ("new_application", N_("New application")),
    ("rights", N_("Rights")),
    ("print", N_("Print")),
    ("sync", N_("Sync")),
    ("follow_up", N_("Follow-up")),
    ("forums", N_("Forums")),
    ("civil_parties", N_("Civil parties")),
    ("dashboard", N_("Dashboard")),
    ("security", N_("Officers and audit")),
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


# Page classes by key, imported when the page is first built (some pull in ReportLab, sync...).
PAGE_CLASSES: dict[str, tuple[str, str]] = {
    "start": ("app.ui.start_page", "StartPage"),
    "dashboard": ("app.ui.dashboard_page", "DashboardPage"),
    "applicants": ("app.ui.registry", "RegistryPage"),
    "new_application": ("app.ui.intake_page", "IntakePage"),
    "rights": ("app.ui.rights_page", "RightsPage"),
    "print": ("app.ui.print_page", "PrintPage"),
    "sync": ("app.ui.sync_page", "SyncPage"),
    "follow_up": ("app.ui.followup_page", "FollowUpPage"),
    "forums": ("app.ui.forums_page", "ForumsPage"),
    "civil_parties": ("app.ui.civil_parties_page", "CivilPartiesPage"),
    "security": ("app.ui.security_page", "SecurityPage"),
    "settings": ("app.ui.settings_page", "SettingsPage"),
}


def instance_of(page: QWidget, module_name: str, class_name: str) -> bool:
    """``isinstance(page, module.class)`` without importing the module: a class not loaded yet
    has no instances."""
    module = sys.modules.get(module_name)
    page_class = getattr(module, class_name, None) if module is not None else None
    return isinstance(page_class, type) and isinstance(page, page_class)


def _lazy_factory(module_name: str, class_name: str) -> PageFactory:
    def build(ctx: AppContext) -> QWidget:
        page_class = getattr(importlib.import_module(module_name), class_name)
        page: QWidget = page_class(ctx)
        return page

    return build


def default_page_factories() -> dict[str, PageFactory]:
    """The pages of the app; a key missing here shows its "coming" placeholder."""
    return {key: _lazy_factory(*where) for key, where in PAGE_CLASSES.items()}


# Pages the window's frame shows before the store is open: built with no context, given it by
# their ``attach`` (MainWindow.attach).
FRAME_PAGES: dict[str, tuple[str, str]] = {"start": PAGE_CLASSES["start"]}


# Qt.ScrollBarPolicy.ScrollBarAlwaysOff, set through Qt's property system: naming the policy
# builds Qt's namespace of enums (~90, 15-25 ms), which neither the frame nor the filled window
# needs before its first paint (issue 20).
_SCROLL_BAR_ALWAYS_OFF = 1


def scrolling(page: QWidget) -> QWidget:
    """The page inside a vertical scroll area, so a tall page still works on a 600-pixel screen.
    Pages that scroll inside themselves (the wizard's sections, the registry's table) say so
    with ``scrolls_itself = True`` and are shown as they are: scroll areas are never nested."""
    if getattr(page, "scrolls_itself", False):
        return page
    area = QScrollArea()
    area.setObjectName(f"{page.objectName() or 'page'}Scroll")
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setProperty("horizontalScrollBarPolicy", _SCROLL_BAR_ALWAYS_OFF)
    area.setWidget(page)
    return area


class PageRegistry(dict[str, QWidget]):
    """The main window's pages built so far; indexing a key that is not built yet builds it."""

    def __init__(self, window: PageBuilder) -> None:
        super().__init__()
        self.window = window

    def __missing__(self, key: str) -> QWidget:
        return self.window.page(key)
