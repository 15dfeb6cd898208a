"""What the office stores of a record: its content as sent (still matching its digest), as UTF-8
JSON with the Khmer as it is, not as \\u escapes. On SQLite and PostgreSQL, over real HTTP."""

from __future__ import annotations

import json

from sqlalchemy import text

from app.services import sync
from app.services.context import AppContext
from app.sync.format import record_digest
from tests.sync.harness import LiveServer, add_records


def test_the_office_stores_each_record_as_sent_with_its_khmer_as_utf8(
    device: AppContext, server: LiveServer
) -> None:
    add_records(device, 25)
    assert sync.sync_now(device, server.url).complete
    with server.sessions() as session:
        stored = session.execute(
            text("SELECT version_id, CAST(payload AS TEXT) FROM record_versions")
        ).all()
    assert len(stored) == 25
    for version_id, raw in stored:
        assert "ខ្ញុំត្រូវបានជម្លៀស" in raw and "\\u" not in raw
        record = json.loads(raw)
        assert record["version_id"] == version_id
        assert record["answers"]["applicant_name"]["km"].startswith("សុខ ដារ៉ា")
        content = {key: value for key, value in record.items() if key != "content_sha256"}
        assert record_digest(content) == record["content_sha256"]
