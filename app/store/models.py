"""SQLAlchemy models of the device store.

Form answers are stored as JSON documents keyed by the field ids of ``forms/*.yaml``: the form
definition is the one source of truth for fields, so no column here repeats a form field. The few
columns beside the JSON (display names, village, birth-year range) are derived copies kept for
listing and searching 100,000 records fast; they are rewritten from the answers on every save.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.core.protection import ProtectionLevel

NO_PROTECTION = ProtectionLevel.NONE.value
# How the registry orders references (drafts have none yet): an index matches this exact text.
REFERENCE_ORDER = "coalesce(reference, '')"


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON}  # noqa: RUF012 (SQLAlchemy reads it as is)


class Setting(Base):
    """Device-wide settings (device id, language, idle lock, server URL, ...)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class Officer(Base):
    __tablename__ = "officers"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # field_officer | supervisor | administrator
    organisation: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Application(Base):
    """One complaint or civil party application, from first draft to acknowledgement."""

    __tablename__ = "applications"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # uuid4, made on the device
    form_id: Mapped[str] = mapped_column(String(50))
    form_version: Mapped[int] = mapped_column(Integer)
    # draft | awaiting_signature | final | printed | synced | acknowledged
    status: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str | None] = mapped_column(String(30), unique=True)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("officers.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    finalized_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The draft being edited (autosaved); versions below hold finalised content.
    draft_answers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    current_version: Mapped[int] = mapped_column(Integer, default=0)
    # Derived copies for listing and search (see module docstring).
    name_km: Mapped[str] = mapped_column(String(300), default="")
    name_latin: Mapped[str] = mapped_column(String(300), default="")
    province_code: Mapped[str | None] = mapped_column(String(20), index=True)
    village_code: Mapped[str | None] = mapped_column(String(20), index=True)
    commune_code: Mapped[str | None] = mapped_column(String(20), index=True)
    birth_year_min: Mapped[int | None] = mapped_column(Integer)
    birth_year_max: Mapped[int | None] = mapped_column(Integer)
    forum: Mapped[str | None] = mapped_column(String(200), index=True)
    identity_protected: Mapped[bool] = mapped_column(Boolean, default=False)
    # The Rule 29 level asked for (app.core.protection.ProtectionLevel): letters and reports
    # read it here to hide what the level hides without loading every record's answers.
    protection_level: Mapped[str] = mapped_column(
        String(20), default=NO_PROTECTION, server_default=NO_PROTECTION
    )
    # Latest status reported back by the central office (received, admitted, ...).
    court_status: Mapped[str | None] = mapped_column(String(30))
    # The office's note with that status, and its delivery number (a status applies only if newer).
    court_status_note: Mapped[str | None] = mapped_column(Text)
    court_status_seq: Mapped[int | None] = mapped_column(Integer)
    # The person's earlier number (field role prior_reference) as a matching key: a follow-up
    # contact is shown on the history of the record it names (app/core/reference.py).
    prior_reference_key: Mapped[str | None] = mapped_column(String(120), index=True)
    # What the deadline count needs of the answers (app.services.deadline_facts): the case the
    # record names (its court_case answer as written) and whether it asks to be a civil party.
    # ``civil_party`` NULL: not derived yet (a store from before migration 0012, a form changed
    # since): the count derives them first. Deferred: only the count's own query reads them, and
    # a record loaded whole (also on a store not migrated yet, as migration tests do) skips them.
    court_case: Mapped[str | None] = mapped_column(String(50), deferred=True)
    civil_party: Mapped[bool | None] = mapped_column(Boolean, deferred=True)

    __table_args__ = (
        Index("ix_applications_status_updated", "status", "updated_at"),
        # The registry's orders, each with the id that breaks ties (app.services.registry keyset
        # paging): a page starts at its cursor in the index instead of sorting every row. The
        # reference is ordered with drafts (no number yet) as "", written as the query writes it.
        Index("ix_applications_updated_order", "updated_at", "id"),
        Index("ix_applications_name_km_order", "name_km", "id"),
        Index("ix_applications_name_latin_order", "name_latin", "id"),
        Index("ix_applications_status_order", "status", "id"),
        Index("ix_applications_reference_order", text(REFERENCE_ORDER), "id"),
        # The deadline count reads a case's records started before one of its deadlines.
        Index("ix_applications_court_case_created", "court_case", "created_at"),
        # The records whose deadline facts are still to be derived (none, once done), by form
        # and then in table order: deriving reads them in the order they are stored.
        Index("ix_applications_facts_missing", "form_id", sqlite_where=text("civil_party IS NULL")),
        # The records with a court status (note_status_changes looks only at those).
        Index("ix_applications_court_status", "court_status", "id"),
        # The registry's form filter (app.services.listing_plan chooses between it and the
        # order's index; the owner's index follows the class).
        Index("ix_applications_form_id", "form_id"),
    )


# A field officer's own records (listing_plan, as the form's), with the forum: the forums of an
# officer's records are then one seek each (app.services.registry.known_forums).
Index("ix_applications_created_by_forum", Application.created_by, Application.forum)


class SearchRow(Base):
    """Which row of the full-text index (``application_search``, an FTS5 table) holds an
    application's search text. FTS5 cannot index its ``application_id`` column, so finding the
    row by it read the whole index: 0.7-2 s per finalise, correction or discarded draft at
    100,000 records, and a re-index that grew with the square of the store. The row is found
    here by key instead, then deleted by FTS5 rowid (stable: FTS5 stores it explicitly)."""

    __tablename__ = "search_index_rows"
    application_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    search_rowid: Mapped[int] = mapped_column(Integer)
    # Whether the text is also in the word index (app.services.word_index): NULL until indexed
    # (a store from before migration 0013), 0 for a key whose text is gone.
    words_indexed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    __table_args__ = (
        Index(
            "ix_search_index_rows_words_pending",
            "application_id",
            sqlite_where=text("words_indexed IS NULL"),
        ),
        # The id of a search match from its rowid, without reading the search text's row
        # (app.services.registry joins a filtered search's matches through it).
        Index("ix_search_index_rows_rowid", "search_rowid", "application_id"),
    )


class ApplicationVersion(Base):
    """A finalised, locked version. Corrections add a version with a reason; nothing is overwritten."""

    __tablename__ = "application_versions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # uuid4: the sync identity
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), index=True)
    version_no: Mapped[int] = mapped_column(Integer)
    form_version: Mapped[int] = mapped_column(Integer)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("officers.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    content_sha256: Mapped[str] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("application_id", "version_no"),)


class NotDuplicateDecision(Base):
    """An officer's decision that two applications are different people: never asked again."""

    __tablename__ = "not_duplicate_decisions"
    application_a: Mapped[str] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    application_b: Mapped[str] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("officers.id"))
    decided_at: Mapped[datetime] = mapped_column(DateTime)


