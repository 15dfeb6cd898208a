"""What the registry keeps of an application's answers: the columns listed in the registry
(names, village, birth years, forum, the deadline count's facts) and the text of its row in the
full-text search index (app.services.search_index writes them).

The form definition decides which fields exist; the derived columns are found through the
``role`` each field declares in ``forms/*.yaml``, not through field ids in code.

Nothing here touches the store, and this module imports neither SQLAlchemy nor the store's
models: a bulk import's worker process (app.services.import_checks) works these values out on
the second core, and starts the sooner for loading less (a test keeps it so).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from app.core.approx_date import ApproxDate
from app.core.forms import FieldRole, FormDefinition
from app.core.khmer_text import normalize_for_search, normalize_name
from app.core.name_match import name_keys
from app.core.protection import ProtectionLevel, protection_level
from app.core.record_court import answer_with_role, is_civil_party
from app.core.reference import prior_reference_key


def fact_columns(form: FormDefinition, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The deadline facts of one record, by column name (app.services.deadline_facts counts
    them): the case code it names as written (matched to the court's cases when counting, so a
    changed court file needs no rewrite) and whether it is a civil party application."""
    code = answer_with_role(form, answers, FieldRole.COURT_CASE)
    return {
        "court_case": code if isinstance(code, str) else None,
        "civil_party": is_civil_party(form, answers),
    }


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


# The listing columns among DerivedColumns' fields (named as the applications table's columns).
_LISTED = tuple(item.name for item in fields(DerivedColumns) if item.name != "search_terms")
_LEVEL = "protection_level"  # kept in the column by its value


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
    # Keyed by the applications table's column names, which are DerivedColumns' own (a test of
    # app.services.answer_values checks them against app.store.models.Application).
    columns: dict[str, Any] = {name: getattr(derived, name) for name in _LISTED}
    columns[_LEVEL] = derived.protection_level.value
    columns.update(fact_columns(form, answers))  # what the deadline count reads
    places = place_names((derived.province_code, derived.commune_code, derived.village_code))
    return AnswerValues(columns, *_search_parts(derived, places))


def derived_values(
    form: FormDefinition, reference: str | None, answers: Mapping[str, Any]
) -> tuple[dict[str, Any], str]:
    """The listing columns of an application (by attribute name) and its search text."""
    return answer_values(form, answers).with_reference(reference)
