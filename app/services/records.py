"""Applications from first draft to acknowledgement: drafts, finalising, corrections, listing, search.

Every change is one transaction that also writes what belongs with it: the audit entry, the search
index row, and (for a finalised version) the outbox row for sync. The form definition in
``forms/*.yaml`` decides which fields exist; the few derived columns (names, village, birth years)
are found through the ``role`` each field declares there, not through field ids in code.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Select, and_, column, delete, false, func, or_, select, table, text
from sqlalchemy.orm import Session

from app.core.approx_date import ApproxDate
from app.core.forms import FormDefinition, FormError, load_form
from app.core.forms.loader import form_files
from app.core.forms.validation import FieldIssue, minimum_content_issues, validate_answers
from app.core.khmer_text import (
    is_khmer,
    latin_search_key,
    normalize_for_search,
    normalize_name,
    romanize_khmer,
)
from app.core.reference import new_reference, normalize_reference
from app.core.resources import forms_dir
from app.i18n import N_, _
from app.services import people
from app.services.audit import AuditAction, record_audit
from app.services.context import AppContext
from app.services.security import PermissionDenied, Role, ensure_unlocked, require_role
from app.store.models import (
    Application,
    ApplicationVersion,
    NotDuplicateDecision,
    OutboxItem,
    Setting,
)
from app.sync.format import record_digest

STATUSES = ("draft", "final", "printed", "synced", "acknowledged")
# How each status is shown (msgids, translated where shown).
STATUS_LABELS: dict[str, str] = {
    "draft": N_("Draft"),
    "final": N_("Final"),
    "printed": N_("Printed"),
    "synced": N_("Synced"),
    "acknowledged": N_("Acknowledged"),
}
# What the central office reports back about a record (sync brings these).
COURT_STATUS_LABELS: dict[str, str] = {
    "received": N_("Received"),
    "forwarded": N_("Forwarded"),
    "admitted": N_("Admitted"),
    "rejected": N_("Rejected"),
    "lawyer_assigned": N_("Lawyer assigned"),
}
REFERENCE_SEQUENCE_KEY = "reference_sequence"


class RecordError(Exception):
    """A use case cannot go ahead; the message is translated and safe to show."""


class ValidationFailed(RecordError):
    def __init__(self, issues: Sequence[FieldIssue]) -> None:
        super().__init__(_("The application has problems to fix before it can be finalised."))
        self.issues = list(issues)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# --- forms -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _LoadedForms:
    forms: dict[str, FormDefinition]
    problems: tuple[str, ...]


@lru_cache(maxsize=4)
def _forms_in(folder: Path) -> _LoadedForms:
    """Every good form of ``folder``; a damaged file is left out and reported, so one bad file
    never stops the app (officers keep working with the other forms)."""
    forms: dict[str, FormDefinition] = {}
    problems: list[str] = []
    for path in form_files(folder):
        try:
            form = load_form(path)
        except FormError as error:
            problems.extend(str(problem) for problem in error.problems)
            continue
        if form.id in forms:
            problems.append(f"{path}: form id '{form.id}' is used twice")
            continue
        forms[form.id] = form
    return _LoadedForms(forms, tuple(problems))


def available_forms(folder: Path | None = None) -> dict[str, FormDefinition]:
    """The form definitions the app offers (damaged files are left out; see form_file_problems)."""
    return _forms_in(folder or forms_dir()).forms


def form_file_problems(folder: Path | None = None) -> list[str]:
    """What is wrong with form files that could not be loaded (file, line, field path, problem)."""
    return list(_forms_in(folder or forms_dir()).problems)


def form_definition(form_id: str) -> FormDefinition:
    forms = available_forms()
    if form_id not in forms:
        raise RecordError(_("Unknown form: {form_id}").format(form_id=form_id))
    return forms[form_id]


# --- derived columns and the search index ------------------------------------------------------


@dataclass(frozen=True)
class DerivedColumns:
    name_km: str = ""
    name_latin: str = ""
    province_code: str | None = None
    commune_code: str | None = None
    village_code: str | None = None
    birth_year_min: int | None = None
    birth_year_max: int | None = None
    forum: str | None = None
    identity_protected: bool = False
    search_terms: tuple[str, ...] = ()


def _answers_with_role(form: FormDefinition, answers: Mapping[str, Any], role: str) -> list[Any]:
    return [
        answers[f.id]
        for f in form.all_fields()
        if f.role == role and answers.get(f.id) not in (None, "")
    ]


def derive_columns(form: FormDefinition, answers: Mapping[str, Any]) -> DerivedColumns:
    names = _answers_with_role(form, answers, "applicant_name")
    name_km = name_latin = ""
    if names and isinstance(names[0], Mapping):
        name_km = normalize_name(str(names[0].get("km") or ""))
        name_latin = normalize_name(str(names[0].get("latin") or ""))
    place: Mapping[str, Any] = {}
    places = _answers_with_role(form, answers, "applicant_address")
    if places and isinstance(places[0], Mapping):
        place = places[0]
    birth_min = birth_max = None
    births = _answers_with_role(form, answers, "applicant_birth")
    if births and isinstance(births[0], Mapping):
        try:
            birth = ApproxDate.from_dict(births[0])
            earliest, latest = birth.earliest(), birth.latest()
            birth_min = earliest.year if earliest else None
            birth_max = latest.year if latest else None
        except ValueError:
            pass
    forums = _answers_with_role(form, answers, "forum")
    protection = _answers_with_role(form, answers, "identity_protection")
    terms: list[str] = []
    for f in form.all_fields():
        if not f.searchable:
            continue
        value = answers.get(f.id)
        if isinstance(value, Mapping):
            terms.extend(str(v) for v in value.values() if isinstance(v, str) and v)
        elif isinstance(value, str) and value:
            terms.append(value)
    return DerivedColumns(
        name_km=name_km,
        name_latin=name_latin,
        province_code=place.get("province"),
        commune_code=place.get("commune"),
        village_code=place.get("village"),
        birth_year_min=birth_min,
        birth_year_max=birth_max,
        forum=str(forums[0]) if forums else None,
        identity_protected=bool(protection and protection[0] in (True, "yes")),
        search_terms=tuple(terms),
    )


def search_document(
    reference: str | None, derived: DerivedColumns, place_names: Iterable[str]
) -> str:
    """The text indexed for one application: names in both scripts, a romanised key of the Khmer
    name (so a Latin query finds a name typed only in Khmer), the reference and place names."""
    parts = [derived.name_km, derived.name_latin, *derived.search_terms, *place_names]
    keys = {latin_search_key(p) for p in (derived.name_latin, romanize_khmer(derived.name_km)) if p}
    parts.extend(sorted(k for k in keys if k))
    if reference:
        parts.append(reference.replace("-", ""))
    return " | ".join(normalize_for_search(p) for p in parts if p)


def _place_names(codes: Iterable[str | None]) -> list[str]:
    from app.core.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    names: list[str] = []
    for code in codes:
        place = gazetteer.get(code) if code else None
        if place is not None:
            names.extend([place.name_km, place.name_latin])
    return names


def _apply_derived(session: Session, application: Application, answers: Mapping[str, Any]) -> None:
    form = form_definition(application.form_id)
    derived = derive_columns(form, answers)
    application.name_km = derived.name_km
    application.name_latin = derived.name_latin
    application.province_code = derived.province_code
    application.commune_code = derived.commune_code
    application.village_code = derived.village_code
    application.birth_year_min = derived.birth_year_min
    application.birth_year_max = derived.birth_year_max
    application.forum = derived.forum
    application.identity_protected = derived.identity_protected
    document = search_document(
        application.reference,
        derived,
        _place_names((derived.province_code, derived.commune_code, derived.village_code)),
    )
    session.execute(
        text("DELETE FROM application_search WHERE application_id = :id"), {"id": application.id}
    )
    session.execute(
        text("INSERT INTO application_search(application_id, content) VALUES (:id, :content)"),
        {"id": application.id, "content": document},
    )


# --- permissions -------------------------------------------------------------------------------


def _signed_in_id(ctx: AppContext) -> str | None:
    return ctx.officer.id if ctx.officer else None


def _check_can_see(ctx: AppContext, application: Application) -> None:
    officer = ctx.officer
    if officer is None:
        return  # tools and tests without a signed-in officer (plain store)
    if officer.role == Role.FIELD_OFFICER and application.created_by != officer.id:
        raise PermissionDenied(_("This record belongs to another officer."))


def visible_applications(statement: Select[Any], ctx: AppContext) -> Select[Any]:
    """Restrict a query on applications to what the signed-in officer may see."""
    ensure_unlocked(ctx)
    officer = ctx.officer
    if officer is not None and officer.role == Role.FIELD_OFFICER:
        return statement.where(Application.created_by == officer.id)
    return statement


def load_visible(session: Session, ctx: AppContext, application_id: str) -> Application:
    """The application, if the signed-in officer may see it (RecordError/PermissionDenied)."""
    ensure_unlocked(ctx)
    application = session.get(Application, application_id)
    if application is None:
        raise RecordError(_("No such application."))
    _check_can_see(ctx, application)
    return application


# --- drafts ------------------------------------------------------------------------------------


def _new_draft(
    session: Session, ctx: AppContext, form: FormDefinition, details: dict[str, Any]
) -> Application:
    """A new draft application of ``form`` by the signed-in officer, audited as created."""
    now = _now()
    application = Application(
        id=str(uuid.uuid4()),
        form_id=form.id,
        form_version=form.version,
        status="draft",
        created_by=_signed_in_id(ctx),
        created_at=now,
        updated_at=now,
        draft_answers={},
    )
    session.add(application)
    session.flush()
    record_audit(session, ctx, AuditAction.RECORD_CREATE, application.id, details)
    return application


def start_application(ctx: AppContext, form_id: str) -> str:
    ensure_unlocked(ctx)
    form = form_definition(form_id)
    with ctx.store.transaction() as session:
        return _new_draft(session, ctx, form, {"form": form.id}).id


def save_draft(ctx: AppContext, application_id: str, answers: Mapping[str, Any]) -> None:
    """Autosave: the draft answers replace the previous draft, atomically and durably."""
    with ctx.store.transaction() as session:
        application = load_visible(session, ctx, application_id)
        if application.status != "draft":
            raise RecordError(_("This application is final; make a correction instead."))
        application.draft_answers = dict(answers)
        application.updated_at = _now()
        _apply_derived(session, application, answers)


@dataclass(frozen=True)
class DraftSummary:
    id: str
    form_id: str
    name_km: str
    name_latin: str
    updated_at: datetime


def drafts_to_resume(ctx: AppContext) -> list[DraftSummary]:
    """The signed-in officer's unfinished drafts, newest first."""
    statement = select(Application).where(Application.status == "draft")
    if ctx.officer is not None:
        statement = statement.where(Application.created_by == ctx.officer.id)
    with ctx.store.transaction() as session:
        rows = session.scalars(statement.order_by(Application.updated_at.desc())).all()
        return [DraftSummary(a.id, a.form_id, a.name_km, a.name_latin, a.updated_at) for a in rows]


