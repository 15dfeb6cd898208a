"""The records service on a real SQLite store: drafts, finalising, corrections, search, duplicates."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.demo_answers import demo_answers
from app.core.reference import validate_reference
from app.services import duplicates, errors, form_catalogue, records, registry
from app.services.audit import verify_audit_chain
from app.services.context import AppContext, open_app
from app.services.reports import dashboard_counts
from app.services.security import NotSignedIn, PermissionDenied
from app.store.models import ApplicationVersion, AuditEntry, OutboxItem
from tests.officers import FIELD_OFFICER, OTHER_OFFICER, SUPERVISOR, add_officers


@pytest.fixture(autouse=True)
def _officers(ctx: AppContext) -> None:
    """The officer rows that records point to (accounts are made by the accounts service)."""
    add_officers(
        ctx,
        (
            FIELD_OFFICER,
            OTHER_OFFICER,
            SUPERVISOR,
        ),
    )


def _answers(form_id: str, seed: int, **overrides: object) -> dict[str, object]:
    form = form_catalogue.form_definition(form_id)
    return demo_answers(form, random.Random(seed), overrides=overrides)


def _final(ctx: AppContext, form_id: str, seed: int, **overrides: object) -> tuple[str, str]:
    application_id = records.start_application(ctx, form_id)
    reference = records.finalize_application(
        ctx, application_id, _answers(form_id, seed, **overrides)
    )
    return application_id, reference


def test_draft_survives_reopening_the_store(ctx: AppContext, home: Path) -> None:
    application_id = records.start_application(ctx, "complaint")
    records.save_draft(
        ctx, application_id, {"applicant_name": {"km": "សុខ ដារ៉ា", "latin": "Sok Dara"}}
    )
    ctx.close()

    reopened = open_app(home)
    reopened.officer = SUPERVISOR  # the officer who saved the draft signs in again
    drafts = records.drafts_to_resume(reopened)
    assert [d.id for d in drafts] == [application_id]
    assert drafts[0].name_km == "សុខ ដារ៉ា"
    detail = records.get_application(reopened, application_id)
    assert detail.answers["applicant_name"]["latin"] == "Sok Dara"
    reopened.close()
    ctx.store = open_app(home).store  # the fixture closes it


def test_finalize_assigns_reference_version_outbox_and_audit(ctx: AppContext) -> None:
    application_id, reference = _final(ctx, "civil_party", seed=3)
    assert validate_reference(reference)
    detail = records.get_application(ctx, application_id)
    assert detail.status == "final"
    assert [v.version_no for v in detail.versions] == [1]
    with ctx.store.transaction() as session:
        version = session.scalars(select(ApplicationVersion)).one()
        outbox = session.get(OutboxItem, version.id)
        actions = session.scalars(select(AuditEntry.action)).all()
    assert outbox is not None and outbox.state == "pending"
    assert "record_finalize" in actions
    assert verify_audit_chain(ctx).intact
    # A final record cannot be edited as a draft, nor finalised twice.
    with pytest.raises(errors.RecordError):
        records.save_draft(ctx, application_id, {})
    with pytest.raises(errors.RecordError):
        records.finalize_application(ctx, application_id, detail.answers)


def test_references_are_unique_and_found_when_typed_loosely(ctx: AppContext) -> None:
    made = [_final(ctx, "complaint", seed=s) for s in range(5)]
    references = [ref for _, ref in made]
    assert len(set(references)) == 5
    application_id, reference = made[2]
    typed = reference.lower().replace("-", " ")
    assert records.find_by_reference(ctx, typed) == application_id


def test_finalize_refuses_missing_required_answers(ctx: AppContext) -> None:
    application_id = records.start_application(ctx, "complaint")
    answers = _answers("complaint", seed=1)
    del answers["applicant_name"]
    with pytest.raises(records.ValidationFailed) as failure:
        records.finalize_application(ctx, application_id, answers)
    assert any(issue.field_id == "applicant_name" for issue in failure.value.issues)
    assert records.get_application(ctx, application_id).status == "draft"


def test_correction_needs_a_supervisor_and_keeps_history(ctx: AppContext) -> None:
    ctx.officer = FIELD_OFFICER
    application_id, _ = _final(ctx, "complaint", seed=7)
    answers = records.get_application(ctx, application_id).answers
    answers["applicant_name"] = {"km": "ចាន់ ថា", "latin": "Chan Tha"}
    with pytest.raises(PermissionDenied):
        records.correct_application(ctx, application_id, answers, "spelling")
    ctx.officer = SUPERVISOR
    with pytest.raises(errors.RecordError):
        records.correct_application(ctx, application_id, answers, "  ")
    assert records.correct_application(ctx, application_id, answers, "spelling of the name") == 2
    detail = records.get_application(ctx, application_id)
    assert [v.reason for v in detail.versions] == [None, "spelling of the name"]
    assert detail.answers["applicant_name"]["latin"] == "Chan Tha"
    with ctx.store.transaction() as session:
        assert len(session.scalars(select(OutboxItem)).all()) == 2


def test_field_officer_sees_only_own_records(ctx: AppContext) -> None:
    ctx.officer = FIELD_OFFICER
    own_id, _ = _final(ctx, "complaint", seed=1)
    ctx.officer = OTHER_OFFICER
    other_id, _ = _final(ctx, "complaint", seed=2)
    with pytest.raises(PermissionDenied):
        records.get_application(ctx, own_id)
    rows = registry.list_registry(ctx, registry.RegistryQuery(), 0, 50)
    assert [r.id for r in rows] == [other_id]
    ctx.officer = SUPERVISOR
    assert registry.count_registry(ctx, registry.RegistryQuery()) == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ដារ៉ា", True),  # Khmer substring inside a name (no spaces in Khmer)
        ("ារ៉", True),  # a fragment of a cluster sequence
        ("sok dara", True),  # Latin, case-insensitive
        ("Dara", True),
        ("វណ្ណា", False),
    ],
)
def test_search_by_khmer_substring_and_latin(ctx: AppContext, query: str, expected: bool) -> None:
    target_id, _ = _final(
        ctx,
        "complaint",
        seed=11,
        applicant_name={"km": "សុខ\u200bដារ៉ា", "latin": "Sok Dara"},
        acting_as="self",  # no other person (minor, deceased) is named in this record
    )
    _final(ctx, "complaint", seed=12, applicant_name={"km": "ចាន់ សុផល", "latin": "Chan Sophal"})
    rows = registry.list_registry(ctx, registry.RegistryQuery(search=query), 0, 50)
    assert (target_id in [r.id for r in rows]) is expected


def test_search_by_reference_and_by_khmer_digits(ctx: AppContext) -> None:
    target_id, reference = _final(ctx, "complaint", seed=5)
    _final(ctx, "complaint", seed=6)
    rows = registry.list_registry(ctx, registry.RegistryQuery(search=reference), 0, 50)
    assert [r.id for r in rows] == [target_id]


def test_possible_duplicates_and_not_duplicate_decision(ctx: AppContext) -> None:
    name = {"km": "កែវ សុខា", "latin": "Keo Sokha"}
    birth = {"v": 1, "precision": "year", "year": 1950, "approximate": True}
    first_id, _ = _final(ctx, "complaint", seed=21, applicant_name=name, applicant_birth_date=birth)
    second_id = records.start_application(ctx, "civil_party")
    answers = _answers(
        "civil_party",
        seed=22,
        applicant_name={"km": "កែវ សុខា", "latin": "Keo Sokha"},
        applicant_birth_date={"v": 1, "precision": "year", "year": 1952, "approximate": True},
    )
    candidates = duplicates.find_possible_duplicates(ctx, second_id, answers)
    assert [c.id for c in candidates] == [first_id]
    duplicates.mark_not_duplicate(ctx, second_id, first_id)
    assert duplicates.find_possible_duplicates(ctx, second_id, answers) == []
    # Someone with another birth year decades apart is not suggested.
    far = dict(answers, applicant_birth_date={"v": 1, "precision": "year", "year": 1975})
    third_id = records.start_application(ctx, "complaint")
    assert duplicates.find_possible_duplicates(ctx, third_id, far) == []


def test_a_broad_search_is_capped_and_streamed_a_narrow_one_sorted(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry, "SEARCH_SORT_LIMIT", 3)
    made = [
        _final(
            ctx, "complaint", seed=s, applicant_name={"km": f"សុខ ដារ៉ា{s}", "latin": f"Sok Dara {s}"}
        )[0]
        for s in range(6)
    ]
    broad = registry.RegistryQuery(search="sok dara")
    total = registry.count_registry(ctx, broad)
    assert total == 4 and registry.search_is_broad(total)  # capped at the limit + 1
    first = registry.list_registry(ctx, broad, 0, 4, total)
    rest = registry.list_registry(ctx, broad, 4, 4, total)
    assert sorted(r.id for r in first + rest) == sorted(made)  # every match, page by page
    narrow = registry.RegistryQuery(search="sok dara 5")
    count = registry.count_registry(ctx, narrow)
    assert not registry.search_is_broad(count)
    assert [r.id for r in registry.list_registry(ctx, narrow, 0, 10, count)] == [made[5]]


def test_nobody_signed_in_sees_no_record(ctx: AppContext) -> None:
    """A store opened without a signed-in officer (a tool, a bug) never means "sees everything"."""
    application_id, reference = _final(ctx, "complaint", seed=41)
    ctx.officer = None
    with pytest.raises(NotSignedIn):
        records.get_application(ctx, application_id)
    with pytest.raises(NotSignedIn):
        records.find_by_reference(ctx, reference)
    with pytest.raises(NotSignedIn):
        registry.list_registry(ctx, registry.RegistryQuery(), 0, 50)
    with pytest.raises(NotSignedIn):
        registry.count_registry(ctx, registry.RegistryQuery())
    with pytest.raises(NotSignedIn):
        records.drafts_to_resume(ctx)
    with pytest.raises(NotSignedIn):
        dashboard_counts(ctx)
