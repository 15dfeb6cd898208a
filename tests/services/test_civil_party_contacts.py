"""A contact recorded against a person of the office's list: a follow-up drafted from the card,
finalised with a receipt, shown on the card; people not contacted for a year listed, and the
village visit list printed for one commune (read back with poppler), protected people left out."""

from __future__ import annotations

import random
import subprocess
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.core.civil_party_list import ListPerson
from app.core.demo_answers import demo_answers
from app.core.forms import FieldRole
from app.services import civil_parties, printing, records
from app.services.audit import AuditAction
from app.services.context import AppContext
from app.services.security import PermissionDenied
from app.store.models import Application, AuditEntry
from tests.civil_party_data import planted, synthetic_people
from tests.officers import ADMINISTRATOR, FIELD_OFFICER, OTHER_OFFICER, add_officers


def pdftotext(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def listed(ctx: AppContext) -> tuple[AppContext, list[ListPerson]]:
    people = synthetic_people(400, seed=7)
    commune = people[0].commune
    # Everyone of the first commune is in the served provinces; one of them is protected.
    same = [i for i, p in enumerate(people) if p.commune == commune]
    planted(people, same[1], protection="public", deceased=False)
    for index in same:
        if index != same[1]:
            planted(people, index, protection="none", deceased=False)
    with ctx.store.transaction() as session:
        civil_parties.store_list(
            session, [p for p in (q.for_laptop() for q in people) if p is not None], {}
        )
    add_officers(ctx, (FIELD_OFFICER, OTHER_OFFICER, ADMINISTRATOR))
    ctx.officer = FIELD_OFFICER
    return ctx, people


def _record_contact(ctx: AppContext, number: str) -> str:
    draft = civil_parties.start_contact(ctx, number)
    form = records.form_definition("follow_up")
    prefilled = records.get_application(ctx, draft, audit=False).answers
    kind = form.field_with_role(FieldRole.PRIOR_REFERENCE)
    assert kind is not None and prefilled[kind.id] == number
    answers = demo_answers(
        form,
        random.Random(1),
        overrides={**prefilled, "prior_number_kind": "civil_party", "contact_kind": "new_address"},
    )
    records.finalize_application(ctx, draft, answers)
    return draft


def test_a_contact_from_the_card_is_shown_on_the_card_with_a_receipt(
    listed: tuple[AppContext, list[ListPerson]], tmp_path: Path
) -> None:
    ctx, people = listed
    person = next(p for p in people if p.protection == "none" and p.name_latin)
    draft = civil_parties.start_contact(ctx, person.number)
    answers = records.get_application(ctx, draft, audit=False).answers
    form = records.form_definition("follow_up")
    name = form.field_with_role(FieldRole.APPLICANT_NAME)
    case = form.field_with_role(FieldRole.COURT_CASE)
    assert name is not None and case is not None
    assert answers[name.id] == {"km": person.name_km, "latin": person.name_latin}
    assert answers[case.id].replace("_", "").endswith(person.case.replace("/", ""))
    records.discard_draft(ctx, draft)

    application_id = _record_contact(ctx, person.number)
    card = civil_parties.open_card(ctx, person.number)
    assert [c.application_id for c in card.contacts] == [application_id]
    assert card.last_contact is not None
    receipt = printing.receipt_pdf(ctx, application_id)
    (tmp_path / "receipt.pdf").write_bytes(receipt.data)
    text = pdftotext(tmp_path / "receipt.pdf")
    reference = records.get_application(ctx, application_id, audit=False).reference
    assert reference is not None and reference in text.replace(" ", "")

    # Another field officer does not see the contact itself (it is not theirs), but the person
    # is no longer "not contacted" on this laptop.
    ctx.officer = OTHER_OFFICER
    other_card = civil_parties.open_card(ctx, person.number)
    assert other_card.contacts == [] and other_card.last_contact == card.last_contact
    assert person.number not in {r.number for r in civil_parties.not_contacted(ctx)}


def test_a_protected_persons_name_is_not_copied_into_the_contact(
    listed: tuple[AppContext, list[ListPerson]],
) -> None:
    ctx, people = listed
    masked = next(p for p in people if p.protection == "public")
    answers = records.get_application(
        ctx, civil_parties.start_contact(ctx, masked.number), audit=False
    ).answers
    assert masked.name_latin not in str(answers) and masked.name_km not in str(answers)


def test_not_contacted_for_a_year_and_the_village_visit_list(
    listed: tuple[AppContext, list[ListPerson]], tmp_path: Path
) -> None:
    ctx, people = listed
    commune = people[0].commune
    in_commune = [p for p in people if p.commune == commune]
    contacted = next(p for p in in_commune if p.protection == "none")
    masked = next(p for p in in_commune if p.protection == "public")
    _record_contact(ctx, contacted.number)

    due = civil_parties.not_contacted(ctx, commune_code=commune)
    assert {r.number for r in due} == {p.number for p in in_commune} - {contacted.number}
    a_year_on = date.today() + timedelta(days=370)
    assert contacted.number in {
        r.number for r in civil_parties.not_contacted(ctx, a_year_on, commune)
    }

    pdf = tmp_path / "visit.pdf"
    assert civil_parties.print_visit_list(ctx, commune, pdf) >= 1
    text = pdftotext(pdf)
    squeezed = text.replace(" ", "")
    for person in in_commune:
        if person in (contacted, masked):
            continue
        assert person.number in squeezed and person.name_latin.replace(" ", "") in squeezed
    assert contacted.number not in squeezed
    assert masked.number not in squeezed and masked.name_latin.replace(" ", "") not in squeezed
    assert "Identity protected by the office, not printed: 1 (see the laptop)." in text
    assert "Village visit list" in text
    # Nothing outside the commune is printed (the list is never printed whole).
    outside = next(p for p in people if p.commune != commune and p.protection == "none")
    assert outside.number not in squeezed
    with ctx.store.transaction() as session:
        [entry] = session.scalars(
            select(AuditEntry).where(AuditEntry.action == AuditAction.LISTED_PEOPLE_PRINT)
        ).all()
    assert entry.details == {"commune": commune, "people": len(in_commune) - 2, "pages": 1}

    ctx.officer = ADMINISTRATOR
    with pytest.raises(PermissionDenied):
        civil_parties.print_visit_list(ctx, commune, tmp_path / "refused.pdf")
    assert not (tmp_path / "refused.pdf").exists()


def test_the_last_contact_is_the_laptops_day_and_a_year_counts_from_it(
    listed: tuple[AppContext, list[ListPerson]],
    laptop_zone: Callable[[tuple[str, int]], None],
) -> None:
    ctx, people = listed
    laptop_zone(("PST+8", -8))  # a laptop eight hours west of UTC
    person = next(p for p in people if p.protection == "none" and p.name_latin)
    application_id = _record_contact(ctx, person.number)
    # Made at 20:00 on 14 June 2025 on the laptop: 04:00 on 15 June in UTC.
    with ctx.store.transaction() as session:
        session.execute(
            update(Application)
            .where(Application.id == application_id)
            .values(finalized_at=datetime(2025, 6, 15, 4))
        )
    card = civil_parties.open_card(ctx, person.number)
    assert card.last_contact == date(2025, 6, 14)
    assert [c.finalized_at for c in card.contacts] == [datetime(2025, 6, 15, 4)]
    # A year (NOT_CONTACTED_DAYS) counts from that evening's day, not from the UTC date.
    year = timedelta(days=civil_parties.NOT_CONTACTED_DAYS)
    contacted = {r.number for r in civil_parties.not_contacted(ctx, date(2025, 6, 14) + year)}
    assert person.number not in contacted
    due = {r.number for r in civil_parties.not_contacted(ctx, date(2025, 6, 15) + year)}
    assert person.number in due
