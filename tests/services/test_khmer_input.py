"""Khmer typed text is normalised at input and stored without any inserted U+200B (issue 18)."""

from __future__ import annotations

import json
import random

import pytest
from sqlalchemy import select, text

from app.core.demo_answers import demo_answers
from app.core.forms import FieldRole
from app.services import records
from app.services.context import AppContext
from app.store.models import Application, ApplicationVersion
from tests.officers import FIELD_OFFICER, add_officers

ZWSP = "\u200b"
# A narrative typed without a single space between words, as Khmer is usually written.
NARRATIVE = "ខ្ញុំត្រូវគេឃុំនៅមន្ទីរសន្តិសុខស្រុកហើយត្រូវគេធ្វើទារុណកម្មឪពុកខ្ញុំត្រូវគេយកទៅហើយមិនដែលត្រឡប់មកវិញទេ។"


@pytest.fixture(autouse=True)
def _officers(ctx: AppContext) -> None:
    add_officers(ctx, (FIELD_OFFICER,))


def _field_id(role: FieldRole) -> str:
    item = records.form_definition("complaint").field_with_role(role)
    assert item is not None
    return item.id


def _narrative_field() -> str:
    form = records.form_definition("complaint")
    return next(f.id for s in form.sections for f in s.fields if f.type.value == "narrative")


def _stored_strings(ctx: AppContext, application_id: str) -> list[str]:
    with ctx.store.transaction() as session:
        application = session.get(Application, application_id)
        assert application is not None
        versions = session.scalars(
            select(ApplicationVersion).where(ApplicationVersion.application_id == application_id)
        ).all()
        payloads = [
            json.dumps(records.version_payload(application, v), ensure_ascii=False)
            for v in versions
        ]
        search = session.execute(
            text("SELECT content FROM application_search WHERE application_id = :id"),
            {"id": application_id},
        ).scalars()
        return [
            json.dumps(application.draft_answers or {}, ensure_ascii=False),
            application.name_km,
            application.name_latin,
            *payloads,
            *search,
        ]


def test_stored_text_payloads_and_search_keys_carry_no_inserted_zwsp(ctx: AppContext) -> None:
    form = records.form_definition("complaint")
    answers = demo_answers(form, random.Random(7))
    answers[_narrative_field()] = NARRATIVE
    answers[_field_id(FieldRole.APPLICANT_NAME)] = {"km": "សុខសុភា", "latin": "Sok Sophea"}
    application_id = records.start_application(ctx, "complaint")
    records.save_draft(ctx, application_id, answers)
    assert all(ZWSP not in stored for stored in _stored_strings(ctx, application_id))
    records.finalize_application(ctx, application_id, answers)
    stored = _stored_strings(ctx, application_id)
    assert any(NARRATIVE in s for s in stored)  # the narrative really is in what we looked at
    assert all(ZWSP not in s for s in stored)


def test_a_zwsp_typed_inside_a_cluster_is_removed_and_one_between_words_kept(
    ctx: AppContext,
) -> None:
    narrative = _narrative_field()
    application_id = records.start_application(ctx, "complaint")
    typed = "ស\u200b្តីខ្ញុំ\u200bទៅ"  # a stray U+200B between ស and its coeng, one between words
    records.save_draft(ctx, application_id, {narrative: typed})
    detail = records.get_application(ctx, application_id)
    assert detail.answers[narrative] == "ស្តីខ្ញុំ\u200bទៅ"
