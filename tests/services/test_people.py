"""Direct victims as persons: two applicants naming the same relative share one linked person."""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core.approx_date import ApproxDate
from app.core.demo_answers import demo_answers
from app.services import errors, form_catalogue, people, records
from app.services.context import AppContext
from app.services.security import NotSignedIn
from app.store.models import Application, Person, PersonLink
from tests.officers import FIELD_OFFICER, OTHER_OFFICER, SUPERVISOR, add_officers

FATHER = {"km": "ឈឹម សុខុម", "latin": "Chhim Sokhom"}


@pytest.fixture(autouse=True)
def _officers(ctx: AppContext) -> None:
    add_officers(
        ctx,
        (
            FIELD_OFFICER,
            OTHER_OFFICER,
        ),
    )


def _indirect(form_id: str, seed: int, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "applicant_status": "indirect_victim",
        "victim_name": FATHER,
        "victim_fate": "killed",
        "victim_birth_date": ApproxDate.from_year(1940, approximate=True).to_dict(),
        "victim_relationship": "parent",
    }
    values.update(overrides)
    return demo_answers(
        form_catalogue.form_definition(form_id), random.Random(seed), overrides=values
    )


def _finalize_with_hook(ctx: AppContext, form_id: str, answers: dict[str, Any]) -> str:
    """Finalise, then run the hook the way records.finalize_application calls it in its
    transaction (the hook returns the answers carrying the person id)."""
    application_id = records.start_application(ctx, form_id)
    records.finalize_application(ctx, application_id, answers)
    with ctx.store.transaction() as session:
        application = session.get(Application, application_id)
        assert application is not None
        stored = people.on_finalized(session, ctx, application, answers)
        linked = session.scalars(
            select(PersonLink.person_id).where(PersonLink.application_id == application_id)
        ).all()
    assert list(linked) == [stored[people.PERSON_ID_KEY]]  # the id of the person it links to
    return application_id


def test_two_applicants_naming_the_same_victim_share_one_person(ctx: AppContext) -> None:
    son = _finalize_with_hook(ctx, "civil_party", _indirect("civil_party", 1))
    # The daughter's officer wrote the name with another Latin spelling and spaces; the wizard
    # suggested the existing person and the officer chose it.
    found = people.suggest_direct_victims(ctx, "Chhim Sokhum")
    assert [s.name_km for s in found] == ["ឈឹម សុខុម"]
    assert found[0].applicants == 1
    daughter_answers = _indirect(
        "complaint",
        2,
        victim_name={"km": "ឈឹម\u200bសុខុម", "latin": "CHHIM Sokhom"},
        victim_relationship="child",
        **{people.PERSON_ID_KEY: found[0].id},
    )
    daughter = _finalize_with_hook(ctx, "complaint", daughter_answers)

    with ctx.store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 1
        links = session.scalars(select(PersonLink)).all()
    assert {link.application_id for link in links} == {son, daughter}
    assert len({link.person_id for link in links}) == 1

    group = people.family_group(ctx, son)
    assert [(m.application_id, m.relationship) for m in group] == [(daughter, "child")]
    assert [m.application_id for m in people.family_group(ctx, daughter)] == [son]


def test_a_surely_identical_victim_is_linked_without_choosing(ctx: AppContext) -> None:
    first = _finalize_with_hook(ctx, "civil_party", _indirect("civil_party", 3))
    second = _finalize_with_hook(ctx, "civil_party", _indirect("civil_party", 4))
    assert people.linked_person(ctx, first) == people.linked_person(ctx, second)
    # Same name but another fate: not silently the same person.
    third = _finalize_with_hook(
        ctx, "civil_party", _indirect("civil_party", 5, victim_fate="disappeared")
    )
    assert people.linked_person(ctx, third) != people.linked_person(ctx, first)


def test_khmer_substring_suggests_and_linking_is_idempotent(ctx: AppContext) -> None:
    application_id = records.start_application(ctx, "civil_party")
    answers = _indirect("civil_party", 6)
    person_id = people.link_direct_victim(ctx, application_id, None, answers)
    assert people.link_direct_victim(ctx, application_id, None, answers) == person_id
    assert people.link_direct_victim(ctx, application_id, person_id, answers) == person_id
    assert [s.id for s in people.suggest_direct_victims(ctx, "សុខុម")] == [person_id]
    assert people.suggest_direct_victims(ctx, "សុភាព") == []
    with ctx.store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(PersonLink)) == 1
        person = session.get(Person, person_id)
        assert person is not None
        assert (person.birth_year_min, person.fate) == (1940, "killed")


def test_a_direct_victim_applicant_gets_no_person_and_no_stale_key(ctx: AppContext) -> None:
    answers = _indirect("civil_party", 7, applicant_status="direct_victim")
    answers[people.PERSON_ID_KEY] = "left-over"
    application_id = records.start_application(ctx, "civil_party")
    with ctx.store.transaction() as session:
        application = session.get(Application, application_id)
        assert application is not None
        stored = people.on_finalized(session, ctx, application, answers)
    assert people.PERSON_ID_KEY not in stored
    with pytest.raises(errors.RecordError):
        people.link_direct_victim(ctx, application_id, None, answers)


def test_family_group_shows_only_records_the_officer_may_see(ctx: AppContext) -> None:
    ctx.officer = FIELD_OFFICER
    mine = _finalize_with_hook(ctx, "civil_party", _indirect("civil_party", 8))
    ctx.officer = OTHER_OFFICER
    _finalize_with_hook(ctx, "civil_party", _indirect("civil_party", 9))
    ctx.officer = FIELD_OFFICER
    assert people.family_group(ctx, mine) == []
    ctx.officer = SUPERVISOR
    assert len(people.family_group(ctx, mine)) == 1
    ctx.officer = None  # nobody signed in sees nothing, never everything
    with pytest.raises(NotSignedIn):
        people.family_group(ctx, mine)


def test_the_person_id_is_written_into_the_synced_version(ctx: AppContext) -> None:
    """What records.finalize_application stores once it calls the hook before writing the
    version: the answers handed back carry the id, so the sync payload does too."""
    application_id = records.start_application(ctx, "civil_party")
    answers = _indirect("civil_party", 10)
    with ctx.store.transaction() as session:
        application = session.get(Application, application_id)
        assert application is not None
        stored = people.on_finalized(session, ctx, application, answers)
    records.finalize_application(ctx, application_id, stored)
    detail = records.get_application(ctx, application_id)
    assert detail.answers[people.PERSON_ID_KEY] == people.linked_person(ctx, application_id)


def test_a_correction_that_removes_the_direct_victim_removes_the_link(ctx: AppContext) -> None:
    from app.services.people import family_group, linked_person

    add_officers(ctx, (SUPERVISOR,))
    ctx.officer = SUPERVISOR
    first = records.start_application(ctx, "complaint")
    records.finalize_application(ctx, first, _indirect("complaint", 1))
    second = records.start_application(ctx, "civil_party")
    records.finalize_application(ctx, second, _indirect("civil_party", 2))
    assert [m.application_id for m in family_group(ctx, second)] == [first]
    answers = records.get_application(ctx, second).answers
    answers["applicant_status"] = "direct_victim"
    records.correct_application(ctx, second, answers, "the applicant is the victim")
    assert family_group(ctx, second) == []
    assert linked_person(ctx, second) is None
