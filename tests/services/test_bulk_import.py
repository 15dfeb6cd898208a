"""The bulk import writes every record exactly as the wizard's finalise does, chunk by chunk.

The same applications go into two real stores: one by start_application + finalize_application
(the wizard's path), one by import_applications. Every stored column, version digest, outbox
entry, audit entry, direct victim, link, remembered list and search text must be the same, ids
and times aside (ids are compared through what they point to).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest
from sqlalchemy import event, text

from app.core.approx_date import ApproxDate
from app.core.demo_answers import demo_answers
from app.core.forms import load_form
from app.i18n import set_language
from app.services import (
    bulk_import,
    error_log,
    finalising,
    form_catalogue,
    import_checks,
    people,
    records,
    search_index,
)
from app.services.audit import verify_audit_chain
from app.services.context import AppContext, open_app
from app.services.places import random_place
from app.sync.format import record_digest
from tests.officers import SUPERVISOR, add_officers

FATHER = {"km": "ឈឹម សុខុម", "latin": "Chhim Sokhom"}
TYPED_NAME = {"km": "\u200bសុខ\u200b\u200bសំណាង", "latin": "Sok Thome\u0301"}
CHOSEN_PERSON = "7d6c1c3e-0000-4000-8000-000000000001"  # chosen on another device
TIMES = {"created_at", "updated_at", "finalized_at", "at"}


def _open(home: Path) -> AppContext:
    ctx = open_app(home)
    add_officers(ctx, (SUPERVISOR,))
    ctx.officer = SUPERVISOR
    return ctx


@pytest.fixture
def two_stores(tmp_path: Path) -> Iterator[tuple[AppContext, AppContext]]:
    wizard, imported = _open(tmp_path / "wizard"), _open(tmp_path / "import")
    imported.device_id = wizard.device_id  # the same reference numbers in both
    yield wizard, imported
    wizard.close()
    imported.close()


def _items() -> list[tuple[str, dict[str, Any]]]:
    """Demo applications, with a family naming one father (written two ways), a person chosen
    on another device named twice, further victims, a forum typed two ways and a signature to
    be taken later."""
    rng = random.Random(20)
    father = {
        "applicant_status": "indirect_victim",
        "victim_name": FATHER,
        "victim_fate": "killed",
        "victim_birth_date": ApproxDate.from_year(1940, approximate=True).to_dict(),
        "victim_relationship": "child",
    }
    sister = {"other_victim_relationship": "sibling", "other_victim_name": FATHER}
    overrides: list[dict[str, Any]] = [
        father,
        {**father, "victim_name": {"km": "ឈឹម\u200bសុខុម", "latin": "CHHIM Sokhom"}},
        {**father, people.PERSON_ID_KEY: CHOSEN_PERSON},
        {"intake_forum": "Forum Batheay 2026"},
        {"signature_mark": "to_be_taken"},
        {**father, "other_victims": [{**sister, "other_victim_fate": "disappeared"}] * 2},
        # Typed text that normalising changes too: stray U+200B, a decomposed Latin letter.
        {"intake_forum": "forum  BATHEAY 2026", "applicant_name": TYPED_NAME},
        {**father, people.PERSON_ID_KEY: CHOSEN_PERSON, "victim_relationship": "sibling"},
        father,
    ]
    items = []
    for number in range(30):
        form = form_catalogue.form_definition(("complaint", "civil_party")[number % 2])
        extra = overrides[number % len(overrides)] if number % 3 == 0 or number < 9 else {}
        items.append((form.id, demo_answers(form, rng, pick_place=random_place, overrides=extra)))
    return items


def _rows(ctx: AppContext, table: str, order: str) -> list[dict[str, Any]]:
    with ctx.store.transaction() as session:
        result = session.execute(text(f"SELECT * FROM {table} ORDER BY {order}"))
        return [dict(row._mapping) for row in result]


def _canonical(ctx: AppContext) -> dict[str, Any]:
    """Everything stored, with ids replaced by what they name and times left out."""
    applications = _rows(ctx, "applications", "reference")
    names = {row["id"]: row["reference"] for row in applications}
    versions = _rows(ctx, "application_versions", "created_at")
    for version in versions:
        names[version["id"]] = names[version["application_id"]] + "/v1"
    people_ids: dict[str, str] = {}

    def person(person_id: str) -> str:
        return people_ids.setdefault(person_id, f"person {len(people_ids)}")

    def plain(row: dict[str, Any]) -> dict[str, Any]:
        return {
            key: names.get(value, value) if isinstance(value, str) else value
            for key, value in row.items()
            if key not in TIMES and key not in ("id", "seq", "entry_hash", "prev_hash")
        }

    stored_versions = []
    for version in sorted(versions, key=lambda v: names[v["id"]]):
        payload = records.payload_from_columns(
            (
                version["id"],
                version["application_id"],
                names[version["application_id"]],
                next(a["form_id"] for a in applications if a["id"] == version["application_id"]),
                version["form_version"],
                version["version_no"],
                _json(version["answers"]),
                version["reason"],
                _time(version["created_at"]),
                version["created_by"],
            )
        )
        assert version["content_sha256"] == record_digest(payload)  # sealed as sync reads it
        answers = _json(version["answers"])
        if people.PERSON_ID_KEY in answers:
            answers[people.PERSON_ID_KEY] = person(answers[people.PERSON_ID_KEY])
        for item in answers.get("other_victims") or []:
            item[people.ITEM_PERSON_KEY] = person(item[people.ITEM_PERSON_KEY])
        # The digest was checked above; it covers ids and times, so it differs between stores.
        stored_versions.append({**plain(version), "answers": answers, "content_sha256": None})
    links = [
        {**plain(link), "person_id": person(link["person_id"])}
        for link in _rows(ctx, "person_links", "application_id, position")
    ]
    persons = sorted(
        ({**plain(p), "id": person(p["id"])} for p in _rows(ctx, "persons", "rowid")),
        key=lambda p: str(p["id"]),
    )
    outbox = sorted(
        (plain(row) for row in _rows(ctx, "outbox", "created_at")),
        key=lambda row: str(row["version_id"]),
    )
    search = sorted(
        (plain(row) for row in _rows(ctx, "application_search", "application_id")),
        key=lambda row: str(row["application_id"]),
    )
    audit = [plain(row) for row in _rows(ctx, "audit_log", "seq")]
    settings = {
        row["key"]: _json(row["value"])
        for row in _rows(ctx, "settings", "key")
        if row["key"] not in ("device_id", "audit_checkpoint")
    }
    checkpoint = next(
        _json(row["value"])
        for row in _rows(ctx, "settings", "key")
        if row["key"] == "audit_checkpoint"
    )
    seqs = [row["seq"] for row in _rows(ctx, "audit_log", "seq")]
    return {
        "applications": [plain(row) for row in applications],
        "versions": stored_versions,
        "outbox": outbox,
        "search": search,
        "audit": audit,
        "audit_seqs": seqs,
        "checkpoint": (checkpoint["seq"], checkpoint["count"]),
        "persons": persons,
        "links": sorted(links, key=str),
        "settings": settings,
    }


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _time(value: Any) -> Any:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


class _Watched(import_checks.ChunkChecks):
    """The worker checks of one import, kept to see how many records the worker checked."""

    made: ClassVar[list[import_checks.ChunkChecks]] = []

    def __init__(self) -> None:
        super().__init__()
        self.made.append(self)
        self.started = False

    def start(self) -> None:
        self.started = True
        super().start()


def _watch(monkeypatch: pytest.MonkeyPatch, second_core: bool) -> None:
    """Imports from here on use the second core or not, and are watched."""
    monkeypatch.setattr(import_checks, "SECOND_CORE", second_core)
    monkeypatch.setattr(_Watched, "made", [])
    monkeypatch.setattr(bulk_import, "ChunkChecks", _Watched)


def _checked_apart() -> int:
    return sum(checks.records_checked_apart for checks in _Watched.made)


@pytest.mark.parametrize("second_core", [True, False], ids=["second core", "one core"])
def test_import_stores_every_record_as_the_wizard_finalises_it(
    two_stores: tuple[AppContext, AppContext], monkeypatch: pytest.MonkeyPatch, second_core: bool
) -> None:
    wizard, imported = two_stores
    items = _items()
    for form_id, answers in items:
        application_id = records.start_application(wizard, form_id)
        records.finalize_application(wizard, application_id, answers)
    monkeypatch.setattr(bulk_import, "IMPORT_CHUNK", 7)  # chunks meet people of earlier ones
    _watch(monkeypatch, second_core)
    assert records.import_applications(imported, items) == len(items)
    # The first chunk is checked while the worker starts; with a second core, all the others
    # were checked on it.
    assert _checked_apart() == (len(items) - 7 if second_core else 0)

    by_wizard, by_import = _canonical(wizard), _canonical(imported)
    # The one intended difference: the first audit entry of each record says where it came from.
    for entry in by_wizard["audit"]:
        if entry["action"] == "record_create":
            assert entry["details"] in ('{"form": "complaint"}', '{"form": "civil_party"}')
            entry["details"] = '{"import": true}'
    for key in by_wizard:
        assert by_import[key] == by_wizard[key], key
    # What was compared is what the import is about (not two empty stores).
    assert len(by_import["applications"]) == len(items)
    statuses = {row["status"] for row in by_import["applications"]}
    assert statuses == {"final", records.AWAITING_SIGNATURE}
    assert len(by_import["persons"]) < len(by_import["links"])  # a family shares its father
    assert any(p["id"] for p in by_import["persons"])
    assert {"remembered.intake_forum", "reference_sequence"} <= set(by_import["settings"])
    for ctx in (wizard, imported):
        assert verify_audit_chain(ctx).intact
    with imported.store.transaction() as session:
        untimed = session.execute(
            text(
                "SELECT count(*) FROM applications WHERE created_at IS NULL OR updated_at IS NULL "
                "OR finalized_at IS NULL OR updated_at < created_at"
            )
        ).scalar()
        assert untimed == 0  # times are left out of the comparison, not out of the rows
        chosen = session.execute(
            text("SELECT count(*) FROM person_links WHERE person_id = :id"), {"id": CHOSEN_PERSON}
        ).scalar()
    assert chosen == 2


def test_one_insert_per_table_per_chunk(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    inserts: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT"):
            inserts.append(statement.split("(")[0].split()[-1].strip('"'))

    monkeypatch.setattr(bulk_import, "IMPORT_CHUNK", 10)
    event.listen(ctx.store.engine, "before_cursor_execute", note)
    items = _items()[:20]
    records.import_applications(ctx, items)
    event.remove(ctx.store.engine, "before_cursor_execute", note)
    for table in ("applications", "application_versions", "outbox", "audit_log"):
        assert inserts.count(table) == 2, (table, inserts)
    assert inserts.count("application_search") == 2
    assert inserts.count("persons") <= 2 and inserts.count("person_links") <= 2


def _stuck_chunk(records: Any) -> Any:
    """A worker's check that never answers in time (run in the worker process, by reference)."""
    time.sleep(120)
    return [None for _ in records]


