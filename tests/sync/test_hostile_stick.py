"""Hostile USB sticks: links, junction-like folder links, ``..``, absolute paths, devices, FIFOs and
huge files. Nothing outside the stick folder is read or written; the officer gets a clear message."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from app.i18n import set_language
from app.server.main import main as server_main
from app.server.models import Batch, create_server_engine
from app.services import sync_outbox, sync_usb
from app.services.context import AppContext, open_app
from app.services.errors import SyncError
from app.store.keyring import keyring_path
from app.sync.batch import MAX_SEALED_BYTES
from tests.officers import as_administrator
from tests.sync.harness import add_records, outbox_states
from tests.sync.test_usb import _office

pytestmark = pytest.mark.skipif(os.name != "posix", reason="links and FIFOs made the POSIX way")


@pytest.fixture
def laptop(tmp_path: Path, home: Path) -> Iterator[tuple[AppContext, list[str]]]:
    database_url = f"sqlite:///{tmp_path / 'office.db'}"
    _keys, options = _office(tmp_path, database_url, home)
    ctx = as_administrator(open_app(home))
    set_language("en")
    yield ctx, [item for pair in options.items() for item in pair]
    ctx.close()


def _batches_stored(options: list[str]) -> int:
    engine = create_server_engine(options[options.index("--db") + 1])
    try:
        with sessionmaker(engine)() as session:
            return int(session.scalar(select(func.count()).select_from(Batch)) or 0)
    finally:
        engine.dispose()


def test_planted_links_on_the_stick_never_overwrite_the_laptops_files(
    tmp_path: Path, home: Path, laptop: tuple[AppContext, list[str]]
) -> None:
    ctx, _options = laptop
    add_records(ctx, 12)
    keyring = keyring_path(home)  # this test store has none: stand one in, as a set-up laptop has
    keyring.write_text('{"officers": []}', encoding="utf-8")
    before = keyring.read_bytes()
    victim = tmp_path / "victim.txt"
    victim.write_text("office notes", encoding="utf-8")
    stick = tmp_path / "stick"
    stick.mkdir()
    sync_outbox.build_pending_batches(ctx)
    (batch,) = sync_outbox.stored_batches(ctx)
    for name in ("manifest.json.tmp", f"{batch.path.name}.tmp"):
        (stick / name).symlink_to(keyring)
    (stick / "manifest.json").symlink_to(victim)
    (stick / batch.path.name).symlink_to(victim)

    assert sync_usb.export_batches(ctx, stick) == 12
    assert keyring.read_bytes() == before  # the laptop would still open
    assert victim.read_text(encoding="utf-8") == "office notes"
    for name in ("manifest.json", batch.path.name):
        assert not (stick / name).is_symlink() and (stick / name).is_file()
    assert (stick / batch.path.name).read_bytes() == batch.path.read_bytes()


def test_an_export_folder_that_is_a_link_is_refused(
    tmp_path: Path, home: Path, laptop: tuple[AppContext, list[str]]
) -> None:
    ctx, _options = laptop
    add_records(ctx, 3)
    stick = tmp_path / "stick"
    stick.mkdir()
    (stick / "vss-export").symlink_to(home, target_is_directory=True)
    sync_outbox.build_pending_batches(ctx)
    (home / "sync.lock").touch()  # made by the first sync anyway
    listing = sorted(os.listdir(home))
    with pytest.raises(SyncError, match="link to somewhere else"):
        sync_usb.export_batches(ctx, stick / "vss-export")
    assert sorted(os.listdir(home)) == listing


def test_office_import_refuses_hostile_manifest_entries_without_reading_them(
    tmp_path: Path, laptop: tuple[AppContext, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    ctx, options = laptop
    add_records(ctx, 5)
    stick = tmp_path / "stick"
    sync_usb.export_batches(ctx, stick)
    manifest = json.loads((stick / "manifest.json").read_text(encoding="utf-8"))
    (good,) = manifest["batches"]
    outside = tmp_path / "outside.vsb"
    outside.write_bytes((stick / good["file"]).read_bytes())
    os.mkfifo(stick / "fifo.vsb")
    huge = stick / "huge.vsb"
    with huge.open("wb") as handle:  # sparse: costs no disk, would cost memory if read whole
        handle.truncate(MAX_SEALED_BYTES + 1)
    (stick / "link.vsb").symlink_to(outside)
    hostile = ["/dev/zero", "../outside.vsb", str(outside), "fifo.vsb", "huge.vsb", "link.vsb"]
    manifest["batches"] = [
        {**good, "batch_id": f"{index:08x}-0000-0000-0000-000000000000", "file": name}
        for index, name in enumerate(hostile)
    ] + [good]
    (stick / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    started = time.monotonic()
    assert server_main(["import", str(stick), *options]) == 1  # some were refused
    assert time.monotonic() - started < 30  # no FIFO waited on, no /dev/zero read
    assert "Imported 1 batches, refused 6" in capsys.readouterr().out
    assert _batches_stored(options) == 1
    errors = sorted((stick / "receipts").glob("*.error.json"))
    assert len(errors) == 6
    messages = [json.loads(path.read_text(encoding="utf-8"))["message"] for path in errors]
    assert all("refused" in message for message in messages)
    assert any("symbolic link" in message for message in messages)
    assert any("not a regular file" in message for message in messages)
    assert any("larger than allowed" in message for message in messages)
    assert any("leaves the folder" in message for message in messages)
    # the good batch's receipt still comes home
    assert sync_usb.import_receipts(ctx, stick) == 5
    assert set(outbox_states(ctx).values()) == {"acknowledged"}


def test_office_import_writes_receipts_only_inside_the_stick(
    tmp_path: Path, laptop: tuple[AppContext, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    ctx, options = laptop
    add_records(ctx, 5)
    stick = tmp_path / "stick"
    sync_usb.export_batches(ctx, stick)
    (good,) = json.loads((stick / "manifest.json").read_text(encoding="utf-8"))["batches"]
    office_file = tmp_path / "office-file.txt"
    office_file.write_text("keep me", encoding="utf-8")
    receipts = stick / "receipts"
    receipts.mkdir()
    for name in (f"{good['batch_id']}.json.tmp", f"{good['batch_id']}.json"):
        (receipts / name).symlink_to(office_file)
    assert server_main(["import", str(stick), *options]) == 0
    assert office_file.read_text(encoding="utf-8") == "keep me"
    receipt = receipts / f"{good['batch_id']}.json"
    assert receipt.is_file() and not receipt.is_symlink()

    # a receipts folder that is a link (a junction on Windows) is refused whole
    elsewhere = tmp_path / "office-folder"
    elsewhere.mkdir()
    second = tmp_path / "stick2"
    sync_usb.export_batches(ctx, second)
    (second / "receipts").symlink_to(elsewhere, target_is_directory=True)
    assert server_main(["import", str(second), *options]) == 1
    assert "receipts on the stick is a symbolic link" in capsys.readouterr().err
    assert os.listdir(elsewhere) == []


@pytest.mark.parametrize("kind", ["link", "fifo", "device", "huge", "garbage"])
def test_a_hostile_manifest_is_refused_with_a_clear_message(
    tmp_path: Path,
    laptop: tuple[AppContext, list[str]],
    capsys: pytest.CaptureFixture[str],
    kind: str,
) -> None:
    _ctx, options = laptop
    stick = tmp_path / "stick"
    stick.mkdir()
    manifest = stick / "manifest.json"
    if kind == "link":
        manifest.symlink_to(tmp_path / "office.db")
    elif kind == "fifo":
        os.mkfifo(manifest)
    elif kind == "device":
        manifest.symlink_to("/dev/zero")
    elif kind == "huge":
        with manifest.open("wb") as handle:
            handle.truncate(64 * 1024 * 1024)
    else:
        manifest.write_bytes(b"\xff\xfe not json")
    assert server_main(["import", str(stick), *options]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: ") and "manifest.json" in error
    assert not (stick / "receipts").exists() or os.listdir(stick / "receipts") == []


def test_the_laptop_skips_hostile_receipt_files_and_refuses_a_linked_receipts_folder(
    tmp_path: Path, laptop: tuple[AppContext, list[str]]
) -> None:
    ctx, options = laptop
    add_records(ctx, 4)
    stick = tmp_path / "stick"
    sync_usb.export_batches(ctx, stick)
    assert server_main(["import", str(stick), *options]) == 0
    receipts = stick / "receipts"
    os.mkfifo(receipts / "00000000-fifo.json")
    (receipts / "00000001-link.json").symlink_to("/dev/zero")
    with (receipts / "00000002-huge.json").open("wb") as handle:
        handle.truncate(512 * 1024 * 1024)
    started = time.monotonic()
    assert sync_usb.import_receipts(ctx, stick) == 4
    assert time.monotonic() - started < 30

    moved = tmp_path / "real-receipts"
    receipts.rename(moved)
    receipts.symlink_to(moved, target_is_directory=True)
    with pytest.raises(SyncError, match="“receipts” on the stick is a link"):
        sync_usb.import_receipts(ctx, stick)
