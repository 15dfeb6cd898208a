"""``python -m app.i18n.word_breaks``: the word breaks of every Khmer text of the catalogs, made
with the segmenter's model and written next to the Khmer catalog (app.core.word_segmenter), so
that the app's own texts wrap between words without loading the model at start-up.

Run with the compilation of the catalogs (packaging/dev.py, packaging/build.py); like the .mo
files the table is made, not kept in the repository.
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.core import word_segmenter
from app.core.khmer_text import is_khmer, khmer_runs
from app.core.resources import locales_dir
from app.i18n import DOMAIN, LANGUAGE_NAMES, LANGUAGES


def catalog_texts(folder: Path | None = None) -> list[str]:
    """Every translated text of every catalog (plural forms included) with Khmer in it, and the
    language names the language choosers show."""
    from babel.messages.pofile import read_po

    texts = [name for name in LANGUAGE_NAMES.values() if is_khmer(name)]
    for language in LANGUAGES:
        path = (folder or locales_dir()) / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not path.exists():
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language, domain=DOMAIN)
        for message in catalog:
            value = message.string
            strings = [value] if isinstance(value, str) else list(value or ())  # plural forms
            texts.extend(text for text in strings if text and is_khmer(text))
    return texts


def write_word_breaks(folder: Path | None = None) -> Path | None:
    """Write the table for the catalogs under ``folder`` (default: the app's locales); None when
    the segmenter is not installed (the app then breaks Khmer at every cluster anyway)."""
    runs = {run for text in catalog_texts(folder) for run in khmer_runs(text)}
    return word_segmenter.write_table(runs, folder)


if __name__ == "__main__":
    written = write_word_breaks()
    print(f"word breaks: {written or 'no segmenter installed, no table'}", file=sys.stderr)