def discard_draft(ctx: AppContext, application_id: str) -> None:
    with ctx.store.transaction() as session:
        application = load_visible(session, ctx, application_id)
        if application.status != "draft":
            raise RecordError(_("Only a draft can be discarded."))
        session.execute(
            text("DELETE FROM application_search WHERE application_id = :id"),
            {"id": application_id},
        )
        session.execute(
            delete(NotDuplicateDecision).where(
                or_(
                    NotDuplicateDecision.application_a == application_id,
                    NotDuplicateDecision.application_b == application_id,
                )
            )
        )
        session.delete(application)
        record_audit(session, ctx, AuditAction.RECORD_EDIT, application_id, {"discarded": True})


# --- finalising and corrections ----------------------------------------------------------------


def check_application(form: FormDefinition, answers: Mapping[str, Any]) -> list[FieldIssue]:
    """Field problems and the court's minimum content, as the wizard's review page shows them."""
    return [*validate_answers(form, dict(answers)), *minimum_content_issues(form, dict(answers))]


def _blocking(issues: Iterable[FieldIssue]) -> list[FieldIssue]:
    return [issue for issue in issues if issue.severity == "error"]


def _next_reference(session: Session, device_id: str) -> str:
    row = session.get(Setting, REFERENCE_SEQUENCE_KEY)
    sequence = int(row.value) + 1 if row is not None else 1
    session.merge(Setting(key=REFERENCE_SEQUENCE_KEY, value=sequence))
    return new_reference(device_id, sequence)


