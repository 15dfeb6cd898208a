"""Lists kept on the laptop for answers that name the same thing again and again: organisations,
forums, interpreters (form fields marked ``remembered: true``).

The officer picks from the list, so a forum is never split in two by a typo; a new name is
added by typing it, and joins the list when its application is finalised. A typed name that
differs from a listed one only in case, spaces or invisible marks is taken as the listed one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from app.core.forms import Field, FormDefinition
from app.services.context import AppContext
from app.store.models import Setting

KEY_PREFIX = "remembered."
MAX_REMEMBERED = 200


def _key(field: Field) -> str:
    return KEY_PREFIX + field.id


def fold(text: str) -> str:
    """What makes two spellings the same name: case, spacing and zero-width marks aside."""
    return "".join(c for c in text.casefold() if not c.isspace() and c not in "\u200b\u200c\u200d")


def remembered_values(ctx: AppContext, field: Field) -> list[str]:
    """The list for a field, most recently used first."""
    with ctx.store.transaction() as session:
        row = session.get(Setting, _key(field))
        values = row.value if row is not None else []
    return [str(v) for v in values if isinstance(v, str) and v]


def same_as_listed(value: str, listed: list[str]) -> str:
    """``value`` in the listed spelling when it is one of them, else as typed (stripped)."""
    typed = " ".join(value.split())
    wanted = fold(typed)
    return next((known for known in listed if fold(known) == wanted), typed)


def remember_answers(session: Session, form: FormDefinition, answers: Mapping[str, Any]) -> None:
    """Put the answers of remembered fields at the top of their lists (inside the caller's
    transaction, e.g. finalising)."""
    for field in form.all_fields():
        value = answers.get(field.id)
        if field.remembered and isinstance(value, str) and value.strip():
            remember_value(session, field, value)


def remember_value(session: Session, field: Field, value: str) -> None:
    """Put ``value`` at the top of the field's list (the listed spelling when it is one)."""
    session.merge(Setting(key=_key(field), value=_moved_up(_stored(session, field), value)))


def _stored(session: Session, field: Field) -> list[str]:
    row = session.get(Setting, _key(field))
    return [str(v) for v in (row.value if row is not None else []) if isinstance(v, str)]


def _moved_up(listed: list[str], value: str) -> list[str]:
    chosen = same_as_listed(value, listed)
    return [chosen, *(v for v in listed if fold(v) != fold(chosen))][:MAX_REMEMBERED]


def _remembered_fields(form: FormDefinition) -> tuple[Field, ...]:
    return tuple(field for field in form.all_fields() if field.remembered)


class RememberedLists:
    """``remember_answers`` for many applications in a row (a bulk import): each list is read
    once, kept up to date in memory with each value's folded form, and written once by
    :meth:`write`."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._lists: dict[str, list[tuple[str, str]]] = {}

    def remember(self, form: FormDefinition, answers: Mapping[str, Any]) -> None:
        for field in form.worked_out("remembered_fields", _remembered_fields):
            value = answers.get(field.id)
            if isinstance(value, str) and value.strip():
                key = _key(field)
                listed = self._lists.get(key)
                if listed is None:
                    listed = [(v, fold(v)) for v in _stored(self._session, field)]
                # As _moved_up: the listed spelling when it is one, at the top, once.
                typed = " ".join(value.split())
                wanted = fold(typed)
                chosen = next((known for known, folded in listed if folded == wanted), typed)
                kept = ((v, folded) for v, folded in listed if folded != wanted)
                self._lists[key] = [(chosen, wanted), *kept][:MAX_REMEMBERED]

    def write(self) -> None:
        for key, values in self._lists.items():
            self._session.merge(Setting(key=key, value=[value for value, _folded in values]))
