"""Tests for app.core.gazetteer and the bundled assets/gazetteer/cambodia.csv."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import pytest

from app.core.gazetteer import (
    CODE_LENGTHS,
    LEVELS,
    Gazetteer,
    GazetteerError,
    Place,
    default_gazetteer_path,
    load_gazetteer,
    search_key,
)
from app.core.khmer_text import is_khmer

HEADER = "code,level,parent,name_km,name_latin\n"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


def _csv_rows() -> list[dict[str, str]]:
    with default_gazetteer_path().open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- the bundled file ----------------------------------------------------------------------------


def test_all_25_provinces_have_khmer_and_latin_names(gaz: Gazetteer) -> None:
    provinces = gaz.children(None)
    assert [p.code for p in provinces] == [f"{n:02d}" for n in range(1, 26)]
    for place in provinces:
        assert place.level == "province" and place.parent is None
        assert is_khmer(place.name_km), place
        assert place.name_latin.isascii() and place.name_latin.strip(), place
    expected = {
        "12": ("ភ្នំពេញ", "Phnom Penh"),
        "08": ("កណ្ដាល", "Kandal"),
        "21": ("តាកែវ", "Takeo"),
        "23": ("កែប", "Kep"),
        "24": ("ប៉ៃលិន", "Pailin"),
        "25": ("ត្បូងឃ្មុំ", "Tboung Khmum"),
    }
    for code, (km, latin) in expected.items():
        found = gaz.get(code)
        assert found is not None
        assert (found.name_km, found.name_latin) == (km, latin)


def test_every_province_has_districts_and_the_file_covers_all_levels(gaz: Gazetteer) -> None:
    districts = gaz.children(None, "district")
    assert len(districts) >= 200
    for province in gaz.children(None):
        assert gaz.children(province.code, "district"), province
    assert len(gaz.children(None, "commune")) > 1600
    assert len(gaz.children(None, "village")) > 14000
    khans = {p.name_latin for p in gaz.children("12")}
    assert {"Chamkar Mon", "Doun Penh", "Tuol Kouk", "Saen Sokh"} <= khans


def test_every_row_nests_inside_an_existing_parent() -> None:
    rows = _csv_rows()
    codes = {row["code"]: row for row in rows}
    assert len(codes) == len(rows), "duplicate codes"
    for row in rows:
        code, level, parent = row["code"], row["level"], row["parent"]
        assert level in LEVELS
        assert code.isdigit() and len(code) == CODE_LENGTHS[level], row
        if level == "province":
            assert parent == "", row
            continue
        assert parent in codes, row
        assert code.startswith(parent) and len(code) == len(parent) + 2, row
        assert LEVELS.index(codes[parent]["level"]) == LEVELS.index(level) - 1, row


def test_names_are_clean_text() -> None:
    for row in _csv_rows():
        km, latin = row["name_km"], row["name_latin"]
        assert is_khmer(km), row
        assert unicodedata.normalize("NFC", km) == km, row
        assert "\u200b" not in km + latin and "  " not in km + latin, row
        assert km == km.strip() and latin == latin.strip() and latin, row
        assert not is_khmer(latin), row


# --- lookups -------------------------------------------------------------------------------------


def test_get_children_and_path(gaz: Gazetteer) -> None:
    assert gaz.get("99") is None and gaz.get(None) is None
    assert gaz.get(" 08 ") == gaz.get("08")
    kandal_districts = gaz.children("08")
    assert kandal_districts and all(p.parent == "08" for p in kandal_districts)
    assert [p.code for p in kandal_districts] == sorted(p.code for p in kandal_districts)
    communes = gaz.children("08", "commune")
    assert len(communes) > len(kandal_districts)
    assert all(p.level == "commune" and p.code.startswith("08") for p in communes)
    assert gaz.children("99") == [] and gaz.children("99", "village") == []
    with pytest.raises(ValueError):
        gaz.children("08", "hamlet")

    chain = gaz.path("08110401")
    assert [p.code for p in chain] == ["08", "0811", "081104", "08110401"]
    assert [p.level for p in chain] == list(LEVELS)
    assert gaz.path("99999999") == []


def test_place_name_falls_back_to_the_other_script() -> None:
    both = Place("01", "province", None, "បន្ទាយមានជ័យ", "Banteay Meanchey")
    assert both.name("km") == "បន្ទាយមានជ័យ" and both.name("en") == "Banteay Meanchey"
    assert Place("01", "province", None, "", "Banteay Meanchey").name("km") == "Banteay Meanchey"
    assert Place("01", "province", None, "បន្ទាយមានជ័យ", "").name("en") == "បន្ទាយមានជ័យ"


def test_search_khmer_substring(gaz: Gazetteer) -> None:
    results = gaz.search("ខ្មៅ")
    assert "0811" in [p.code for p in results]  # Ta Khmau municipality: the substring is inside
    assert all("ខ្មៅ" in p.name_km for p in results)
    # a zero-width space typed between words, and subscript TA typed for subscript DA
    assert gaz.search("តា\u200bខ្មៅ")[0].code == "0811"
    assert gaz.search("កណ្តាល")[0].code == "08"
    assert gaz.search("ភ្នំពេញ")[0].code == "12"


def test_search_latin_ignores_case_spaces_and_hyphens(gaz: Gazetteer) -> None:
    for query in ("phnom penh", "PHNOMPENH", "Phnom-Penh"):
        assert gaz.search(query)[0].code == "12", query
    assert gaz.search("tboung khmum")[0].code == "25"
    results = gaz.search("khmau", limit=3)
    assert len(results) == 3
    assert all("khmau" in search_key(p.name_latin) for p in results)
    assert gaz.search("") == [] and gaz.search("   ") == []
    assert gaz.search("zzzz-no-such-place") == []


def test_search_ranks_exact_then_prefix_then_level(gaz: Gazetteer) -> None:
    results = gaz.search("kampot", limit=50)
    assert results[0].code == "07"  # the province before the district and commune of that name
    assert [p.level for p in results[:2]] == ["province", "district"]


# --- stored values -------------------------------------------------------------------------------


def test_describe_in_khmer_and_english(gaz: Gazetteer) -> None:
    value = {"province": "08", "district": "0811", "commune": "081104", "village": "08110401"}
    village, commune, district, province = gaz.path("08110401")[::-1]
    assert gaz.describe(value, "km") == ", ".join(
        p.name_km for p in (village, commune, district, province)
    )
    assert gaz.describe(value, "en") == "Ta Khmau, Ta Khmao, Ta Khmau, Kandal"
    assert "កណ្ដាល" in gaz.describe(value, "km")


def test_describe_uses_free_text_and_fills_missing_levels(gaz: Gazetteer) -> None:
    value = {
        "province": "21",
        "district": None,
        "commune": "210913",
        "village": None,
        "village_text": " ភូមិថ្មី ",
    }
    assert gaz.describe(value, "km") == "ភូមិថ្មី, ត្រាំកក់, ត្រាំកក់, តាកែវ"
    assert gaz.describe(value, "en") == "ភូមិថ្មី, Tram Kak, Tram Kak, Takeo"
    texts = {"province": "12", "commune_text": "Sangkat X", "village_text": "Phum Y"}
    assert gaz.describe(texts, "en") == "Phum Y, Sangkat X, Phnom Penh"
    assert gaz.describe({"province": "99"}, "en") == "99"  # unknown code: shown, not dropped
    assert gaz.describe(None, "km") == ""
    assert gaz.describe({}, "en") == ""
    empty = {"province": None, "district": None, "commune": None, "village": None}
    assert gaz.describe({**empty, "village_text": "  "}, "km") == ""


def test_validate(gaz: Gazetteer) -> None:
    good = {
        "province": "08",
        "district": "0811",
        "commune": "081104",
        "village": "08110401",
        "village_text": "",
    }
    assert gaz.validate(good) == []
    assert gaz.validate(None) == []
    assert gaz.validate({"province": "08", "village": None, "village_text": "Phum Thmei"}) == []
    assert gaz.validate({"province": "12", "district": "0811"}) == ["not_child_of_parent"]
    assert gaz.validate({"province": "08", "commune": "210913"}) == ["not_child_of_parent"]
    assert gaz.validate({"province": "99"}) == ["unknown_code"]
    assert gaz.validate({"district": "08"}) == ["invalid_code"]
    assert gaz.validate({"province": 8}) == ["invalid_code"]
    assert gaz.validate({"province": "08", "village_text": 5}) == ["invalid_text"]
    assert gaz.validate(["08"]) == ["not_a_mapping"]


# --- loading -------------------------------------------------------------------------------------


def test_default_gazetteer_is_cached_and_other_paths_are_read(tmp_path: Path) -> None:
    assert load_gazetteer() is load_gazetteer()
    small = tmp_path / "small.csv"
    small.write_text(
        "\ufeff" + HEADER + "08,province,,កណ្ដាល,Kandal\n0811,district,08,តាខ្មៅ,Ta Khmau\n\n",
        encoding="utf-8",
    )
    gaz = load_gazetteer(small)
    assert len(gaz) == 2
    assert gaz.path("0811")[0].name("en") == "Kandal"


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        (HEADER + "08,province,,កណ្ដាល,Kandal\n0811,district,08,តាខ្មៅ\n", 3, "columns"),
        (HEADER + "08,province,,កណ្ដាល,Kandal\n\n0811,srok,08,តាខ្មៅ,Ta Khmau\n", 4, "level"),
        (HEADER + "8,province,,កណ្ដាល,Kandal\n", 2, "digits"),
        (HEADER + "08,province,,កណ្ដាល,Kandal\n0811,district,07,តាខ្មៅ,Ta Khmau\n", 3, "parent"),
        (HEADER + "08,province,,កណ្ដាល,Kandal\n08,province,,កណ្ដាល,Kandal\n", 3, "line 2"),
        (HEADER + "0811,district,08,តាខ្មៅ,Ta Khmau\n", 2, "not listed"),
        (HEADER + "08,province,,,\n", 2, "no name"),
        ("code;level;parent;name_km;name_latin\n", 1, "header"),
        ("", 1, "empty"),
    ],
)
def test_malformed_file_names_the_line(tmp_path: Path, body: str, line: int, fragment: str) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(body, encoding="utf-8")
    with pytest.raises(GazetteerError) as caught:
        load_gazetteer(bad)
    assert caught.value.line == line
    assert f"line {line}" in str(caught.value)
    assert fragment in str(caught.value)


def test_unreadable_file_is_a_gazetteer_error(tmp_path: Path) -> None:
    with pytest.raises(GazetteerError, match="cannot be read"):
        load_gazetteer(tmp_path / "missing.csv")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(HEADER.encode() + "08,province,,x,Kandal é\n".encode("latin-1"))
    with pytest.raises(GazetteerError, match="UTF-8"):
        load_gazetteer(latin1)
