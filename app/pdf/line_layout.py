"""Line breaking of printed paragraphs: where a line of shaped text may end, and the lines.

Lines break only where `app.core.line_breaks` allows it (between the word segmenter's words, after
spaces; never before ។ or a closing bracket), the same rules as on screen. A word wider than the
line falls back to breaking between grapheme clusters (a consonant with its coeng+subscripts and
vowel signs stays whole) instead of overflowing the frame. U+200B in the input is never drawn and
never reaches the text layer. Widths are those of the shaped text (`app.pdf.shaped_runs`).

`app.pdf.khmer_text` draws the lines made here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal, NamedTuple

from app.core.khmer_text import grapheme_clusters
from app.core.line_breaks import break_plan
from app.pdf.shaped_runs import shape

ZWSP = "\u200b"

TokenKind = Literal["word", "space", "zwsp", "newline"]

_PIECES = re.compile("( +|\n)")
FIT_TOLERANCE = 1e-6
# Paragraphs up to this many characters keep their tokens and lines for the process (bounded LRU):
# labels, choices and headers repeat in every document; a long account is printed once.
CACHED_TEXT_MAX = 400


class TextRun(NamedTuple):
    """A piece of paragraph text with its weight; a paragraph is a sequence of runs."""

    text: str
    bold: bool = False


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str
    font_name: str
    width: float
    start: int  # offset of `text` in the paragraph's concatenated logical text


@dataclass(frozen=True, slots=True)
class Line:
    tokens: tuple[Token, ...]

    @property
    def width(self) -> float:
        return sum(t.width for t in self.tokens)

    @property
    def logical_text(self) -> str:
        return "".join(t.text for t in self.tokens)


def strip_runs(runs: Sequence[TextRun]) -> list[TextRun]:
    """The runs with U+200B removed: break opportunities come from `app.core.line_breaks`, and
    the text layer must carry the logical text only."""
    return [TextRun(run.text.replace(ZWSP, ""), run.bold) for run in runs]


def _tokenize(runs: Sequence[TextRun], regular: str, bold: str, size: float) -> list[Token]:
    """Tokens of the runs' text, cut where `break_plan` allows a line break.

    A break between two words without a space becomes an empty "zwsp" token (nothing drawn,
    nothing in the text layer); a space where a line must not break (before ។, after an opening
    bracket) is glued to its words as part of a "word" token.
    """
    full = "".join(run.text for run in runs)
    plan = break_plan(full)
    logical = plan.text
    if not logical:
        return []
    breaks = set(plan.breaks)
    # Map the runs onto the logical text (break_plan only drops U+200B).
    run_ends: list[tuple[int, str]] = []
    offset = 0
    for run, stripped in zip(runs, strip_runs(runs), strict=True):
        offset += len(stripped.text)
        run_ends.append((offset, bold if run.bold else regular))
    cuts = set(breaks) | {end for end, _font in run_ends}
    for match in _PIECES.finditer(logical):
        cuts.add(match.start())
        cuts.add(match.end())
    cuts.discard(0)
    cuts.add(len(logical))
    tokens: list[Token] = []
    start = 0
    run_index = 0
    for end in sorted(cuts):
        while run_ends[run_index][0] <= start:
            run_index += 1
        font_name = run_ends[run_index][1]
        piece = logical[start:end]
        kind: TokenKind
        if piece == "\n":
            kind, width = "newline", 0.0
        elif piece[0] == " " and (end in breaks or start == 0 or end == len(logical)):
            kind, width = "space", shape(piece, font_name, size)[1]
        else:
            kind, width = "word", shape(piece, font_name, size)[1]
            if start in breaks and tokens and tokens[-1].kind == "word":
                tokens.append(Token("zwsp", "", font_name, 0.0, start))
        tokens.append(Token(kind, piece, font_name, width, start))
        start = end
    return tokens


def _kept(runs: tuple[TextRun, ...]) -> bool:
    """A text short enough to keep its tokens and lines (CACHED_TEXT_MAX)."""
    return sum(len(run.text) for run in runs) <= CACHED_TEXT_MAX


def _tokens(runs: tuple[TextRun, ...], regular: str, bold: str, size: float) -> tuple[Token, ...]:
    return tuple(_tokenize(runs, regular, bold, size))


def _lines(
    runs: tuple[TextRun, ...],
    fonts: tuple[str, str],
    size: float,
    first_width: float,
    width: float,
) -> tuple[Line, ...]:
    return tuple(_layout(paragraph_tokens(runs, *fonts, size), first_width, width, size))


_kept_tokens = lru_cache(maxsize=4096)(_tokens)
_kept_lines = lru_cache(maxsize=4096)(_lines)


def paragraph_tokens(
    runs: tuple[TextRun, ...], regular: str, bold: str, size: float
) -> tuple[Token, ...]:
    """`_tokenize`, kept for short texts (see `_kept`)."""
    return (_kept_tokens if _kept(runs) else _tokens)(runs, regular, bold, size)


def paragraph_lines(
    runs: tuple[TextRun, ...],
    fonts: tuple[str, str],
    size: float,
    first_width: float,
    width: float,
) -> tuple[Line, ...]:
    """The lines of a paragraph at a width; kept for short texts like `paragraph_tokens`."""
    return (_kept_lines if _kept(runs) else _lines)(runs, fonts, size, first_width, width)


def _cluster_tokens(segment: list[Token], size: float) -> list[Token]:
    """Explode an unbreakable segment into one token per grapheme cluster."""
    pieces: list[Token] = []
    for token in segment:
        offset = token.start
        for cluster in grapheme_clusters(token.text):
            width = shape(cluster, token.font_name, size)[1]
            pieces.append(Token("word", cluster, token.font_name, width, offset))
            offset += len(cluster)
    return pieces


def _merge_words(pieces: list[Token], size: float) -> list[Token]:
    """Join adjacent same-font cluster tokens back into words, so each is shaped as a whole."""
    merged: list[Token] = []
    for piece in pieces:
        if merged and merged[-1].font_name == piece.font_name:
            last = merged[-1]
            text = last.text + piece.text
            merged[-1] = replace(last, text=text, width=shape(text, last.font_name, size)[1])
        else:
            merged.append(piece)
    return merged


def _segments(tokens: Sequence[Token]) -> list[list[Token]]:
    """Group tokens: runs of adjacent words (no break allowed inside) and single break tokens."""
    groups: list[list[Token]] = []
    for token in tokens:
        if token.kind == "word" and groups and groups[-1][0].kind == "word":
            groups[-1].append(token)
        else:
            groups.append([token])
    return groups


def _layout(tokens: Sequence[Token], first_width: float, width: float, size: float) -> list[Line]:
    """Greedy line breaking at spaces / U+200B / newlines, with a cluster fallback."""
    lines: list[Line] = []
    current: list[Token] = []
    pending: list[Token] = []  # break tokens seen since the last word on the current line

    def available() -> float:
        return first_width if not lines else width

    def flush() -> None:
        nonlocal current, pending
        lines.append(Line(tuple(current)))
        current, pending = [], []

    def start_line_with(segment: list[Token]) -> None:
        nonlocal current
        if sum(t.width for t in segment) <= available() + FIT_TOLERANCE:
            current = list(segment)
            return
        # Too wide for a whole line: break between grapheme clusters instead of overflowing.
        chunk: list[Token] = []
        chunk_width = 0.0
        for piece in _cluster_tokens(segment, size):
            if chunk and chunk_width + piece.width > available() + FIT_TOLERANCE:
                current = _merge_words(chunk, size)
                flush()
                chunk, chunk_width = [], 0.0
            chunk.append(piece)
            chunk_width += piece.width
        current = _merge_words(chunk, size)

    for group in _segments(tokens):
        kind = group[0].kind
        if kind == "newline":
            flush()
        elif kind in ("space", "zwsp"):
            if current:  # breaks at the start of a line are dropped
                pending.extend(group)
        else:
            segment_width = sum(t.width for t in group)
            gap = sum(t.width for t in pending)
            if not current:
                start_line_with(group)
            elif sum(t.width for t in current) + gap + segment_width <= (
                available() + FIT_TOLERANCE
            ):
                current.extend(pending)
                current.extend(group)
                pending = []
            else:
                flush()
                start_line_with(group)
    if current or not lines:
        lines.append(Line(tuple(current)))
    return lines


def slice_runs(runs: Sequence[TextRun], start: int, end: int) -> list[TextRun]:
    """The runs covering logical offsets [start, end) of the concatenated text."""
    sliced: list[TextRun] = []
    offset = 0
    for run in runs:
        run_end = offset + len(run.text)
        lo, hi = max(start, offset), min(end, run_end)
        if lo < hi:
            sliced.append(TextRun(run.text[lo - offset : hi - offset], run.bold))
        offset = run_end
    return sliced


def trimmed_width(line: Line) -> float:
    """Line width without trailing break tokens (there are none after layout, but be safe)."""
    tokens = line.tokens
    end = len(tokens)
    while end and tokens[end - 1].kind != "word":
        end -= 1
    return sum(t.width for t in tokens[:end])
