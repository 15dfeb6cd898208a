"""Receiving the office's list of civil parties on this laptop (network sync or USB stick).

The laptop makes an X25519 *list key* on first use (kept in the encrypted store) and sends its
public half signed by its identity key: in the enrolment request, with each list request and in
each stick's manifest. The office seals the list to it and signs it (app.sync.office_list). A
list is taken only if the office signed it for this laptop, every part is the one its manifest
names, and it is newer than the list held; it then replaces the held list whole. Each person is
checked again like a row of the office's file, and only the provinces the manifest names are
kept.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from app.core import clock
from app.core.civil_party_list import ListPerson, person_from_json
from app.core.gazetteer import load_gazetteer
from app.i18n import _
from app.services.audit import AuditAction, record_audit
from app.services.civil_parties import LIST_INFO_SETTING, store_list
from app.services.context import AppContext
from app.services.errors import SyncError
from app.services.sync_enrolment import (
    device_keys,
    list_private_key,
    list_public_b64,
    require_enrolment,
)
from app.store.models import Setting
from app.sync.batch import MAX_SEALED_BYTES, BatchError
from app.sync.office_list import (
    MAX_PARTS,
    list_key_document,
    open_office_list,
    verify_list_manifest,
)
from app.sync.stick import LISTS_FOLDER, MAX_SMALL_FILE_BYTES, StickError, StickFolder


def signed_list_key(ctx: AppContext) -> dict[str, Any]:
    """This laptop's list key signed by its identity key (list requests, stick manifests)."""
    return list_key_document(device_keys(ctx), ctx.device_id, list_public_b64(ctx))


def held_issued(ctx: AppContext) -> float | None:
    """When the office made the list this laptop holds (office clock), or None."""
    with ctx.store.transaction() as session:
        row = session.get(Setting, LIST_INFO_SETTING)
    issued = row.value.get("issued") if row is not None and isinstance(row.value, dict) else None
    return float(issued) if isinstance(issued, int | float) else None


def _damaged() -> SyncError:
    return SyncError(
        _("The office's list could not be verified and was not taken. The list held is kept.")
    )


def receive_list(ctx: AppContext, manifest: Any, parts: list[bytes]) -> int:
    """Take the office's list if genuine, for this laptop and newer than the one held; returns
    the people now held (0 when nothing changed). Raises SyncError (translated) if not genuine."""
    keys = require_enrolment(ctx)
    try:
        body = verify_list_manifest(keys.signing, manifest, ctx.device_id)
        held = held_issued(ctx)
        if held is not None and float(body["issued"]) <= held:
            return 0  # the same list again, or an older one from an old stick
        received = open_office_list(body, parts, list_private_key(ctx), keys.signing)
    except (BatchError, ValueError, TypeError) as error:
        raise _damaged() from error
    gazetteer = load_gazetteer()
    provinces = {str(p) for p in body["provinces"]}
    people: dict[str, ListPerson] = {}
    for item in received:
        person = person_from_json(item, gazetteer)
        if person is not None and person.province in provinces:
            people.setdefault(person.number_key, person)
    issued = float(body["issued"])
    info = {
        "provinces": sorted(provinces),
        "issued": issued,
        "issued_at": datetime.fromtimestamp(issued, UTC).replace(tzinfo=None).isoformat(),
        "received_at": clock.utc_now().isoformat(),
        "list_id": str(body["list_id"]),
        "skipped": len(received) - len(people),
    }
    with ctx.store.transaction() as session:
        count = store_list(session, people.values(), info)
        record_audit(
            session,
            ctx,
            AuditAction.SYNC,
            details={"mode": "office_list", "people": count, "list_id": info["list_id"]},
        )
    return count


def read_list_from_stick(ctx: AppContext, stick: StickFolder) -> int:
    """Take this laptop's list from ``lists/`` on a stick, if there is one (0 otherwise)."""
    if not stick.exists(LISTS_FOLDER):
        return 0
    with stick.subfolder(LISTS_FOLDER) as folder:
        if not folder.exists(f"{ctx.device_id}.json"):
            return 0
        try:
            manifest = json.loads(folder.read(f"{ctx.device_id}.json", MAX_SMALL_FILE_BYTES))
            body = manifest.get("body") if isinstance(manifest, dict) else None
            count = len(body.get("parts", [])) if isinstance(body, dict) else 0
            if not 0 < count <= MAX_PARTS:
                raise _damaged()
            parts = [
                folder.read(f"{ctx.device_id}-{number}.vsl", MAX_SEALED_BYTES)
                for number in range(count)
            ]
        except (ValueError, UnicodeDecodeError, StickError) as error:
            raise _damaged() from error
    return receive_list(ctx, manifest, parts)