def test_a_worker_that_does_not_answer_does_not_stall_the_import(
    two_stores: tuple[AppContext, AppContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    wizard, imported = two_stores
    items = _items()[:21]
    for form_id, answers in items:
        records.finalize_application(wizard, records.start_application(wizard, form_id), answers)
    monkeypatch.setattr(bulk_import, "IMPORT_CHUNK", 7)
    # Long enough for the worker to be started and given the chunk even on a loaded machine.
    monkeypatch.setattr(import_checks, "REPLY_WAIT_S", 5.0)
    monkeypatch.setattr(import_checks, "_check_chunk", _stuck_chunk)
    _watch(monkeypatch, second_core=True)
    workers: list[Any] = []
    # The worker process, noted when the import gives up on it.
    stop = import_checks.ChunkChecks._stop

    def noting_stop(checks: import_checks.ChunkChecks) -> None:
        processes = getattr(checks._pool, "_processes", None) or {}
        stop(checks)
        workers.extend(processes.values())

    monkeypatch.setattr(import_checks.ChunkChecks, "_stop", noting_stop)
    started = time.monotonic()
    assert records.import_applications(imported, items) == len(items)
    # One wait for the stuck worker, then the import checks every chunk itself.
    assert time.monotonic() - started < 60
    assert _checked_apart() == 0
    assert [checks._pool for checks in _Watched.made] == [None]
    # The stuck worker was ended, not left sleeping beside the app.
    assert len(workers) == 1
    workers[0].join(10)
    assert not workers[0].is_alive()
    by_wizard, by_import = _canonical(wizard), _canonical(imported)
    for key in ("applications", "persons", "links"):
        assert by_import[key] == by_wizard[key], key
    assert verify_audit_chain(imported).intact


@pytest.mark.parametrize("chunks", [2, 3])
def test_a_worker_is_started_only_for_three_chunks_or_more(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch, chunks: int
) -> None:
    monkeypatch.setattr(bulk_import, "IMPORT_CHUNK", 4)
    _watch(monkeypatch, second_core=True)
    items = _items()[: 4 * chunks - 1]  # the last chunk one short
    done: list[int] = []
    assert records.import_applications(ctx, items, progress=done.append) == len(items)
    # Reading ahead to know does not change the progress reported, chunk by chunk.
    assert done == [min(4 * n, len(items)) for n in range(1, chunks + 1)]
    started = [checks.started for checks in _Watched.made if isinstance(checks, _Watched)]
    assert started == [chunks >= 3]
    assert _checked_apart() == (len(items) - 4 if chunks >= 3 else 0)
    with ctx.store.transaction() as session:
        assert session.execute(text("SELECT count(*) FROM applications")).scalar() == len(items)
    assert verify_audit_chain(ctx).intact


def test_the_worker_gets_a_form_text_only_if_it_reads_as_the_apps_form(tmp_path: Path) -> None:
    bundled = form_catalogue.form_definition("complaint")
    assert bundled.source is not None
    copy = tmp_path / "complaint.yaml"
    copy.write_text(Path(bundled.source).read_text(encoding="utf-8"), encoding="utf-8")
    loaded = load_form(copy)
    assert import_checks._form_text(loaded) == copy.read_text(encoding="utf-8")
    changed = load_form(copy)
    copy.write_text(copy.read_text(encoding="utf-8").replace("version: ", "version: 9"), "utf-8")
    assert import_checks._form_text(changed) is None  # the file no longer reads as the form
    # Worked out once per form the app loaded: the first import's texts serve the later ones.
    first = import_checks._form_texts()
    assert first and import_checks._form_texts() == first


def _broken(items: list[tuple[str, dict[str, Any]]], number: int) -> None:
    form_id, answers = items[number - 1]
    items[number - 1] = (form_id, {k: v for k, v in answers.items() if k != "applicant_name"})


@pytest.mark.parametrize("second_core", [True, False], ids=["second core", "one core"])
def test_a_record_that_fails_rolls_back_its_chunk_and_is_named(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch, second_core: bool
) -> None:
    monkeypatch.setattr(bulk_import, "IMPORT_CHUNK", 5)
    monkeypatch.setattr(import_checks, "SECOND_CORE", second_core)
    items = _items()[:15]
    _broken(items, 8)
    done: list[int] = []
    with pytest.raises(records.ValidationFailed) as raised:
        records.import_applications(ctx, items, progress=done.append)
    assert isinstance(raised.value, bulk_import.ImportRecordFailed)
    assert raised.value.number == 8
    assert "៨" in str(raised.value)  # Khmer first, with Khmer digits
    assert raised.value.issues and all(i.severity == "error" for i in raised.value.issues)
    assert done == [5]
    with ctx.store.transaction() as session:
        count = session.execute(text("SELECT count(*) FROM applications")).scalar()
        indexed = session.execute(text("SELECT count(*) FROM application_search")).scalar()
        audited = session.execute(text("SELECT count(*) FROM audit_log")).scalar()
    assert (count, indexed, audited) == (5, 5, 10)  # the first chunk stays, the second is gone
    assert verify_audit_chain(ctx).intact
    set_language("en")
    with pytest.raises(bulk_import.ImportRecordFailed, match="Record 3 of the import") as again:
        records.import_applications(ctx, items[5:10])  # counted from the start of this import
    assert "Name of the applicant" in str(again.value)  # the field, in the officer's language


def test_an_unknown_form_is_named_too(ctx: AppContext) -> None:
    set_language("en")
    items = _items()[:3]
    items.append(("no_such_form", {}))
    with pytest.raises(bulk_import.ImportRecordFailed, match=r"Record 4.*no_such_form"):
        records.import_applications(ctx, items)


def test_cancel_stops_before_the_next_chunk(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk_import, "IMPORT_CHUNK", 4)
    done: list[int] = []
    imported = records.import_applications(
        ctx, _items()[:12], progress=done.append, cancelled=lambda: len(done) >= 2
    )
    assert (imported, done) == (8, [4, 8])
    with ctx.store.transaction() as session:
        assert session.execute(text("SELECT count(*) FROM applications")).scalar() == 8


def test_a_named_import_run_again_adds_only_what_was_not_saved(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk_import, "IMPORT_CHUNK", 5)
    items = _items()[:15]
    fixed = list(items)
    _broken(items, 8)
    with pytest.raises(bulk_import.ImportRecordFailed):
        records.import_applications(ctx, items, source="forum sheets 2026-11")
    done: list[int] = []
    # Run again with record 8 put right: the first chunk is there already, the rest is added.
    again = records.import_applications(
        ctx, fixed, progress=done.append, source="forum sheets 2026-11"
    )
    assert (again, done) == (10, [5, 10, 15])
    assert records.import_applications(ctx, fixed, source="forum sheets 2026-11") == 0
    with ctx.store.transaction() as session:
        rows = session.execute(
            text("SELECT id, reference FROM applications ORDER BY reference")
        ).all()
        indexed = session.execute(text("SELECT count(*) FROM application_search")).scalar()
        versions = session.execute(text("SELECT count(*) FROM application_versions")).scalar()
    assert len(rows) == indexed == versions == 15
    assert [row.id for row in rows] == [
        bulk_import.source_record_id(ctx.device_id, "forum sheets 2026-11", number)
        for number in range(1, 16)
    ]
    assert len({row.reference for row in rows}) == 15
    assert verify_audit_chain(ctx).intact
    # Another source (or another laptop) is a different import, saved apart.
    assert records.import_applications(ctx, fixed[:2], source="forum sheets 2026-12") == 2
    assert bulk_import.source_record_id("other device", "forum sheets 2026-11", 1) != rows[0].id


def test_a_record_the_worker_cannot_take_is_checked_here_and_named(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk_import, "IMPORT_CHUNK", 5)
    _watch(monkeypatch, True)
    items = _items()[:15]
    form_id, answers = items[12]
    # Not text, and cannot be sent to another process: the worker's checks of that chunk fail,
    # so the import checks it itself and names the record, as it would on one core.
    items[12] = (form_id, {**answers, "applicant_phone": lambda: "012 345 678"})
    set_language("en")
    notes: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = notes.append  # type: ignore[method-assign]
    logger = logging.getLogger(error_log.LOGGER_NAME)
    logger.addHandler(handler)
    try:
        with pytest.raises(bulk_import.ImportRecordFailed, match="Record 13 of the import"):
            records.import_applications(ctx, items)
    finally:
        logger.removeHandler(handler)
    assert _checked_apart() == 5  # the second chunk was checked on the worker, the third not
    # The office's log says so (what the frozen build's smoke test reads), and says why by the
    # error's type only: its message could carry an answer.
    logged = [note.getMessage() for note in notes]
    assert "bulk import: 5 of 10 records checked on the second core" in logged
    assert any(m.startswith("bulk import: a chunk was not checked on the") for m in logged)
    assert not any("012 345 678" in m for m in logged)
    with ctx.store.transaction() as session:
        assert session.execute(text("SELECT count(*) FROM applications")).scalar() == 10


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {"applicant_name": FATHER, "zz": [1, True, None], "aa": 'ក\u200bខ "quoted" \\ /'},
        {"answers": {"answers": "nested"}, "application_id": "inside the answers"},
    ],
    ids=["empty", "Khmer and escapes", "payload keys inside"],
)
def test_sealed_answers_are_the_canonical_answers_and_the_record_digest(
    answers: dict[str, Any],
) -> None:
    row = ("v", "a", "R-1", "complaint", 3, 1, answers, None, datetime(2026, 11, 30, 1, 2), "o")
    text_, digest = finalising.sealed_answers(row)
    assert json.loads(text_) == answers
    assert digest == record_digest(records.payload_from_columns(row))


def test_what_the_worker_sends_back_stands_for_the_checked_record() -> None:
    """The second core's short answer (only what normalising changed, and the keys the skip
    logic left out) gives back exactly the normalised and effective answers, types and all."""
    changed = 0
    for form_id, raw in _items():
        form = form_catalogue.form_definition(form_id)
        checked = import_checks.checked_record(form, raw)
        told = import_checks._told(form, raw)
        heard = import_checks._heard(raw, told)
        assert isinstance(checked, tuple) and isinstance(told, tuple) and isinstance(heard, tuple)
        assert heard == (*checked, search_index.answer_values(form, checked[0]))
        assert json.dumps(heard[:2], sort_keys=True) == json.dumps(checked, sort_keys=True)
        assert [list(part) for part in heard[:2]] == [list(part) for part in checked]  # key order
        assert heard[2].with_reference("R-1") == search_index.derived_values(form, "R-1", heard[0])
        changed += bool(told[0])
    assert changed  # some records were normalised (not only passed through)
    assert not import_checks._same({"a": 1}, {"a": True})  # equal, but not the same type
    assert not import_checks._same(["x"], ("x",))
