"""Forums for a commune: who is invited, the printed invitations (read back with poppler),
attendance, the counts, and what a field officer may not see."""

from __future__ import annotations

import random
import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.demo_answers import demo_answers
from app.core.forms import FieldRole
from app.core.gazetteer import load_gazetteer
from app.services import form_catalogue, forums, records
from app.services.audit import verify_audit_chain
from app.services.context import AppContext
from app.store.models import AuditEntry
from tests.officers import FIELD_OFFICER, OTHER_OFFICER, SUPERVISOR, add_officers


def _village(commune_index: int, province_code: str = "01") -> dict[str, str | None]:
    gazetteer = load_gazetteer()
    province = gazetteer.get(province_code)
    assert province is not None
    district = gazetteer.children(province.code)[0]
    commune = gazetteer.children(district.code)[commune_index]
    village = gazetteer.children(commune.code)[0]
    return {
        "province": province.code,
        "district": district.code,
        "commune": commune.code,
        "village": village.code,
    }


def _final(
    ctx: AppContext, seed: int, commune_index: int, protected: bool = False, province: str = "01"
) -> str:
    form = form_catalogue.form_definition("complaint")
    address = form.field_with_role(FieldRole.APPLICANT_ADDRESS)
    assert address is not None
    answers = demo_answers(
        form,
        random.Random(seed),
        overrides={
            address.id: _village(commune_index, province),
            "protection_requested": protected,
        },
    )
    application_id = records.start_application(ctx, form.id)
    records.finalize_application(ctx, application_id, answers)
    return application_id


def _pdf_text(path: Path) -> str:
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return "".join(text.replace("\u200b", "").split())


@pytest.fixture
def officer_ctx(ctx: AppContext) -> AppContext:
    add_officers(ctx, (FIELD_OFFICER, OTHER_OFFICER))
    ctx.officer = FIELD_OFFICER
    return ctx


def test_a_forum_invites_the_commune_prints_masked_invitations_and_counts_attendance(
    officer_ctx: AppContext, tmp_path: Path
) -> None:
    ctx = officer_ctx
    shown = _final(ctx, 1, 0)
    protected = _final(ctx, 2, 0, protected=True)
    elsewhere = _final(ctx, 3, 1)
    ctx.officer = OTHER_OFFICER
    not_mine = _final(ctx, 4, 0)
    ctx.officer = FIELD_OFFICER
    commune = _village(0)["commune"]
    assert commune is not None
    assert commune in {code for code, _label in forums.communes_with_people(ctx)}

    forum_id = forums.plan_forum(ctx, "  វេទិកា   ឃុំ ក ", commune, date(2026, 12, 12), "វត្ត")
    invited = forums.forum_invitees(ctx, forum_id)
    assert {p.application_id for p in invited} == {shown, protected}  # not elsewhere, not_mine
    masked = next(p for p in invited if p.application_id == protected)
    assert (
        masked.name_km == masked.name_latin == ""
        and masked.shown_name() == "(អត្តសញ្ញាណត្រូវបានការពារ)"
    )
    [summary] = forums.forums(ctx)
    assert (summary.name, summary.invited, summary.attended) == ("វេទិកា ឃុំ ក", 2, 0)

    out = tmp_path / "invitations.pdf"
    assert forums.print_invitations(ctx, forum_id, out) == 2
    text = _pdf_text(out)
    assert "លិខិតអញ្ជើញចូលរួមវេទិកា" in text and "Invitationtoaforum" in text
    assert "វេទិកាឃុំក" in text and "startsnonewcaseandbringsnopayment" in text
    visible = records.get_application(ctx, shown, audit=False)
    hidden = records.get_application(ctx, protected, audit=False)
    assert "".join(visible.name_latin.split()) in text
    assert "".join(hidden.name_latin.split()) not in text
    assert "".join(hidden.name_km.split()) not in text
    assert hidden.reference in text  # the reference stands for the protected person
    assert "reparationprojectinyourprovince" not in text  # none runs in this province

    forums.record_attendance(ctx, forum_id, shown, True)
    forums.record_attendance(ctx, forum_id, protected, False)
    assert forums.forum_counts(ctx) == forums.ForumCounts(forums=1, invited=2, attended=1)
    with pytest.raises(forums.ForumError):
        forums.record_attendance(ctx, forum_id, elsewhere, True)  # not invited
    with ctx.store.transaction() as session:
        actions = list(session.scalars(select(AuditEntry.action)))
        assert actions.count("forum_plan") == 1
        assert actions.count("forum_attendance") == 2
        printed = session.scalars(
            select(AuditEntry.details).where(AuditEntry.action == "record_print")
        ).all()
        assert sorted(d["redacted"] for d in printed if d["document"] == "forum_invitation") == [
            False,
            True,
        ]
    assert verify_audit_chain(ctx).intact

    # A supervisor sees the other officer's invitee too once invited in their own forum.
    ctx.officer = SUPERVISOR
    assert {p.application_id for p in forums.people_in_commune(ctx, commune)} == {
        shown,
        protected,
        not_mine,
    }


