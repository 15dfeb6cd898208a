"""Security costs: how long unlocking takes with the real Argon2id parameters, and what SQLCipher
encryption costs on a 10,000-row insert compared with plain SQLite (same schema and pragmas).

Run: ``.venv/bin/python -m tests.bench.bench_security`` (prints the figures).
"""

from __future__ import annotations

import os
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


def run(rows: int = ROWS) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        unlock = _unlock_seconds(folder / "keyring")
        plain = _insert_seconds(folder / "plain.db", None, rows)
        encrypted = _insert_seconds(folder / "encrypted.db", new_database_key(), rows)
    return {
        "unlock_seconds_argon2id": unlock,
        f"insert_{rows}_plain_seconds": plain,
        f"insert_{rows}_sqlcipher_seconds": encrypted,
        "sqlcipher_overhead_percent": 100.0 * (encrypted - plain) / plain if plain else 0.0,
    }


if __name__ == "__main__":
    for name, value in run().items():
        print(f"{name:36} {value:10.3f}")
