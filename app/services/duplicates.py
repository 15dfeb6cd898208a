"""Possible duplicates: others who may be the same person, and the officer's decisions that
two records are not the same person."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import false, or_, select, text

from app.core import clock
from app.core.name_match import full_name_keys
from app.i18n import _
from app.services.access import load_visible, signed_in_id
from app.services.audit import AuditAction, record_audit
from app.services.context import AppContext
from app.services.form_catalogue import form_definition
from app.services.search_index import DerivedColumns, derive_columns, fts_phrase
from app.services.security import Role, require_role, sees_all_records
from app.store.models import Application, NotDuplicateDecision, Setting


@dataclass(frozen=True)
class DuplicateCandidate:
    id: str
    reference: str | None
    name_km: str
    name_latin: str
    birth_year_min: int | None
    birth_year_max: int | None
    reason: str
    hidden: bool = False  # another officer's applicant: shown to a field officer without details


BIRTH_YEAR_TOLERANCE = 3
REVIEWS_SETTING = "duplicate_reviews"
MAX_REVIEWS = 500


def _hidden_candidate() -> DuplicateCandidate:
    return DuplicateCandidate(
        "",
        None,
        "",
        "",
        None,
        None,
        _("A possible duplicate exists; a supervisor will review it."),
        hidden=True,
    )


def _note_for_review(session: Any, application_id: str, others: list[str]) -> None:
    """Keep the pair for supervisors (``duplicates_for_review``); bounded, newest kept."""
    row = session.get(Setting, REVIEWS_SETTING)
    reviews: list[dict[str, Any]] = list(row.value) if row is not None and row.value else []
    known = {(r.get("application_id"), r.get("other_id")) for r in reviews}
    for other in others:
        if (application_id, other) not in known:
            reviews.append(
                {
                    "application_id": application_id,
                    "other_id": other,
                    "at": clock.utc_now().isoformat(),
                }
            )
    session.merge(Setting(key=REVIEWS_SETTING, value=reviews[-MAX_REVIEWS:]))


@dataclass(frozen=True)
class DuplicateReview:
    application_id: str
    other_id: str
    noted_at: str


def duplicates_for_review(ctx: AppContext) -> list[DuplicateReview]:
    """Possible duplicates a field officer was not shown in detail; supervisors only."""
    require_role(ctx, Role.SUPERVISOR, Role.ADMINISTRATOR)
    with ctx.store.transaction() as session:
        row = session.get(Setting, REVIEWS_SETTING)
        reviews = list(row.value) if row is not None and row.value else []
    return [
        DuplicateReview(str(r["application_id"]), str(r["other_id"]), str(r.get("at", "")))
        for r in reviews
        if isinstance(r, dict) and "application_id" in r and "other_id" in r
    ]


def find_possible_duplicates(
    ctx: AppContext, application_id: str, answers: Mapping[str, Any]
) -> list[DuplicateCandidate]:
    """Others who may be the same person: a similar name in either script, a birth year within a
    few years, and the same commune when both are known. Decisions "not the same person" are kept."""
    with ctx.store.reading() as session:
        application = load_visible(session, ctx, application_id)
        derived = derive_columns(form_definition(application.form_id), answers)
        name_conditions = []
        if derived.name_km:
            name_conditions.append(Application.name_km == derived.name_km)
        # The registry search's name keys (app.core.name_match): a reading of the whole name in
        # common. The index finds candidates; the whole-name keys decide.
        keys = set(full_name_keys(derived.name_km, derived.name_latin))
        candidates = [
            other
            for other in session.scalars(
                select(Application).where(
                    Application.id != application_id,
                    or_(*name_conditions, Application.id.in_(_ids_matching_keys(sorted(keys))))
                    if (name_conditions or keys)
                    else false(),
                )
            ).all()
            if (derived.name_km and other.name_km == derived.name_km)
            or keys & set(full_name_keys(other.name_km, other.name_latin))
        ]
        decided = {
            (row.application_a, row.application_b)
            for row in session.scalars(
                select(NotDuplicateDecision).where(
                    or_(
                        NotDuplicateDecision.application_a == application_id,
                        NotDuplicateDecision.application_b == application_id,
                    )
                )
            )
        }
    found: list[DuplicateCandidate] = []
    hidden: list[str] = []
    sees_all = sees_all_records(ctx)
    me = ctx.officer.id if ctx.officer is not None else None
    for other in candidates:
        if tuple(sorted((application_id, other.id))) in decided:
            continue
        if not _birth_years_close(derived, other):
            continue
        if (
            derived.commune_code
            and other.commune_code
            and derived.commune_code != other.commune_code
        ):
            continue
        if not sees_all and other.created_by != me:
            # Another officer's applicant: no name, reference or birth year for a field officer.
            hidden.append(other.id)
            continue
        same_script = derived.name_km and other.name_km == derived.name_km
        reason = _("Same Khmer name") if same_script else _("Similar name")
        found.append(
            DuplicateCandidate(
                other.id,
                other.reference,
                other.name_km,
                other.name_latin,
                other.birth_year_min,
                other.birth_year_max,
                reason,
            )
        )
    if hidden:
        with ctx.store.transaction() as session:
            _note_for_review(session, application_id, hidden)
        found.append(_hidden_candidate())
    return found


def _ids_matching_keys(keys: Sequence[str]) -> Any:
    """Applications whose search text holds one of ``keys`` (three letters or more: the trigram
    index cannot look for less)."""
    usable = [k for k in keys if len(k) >= 3]
    if not usable:
        return select(Application.id).where(false())
    expression = " OR ".join(fts_phrase(k) for k in usable)
    return (
        select(text("application_id"))
        .select_from(text("application_search"))
        .where(text("application_search MATCH :k").bindparams(k=expression))
    )


def _birth_years_close(derived: DerivedColumns, other: Application) -> bool:
    if derived.birth_year_min is None or other.birth_year_min is None:
        return True  # unknown ages cannot rule a match out
    low = (derived.birth_year_min or 0) - BIRTH_YEAR_TOLERANCE
    high = (derived.birth_year_max or derived.birth_year_min) + BIRTH_YEAR_TOLERANCE
    other_high = other.birth_year_max or other.birth_year_min
    return other.birth_year_min <= high and other_high >= low


def mark_not_duplicate(ctx: AppContext, application_id: str, other_id: str) -> None:
    first, second = sorted((application_id, other_id))
    with ctx.store.transaction() as session:
        load_visible(session, ctx, application_id)
        session.merge(
            NotDuplicateDecision(
                application_a=first,
                application_b=second,
                decided_by=signed_in_id(ctx),
                decided_at=clock.utc_now(),
            )
        )
        record_audit(
            session, ctx, AuditAction.RECORD_EDIT, application_id, {"not_duplicate_of": other_id}
        )
