"""direct victims as people: the free-text "other victims" becomes a list of persons

Revision ID: 0007
Revises: 0006

The complaint and civil-party forms (version 2) ask for further direct victims one person at a
time (a repeating group, ``other_victims``), instead of one free-text answer. Every stored answer
of the old kind, in drafts and in finalised versions, is moved without loss into the first item
of the list, as that item's notes (``other_victim_notes``): the officer sees it on the record and,
on the next edit, records each person it names. A version whose answers change gets its content
digest again (the SHA-256 of its canonical sync payload), so a version still waiting to be sent
reaches the office with a digest that matches. Person links get their position (0: the victim of
the victim fields; 1, 2...: the items of the list).
"""

import hashlib
import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The field ids of the day: a migration moves the answers as they were stored then.
GROUP = "other_victims"
NOTES = "other_victim_notes"


def _moved(answers: Any) -> Any:
    """The answers with an old free-text ``other_victims`` moved into the list; None when there is
    nothing to move."""
    if not isinstance(answers, dict):
        return None
    old = answers.get(GROUP)
    if not isinstance(old, str):
        return None
    moved = dict(answers)
    if old.strip():
        moved[GROUP] = [{NOTES: old}]
    else:
        moved.pop(GROUP)
    return moved


def _loads(raw: Any) -> Any:
    if raw is None or not isinstance(raw, str | bytes):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _digest(payload: dict[str, Any]) -> str:
    # As app/sync/format.py: canonical JSON (sorted keys, no spaces, UTF-8), then SHA-256.
    canonical = json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")
    return hashlib.sha256(canonical).hexdigest()


def _iso(value: Any) -> str:
    return (value if isinstance(value, datetime) else datetime.fromisoformat(str(value))).isoformat()


def upgrade() -> None:
    op.add_column(
        "person_links",
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
    )
    connection = op.get_bind()
    drafts = connection.execute(
        sa.text("SELECT id, draft_answers FROM applications WHERE draft_answers IS NOT NULL")
    ).all()
    for application_id, raw in drafts:
        moved = _moved(_loads(raw))
        if moved is not None:
            connection.execute(
                sa.text("UPDATE applications SET draft_answers = :answers WHERE id = :id"),
                {"answers": json.dumps(moved, ensure_ascii=False), "id": application_id},
            )
    versions = connection.execute(
        sa.text(
            "SELECT v.id, v.application_id, a.reference, a.form_id, v.form_version, "
            "v.version_no, v.answers, v.reason, v.created_at, v.created_by "
            "FROM application_versions v JOIN applications a ON a.id = v.application_id"
        )
    ).all()
    for row in versions:
        moved = _moved(_loads(row.answers))
        if moved is None:
            continue
        payload = {
            "version_id": row.id,
            "application_id": row.application_id,
            "reference": row.reference,
            "form_id": row.form_id,
            "form_version": row.form_version,
            "version_no": row.version_no,
            "answers": moved,
            "reason": row.reason,
            "created_at": _iso(row.created_at),
            "created_by": row.created_by,
        }
        connection.execute(
            sa.text(
                "UPDATE application_versions SET answers = :answers, content_sha256 = :digest "
                "WHERE id = :id"
            ),
            {
                "answers": json.dumps(moved, ensure_ascii=False),
                "digest": _digest(payload),
                "id": row.id,
            },
        )


def downgrade() -> None:
    # The answers stay in the list form: an older app shows the list as text, and loses nothing.
    op.drop_column("person_links", "position")  # SQLite 3.35+: ALTER TABLE DROP COLUMN
