"""The office's file, read as hostile: CSV and XLSX rows, DTDs and zip bombs refused, every bad row
named with its spreadsheet row number and column; protected people never leave as they are."""

from __future__ import annotations

import io
import zipfile

import pytest

from app.core import table_file
from app.core.civil_party_list import COLUMNS, ListPerson, parse_table, person_from_json
from app.core.gazetteer import load_gazetteer
from app.core.table_file import TableFileError, read_table

HEADER = list(COLUMNS)
GOOD = ["D22/2-1234", "002", "សុខ ដារ៉ា", "Sok Dara", "F", "1948", "03", "0301", "030101", "",
        "civil_party", "Team A", "none", "no"]  # fmt: skip


def _workbook(sheet_xml: str, shared: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "xl/workbook.xml",
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="L" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if shared is not None:
            archive.writestr("xl/sharedStrings.xml", shared)
    return buffer.getvalue()


def test_a_good_row_becomes_a_person_and_a_bad_row_names_its_problems() -> None:
    bad = list(GOOD)
    bad[0], bad[5], bad[8], bad[12] = "D22/2-1235", "1990", "040101", "secret"
    parsed = parse_table([HEADER, GOOD, bad], load_gazetteer())
    assert [p.number for p in parsed.people] == ["D22/2-1234"]
    assert [(p.row, p.column, p.code) for p in parsed.problems] == [
        (3, "birth_year", "bad_year"),
        (3, "commune", "place_mismatch"),
        (3, "protection", "bad_choice"),
    ]


def test_a_missing_column_or_an_unknown_one_is_named_in_row_1() -> None:
    parsed = parse_table([["number", "case", "nickname"], ["x", "001", "y"]], load_gazetteer())
    assert parsed.people == []
    assert {(p.row, p.column, p.code) for p in parsed.problems} >= {
        (1, "nickname", "unknown_column"),
        (1, "commune", "missing_column"),
    }


def test_xlsx_with_shared_strings_and_numbers_reads_like_csv() -> None:
    shared = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + "".join(f"<si><t>{v}</t></si>" for v in ("number", "D22/2-9", "សុខ ដារ៉ា"))
        + "</sst>"
    )
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><t>year</t></is></c></row>'
        '<row r="3"><c r="A3" t="s"><v>1</v></c><c r="B3" t="s"><v>2</v></c><c r="C3"><v>1948.0</v></c></row>'
        "</sheetData></worksheet>"
    )
    rows = read_table(_workbook(sheet, shared), "list.xlsx")
    assert rows == [["number", "", "year"], [], ["D22/2-9", "សុខ ដារ៉ា", "1948"]]


def test_hostile_files_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    entity = (
        '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<sheetData><row r='1'><c r='A1' t='inlineStr'><is><t>&a;</t></is></c></row></sheetData>"
        "</worksheet>"
    )
    with pytest.raises(TableFileError):
        read_table(_workbook(entity), "l.xlsx")
    monkeypatch.setattr(table_file, "MAX_PART_BYTES", 100_000)  # a zip bomb, made small
    bomb = "<worksheet>" + " " * 200_000 + "</worksheet>"
    with pytest.raises(TableFileError) as raised:
        read_table(_workbook(bomb), "l.xlsx")
    assert raised.value.code == "too_large"
    with pytest.raises(TableFileError):
        read_table(b"PK\x03\x04garbage", "l.xlsx")
    with pytest.raises(TableFileError) as raised:
        read_table("number\n\udcff".encode("utf-8", "surrogateescape"), "l.csv")
    assert raised.value.code == "encoding"
    with pytest.raises(TableFileError):
        read_table(b"x", "list.exe")


def test_protected_people_leave_the_office_masked_or_not_at_all() -> None:
    [person] = parse_table([HEADER, GOOD], load_gazetteer()).people
    public = ListPerson(**{**person.to_json(), "protection": "public"})
    parties = ListPerson(**{**person.to_json(), "protection": "parties"})
    sent = public.for_laptop()
    assert sent is not None and sent.name_km == sent.name_latin == "" and sent.birth_year is None
    assert parties.for_laptop() is None
    # A laptop re-checks what arrives and drops a name sent with a masked person anyway.
    received = person_from_json(public.to_json(), load_gazetteer())
    assert received is not None and received.name_latin == "" and received.masked
    assert person_from_json(parties.to_json(), load_gazetteer()) is None
    assert person_from_json({"number": "x"}, load_gazetteer()) is None
