"""Attachments: only ordinary files, the size counted while copying; a draft with attachments can
be discarded."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.services import records
from app.services.context import AppContext
from app.services.errors import RecordError
from app.services.intake import add_attachment, read_regular_file
from app.store.models import Application, Attachment
from tests.officers import FIELD_OFFICER, add_officers

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev need POSIX")


def test_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "keyring.json"
    secret.write_text("{}")
    link = tmp_path / "scan.jpg"
    link.symlink_to(secret)
    with pytest.raises(RecordError):
        read_regular_file(link, 1000)


@posix_only
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "scan.jpg"
    os.mkfifo(fifo)
    with pytest.raises(RecordError):
        read_regular_file(fifo, 1000)


@posix_only
def test_a_device_or_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RecordError):
        read_regular_file(Path("/dev/zero"), 1000)  # would never end
    with pytest.raises(RecordError):
        read_regular_file(tmp_path, 1000)


def test_the_size_is_counted_while_reading(tmp_path: Path) -> None:
    scan = tmp_path / "scan.jpg"
    scan.write_bytes(b"x" * 3000)
    assert read_regular_file(scan, 3000) == b"x" * 3000
    with pytest.raises(RecordError):
        read_regular_file(scan, 2999)


def test_a_draft_with_attachments_can_be_discarded(ctx: AppContext, tmp_path: Path) -> None:
    add_officers(ctx, [FIELD_OFFICER])
    ctx.officer = FIELD_OFFICER
    application_id = records.start_application(ctx, "complaint")
    scan = tmp_path / "id-card.jpg"
    scan.write_bytes(b"\xff\xd8\xff" + b"JPEG" * 100)
    add_attachment(ctx, application_id, "supporting_documents", scan)
    add_attachment(ctx, application_id, "supporting_documents", scan)
    records.discard_draft(ctx, application_id)
    with ctx.store.transaction() as session:
        assert session.get(Application, application_id) is None
        assert session.scalar(select(func.count()).select_from(Attachment)) == 0
