"""What a registry search is looked up by (the rules the office list of civil parties shares):
the alternatives a typed search stands for, and the condition each puts on a trigram index.

A search is Khmer or Latin substrings (FTS5 trigram for three or more characters, LIKE below
that), the phonetic keys of a Latin name spelling (the whole query as one key, or every word's
key in any order: app.core.name_match), or a reference number. The registry reads the matches
(app.services.registry); a phrase across words may be read from the word index instead, with
the same results (app.services.word_index).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from app.core.khmer_text import is_khmer, normalize_for_search
from app.core.name_match import query_keys
from app.core.reference import normalize_reference, prior_reference_key
from app.services.search_index import fts_phrase


def search_alternatives(search: str) -> list[list[str]] | None:
    """What ``search`` is looked up by: alternatives, each a list of parts that must all be
    found (see search_clause); None for an empty search."""
    term = normalize_for_search(search)
    if not term:
        return None
    reference = normalize_reference(search)
    if reference:
        # A complete reference number finds exactly that record (a name key of it would
        # drop the digits and match every record of the same laptop).
        alternatives = [[normalize_for_search(reference.replace("-", ""))]]
    else:
        alternatives = [[term]]
        keys = query_keys(term) if not is_khmer(term) else []
        if keys:
            alternatives.append([keys[0]])
        words = sorted(set(keys[1:]))
        if words and all(len(w) >= 3 for w in words) and not any(c.isdigit() for c in term):
            # several name words: each word's key, in any order (family name first or last).
            # Only with words the trigram index can look up: a LIKE scan would cost ~10x.
            alternatives.append(words)
        number = prior_reference_key(search)
        if number and any(char.isdigit() for char in number):
            # a court number typed with separators (D22/2-1234, d22 2 1234)
            alternatives.append([normalize_for_search(number)])
    return list({tuple(a): a for a in alternatives}.values())


def indexed(alternatives: list[list[str]]) -> bool:
    """Whether the trigram index can look every part up (three characters or more)."""
    return all(len(part) >= 3 for parts in alternatives for part in parts)


def search_clause(search: str, index: str = "application_search") -> Any:
    """A condition on the search index ``index`` (FTS5 trigram with a ``content`` column: the
    registry's, or the office list's) for ``search``: Khmer or Latin substrings (FTS5 trigram
    for three or more characters, LIKE below that), the phonetic keys of a Latin name spelling
    (the whole query as one key, or every word's key in any order: app.core.name_match), or a
    reference number."""
    unique = search_alternatives(search)
    if unique is None:
        return None
    return alternatives_clause(unique, index)


def match_expression(alternatives: list[list[str]]) -> str:
    """The alternatives as one trigram MATCH, with FTS5's own OR/AND."""
    return " OR ".join(
        "(" + " AND ".join(fts_phrase(part) for part in parts) + ")" for parts in alternatives
    )


def alternatives_clause(unique: list[list[str]], index: str) -> Any:
    condition, values = alternatives_condition(unique, index)
    return text(condition).bindparams(**values)


def alternatives_condition(unique: list[list[str]], index: str) -> tuple[str, dict[str, str]]:
    """alternatives_clause as SQL text with named parameters, and their values: the same text
    for every search of one shape (a statement is built once per shape: statement_memo)."""
    if indexed(unique):
        # One MATCH with FTS5's own OR/AND: a MATCH cannot be OR-ed with other SQL conditions.
        return f"{index} MATCH :search_q", {"search_q": match_expression(unique)}
    groups = []
    params: dict[str, str] = {}
    for parts in unique:
        likes = []
        for part in parts:
            name = f"search_like{len(params)}"
            escaped = part.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params[name] = f"%{escaped}%"
            likes.append(f"{index}.content LIKE :{name} ESCAPE '\\'")
        groups.append("(" + " AND ".join(likes) + ")")
    return "(" + " OR ".join(groups) + ")", params