def _add_version(
    session: Session,
    ctx: AppContext,
    application: Application,
    answers: Mapping[str, Any],
    reason: str | None,
) -> ApplicationVersion:
    now = _now()
    version_no = application.current_version + 1
    version = ApplicationVersion(
        id=str(uuid.uuid4()),
        application_id=application.id,
        version_no=version_no,
        form_version=application.form_version,
        answers=dict(answers),
        reason=reason,
        created_by=_signed_in_id(ctx),
        created_at=now,
        content_sha256="",
    )
    version.content_sha256 = record_digest(version_payload(application, version))
    session.add(version)
    application.current_version = version_no
    application.updated_at = now
    session.flush()
    # The outbox row is written in the same transaction as the version: no version can miss sync.
    session.add(OutboxItem(version_id=version.id, state="pending", attempts=0, created_at=now))
    return version


def version_payload(application: Application, version: ApplicationVersion) -> dict[str, Any]:
    """One finalised version as the sync format carries it (see app/sync/format.py)."""
    return {
        "version_id": version.id,
        "application_id": application.id,
        "reference": application.reference,
        "form_id": application.form_id,
        "form_version": version.form_version,
        "version_no": version.version_no,
        "answers": version.answers,
        "reason": version.reason,
        "created_at": version.created_at.isoformat(),
        "created_by": version.created_by,
    }


