"""Sync figures: 10,000 records synced on loopback to an office on SQLite and on PostgreSQL, the
cost of a faulty link, and a baseline from the same run.

The office runs as its own process (``vss-outreach-server serve``), as it does in the field: in
a thread of the laptop's process it would share one interpreter lock with the laptop.

The baseline is the wire format's floor measured here, without network, database or our code:
the same records as canonical JSON, compressed and hashed in chunks of 500 (what the laptop's
CPU must do at least). Compare the sync figures with it when the machine is busy.

python -m tests.bench.bench_sync        (or ``python3 packaging/dev.py bench --only sync``)
"""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.orm import sessionmaker

from app.server.models import create_server_engine
from app.server.service import enrol_device
from app.services import sync, sync_enrolment
from app.services.context import open_app
from app.sync.crypto import ServerKeys
from tests.officers import as_administrator
from tests.sync.harness import PG_BIN, FaultProxy, PostgresCluster, add_records

RECORDS = 10_000


@contextmanager
def _office(database_url: str, keys_dir: Path) -> Iterator[str]:
    """``vss-outreach-server serve`` on a free loopback port; yields its URL."""
    create_server_engine(database_url).dispose()  # migrated before the clock starts
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    command = [sys.executable, "-m", "app.server.main", "serve", "--db", database_url]
    command += ["--keys", str(keys_dir), "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not sync.server_reachable(url, timeout=2):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the office did not start")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=60)


def _run_device(
    folder: Path, database_url: str, keys: ServerKeys, url: str
) -> tuple[float, sync.SyncResult, int]:
    folder.mkdir()
    ctx = as_administrator(open_app(folder / "home"))
    request = sync_enrolment.enrolment_request(ctx)
    engine = create_server_engine(database_url, migrate=False)
    try:
        sessions = sessionmaker(engine)
        enrol_device(sessions, request["device_id"], request["signing_public"], "bench")
    finally:
        engine.dispose()
    sync_enrolment.install_enrolment(ctx, {"device_id": ctx.device_id, **keys.public.to_json()})
    add_records(ctx, RECORDS)
    total = sync.SyncResult()
    rounds = 0
    started = time.perf_counter()
    while True:
        rounds += 1
        result = sync.sync_now(ctx, url)
        total.requests += result.requests
        total.bytes_sent += result.bytes_sent
        total.acknowledged += result.acknowledged
        if result.complete or rounds > 500:
            break
    elapsed = time.perf_counter() - started
    ctx.close()
    if total.acknowledged != RECORDS:
        raise RuntimeError(f"only {total.acknowledged} of {RECORDS} records acknowledged")
    return elapsed, total, rounds


def _baseline_s() -> float:
    """Canonical JSON, zlib and SHA-256 of RECORDS records like `add_records` makes, 500 a chunk."""
    records = [
        {
            "version_id": str(uuid.uuid4()),
            "application_id": str(uuid.uuid4()),
            "reference": f"TBNCH-{number:06d}",
            "form_id": "complaint",
            "form_version": 1,
            "version_no": 1,
            "answers": {
                "applicant_name": {"km": f"សុខ ដារ៉ា {number}", "latin": f"Sok Dara {number}"},
                "birth_year": 1950 + number % 30,
                "narrative": "ខ្ញុំត្រូវបានជម្លៀសចេញពីភូមិនៅឆ្នាំ ១៩៧៥ ។ " * 4,
                "province_code": f"{number % 25 + 1:02d}",
            },
        }
        for number in range(RECORDS)
    ]
    started = time.perf_counter()
    for start in range(0, RECORDS, 500):
        chunk = records[start : start + 500]
        for record in chunk:
            record["content_sha256"] = hashlib.sha256(
                json.dumps(record, ensure_ascii=False, sort_keys=True).encode()
            ).hexdigest()
        body = json.dumps(chunk, ensure_ascii=False, sort_keys=True).encode()
        hashlib.sha256(zlib.compress(body, 6)).hexdigest()
    return time.perf_counter() - started


def _clean(
    figures: dict[str, float], name: str, folder: Path, database_url: str, keys: ServerKeys
) -> None:
    with _office(database_url, folder / "keys") as url:
        elapsed, clean, _rounds = _run_device(folder / f"clean-{name}", database_url, keys, url)
    figures[f"sync_{RECORDS}_{name}_s"] = elapsed
    figures[f"sync_{name}_records_per_s"] = RECORDS / elapsed
    figures[f"sync_{name}_requests"] = float(clean.requests)
    figures[f"sync_{name}_wire_bytes_per_record"] = clean.bytes_sent / RECORDS


def run() -> dict[str, float]:
    keys = ServerKeys.generate()
    figures: dict[str, float] = {"sync_baseline_encode_s": _baseline_s()}
    with tempfile.TemporaryDirectory(prefix="vss-bench-sync-") as name:
        folder = Path(name)
        keys.save(folder / "keys")
        _clean(figures, "sqlite", folder, f"sqlite:///{folder / 'office.db'}", keys)
        if (PG_BIN / "initdb").exists():
            cluster = PostgresCluster().start()
            try:
                _clean(figures, "postgres", folder, cluster.create_database(), keys)
            finally:
                cluster.stop()
        faulty_db = f"sqlite:///{folder / 'faulty.db'}"
        with _office(faulty_db, folder / "keys") as url:
            port = int(url.rsplit(":", 1)[1])
            proxy = FaultProxy(port, cut=0.2, drop=0.2, seed=3).start()
            try:
                elapsed, faulty, rounds = _run_device(folder / "faulty", faulty_db, keys, proxy.url)
            finally:
                proxy.stop()
        clean_bytes = figures["sync_sqlite_wire_bytes_per_record"] * RECORDS
        figures["sync_faulty_records_per_s"] = RECORDS / elapsed
        figures["sync_faulty_extra_bytes_ratio"] = faulty.bytes_sent / clean_bytes - 1
        figures["sync_faulty_extra_requests"] = faulty.requests - figures["sync_sqlite_requests"]
        figures["sync_faulty_rounds"] = float(rounds)
        figures["sync_faulty_cut_uploads"] = float(proxy.stats.cut_uploads)
        figures["sync_faulty_dropped_replies"] = float(proxy.stats.dropped_replies)
    return figures


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:36s} {value:12.2f}")
