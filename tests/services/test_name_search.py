"""The registry search and the duplicate check find Khmer-only names by their Latin spellings, fold
spelling variants, and stores indexed by an older version are re-indexed when opened."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.core.demo_answers import demo_answers
from app.services import duplicates, form_catalogue, people, records, registry
from app.services.context import AppContext, open_app
from app.services.index_version import SEARCH_INDEX_VERSION, SEARCH_INDEX_VERSION_KEY
from app.store.models import Person, Setting
from tests.core.name_spellings import load_spellings
from tests.officers import FIELD_OFFICER, add_officers


@pytest.fixture(autouse=True)
def _officers(ctx: AppContext) -> None:
    add_officers(ctx, (FIELD_OFFICER,))


def _final_named(ctx: AppContext, name_km: str, seed: int, name_latin: str = "") -> str:
    form = form_catalogue.form_definition("complaint")
    answers = demo_answers(
        form,
        random.Random(seed),
        overrides={"applicant_name": {"km": name_km, "latin": name_latin}},
    )
    application_id = records.start_application(ctx, "complaint")
    records.finalize_application(ctx, application_id, answers)
    return application_id


def _found(ctx: AppContext, typed: str) -> set[str]:
    query = registry.RegistryQuery(search=typed)
    total = registry.count_registry(ctx, query)
    return {row.id for row in registry.list_registry(ctx, query, 0, 1000, total)}


def test_latin_spellings_find_khmer_only_names_in_the_registry(ctx: AppContext) -> None:
    spellings = load_spellings()
    sample = spellings[::8]  # every eighth pair of the list: all sources, words and full names
    made = {}
    for seed, khmer in enumerate(sorted({s.khmer for s in sample})):
        made[khmer] = _final_named(ctx, khmer, seed)
    found = [s for s in sample if made[s.khmer] in _found(ctx, s.latin)]
    missed = [(s.khmer, s.latin) for s in sample if s not in found]
    # The whole list (tests/core/test_name_match.py) reaches 97.8 % by key; this store-backed
    # sample of 96 pairs holds several of its misses, so it is held to 93 %.
    assert len(found) >= 0.93 * len(sample), missed
    # Family name first or last, with or without the space.
    ros = made.get("រស់ សេរីសុទ្ធា") or _final_named(ctx, "រស់ សេរីសុទ្ធា", 999)
    for typed in ("Ros Sereysothea", "Sereysothea Ros", "ros serey sothea", "Rossereysothea"):
        assert ros in _found(ctx, typed), typed
    # A different name is not found by the key.
    assert ros not in _found(ctx, "Sokha")


def test_spelling_variants_of_khmer_text_are_folded_in_keys_and_queries(ctx: AppContext) -> None:
    with_da = _final_named(ctx, "ស្រី មេត្ដា", 1)  # coeng DA
    with_ta = _final_named(ctx, "ស្រី មេត្តា", 2)  # coeng TA
    both = {with_da, with_ta}
    assert _found(ctx, "មេត្តា") >= both
    assert _found(ctx, "មេត្ដា") >= both
    assert _found(ctx, "មេ\u200bត្តា") >= both  # a stray zero-width space in the query
    assert _found(ctx, "Metta") >= both and _found(ctx, "Meta") >= both


def test_the_duplicate_check_uses_the_same_name_key(ctx: AppContext) -> None:
    first = _final_named(ctx, "ចិន្តា", 3, "")
    form = form_catalogue.form_definition("complaint")
    answers = demo_answers(
        form, random.Random(3), overrides={"applicant_name": {"km": "", "latin": "Chanda"}}
    )
    second = records.start_application(ctx, "complaint")
    assert [c.id for c in duplicates.find_possible_duplicates(ctx, second, answers)] == [first]
    other = dict(answers, applicant_name={"km": "", "latin": "Sophal"})
    assert duplicates.find_possible_duplicates(ctx, second, other) == []


def test_a_store_indexed_by_an_older_version_is_reindexed_when_opened(
    ctx: AppContext, home: Path
) -> None:
    application_id = _final_named(ctx, "សុភាព", 4)
    with ctx.store.transaction() as session:  # what version 1 stored: one romanised key
        session.execute(text("UPDATE application_search SET content = 'សុភាព | sopap'"))
        made = datetime(2026, 1, 1)
        session.add(Person(id="p-old", name_km="ស្រី មុំ", name_key="sreimum", created_at=made))
        session.add(Person(id="p-new", name_km="ស៊ុន", name_key="", created_at=made))
        session.merge(Setting(key=SEARCH_INDEX_VERSION_KEY, value=1))
    assert application_id not in _found(ctx, "Sophiep")
    officer = ctx.officer
    ctx.close()

    reopened = open_app(home)
    reopened.officer = officer  # the same officer signs in again
    assert application_id in _found(reopened, "Sophiep")
    with reopened.store.transaction() as session:
        assert session.get(Setting, SEARCH_INDEX_VERSION_KEY).value == SEARCH_INDEX_VERSION  # type: ignore[union-attr]
        content = session.execute(text("SELECT content FROM application_search")).scalar_one()
        keys = {p.id: p.name_key.split() for p in session.scalars(select(Person))}
    # The person's name (as stored, with its space) is not application content; demo answers
    # may name other people whose names contain ស្រី, so the whole stored name is checked.
    assert "ស្រី មុំ" not in content and "sopiap" in content
    assert keys["p-old"] == people.name_key("ស្រី មុំ", "").split() and "srimom" in keys["p-old"]
    assert keys["p-new"] == ["son"]
    reopened.close()
    ctx.store = open_app(home).store  # the fixture closes it
