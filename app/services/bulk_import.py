"""Many finished applications at once: paper forms typed in later, demo data.

Each record is validated and finalised exactly as the wizard's finalise makes it (the same
checks, reference numbers, version digest, outbox row, audit entries, direct victims, remembered
lists, registry columns and search text; tests/services/test_bulk_import.py compares both ways
column by column), but the rows are written a chunk at a time: one multi-row insert per table,
one read and one write of the reference counter, the audit checkpoint and the remembered lists,
and one commit per chunk. A large import thus pays neither one disk flush nor a dozen ORM
round trips per record.

A chunk that fails rolls back whole and the error names the record (its number in the import);
chunks already committed stay. Cancelling stops before the next chunk. An import given a
``source`` (a name that stays the same when it is run again) can be run again after a failure:
each record's id is made from the device, the source and the record's number in it, and records
whose id is stored already are skipped, so the re-run adds only what was not saved.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from app.core import clock
from app.core.forms import FormDefinition
from app.core.forms.validation import FieldIssue
from app.core.reference import new_reference
from app.i18n import _, current_language, format_number
from app.services import import_checks
from app.services.access import signed_in_id
from app.services.audit import AuditAction, AuditChain
from app.services.context import AppContext
from app.services.epoch import reference_device_id
from app.services.errors import RecordError
from app.services.finalising import (
    REFERENCE_SEQUENCE_KEY,
    ValidationFailed,
    final_status,
    sealed_answers,
)
from app.services.form_catalogue import form_definition
from app.services.import_checks import ChunkChecks, Found, checked_record
from app.services.people_batch import VictimLinks
from app.services.remembered import RememberedLists
from app.services.search_index import AnswerValues, add_search_texts, derived_values
from app.services.security import ensure_unlocked
from app.store.driver_rows import insert_through_driver
from app.store.models import Application, ApplicationVersion, AuditEntry, OutboxItem, Setting

IMPORT_CHUNK = 500
# The namespace of the ids of records imported from a named source (uuid5 of device, source and
# record number): the same on every run of the same import on this device, unlike uuid4.
_SOURCE_IDS = uuid.UUID("5f0d2c4e-8a7b-4f1e-9c3d-2b6a1e0f7d91")


class ImportRecordFailed(ValidationFailed):
    """One record of an import cannot be finalised; its chunk was rolled back."""

    def __init__(
        self, number: int, form: FormDefinition | None, issues: Sequence[FieldIssue], reason: str
    ) -> None:
        super().__init__(issues)
        self.number = number
        lang = current_language()
        problems = [
            f"{form.field(issue.field_id).label.get(lang)}: {issue.message.get(lang)}"
            if form is not None and form.has_field(issue.field_id)
            else issue.message.get(lang)
            for issue in issues
        ]
        self.message = _(
            "Record {number} of the import cannot be finalised, so the records imported "
            "with it were not saved: {problems}"
        ).format(number=format_number(number), problems="; ".join(problems or [reason]))
        self.args = (self.message,)


def import_applications(
    ctx: AppContext,
    items: Iterable[tuple[str, Mapping[str, Any]]],
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    source: str | None = None,
) -> int:
    """Enter many finished applications, ``IMPORT_CHUNK`` per transaction (see the module
    docstring). Raises ImportRecordFailed naming the first record that cannot be finalised.
    ``source``: the import's name, to skip records a run of it saved before (``progress`` counts
    them with the others). Returns how many were imported."""
    ensure_unlocked(ctx)
    done = imported = 0
    pending = iter(items)
    checks = ChunkChecks()
    words_written: set[str] = set()  # in the word index's vocabulary (committed chunks)
    chunk: list[tuple[str, Mapping[str, Any]]] | None = None  # taken already
    ahead: Future[list[Found | None]] | None = None  # its checks, on the worker
    try:
        while True:
            if cancelled is not None and cancelled():
                break
            if chunk is None:
                chunk = list(itertools.islice(pending, IMPORT_CHUNK))
            if not chunk:
                break
            # The next chunk is checked on the second core while this one is written.
            following = list(itertools.islice(pending, IMPORT_CHUNK))
            if following and done == 0 and import_checks.use_second_core():
                pending = _start_if_worth_it(checks, pending)
            following_checks = checks.submit(following) if following else None
            with ctx.store.transaction() as session:
                imported += _import_chunk(
                    session, ctx, done + 1, chunk, source, checks.results(ahead), words_written
                )
            done += len(chunk)
            if progress is not None:
                progress(done)
            chunk, ahead = following, following_checks
    finally:
        checks.close(done)
    return imported


def _start_if_worth_it(
    checks: ChunkChecks, pending: Iterator[tuple[str, Mapping[str, Any]]]
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Start the worker if the import has ``WORKER_MIN_CHUNKS`` chunks or more (two are taken
    already); the records read ahead to know are kept in front of the rest."""
    wanted = max(import_checks.WORKER_MIN_CHUNKS - 2, 0) * IMPORT_CHUNK
    ahead = list(itertools.islice(pending, wanted))
    if ahead or not wanted:
        checks.start()
    return itertools.chain(ahead, pending)


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


def source_record_id(device_id: str, source: str, number: int) -> str:
    """The id of record ``number`` (from 1) of the import named ``source`` on this device."""
    return str(uuid.uuid5(_SOURCE_IDS, f"{device_id}\x1f{source}\x1f{number}"))


