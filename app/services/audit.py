"""The audit log: who did what to which record, hash-chained so that tampering shows.

Each entry is written in the same transaction as the action it records. ``entry_hash`` is the
SHA-256 of the previous entry's hash and this entry's canonical content, so editing, deleting or
reordering any row breaks every later link, which :func:`verify_audit_chain` reports.

A chain alone cannot show that its *end* was cut off, or that someone rewrote a row and recomputed
every later hash. So every entry also moves a **checkpoint** (a settings row written in the same
transaction): the head's sequence number, the head hash and the number of entries, with an
HMAC-SHA256 under the store's audit key (derived from the database key, so only the app holding
the unwrapped key can make one; see :func:`app.store.db.audit_key_for`). Deleting the last rows or
all rows no longer matches the count; a re-chained log no longer matches the head hash; a
checkpoint rewritten to match fails its HMAC. Someone who holds a password can still recompute
all of it on the laptop: that is why the head also goes to the office with every sync batch, and
the office flags a chain that goes backwards (app/server). Sequence numbers are never reused: a
new entry takes a number above both the last row and the checkpoint, and after a restore the
first entry jumps far ahead (:func:`record_audit` ``seq_jump``), above what the laptop may have
written after the backup was made.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core import clock
from app.i18n import N_, _, format_number
from app.services.context import AppContext
from app.store.db import AUDIT_KEY_INFO
from app.store.models import AuditEntry, Setting
from app.sync.format import canonical_json

GENESIS_HASH = "0" * 64
REFUSALS_SETTING = "audit_refusal_folds"
REFUSAL_WINDOW_SECONDS = 60
MAX_REFUSAL_KEYS = 100
CHECKPOINT_SETTING = "audit_checkpoint"


@dataclass(frozen=True)
class Checkpoint:
    """Where the log ended at its last write (kept outside the audit table)."""

    seq: int
    count: int
    head: str
    mac: str | None

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "count": self.count, "head": self.head, "mac": self.mac}


def _checkpoint_mac(key: bytes, seq: int, count: int, head: str) -> str:
    message = f"vss-outreach audit checkpoint|{seq}|{count}|{head}".encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def load_checkpoint(session: Session) -> Checkpoint | None:
    row = session.get(Setting, CHECKPOINT_SETTING)
    value = row.value if row is not None else None
    if not isinstance(value, dict):
        return None
    try:
        mac = value.get("mac")
        return Checkpoint(
            int(value["seq"]),
            int(value["count"]),
            str(value["head"]),
            None if mac is None else str(mac),
        )
    except (KeyError, TypeError, ValueError):
        return Checkpoint(-1, -1, "", None)  # a damaged checkpoint never matches


def write_checkpoint(session: Session, seq: int, count: int, head: str) -> Checkpoint:
    """Store the checkpoint, keyed with the session's audit key when the store has one."""
    key = session.info.get(AUDIT_KEY_INFO)
    mac = _checkpoint_mac(key, seq, count, head) if isinstance(key, bytes) else None
    checkpoint = Checkpoint(seq, count, head, mac)
    session.merge(Setting(key=CHECKPOINT_SETTING, value=checkpoint.to_json()))
    return checkpoint


