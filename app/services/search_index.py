"""What is derived from an application's answers: the columns listed in the registry (names,
village, birth years, forum) and the row of the full-text search index.

The form definition decides which fields exist; the derived columns are found through the
``role`` each field declares in ``forms/*.yaml``, not through field ids in code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.core.approx_date import ApproxDate
from app.core.forms import FieldRole, FormDefinition
from app.core.khmer_text import normalize_for_search, normalize_name
from app.core.name_match import name_keys
from app.core.protection import ProtectionLevel, protection_level
from app.core.reference import prior_reference_key
from app.services.deadline_facts import fact_columns
from app.services.form_catalogue import form_definition
from app.services.word_index import add_words, remove_words
from app.store.models import Application


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
    protection_level: ProtectionLevel = ProtectionLevel.NONE
    search_terms: tuple[str, ...] = ()
    prior_reference_key: str | None = None  # the earlier number as a matching key


@dataclass(frozen=True)
class _FieldsRead:
    """The ids of the fields ``derive_columns`` reads, in form order, looked up once per form
    (``FormDefinition.worked_out``) instead of by going through every field for every record."""

    by_role: dict[FieldRole, tuple[str, ...]]
    searchable: tuple[str, ...]


def _fields_read(form: FormDefinition) -> _FieldsRead:
    by_role: dict[FieldRole, list[str]] = {}
    for f in form.all_fields():
        if f.role is not None:
            by_role.setdefault(f.role, []).append(f.id)
    return _FieldsRead(
        by_role={role: tuple(ids) for role, ids in by_role.items()},
        searchable=tuple(f.id for f in form.all_fields() if f.searchable),
    )


def _answers_with_role(
    form: FormDefinition, answers: Mapping[str, Any], role: FieldRole
) -> list[Any]:
    ids = form.worked_out("search_index_fields", _fields_read).by_role.get(role, ())
    return [answers[id_] for id_ in ids if answers.get(id_) not in (None, "")]


def derive_columns(form: FormDefinition, answers: Mapping[str, Any]) -> DerivedColumns:
    names = _answers_with_role(form, answers, FieldRole.APPLICANT_NAME)
    name_km = name_latin = ""
    if names and isinstance(names[0], Mapping):
        name_km = normalize_name(str(names[0].get("km") or ""))
        name_latin = normalize_name(str(names[0].get("latin") or ""))
    place: Mapping[str, Any] = {}
    places = _answers_with_role(form, answers, FieldRole.APPLICANT_ADDRESS)
    if places and isinstance(places[0], Mapping):
        place = places[0]
    birth_min = birth_max = None
    births = _answers_with_role(form, answers, FieldRole.APPLICANT_BIRTH)
    if births and isinstance(births[0], Mapping):
        try:
            birth = ApproxDate.from_dict(births[0])
            earliest, latest = birth.earliest(), birth.latest()
            birth_min = earliest.year if earliest else None
            birth_max = latest.year if latest else None
        except ValueError:
            pass
    priors = _answers_with_role(form, answers, FieldRole.PRIOR_REFERENCE)
    forums = _answers_with_role(form, answers, FieldRole.FORUM)
    level = protection_level(form, answers)
    terms: list[str] = []
    for field_id in form.worked_out("search_index_fields", _fields_read).searchable:
        value = answers.get(field_id)
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
        identity_protected=level is not ProtectionLevel.NONE,
        protection_level=level,
        search_terms=tuple(terms),
        prior_reference_key=prior_reference_key(str(priors[0])) if priors else None,
    )


def search_document(
    reference: str | None, derived: DerivedColumns, place_names: Iterable[str]
) -> str:
    """The text indexed for one application: names in both scripts, the phonetic keys of the
    name's usual Latin spellings (so Sopheap or Sophiep finds a name typed only in Khmer, see
    app.core.name_match), the reference and place names. Raise
    index_version.SEARCH_INDEX_VERSION when this changes: stores are then re-indexed."""
    return _with_reference(reference, *_search_parts(derived, place_names))


def _search_parts(
    derived: DerivedColumns, place_names: Iterable[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The search text's parts (normalised) that come from the answers: those before the
    reference, and those after it."""
    parts = [derived.name_km, derived.name_latin, *derived.search_terms, *place_names]
    keys = name_keys(derived.name_km, derived.name_latin)
    if keys:
        parts.append(" ".join(keys))
    # The earlier number as typed any way (D22/2-1234, d22 2 1234).
    after = [derived.prior_reference_key.replace("-", "")] if derived.prior_reference_key else []
    return (
        tuple(normalize_for_search(p) for p in parts if p),
        tuple(normalize_for_search(p) for p in after if p),
    )


def _with_reference(reference: str | None, before: tuple[str, ...], after: tuple[str, ...]) -> str:
    number = reference.replace("-", "") if reference else ""
    middle = (normalize_for_search(number),) if number else ()
    return " | ".join((*before, *middle, *after))


