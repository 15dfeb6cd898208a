"""The dashboard page on a real store: tiles, the QPainter bar chart, tables, refresh and export."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from app.core.demo_answers import demo_answers
from app.i18n import _, set_language
from app.services import form_catalogue, records
from app.services.context import AppContext
from app.services.security import role_label
from app.ui.dashboard_page import BarChart, DashboardPage
from app.ui.text import plain
from tests.officers import FIELD_OFFICER, SUPERVISOR, add_officers


@pytest.fixture
def store(ctx: AppContext) -> AppContext:
    """Three final complaints in Kandal (08) by the field officer, one draft by the supervisor."""
    add_officers(
        ctx,
        (
            FIELD_OFFICER,
            SUPERVISOR,
        ),
    )
    ctx.officer = FIELD_OFFICER
    form = form_catalogue.form_definition("complaint")
    for seed in range(3):
        answers = demo_answers(
            form, random.Random(seed), overrides={"applicant_address": {"province": "08"}}
        )
        records.finalize_application(ctx, records.start_application(ctx, "complaint"), answers)
    ctx.officer = SUPERVISOR
    records.start_application(ctx, "civil_party")
    return ctx


def _bar_pixels(image: QImage) -> int:
    """How many pixels have the chart's bar colour."""
    bar = BarChart.BAR_COLOR.rgb()
    return sum(
        1
        for y in range(0, image.height(), 2)
        for x in range(0, image.width(), 2)
        if image.pixel(x, y) == bar
    )


def _page(qtbot, ctx: AppContext) -> DashboardPage:  # type: ignore[no-untyped-def]
    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    page.resize(1000, 760)
    page.show()
    qtbot.waitExposed(page)
    return page


def _exported(qtbot, page: DashboardPage, path: Path, fmt: str) -> bool:  # type: ignore[no-untyped-def]
    """Export in the background as the button does, and wait for the outcome on the page."""
    task = page.export_to(path, fmt)
    qtbot.waitUntil(lambda: task.reported, timeout=60_000)
    return task.ok


def test_tiles_chart_and_tables_show_the_counts(
    vss_qapp: QApplication,
    qtbot,
    store: AppContext,  # type: ignore[no-untyped-def]
) -> None:
    page = _page(qtbot, store)
    values = {key: tile.value_label.text() for key, tile in page.tiles.items()}
    assert values == {"total": "៤", "drafts": "១", "finalised": "៣", "waiting": "៣"}  # Khmer digits
    assert plain(page.tiles["drafts"].caption_label.text()) == "សេចក្តីព្រាង"
    bars = dict(page.chart.bars())  # one bar per status, awaiting signature among them
    assert (bars["សេចក្តីព្រាង"], bars["បានបញ្ចប់"], bars["រង់ចាំហត្ថលេខា"]) == (1, 3, 0)
    assert page.province_table.item(0, 0).text() == "កណ្ដាល"
    assert page.province_table.item(0, 1).text() == "៣"
    assert page.export_button.isVisible()

    image = page.chart.grab().toImage()
    assert _bar_pixels(image) > 100  # the bars were painted

    page.grouping.setCurrentIndex(page.grouping.findData("province"))
    assert [count for _label, count in page.chart.bars()] == [3, 1]

    set_language("en")
    page.retranslate()
    assert page.tiles["total"].value_label.text() == "4"
    assert page.province_table.item(0, 0).text() == "Kandal"
    assert page.title.text() == "Dashboard"


def test_empty_chart_paints_no_bars(vss_qapp: QApplication, qtbot) -> None:  # type: ignore[no-untyped-def]
    chart = BarChart()
    qtbot.addWidget(chart)
    chart.resize(400, 200)
    chart.set_bars([("ក", 0), ("ខ", 0)])
    assert _bar_pixels(chart.grab().toImage()) == 0
    chart.set_bars([("ក", 5), ("ខ", 2)])
    assert _bar_pixels(chart.grab().toImage()) > 50


def test_many_bars_fit_the_height(vss_qapp: QApplication, qtbot) -> None:  # type: ignore[no-untyped-def]
    chart = BarChart()
    qtbot.addWidget(chart)
    chart.resize(400, 150)
    chart.set_bars([(f"ខេត្ត {n}", 30 - n) for n in range(26)])
    image = chart.grab().toImage()
    # The bottom rows stay background: bars that do not fit are summarised, not cut off.
    bar = BarChart.BAR_COLOR.rgb()
    assert all(image.pixel(x, image.height() - 3) != bar for x in range(image.width()))
    assert _bar_pixels(image) > 50


def test_field_officer_sees_own_counts_and_cannot_export(
    vss_qapp: QApplication,
    qtbot,
    store: AppContext,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    store.officer = FIELD_OFFICER
    page = _page(qtbot, store)
    assert page.tiles["total"].value_label.text() == "៣"
    assert page.tiles["drafts"].value_label.text() == "០"
    assert not page.export_button.isVisible()
    target = tmp_path / "report.xlsx"
    assert _exported(qtbot, page, target, "xlsx") is False  # the service refuses it too
    assert not target.exists()
    # Shown with breaks between Khmer words (so it wraps): compare the words.
    assert plain(page.message.text()) == _(
        "Your role ({role}) may not do this. Ask a supervisor."
    ).format(role=role_label("field_officer"))


def test_supervisor_exports_and_refresh_sees_new_records(
    vss_qapp: QApplication,
    qtbot,
    store: AppContext,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    page = _page(qtbot, store)
    target = tmp_path / "report.xlsx"
    assert _exported(qtbot, page, target, "xlsx") is True
    assert zipfile.is_zipfile(target)
    assert plain(page.message.text()) == f"បានរក្សាទុករបាយការណ៍៖ {target}"

    assert _exported(qtbot, page, tmp_path / "report.csv", "csv") is True
    assert (tmp_path / "report-records.csv").exists()

    records.start_application(store, "complaint")
    assert page.tiles["total"].value_label.text() == "៤"
    page.refresh_button.click()
    assert page.tiles["total"].value_label.text() == "៥"
    assert page.tiles["drafts"].value_label.text() == "២"