def _finalize_in(
    session: Session, ctx: AppContext, application: Application, answers: Mapping[str, Any]
) -> str:
    if application.status != "draft":
        raise RecordError(_("This application is already final."))
    form = form_definition(application.form_id)
    blocking = _blocking(check_application(form, answers))
    if blocking:
        raise ValidationFailed(blocking)
    application.reference = _next_reference(session, ctx.device_id)
    application.status = "final"
    application.finalized_at = _now()
    application.draft_answers = None
    # The direct victim becomes a person of their own, shared by every applicant who names them.
    answers = people.on_finalized(session, ctx, application, answers)
    _add_version(session, ctx, application, answers, reason=None)
    _apply_derived(session, application, answers)
    record_audit(session, ctx, AuditAction.RECORD_FINALIZE, application.id)
    return application.reference


def finalize_application(ctx: AppContext, application_id: str, answers: Mapping[str, Any]) -> str:
    """Lock the draft as version 1 and give it its reference number. Raises ValidationFailed."""
    with ctx.store.transaction() as session:
        application = load_visible(session, ctx, application_id)
        return _finalize_in(session, ctx, application, answers)


IMPORT_CHUNK = 500


def import_applications(
    ctx: AppContext,
    items: Iterable[tuple[str, Mapping[str, Any]]],
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Enter many finished applications (paper forms typed in later, demo data): each is
    validated and finalised exactly as in the wizard, several hundred per transaction so a
    large import does not pay one disk flush per record. A chunk that fails rolls back whole;
    chunks already committed stay. Returns how many were imported."""
    ensure_unlocked(ctx)
    done = 0
    pending = list(items)
    for start in range(0, len(pending), IMPORT_CHUNK):
        if cancelled is not None and cancelled():
            break
        chunk = pending[start : start + IMPORT_CHUNK]
        with ctx.store.transaction() as session:
            for form_id, answers in chunk:
                application = _new_draft(session, ctx, form_definition(form_id), {"import": True})
                _finalize_in(session, ctx, application, answers)
        done += len(chunk)
        if progress is not None:
            progress(done)
    return done


def correct_application(
    ctx: AppContext, application_id: str, answers: Mapping[str, Any], reason: str
) -> int:
    """A correction of a final record: a new version with its reason; earlier versions are kept."""
    require_role(ctx, Role.SUPERVISOR, Role.ADMINISTRATOR)
    if not reason.strip():
        raise RecordError(_("A correction needs a reason."))
    with ctx.store.transaction() as session:
        application = load_visible(session, ctx, application_id)
        if application.status == "draft":
            raise RecordError(_("A draft is edited directly; corrections are for final records."))
        form = form_definition(application.form_id)
        blocking = _blocking(check_application(form, answers))
        if blocking:
            raise ValidationFailed(blocking)
        # The family link follows the corrected victim details (same person kept when linked).
        answers = people.on_finalized(session, ctx, application, answers)
        version = _add_version(session, ctx, application, answers, reason=reason.strip())
        # A correction must reach the central office again before the record counts as synced.
        if application.status in ("synced", "acknowledged"):
            application.status = "final"
        _apply_derived(session, application, answers)
        record_audit(
            session, ctx, AuditAction.RECORD_EDIT, application.id, {"version": version.version_no}
        )
        return version.version_no


def mark_printed(ctx: AppContext, application_id: str) -> None:
    with ctx.store.transaction() as session:
        application = load_visible(session, ctx, application_id)
        if application.status == "final":
            application.status = "printed"
            application.updated_at = _now()


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionSummary:
    version_no: int
    reason: str | None
    created_at: datetime
    created_by: str | None


@dataclass(frozen=True)
class ApplicationDetail:
    id: str
    form_id: str
    status: str
    reference: str | None
    answers: dict[str, Any]
    name_km: str
    name_latin: str
    identity_protected: bool
    court_status: str | None
    created_at: datetime
    finalized_at: datetime | None
    versions: list[VersionSummary] = field(default_factory=list)


def get_application(ctx: AppContext, application_id: str, audit: bool = True) -> ApplicationDetail:
    with ctx.store.transaction() as session:
        application = load_visible(session, ctx, application_id)
        versions = session.scalars(
            select(ApplicationVersion)
            .where(ApplicationVersion.application_id == application_id)
            .order_by(ApplicationVersion.version_no)
        ).all()
        answers = (
            dict(application.draft_answers or {})
            if application.status == "draft"
            else dict(versions[-1].answers if versions else {})
        )
        if audit:
            record_audit(session, ctx, AuditAction.RECORD_VIEW, application_id)
        return ApplicationDetail(
            id=application.id,
            form_id=application.form_id,
            status=application.status,
            reference=application.reference,
            answers=answers,
            name_km=application.name_km,
            name_latin=application.name_latin,
            identity_protected=application.identity_protected,
            court_status=application.court_status,
            created_at=application.created_at,
            finalized_at=application.finalized_at,
            versions=[
                VersionSummary(v.version_no, v.reason, v.created_at, v.created_by) for v in versions
            ],
        )


def find_by_reference(ctx: AppContext, typed: str) -> str | None:
    reference = normalize_reference(typed)
    if reference is None:
        return None
    with ctx.store.transaction() as session:
        statement = visible_applications(
            select(Application.id).where(Application.reference == reference), ctx
        )
        return session.scalar(statement)


# --- the registry: listing, filtering, search --------------------------------------------------

SORT_COLUMNS = {
    "updated": Application.updated_at,
    "name_km": Application.name_km,
    "name_latin": Application.name_latin,
    "reference": Application.reference,
    "status": Application.status,
}


@dataclass(frozen=True)
class RegistryQuery:
    search: str = ""
    status: str | None = None
    form_id: str | None = None
    forum: str | None = None
    village_code: str | None = None
    sort: str = "updated"
    descending: bool = True


@dataclass(frozen=True)
class RegistryRow:
    id: str
    reference: str | None
    name_km: str
    name_latin: str
    form_id: str
    status: str
    court_status: str | None
    updated_at: datetime
    identity_protected: bool


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


# Above this many matches a search is listed in index order instead of sorted: sorting would
# mean reading every match, and an officer narrows a search by typing more, not by scrolling.
SEARCH_SORT_LIMIT = 500

SEARCH_INDEX = table("application_search", column("application_id"), column("content"))


def _search_clause(search: str) -> Any:
    """A condition on the search index for ``search``: Khmer or Latin substrings (FTS5 trigram
    for three or more characters, LIKE below that), a romanised key, or a reference number."""
    term = normalize_for_search(search)
    if not term:
        return None
    reference = normalize_reference(search)
    if reference:
        # A complete reference number finds exactly that record (a romanised key of it would
        # drop the digits and match every record of the same laptop).
        candidates = {normalize_for_search(reference.replace("-", ""))}
    else:
        candidates = {term}
        key = latin_search_key(term) if not is_khmer(term) else ""
        if key:
            candidates.add(key)
    ordered = sorted(candidates)
    if all(len(c) >= 3 for c in ordered):
        # One MATCH with FTS5's own OR: a MATCH cannot be OR-ed with other SQL conditions.
        expression = " OR ".join(_fts_phrase(c) for c in ordered)
        return text("application_search MATCH :search_q").bindparams(search_q=expression)
    likes = []
    params: dict[str, str] = {}
    for index, candidate in enumerate(ordered):
        escaped = candidate.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params[f"search_like{index}"] = f"%{escaped}%"
        likes.append(f"application_search.content LIKE :search_like{index} ESCAPE '\\'")
    return text("(" + " OR ".join(likes) + ")").bindparams(**params)


def _filters(query: RegistryQuery) -> list[Any]:
    filters = []
    if query.status:
        filters.append(Application.status == query.status)
    if query.form_id:
        filters.append(Application.form_id == query.form_id)
    if query.forum:
        filters.append(Application.forum == query.forum)
    if query.village_code:
        filters.append(Application.village_code == query.village_code)
    return filters


def _registry_statement(
    ctx: AppContext, query: RegistryQuery, columns: Sequence[Any]
) -> Select[Any]:
    """Matching applications, with the search as an IN (sub-select): for sorted listings."""
    statement = visible_applications(select(*columns), ctx)
    filters = _filters(query)
    clause = _search_clause(query.search) if query.search else None
    if clause is not None:
        filters.append(Application.id.in_(select(SEARCH_INDEX.c.application_id).where(clause)))
    if filters:
        statement = statement.where(and_(*filters))
    return statement


def _streamed_statement(
    ctx: AppContext, query: RegistryQuery, columns: Sequence[Any], clause: Any
) -> Select[Any]:
    """Matching applications driven from the search index, so LIMIT stops early."""
    statement = select(*columns).select_from(
        SEARCH_INDEX.join(Application, Application.id == SEARCH_INDEX.c.application_id)
    )
    statement = visible_applications(statement, ctx).where(clause, *_filters(query))
    return statement


def _capped_count(ctx: AppContext, query: RegistryQuery, clause: Any, cap: int) -> int:
    inner = _streamed_statement(ctx, query, [Application.id], clause).limit(cap)
    with ctx.store.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(inner.subquery())) or 0)


def count_registry(ctx: AppContext, query: RegistryQuery) -> int:
    """How many applications match; for a search, at most SEARCH_SORT_LIMIT + 1 (more than the
    limit means "many": the list then shows them unsorted, see search_is_broad)."""
    clause = _search_clause(query.search) if query.search else None
    if clause is not None:
        return _capped_count(ctx, query, clause, SEARCH_SORT_LIMIT + 1)
    statement = _registry_statement(ctx, query, [func.count(Application.id)])
    with ctx.store.transaction() as session:
        return int(session.scalar(statement) or 0)


def known_forums(ctx: AppContext) -> list[str]:
    """The forums named in the applications this officer may see (for the registry filter)."""
    with ctx.store.transaction() as session:
        statement = visible_applications(select(Application.forum).distinct(), ctx)
        return sorted(forum for forum in session.scalars(statement) if forum)


def search_is_broad(count: int) -> bool:
    return count > SEARCH_SORT_LIMIT


REGISTRY_COLUMNS = (
    Application.id,
    Application.reference,
    Application.name_km,
    Application.name_latin,
    Application.form_id,
    Application.status,
    Application.court_status,
    Application.updated_at,
    Application.identity_protected,
)


def list_registry(
    ctx: AppContext,
    query: RegistryQuery,
    offset: int,
    limit: int,
    known_count: int | None = None,
) -> list[RegistryRow]:
    """One page of the registry; the Qt model fetches pages as the officer scrolls.
    ``known_count`` is count_registry's answer for the same query, if the caller has it."""
    clause = _search_clause(query.search) if query.search else None
    if clause is not None and known_count is None:
        known_count = _capped_count(ctx, query, clause, SEARCH_SORT_LIMIT + 1)
    if clause is not None and known_count is not None and search_is_broad(known_count):
        statement = _streamed_statement(ctx, query, REGISTRY_COLUMNS, clause)
    else:
        order = SORT_COLUMNS.get(query.sort, Application.updated_at)
        statement = _registry_statement(ctx, query, REGISTRY_COLUMNS).order_by(
            order.desc() if query.descending else order.asc(), Application.id
        )
    with ctx.store.transaction() as session:
        rows = session.execute(statement.offset(offset).limit(limit)).all()
    return [RegistryRow(*row) for row in rows]


# --- possible duplicates -----------------------------------------------------------------------


@dataclass(frozen=True)
class DuplicateCandidate:
    id: str
    reference: str | None
    name_km: str
    name_latin: str
    birth_year_min: int | None
    birth_year_max: int | None
    reason: str


BIRTH_YEAR_TOLERANCE = 3


def find_possible_duplicates(
    ctx: AppContext, application_id: str, answers: Mapping[str, Any]
) -> list[DuplicateCandidate]:
    """Others who may be the same person: a similar name in either script, a birth year within a
    few years, and the same commune when both are known. Decisions "not the same person" are kept."""
    with ctx.store.transaction() as session:
        application = load_visible(session, ctx, application_id)
        derived = derive_columns(form_definition(application.form_id), answers)
        name_conditions = []
        if derived.name_km:
            name_conditions.append(Application.name_km == derived.name_km)
        keys = {
            latin_search_key(derived.name_latin),
            latin_search_key(romanize_khmer(derived.name_km)),
        }
        keys.discard("")
        candidates = session.scalars(
            select(Application).where(
                Application.id != application_id,
                or_(*name_conditions, *(Application.id.in_(_ids_matching_key(k)) for k in keys))
                if (name_conditions or keys)
                else false(),
            )
        ).all()
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
    return found


def _ids_matching_key(key: str) -> Any:
    return (
        select(text("application_id"))
        .select_from(text("application_search"))
        .where(text("application_search MATCH :k").bindparams(k=_fts_phrase(key)))
        if len(key) >= 3
        else select(Application.id).where(false())
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
                decided_by=_signed_in_id(ctx),
                decided_at=_now(),
            )
        )
        record_audit(
            session, ctx, AuditAction.RECORD_EDIT, application_id, {"not_duplicate_of": other_id}
        )


__all__ = [
    "COURT_STATUS_LABELS",
    "STATUSES",
    "STATUS_LABELS",
    "ApplicationDetail",
    "DraftSummary",
    "DuplicateCandidate",
    "RecordError",
    "RegistryQuery",
    "RegistryRow",
    "ValidationFailed",
    "available_forms",
    "check_application",
    "correct_application",
    "count_registry",
    "discard_draft",
    "drafts_to_resume",
    "finalize_application",
    "find_by_reference",
    "find_possible_duplicates",
    "form_definition",
    "get_application",
    "list_registry",
    "mark_not_duplicate",
    "mark_printed",
    "save_draft",
    "start_application",
]
