"""The Rights page, the forum presentation, the "which path fits" guide and the rights leaflet."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from app.core.court import court_on
from app.core.court_text import date_text
from app.core.forms import FieldRole
from app.core.path_explainer import Question
from app.core.rights import RightsTopic
from app.i18n import format_number, set_language, translator
from app.services import form_catalogue
from app.services import rights as rights_service
from app.services.context import AppContext
from app.ui.main_window import MainWindow, default_page_factories
from app.ui.path_explainer import PathExplainerDialog
from app.ui.presentation import PresentationWindow
from app.ui.rights_page import RightsPage
from app.ui.text import plain

ZWSP = "\u200b"


def list_texts(page: RightsPage) -> list[str]:
    return [page.topic_list.item(row).text() for row in range(page.topic_list.count())]


@pytest.fixture
def topics() -> list[RightsTopic]:
    # As the page shows them: the court today first, then the texts true in today's phase.
    return rights_service.rights_topics_on(date.today())


@pytest.fixture
def page(vss_qapp: QApplication, qtbot, ctx: AppContext) -> Iterator[RightsPage]:  # type: ignore[no-untyped-def]
    widget = RightsPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    yield widget
    for window in (widget.presentation, widget.explainer):
        if window is not None:
            window.close()


def test_topic_list_is_khmer_then_english_when_the_language_switches(
    vss_qapp: QApplication,
    qtbot,  # type: ignore[no-untyped-def]
    ctx: AppContext,
    topics: list[RightsTopic],
) -> None:
    listeners_before = list(translator._listeners)
    window = MainWindow(ctx, page_factories={**default_page_factories(), "rights": RightsPage})
    qtbot.addWidget(window)
    try:
        window.show_page("rights")
        page = window.page_by_key["rights"]
        assert isinstance(page, RightsPage)
        assert len(topics) >= 10
        assert list_texts(page) == [topic.text("km").title for topic in topics]
        assert all(any("\u1780" <= c <= "\u17ff" for c in text) for text in list_texts(page))
        assert page.title.text() != "Rights"  # translated to Khmer

        set_language("en")  # the main window retranslates every page
        assert list_texts(page) == [topic.text("en").title for topic in topics]
        assert page.title.text() == "Rights"
        assert page.present_button.text() == "Present to a group"
        # English UI: the English text is shown under the Khmer by default.
        assert page.english_toggle.isChecked()
        assert page.english_paragraphs
    finally:
        window.data_events.stop()
        set_language("km")
        # The main window never unregisters its language listener; drop it so that later tests
        # switching the language do not call into this deleted window.
        for listener in [x for x in translator._listeners if x not in listeners_before]:
            translator.remove_listener(listener)


def test_topic_text_is_large_khmer_with_english_per_topic_and_source(
    page: RightsPage, topics: list[RightsTopic]
) -> None:
    page.topic_list.setCurrentRow(0)
    km, en = topics[0].text("km"), topics[0].text("en")
    # Shown with break marks between words (display time only); the words are the topic's.
    assert plain(page.topic_title.text()) == plain(km.title)
    assert [plain(label.text()) for label in page.khmer_paragraphs] == [plain(t) for t in km.slides]
    assert all(label.font().pointSizeF() >= 15 for label in page.khmer_paragraphs)
    # The court's facts: the translated label heads the citations (not the data file's path).
    assert km.source.startswith("assets/court.yaml: ")
    citations = km.source.removeprefix("assets/court.yaml: ")
    assert plain(page.source_label.text()) == f"ប្រភព៖ {plain(citations)}"
    assert page.english_paragraphs == []  # Khmer UI: Khmer only until asked

    page.english_toggle.setChecked(True)
    assert [label.text() for label in page.english_paragraphs] == list(en.slides)
    assert page.topic_title_en.text() == en.title

    page.topic_list.setCurrentRow(1)  # the choice is per topic
    assert not page.english_toggle.isChecked()
    assert page.english_paragraphs == []
    page.topic_list.setCurrentRow(0)
    assert page.english_toggle.isChecked()
    assert len(page.english_paragraphs) == len(en.slides)


def test_search_filters_by_a_khmer_substring_and_by_english(
    page: RightsPage, topics: list[RightsTopic]
) -> None:
    # "គាំពារ" sits inside the compound word អង្គភាព​គាំពារ​ជនរងគ្រោះ (Victims Support Section).
    query = "គាំពារ"

    def contains(topic: RightsTopic, needle: str, lang: str) -> bool:
        text = topic.text(lang)
        return needle.lower() in plain(f"{text.title}\n{text.source}\n{text.body}").lower()

    expected = [topic.id for topic in topics if contains(topic, query, "km")]
    assert 0 < len(expected) < len(topics)
    page.search_box.setText(query)
    assert page.visible_topic_ids() == expected
    current = page.current_topic()
    assert current is not None and current.id in expected

    page.search_box.setText("lawyer")
    expected_en = [topic.id for topic in topics if contains(topic, "lawyer", "en")]
    assert "lawyers" in expected_en
    assert page.visible_topic_ids() == expected_en

    page.search_box.setText("zzqx no such words")
    assert page.visible_topic_ids() == []
    assert page.no_match.isVisibleTo(page)
    assert page.current_topic() is None

    page.search_box.setText("")
    assert page.visible_topic_ids() == [topic.id for topic in topics]
    assert not page.no_match.isVisibleTo(page)


def test_presentation_navigates_with_keys_and_counts_every_slide(
    page: RightsPage,
    qtbot,  # type: ignore[no-untyped-def]
    topics: list[RightsTopic],
) -> None:
    page.topic_list.setCurrentRow(2)
    window = page.present()
    assert isinstance(window, PresentationWindow)
    qtbot.addWidget(window)
    expected_count = sum(len(topic.text("km").slides) + 1 for topic in topics)
    assert window.slide_count == expected_count
    first_of_topic_2 = sum(len(topic.text("km").slides) + 1 for topic in topics[:2])
    assert window.index == first_of_topic_2
    assert window.khmer_label.text() == topics[2].text("km").title
    assert window.indicator.text().endswith(format_number(expected_count))

    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert window.index == first_of_topic_2 + 1
    assert window.khmer_label.text() == topics[2].text("km").slides[0]
    assert window.english_label.text() == topics[2].text("en").slides[0]
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    assert window.index == first_of_topic_2 + 2
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.index == first_of_topic_2 + 3
    qtbot.keyClick(window, Qt.Key.Key_Left)
    qtbot.keyClick(window, Qt.Key.Key_PageUp)
    assert window.index == first_of_topic_2 + 1
    assert plain(window.indicator.text()) == (
        f"ស្លាយ {format_number(first_of_topic_2 + 2)} / {format_number(expected_count)}"
    )

    shown = window.english_label.isVisibleTo(window)
    qtbot.keyClick(window, Qt.Key.Key_E)
    assert window.english_label.isVisibleTo(window) is not shown

    qtbot.keyClick(window, Qt.Key.Key_End)
    assert window.index == expected_count - 1
    qtbot.keyClick(window, Qt.Key.Key_Right)  # stays on the last slide
    assert window.index == expected_count - 1

    assert window.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_presentation_type_is_very_large_on_a_full_hd_screen(
    vss_qapp: QApplication,
    qtbot,  # type: ignore[no-untyped-def]
    topics: list[RightsTopic],
) -> None:
    window = PresentationWindow(topics, start_topic_index=0, show_english=True)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    window.next_slide()
    assert window.khmer_label.font().pointSizeF() >= 40
    assert window.english_label.font().pointSizeF() < window.khmer_label.font().pointSizeF()
    window.go_to(0)
    assert window.khmer_label.font().pointSizeF() >= 40
    # Even the longest slide stays readable from the back of a hall.
    longest = max(range(window.slide_count), key=lambda i: len(window.slides[i].khmer))
    window.go_to(longest)
    assert window.khmer_label.font().pointSizeF() >= 28


def test_explainer_in_2026_answers_that_no_case_accepts_civil_parties(page: RightsPage) -> None:
    dialog = page.open_explainer()
    assert isinstance(dialog, PathExplainerDialog)
    # Run as of today (2026): the guide answers its first question itself and says so.
    assert dialog.at_result
    result = dialog.reached_result
    assert result is not None and result.form_id == "complaint"
    assert plain(dialog.note_label.text()).split("\n") == [
        f"ទេ។ នៅ{date_text(date.today(), 'km')} គ្មានសំណុំរឿងណាមួយទទួលពាក្យសុំតាំងខ្លួនជាដើមបណ្តឹងរដ្ឋប្បវេណីទេ។",
        "គ្មានការស៊ើបអង្កេតណាមួយបើកទេ ហើយរដ្ឋាភិបាលបាននិយាយថា នឹងគ្មានការកាត់ទោសថ្មីទៀតទេ។ "
        "ពាក្យបណ្តឹងមិនអាចចាប់ផ្តើមការកាត់ទោសបានទេ។ ព័ត៌មានរបស់វាត្រូវបានរក្សាទុកជាកំណត់ត្រា "
        "និងបណ្ណសារ។",
        "នេះគ្រាន់តែជាការណែនាំទម្រង់ប៉ុណ្ណោះ។ អ្នកដាក់ពាក្យជាអ្នកជ្រើសរើស ហើយតុលាការជាអ្នកសម្រេច។",
    ]
    assert not dialog.back_button.isEnabled()


def test_explainer_reaches_a_result_and_starts_a_valid_form(
    page: RightsPage,
    qtbot,  # type: ignore[no-untyped-def]
) -> None:
    # As of 2010-01-20 (a training date): Case 002 accepts civil parties, the guide goes on.
    dialog = PathExplainerDialog(page, court_now=court_on(date(2010, 1, 20)))
    dialog.form_chosen.connect(page.start_form.emit)
    dialog.open()
    guide = rights_service.path_explainer()
    assert guide.questions[guide.start].answered_by == "civil_parties_accepted"
    start = guide.step(guide.start, True)
    assert isinstance(start, Question)
    assert dialog.khmer_label.text() == start.text_km
    assert dialog.english_label.text() == start.text_en
    assert not dialog.back_button.isEnabled()
    # The guide answers its first question for that day: Case 002 until 29 January 2010.
    assert plain(dialog.note_label.text()) == (
        "បាទ/ចាស នៅថ្ងៃទី២០ ខែមករា ឆ្នាំ២០១០៖ សំណុំរឿង ០០២ — "
        "ពាក្យសុំតាំងខ្លួនជាដើមបណ្តឹងរដ្ឋប្បវេណី៖ ទទួល រហូតដល់ថ្ងៃទី២៩ ខែមករា ឆ្នាំ២០១០; "
        "សំណុំរឿង ០០៣ — ពាក្យសុំតាំងខ្លួនជាដើមបណ្តឹងរដ្ឋប្បវេណី៖ ទទួល រហូតដល់ថ្ងៃទី៨ ខែមិថុនា "
        "ឆ្នាំ២០១១។"
    )

    qtbot.mouseClick(dialog.yes_button, Qt.MouseButton.LeftButton)
    assert dialog.khmer_label.text() != start.text_km
    qtbot.mouseClick(dialog.back_button, Qt.MouseButton.LeftButton)
    assert dialog.khmer_label.text() == start.text_km

    # Follow the first way through the guide that ends at a civil party application.
    trail, result = next(
        (trail, result) for trail, result in guide.paths() if result.form_id == "civil_party"
    )
    for question, answer in trail:
        if guide.questions[question].answered_by:
            continue  # the court's data answered it
        assert not dialog.at_result
        button = dialog.yes_button if answer else dialog.no_button
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert dialog.at_result
    assert dialog.khmer_label.text() == result.text_km
    assert dialog.start_button.isVisibleTo(dialog)
    assert not dialog.yes_button.isVisibleTo(dialog)

    with qtbot.waitSignal(page.start_form, timeout=1000) as blocker:
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [result.form_id]
    assert blocker.args[0] in form_catalogue.available_forms()
    assert not dialog.isVisible()


def test_every_explainer_result_names_an_available_form() -> None:
    forms = form_catalogue.available_forms()
    guide = rights_service.path_explainer()
    assert guide.form_ids <= set(forms)
    assert {"complaint", "civil_party"} <= guide.form_ids


def test_leaflet_pdf_holds_the_khmer_titles(
    page: RightsPage, tmp_path: Path, topics: list[RightsTopic], monkeypatch: pytest.MonkeyPatch
) -> None:
    leaflet = rights_service.leaflet_topics()
    assert [item.title_km for item in leaflet] == [topic.text("km").title for topic in topics]
    assert leaflet[0].body_en == topics[0].text("en").body

    chosen = tmp_path / "leaflet"  # no suffix: the page adds .pdf
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(chosen), ""))
    page.print_leaflet()
    out = chosen.with_suffix(".pdf")
    assert out.read_bytes().startswith(b"%PDF")
    extracted = subprocess.run(
        ["pdftotext", "-raw", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    # -raw keeps the drawing order (panels do not interleave); a long title wraps inside its
    # narrow panel, so compare without spaces and line breaks.
    text = "".join(plain(extracted).split())
    for topic in topics:
        assert "".join(plain(topic.text("km").title).split()) in text
    assert plain(topics[0].text("km").title) in plain(extracted)  # a short one, on one line
    assert plain(page.message.text()) == (f"បានរក្សាទុកខិត្តប័ណ្ណ៖ {out} (៦ ទំព័រ បោះពុម្ពទាំងពីរមុខ ហើយបត់ជាបី)")


def test_leaflet_failure_is_reported_not_raised(page: RightsPage, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert page.save_leaflet(blocked / "leaflet.pdf") == 0
    assert plain(page.message.text()) == (
        f"មិនអាចរក្សាទុកខិត្តប័ណ្ណបានទេ៖ [Errno {errno.EEXIST}] {os.strerror(errno.EEXIST)}: '{blocked}'"
    )


def test_the_awarded_projects_follow_the_reparations_topic_and_record_a_contact(
    page: RightsPage,
    qtbot,  # type: ignore[no-untyped-def]
) -> None:
    ids = [topic.id for topic in page.topics]
    projects_at = ids.index(rights_service.REPARATION_PROJECTS_TOPIC)
    assert ids[projects_at - 1] == "reparations"
    assert not page.record_contact_button.isVisible()
    page.topic_list.setCurrentRow(projects_at)
    page.english_toggle.setChecked(True)
    shown = "\n".join(plain(label.text()) for label in page.english_paragraphs)
    assert "never money for one person" in shown
    assert "until 31 December 2027" in shown
    assert "Partner: TPO Cambodia" in shown
    assert "reparations.yaml" in plain(page.source_label.text())
    khmer = "\n".join(plain(label.text()) for label in page.khmer_paragraphs)
    assert "សំណងសមូហភាព" in khmer and "ថ្ងៃទី៣១ ខែធ្នូ ឆ្នាំ២០២៧" in khmer
    assert page.record_contact_button.isVisible()
    with qtbot.waitSignal(page.start_form) as started:
        page.record_contact_button.click()
    form = form_catalogue.form_definition(started.args[0])
    assert form.field_with_role(FieldRole.REPARATION_PROJECT) is not None


def test_leaflet_pdf_explains_the_awarded_projects(page: RightsPage, tmp_path: Path) -> None:
    out = tmp_path / "leaflet.pdf"
    assert page.save_leaflet(out) >= 2
    extracted = subprocess.run(
        ["pdftotext", "-raw", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = "".join(plain(extracted).split())
    for words in (
        "គម្រោងសំណងដែលតុលាការបានសម្រេច",
        "Reparationprojectsthecourtawarded",
        "nevermoneyforoneperson.Takingpartinaprojectbringsnopayment",
        "until31December2027",
        "TPOCambodia",
    ):
        assert words in text
