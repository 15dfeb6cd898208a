"""A person's participation in, or feedback on, a reparation project: a follow-up contact that
names the project and the person's record, audited, queued for the office, shown on the history."""

from __future__ import annotations

import random

from sqlalchemy import select

from app.core.demo_answers import demo_answers
from app.core.forms import FieldRole
from app.core.reparations import load_reparations
from app.services import records
from app.services import rights as rights_service
from app.services.context import AppContext
from app.services.prior_contacts import linked_contacts
from app.store.models import Application, ApplicationVersion, AuditEntry, OutboxItem
from tests.officers import FIELD_OFFICER, add_officers


def _civil_party(ctx: AppContext) -> tuple[str, str]:
    form = records.form_definition("civil_party")
    answers = demo_answers(
        form,
        random.Random(3),
        overrides={"applied_before": "no", "participation": "civil_party"},
    )
    application_id = records.start_application(ctx, "civil_party")
    return application_id, records.finalize_application(ctx, application_id, answers)


def test_feedback_on_a_project_is_linked_audited_and_queued_for_the_office(
    ctx: AppContext,
) -> None:
    add_officers(ctx, (FIELD_OFFICER,))
    ctx.officer = FIELD_OFFICER
    person_id, person_reference = _civil_party(ctx)
    form_id = rights_service.reparation_contact_form_id()
    assert form_id is not None
    form = records.form_definition(form_id)
    project_field = form.field_with_role(FieldRole.REPARATION_PROJECT)
    assert project_field is not None
    project = load_reparations().project("case_002_01_peace_learning_center")
    assert project is not None
    answers = demo_answers(
        form,
        random.Random(5),
        overrides={
            "prior_number_kind": "app_reference",
            "prior_reference": person_reference,
            "contact_kind": "reparation_project",
            project_field.id: project.id,
            "reparation_involvement": "feedback",
            "reparation_feedback": "The centre is far; they ask for a visit to their village.",
        },
    )
    assert not [i for i in records.check_application(form, answers) if i.severity == "error"]
    contact_id = records.start_application(ctx, form_id)
    records.finalize_application(ctx, contact_id, answers)

    # On the person's history, naming the project.
    history = linked_contacts(ctx, person_id)
    assert [c.application_id for c in history] == [contact_id]
    assert "ក្រាំងតាចាន់" in history[0].what  # the project named, in the UI language (Khmer)
    with ctx.store.transaction() as session:
        version = session.scalars(
            select(ApplicationVersion).where(ApplicationVersion.application_id == contact_id)
        ).one()
        assert version.answers[project_field.id] == project.id
        state = session.scalar(select(OutboxItem.state).where(OutboxItem.version_id == version.id))
        assert state == "pending"  # the next sync carries it to the office
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.record_id == contact_id)
        ).all()
        assert "record_finalize" in actions
        stored = session.get(Application, contact_id)
        assert stored is not None and stored.created_by == FIELD_OFFICER.id


def test_feedback_without_what_was_said_is_refused(ctx: AppContext) -> None:
    form = records.form_definition("follow_up")
    answers = demo_answers(
        form,
        random.Random(6),
        overrides={
            "contact_kind": "reparation_project",
            "reparation_project": "case_001_apologies",
            "reparation_involvement": "feedback",
            "reparation_feedback": "",
        },
    )
    blocking = [
        i.field_id for i in records.check_application(form, answers) if i.severity == "error"
    ]
    assert "reparation_feedback" in blocking
