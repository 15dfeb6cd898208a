"""Sync figures: a clean 10,000-record sync on loopback, and the cost of a faulty link.

python -m tests.bench.bench_sync        (or ``python3 packaging/dev.py bench``)
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from app.server.service import enrol_device
from app.services import sync, sync_enrolment
from app.services.context import open_app
from app.sync.crypto import ServerKeys
from tests.officers import as_administrator
from tests.sync.harness import FaultProxy, LiveServer, add_records, live_server

RECORDS = 10_000


def _run_device(
    folder: Path, server: LiveServer, keys: ServerKeys, url: str
) -> tuple[float, sync.SyncResult, int]:
    ctx = as_administrator(open_app(folder / "home"))
    request = sync_enrolment.enrolment_request(ctx)
    enrol_device(server.sessions, request["device_id"], request["signing_public"], "bench")
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


def run() -> dict[str, float]:
    keys = ServerKeys.generate()
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="vss-bench-sync-") as name:
        folder = Path(name)
        with live_server(f"sqlite:///{folder / 'office.db'}", keys) as server:
            (folder / "clean").mkdir()
            elapsed, clean, _rounds = _run_device(folder / "clean", server, keys, server.url)
            figures["sync_clean_records_per_s"] = RECORDS / elapsed
            figures["sync_wire_bytes_per_record"] = clean.bytes_sent / RECORDS
            figures["sync_clean_requests"] = float(clean.requests)

            proxy = FaultProxy(server.port, cut=0.2, drop=0.2, seed=3).start()
            try:
                (folder / "faulty").mkdir()
                elapsed, faulty, rounds = _run_device(folder / "faulty", server, keys, proxy.url)
            finally:
                proxy.stop()
            figures["sync_faulty_records_per_s"] = RECORDS / elapsed
            figures["sync_faulty_extra_bytes_ratio"] = faulty.bytes_sent / clean.bytes_sent - 1
            figures["sync_faulty_extra_requests"] = float(faulty.requests - clean.requests)
            figures["sync_faulty_rounds"] = float(rounds)
            figures["sync_faulty_cut_uploads"] = float(proxy.stats.cut_uploads)
            figures["sync_faulty_dropped_replies"] = float(proxy.stats.dropped_replies)
    return figures


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:36s} {value:12.2f}")
