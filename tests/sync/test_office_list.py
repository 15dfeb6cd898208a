"""The office's list of civil parties, office -> laptop: imported by the office's CLI from CSV or
XLSX, sent for the laptop's provinces only, sealed to the laptop and signed by the office, by
network sync (real server on loopback) and by USB stick; hostile or stale lists are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core.civil_party_list import ListPerson
from app.server.main import main as server_main
from app.server.models import OfficeListPerson
from app.server.office_list import import_list, set_provinces
from app.services import civil_parties, sync_enrolment, sync_usb
from app.services.context import AppContext, open_app
from app.services.errors import SyncError
from app.services.spreadsheets import csv_bytes, xlsx_bytes
from app.services.sync import sync_now
from app.sync.crypto import ServerKeys
from tests.civil_party_data import SERVED_PROVINCES, as_rows, planted, synthetic_people
from tests.officers import FIELD_OFFICER, SUPERVISOR, add_officers, as_administrator
from tests.sync.harness import LiveServer, add_records, enrolled_device

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def _expected(people: list[ListPerson]) -> set[str]:
    return {
        p.number for p in people if p.province in SERVED_PROVINCES and p.protection != "parties"
    }


def _as_field_officer(ctx: AppContext) -> AppContext:
    add_officers(ctx, (FIELD_OFFICER,))
    ctx.officer = FIELD_OFFICER
    return ctx


def test_a_10000_person_list_reaches_the_laptop_by_network(
    tmp_path: Path, server: LiveServer, device: AppContext, database_url: str
) -> None:
    count = 10_000 if database_url.startswith("sqlite") else 2_000
    people = synthetic_people(count)
    sopheap = planted(people, 3, name_km="ហេង សុភាព", name_latin="", protection="none")
    planted(people, 5, protection="public")  # people of the served provinces (see
    planted(people, 6, protection="parties")  # synthetic_people)
    (tmp_path / "list.csv").write_bytes(csv_bytes([as_rows(people)]))
    assert server_main(["import-list", "--db", database_url, str(tmp_path / "list.csv")]) == 0
    set_provinces(server.sessions, device.device_id, list(SERVED_PROVINCES))

    result = sync_now(device, server.url)
    assert result.error is None
    expected = _expected(people)
    assert result.list_people == len(expected)
    field = _as_field_officer(device)
    assert civil_parties.list_info(field).count == len(expected)
    assert civil_parties.list_info(field).provinces == sorted(SERVED_PROVINCES)
    found = civil_parties.search_people(field, "Sophiep Heng")
    assert sopheap.number in {row.number for row in found}
    assert civil_parties.search_people(field, people[6].number) == []  # never sent
    [masked] = civil_parties.search_people(field, people[5].number)
    assert masked.masked and masked.name_km == "" and masked.name_latin == ""
    other = next(p for p in people if p.province not in SERVED_PROVINCES)
    assert civil_parties.search_people(field, other.number) == []  # another province

    # Nothing new at the office: the next sync fetches nothing; a new import replaces the list.
    device.officer = SUPERVISOR
    add_officers(device, (SUPERVISOR,))
    assert sync_now(device, server.url).list_people == 0
    smaller = people[: count // 2]
    outcome = import_list(server.sessions, csv_bytes([as_rows(smaller)]), "list.csv")
    assert outcome.problems == []
    assert sync_now(device, server.url).list_people == len(_expected(smaller))


def test_the_list_reaches_the_laptop_by_usb_stick_with_the_receipts(
    tmp_path: Path, database_url: str, home: Path
) -> None:
    keys_dir = tmp_path / "keys"
    options = ["--db", database_url, "--keys", str(keys_dir)]
    assert server_main(["init-keys", str(keys_dir)]) == 0
    ctx = as_administrator(open_app(home))
    try:
        request_file = tmp_path / "request.json"
        request_file.write_text(json.dumps(sync_enrolment.enrolment_request(ctx)), "utf-8")
        enrolment_file = tmp_path / "enrolment.json"
        assert server_main([
            "enrol-device", *options, "--request", str(request_file),
            "--out", str(enrolment_file), "--provinces", *SERVED_PROVINCES,
        ]) == 0  # fmt: skip
        sync_enrolment.install_enrolment(ctx, json.loads(enrolment_file.read_text("utf-8")))
        # The whole 10,000-person list on SQLite (as by network); a shorter one on PostgreSQL.
        people = synthetic_people(10_000 if database_url.startswith("sqlite") else 1500, seed=5)
        (tmp_path / "list.xlsx").write_bytes(xlsx_bytes([("List", as_rows(people))]))
        assert server_main(["import-list", *options, str(tmp_path / "list.xlsx")]) == 0

        add_records(ctx, 3)
        stick = tmp_path / "stick" / "vss-export"
        assert sync_usb.export_batches(ctx, stick) == 3
        assert server_main(["import", str(stick), *options]) == 0
        assert sorted(p.name for p in (stick / "lists").iterdir())[0].endswith("-0.vsl")
        assert sync_usb.import_receipts(ctx, stick) == 3
        field = _as_field_officer(ctx)
        assert {
            row.number for row in civil_parties.search_people(field, "", limit=20_000)
        } == _expected(people)

        # The office can also write the list for a laptop onto a fresh stick.
        fresh = tmp_path / "fresh"
        assert server_main(["export-list", *options, "--device-id", ctx.device_id, str(fresh)]) == 0
        assert (fresh / "lists" / f"{ctx.device_id}.json").exists()
        # ... and the laptop takes it from there: a new import at the office, a stick with only
        # the list on it.
        smaller = people[:700]
        (tmp_path / "smaller.csv").write_bytes(csv_bytes([as_rows(smaller)]))
        assert server_main(["import-list", *options, str(tmp_path / "smaller.csv")]) == 0
        newer = tmp_path / "newer"
        assert server_main(["export-list", *options, "--device-id", ctx.device_id, str(newer)]) == 0
        ctx.officer = SUPERVISOR
        add_officers(ctx, (SUPERVISOR,))
        assert sync_usb.import_receipts(ctx, newer) == 0
        assert civil_parties.list_info(ctx).count == len(_expected(smaller))
    finally:
        ctx.close()


def _stick_with_list(
    tmp_path: Path, server: LiveServer, server_keys: ServerKeys, device: AppContext, people: int
) -> Path:
    from app.server.office_list import write_list_to_stick
    from app.sync.stick import stick_folder

    set_provinces(server.sessions, device.device_id, list(SERVED_PROVINCES))
    assert (
        import_list(
            server.sessions, csv_bytes([as_rows(synthetic_people(people))]), "l.csv"
        ).problems
        == []
    )
    sync_now(device, server.url)  # sends the list key
    folder = tmp_path / "stick"
    (folder / "receipts").mkdir(parents=True)
    with stick_folder(folder) as stick:
        assert write_list_to_stick(server.sessions, server_keys, stick, device.device_id) > 0
    return folder


def test_a_tampered_or_foreign_or_old_list_is_refused_and_the_held_list_kept(
    tmp_path: Path, server: LiveServer, server_keys: ServerKeys, device: AppContext
) -> None:
    folder = _stick_with_list(tmp_path, server, server_keys, device, 300)
    field = _as_field_officer(device)
    held = civil_parties.list_info(field).count
    assert held > 0
    lists = folder / "lists"
    device.officer = SUPERVISOR
    add_officers(device, (SUPERVISOR,))

    # The same (or an older) list again changes nothing.
    assert sync_usb.import_receipts(device, folder) == 0

    # A changed byte in a part: refused, the list held stays.
    part = lists / f"{device.device_id}-0.vsl"
    data = bytearray(part.read_bytes())
    data[200] ^= 0x01
    part.write_bytes(bytes(data))
    manifest = json.loads((lists / f"{device.device_id}.json").read_text("utf-8"))
    manifest["body"]["issued"] += 1000  # claims to be newer: the signature no longer holds
    (lists / f"{device.device_id}.json").write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(SyncError):
        sync_usb.import_receipts(device, folder)
    assert civil_parties.list_info(_as_field_officer(device)).count == held


def test_an_office_file_with_bad_rows_imports_nothing_and_names_each_row(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    people = synthetic_people(20)
    rows = as_rows(people)
    rows[3][rows[0].index("birth_year")] = "1990"
    rows[5][rows[0].index("commune")] = "999999"
    rows[7][rows[0].index("case")] = "005"
    rows[9][rows[0].index("number")] = rows[2][rows[0].index("number")]
    (tmp_path / "bad.csv").write_bytes(csv_bytes([rows]))
    assert server_main(["import-list", "--db", database_url, str(tmp_path / "bad.csv")]) == 1
    errors = capsys.readouterr().err.splitlines()
    # Khmer by default (the office's staff read Khmer first), one line per problem, row numbers
    # as the spreadsheet shows them (the header is row 1).
    assert errors[0] == "ជួរដេកទី ៤ ជួរឈរ birth_year៖ មិនមែនជាឆ្នាំកំណើតចន្លោះឆ្នាំ ១៨៨០ និង ១៩៧៩ ទេ (1990)"
    assert [line.split("៖")[0] for line in errors[1:4]] == [
        "ជួរដេកទី ៦ ជួរឈរ commune",
        "ជួរដេកទី ៨ ជួរឈរ case",
        "ជួរដេកទី ១០ ជួរឈរ number",
    ]
    assert errors[-1] == "គ្មានអ្វីត្រូវបាននាំចូលទេ៖ សូមកែឯកសារ ហើយនាំចូលម្តងទៀត។"
    assert (
        server_main(
            ["import-list", "--db", database_url, "--language", "en", str(tmp_path / "bad.csv")]
        )
        == 1
    )
    english = capsys.readouterr().err
    assert "Row 4, column birth_year: not a birth year between 1880 and 1979 (1990)" in english
    assert "Row 10, column number: given twice" in english

    (tmp_path / "huge.csv").write_bytes(b"number,case\n" + b"x" * (33 * 1024 * 1024))
    assert server_main(["import-list", "--db", database_url, str(tmp_path / "huge.csv")]) == 1
    (tmp_path / "bomb.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    assert server_main(["import-list", "--db", database_url, str(tmp_path / "bomb.xlsx")]) == 1
    from sqlalchemy.orm import sessionmaker

    from app.server.models import create_server_engine

    engine = create_server_engine(database_url)
    with sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).select_from(OfficeListPerson)) == 0
    engine.dispose()


def test_a_contact_recorded_against_a_listed_person_reaches_the_office_and_stays_on_the_card(
    tmp_path: Path, server: LiveServer, server_keys: ServerKeys, device: AppContext
) -> None:
    import random

    from sqlalchemy.orm import Session

    from app.core.demo_answers import demo_answers
    from app.server.models import RecordVersion
    from app.services import records

    people = synthetic_people(300, seed=3)
    assert import_list(server.sessions, csv_bytes([as_rows(people)]), "l.csv").problems == []
    set_provinces(server.sessions, device.device_id, list(SERVED_PROVINCES))
    assert sync_now(device, server.url).list_people > 0
    person = next(p for p in people if p.number in _expected(people) and p.protection == "none")

    field = _as_field_officer(device)
    draft = civil_parties.start_contact(field, person.number)
    prefilled = records.get_application(field, draft, audit=False).answers
    form = records.form_definition("follow_up")
    answers = demo_answers(
        form,
        random.Random(2),
        overrides={**prefilled, "prior_number_kind": "civil_party", "contact_kind": "request"},
    )
    records.finalize_application(field, draft, answers)

    result = sync_now(field, server.url)  # a field officer syncs their own contacts
    assert result.error is None and result.acknowledged == 1
    session: Session
    with server.sessions() as session:
        stored = session.scalars(
            select(RecordVersion).where(RecordVersion.application_id == draft)
        ).all()
    assert len(stored) == 1 and stored[0].form_id == "follow_up"
    assert person.number in stored[0].payload["answers"].values()

    # The next time the card is opened (after the round trip) the contact is on it, synced.
    card = civil_parties.open_card(field, person.number)
    assert [c.application_id for c in card.contacts] == [draft]
    assert card.contacts[0].status in ("synced", "acknowledged")
    assert person.number not in {r.number for r in civil_parties.not_contacted(field)}

    # Another laptop serving the province learns of the contact with its next list: the card
    # shows when the person was last contacted (not what was said: that stays with its officer).
    other = enrolled_device(tmp_path / "other", server, server_keys)
    try:
        set_provinces(server.sessions, other.device_id, list(SERVED_PROVINCES))
        assert sync_now(other, server.url).list_people > 0
        elsewhere = civil_parties.open_card(_as_field_officer(other), person.number)
        assert elsewhere.contacts == []
        assert elsewhere.last_contact is not None
        assert person.number not in {r.number for r in civil_parties.not_contacted(other)}
    finally:
        other.close()
