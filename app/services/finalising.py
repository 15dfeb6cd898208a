"""What finalising an application means, shared by the wizard's finalise (``records``) and the
bulk import (``bulk_import``): the checks that block it, the status it takes, and the payload
whose digest seals each version for sync."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.core.forms import FieldRole, FormDefinition
from app.core.forms.model import SignatureMark
from app.core.forms.validation import FieldIssue
from app.i18n import _
from app.services.errors import RecordError
from app.services.finalise_checks import blocking as blocking  # re-exported: used with the rest
from app.services.finalise_checks import check_application as check_application
from app.store.models import Application, ApplicationVersion
from app.sync.format import canonical_json, canonical_text, encoded_digest

AWAITING_SIGNATURE = "awaiting_signature"
REFERENCE_SEQUENCE_KEY = "reference_sequence"


class ValidationFailed(RecordError):
    def __init__(self, issues: Sequence[FieldIssue]) -> None:
        super().__init__(_("The application has problems to fix before it can be finalised."))
        self.issues = list(issues)


def signature_pending(form: FormDefinition, answers: Mapping[str, Any]) -> bool:
    """The applicant will sign or put a thumbprint on the printed paper later."""
    item = form.field_with_role(FieldRole.SIGNATURE_MARK)
    return item is not None and answers.get(item.id) == SignatureMark.TO_BE_TAKEN.value


def final_status(form: FormDefinition, answers: Mapping[str, Any]) -> str:
    """ "Signature or thumbprint to be taken later": final and printable for signing, but not sent
    to the office until the signed paper is confirmed (app/services/signatures.py)."""
    return AWAITING_SIGNATURE if signature_pending(form, answers) else "final"


def version_payload(application: Application, version: ApplicationVersion) -> dict[str, Any]:
    """One finalised version as the sync format carries it (see app/sync/format.py)."""
    return payload_from_columns(
        tuple(
            getattr(version if entity is ApplicationVersion else application, name)
            for entity, name in _PAYLOAD_SOURCES
        )
    )


# Where each payload value comes from, in `payload_from_columns`' order.
_PAYLOAD_SOURCES: tuple[tuple[type[Any], str], ...] = (
    (ApplicationVersion, "id"),
    (Application, "id"),
    (Application, "reference"),
    (Application, "form_id"),
    (ApplicationVersion, "form_version"),
    (ApplicationVersion, "version_no"),
    (ApplicationVersion, "answers"),
    (ApplicationVersion, "reason"),
    (ApplicationVersion, "created_at"),
    (ApplicationVersion, "created_by"),
)
# The same values as columns, for the outbox, which seals hundreds of versions at a time without
# loading whole entities.
PAYLOAD_COLUMNS = tuple(getattr(entity, name) for entity, name in _PAYLOAD_SOURCES)


def payload_from_columns(row: Sequence[Any]) -> dict[str, Any]:
    """`version_payload` from the values of `PAYLOAD_COLUMNS`, in that order."""
    (
        version_id,
        application_id,
        reference,
        form_id,
        form_version,
        version_no,
        answers,
        reason,
        created_at,
        created_by,
    ) = row
    return {
        "version_id": version_id,
        "application_id": application_id,
        "reference": reference,
        "form_id": form_id,
        "form_version": form_version,
        "version_no": version_no,
        "answers": answers,
        "reason": reason,
        "created_at": created_at.isoformat(),
        "created_by": created_by,
    }


def sealed_answers(row: Sequence[Any]) -> tuple[str, str]:
    """The answers of the values of `PAYLOAD_COLUMNS` (in that order) as canonical JSON text,
    and the version's digest (``record_digest`` of its payload), with the answers encoded once
    for both: a bulk import stores that text, so the largest value of a record is not encoded
    again, escaped, for its column. The payload's canonical form is its keys sorted, and
    "answers" sorts first: it is the answers' own canonical form spliced in front of the rest."""
    payload = payload_from_columns(row)
    answers = canonical_text(payload.pop("answers"))
    rest = canonical_json(payload)
    return answers, encoded_digest(b'{"answers":' + answers.encode("utf-8") + b"," + rest[1:])
