"""Latin spellings find Khmer names: measured on a list of public name spellings."""

from __future__ import annotations

from app.core.khmer_romanisation import latin_search_key, romanize_khmer
from app.core.name_match import (
    full_name_keys,
    khmer_word_keys,
    latin_key,
    name_keys,
    query_keys,
    spelling_matches,
)
from tests.core.name_spellings import load_spellings, measure


def test_the_list_holds_over_300_names_from_named_sources() -> None:
    spellings = load_spellings()
    names = {s.khmer for s in spellings}
    words = {s.khmer for s in spellings if s.kind == "word"}
    assert len(names) >= 300 and len(words) >= 240
    assert {s.source for s in spellings} == {"kname", "klnt", "wiki", "dccam", "issue"}
    assert all(s.latin.strip() and s.khmer.strip() for s in spellings)


def test_latin_spellings_find_khmer_names_with_few_false_hits() -> None:
    """Figures (printed with -s): the old single romanisation key against the new readings."""
    spellings = load_spellings()

    def old_keys(km: str) -> list[str]:
        return [latin_search_key(romanize_khmer(km))]

    def old_query(latin: str) -> list[str]:
        return [latin_search_key(latin)]

    before = measure(spellings, old_keys, old_query)
    after = measure(spellings, name_keys, query_keys)
    words = [s for s in spellings if s.kind == "word"]
    full = [s for s in spellings if s.kind == "full"]
    before_words, before_full = (
        measure(words, old_keys, old_query),
        measure(full, old_keys, old_query),
    )
    after_words = measure(words, name_keys, query_keys)
    after_full = measure(full, name_keys, query_keys)
    print(
        f"\nname list: {after.pairs} spelling→name pairs ({len(words)} of name words, "
        f"{len(full)} of full names); recall before {before.recall:.1%} after {after.recall:.1%}; "
        f"precision before: words {before_words.precision:.1%}, full names "
        f"{before_full.precision:.1%}; after: words {after_words.precision:.1%}, full names "
        f"{after_full.precision:.1%}"
    )
    assert after.recall >= 0.95, [(m.khmer, m.latin) for m in after.misses]
    assert after_words.recall >= 0.95 and after_full.recall >= 0.95
    assert after_full.precision >= 0.90
    assert after_words.precision >= 0.70
    assert after.recall > before.recall + 0.2


def test_the_issue_spellings_all_match() -> None:
    for khmer, spellings in {
        "សុភាព": ["Sopheap", "Sophiep"],
        "វុទ្ធី": ["Vuthy", "Vutthy"],
        "កុសល": ["Kosal", "Kaosal"],
        "ចិន្តា": ["Chenda", "Chanda"],
        "រិទ្ធី": ["Rithy", "Ritthy"],
        "ស្រីមុំ": ["Sreymom", "Srey Mom"],
        "ស្រី មុំ": ["Sreymom", "Srey Mom", "Mom Srey"],
    }.items():
        for latin in spellings:
            assert spelling_matches(latin, khmer), (latin, khmer)
    assert not spelling_matches("Sophal", "សុភាព")
    assert not spelling_matches("Dara", "កុសល")


def test_keys_are_ascii_deterministic_and_bounded() -> None:
    for spelling in load_spellings()[:200]:
        keys = name_keys(spelling.khmer)
        assert keys == name_keys(spelling.khmer)
        assert keys and all(k.isascii() and k.isalnum() and k == k.lower() for k in keys)
        assert len(khmer_word_keys(spelling.khmer.split()[0])) <= 24
        assert len(full_name_keys(spelling.khmer)) <= 48 + 1


def test_variant_spellings_of_one_khmer_name_get_the_same_keys() -> None:
    # coeng DA and coeng TA, a typed zero-width space, decomposed text: one name.
    assert name_keys("មេត្ដា") == name_keys("មេត្តា") == name_keys("មេ\u200bត្តា")
    assert name_keys("ចិន្ដា") == name_keys("ចិន្តា")
    assert latin_key("Sopheap") == latin_key("SOPHIEP") == latin_key("so-phiep")
    assert latin_key("Sreymom") == latin_key("Srey Mom") == latin_key("srei mom")
    assert latin_key("") == "" and query_keys("សុខ") == []
