"""The prebuilt word breaks of the app's Khmer texts (app.core.word_segmenter, made by
app.i18n.word_breaks with the catalogs): they are exactly the model's, so a text wraps the same
whether the table or the model breaks it, and a table made with another model is not used."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core import khmer_text, word_segmenter
from app.core.khmer_text import ZWSP, insert_break_opportunities, khmer_runs
from app.core.resources import RESOURCE_ROOT_ENV, locales_dir
from app.i18n.word_breaks import catalog_texts, write_word_breaks

pytestmark = pytest.mark.skipif(
    not word_segmenter.model_available(), reason="khmercut not installed"
)

SENTENCE = "សិទ្ធិរបស់ជនរងគ្រោះ និងអង្គជំនុំជម្រះវិសាមញ្ញក្នុងតុលាការកម្ពុជា"
PO = f'''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "Victims' rights"
msgstr "{SENTENCE}"

msgid "Only Latin"
msgstr "Only Latin"
'''


def _clear_caches() -> None:
    word_segmenter._table.cache_clear()
    khmer_text._model_word_ends.cache_clear()


@pytest.fixture
def resources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A resource folder of its own whose Khmer catalog holds SENTENCE; its locales folder."""
    folder = tmp_path / "locales" / "km" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "vss_outreach.po").write_text(PO, encoding="utf-8")
    monkeypatch.setenv(RESOURCE_ROOT_ENV, str(tmp_path))
    _clear_caches()
    yield tmp_path / "locales"
    monkeypatch.delenv(RESOURCE_ROOT_ENV)
    _clear_caches()


def test_the_table_holds_the_models_breaks_of_every_khmer_run_of_the_catalog(
    resources: Path,
) -> None:
    path = write_word_breaks(resources)
    assert path == resources / "km" / "LC_MESSAGES" / "word_breaks.json"
    runs = json.loads(path.read_text(encoding="utf-8"))["runs"]
    assert sorted(runs) == sorted({*khmer_runs(SENTENCE), "ខ្មែរ"})  # the language name too
    for run, ends in runs.items():
        assert tuple(ends) == word_segmenter.segment_run(run)


def test_a_text_wraps_the_same_from_the_table_as_from_the_model(resources: Path) -> None:
    write_word_breaks(resources)
    _clear_caches()
    assert word_segmenter.load_table() > 0
    assert all(word_segmenter.table_holds(run) for run in khmer_runs(SENTENCE))
    from_table = insert_break_opportunities(SENTENCE)
    table = resources / "km" / "LC_MESSAGES" / "word_breaks.json"
    table.unlink()
    _clear_caches()
    assert word_segmenter.load_table() == 0
    assert insert_break_opportunities(SENTENCE) == from_table
    assert from_table.count(ZWSP) >= 5 and from_table.replace(ZWSP, "") == SENTENCE


def test_a_table_made_with_another_model_is_not_used(resources: Path) -> None:
    path = write_word_breaks(resources)
    assert path is not None
    data = json.loads(path.read_text(encoding="utf-8"))
    run = khmer_runs(SENTENCE)[0]
    data["runs"][run] = [1, len(run)]  # what another model might have said
    data["model_bytes"] += 1
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    _clear_caches()
    assert word_segmenter.load_table() == 0
    assert word_segmenter.model_word_ends(run) == word_segmenter.segment_run(run)


def test_the_apps_table_as_built_matches_the_model() -> None:
    """The table made by packaging/dev.py (or the build) for the app's own catalogs."""
    path = word_segmenter.table_path()
    if not path.exists():
        pytest.skip("the word-break table is made with the catalogs (packaging/dev.py)")
    runs = json.loads(path.read_text(encoding="utf-8"))["runs"]
    texts = catalog_texts(locales_dir())
    assert len(runs) > 100 and texts
    for run, ends in runs.items():
        assert tuple(ends) == word_segmenter.segment_run(run), run
