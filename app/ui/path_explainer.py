"""'Which path fits?': the yes/no guide, one question at a time, ending at a suggested form.

The guide only suggests a form: the applicant chooses, and the court decides. At a result the
officer can start that form straight away (``form_chosen`` carries its id).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.court import CourtOnDate
from app.core.court_text import accepting_answer
from app.core.path_explainer import PathExplainer, Question, Result
from app.i18n import current_language, format_number
from app.services import errors, form_catalogue
from app.services.rights import path_explainer
from app.ui.presentation import set_point_size
from app.ui.text import WrapButton, _, display

KHMER_POINT_SIZE = 22.0
ENGLISH_POINT_SIZE = 15.0


class PathExplainerDialog(QDialog):
    form_chosen = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        guide: PathExplainer | None = None,
        court_now: CourtOnDate | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pathExplainer")
        self.setMinimumSize(760, 520)
        self.guide = guide if guide is not None else path_explainer()
        # The court on the app's day answers the questions marked `answered_by` (is any case
        # accepting civil parties?); without it the officer is asked.
        self.court_now = court_now
        self.history: list[str] = []
        # Question id -> the line saying what the court's data answered to it.
        self.answered: dict[str, str] = {}
        self.node: Question | Result = self.guide.questions[self.guide.start]

        self.step_label = QLabel()
        self.step_label.setObjectName("explainerStep")
        self.khmer_label = QLabel()
        self.khmer_label.setObjectName("explainerKhmer")
        set_point_size(self.khmer_label, KHMER_POINT_SIZE)
        self.english_label = QLabel()
        self.english_label.setObjectName("explainerEnglish")
        set_point_size(self.english_label, ENGLISH_POINT_SIZE, color="#34495e")
        self.note_label = QLabel()
        set_point_size(self.note_label, 12, color="#6b6b6b")
        for label in (self.khmer_label, self.english_label, self.note_label):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.yes_button = WrapButton()
        self.yes_button.setObjectName("answerYes")
        self.no_button = WrapButton()
        self.no_button.setObjectName("answerNo")
        self.start_button = WrapButton()
        self.start_button.setObjectName("startForm")
        for button in (self.yes_button, self.no_button, self.start_button):
            button.setMinimumHeight(64)
            set_point_size(button, 17, bold=True)
        self.back_button = QPushButton()
        self.back_button.setObjectName("explainerBack")
        self.again_button = QPushButton()
        self.again_button.setObjectName("explainerAgain")
        self.close_button = QPushButton()
        self.close_button.setObjectName("explainerClose")

        self.yes_button.clicked.connect(lambda: self.answer(True))
        self.no_button.clicked.connect(lambda: self.answer(False))
        self.back_button.clicked.connect(self.back)
        self.again_button.clicked.connect(self.restart)
        self.start_button.clicked.connect(self._start_form)
        self.close_button.clicked.connect(self.reject)

        answers = QHBoxLayout()
        answers.addWidget(self.yes_button)
        answers.addWidget(self.no_button)
        answers.addWidget(self.start_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.back_button)
        bottom.addWidget(self.again_button)
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setSpacing(14)
        layout.addWidget(self.step_label)
        layout.addWidget(self.khmer_label)
        layout.addWidget(self.english_label)
        layout.addStretch(1)
        layout.addWidget(self.note_label)
        layout.addLayout(answers)
        layout.addLayout(bottom)
        self.retranslate()

    # --- state -----------------------------------------------------------------------------------

    @property
    def at_result(self) -> bool:
        return isinstance(self.node, Result)

    @property
    def reached_result(self) -> Result | None:
        return self.node if isinstance(self.node, Result) else None

    def known_answer(self, question: Question) -> bool | None:
        """The answer the court's data gives to ``question`` on the day, or None (ask)."""
        if question.answered_by == "civil_parties_accepted" and self.court_now is not None:
            return self.court_now.any_accepting_civil_parties
        return None

    def _answer_known_questions(self) -> None:
        while isinstance(self.node, Question):
            known = self.known_answer(self.node)
            if known is None or self.court_now is None:
                return
            text = accepting_answer(self.court_now)
            self.answered[self.node.id] = text.get(current_language())
            self.node = self.guide.step(self.node.id, known)

    def answer(self, yes: bool) -> None:
        if not isinstance(self.node, Question):
            return
        self.history.append(self.node.id)
        self.node = self.guide.step(self.node.id, yes)
        self._answer_known_questions()
        self._show()

    def back(self) -> None:
        if self.history:
            self.node = self.guide.questions[self.history.pop()]
            self._show()

    def restart(self) -> None:
        self.history.clear()
        self.answered.clear()
        self.node = self.guide.questions[self.guide.start]
        self._answer_known_questions()
        self._show()

    def _start_form(self) -> None:
        if isinstance(self.node, Result):
            self.form_chosen.emit(self.node.form_id)
            self.accept()

    # --- drawing ---------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(_("Which path fits?"))
        self.yes_button.setText(_("Yes"))
        self.no_button.setText(_("No"))
        self.back_button.setText(_("Back"))
        self.again_button.setText(_("Start again"))
        self.close_button.setText(_("Close"))
        if not self.history and not self.answered:
            self._answer_known_questions()
        self._show()

    def _show(self) -> None:
        node = self.node
        self.khmer_label.setText(display(node.text_km))
        self.english_label.setText(node.text_en)
        at_result = isinstance(node, Result)
        self.yes_button.setVisible(not at_result)
        self.no_button.setVisible(not at_result)
        self.start_button.setVisible(at_result)
        self.again_button.setVisible(at_result)
        self.back_button.setEnabled(bool(self.history))
        if isinstance(node, Result):
            self.step_label.setText(_("Suggested form"))
            self.start_button.setText(
                _("Start this form: {form}").format(form=self._form_title(node.form_id))
            )
            notes = list(self.answered.values())
            if node.form_id == "complaint" and self.court_now is not None:
                notes.append(self.court_now.phase.complaints.get(current_language()))
            notes.append(
                _("This only suggests a form. The applicant chooses, and the court decides.")
            )
            self.note_label.setText("\n".join(notes))
        else:
            self.step_label.setText(
                _("Question {number}").format(number=format_number(len(self.history) + 1))
            )
            # What the court's data already answered, and for a question it could not answer
            # (deadline not in the data), what it does say.
            lines = list(self.answered.values())
            if node.answered_by is not None and self.court_now is not None:
                lines.append(accepting_answer(self.court_now).get(current_language()))
            self.note_label.setText("\n".join(lines))
        self.note_label.setVisible(bool(self.note_label.text()))

    @staticmethod
    def _form_title(form_id: str) -> str:
        try:
            return form_catalogue.form_definition(form_id).title.get(current_language())
        except errors.RecordError:
            return form_id
