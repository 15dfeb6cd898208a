"""``people.on_finalized`` for a chunk of new applications (a bulk import): the same people, the
same links and the same person ids written into the answers, from one query for the whole chunk
instead of several per record.

The people a chunk may link to are read at once (those the chunk names by id, and those whose
romanised name key it names); people made by the chunk join them in memory, in the order they
are made, so a later record finds them as ``people._same_person`` would. Rows are written by
:meth:`VictimLinks.write`, one insert per table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import literal_column, or_, select
from sqlalchemy.orm import Session

from app.core.forms import Field, FormDefinition
from app.core.khmer_text import ZWSP
from app.services.people import (
    ITEM_PERSON_KEY,
    PERSON_ID_KEY,
    VictimDetails,
    named_victims,
    person_columns,
    years_overlap,
)
from app.store.db import insert_rows
from app.store.models import Person, PersonLink


@dataclass(frozen=True)
class _Known:
    """A person the chunk may link to (already stored, or made by an earlier record)."""

    id: str
    name_km: str
    name_key: str
    fate: str | None
    birth_year_min: int | None
    birth_year_max: int | None


def _chosen(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class VictimLinks:
    def __init__(
        self,
        session: Session,
        chunk: Sequence[tuple[FormDefinition, Mapping[str, Any], Mapping[str, Any]]],
    ) -> None:
        """``chunk``: each record's form, answers and effective answers."""
        self._session = session
        self._victims: list[tuple[VictimDetails | None, list[tuple[Field, int, VictimDetails]]]]
        self._victims = [named_victims(*record) for record in chunk]
        keys: set[str] = set()
        ids: set[str] = set()
        for (victim, further), (_form, answers, _effective) in zip(
            self._victims, chunk, strict=True
        ):
            if victim is not None:
                keys.add(victim.name_key)
                if chosen := _chosen(answers.get(PERSON_ID_KEY)):
                    ids.add(chosen)
            for group, index, details in further:
                keys.add(details.name_key)
                if chosen := _chosen(answers[group.id][index].get(ITEM_PERSON_KEY)):
                    ids.add(chosen)
        self._by_id: dict[str, _Known] = {}
        self._by_key: dict[str, list[_Known]] = {}
        if keys or ids:
            rows = session.execute(
                select(
                    Person.id,
                    Person.name_km,
                    Person.name_key,
                    Person.fate,
                    Person.birth_year_min,
                    Person.birth_year_max,
                )
                .where(or_(Person.name_key.in_(keys), Person.id.in_(ids)))
                .order_by(literal_column("rowid"))
            )
            for row in rows:
                self._remember(_Known(*row))
        self._people: list[dict[str, Any]] = []
        self._links: dict[tuple[str, str], dict[str, Any]] = {}

    def _remember(self, person: _Known) -> None:
        self._by_id[person.id] = person
        self._by_key.setdefault(person.name_key, []).append(person)

    def link(self, number: int, application_id: str, answers: Mapping[str, Any]) -> dict[str, Any]:
        """The answers of the chunk's record ``number`` (from 0) with the person ids written in,
        as ``people.on_finalized`` returns them for a new application."""
        victim, further = self._victims[number]
        result = dict(answers)
        if victim is None:
            result.pop(PERSON_ID_KEY, None)
        else:
            chosen = _chosen(answers.get(PERSON_ID_KEY))
            result[PERSON_ID_KEY] = self._link(application_id, chosen, victim, 0)
        for position, (group, index, details) in enumerate(further, start=1):
            items = [dict(item) for item in result[group.id]]
            chosen = _chosen(items[index].get(ITEM_PERSON_KEY))
            items[index][ITEM_PERSON_KEY] = self._link(application_id, chosen, details, position)
            result[group.id] = items
        return result

    def _link(
        self, application_id: str, person_id: str | None, victim: VictimDetails, position: int
    ) -> str:
        person = self._by_id.get(person_id) if person_id else None
        if person is None and person_id is None:
            person = self._same_person(victim)
        if person is None:
            person = self._new_person(victim, person_id)
        self._links[(application_id, person.id)] = {
            "application_id": application_id,
            "person_id": person.id,
            "relationship": victim.relationship,
            "position": position,
        }
        return person.id

    def _same_person(self, victim: VictimDetails) -> _Known | None:
        """As ``people._same_person``: same Khmer name, key and fate, overlapping birth years."""
        if not victim.name_km or not victim.fate:
            return None
        plain = victim.name_km.replace(ZWSP, "")
        return next(
            (
                p
                for p in self._by_key.get(victim.name_key, [])
                if p.name_km.replace(ZWSP, "") == plain
                and p.fate == victim.fate
                and years_overlap(victim, p)
            ),
            None,
        )

    def _new_person(self, victim: VictimDetails, person_id: str | None) -> _Known:
        columns = person_columns(victim, person_id)
        person = _Known(
            id=columns["id"],
            name_km=victim.name_km,
            name_key=victim.name_key,
            fate=victim.fate,
            birth_year_min=victim.birth_year_min,
            birth_year_max=victim.birth_year_max,
        )
        self._remember(person)
        self._people.append(columns)
        return person

    def write(self) -> None:
        """The new people, then the links (after the chunk's applications are inserted)."""
        insert_rows(self._session, Person, self._people)
        insert_rows(self._session, PersonLink, list(self._links.values()))
