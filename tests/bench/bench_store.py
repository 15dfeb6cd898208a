"""The bench's store: a signed-in store of many final applications, built once per run.

500 applications go through the real import (validation, reference numbers, versions, outbox,
audit, search index), then their rows are copied with SQL alone under new ids, names and
references until the count is reached (add_copies), so search and listing see realistic, varied
data without waiting for a million validations. The copy is a benchmark fixture only; the app
never writes records that way. Used by bench_app (search, list, memory), and by the start-up,
wizard, deadline and security benches through it.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from sqlalchemy import text

from app.core.demo_answers import FAMILY_NAMES, GIVEN_NAMES, demo_answers
from app.core.name_match import name_keys
from app.services import form_catalogue, records, word_index
from app.services.accounts import first_run_setup
from app.services.context import AppContext
from app.store.db import PAGE_CACHE_KIB

RECORDS = int(os.environ.get("VSS_BENCH_RECORDS", "100000"))
SEED_RECORDS = 500  # through the real import (validation, index); the rest is copied
PASSWORD = "bench password 1"


def build_store(home: Path, count: int = RECORDS) -> AppContext:
    """A signed-in store holding ``count`` final applications (see the module docstring)."""
    ctx, _code = first_run_setup(home, "bench", "Bench", PASSWORD, "Bench laptop", "km")
    rng = random.Random(7)
    forms = list(form_catalogue.available_forms().values())
    seed = min(SEED_RECORDS, count)
    items = [(f.id, demo_answers(f, rng)) for f in (rng.choice(forms) for _ in range(seed))]
    records.import_applications(ctx, items)
    add_copies(ctx, count - seed)
    return ctx


COPY_CHUNK = 50_000
# The copies go into a dozen indexes at scattered places (ids, names, the trigram index): with
# the app's 32 MB page cache the same pages were spilled, read back and encrypted again (10 GB
# written for 1.7 GB of WAL at 1,000,000 records). The copying connection gets a cache the size
# of a large store meanwhile; what is written is the same.
COPY_CACHE_KIB = 2 * 1024 * 1024


def add_copies(ctx: AppContext, copies: int) -> None:
    """Copy the imported applications ``copies`` times with SQL alone (INSERT ... SELECT over a
    generated series): new ids, references, names (all FAMILY_NAMES x GIVEN_NAMES, with their
    phonetic keys in the search text) and change times one second apart; their words are then
    indexed in Python (word_index: 20-25 s of CPU per 100,000). 200,000 records: 53 s of CPU for
    the copies (80 s with the app's page cache), 43 s for the words."""
    with ctx.store.transaction() as session:
        connection = session.connection().connection.dbapi_connection
        assert connection is not None
        connection.execute(f"PRAGMA cache_size=-{COPY_CACHE_KIB}")
        done = int(
            session.scalar(
                text("SELECT count(*) FROM applications WHERE reference LIKE 'VSS-BNCH-%'")
            )
            or 0
        )
        sources = session.execute(
            text(
                "SELECT a.id, s.content FROM applications a "
                "JOIN application_search s ON s.application_id = a.id "
                "WHERE a.reference NOT LIKE 'VSS-BNCH-%'"
            )
        ).all()
        columns = [
            row[1]
            for row in session.execute(text("PRAGMA table_info(applications)"))
            if row[1] not in ("id", "reference", "name_km", "name_latin", "updated_at")
        ]
        session.execute(
            text("CREATE TEMP TABLE bench_sources (k INTEGER PRIMARY KEY, id, content)")
        )
        session.execute(
            text("INSERT INTO bench_sources VALUES (:k, :id, :content)"),
            [
                {"k": k, "id": source_id, "content": _without_reference(content)}
                for k, (source_id, content) in enumerate(sources)
            ],
        )
        names = [(f"{fk} {gk}", f"{fl} {gl}") for fk, fl in FAMILY_NAMES for gk, gl in GIVEN_NAMES]
        session.execute(
            text("CREATE TEMP TABLE bench_names (k INTEGER PRIMARY KEY, km, latin, doc)")
        )
        session.execute(
            text("INSERT INTO bench_names VALUES (:k, :km, :latin, :doc)"),
            [
                {
                    "k": k,
                    "km": km,
                    "latin": latin,
                    "doc": f"{km} | {latin.lower()} | {' '.join(name_keys(km, latin))}",
                }
                for k, (km, latin) in enumerate(names)
            ],
        )
        listed = ", ".join(f"a.{name}" for name in columns)
        for first in range(done, done + copies, COPY_CHUNK):
            last = min(first + COPY_CHUNK, done + copies) - 1
            session.execute(
                text(
                    "CREATE TEMP TABLE bench_new AS WITH RECURSIVE n(v) AS "
                    "(SELECT :first UNION ALL SELECT v + 1 FROM n WHERE v < :last) "
                    "SELECT v, lower(hex(randomblob(16))) AS id, v % :sources AS src, "
                    "(v * 7919) % :names AS name FROM n"
                ),
                {"first": first, "last": last, "sources": len(sources), "names": len(names)},
            )
            joined = (
                "FROM bench_new g JOIN bench_sources s ON s.k = g.src "
                "JOIN bench_names nm ON nm.k = g.name "
            )
            session.execute(
                text(
                    f"INSERT INTO applications (id, reference, name_km, name_latin, updated_at, "
                    f"{', '.join(columns)}) SELECT g.id, printf('VSS-BNCH-%06d', g.v), nm.km, "
                    "nm.latin, strftime('%Y-%m-%d %H:%M:%f', a.updated_at, "
                    f"'-' || (g.v + 1) || ' seconds') || '000', {listed} "
                    f"{joined} JOIN applications a ON a.id = s.id"
                )
            )
            before = session.scalar(text("SELECT coalesce(max(rowid), 0) FROM application_search"))
            session.execute(
                text(
                    "INSERT INTO application_search (application_id, content) SELECT g.id, "
                    "nm.doc || ' | ' || s.content || ' | ' || printf('vssbnch%06d', g.v) " + joined
                )
            )
            # Which index row is whose, as the app keeps it (app.store.models.SearchRow).
            session.execute(
                text(
                    "INSERT INTO search_index_rows (application_id, search_rowid) "
                    "SELECT application_id, rowid FROM application_search WHERE rowid > :before"
                ),
                {"before": before},
            )
            session.execute(text("DROP TABLE bench_new"))
        session.execute(text("DROP TABLE bench_sources"))
        session.execute(text("DROP TABLE bench_names"))
    # The copies' words, as a store from before migration 0013 gets them when opened.
    word_index.index_pending_words(ctx.store)
    connection.execute(f"PRAGMA cache_size=-{PAGE_CACHE_KIB}")  # as the app's connections


def _without_reference(content: str) -> str:
    """The copied index text minus the source's own reference number."""
    parts = content.split(" | ")
    return " | ".join(p for p in parts if not (p.startswith("vss") and " " not in p))
