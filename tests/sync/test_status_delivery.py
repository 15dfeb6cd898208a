"""Status delivery never skips: out-of-order commits, a laptop clock days off, notes, USB round
trips, and reference clashes refused and reported."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.server.main import main as server_main
from app.server.models import StatusDelivery, StatusUpdate, create_server_engine
from app.server.service import reference_clashes, set_status
from app.server.statuses import queue_status
from app.services import sync, sync_outbox, sync_usb
from app.services.context import AppContext, open_app
from app.store.models import Application
from app.sync.crypto import ServerKeys
from tests.officers import as_administrator
from tests.sync.harness import (
    LiveServer,
    PostgresCluster,
    add_records,
    enrolled_device,
    live_server,
    outbox_states,
)
from tests.sync.test_usb import _office


def _court(ctx: AppContext) -> dict[str, tuple[str | None, str | None]]:
    with ctx.store.transaction() as session:
        return {
            str(a.reference): (a.court_status, a.court_status_note)
            for a in session.scalars(select(Application))
        }


@pytest.mark.postgres
def test_a_status_committed_out_of_id_order_is_still_delivered(
    home: Path, postgres: PostgresCluster, server_keys: ServerKeys
) -> None:
    # Only PostgreSQL lets two writers interleave like this (SQLite takes one writer at a time).
    with live_server(postgres.create_database(), server_keys) as server:
        device = enrolled_device(home, server, server_keys)
        try:
            _out_of_order(device, server)
        finally:
            device.close()


def _out_of_order(device: AppContext, server: LiveServer) -> None:
    add_records(device, 2)
    assert sync.sync_now(device, server.url).complete
    first, second = sorted(_court(device))
    slow = server.sessions()
    slow.begin()
    late = StatusUpdate(reference=first, status="forwarded", note="sent on to the judges")
    slow.add(late)
    queue_status(slow, late)  # takes the lower ids, commits last
    set_status(server.sessions, second, "admitted")
    assert sync.pull_status(device, server.url) == 1
    slow.commit()
    slow.close()
    assert sync.pull_status(device, server.url) == 1
    court = _court(device)
    assert court[first] == ("forwarded", "sent on to the judges")  # the note came too
    assert court[second] == ("admitted", None)
    with server.sessions() as session:
        open_rows = session.scalars(
            select(StatusDelivery).where(StatusDelivery.acknowledged_at.is_(None))
        ).all()
    assert sync.pull_status(device, server.url) == 0
    assert open_rows == [] or len(open_rows) == 1  # the last page is acknowledged by the next
    with server.sessions() as session:
        assert (
            session.scalars(
                select(StatusDelivery).where(StatusDelivery.acknowledged_at.is_(None))
            ).all()
            == []
        )


def test_a_laptop_clock_days_off_still_gets_its_statuses(
    device: AppContext, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_records(device, 3)
    skew = 5 * 86400
    real_now = sync._now
    monkeypatch.setattr(sync, "_now", lambda: real_now() - timedelta(seconds=skew))
    monkeypatch.setattr(
        sync, "time", SimpleNamespace(time=lambda: time.time() - skew, sleep=time.sleep)
    )
    result = sync.sync_now(device, server.url)
    assert result.complete and result.status_updates == 3
    reference = sorted(_court(device))[0]
    set_status(server.sessions, reference, "lawyer_assigned", "ask the office for the name")
    assert sync.sync_now(device, server.url).status_updates == 1
    assert _court(device)[reference] == ("lawyer_assigned", "ask the office for the name")


def test_statuses_and_notes_travel_on_the_stick_and_are_acknowledged(
    tmp_path: Path, home: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'office.db'}"
    _keys, options = _office(tmp_path, database_url, home)
    args = [item for pair in options.items() for item in pair]
    ctx = as_administrator(open_app(home))
    try:
        add_records(ctx, 3)
        stick = tmp_path / "stick"
        sync_usb.export_batches(ctx, stick)
        assert server_main(["import", str(stick), *args]) == 0
        assert (stick / "statuses" / f"{ctx.device_id}.json").is_file()
        assert sync_usb.import_receipts(ctx, stick) == 3
        court = _court(ctx)
        assert {status for status, _note in court.values()} == {"received"}

        reference = sorted(court)[0]
        assert server_main(["set-status", reference, "rejected", "--note", "outside the period", *args]) == 0  # fmt: skip
        second = tmp_path / "stick2"
        sync_usb.export_batches(ctx, second)  # nothing to send; carries the acknowledgement
        assert server_main(["import", str(second), *args]) == 0
        sync_usb.import_receipts(ctx, second)
        assert _court(ctx)[reference] == ("rejected", "outside the period")
        # an old stick read again changes nothing
        sync_usb.import_receipts(ctx, stick)
        assert _court(ctx)[reference] == ("rejected", "outside the period")

        third = tmp_path / "stick3"
        sync_usb.export_batches(ctx, third)
        assert server_main(["import", str(third), *args]) == 0
        engine = create_server_engine(database_url)
        with engine.connect() as connection:
            open_rows = connection.execute(
                select(StatusDelivery.id).where(StatusDelivery.acknowledged_at.is_(None))
            ).all()
        engine.dispose()
        assert open_rows == []  # every status was acknowledged through the sticks
        document = json.loads((third / "statuses" / f"{ctx.device_id}.json").read_text())
        assert document["body"]["updates"] == []
    finally:
        ctx.close()


def test_a_reference_another_record_holds_is_refused_and_reported(
    tmp_path: Path,
    server: LiveServer,
    server_keys: ServerKeys,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = enrolled_device(tmp_path / "one", server, server_keys)
    second = enrolled_device(tmp_path / "two", server, server_keys)
    try:
        add_records(first, 2)
        add_records(second, 2)
        with second.store.transaction() as session:  # a restored laptop reusing references
            mine = list(session.scalars(select(Application).order_by(Application.reference)))
        with first.store.transaction() as session:
            theirs = [a.reference for a in session.scalars(select(Application))]
        # rewrite second's first record to reuse first's reference (content digests follow)
        from app.services.records import version_payload
        from app.store.models import ApplicationVersion
        from app.sync.format import record_digest

        with second.store.transaction() as session:
            application = session.get(Application, mine[0].id)
            assert application is not None
            application.reference = theirs[0]
            version = session.scalars(
                select(ApplicationVersion).where(
                    ApplicationVersion.application_id == application.id
                )
            ).one()
            version.content_sha256 = record_digest(version_payload(application, version))
        assert sync.sync_now(first, server.url).complete
        result = sync.sync_now(second, server.url)
        assert result.acknowledged == 1 and result.quarantined == 1
        assert sorted(outbox_states(second).values()) == ["acknowledged", "quarantined"]
        (problem,) = sync_outbox.quarantined_records(second)
        assert "reference" in problem.reason and problem.reason.startswith("409")
        (clash,) = reference_clashes(server.sessions)
        assert clash["reference"] == theirs[0] and clash["device_id"] == second.device_id
        assert server_main(["clashes", "--db", database_url]) == 0
        assert f'"reference":"{theirs[0]}"' in capsys.readouterr().out
        # statuses for that reference go to the record that holds it, not to the clashing one
        set_status(server.sessions, str(theirs[0]), "admitted")
        sync.pull_status(first, server.url)
        sync.pull_status(second, server.url)
        assert _court(first)[str(theirs[0])][0] == "admitted"
        assert _court(second)[str(theirs[0])][0] is None
    finally:
        first.close()
        second.close()