class AuditEntry(Base):
    """Append-only, hash-chained log of what officers did (see app/services for the chain)."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    officer_id: Mapped[str | None] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str | None] = mapped_column(String(36), index=True)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class OutboxItem(Base):
    """A finalised version waiting to reach the central office; written with the version itself."""

    __tablename__ = "outbox"
    version_id: Mapped[str] = mapped_column(ForeignKey("application_versions.id"), primary_key=True)
    # pending | in_batch | acknowledged | quarantined
    state: Mapped[str] = mapped_column(String(20), index=True)
    batch_id: Mapped[str | None] = mapped_column(String(36), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)


class Attachment(Base):
    """A scan or photo of an ID or supporting document (the bytes are stored encrypted)."""

    __tablename__ = "attachments"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), index=True)
    field_id: Mapped[str] = mapped_column(String(100))
    file_name: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Person(Base):
    """A direct victim named by one or more applicants (a killed or disappeared relative).

    Several applicants of one family often name the same person; each application links to the
    person with its own relationship (``PersonLink``), so the family group can be shown. The id is
    made on the device and travels in sync inside the answers (``_direct_victim_person_id``).
    """

    __tablename__ = "persons"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name_km: Mapped[str] = mapped_column(String(300), default="")
    name_latin: Mapped[str] = mapped_column(String(300), default="")
    # The phonetic keys of the whole name (app.core.name_match.name_key).
    name_key: Mapped[str] = mapped_column(String(300), default="", index=True)
    birth_year_min: Mapped[int | None] = mapped_column(Integer)
    birth_year_max: Mapped[int | None] = mapped_column(Integer)
    fate: Mapped[str | None] = mapped_column(String(50))
    last_place: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class PersonLink(Base):
    """An application naming a direct victim, with how the applicant is related to them."""

    __tablename__ = "person_links"
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), primary_key=True, index=True)
    relationship: Mapped[str | None] = mapped_column(String(50))
    # 0 for the direct victim of the application's victim fields, 1, 2... for the items of a
    # group of further direct victims, in the order the applicant named them.
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class CourtStatusNotice(Base):
    """When this device first saw an application's current court status (deadlines count from it)."""

    __tablename__ = "court_status_notices"
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    court_status: Mapped[str] = mapped_column(String(30))
    noticed_on: Mapped[datetime] = mapped_column(DateTime)


