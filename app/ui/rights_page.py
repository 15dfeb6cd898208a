"""The Rights page: victims' rights explained in large Khmer (English on request), for reading
aloud, presenting to a group, printing as a leaflet, and finding which form fits the applicant."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.core.court_text import citations_of
from app.core.rights import RightsError, RightsTopic, search_rights
from app.i18n import current_language, format_number
from app.services import court as court_service
from app.services import rights as rights_service
from app.services.context import AppContext
from app.ui.path_explainer import PathExplainerDialog
from app.ui.presentation import PresentationWindow, set_point_size
from app.ui.text import _, display

TOPIC_INDEX_ROLE = int(Qt.ItemDataRole.UserRole)
KHMER_BODY_POINT_SIZE = 17.0
ENGLISH_BODY_POINT_SIZE = 15.0
TITLE_POINT_SIZE = 21.0
LEAFLET_FILE_NAME = "vss-rights-leaflet.pdf"
ENGLISH_INK = "#34495e"


def _readable(label: QLabel) -> None:
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)


class RightsPage(QWidget):
    """Topic list and search on the left, the chosen topic's text on the right."""

    scrolls_itself = True  # its own scroll areas fill the page (see MainWindow)

    start_form = Signal(str)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.topics: list[RightsTopic] = []
        self.load_problem = ""
        try:
            self.topics = rights_service.rights_topics_on(court_service.as_of(ctx))
        except (RightsError, court_service.CourtError) as error:
            self.load_problem = str(error)
        # Per topic: has the officer asked to see the English text? Unset: follow the UI language.
        self.english_choice: dict[str, bool] = {}
        self.presentation: PresentationWindow | None = None
        self.explainer: PathExplainerDialog | None = None

        self.title = QLabel()
        self.title.setObjectName("pageTitle")

        # Left: search and the topic list.
        self.search_box = QLineEdit()
        self.search_box.setObjectName("rightsSearch")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.textChanged.connect(lambda _text: self.apply_search())
        self.topic_list = QListWidget()
        self.topic_list.setObjectName("rightsTopics")
        self.topic_list.setWordWrap(True)
        self.topic_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.topic_list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.topic_list.setStyleSheet(
            "QListWidget { font-size: 14pt; } QListWidget::item { padding: 8px 4px; }"
        )
        for index, _topic in enumerate(self.topics):
            item = QListWidgetItem()
            item.setData(TOPIC_INDEX_ROLE, index)
            self.topic_list.addItem(item)
        self.topic_list.currentRowChanged.connect(lambda _row: self.show_current_topic())
        self.no_match = QLabel()
        self.no_match.setObjectName("rightsNoMatch")
        self.no_match.setWordWrap(True)
        self.no_match.setVisible(False)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search_box)
        left_layout.addWidget(self.topic_list, 1)
        left_layout.addWidget(self.no_match)

        # Right: the text, large; English under the Khmer when asked for; the source below.
        self.topic_title = QLabel()
        self.topic_title.setObjectName("rightsTopicTitle")
        self.topic_title_en = QLabel()
        self.topic_title_en.setObjectName("rightsTopicTitleEnglish")
        self.english_toggle = QCheckBox()
        self.english_toggle.setObjectName("rightsShowEnglish")
        self.english_toggle.toggled.connect(self._english_toggled)
        self.source_label = QLabel()
        self.source_label.setObjectName("rightsSource")
        set_point_size(self.topic_title, TITLE_POINT_SIZE, bold=True)
        set_point_size(self.topic_title_en, 15, color=ENGLISH_INK)
        set_point_size(self.source_label, 12, color="#555555")
        self.source_label.setContentsMargins(0, 14, 0, 0)
        for label in (self.topic_title, self.topic_title_en, self.source_label):
            _readable(label)
        # One Khmer paragraph per idea, its English (when shown) right under it.
        self.khmer_paragraphs: list[QLabel] = []
        self.english_paragraphs: list[QLabel] = []
        text_panel = QWidget()
        self.text_layout = QVBoxLayout(text_panel)
        self.text_layout.setSpacing(6)
        self.text_layout.addWidget(self.source_label)
        self.text_layout.addStretch(1)
        self.text_scroll = QScrollArea()
        self.text_scroll.setWidgetResizable(True)
        self.text_scroll.setFrameShape(QFrame.Shape.NoFrame)
        # The text wraps to the column (Khmer between words): never a sideways scroll bar.
        self.text_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.text_scroll.setWidget(text_panel)

        self.present_button = QPushButton()
        self.present_button.setObjectName("presentRights")
        self.present_button.clicked.connect(self.present)
        self.explainer_button = QPushButton()
        self.explainer_button.setObjectName("whichPath")
        self.explainer_button.clicked.connect(self.open_explainer)
        self.leaflet_button = QPushButton()
        self.leaflet_button.setObjectName("printLeaflet")
        self.leaflet_button.clicked.connect(self.print_leaflet)
        # On the awarded projects: record a person's participation or feedback (a follow-up
        # contact naming the project: audited, printed as a receipt, synced like any record).
        self.record_contact_button = QPushButton()
        self.record_contact_button.setObjectName("recordReparationContact")
        self.record_contact_button.clicked.connect(self.record_reparation_contact)
        self.record_contact_button.setVisible(False)
        for button in (
            self.present_button,
            self.explainer_button,
            self.leaflet_button,
            self.record_contact_button,
        ):
            button.setMinimumHeight(44)
        self.message = QLabel()
        self.message.setObjectName("rightsMessage")
        self.message.setWordWrap(True)

        heading = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.topic_title)
        titles.addWidget(self.topic_title_en)
        heading.addLayout(titles, 1)
        heading.addWidget(self.english_toggle, 0, Qt.AlignmentFlag.AlignTop)
        actions = QHBoxLayout()
        actions.addWidget(self.present_button)
        actions.addWidget(self.explainer_button)
        actions.addWidget(self.leaflet_button)
        actions.addStretch(1)
        contact_row = QHBoxLayout()
        contact_row.addWidget(self.record_contact_button)
        contact_row.addStretch(1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(heading)
        right_layout.addWidget(self.text_scroll, 1)
        right_layout.addLayout(actions)
        right_layout.addLayout(contact_row)
        right_layout.addWidget(self.message)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 700])
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(splitter, 1)

        if self.topics:
            self.topic_list.setCurrentRow(0)
        self.retranslate()

    # --- queries ---------------------------------------------------------------------------------

    def current_topic_index(self) -> int | None:
        item = self.topic_list.currentItem()
        if item is None or item.isHidden():
            return None
        return int(item.data(TOPIC_INDEX_ROLE))

    def current_topic(self) -> RightsTopic | None:
        index = self.current_topic_index()
        return None if index is None else self.topics[index]

    def visible_topic_ids(self) -> list[str]:
        return [
            self.topics[int(item.data(TOPIC_INDEX_ROLE))].id
            for item in self._items()
            if not item.isHidden()
        ]

    def english_shown(self, topic: RightsTopic) -> bool:
        return self.english_choice.get(topic.id, current_language() == "en")

    def _items(self) -> list[QListWidgetItem]:
        return [
            item
            for item in (self.topic_list.item(row) for row in range(self.topic_list.count()))
            if item is not None
        ]

    # --- actions ---------------------------------------------------------------------------------

    def apply_search(self) -> None:
        query = self.search_box.text().strip()
        # The topics shown (the court today included), not the files: search what is on screen.
        matching = (
            {topic.id for topic, _lang in search_rights(self.topics, query)}
            if query
            else {topic.id for topic in self.topics}
        )
        for item in self._items():
            item.setHidden(self.topics[int(item.data(TOPIC_INDEX_ROLE))].id not in matching)
        visible = [item for item in self._items() if not item.isHidden()]
        current = self.topic_list.currentItem()
        if visible and (current is None or current.isHidden()):
            self.topic_list.setCurrentItem(visible[0])
        self.no_match.setVisible(bool(query) and not visible)
        self.show_current_topic()

    def present(self) -> PresentationWindow | None:
        """Open the forum presentation at the current topic (full screen)."""
        if not self.topics:
            return None
        topic = self.current_topic()
        if self.presentation is not None:
            self.presentation.close()
            self.presentation.deleteLater()
        self.presentation = PresentationWindow(
            self.topics,
            start_topic_index=self.current_topic_index() or 0,
            show_english=self.english_shown(topic) if topic is not None else True,
        )
        self.presentation.show_presentation()
        return self.presentation

    def open_explainer(self) -> PathExplainerDialog | None:
        """Open 'Which path fits?'; when it ends at a result, 'Start this form' emits start_form."""
        try:
            dialog = PathExplainerDialog(self, court_now=court_service.court_now(self.ctx))
        except (RightsError, court_service.CourtError) as error:
            self._say(str(error), ok=False)
            return None
        if self.explainer is not None:
            self.explainer.deleteLater()
        self.explainer = dialog
        dialog.form_chosen.connect(self.start_form.emit)
        dialog.open()
        return dialog

    def record_reparation_contact(self) -> None:
        """Start the form that records participation in, or feedback on, a reparation project."""
        form_id = rights_service.reparation_contact_form_id()
        if form_id is None:
            self._say(_("No form records reparation projects on this laptop."), ok=False)
            return
        self.start_form.emit(form_id)

    def print_leaflet(self) -> None:
        """Ask where to save the leaflet PDF, then render it."""
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        suggested = str(Path(folder or Path.home()) / LEAFLET_FILE_NAME)
        chosen, _filter = QFileDialog.getSaveFileName(
            self, _("Save the rights leaflet"), suggested, _("PDF files (*.pdf)")
        )
        if chosen:
            path = Path(chosen)
            self.save_leaflet(path if path.suffix.lower() == ".pdf" else path.with_suffix(".pdf"))

    def save_leaflet(self, path: Path) -> int:
        """Render the leaflet to ``path``; returns the page count (0 when it failed)."""
        try:
            pages = rights_service.render_rights_leaflet(path, ctx=self.ctx)
        except (OSError, RightsError, court_service.CourtError) as error:
            self._say(_("The leaflet could not be saved: {problem}").format(problem=error), False)
            return 0
        self._say(
            _(
                "Leaflet saved: {path} ({pages} pages, print on both sides and fold in three)"
            ).format(path=path, pages=format_number(pages)),
            ok=True,
        )
        return pages

    # --- drawing ---------------------------------------------------------------------------------

    def retranslate(self) -> None:
        lang = current_language()
        self.title.setText(_("Rights"))
        self.search_box.setPlaceholderText(_("Search the topics (Khmer or English)"))
        self.no_match.setText(_("No topic contains these words."))
        self.english_toggle.setText(_("Show the English text"))
        self.present_button.setText(_("Present to a group"))
        self.explainer_button.setText(_("Which path fits?"))
        self.leaflet_button.setText(_("Print leaflet…"))
        self.record_contact_button.setText(_("Record a person's participation or feedback…"))
        other = "en" if lang == "km" else "km"
        for item in self._items():
            topic = self.topics[int(item.data(TOPIC_INDEX_ROLE))]
            item.setText(topic.text(lang, fallback=True).title)
            item.setToolTip(topic.text(other, fallback=True).title)
        if self.load_problem:
            self._say(
                _("The rights texts could not be read: {problem}").format(
                    problem=self.load_problem
                ),
                ok=False,
            )
        if self.explainer is not None:
            self.explainer.retranslate()
        self.show_current_topic()

    def show_current_topic(self) -> None:
        topic = self.current_topic()
        has_topic = topic is not None
        for widget in (self.english_toggle, self.present_button):
            widget.setEnabled(has_topic)
        self.record_contact_button.setVisible(
            topic is not None and topic.id == rights_service.REPARATION_PROJECTS_TOPIC
        )
        if topic is None:
            self.topic_title.setText("")
            self.topic_title_en.setText("")
            self.source_label.setText("")
            self._fill_paragraphs((), (), False)
            return
        km = topic.text("km", fallback=True)
        en = topic.text("en", fallback=True)
        english = self.english_shown(topic)
        self.english_toggle.blockSignals(True)
        self.english_toggle.setChecked(english)
        self.english_toggle.blockSignals(False)
        self.topic_title.setText(display(km.title))
        self.topic_title_en.setText(en.title)
        self._fill_paragraphs(km.slides, en.slides, english)
        sources = [_("Source: {source}").format(source=citations_of(km.source))]
        if english and en.source != km.source:
            sources.append(f"Source: {citations_of(en.source)}")
        self.source_label.setText(display("\n".join(sources)))
        self.topic_title_en.setVisible(english)

    def _fill_paragraphs(self, khmer: Sequence[str], english: Sequence[str], show: bool) -> None:
        for label in (*self.khmer_paragraphs, *self.english_paragraphs):
            self.text_layout.removeWidget(label)
            label.hide()
            label.deleteLater()
        self.khmer_paragraphs, self.english_paragraphs = [], []
        position = 0
        for number, text in enumerate(khmer):
            khmer_label = QLabel(display(text))
            khmer_label.setObjectName("rightsParagraphKhmer")
            set_point_size(khmer_label, KHMER_BODY_POINT_SIZE)
            _readable(khmer_label)
            khmer_label.setContentsMargins(0, 10 if number else 0, 0, 0)
            self.text_layout.insertWidget(position, khmer_label)
            self.khmer_paragraphs.append(khmer_label)
            position += 1
            if show and number < len(english):
                english_label = QLabel(english[number])
                english_label.setObjectName("rightsParagraphEnglish")
                set_point_size(english_label, ENGLISH_BODY_POINT_SIZE, color=ENGLISH_INK)
                _readable(english_label)
                self.text_layout.insertWidget(position, english_label)
                self.english_paragraphs.append(english_label)
                position += 1
        # English slides beyond the Khmer ones (the files should pair them one to one).
        for text in english[len(khmer) :] if show else ():
            english_label = QLabel(text)
            set_point_size(english_label, ENGLISH_BODY_POINT_SIZE, color=ENGLISH_INK)
            _readable(english_label)
            self.text_layout.insertWidget(position, english_label)
            self.english_paragraphs.append(english_label)
            position += 1
        self.text_scroll.verticalScrollBar().setValue(0)

    def _english_toggled(self, checked: bool) -> None:
        topic = self.current_topic()
        if topic is not None:
            self.english_choice[topic.id] = checked
            self.show_current_topic()

    def _say(self, text: str, ok: bool) -> None:
        self.message.setStyleSheet("color: #1b5e20;" if ok else "color: #a00000;")
        self.message.setText(text)
