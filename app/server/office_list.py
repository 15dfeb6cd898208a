"""The office's list of civil parties and applicants: imported from the office's spreadsheet,
sent to each laptop for the provinces it serves, sealed to that laptop and signed by the office.

Import is all or nothing: a file with any bad row stores nothing and every problem is reported
with its row number, translated (the office fixes the file and imports it again). A laptop's
list holds only its provinces; people confidential from the parties are never sent, people
confidential from the public are sent without name or birth year
(:meth:`app.core.civil_party_list.ListPerson.for_laptop`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.core.civil_party_list import ListPerson, RowProblem, parse_table
from app.core.clock import utc_now
from app.core.forms import FieldRole
from app.core.forms.loader import load_all_forms
from app.core.gazetteer import load_gazetteer
from app.core.reference import prior_reference_key
from app.core.table_file import MAX_FILE_BYTES, TableFileError, read_table
from app.i18n import _, format_number
from app.sync.batch import MAX_SEALED_BYTES, BatchError
from app.sync.crypto import (
    KeyFormatError,
    ServerKeys,
    b64decode,
    b64encode,
    sign_document,
    verify_document,
)
from app.sync.format import canonical_json
from app.sync.office_list import LIST_KEY_KIND, seal_office_list
from app.sync.protocol import LIST_REQUEST_KIND
from app.sync.stick import LISTS_FOLDER, StickFolder

from .models import DeviceListSetting, OfficeListImport, OfficeListPerson, RecordVersion
from .statuses import enrolled_device_key, spend_nonce, verified_request

MAX_PROBLEMS_SHOWN = 200
_CHUNK = 1000


class ListImportError(Exception):
    """The office's file cannot be imported; the message is translated."""


@dataclass(frozen=True)
class ImportOutcome:
    people: int  # stored (0 when there were problems)
    problems: list[str]  # translated, one per problem, with the row number


def problem_text(problem: RowProblem) -> str:
    """One problem of the office's file, translated, naming the row and the column."""
    messages = {
        "missing_column": _("the column is missing"),
        "unknown_column": _("this column is not one of the list's columns"),
        "required": _("a value is needed"),
        "too_long": _("the value is too long"),
        "unprintable": _("the value has characters that cannot be printed"),
        "bad_choice": _("this value is not one of those allowed"),
        "bad_year": _("not a birth year between 1880 and 1979"),
        "bad_code": _("not a code of the right form"),
        "unknown_place": _("no place has this code in the gazetteer"),
        "place_mismatch": _("this place is not inside the one in the previous column"),
        "duplicate": _("given twice"),
        "too_many_rows": _("the file has more rows than a list may hold"),
        "no_name": _("neither a Khmer nor a Latin name"),
    }
    text = messages.get(problem.code, problem.code)
    value = f" ({problem.value})" if problem.value else ""
    return _("Row {row}, column {column}: {problem}{value}").format(
        row=format_number(problem.row), column=problem.column, problem=text, value=value
    )


