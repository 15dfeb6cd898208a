"""The app's day against records stamped in UTC, on a real store, on a laptop west of UTC and on
one in Cambodia: a record made in the evening (or before dawn) is of the laptop's day, for the
deadline count and on the receipt."""

from __future__ import annotations

import random
import subprocess
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from app.core import clock
from app.core.demo_answers import demo_answers
from app.i18n import format_datetime, format_stamp
from app.pdf.layout import english_date
from app.services import followup, form_catalogue, printing, records
from app.services.context import AppContext
from app.store.models import Application

pytestmark = pytest.mark.skipif(not hasattr(time, "tzset"), reason="needs time.tzset (POSIX)")

# POSIX zone strings (no zone files needed): eight hours west of UTC, and Cambodia's UTC+7.
WEST = ("PST+8", -8)
CAMBODIA = ("ICT-7", 7)
DEADLINE = date(2010, 1, 29)  # Case 002 accepts civil parties until 29 January 2010


def _civil_party_record(ctx: AppContext, made_at_utc: datetime, seed: int) -> tuple[str, str]:
    """A final case 002 civil party application whose stamps say it was made at ``made_at_utc``."""
    form = form_catalogue.form_definition("civil_party")
    application_id = records.start_application(ctx, form.id)
    answers = demo_answers(
        form,
        random.Random(seed),
        overrides={"protection_requested": False, "case_file": "case_002"},
    )
    reference = records.finalize_application(ctx, application_id, answers)
    with ctx.store.transaction() as session:
        session.execute(
            update(Application)
            .where(Application.id == application_id)
            .values(created_at=made_at_utc, finalized_at=made_at_utc)
        )
    return application_id, reference


def _at_risk(ctx: AppContext, day: date) -> list[tuple[str, int]]:
    return [(risk.application_id, risk.days_left) for risk in followup.records_at_risk(ctx, day)]


def test_west_of_utc_a_record_made_in_the_evening_is_of_that_day(
    ctx: AppContext, laptop_zone: Callable[[tuple[str, int]], None]
) -> None:
    laptop_zone(WEST)
    # 20:00 on the deadline day on the laptop is 04:00 the next day in UTC.
    on_the_day, _ = _civil_party_record(ctx, datetime(2010, 1, 30, 4), seed=1)
    # 20:00 the day after the deadline: 04:00 two days after it in UTC.
    after_it, _ = _civil_party_record(ctx, datetime(2010, 1, 31, 4), seed=2)

    # On the deadline day, the record made that evening has its deadline today (the other one,
    # made after the day asked about, is read as on a training day: its deadline counts too).
    assert sorted(_at_risk(ctx, DEADLINE)) == sorted([(on_the_day, 0), (after_it, 0)])
    # The next day, the first was still started on the deadline day: the deadline passed
    # yesterday (read as made "tomorrow", it was left out as started after the deadline). The
    # record made that evening was started after the deadline: no risk (read as made
    # "tomorrow", it counted as a record of a training day in the past, at risk).
    assert _at_risk(ctx, DEADLINE + timedelta(days=1)) == [(on_the_day, -1)]


def test_in_cambodia_records_made_in_the_day_read_as_before(
    ctx: AppContext, laptop_zone: Callable[[tuple[str, int]], None]
) -> None:
    laptop_zone(CAMBODIA)
    # 14:00 on the deadline day in Phnom Penh is 07:00 UTC, the same date.
    on_the_day, _ = _civil_party_record(ctx, datetime(2010, 1, 29, 7), seed=1)
    after_it, _ = _civil_party_record(ctx, datetime(2010, 1, 30, 7), seed=2)  # the day after
    assert sorted(_at_risk(ctx, DEADLINE)) == sorted([(on_the_day, 0), (after_it, 0)])
    assert _at_risk(ctx, DEADLINE + timedelta(days=1)) == [(on_the_day, -1)]
    # Asked as of a day before both were made (a training day): both are "started" after it,
    # so the deadline counts for both, as before.
    assert sorted(days for _, days in _at_risk(ctx, DEADLINE - timedelta(days=5))) == [5, 5]


def test_in_cambodia_a_record_made_before_dawn_is_of_that_day(
    ctx: AppContext, laptop_zone: Callable[[tuple[str, int]], None]
) -> None:
    laptop_zone(CAMBODIA)
    # 06:00 the day after the deadline in Phnom Penh is 23:00 UTC on the deadline day: made
    # after the deadline, so it is not at risk (read by its UTC date, it was).
    _civil_party_record(ctx, datetime(2010, 1, 29, 23), seed=1)
    assert _at_risk(ctx, DEADLINE + timedelta(days=1)) == []


def test_the_receipt_dates_an_evening_record_with_the_laptops_day(
    ctx: AppContext, laptop_zone: Callable[[tuple[str, int]], None], tmp_path: Path
) -> None:
    laptop_zone(WEST)
    # 20:00 on 14 June 2025 on the laptop, 04:00 on 15 June in UTC.
    application_id, _ = _civil_party_record(ctx, datetime(2025, 6, 15, 4), seed=3)
    out = tmp_path / "receipt.pdf"
    printing.print_receipt(ctx, application_id, out)
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout.replace("\u200b", "")
    assert english_date(date(2025, 6, 14)) in text
    assert english_date(date(2025, 6, 15)) not in text


def test_a_stamps_day_and_the_start_of_a_day_agree(
    laptop_zone: Callable[[tuple[str, int]], None],
) -> None:
    for zone in (WEST, CAMBODIA):
        laptop_zone(zone)
        day = date(2026, 12, 1)
        start = clock.start_of(day)
        assert start == datetime(2026, 12, 1) - timedelta(hours=zone[1])
        assert clock.day_of(start) == day
        assert clock.day_of(start - timedelta(microseconds=1)) == day - timedelta(days=1)
        assert clock.today() == date.today()


def test_a_stamp_is_shown_by_the_laptops_clock(
    laptop_zone: Callable[[tuple[str, int]], None],
) -> None:
    stamp = datetime(2026, 12, 1, 2, 30)  # 02:30 UTC
    laptop_zone(CAMBODIA)
    assert clock.local_time(stamp) == datetime(2026, 12, 1, 9, 30)
    assert format_stamp(stamp, "en") == format_datetime(datetime(2026, 12, 1, 9, 30), "en")
    laptop_zone(WEST)
    assert clock.local_time(stamp) == datetime(2026, 11, 30, 18, 30)
    assert clock.day_of(stamp) == date(2026, 11, 30)
