"""Forums invite the people of the office's civil-party list who live in the commune: once each
(a record naming their number is the same person), masked on paper as the list masks them,
marked as come, counted, and never shown to a role that does not see the list."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.civil_party_list import ListPerson
from app.core.demo_answers import demo_answers
from app.core.forms import FieldRole
from app.services import civil_parties, form_catalogue, forums, records
from app.services.audit import verify_audit_chain
from app.services.context import AppContext
from app.services.reports import dashboard_counts, export_report
from app.services.security import PermissionDenied
from app.store.models import AuditEntry
from tests.officers import ADMINISTRATOR, FIELD_OFFICER, SUPERVISOR, add_officers
from tests.services.test_forums import _pdf_text, _village


def _person(number: str, latin: str, khmer: str, **extra: object) -> ListPerson:
    place = _village(0)
    fields: dict[str, object] = {
        "number": number,
        "case": "002",
        "name_km": khmer,
        "name_latin": latin,
        "sex": "F",
        "birth_year": 1950,
        "province": place["province"],
        "district": place["district"],
        "commune": place["commune"],
        "village": place["village"],
        "status": "civil_party",
        "lawyer_team": "",
        "protection": "none",
        "deceased": False,
    }
    fields.update(extra)
    return ListPerson(**fields)  # type: ignore[arg-type]


SHOWN = _person("D22/3-00017", "Sok Chenda", "សុខ ចិន្តា")
# Masked by the office; given names here to prove the forum never prints them anyway.
MASKED = _person("D25/1-00042", "Keo Ratana", "កែវ រតនា", protection="public")
DECEASED = _person("D22/4-00051", "Mao Sarun", "ម៉ៅ សារុន", deceased=True)
RECORDED = _person("D27/2-00063", "Chan Dara", "ចាន់ ដារា")  # also a record of this laptop
ELSEWHERE = _person("D22/5-00077", "Nhem Sophal", "ញឹម សុផល", commune=_village(1)["commune"])


def _store_list(ctx: AppContext) -> None:
    people = [SHOWN, MASKED, DECEASED, RECORDED, ELSEWHERE]
    with ctx.store.transaction() as session:
        civil_parties.store_list(session, people, {"provinces": ["01"]})


def _record_naming(ctx: AppContext, number: str) -> str:
    """A complaint of the commune whose earlier number is ``number`` (written with spaces)."""
    form = form_catalogue.form_definition("complaint")
    address = form.field_with_role(FieldRole.APPLICANT_ADDRESS)
    assert address is not None
    answers = demo_answers(
        form,
        random.Random(7),
        overrides={
            address.id: _village(0),
            "protection_requested": False,
            "applied_before": "yes",
            "prior_number_kind": "civil_party",
            "prior_reference": number.replace("/", " / "),
        },
    )
    application_id = records.start_application(ctx, form.id)
    records.finalize_application(ctx, application_id, answers)
    return application_id


@pytest.fixture
def officer_ctx(ctx: AppContext) -> AppContext:
    add_officers(ctx, (FIELD_OFFICER, SUPERVISOR, ADMINISTRATOR))
    ctx.officer = FIELD_OFFICER
    _store_list(ctx)
    return ctx


def test_a_forum_invites_the_listed_people_of_the_commune_once_and_prints_them_masked(
    officer_ctx: AppContext, tmp_path: Path
) -> None:
    ctx = officer_ctx
    record = _record_naming(ctx, RECORDED.number)
    commune = _village(0)["commune"]
    assert commune is not None
    assert forums.listed_in_commune(ctx, commune) == 3  # the deceased person is not invited

    forum_id = forums.plan_forum(ctx, "Forum with the list", commune, date(2026, 12, 14), "Wat")
    invited = forums.forum_invitees(ctx, forum_id)
    assert [p.application_id for p in invited if p.application_id] == [record]
    # RECORDED is that record (same number, written differently): invited once, as the record.
    assert sorted(p.listed_number for p in invited if p.listed_number) == sorted(
        [SHOWN.number, MASKED.number]
    )
    masked = next(p for p in invited if p.listed_number == MASKED.number)
    assert masked.identity_protected and masked.name_km == masked.name_latin == ""
    assert masked.reference == MASKED.number
    assert forums.invite_newcomers(ctx, forum_id) == 0  # nobody twice

    out = tmp_path / "invitations.pdf"
    assert forums.print_invitations(ctx, forum_id, out) == 3
    text = _pdf_text(out)
    assert "SokChenda" in text and "សុខចិន្តា" in text
    assert "KeoRatana" not in text and "កែវរតនា" not in text
    assert MASKED.number in text  # the number stands for the masked person
    assert "MaoSarun" not in text and "NhemSophal" not in text

    forums.record_listed_attendance(ctx, forum_id, SHOWN.number, True)
    forums.record_listed_attendance(ctx, forum_id, MASKED.number, True)
    forums.record_attendance(ctx, forum_id, record, False)
    with pytest.raises(forums.ForumError):
        forums.record_listed_attendance(ctx, forum_id, ELSEWHERE.number, True)  # not invited
    assert forums.forum_counts(ctx) == forums.ForumCounts(forums=1, invited=3, attended=2)
    counts = dashboard_counts(ctx)
    assert (counts.forum_invited, counts.forum_attended) == (3, 2)
    with ctx.store.transaction() as session:
        entries = list(session.scalars(select(AuditEntry)))
    marked = [e.details for e in entries if e.action == "forum_attendance"]
    assert {d.get("number") for d in marked} == {SHOWN.number, MASKED.number, None}
    [listed_print] = [e.details for e in entries if e.action == "listed_people_print"]
    assert (listed_print["people"], listed_print["redacted"]) == (2, 1)
    assert verify_audit_chain(ctx).intact

    # A newer list without SHOWN: still invited, by number only, their name no longer known.
    with ctx.store.transaction() as session:
        civil_parties.store_list(session, [MASKED, RECORDED], {"provinces": ["01"]})
    gone = next(p for p in forums.forum_invitees(ctx, forum_id) if p.listed_number == SHOWN.number)
    assert gone.identity_protected and gone.attended is True and gone.shown_name() != ""


def test_an_administrator_neither_invites_nor_sees_nor_marks_the_listed_people(
    officer_ctx: AppContext, tmp_path: Path
) -> None:
    ctx = officer_ctx
    commune = _village(0)["commune"]
    assert commune is not None
    ctx.officer = ADMINISTRATOR
    assert forums.listed_in_commune(ctx, commune) == 0
    assert commune not in {code for code, _label in forums.communes_with_people(ctx)}
    forum_id = forums.plan_forum(ctx, "Admin forum", commune, date(2026, 12, 15), "")
    assert forums.forum_invitees(ctx, forum_id) == []  # no record there, and not the list

    ctx.officer = SUPERVISOR
    assert commune in {code for code, _label in forums.communes_with_people(ctx)}
    listed_forum = forums.plan_forum(ctx, "Supervisor forum", commune, date(2026, 12, 16), "")
    assert {p.listed_number for p in forums.forum_invitees(ctx, listed_forum)} == {
        SHOWN.number,
        MASKED.number,
        RECORDED.number,  # no record names this number here: invited from the list
    }
    _record_naming(ctx, RECORDED.number)  # recorded after: already invited from the list
    assert forums.invite_newcomers(ctx, listed_forum) == 0
    forums.record_listed_attendance(ctx, listed_forum, SHOWN.number, True)
    assert forums.forum_counts(ctx).attended == 1
    report = export_report(ctx, tmp_path / "report.csv", "csv").read_text(encoding="utf-8-sig")
    assert f"Supervisor forum,{commune},2026-12-16,3,1," in report  # the 3 listed people

    ctx.officer = ADMINISTRATOR
    assert forums.forum_invitees(ctx, listed_forum) == []
    assert forums.forum_counts(ctx) == forums.ForumCounts(forums=2, invited=0, attended=0)
    report = export_report(ctx, tmp_path / "admin.csv", "csv").read_text(encoding="utf-8-sig")
    assert f"Supervisor forum,{commune},2026-12-16,0,0," in report
    with pytest.raises(PermissionDenied):
        forums.record_listed_attendance(ctx, listed_forum, SHOWN.number, False)
    with pytest.raises(forums.ForumError):
        forums.print_invitations(ctx, listed_forum, tmp_path / "admin.pdf")
    assert not (tmp_path / "admin.pdf").exists()
