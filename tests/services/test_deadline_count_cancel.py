"""The count of records close to a deadline (read on a thread for the start page) stops when
asked, within CANCEL_CHECK_ROWS records, so a window closing on a large store does not wait for
it; not asked to stop, it counts exactly what the plain call counts."""

from __future__ import annotations

import random
from datetime import date

import pytest

from app.core.demo_answers import demo_answers
from app.core.errors import JobCancelled
from app.services import followup, form_catalogue, records
from app.services.context import AppContext
from app.services.start import deadline_risk

DAY_2010 = date(2010, 1, 20)  # Case 002 accepts civil parties until 29 January 2010


def _import(ctx: AppContext, count: int) -> None:
    form = form_catalogue.form_definition("civil_party")
    rng = random.Random(4)
    # All naming Case 002, so that in January 2010 every one of them is read by the count.
    answers = [demo_answers(form, rng, overrides={"case_file": "case_002"}) for _ in range(count)]
    records.import_applications(ctx, [(form.id, item) for item in answers])


def test_a_cancelled_count_stops_within_a_few_hundred_records(ctx: AppContext) -> None:
    _import(ctx, 3 * followup.CANCEL_CHECK_ROWS + 10)
    looks: list[int] = []

    def stop_at_the_second_look() -> bool:
        looks.append(1)
        return len(looks) >= 2

    with pytest.raises(JobCancelled) as stopped:
        followup.records_at_risk(ctx, DAY_2010, cancelled=stop_at_the_second_look)
    assert len(looks) == 2  # stopped after one block of CANCEL_CHECK_ROWS, not at the end
    assert stopped.value.message == "ការរាប់កំណត់ត្រាដែលជិតដល់ថ្ងៃផុតកំណត់របស់តុលាការ ត្រូវបានបញ្ឈប់។"


def test_a_count_not_cancelled_is_the_plain_count(ctx: AppContext) -> None:
    _import(ctx, followup.CANCEL_CHECK_ROWS + 5)
    looks: list[int] = []

    def never() -> bool:
        looks.append(1)
        return False

    plain = followup.records_at_risk(ctx, DAY_2010)
    assert plain  # civil party applications for Case 002 in January 2010: close to its deadline
    assert followup.records_at_risk(ctx, DAY_2010, cancelled=never) == plain
    assert len(looks) == 2  # rows 0 and CANCEL_CHECK_ROWS
    assert deadline_risk(ctx, DAY_2010, cancelled=never) == (len(plain), None)