class Forum(Base):
    """A forum planned for one commune: the people of the laptop's records there are invited."""

    __tablename__ = "forums"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    commune_code: Mapped[str] = mapped_column(String(20), index=True)
    held_on: Mapped[datetime] = mapped_column(DateTime)
    place: Mapped[str] = mapped_column(String(300), default="")
    created_by: Mapped[str | None] = mapped_column(ForeignKey("officers.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ForumInvitation(Base):
    """A person (a record of the registry) invited to a forum, and whether they came."""

    __tablename__ = "forum_invitations"
    forum_id: Mapped[str] = mapped_column(ForeignKey("forums.id"), primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    invited_at: Mapped[datetime] = mapped_column(DateTime)
    attended: Mapped[bool | None] = mapped_column(Boolean)  # None: not recorded yet
    attendance_recorded_by: Mapped[str | None] = mapped_column(ForeignKey("officers.id"))
    attendance_recorded_at: Mapped[datetime | None] = mapped_column(DateTime)


class ForumListedInvitation(Base):
    """A person of the office's list (by number, which outlives a list's replacement) invited to
    a forum, and whether they came."""

    __tablename__ = "forum_listed_invitations"
    forum_id: Mapped[str] = mapped_column(ForeignKey("forums.id"), primary_key=True)
    number: Mapped[str] = mapped_column(String(40), primary_key=True)
    # prior_reference_key of the number: a record naming it is the same person (never twice).
    number_key: Mapped[str] = mapped_column(String(120))
    invited_at: Mapped[datetime] = mapped_column(DateTime)
    attended: Mapped[bool | None] = mapped_column(Boolean)  # None: not recorded yet
    attendance_recorded_by: Mapped[str | None] = mapped_column(ForeignKey("officers.id"))
    attendance_recorded_at: Mapped[datetime | None] = mapped_column(DateTime)


class ListedPerson(Base):
    """A civil party or applicant from the office's list for the provinces this laptop serves.

    The whole list is replaced when a newer one arrives (signed by the office, sealed to this
    laptop). People confidential from the parties never arrive; people confidential from the
    public arrive without name or birth year (``masked``).
    """

    __tablename__ = "listed_people"
    number: Mapped[str] = mapped_column(String(40), primary_key=True)
    # The number as a matching key (app.core.reference.prior_reference_key): a follow-up contact
    # naming it joins the person's card.
    number_key: Mapped[str] = mapped_column(String(120), unique=True)
    case_code: Mapped[str] = mapped_column(String(10))
    name_km: Mapped[str] = mapped_column(String(100), default="")
    name_latin: Mapped[str] = mapped_column(String(100), default="")
    sex: Mapped[str] = mapped_column(String(1), default="")
    birth_year: Mapped[int | None] = mapped_column(Integer)
    province_code: Mapped[str] = mapped_column(String(2))
    district_code: Mapped[str] = mapped_column(String(4))
    commune_code: Mapped[str] = mapped_column(String(6), index=True)
    village_code: Mapped[str] = mapped_column(String(8), default="", index=True)
    status: Mapped[str] = mapped_column(String(20))
    lawyer_team: Mapped[str] = mapped_column(String(120), default="")
    masked: Mapped[bool] = mapped_column(Boolean, default=False)
    deceased: Mapped[bool] = mapped_column(Boolean, default=False)
    # The office's latest contact with the person, recorded on any laptop (ISO date).
    office_last_contact: Mapped[str | None] = mapped_column(String(10))