def place_names(codes: Iterable[str | None]) -> list[str]:
    from app.core.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    names: list[str] = []
    for code in codes:
        place = gazetteer.get(code) if code else None
        if place is not None:
            names.extend([place.name_km, place.name_latin])
    return names


@dataclass(frozen=True)
class AnswerValues:
    """What the registry keeps of an application's answers alone (not of its reference): the
    listing columns (by attribute name) and the search text's parts. A bulk import works these
    out on its second core, before the records have their numbers."""

    columns: dict[str, Any]
    before_reference: tuple[str, ...]
    after_reference: tuple[str, ...]

    def with_reference(self, reference: str | None) -> tuple[dict[str, Any], str]:
        """``derived_values`` of the application numbered ``reference``."""
        return dict(self.columns), _with_reference(
            reference, self.before_reference, self.after_reference
        )


def answer_values(form: FormDefinition, answers: Mapping[str, Any]) -> AnswerValues:
    derived = derive_columns(form, answers)
    # Keyed by the mapped attributes' names (the same as the columns').
    values = (
        (Application.name_km, derived.name_km),
        (Application.name_latin, derived.name_latin),
        (Application.province_code, derived.province_code),
        (Application.commune_code, derived.commune_code),
        (Application.village_code, derived.village_code),
        (Application.birth_year_min, derived.birth_year_min),
        (Application.birth_year_max, derived.birth_year_max),
        (Application.forum, derived.forum),
        (Application.identity_protected, derived.identity_protected),
        (Application.protection_level, derived.protection_level.value),
        (Application.prior_reference_key, derived.prior_reference_key),
    )
    columns = {attribute.key: value for attribute, value in values}
    columns.update(fact_columns(form, answers))  # what the deadline count reads
    places = place_names((derived.province_code, derived.commune_code, derived.village_code))
    return AnswerValues(columns, *_search_parts(derived, places))


def derived_values(
    form: FormDefinition, reference: str | None, answers: Mapping[str, Any]
) -> tuple[dict[str, Any], str]:
    """The listing columns of an application (by attribute name) and its search text."""
    return answer_values(form, answers).with_reference(reference)


def apply_derived(session: Session, application: Application, answers: Mapping[str, Any]) -> None:
    """Refresh the listing columns and the search text of ``application`` from ``answers``."""
    form = form_definition(application.form_id)
    columns, document = derived_values(form, application.reference, answers)
    for name, value in columns.items():
        setattr(application, name, value)
    replace_search_text(session, application.id, document)


def replace_search_text(session: Session, application_id: str, document: str) -> None:
    """Write ``document`` as the application's one row of the full-text index, replacing the
    row it had (found through ``search_index_rows``: see app.store.models.SearchRow), and its
    words in the word index (app.services.word_index)."""
    remove_search_text(session, application_id)
    session.execute(
        text("INSERT INTO application_search(application_id, content) VALUES (:id, :content)"),
        {"id": application_id, "content": document},
    )
    rowid = session.execute(
        text(
            "INSERT INTO search_index_rows (application_id, search_rowid, words_indexed) "
            "VALUES (:id, last_insert_rowid(), 1) RETURNING search_rowid"
        ),
        {"id": application_id},
    ).scalar_one()
    add_words(session, [(rowid, document)])


def remove_search_text(session: Session, application_id: str) -> None:
    """Delete the application's row of the full-text index, by its FTS5 rowid, and its words."""
    known = session.execute(
        text(
            "DELETE FROM search_index_rows WHERE application_id = :id "
            "RETURNING search_rowid, words_indexed"
        ),
        {"id": application_id},
    ).first()
    if known is None:
        return
    rowid, by_word = known
    if by_word == 1:
        content = session.execute(
            text("SELECT content FROM application_search WHERE rowid = :r"), {"r": rowid}
        ).scalar()
        if content is not None:
            remove_words(session, rowid, content)
    session.execute(text("DELETE FROM application_search WHERE rowid = :r"), {"r": rowid})


def add_search_texts(session: Session, documents: Sequence[tuple[str, str]]) -> None:
    """The index rows of new applications (id, search text), many at once (the bulk import):
    one INSERT for the texts, one for their keys and one each for the word index's rows and
    words, under rowids numbered after the last."""
    if not documents:
        return
    last = session.scalar(text("SELECT coalesce(max(rowid), 0) FROM application_search"))
    rows = [
        {"rowid": last + number, "id": application_id, "content": document}
        for number, (application_id, document) in enumerate(documents, start=1)
    ]
    session.execute(
        text(
            "INSERT INTO application_search(rowid, application_id, content) "
            "VALUES (:rowid, :id, :content)"
        ),
        rows,
    )
    session.execute(
        text(
            "INSERT INTO search_index_rows (application_id, search_rowid, words_indexed) "
            "VALUES (:id, :rowid, 1)"
        ),
        rows,
    )
    add_words(session, [(row["rowid"], row["content"]) for row in rows])


def fts_phrase(term: str) -> str:
    """``term`` as one FTS5 phrase (quotes doubled)."""
    return '"' + term.replace('"', '""') + '"'
