"""The office's list on the laptop: stored whole in the encrypted store, searched like the
registry (Khmer, Latin spellings, number), protected people masked or absent, roles enforced."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.civil_party_list import ListPerson
from app.core.gazetteer import load_gazetteer
from app.services import civil_parties
from app.services.audit import AuditAction
from app.services.context import AppContext
from app.services.security import PermissionDenied
from app.store.models import AuditEntry
from tests.civil_party_data import synthetic_people
from tests.officers import ADMINISTRATOR, FIELD_OFFICER, add_officers


def _store(ctx: AppContext, people: list[ListPerson]) -> int:
    laptop_people = [p.for_laptop() for p in people]
    with ctx.store.transaction() as session:
        return civil_parties.store_list(
            session,
            [p for p in laptop_people if p is not None],
            {"provinces": ["03", "12"], "issued_at": "2026-11-30T10:00:00"},
        )


@pytest.fixture
def officer_ctx(ctx: AppContext) -> AppContext:
    add_officers(ctx, (FIELD_OFFICER, ADMINISTRATOR))
    ctx.officer = FIELD_OFFICER
    return ctx


def test_search_finds_a_person_by_latin_spelling_khmer_and_number(officer_ctx: AppContext) -> None:
    people = synthetic_people(2000)
    people[5] = ListPerson(**{**people[5].to_json(), "name_km": "ស្រី មុំ", "name_latin": ""})
    stored = _store(officer_ctx, people)
    assert stored == sum(1 for p in people if p.protection != "parties")

    for typed in ("Sreymom", "Srey Mom", "ស្រី មុំ"):
        found = civil_parties.search_people(officer_ctx, typed)
        assert people[5].number in {row.number for row in found}, typed
    by_number = civil_parties.search_people(officer_ctx, people[7].number.lower())
    assert [row.number for row in by_number] == [people[7].number]


def test_protected_people_are_masked_or_absent(officer_ctx: AppContext) -> None:
    people = synthetic_people(3000)
    masked = next(p for p in people if p.protection == "public")
    withheld = next(p for p in people if p.protection == "parties")
    _store(officer_ctx, people)

    assert civil_parties.search_people(officer_ctx, withheld.number) == []
    assert masked.name_latin not in {
        row.name_latin for row in civil_parties.search_people(officer_ctx, masked.number)
    }
    [row] = civil_parties.search_people(officer_ctx, masked.number)
    assert row.masked and row.name_km == row.name_latin == "" and row.birth_year is None
    # not found by the name the office holds
    assert masked.number not in {
        r.number for r in civil_parties.search_people(officer_ctx, masked.name_latin, limit=5000)
    }
    card = civil_parties.open_card(officer_ctx, masked.number)
    assert card.person.masked and card.person.name_km == ""


def test_people_in_a_commune_are_listed_by_village(officer_ctx: AppContext) -> None:
    people = synthetic_people(1000)
    _store(officer_ctx, people)
    commune = people[0].commune
    rows = civil_parties.people_in_commune(officer_ctx, commune)
    expected = {p.number for p in people if p.commune == commune and p.protection != "parties"}
    assert {row.number for row in rows} == expected
    assert [row.village_code for row in rows] == sorted(row.village_code for row in rows)
    assert civil_parties.people_in_commune(officer_ctx, "999999") == []


def test_a_newer_list_replaces_the_whole_list(officer_ctx: AppContext) -> None:
    _store(officer_ctx, synthetic_people(500, seed=1))
    second = synthetic_people(300, seed=2)[:300]
    _store(officer_ctx, second)
    info = civil_parties.list_info(officer_ctx)
    assert info.count == sum(1 for p in second if p.protection != "parties")
    assert info.provinces == ["03", "12"]


def test_an_administrator_may_not_see_the_list_and_the_refusal_is_audited(
    officer_ctx: AppContext,
) -> None:
    people = synthetic_people(50)
    _store(officer_ctx, people)
    officer_ctx.officer = ADMINISTRATOR
    with pytest.raises(PermissionDenied):
        civil_parties.search_people(officer_ctx, people[0].number)
    with pytest.raises(PermissionDenied):
        civil_parties.open_card(officer_ctx, people[0].number)
    officer_ctx.locked = True
    officer_ctx.officer = FIELD_OFFICER
    with pytest.raises(PermissionDenied):
        civil_parties.people_in_commune(officer_ctx, people[0].commune)
    officer_ctx.locked = False
    with officer_ctx.store.transaction() as session:
        refusals = session.scalars(
            select(AuditEntry).where(AuditEntry.action == AuditAction.REFUSED)
        ).all()
    assert {entry.details["action"] for entry in refusals if entry.details} >= {"civil_party_list"}


def test_opening_a_card_is_audited_with_the_number(officer_ctx: AppContext) -> None:
    people = synthetic_people(20)
    _store(officer_ctx, people)
    person = next(p for p in people if p.protection == "none")
    card = civil_parties.open_card(officer_ctx, person.number)
    assert card.person.name_latin == person.name_latin
    assert card.lawyer_team == person.lawyer_team
    assert card.contacts == [] and card.last_contact is None
    place = load_gazetteer().get(person.commune)
    assert place is not None and place.name_km in card.place
    with officer_ctx.store.transaction() as session:
        views = session.scalars(
            select(AuditEntry).where(AuditEntry.action == AuditAction.LISTED_PERSON_VIEW)
        ).all()
    assert [entry.details for entry in views] == [{"number": person.number}]


def test_the_list_is_in_the_encrypted_store(officer_ctx: AppContext) -> None:
    people = synthetic_people(200)
    _store(officer_ctx, people)
    person = next(p for p in people if p.protection == "none")
    raw = Path(officer_ctx.store.path).read_bytes()
    assert person.number.encode() not in raw
    assert person.name_latin.encode() not in raw