@pytest.mark.parametrize(
    ("name", "commune", "place"),
    [("", "010201", ""), ("Forum", "01", ""), ("Forum", "99999999", ""), ("x" * 201, "010201", "")],
)
def test_a_forum_without_name_or_commune_is_refused(
    officer_ctx: AppContext, name: str, commune: str, place: str
) -> None:
    with pytest.raises(forums.ForumError):
        forums.plan_forum(officer_ctx, name, commune, date(2026, 12, 1), place)
    assert forums.forums(officer_ctx) == []


def test_the_dashboard_and_the_report_count_contacts_and_attendance(
    officer_ctx: AppContext, tmp_path: Path
) -> None:
    from app.services.reports import dashboard_counts, export_report

    ctx = officer_ctx
    first, second = _final(ctx, 11, 0), _final(ctx, 12, 0)
    contact_form = form_catalogue.form_definition("follow_up")
    forum_field = contact_form.field_with_role(FieldRole.FORUM)
    assert forum_field is not None
    answers = demo_answers(
        contact_form,
        random.Random(13),
        overrides={"contact_kind": "question", forum_field.id: "Forum A"},
    )
    contact = records.start_application(ctx, contact_form.id)
    records.finalize_application(ctx, contact, answers)
    records.start_application(ctx, contact_form.id)  # a draft is not a contact yet
    commune = _village(0)["commune"]
    assert commune is not None
    forum_id = forums.plan_forum(ctx, "Forum A", commune, date(2026, 12, 3), "")
    forums.record_attendance(ctx, forum_id, first, True)
    forums.record_attendance(ctx, forum_id, second, False)

    counts = dashboard_counts(ctx)
    assert counts.contacts == 1
    assert [(f.contacts, f.records) for f in counts.forums] == [(1, 0)]
    assert (counts.forum_invited, counts.forum_attended) == (2, 1)

    ctx.officer = SUPERVISOR
    path = export_report(ctx, tmp_path / "report.csv", "csv")
    text = path.read_text(encoding="utf-8-sig")
    assert f"Forum A,{commune},2026-12-03,2,1,1,0" in text  # one contact recorded there
    summary = {line.split(",")[0]: line.split(",")[-1] for line in text.splitlines() if line}
    assert summary[next(k for k in summary if k.endswith("Follow-up contacts"))] == "1"
    assert summary[next(k for k in summary if k.endswith("Came to forums"))] == "1"


def test_the_forum_name_is_offered_first_at_intake(officer_ctx: AppContext) -> None:
    """Records taken at the forum carry its name as planned (never split by a typo)."""
    from app.services.remembered import remembered_values

    commune = _village(0)["commune"]
    assert commune is not None
    forums.plan_forum(officer_ctx, "វេទិកា  ឃុំ ខ", commune, date(2026, 12, 5), "")
    form = form_catalogue.form_definition("complaint")
    forum_field = form.field_with_role(FieldRole.FORUM)
    assert forum_field is not None and forum_field.remembered
    assert remembered_values(officer_ctx, forum_field)[0] == "វេទិកា ឃុំ ខ"


def test_an_invitation_names_the_reparation_project_of_the_province(
    officer_ctx: AppContext, tmp_path: Path
) -> None:
    """Takeo (21) has the Peace Learning Center at Kraing Ta Chan (assets/reparations.yaml)."""
    _final(officer_ctx, 31, 0, province="21")
    commune = _village(0, "21")["commune"]
    assert commune is not None
    forum_id = forums.plan_forum(officer_ctx, "Takeo forum", commune, date(2026, 12, 9), "")
    out = tmp_path / "takeo.pdf"
    assert forums.print_invitations(officer_ctx, forum_id, out) == 1
    text = _pdf_text(out)
    assert "Areparationprojectinyourprovince:PeaceLearningCenteratKraingTaChan" in text
    assert "គម្រោងសំណងក្នុងខេត្តរបស់លោកអ្នក៖មជ្ឈមណ្ឌលសិក្សាសន្តិភាព" in text


def test_people_recorded_after_planning_are_invited_once(officer_ctx: AppContext) -> None:
    first = _final(officer_ctx, 41, 0)
    commune = _village(0)["commune"]
    assert commune is not None
    forum_id = forums.plan_forum(officer_ctx, "Forum", commune, date(2026, 12, 20), "")
    later = _final(officer_ctx, 42, 0)
    assert forums.invite_newcomers(officer_ctx, forum_id) == 1
    assert forums.invite_newcomers(officer_ctx, forum_id) == 0
    assert {p.application_id for p in forums.forum_invitees(officer_ctx, forum_id)} == {
        first,
        later,
    }
    with pytest.raises(forums.ForumError):
        forums.invite_newcomers(officer_ctx, "no-such-forum")


def test_markup_in_a_typed_forum_name_or_place_is_printed_as_typed(
    officer_ctx: AppContext, tmp_path: Path
) -> None:
    _final(officer_ctx, 51, 0)
    commune = _village(0)["commune"]
    assert commune is not None
    name, place = "Forum <b>A</b> & <font size=90>B", "Pagoda </para> & co"
    forum_id = forums.plan_forum(officer_ctx, name, commune, date(2026, 12, 21), place)
    out = tmp_path / "markup.pdf"
    assert forums.print_invitations(officer_ctx, forum_id, out) == 1
    text = _pdf_text(out)
    assert "Forum<b>A</b>&<fontsize=90>B" in text and "Pagoda</para>&co" in text
