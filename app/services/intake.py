"""What the intake wizard needs besides saving: jurisdiction pre-screening and attachments.

Screening reads the answers through the roles the form gives its fields (crime dates, crimes,
crime place, participation, direct injury), so a new form gets screening by tagging its fields.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import stat
import uuid
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from app.core import clock
from app.core.approx_date import ApproxDate, ApproxDateError, Precision
from app.core.forms import ChoiceRole, FieldRole, FormDefinition
from app.core.jurisdiction import CrimeCategory, ScreeningNote, screen
from app.i18n import _
from app.services.access import load_visible
from app.services.context import AppContext
from app.services.errors import RecordError
from app.store.models import Attachment

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def _answer(form: FormDefinition, answers: Mapping[str, Any], role: FieldRole) -> Any:
    item = form.field_with_role(role)
    return None if item is None else answers.get(item.id)


def _crime_date(value: Any) -> ApproxDate | None:
    if not isinstance(value, Mapping):
        return None
    try:
        return ApproxDate.from_dict(dict(value))
    except ApproxDateError:
        return None


def _date_bound(parsed: ApproxDate | None, latest: bool) -> date | None:
    if parsed is None:
        return None
    if parsed.precision is Precision.AGE_IN_YEAR and parsed.year is not None:
        # "30 years old in 1975" typed as the time of a crime: it happened in 1975. The age is
        # the applicant's then; it is not a birth year here.
        return date(parsed.year, 12, 31) if latest else date(parsed.year, 1, 1)
    return parsed.latest() if latest else parsed.earliest()


def screening_notes(form: FormDefinition, answers: Mapping[str, Any]) -> list[ScreeningNote]:
    """Plain-language notes on the court's jurisdiction for what has been answered so far."""
    start = _crime_date(_answer(form, answers, FieldRole.CRIME_DATE_FROM))
    end = _crime_date(_answer(form, answers, FieldRole.CRIME_DATE_TO)) or start
    crimes_raw = _answer(form, answers, FieldRole.CRIME_CATEGORIES) or []
    crimes = [CrimeCategory(c) for c in crimes_raw if c in CrimeCategory._value2member_map_]
    participation_field = form.field_with_role(FieldRole.PARTICIPATION)
    participation = _answer(form, answers, FieldRole.PARTICIPATION)
    injury = _answer(form, answers, FieldRole.DIRECT_INJURY)
    return screen(
        earliest=_date_bound(start, latest=False),
        latest=_date_bound(end, latest=True),
        crimes=crimes,
        approximate=any(d is not None and d.approximate for d in (start, end)),
        claims_direct_injury=injury if isinstance(injury, bool) else None,
        applies_as_civil_party=None
        if participation is None or participation_field is None
        else participation_field.chose_role(participation, ChoiceRole.CIVIL_PARTY),
    )


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes.

    A symbolic link, a device (``/dev/zero`` never ends), a FIFO (blocks forever) or a folder is
    refused before reading; the size is counted while reading, so a file that grows after the
    check (or lies about its size) stops at the limit instead of filling memory.
    """
    too_large = RecordError(
        _("This file is too large (more than {size} MB).").format(size=limit // (1024 * 1024))
    )
    not_regular = RecordError(_("Only an ordinary file can be attached (not a link or a device)."))
    try:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            raise not_regular
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        flags |= getattr(os, "O_BINARY", 0)
        descriptor = os.open(path, flags)
    except OSError as error:
        raise RecordError(_("The file could not be read: {error}").format(error=error)) from error
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise not_regular
    with os.fdopen(descriptor, "rb") as handle:
        try:
            chunks: list[bytes] = []
            total = 0
            while chunk := handle.read(1024 * 1024):
                total += len(chunk)
                if total > limit:
                    raise too_large
                chunks.append(chunk)
        except OSError as error:
            raise RecordError(
                _("The file could not be read: {error}").format(error=error)
            ) from error
    return b"".join(chunks)


def add_attachment(
    ctx: AppContext, application_id: str, field_id: str, path: Path
) -> dict[str, str]:
    """Read a scan or photo into the encrypted store; the answer keeps only {id, name, sha256}."""
    content = read_regular_file(path, MAX_ATTACHMENT_BYTES)
    digest = hashlib.sha256(content).hexdigest()
    attachment_id = str(uuid.uuid4())
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    with ctx.store.transaction() as session:
        load_visible(session, ctx, application_id)
        session.add(
            Attachment(
                id=attachment_id,
                application_id=application_id,
                field_id=field_id,
                file_name=path.name,
                media_type=media_type,
                content=content,
                sha256=digest,
                created_at=clock.utc_now(),
            )
        )
    return {"id": attachment_id, "name": path.name, "sha256": digest}
