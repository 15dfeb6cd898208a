"""This laptop's sync identity: its signing key, the enrolment request for the central office, and
the office keys it trusts once enrolled."""

from __future__ import annotations

import re
import socket
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from app.core import clock
from app.i18n import _
from app.services.audit import AuditAction, record_audit
from app.services.context import AppContext, get_setting
from app.services.errors import SyncError
from app.services.security import Action, authorize
from app.services.settings import load_settings
from app.store.models import Setting
from app.sync.crypto import (
    KeyFormatError,
    ServerPublicKeys,
    b64decode,
    b64encode,
    new_signing_key,
    private_bytes,
    public_bytes,
    signing_key_from_b64,
)

DEVICE_KEY_SETTING = "sync.device_signing_key"
# The key the office seals this laptop's list of civil parties to (kept beside the signing key:
# the enrolment request carries its public half).
LIST_KEY_SETTING = "sync.list_key"
SERVER_KEYS_SETTING = "sync.server_public_keys"
ENROLMENT_SETTING = "sync.enrolment"


TLS_PIN_FIELD = "tls_public_key_sha256"


def device_keys(ctx: AppContext) -> Ed25519PrivateKey:
    """This device's Ed25519 signing key, made on first use and kept in the (encrypted) store."""
    with ctx.store.transaction() as session:
        row = session.get(Setting, DEVICE_KEY_SETTING)
        if row is None:
            key = new_signing_key()
            session.add(Setting(key=DEVICE_KEY_SETTING, value=b64encode(private_bytes(key))))
            return key
        return signing_key_from_b64(str(row.value))


def list_private_key(ctx: AppContext) -> X25519PrivateKey:
    """This laptop's list key, made on first use."""
    with ctx.store.transaction() as session:
        row = session.get(Setting, LIST_KEY_SETTING)
        if row is None:
            key = X25519PrivateKey.generate()
            session.add(Setting(key=LIST_KEY_SETTING, value=b64encode(private_bytes(key))))
            return key
        return X25519PrivateKey.from_private_bytes(b64decode(str(row.value), 32))


def list_public_b64(ctx: AppContext) -> str:
    """The public half of this laptop's list key (for the enrolment request)."""
    return b64encode(public_bytes(list_private_key(ctx).public_key()))


def enrolment_request(ctx: AppContext) -> dict[str, Any]:
    """What the office needs to enrol this laptop (give it to ``vss-outreach-server enrol-device``)."""
    return {
        "kind": "vss-outreach-enrolment-request",
        "device_id": ctx.device_id,
        "device_name": load_settings(ctx).device_name or socket.gethostname()[:100],
        "signing_public": b64encode(public_bytes(device_keys(ctx).public_key())),
        # the key the office seals this laptop's list of civil parties to
        "list_public": list_public_b64(ctx),
    }


def enrolment_fingerprint(data: Mapping[str, Any]) -> str:
    """The fingerprint of the office keys in an enrolment file, to show before installing it."""
    try:
        return ServerPublicKeys.from_json(dict(data)).fingerprint()
    except (KeyError, KeyFormatError, ValueError, TypeError) as error:
        raise SyncError(_("This enrolment file is damaged.")) from error


def install_enrolment(
    ctx: AppContext, data: Mapping[str, Any], confirmed_fingerprint: str | None = None
) -> None:
    """Trust the office keys from an enrolment file made for this device; administrators only.

    Replacing keys already trusted needs ``confirmed_fingerprint``: the fingerprint the
    administrator was shown (:func:`enrolment_fingerprint`) and compared with the office's. When
    given on a first enrolment it must match too.
    """
    authorize(ctx, Action.ENROL)
    if data.get("device_id") != ctx.device_id:
        raise SyncError(_("This enrolment file was made for another laptop."))
    try:
        keys = ServerPublicKeys.from_json(dict(data))
    except (KeyError, KeyFormatError, ValueError, TypeError) as error:
        raise SyncError(_("This enrolment file is damaged.")) from error
    pin = data.get(TLS_PIN_FIELD)
    if pin is not None and not (isinstance(pin, str) and re.fullmatch(r"[0-9a-f]{64}", pin)):
        raise SyncError(_("This enrolment file is damaged."))
    current = server_public_keys(ctx)
    replacing = current is not None and current.fingerprint() != keys.fingerprint()
    if confirmed_fingerprint is not None or replacing:
        typed = "".join((confirmed_fingerprint or "").split()).upper()
        if typed != "".join(keys.fingerprint().split()):
            raise SyncError(
                _(
                    "The office key was not confirmed. Compare its fingerprint with the one "
                    "the office gave you, then confirm."
                )
            )
    with ctx.store.transaction() as session:
        session.merge(Setting(key=SERVER_KEYS_SETTING, value=keys.to_json()))
        session.merge(
            Setting(
                key=ENROLMENT_SETTING,
                value={
                    "server_url": str(data.get("server_url") or ""),
                    "tls_pin": pin,
                    "at": clock.utc_now().isoformat(),
                },
            )
        )
        record_audit(
            session,
            ctx,
            AuditAction.SETTINGS_CHANGE,
            details={
                "sync": "re-enrolled" if replacing else "enrolled",
                "office_key": keys.fingerprint(),
            },
        )


def tls_pin(ctx: AppContext) -> str | None:
    """The SHA-256 of the office's TLS public key from the enrolment file (None: not pinned)."""
    enrolment = get_setting(ctx, ENROLMENT_SETTING) or {}
    pin = enrolment.get("tls_pin") if isinstance(enrolment, dict) else None
    return str(pin) if pin else None


def office_url(ctx: AppContext) -> str:
    """The office address: the one saved in the settings, else the enrolment file's."""
    saved = load_settings(ctx).server_url
    if saved:
        return saved
    enrolment = get_setting(ctx, ENROLMENT_SETTING) or {}
    return str(enrolment.get("server_url") or "") if isinstance(enrolment, dict) else ""


def server_public_keys(ctx: AppContext) -> ServerPublicKeys | None:
    stored = get_setting(ctx, SERVER_KEYS_SETTING)
    return None if stored is None else ServerPublicKeys.from_json(stored)


def is_enrolled(ctx: AppContext) -> bool:
    return get_setting(ctx, SERVER_KEYS_SETTING) is not None


def require_enrolment(ctx: AppContext) -> ServerPublicKeys:
    keys = server_public_keys(ctx)
    if keys is None:
        raise SyncError(_("This laptop is not enrolled with the central office yet."))
    return keys
