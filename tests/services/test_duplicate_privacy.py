"""A field officer is not shown other officers' applicants through the duplicate check or the
direct-victim suggestions; supervisors see them listed; a supervisor editing another officer's
draft is audited."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import select

from app.core.demo_answers import demo_answers
from app.services import duplicates, form_catalogue, people, records
from app.services.audit import AuditAction
from app.services.context import AppContext
from app.store.models import Application, AuditEntry
from tests.officers import FIELD_OFFICER, OTHER_OFFICER, SUPERVISOR, add_officers
from tests.services.test_people import _finalize_with_hook, _indirect

NAME = {"km": "កែវ សុខា", "latin": "Keo Sokha"}
BIRTH = {"v": 1, "precision": "year", "year": 1950, "approximate": True}


def _answers(form_id: str, seed: int, **overrides: Any) -> dict[str, Any]:
    form = form_catalogue.form_definition(form_id)
    return demo_answers(form, random.Random(seed), overrides=overrides)


def test_a_field_officer_learns_only_that_a_duplicate_exists(ctx: AppContext) -> None:
    add_officers(ctx)
    ctx.officer = OTHER_OFFICER
    first_id = records.start_application(ctx, "complaint")
    reference = records.finalize_application(
        ctx,
        first_id,
        _answers("complaint", 21, applicant_name=NAME, applicant_birth_date=BIRTH),
    )
    with ctx.store.transaction() as session:
        theirs = session.get(Application, first_id)
        assert theirs is not None
        birth_year = theirs.birth_year_min

    ctx.officer = FIELD_OFFICER
    second_id = records.start_application(ctx, "civil_party")
    answers = _answers("civil_party", 22, applicant_name=NAME, applicant_birth_date=BIRTH)
    found = duplicates.find_possible_duplicates(ctx, second_id, answers)
    assert len(found) == 1 and found[0].hidden
    shown = f"{found[0]}"
    assert first_id not in shown and (reference or "?") not in shown
    assert NAME["latin"] not in shown and str(birth_year) not in shown

    ctx.officer = SUPERVISOR
    assert [(r.application_id, r.other_id) for r in duplicates.duplicates_for_review(ctx)] == [
        (second_id, first_id)
    ]
    candidates = duplicates.find_possible_duplicates(ctx, second_id, answers)
    assert [(c.id, c.hidden) for c in candidates] == [(first_id, False)]


def test_direct_victim_suggestions_stay_with_the_officer_who_recorded_them(
    ctx: AppContext,
) -> None:
    add_officers(ctx)
    ctx.officer = OTHER_OFFICER
    _finalize_with_hook(ctx, "civil_party", _indirect("civil_party", 1))
    typed = "Chhim Sokhum"  # the direct victim named by OTHER_OFFICER's applicant
    found = people.suggest_direct_victims(ctx, typed)
    assert len(found) == 1
    person_id = found[0].id
    ctx.officer = FIELD_OFFICER
    assert people.suggest_direct_victims(ctx, typed) == []
    ctx.officer = SUPERVISOR
    assert [s.id for s in people.suggest_direct_victims(ctx, typed)] == [person_id]


def test_a_supervisor_editing_another_officers_draft_is_audited_once_per_stretch(
    ctx: AppContext,
) -> None:
    add_officers(ctx)
    ctx.officer = FIELD_OFFICER
    draft_id = records.start_application(ctx, "complaint")
    records.save_draft(ctx, draft_id, {"applicant_name": NAME})
    ctx.officer = SUPERVISOR
    for _ in range(5):  # autosave runs often
        records.save_draft(ctx, draft_id, {"applicant_name": NAME})
    ctx.officer = FIELD_OFFICER
    records.save_draft(ctx, draft_id, {"applicant_name": NAME})
    with ctx.store.transaction() as session:
        entries = list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.action == AuditAction.DRAFT_EDIT_BY_SUPERVISOR)
            )
        )
    assert [(e.officer_id, e.record_id) for e in entries] == [(SUPERVISOR.id, draft_id)]
    assert entries[0].details == {"draft_of": FIELD_OFFICER.id}
