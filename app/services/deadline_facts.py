"""What the deadline count needs of a record's answers, kept as columns of its row.

The count of records close to a court deadline (app.services.followup) needs each record's case
(the answer with the ``court_case`` role) and whether it asks to be a civil party; decoding every
record's answers for that took seconds at 100,000 records. :func:`fact_columns` is the one place
that reads them from the answers; it runs wherever the derived columns are written (drafts,
finalising, corrections, bulk import, re-indexing: ``search_index.derived_values``).

Rows whose facts are not derived (``civil_party`` NULL: a store from before migration 0012, a
draft never saved, a form whose reading changed) are derived by :func:`derive_missing_facts`
before a count, in chunks of their own transaction, stopping between chunks when asked. A form's
reading is remembered as a fingerprint (the fields and choices the facts come from): when an app
update changes it, that form's rows are derived again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import Table, Text, and_, bindparam, func, select, type_coerce, update
from sqlalchemy.orm import Session

from app.core.errors import JobCancelled
from app.core.forms import ChoiceRole, FieldRole, FormDefinition
from app.core.record_court import CIVIL_PARTY_FORM
from app.i18n import _
from app.services import form_catalogue
from app.services.answer_values import fact_columns
from app.services.listing_plan import without_index
from app.store.db import Store
from app.store.models import Application, ApplicationVersion, Setting

FINGERPRINTS_SETTING = "deadline_facts.forms"
CHUNK = 1000


def form_fingerprint(form: FormDefinition) -> str:
    """What :func:`fact_columns` reads of ``form``: a change here means its rows are stale."""
    case = form.field_with_role(FieldRole.COURT_CASE)
    participation = form.field_with_role(FieldRole.PARTICIPATION)
    reading = {
        "civil_party_form": form.id == CIVIL_PARTY_FORM,
        "case_field": case.id if case is not None else None,
        "participation_field": participation.id if participation is not None else None,
        "civil_party_codes": sorted(
            c.code for c in participation.choices if c.role is ChoiceRole.CIVIL_PARTY
        )
        if participation is not None
        else [],
    }
    return hashlib.sha256(json.dumps(reading, sort_keys=True).encode()).hexdigest()[:16]


def _forget_changed_forms(session: Session) -> None:
    """Mark the rows of forms read differently since the facts were derived as not derived."""
    forms = form_catalogue.available_forms()
    now = {form_id: form_fingerprint(form) for form_id, form in forms.items()}
    row = session.get(Setting, FINGERPRINTS_SETTING)
    if row is not None and isinstance(row.value, dict):
        changed = sorted(f for f in set(now) | set(row.value) if row.value.get(f) != now.get(f))
        if changed:
            session.execute(
                update(Application)
                .where(Application.form_id.in_(changed), Application.civil_party.is_not(None))
                .values(civil_party=None)
                .execution_options(synchronize_session=False)
            )
    # No fingerprints yet (a new store, or just migrated: every row is not derived yet), or
    # new ones: rows are derived from here on with the forms as they are now.
    if row is None or row.value != now:
        session.merge(Setting(key=FINGERPRINTS_SETTING, value=now))


def fields_read(form: FormDefinition) -> tuple[str, ...]:
    """The ids of the fields :func:`fact_columns` reads (its case and its participation)."""
    found = (
        form.field_with_role(FieldRole.COURT_CASE),
        form.field_with_role(FieldRole.PARTICIPATION),
    )
    return tuple(item.id for item in found if item is not None)


def _answer_json(column: Any, field_id: str) -> Any:
    """One answer of a stored JSON document, as JSON text (SQLite's ``->``): the count never
    decodes a whole record's answers in Python for the two it needs."""
    return type_coerce(column, Text).op("->", return_type=Text)(f'$."{field_id}"')


def derive_missing_facts(store: Store, cancelled: Callable[[], bool] | None = None) -> int:
    """Derive the facts of rows that have none, CHUNK rows per transaction (a stopped run keeps
    the chunks done); returns how many rows were derived. Rows of a form that cannot be loaded
    stay without facts (the count leaves them out, as it always has: a damaged form file is
    reported elsewhere). Only the answers the facts are read from are taken out of each stored
    document (by SQLite), then given to :func:`fact_columns` as they were stored."""
    with store.transaction() as session:
        _forget_changed_forms(session)
    forms = form_catalogue.available_forms()
    read = sorted({f for form in forms.values() for f in fields_read(form)})
    version = ApplicationVersion.answers
    # The answers the count always read: the current version's if any, else the draft's.
    from_version = and_(
        version.is_not(None), func.json(type_coerce(version, Text)).not_in(("{}", "null"))
    )
    statement = (
        select(
            Application.id,
            Application.form_id,
            from_version.label("from_version"),
            *(_answer_json(version, f).label(f"version_{n}") for n, f in enumerate(read)),
            *(
                _answer_json(Application.draft_answers, f).label(f"draft_{n}")
                for n, f in enumerate(read)
            ),
        )
        .outerjoin(
            ApplicationVersion,
            and_(
                ApplicationVersion.application_id == Application.id,
                ApplicationVersion.version_no == Application.current_version,
            ),
        )
        # Only forms that load: every row read is derived, so none is read twice. The index of
        # rows to derive is by form, then by position in the table: read in the table's order.
        # The form is written "+": SQLite would otherwise read it from the form's own index
        # (migration 0015), every record of the store, at each start; the partial index holds
        # only the rows still to derive (none, once done).
        .where(
            Application.civil_party.is_(None),
            without_index(Application.form_id).in_(sorted(forms)),
        )
        .limit(CHUNK)
    )
    derived = 0
    while True:
        with store.transaction() as session:
            rows = session.execute(statement).all()
            if not rows:
                return derived
            if cancelled is not None and cancelled():  # a look per chunk to derive, none else
                raise JobCancelled(_("The count of records close to a deadline was stopped."))
            values = []
            for row in rows:
                form = forms[row.form_id]
                source = "version" if row.from_version else "draft"
                answers = {
                    field_id: json.loads(stored)
                    for n, field_id in enumerate(read)
                    if (stored := getattr(row, f"{source}_{n}")) is not None
                }
                values.append({"target": row.id, **fact_columns(form, answers)})
            if values:  # one prepared statement for the chunk (as court_statuses does)
                table = cast(Table, Application.__table__)
                session.execute(update(table).where(table.c.id == bindparam("target")), values)
            derived += len(values)