def import_list(sessions: sessionmaker[Session], data: bytes, file_name: str) -> ImportOutcome:
    """Replace the office's list by the people of a CSV or XLSX file, or store nothing and say
    what is wrong, row by row (at most ``MAX_PROBLEMS_SHOWN`` and how many more)."""
    if len(data) > MAX_FILE_BYTES:
        raise ListImportError(
            _("The file is larger than {size} MB.").format(size=MAX_FILE_BYTES // (1024 * 1024))
        )
    try:
        rows = read_table(data, file_name)
    except TableFileError as error:
        if error.code == "encoding":
            raise ListImportError(_("The file is not UTF-8 text; save it as CSV UTF-8.")) from error
        if error.code == "too_large":
            raise ListImportError(_("The file is too large to be a list.")) from error
        raise ListImportError(_("The file is not a CSV or XLSX table.")) from error
    parsed = parse_table(rows, load_gazetteer())
    if parsed.problems:
        shown = [problem_text(p) for p in parsed.problems[:MAX_PROBLEMS_SHOWN]]
        hidden = len(parsed.problems) - len(shown)
        if hidden:
            shown.append(_("... and {count} more problems.").format(count=hidden))
        return ImportOutcome(0, shown)
    with sessions.begin() as session:
        session.execute(delete(OfficeListPerson))
        for start in range(0, len(parsed.people), _CHUNK):
            session.add_all(
                OfficeListPerson(
                    number=person.number,
                    number_key=person.number_key,
                    province=person.province,
                    person=person.to_json(),
                )
                for person in parsed.people[start : start + _CHUNK]
            )
            session.flush()
        session.add(
            OfficeListImport(
                file_name=file_name[-200:], people=len(parsed.people), imported_at=utc_now()
            )
        )
    return ImportOutcome(len(parsed.people), [])


def set_provinces(sessions: sessionmaker[Session], device_id: str, provinces: list[str]) -> None:
    """Name the provinces a laptop serves (its list holds only these)."""
    gazetteer = load_gazetteer()
    for code in provinces:
        place = gazetteer.get(code)
        if place is None or place.level != "province":
            raise ListImportError(_("{code} is not a province code.").format(code=code))
    with sessions.begin() as session:
        enrolled_device_key(session, device_id)
        setting = session.get(DeviceListSetting, device_id)
        if setting is None:
            setting = DeviceListSetting(device_id=device_id, list_public=None)
            session.add(setting)
        setting.provinces = sorted(set(provinces))
        setting.updated_at = utc_now()


def enrol_list(
    sessions: sessionmaker[Session], device_id: str, provinces: list[str], list_public: Any
) -> None:
    """At enrolment: the provinces named by the office and the list key from the laptop's
    request (carried by hand with it, like its identity key)."""
    if provinces:
        set_provinces(sessions, device_id, provinces)
    if list_public is None:
        return
    try:
        b64decode(str(list_public), 32)
    except KeyFormatError as error:
        raise ListImportError(_("The list key in the enrolment request is damaged.")) from error
    with sessions.begin() as session:
        setting = session.get(DeviceListSetting, device_id)
        if setting is None:
            session.add(
                DeviceListSetting(
                    device_id=device_id,
                    provinces=[],
                    list_public=str(list_public),
                    updated_at=utc_now(),
                )
            )
        else:
            setting.list_public = str(list_public)
            setting.updated_at = utc_now()


def note_list_key(sessions: sessionmaker[Session], signed: Any) -> bool:
    """Keep a laptop's list key if its identity key signed it; False if not genuine."""
    body = signed.get("body") if isinstance(signed, dict) else None
    if not isinstance(body, dict) or body.get("kind") != LIST_KEY_KIND:
        return False
    device_id, key = str(body.get("device_id", "")), body.get("list_public")
    try:
        b64decode(str(key), 32)
        with sessions.begin() as session:
            if verify_document(enrolled_device_key(session, device_id), signed) is None:
                return False
            setting = session.get(DeviceListSetting, device_id)
            if setting is None:
                session.add(
                    DeviceListSetting(
                        device_id=device_id, provinces=[], list_public=key, updated_at=utc_now()
                    )
                )
            elif setting.list_public != key:
                setting.list_public = str(key)
                setting.updated_at = utc_now()
    except (BatchError, KeyFormatError):
        return False
    return True


@lru_cache(maxsize=1)
def _prior_reference_fields() -> dict[str, str]:
    """form id -> id of its field with the ``prior_reference`` role (the follow-up contacts)."""
    found: dict[str, str] = {}
    for form in load_all_forms().values():
        item = form.field_with_role(FieldRole.PRIOR_REFERENCE)
        if item is not None:
            found[form.id] = item.id
    return found


def _office_contacts(session: Session) -> dict[str, str]:
    """number key -> ISO date of the latest contact the office received naming it."""
    fields = _prior_reference_fields()
    latest: dict[str, str] = {}
    rows = session.execute(
        select(RecordVersion.form_id, RecordVersion.payload, RecordVersion.received_at).where(
            RecordVersion.form_id.in_(sorted(fields))
        )
    )
    for form_id, payload, received in rows:
        answers = payload.get("answers") if isinstance(payload, dict) else None
        value = answers.get(fields[form_id]) if isinstance(answers, dict) else None
        key = prior_reference_key(value) if isinstance(value, str) else None
        if key:
            day = received.date().isoformat()
            latest[key] = max(latest.get(key, day), day)
    return latest


def _issued(session: Session, setting: DeviceListSetting) -> float:
    """When the list a laptop would get last changed: an import, its provinces, or a contact."""
    imported = session.scalar(select(func.max(OfficeListImport.imported_at)))
    contacted = session.scalar(
        select(func.max(RecordVersion.received_at)).where(
            RecordVersion.form_id.in_(sorted(_prior_reference_fields()))
        )
    )
    latest = max(d for d in (imported, setting.updated_at, contacted) if d is not None)
    return latest.replace(tzinfo=UTC).timestamp()


def list_for_device(
    sessions: sessionmaker[Session], keys: ServerKeys, device_id: str, have: float | None = None
) -> tuple[dict[str, Any], list[bytes]] | None:
    """(signed manifest, sealed parts) of the list for a laptop; None when it has no provinces or
    no list key yet, or already holds this list (``have``)."""
    with sessions() as session:
        enrolled_device_key(session, device_id)
        setting = session.get(DeviceListSetting, device_id)
        if setting is None or not setting.provinces or not setting.list_public:
            return None
        issued = _issued(session, setting)
        if have is not None and issued <= have:
            return None
        people: list[dict[str, Any]] = []
        contacts = _office_contacts(session)
        for row in session.scalars(
            select(OfficeListPerson)
            .where(OfficeListPerson.province.in_(setting.provinces))
            .order_by(OfficeListPerson.number)
        ):
            sent = ListPerson(**row.person).for_laptop()
            if sent is not None:
                people.append({**sent.to_json(), "last_contact": contacts.get(row.number_key)})
        provinces, list_public = list(setting.provinces), setting.list_public
    return seal_office_list(
        people=people,
        device_id=device_id,
        provinces=provinces,
        issued=issued,
        list_public=X25519PublicKey.from_public_bytes(b64decode(list_public, 32)),
        office_key=keys.signing,
    )


def answer_list_request(
    sessions: sessionmaker[Session], keys: ServerKeys, signed_request: Any
) -> dict[str, Any]:
    """The signed answer to a laptop's list request: its list, or ``unchanged``."""
    device_id, body, nonce = verified_request(sessions, keys, signed_request, LIST_REQUEST_KIND)
    key_document = body.get("list_key")
    if key_document is not None:
        key_body = key_document.get("body") if isinstance(key_document, dict) else None
        if not isinstance(key_body, dict) or key_body.get("device_id") != device_id:
            raise BatchError("corrupt", "the list key is for another laptop")
        if not note_list_key(sessions, key_document):
            raise BatchError("bad_signature", "the list key is not signed by the laptop")
    try:
        with sessions.begin() as session:
            spend_nonce(session, nonce)
    except IntegrityError as error:
        raise BatchError("replay", "this list request was already answered") from error
    have = body.get("have")
    found = list_for_device(
        sessions, keys, device_id, float(have) if isinstance(have, int | float) else None
    )
    answer: dict[str, Any] = {"device_id": device_id, "nonce": nonce, "unchanged": found is None}
    if found is not None:
        answer["manifest"], parts = found
        answer["parts"] = [b64encode(part) for part in parts]
    return sign_document(keys.signing, answer)


def write_list_to_stick(
    sessions: sessionmaker[Session], keys: ServerKeys, stick: StickFolder, device_id: str
) -> int:
    """Write the laptop's list to ``lists/`` on its stick; returns the people written (0: none)."""
    found = list_for_device(sessions, keys, device_id)
    if found is None:
        return 0
    manifest, parts = found
    with stick.subfolder(LISTS_FOLDER, create=True) as folder:
        for number, part in enumerate(parts):
            if len(part) > MAX_SEALED_BYTES:
                raise BatchError("corrupt", "a part of the list is too large")
            folder.write(f"{device_id}-{number}.vsl", part)
        folder.write(f"{device_id}.json", canonical_json(manifest))
    return int(manifest["body"]["people"])
