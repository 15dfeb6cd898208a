"""USB: export sealed batches, import them at the office with the CLI, bring the receipts back."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from app.server.main import main as server_main
from app.server.models import RecordVersion, create_server_engine
from app.services import sync_enrolment, sync_usb
from app.services.context import open_app
from tests.officers import as_administrator
from tests.sync.harness import add_records, outbox_states


def _office(tmp_path: Path, database_url: str, home: Path) -> tuple[Path, dict[str, str]]:
    keys_dir = tmp_path / "keys"
    assert server_main(["init-keys", str(keys_dir)]) == 0
    ctx = as_administrator(open_app(home))
    request_file = tmp_path / "request.json"
    request_file.write_text(json.dumps(sync_enrolment.enrolment_request(ctx)), encoding="utf-8")
    enrolment_file = tmp_path / "enrolment.json"
    assert server_main([
        "enrol-device", "--db", database_url, "--keys", str(keys_dir),
        "--request", str(request_file), "--out", str(enrolment_file),
    ]) == 0  # fmt: skip
    sync_enrolment.install_enrolment(ctx, json.loads(enrolment_file.read_text(encoding="utf-8")))
    ctx.close()
    return keys_dir, {"--db": database_url, "--keys": str(keys_dir)}


def test_usb_round_trip_acknowledges_only_after_receipts(
    tmp_path: Path, database_url: str, home: Path
) -> None:
    _keys_dir, options = _office(tmp_path, database_url, home)
    ctx = as_administrator(open_app(home))
    try:
        version_ids = add_records(ctx, 1200)
        stick = tmp_path / "stick" / "vss-export"
        assert sync_usb.export_batches(ctx, stick) == 1200
        manifest = json.loads((stick / "manifest.json").read_text(encoding="utf-8"))
        assert len(manifest["batches"]) == 3  # at most 500 records a batch
        # exporting never counts as synced
        assert set(outbox_states(ctx).values()) == {"in_batch"}
        # exporting again writes the same sealed files (nothing new is built)
        assert sync_usb.export_batches(ctx, stick) == 1200
        assert len(list(stick.glob("*.vsb"))) == 3

        args = ["import", str(stick), *[item for pair in options.items() for item in pair]]
        assert server_main(args) == 0
        assert server_main(args) == 0  # importing the same stick twice stores nothing twice
        engine = create_server_engine(database_url)
        with sessionmaker(engine)() as session:
            assert session.scalar(select(func.count()).select_from(RecordVersion)) == 1200
        engine.dispose()
        assert len(list((stick / "receipts").glob("*.json"))) == 3

        assert sync_usb.import_receipts(ctx, stick) == 1200
        states = outbox_states(ctx)
        assert set(states.values()) == {"acknowledged"} and sorted(states) == sorted(version_ids)
        assert sync_usb.import_receipts(ctx, stick) == 0  # applying them again changes nothing
    finally:
        ctx.close()


def test_a_damaged_file_on_the_stick_is_refused_and_rebuilt(
    tmp_path: Path, database_url: str, home: Path
) -> None:
    _keys_dir, options = _office(tmp_path, database_url, home)
    ctx = as_administrator(open_app(home))
    try:
        add_records(ctx, 30)
        stick = tmp_path / "stick"
        sync_usb.export_batches(ctx, stick)
        (victim,) = stick.glob("*.vsb")
        victim.write_bytes(victim.read_bytes()[:-1])
        args = ["import", str(stick), *[item for pair in options.items() for item in pair]]
        assert server_main(args) == 1
        assert sync_usb.import_receipts(ctx, stick) == 0
        # the refused batch's records are pending again, to go in a fresh batch
        assert set(outbox_states(ctx).values()) == {"pending"}
        second = tmp_path / "stick2"
        assert sync_usb.export_batches(ctx, second) == 30
        assert server_main(["import", str(second), *args[2:]]) == 0
        assert sync_usb.import_receipts(ctx, second) == 30
    finally:
        ctx.close()