class AuditAction(StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    UNLOCK = "unlock"
    LOCK = "lock"
    RECORD_VIEW = "record_view"
    RECORD_CREATE = "record_create"
    RECORD_EDIT = "record_edit"
    RECORD_FINALIZE = "record_finalize"
    RECORD_PRINT = "record_print"
    RECORD_PRINT_UNREDACTED = "record_print_unredacted"
    DRAFT_DELETE = "draft_delete"
    SIGNATURE_CONFIRM = "signature_confirm"  # the signed paper of an "awaiting signature" record
    EXPORT = "export"
    BACKUP = "backup"
    RESTORE = "restore"
    SYNC = "sync"
    ACCOUNT_CHANGE = "account_change"
    SETTINGS_CHANGE = "settings_change"
    REFUSED = "refused"
    DRAFT_EDIT_BY_SUPERVISOR = "draft_edit_by_supervisor"
    FORUM_PLAN = "forum_plan"
    FORUM_ATTENDANCE = "forum_attendance"
    LISTED_PERSON_VIEW = "listed_person_view"
    LISTED_PEOPLE_PRINT = "listed_people_print"


# What each action is called on screen (the stored code stays English and stable).
ACTION_LABELS: dict[str, str] = {
    AuditAction.LOGIN: N_("Signed in"),
    AuditAction.LOGIN_FAILED: N_("Wrong password at sign-in"),
    AuditAction.LOGOUT: N_("Signed out"),
    AuditAction.UNLOCK: N_("Unlocked"),
    AuditAction.LOCK: N_("Locked"),
    AuditAction.RECORD_VIEW: N_("Opened a record"),
    AuditAction.RECORD_CREATE: N_("Started a record"),
    AuditAction.RECORD_EDIT: N_("Changed a record"),
    AuditAction.RECORD_FINALIZE: N_("Finalised a record"),
    AuditAction.RECORD_PRINT: N_("Printed or saved a record"),
    AuditAction.RECORD_PRINT_UNREDACTED: N_("Printed a full copy of a protected record"),
    AuditAction.DRAFT_DELETE: N_("Deleted a draft"),
    AuditAction.SIGNATURE_CONFIRM: N_("Confirmed the signed paper of a record"),
    AuditAction.EXPORT: N_("Exported"),
    AuditAction.BACKUP: N_("Made a backup"),
    AuditAction.RESTORE: N_("Restored a backup"),
    AuditAction.SYNC: N_("Synced"),
    AuditAction.ACCOUNT_CHANGE: N_("Changed an account"),
    AuditAction.SETTINGS_CHANGE: N_("Changed the settings"),
    AuditAction.REFUSED: N_("Refused: the role or the lock does not allow it"),
    AuditAction.DRAFT_EDIT_BY_SUPERVISOR: N_("A supervisor edited another officer's draft"),
    AuditAction.FORUM_PLAN: N_("Planned a forum and invited the people of a commune"),
    AuditAction.FORUM_ATTENDANCE: N_("Recorded attendance at a forum"),
    AuditAction.LISTED_PERSON_VIEW: N_("Opened a person of the office's list"),
    AuditAction.LISTED_PEOPLE_PRINT: N_("Printed a village visit list"),
}


def action_label(action: str) -> str:
    """The translated name of an audit action (an unknown code, e.g. from a newer version, as is)."""
    label = ACTION_LABELS.get(action)
    return _(label) if label else action


def _utc_naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def entry_digest(
    prev_hash: str,
    at: datetime,
    officer_id: str | None,
    action: str,
    record_id: str | None,
    details: Mapping[str, Any] | None,
) -> str:
    content = canonical_json(
        {
            "at": at.isoformat(timespec="microseconds"),
            "officer": officer_id,
            "action": action,
            "record": record_id,
            "details": dict(details) if details else None,
        }
    )
    return hashlib.sha256(prev_hash.encode("ascii") + content).hexdigest()


def record_audit(
    session: Session,
    ctx: AppContext | None,
    action: AuditAction,
    record_id: str | None = None,
    details: Mapping[str, Any] | None = None,
    officer_id: str | None = None,
    seq_jump: int = 0,
) -> AuditEntry:
    """Append one entry inside the caller's transaction (so it commits or rolls back with it);
    ``seq_jump`` skips that many sequence numbers (after a restore)."""
    if officer_id is None and ctx is not None and ctx.officer is not None:
        officer_id = ctx.officer.id
    chain = AuditChain.at_end_of(session)
    entry = AuditEntry(**chain.next_entry(officer_id, action, record_id, details, seq_jump))
    session.add(entry)
    session.flush()
    chain.write_checkpoint(session)
    return entry


class AuditChain:
    """Where the log ends, moved on entry by entry in memory: ``record_audit`` appends one entry
    with it, a bulk import a few hundred (one insert and one checkpoint per chunk)."""

    def __init__(self, prev_hash: str, count: int, top: int) -> None:
        self.prev_hash, self.count, self.top = prev_hash, count, top

    @classmethod
    def at_end_of(cls, session: Session) -> AuditChain:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).first()
        checkpoint = load_checkpoint(session)
        if checkpoint is not None and checkpoint.seq >= 0:
            # Chain from where the log ended at its last write: rows cut off since then show as
            # a broken link here, and their numbers are not given out again.
            top = max(checkpoint.seq, last.seq if last is not None else 0)
            return cls(checkpoint.head, checkpoint.count, top)
        count = int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
        if last is None:
            return cls(GENESIS_HASH, count, 0)
        return cls(last.entry_hash, count, last.seq)

    def next_entry(
        self,
        officer_id: str | None,
        action: AuditAction,
        record_id: str | None = None,
        details: Mapping[str, Any] | None = None,
        seq_jump: int = 0,
    ) -> dict[str, Any]:
        """The column values of the next entry (to insert), with the chain moved past it."""
        at = clock.utc_now()
        entry_hash = entry_digest(self.prev_hash, at, officer_id, str(action), record_id, details)
        seq = self.top + 1 + seq_jump
        values = {
            "seq": seq,
            "at": at,
            "officer_id": officer_id,
            "action": str(action),
            "record_id": record_id,
            "details": dict(details) if details else None,
            "prev_hash": self.prev_hash,
            "entry_hash": entry_hash,
        }
        self.prev_hash, self.count, self.top = entry_hash, self.count + 1, seq
        return values

    def write_checkpoint(self, session: Session) -> Checkpoint:
        return write_checkpoint(session, self.top, self.count, self.prev_hash)


