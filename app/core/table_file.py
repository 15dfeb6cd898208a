"""Rows of a spreadsheet file the office hands in: CSV (UTF-8, with or without a byte-order mark)
or XLSX (its first worksheet), read without a spreadsheet library and treated as hostile.

An XLSX file is a zip of XML parts: every part is read with a bound on its unpacked size (a zip
bomb stops at the bound), and parsed with expat refusing any document type declaration (so no
entity can expand). Only what a table needs is read: shared strings, inline strings, numbers.

Pure Python: no Qt, no SQL.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from typing import Any
from xml.parsers import expat

MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_PART_BYTES = 128 * 1024 * 1024  # unpacked XML of one part
MAX_COLUMNS = 64
MAX_CELL_CHARS = 2000
MAX_TABLE_ROWS = 100_000

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]+)")


class TableFileError(ValueError):
    """The file cannot be read as a table; ``code``: too_large, not_table, encoding."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def read_table(data: bytes, name: str) -> list[list[str]]:
    """The rows of ``data`` (a ``.csv`` or ``.xlsx`` file called ``name``) as text cells."""
    if len(data) > MAX_FILE_BYTES:
        raise TableFileError("too_large")
    if name.lower().endswith(".xlsx"):
        return _xlsx_rows(data)
    if name.lower().endswith(".csv"):
        return _csv_rows(data)
    raise TableFileError("not_table", name[-20:])


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TableFileError("encoding", f"byte {error.start}") from error
    try:
        return [
            [cell[:MAX_CELL_CHARS] for cell in row[:MAX_COLUMNS]]
            for row in csv.reader(io.StringIO(text, newline=""))
        ]
    except csv.Error as error:
        raise TableFileError("not_table", str(error)) from error


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _parse(
    archive: zipfile.ZipFile,
    part: str,
    start: Callable[..., None],
    end: Callable[..., None],
    text: Callable[[str], None],
) -> None:
    """Stream one XML part through expat handlers, refusing DTDs and oversized parts."""
    try:
        info = archive.getinfo(part)
    except KeyError as error:
        raise TableFileError("not_table", f"no {part}") from error
    if info.file_size > MAX_PART_BYTES:
        raise TableFileError("too_large", part)

    def refuse(*_args: Any) -> None:
        raise TableFileError("not_table", "document type declarations are not accepted")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    read = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(1 << 20):
                read += len(chunk)
                if read > MAX_PART_BYTES:
                    raise TableFileError("too_large", part)
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise TableFileError("not_table", f"{part}: {error}") from error
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise TableFileError("not_table", str(error)) from error


def _first_sheet(archive: zipfile.ZipFile) -> str:
    sheet_rel: list[str] = []
    targets: dict[str, str] = {}

    def workbook_start(tag: str, attrs: dict[str, str]) -> None:
        if tag == f"{_MAIN_NS} sheet" and not sheet_rel:
            sheet_rel.append(attrs.get(f"{_REL_NS} id", ""))

    def rels_start(tag: str, attrs: dict[str, str]) -> None:
        if tag.endswith(" Relationship") or tag == "Relationship":
            targets[attrs.get("Id", "")] = attrs.get("Target", "")

    _parse(archive, "xl/workbook.xml", workbook_start, lambda _t: None, lambda _s: None)
    _parse(archive, "xl/_rels/workbook.xml.rels", rels_start, lambda _t: None, lambda _s: None)
    target = targets.get(sheet_rel[0] if sheet_rel else "", "worksheets/sheet1.xml")
    target = target.lstrip("/")
    return target if target.startswith("xl/") else "xl/" + target


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    strings: list[str] = []
    if "xl/sharedStrings.xml" not in archive.namelist():
        return strings
    current: list[str] = []
    state = {"in_t": False}

    def start(tag: str, _attrs: dict[str, str]) -> None:
        if tag == f"{_MAIN_NS} si":
            current.clear()
        elif tag == f"{_MAIN_NS} t":
            state["in_t"] = True

    def end(tag: str) -> None:
        if tag == f"{_MAIN_NS} t":
            state["in_t"] = False
        elif tag == f"{_MAIN_NS} si":
            strings.append("".join(current)[:MAX_CELL_CHARS])

    def text(data: str) -> None:
        if state["in_t"] and sum(map(len, current)) < MAX_CELL_CHARS:
            current.append(data)

    _parse(archive, "xl/sharedStrings.xml", start, end, text)
    return strings


def _xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise TableFileError("not_table", "not an XLSX workbook") from error
    with archive:
        shared = _shared_strings(archive)
        rows: dict[int, dict[int, str]] = {}
        cell: dict[str, Any] = {}
        buffer: list[str] = []

        def start(tag: str, attrs: dict[str, str]) -> None:
            if tag == f"{_MAIN_NS} c":
                match = _CELL_REF.fullmatch(attrs.get("r", ""))
                cell.clear()
                cell.update(type=attrs.get("t", "n"), ref=match, capture=False)
                buffer.clear()
            elif tag in (f"{_MAIN_NS} v", f"{_MAIN_NS} t") and cell:
                cell["capture"] = True

        def end(tag: str) -> None:
            if tag in (f"{_MAIN_NS} v", f"{_MAIN_NS} t"):
                cell["capture"] = False
            elif tag == f"{_MAIN_NS} c" and cell.get("ref") is not None:
                value = "".join(buffer)
                if cell["type"] == "s":
                    value = (
                        shared[int(value)] if value.isdigit() and int(value) < len(shared) else ""
                    )
                elif cell["type"] == "n" and value.endswith(".0"):
                    value = value[:-2]
                column = _column_index(cell["ref"].group(1))
                if column < MAX_COLUMNS:
                    rows.setdefault(int(cell["ref"].group(2)), {})[column] = value[:MAX_CELL_CHARS]
                cell.clear()

        def text(data: str) -> None:
            if cell.get("capture") and sum(map(len, buffer)) < MAX_CELL_CHARS:
                buffer.append(data)

        _parse(archive, _first_sheet(archive), start, end, text)
    if not rows:
        return []
    if max(rows) > MAX_TABLE_ROWS:
        raise TableFileError("too_large", "rows")
    table: list[list[str]] = []
    for number in range(1, max(rows) + 1):
        cells = rows.get(number, {})
        table.append([cells.get(i, "") for i in range(max(cells) + 1)] if cells else [])
    return table