def _checked(
    number: int,
    form: FormDefinition | RecordError,
    raw: Mapping[str, Any],
    found: Found | None,
) -> tuple[FormDefinition, dict[str, Any], dict[str, Any], AnswerValues | None]:
    """The form, the normalised answers and their effective answers (skip logic applied) of
    record ``number``, or ImportRecordFailed; and the answers' registry values if the worker
    worked them out. ``found``: the worker's checks, if it made them."""
    if isinstance(form, RecordError):
        raise ImportRecordFailed(number, None, [], str(form)) from form
    if found is None:
        try:
            checked = checked_record(form, raw)
        except RecordError as error:
            raise ImportRecordFailed(number, form, [], str(error)) from error
        if isinstance(checked, list):
            raise ImportRecordFailed(number, form, checked, "")
        return form, *checked, None
    if isinstance(found, list):
        raise ImportRecordFailed(number, form, found, "")
    return form, *found


def _forms(
    chunk: Sequence[tuple[str, Mapping[str, Any]]],
) -> dict[str, FormDefinition | RecordError]:
    """Each form the chunk names, looked up once (or why it cannot be)."""
    forms: dict[str, FormDefinition | RecordError] = {}
    for form_id, _answers in chunk:
        if form_id not in forms:
            try:
                forms[form_id] = form_definition(form_id)
            except RecordError as error:
                forms[form_id] = error
    return forms


def _not_stored(
    session: Session, ctx: AppContext, first: int, count: int, source: str | None
) -> list[tuple[int, str]]:
    """(number, id) of the chunk's records to import: all, with new random ids, or for a named
    source those whose id is not stored yet."""
    numbers = range(first, first + count)
    if source is None:
        return [(number, str(uuid.uuid4())) for number in numbers]
    ids = [(number, source_record_id(ctx.device_id, source, number)) for number in numbers]
    stored = set(
        session.scalars(
            select(Application.id).where(Application.id.in_([id_ for _number, id_ in ids]))
        )
    )
    return [(number, id_) for number, id_ in ids if id_ not in stored]


def _import_chunk(
    session: Session,
    ctx: AppContext,
    first: int,
    chunk: list[tuple[str, Mapping[str, Any]]],
    source: str | None,
    found: Sequence[Found | None] | None,
    words_written: set[str],
) -> int:
    forms = _forms(chunk)
    wanted = _not_stored(session, ctx, first, len(chunk), source)
    if not wanted:
        return 0
    checked = [
        _checked(
            number,
            forms[chunk[number - first][0]],
            chunk[number - first][1],
            None if found is None else found[number - first],
        )
        for number, _id in wanted
    ]
    officer_id = signed_in_id(ctx)
    counter = session.get(Setting, REFERENCE_SEQUENCE_KEY)
    sequence = int(counter.value) if counter is not None else 0
    device_id = reference_device_id(session, ctx.device_id)
    chain = AuditChain.at_end_of(session)
    victims = VictimLinks(session, [record[:3] for record in checked])
    remembered = RememberedLists(session)
    applications: list[dict[str, Any]] = []
    versions: list[dict[str, Any]] = []
    outbox: list[dict[str, Any]] = []
    audit: list[dict[str, Any]] = []
    search: list[tuple[str, str]] = []
    for number, ((_number, application_id), (form, answers, _effective, values)) in enumerate(
        zip(wanted, checked, strict=True)
    ):
        audit.append(
            chain.next_entry(
                officer_id, AuditAction.RECORD_CREATE, application_id, {"import": True}
            )
        )
        sequence += 1
        reference = new_reference(device_id, sequence)
        status = final_status(form, answers)
        answers = victims.link(number, application_id, answers)
        moment = clock.utc_now()
        version_id = str(uuid.uuid4())
        sealed = (version_id, application_id, reference, form.id, form.version, 1, answers)
        answers_text, digest = sealed_answers((*sealed, None, moment, officer_id))
        columns, document = (
            values.with_reference(reference)  # from the worker: the answers before linking,
            if values is not None  # which adds person ids no registry value is made of
            else derived_values(form, reference, answers)
        )
        applications.append(
            {
                "id": application_id,
                "form_id": form.id,
                "form_version": form.version,
                "status": status,
                "reference": reference,
                "created_by": officer_id,
                "created_at": moment,
                "updated_at": moment,
                "finalized_at": moment,
                "draft_answers": None,
                "current_version": 1,
                **columns,
            }
        )
        versions.append(
            {
                "id": version_id,
                "application_id": application_id,
                "version_no": 1,
                "form_version": form.version,
                "answers": answers_text,
                "reason": None,
                "created_by": officer_id,
                "created_at": moment,
                "content_sha256": digest,
            }
        )
        outbox.append(
            {"version_id": version_id, "state": "pending", "attempts": 0, "created_at": moment}
        )
        search.append((application_id, document))
        remembered.remember(form, answers)
        audit.append(chain.next_entry(officer_id, AuditAction.RECORD_FINALIZE, application_id))
    # Parents before children: the foreign keys are checked row by row.
    insert_through_driver(session, _table(Application), applications)
    victims.write()
    # The answers as the JSON text their seal was made of (not encoded again for the column).
    insert_through_driver(session, _table(ApplicationVersion), versions, stored_as_is=("answers",))
    insert_through_driver(session, _table(OutboxItem), outbox)
    insert_through_driver(session, _table(AuditEntry), audit)
    add_search_texts(session, search, words_written)
    session.merge(Setting(key=REFERENCE_SEQUENCE_KEY, value=sequence))
    remembered.write()
    chain.write_checkpoint(session)
    return len(checked)