def record_refusal(
    ctx: AppContext, action: str, reason: str, now: datetime | None = None
) -> AuditEntry | None:
    """Audit a refused action in its own transaction, folding repeats.

    The first refusal of an (officer, action, reason) is written at once; further ones within
    ``REFUSAL_WINDOW_SECONDS`` of the last written entry are only counted, and the count goes into
    the next entry written for them (``"folded": n``). A script hammering a refused action thus
    adds one entry a minute, not thousands, and no entry is ever removed to make room.
    """
    from app.store.models import Setting

    moment = clock.utc_now() if now is None else _utc_naive(now)
    officer_id = ctx.officer.id if ctx.officer is not None else None
    key = f"{officer_id}|{action}|{reason}"
    with ctx.store.transaction() as session:
        row = session.get(Setting, REFUSALS_SETTING)
        folds: dict[str, Any] = dict(row.value) if row is not None and row.value else {}
        fold = folds.get(key)
        if isinstance(fold, dict):
            last = datetime.fromisoformat(str(fold.get("at")))
            if 0 <= (moment - last).total_seconds() < REFUSAL_WINDOW_SECONDS:
                folds[key] = {**fold, "folded": int(fold.get("folded", 0)) + 1}
                session.merge(Setting(key=REFUSALS_SETTING, value=folds))
                return None
        folded = int(fold.get("folded", 0)) if isinstance(fold, dict) else 0
        details: dict[str, Any] = {"action": action, "reason": reason}
        if folded:
            details["folded"] = folded
        entry = record_audit(session, ctx, AuditAction.REFUSED, details=details)
        folds[key] = {"at": moment.isoformat(), "folded": 0}
        if len(folds) > MAX_REFUSAL_KEYS:  # keep the newest keys
            newest = sorted(folds.items(), key=lambda item: str(item[1].get("at")))
            folds = dict(newest[-MAX_REFUSAL_KEYS:])
        session.merge(Setting(key=REFUSALS_SETTING, value=folds))
        return entry


@dataclass(frozen=True)
class ChainReport:
    entries: int
    first_broken_seq: int | None
    cut: bool = False  # the log no longer reaches its checkpoint (end cut off or rewritten)

    @property
    def intact(self) -> bool:
        return self.first_broken_seq is None and not self.cut

    def message(self) -> str:
        if self.first_broken_seq is not None:
            return _("The audit log was altered at entry {seq}.").format(
                seq=format_number(self.first_broken_seq)
            )
        if self.cut:
            return _(
                "Entries were removed from the end of the audit log, or it was rewritten "
                "({count} entries remain)."
            ).format(count=format_number(self.entries))
        return _("The audit log is intact ({count} entries).").format(
            count=format_number(self.entries)
        )


def verify_chain_in(session: Session) -> ChainReport:
    prev_hash = GENESIS_HASH
    count = 0
    last_seq = 0
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
        count += 1
        expected = entry_digest(
            prev_hash, entry.at, entry.officer_id, entry.action, entry.record_id, entry.details
        )
        if entry.prev_hash != prev_hash or entry.entry_hash != expected:
            return ChainReport(entries=count, first_broken_seq=entry.seq)
        prev_hash = entry.entry_hash
        last_seq = entry.seq
    checkpoint = load_checkpoint(session)
    if checkpoint is None:
        return ChainReport(entries=count, first_broken_seq=None, cut=count > 0)
    key = session.info.get(AUDIT_KEY_INFO)
    keyed_ok = not isinstance(key, bytes) or (
        checkpoint.mac is not None
        and hmac.compare_digest(
            checkpoint.mac, _checkpoint_mac(key, checkpoint.seq, checkpoint.count, checkpoint.head)
        )
    )
    matches = (checkpoint.seq, checkpoint.count, checkpoint.head) == (last_seq, count, prev_hash)
    return ChainReport(entries=count, first_broken_seq=None, cut=not (keyed_ok and matches))


def chain_head(session: Session) -> dict[str, Any] | None:
    """The checkpoint as sent to the office with every sync batch (the office keeps the newest
    and flags a device whose chain goes backwards)."""
    checkpoint = load_checkpoint(session)
    if checkpoint is None:
        return None
    return {"seq": checkpoint.seq, "count": checkpoint.count, "head": checkpoint.head}


def verify_audit_chain(ctx: AppContext) -> ChainReport:
    with ctx.store.transaction() as session:
        return verify_chain_in(session)
