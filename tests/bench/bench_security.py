"""Security costs: how long unlocking takes with the real Argon2id parameters, what SQLCipher
encryption costs on a 10,000-row insert compared with plain SQLite (same schema and pragmas), and
how long rotating the database key, making a backup (snapshot re-encrypted with the backup's own
key) and restoring it (re-encrypted again with a fresh store key) take at 100,000 records
(VSS_BENCH_RECORDS), against a plain copy of the same file as the baseline.

Run: ``.venv/bin/python -m tests.bench.bench_security`` (prints the figures).
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

from app.store.db import Store
from app.store.keyring import FAST_KDF_ENV, Keyring, new_database_key
from app.store.models import Application

ROWS = 10_000
UNLOCK_RUNS = 3


def _unlock_seconds(folder: Path) -> float:
    saved = os.environ.pop(FAST_KDF_ENV, None)  # always the real parameters here
    try:
        Keyring.create(folder, "bench", "bench password")
        keyring = Keyring.load(folder)
        times = []
        for _ in range(UNLOCK_RUNS):
            start = time.perf_counter()
            keyring.unwrap("bench", "bench password")
            times.append(time.perf_counter() - start)
        return statistics.median(times)
    finally:
        if saved is not None:
            os.environ[FAST_KDF_ENV] = saved


def _insert_seconds(path: Path, key: bytes | None, rows: int) -> float:
    store = Store(path, key)
    try:
        now = datetime(2026, 1, 1)
        start = time.perf_counter()
        with store.transaction() as session:
            session.add_all(
                Application(
                    id=str(uuid.uuid4()),
                    form_id="complaint",
                    form_version=1,
                    status="draft",
                    created_at=now,
                    updated_at=now,
                    draft_answers={"applicant_name": {"km": "សុខ ដារ៉ា", "latin": f"Sok Dara {n}"}},
                    name_km="សុខ ដារ៉ា",
                    name_latin=f"sok dara {n}",
                )
                for n in range(rows)
            )
        return time.perf_counter() - start
    finally:
        store.close()


def rekey_seconds(folder: Path, records: int) -> dict[str, float]:
    """Rotate the key of a store holding ``records`` applications; baseline: copying the file."""
    from app.services.backup import create_backup
    from app.services.key_rotation import rotate_database_key
    from app.services.restore import RestoreCredentials, restore_backup
    from app.store.location import database_path
    from tests.bench.bench_app import PASSWORD, build_store

    os.environ[FAST_KDF_ENV] = "1"  # the key derivation is not what is measured here
    ctx = build_store(folder / "home", records)
    try:
        db = database_path(ctx.home)
        with ctx.store.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        start = time.perf_counter()
        shutil.copyfile(db, folder / "copy.db")
        copy = time.perf_counter() - start
        steps: list[int] = []
        result = rotate_database_key(ctx, "bench", lambda done, total: steps.append(done))
        size_mb = db.stat().st_size / 1e6
        start = time.perf_counter()
        backup = create_backup(ctx, folder / "usb")
        backup_seconds = time.perf_counter() - start
    finally:
        ctx.close()
    start = time.perf_counter()
    restore_backup(backup, folder / "restored", RestoreCredentials("bench", PASSWORD))
    restore_seconds = time.perf_counter() - start
    return {
        f"backup_{records}_records_seconds": backup_seconds,
        f"restore_{records}_records_seconds": restore_seconds,
        f"rekey_{records}_records_seconds": result.seconds,
        f"copy_{records}_records_file_seconds": copy,
        "rekey_file_mb": size_mb,
        "rekey_progress_reports": float(len(steps)),
    }


def run(rows: int = ROWS) -> dict[str, float]:
    records = int(os.environ.get("VSS_BENCH_RECORDS", "100000"))
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        unlock = _unlock_seconds(folder / "keyring")
        plain = _insert_seconds(folder / "plain.db", None, rows)
        encrypted = _insert_seconds(folder / "encrypted.db", new_database_key(), rows)
        rekey = rekey_seconds(folder / "rekey", records)
    return {
        "unlock_seconds_argon2id": unlock,
        f"insert_{rows}_plain_seconds": plain,
        f"insert_{rows}_sqlcipher_seconds": encrypted,
        "sqlcipher_overhead_percent": 100.0 * (encrypted - plain) / plain if plain else 0.0,
        **rekey,
    }


if __name__ == "__main__":
    for name, value in run().items():
        print(f"{name:36} {value:10.3f}")
