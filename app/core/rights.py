"""Victims' rights content: bilingual topic texts and the "which path fits you" guide.

The texts are data in ``assets/rights/``, so that the VSS can correct them without a code change:

- Texts that are true only in some phases of the court (``assets/court.yaml``): a slide whose
  first line is ``@phases: judicial`` (or several ids, comma-separated) is shown only in those
  phases; ``phases:`` in the front matter does the same for a whole topic. :func:`for_phase` gives
  the topics as true on a day's phase, so the app run in 2026 never speaks of an open case.
- ``<topic>.<lang>.md``, one file per topic and language (Khmer ``km`` and English ``en`` are both
  required). A small front matter block (``title``, ``source``, ``order``) between two ``---``
  lines, then the slides; a line holding only ``---`` separates two slides (one idea per slide
  when the text is shown as a forum presentation). Khmer files carry U+200B between words so that
  the screen and the PDF can wrap lines between words.
- ``path_explainer.yaml``: a few yes/no questions leading to a suggested form (complaint or civil
  party application), each with a Khmer and an English explanation (read by
  `app.core.path_explainer`).

Every topic cites the article of the ECCC Law or the Internal Rule it explains (``source``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from app.core.khmer_text import is_khmer, normalize_for_search
from app.core.resources import assets_dir

REQUIRED_LANGUAGES: tuple[str, ...] = ("km", "en")
FRONT_MATTER_KEYS = ("title", "source", "order")
OPTIONAL_FRONT_MATTER_KEYS = ("phases",)
PHASES_PREFIX = "@phases:"
PHASE_IDS = frozenset({"judicial", "residual", "after_residual"})
SLIDE_SEPARATOR = "---"

_TOPIC_FILE = re.compile(r"^(?P<topic>[a-z0-9_]+)\.(?P<lang>[a-z]{2,3})\.md$")

MAX_TOPIC_BYTES = 1024 * 1024  # a topic is a page or two of text


class RightsError(ValueError):
    """A rights content file is malformed; ``file`` names it and ``problem`` says what is wrong."""

    def __init__(self, file: Path | str, problem: str) -> None:
        self.file = Path(file).name
        self.problem = problem
        super().__init__(f"{self.file}: {problem}")


@dataclass(frozen=True)
class Slide:
    """One screen of a presentation: a short idea, one or more short paragraphs."""

    text: str


@dataclass(frozen=True)
class TopicText:
    """A topic in one language."""

    lang: str
    title: str
    source: str
    slides: tuple[str, ...]
    # For each slide, the phases it is true in (empty: every phase).
    slide_phases: tuple[frozenset[str], ...] = ()
    phases: frozenset[str] = frozenset()

    def in_phase(self, phase: str) -> TopicText | None:
        """This text with only the slides true in ``phase`` (None if nothing is left)."""
        if self.phases and phase not in self.phases:
            return None
        marks = self.slide_phases or tuple(frozenset() for _slide in self.slides)
        kept = tuple(s for s, p in zip(self.slides, marks, strict=True) if not p or phase in p)
        if not kept:
            return None
        return TopicText(self.lang, self.title, self.source, kept)

    @property
    def body(self) -> str:
        """The whole text for reading on screen or in print: slides joined by blank lines."""
        return "\n\n".join(self.slides)

    @property
    def slide_items(self) -> tuple[Slide, ...]:
        return tuple(Slide(text) for text in self.slides)


@dataclass(frozen=True)
class RightsTopic:
    id: str
    order: int
    texts: Mapping[str, TopicText] = field(hash=False)

    def text(self, lang: str, *, fallback: bool = False) -> TopicText:
        """The text in ``lang``; with ``fallback=True`` another language when ``lang`` is missing
        (the required languages first). Raises KeyError otherwise."""
        if lang in self.texts:
            return self.texts[lang]
        if fallback:
            for other in (*REQUIRED_LANGUAGES, *sorted(self.texts)):
                if other in self.texts:
                    return self.texts[other]
        raise KeyError(f"rights topic {self.id!r} has no text in {lang!r}")

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(self.texts))


# --- topic files ---------------------------------------------------------------------------------


def default_rights_dir() -> Path:
    return assets_dir() / "rights"


def _parse_front_matter(path: Path, lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """Split ``key: value`` lines between the first two ``---`` lines from the rest.

    Plain ``key: value`` parsing, not YAML: titles such as "Reparations: collective and moral"
    contain a colon and must not need quoting.
    """
    if not lines or lines[0].strip() != SLIDE_SEPARATOR:
        raise RightsError(path, "no front matter: the file must start with a line '---'")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == SLIDE_SEPARATOR)
    except StopIteration:
        raise RightsError(path, "front matter is not closed by a line '---'") from None
    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise RightsError(path, f"line {number}: expected 'key: value' in the front matter")
        key = key.strip()
        if key in meta:
            raise RightsError(path, f"line {number}: {key!r} is given twice")
        meta[key] = value.strip()
    return meta, lines[end + 1 :]


def _phases(path: Path, value: str) -> frozenset[str]:
    phases = frozenset(p.strip() for p in value.split(",") if p.strip())
    unknown = sorted(phases - PHASE_IDS)
    if not phases or unknown:
        raise RightsError(
            path, f"unknown phase(s) {unknown or value!r}; known: {', '.join(sorted(PHASE_IDS))}"
        )
    return phases


def _slide_phases(
    path: Path, slides: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[frozenset[str], ...]]:
    texts: list[str] = []
    marks: list[frozenset[str]] = []
    for slide in slides:
        first, _newline, rest = slide.partition("\n")
        if first.strip().startswith(PHASES_PREFIX):
            marks.append(_phases(path, first.strip()[len(PHASES_PREFIX) :]))
            slide = rest.strip()
            if not slide:
                raise RightsError(path, f"slide {len(texts) + 1} has phases but no text")
        else:
            marks.append(frozenset())
        texts.append(slide)
    return tuple(texts), tuple(marks)


def _split_slides(path: Path, body_lines: list[str]) -> tuple[str, ...]:
    slides: list[str] = []
    current: list[str] = []
    for line in [*body_lines, SLIDE_SEPARATOR]:
        if line.strip() == SLIDE_SEPARATOR:
            text = "\n".join(current).strip()
            if not text:
                raise RightsError(path, f"slide {len(slides) + 1} is empty")
            slides.append(text)
            current = []
        else:
            current.append(line.rstrip())
    return tuple(slides)


def parse_topic_file(path: Path) -> tuple[str, int, TopicText]:
    """Read one ``<topic>.<lang>.md`` file: (topic id, order, text)."""
    match = _TOPIC_FILE.match(path.name)
    if match is None:
        raise RightsError(path, "the file name must be <topic>.<lang>.md, e.g. reparations.km.md")
    try:
        if path.stat().st_size > MAX_TOPIC_BYTES:
            raise RightsError(path, f"the file is larger than {MAX_TOPIC_BYTES // 1024} KB")
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RightsError(path, f"not UTF-8 text ({exc.reason})") from None
    meta, body_lines = _parse_front_matter(path, raw.splitlines())
    for key in FRONT_MATTER_KEYS:
        if not meta.get(key):
            raise RightsError(path, f"the front matter has no {key!r}")
    unknown = sorted(set(meta) - set(FRONT_MATTER_KEYS) - set(OPTIONAL_FRONT_MATTER_KEYS))
    if unknown:
        raise RightsError(path, f"unknown front matter key(s): {', '.join(unknown)}")
    try:
        order = int(meta["order"])
    except ValueError:
        raise RightsError(path, f"'order' must be a whole number, not {meta['order']!r}") from None
    lang = match["lang"]
    slides, marks = _slide_phases(path, _split_slides(path, body_lines))
    if lang == "km" and not is_khmer("".join(slides)):
        raise RightsError(path, "a Khmer (km) file contains no Khmer text")
    phases = _phases(path, meta["phases"]) if meta.get("phases") else frozenset()
    text = TopicText(lang, meta["title"], meta["source"], slides, marks, phases)
    return match["topic"], order, text


def load_rights(folder: Path | None = None) -> list[RightsTopic]:
    """Every topic in ``folder`` (default ``assets/rights``), sorted by ``order`` then id.

    Raises RightsError for a malformed file, a topic missing a required language, or two
    languages of one topic that disagree on ``order``.
    """
    folder = default_rights_dir() if folder is None else folder
    if not folder.is_dir():
        raise RightsError(folder, "the rights folder does not exist")
    found: dict[str, dict[str, tuple[int, TopicText, Path]]] = {}
    for path in sorted(folder.glob("*.md")):
        if path.name.upper() == "README.MD":
            continue
        topic_id, order, text = parse_topic_file(path)
        found.setdefault(topic_id, {})[text.lang] = (order, text, path)
    topics: list[RightsTopic] = []
    for topic_id, by_lang in found.items():
        any_path = next(iter(by_lang.values()))[2]
        for lang in REQUIRED_LANGUAGES:
            if lang not in by_lang:
                raise RightsError(
                    folder / f"{topic_id}.{lang}.md",
                    f"topic {topic_id!r} has no {lang!r} text (found: {', '.join(sorted(by_lang))})",
                )
        orders = {order for order, _text, _path in by_lang.values()}
        if len(orders) != 1:
            raise RightsError(
                any_path, f"topic {topic_id!r}: languages disagree on 'order' {sorted(orders)}"
            )
        texts = MappingProxyType({lang: text for lang, (_o, text, _p) in by_lang.items()})
        topics.append(RightsTopic(topic_id, orders.pop(), texts))
    topics.sort(key=lambda topic: (topic.order, topic.id))
    return topics


def for_phase(topics: Iterable[RightsTopic], phase: str) -> list[RightsTopic]:
    """The topics as true in ``phase``: slides (or whole topics) meant for other phases left out.
    A topic is kept only when every language still has a text."""
    kept: list[RightsTopic] = []
    for topic in topics:
        texts = {lang: text.in_phase(phase) for lang, text in topic.texts.items()}
        if all(text is not None for text in texts.values()):
            proxy = MappingProxyType({k: v for k, v in texts.items() if v is not None})
            kept.append(RightsTopic(topic.id, topic.order, proxy))
    return kept


def search_rights(
    topics: Iterable[RightsTopic], query: str, lang: str | None = None
) -> list[tuple[RightsTopic, str]]:
    """Topics whose title, source or text contain ``query``, with the language that matched.

    Case-insensitive, ignores U+200B (and other zero-width characters) and NFC differences, and
    finds Khmer substrings inside words. One result per topic, in the topics' order; without
    ``lang`` a Khmer query is looked for in Khmer first, any other query in English first.
    """
    needle = normalize_for_search(query)
    if not needle:
        return []
    if lang is not None:
        preferred: tuple[str, ...] = (lang,)
    elif is_khmer(query):
        preferred = REQUIRED_LANGUAGES
    else:
        preferred = tuple(reversed(REQUIRED_LANGUAGES))
    results: list[tuple[RightsTopic, str]] = []
    for topic in topics:
        languages = [code for code in preferred if code in topic.texts]
        if lang is None:
            languages += [code for code in sorted(topic.texts) if code not in languages]
        for code in languages:
            text = topic.texts[code]
            haystack = normalize_for_search(f"{text.title}\n{text.source}\n{text.body}")
            if needle in haystack:
                results.append((topic, code))
                break
    return results
