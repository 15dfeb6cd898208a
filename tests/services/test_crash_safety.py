"""A process killed mid-save loses at most the save in flight; attachments go into the store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from app.services import errors, records
from app.services.accounts import first_run_setup, sign_in
from app.services.intake import MAX_ATTACHMENT_BYTES, add_attachment

PASSWORD = "long enough 1"

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from app.services import records
    from app.services import errors
    from app.services.accounts import sign_in

    ctx = sign_in(Path(sys.argv[1]), "admin", sys.argv[2])
    application_id = records.start_application(ctx, "complaint")
    print(application_id, flush=True)
    number = 0
    while True:  # autosave as fast as possible until killed
        number += 1
        records.save_draft(ctx, application_id, {
            "applicant_name": {"km": "សុខ ដារ៉ា", "latin": f"Sok Dara {number}"},
            "crime_narrative": "ខ្ញុំ" * 2000,
        })
        print(number, flush=True)
    """
)


@pytest.fixture(autouse=True)
def _fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VSS_OUTREACH_FAST_KDF", "1")


def test_killing_the_app_mid_save_keeps_the_last_committed_draft(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ctx, _code = first_run_setup(home, "admin", "Admin", PASSWORD, "Laptop", "km")
    ctx.close()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(home), PASSWORD],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "VSS_OUTREACH_FAST_KDF": "1"},
    )
    assert writer.stdout is not None
    application_id = writer.stdout.readline().strip()
    saved = 0
    deadline = time.monotonic() + 60
    while saved < 25 and time.monotonic() < deadline:
        saved = int(writer.stdout.readline())
    writer.send_signal(signal.SIGKILL)  # no clean-up, no flush: like a power cut of the process
    writer.wait()
    assert saved >= 25

    reopened = sign_in(home, "admin", PASSWORD)
    try:
        detail = records.get_application(reopened, application_id)
        number = int(detail.answers["applicant_name"]["latin"].split()[-1])
        # Everything reported saved is there; at most the save in flight is lost.
        assert number >= saved
        assert detail.answers["crime_narrative"] == "ខ្ញុំ" * 2000
        with reopened.store.transaction() as session:
            assert session.connection().exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        reopened.close()


def test_attachments_are_read_into_the_store_with_a_size_limit(tmp_path: Path) -> None:
    ctx, _code = first_run_setup(tmp_path / "home", "admin", "Admin", PASSWORD, "Laptop", "km")
    try:
        application_id = records.start_application(ctx, "complaint")
        scan = tmp_path / "id-card.jpg"
        scan.write_bytes(b"\xff\xd8\xff" + b"JPEGDATA" * 1000)
        reference = add_attachment(ctx, application_id, "supporting_documents", scan)
        assert reference["name"] == "id-card.jpg" and len(reference["sha256"]) == 64
        scan.unlink()  # the original may go: the store has its own (encrypted) copy
        from app.store.models import Attachment

        with ctx.store.transaction() as session:
            stored = session.get(Attachment, reference["id"])
            assert stored is not None and stored.content.startswith(b"\xff\xd8\xff")
        huge = tmp_path / "huge.pdf"
        with open(huge, "wb") as handle:
            handle.truncate(MAX_ATTACHMENT_BYTES + 1)
        with pytest.raises(errors.RecordError):
            add_attachment(ctx, application_id, "supporting_documents", huge)
        with pytest.raises(errors.RecordError):
            add_attachment(ctx, application_id, "supporting_documents", tmp_path / "missing.png")
    finally:
        ctx.close()
