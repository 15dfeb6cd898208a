"""Migration 0007 on a store made by the previous schema: the free-text "other victims" of drafts
and finalised versions moves without loss into the list of direct victims (as the first item's
notes), every other answer and row stays as it was, a moved version's digest matches its new
content (so it syncs), and person links get their position."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, select

from app.core.demo_answers import demo_answers
from app.services import people, records
from app.services.context import open_app
from app.services.records import version_payload
from app.store.db import MIGRATIONS_DIR, current_revision, head_revision
from app.store.models import Application, ApplicationVersion, OutboxItem, PersonLink
from app.sync.format import record_digest
from tests.officers import SUPERVISOR, add_officers

OLD_TEXT = "បងស្រីខ្ញុំ ហេង ធារី បាត់ខ្លួននៅឆ្នាំ១៩៧៧។ Uncle Heng Sok died at the dam, 1978."
FATHER = {"km": "ហេង សំណាង", "latin": "Heng Samnang"}


def _downgrade(engine: Any, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    command.downgrade(config, revision)


def test_free_text_victims_move_into_the_list_without_loss(home: Path) -> None:
    ctx = open_app(home)
    add_officers(ctx, (SUPERVISOR,))
    ctx.officer = SUPERVISOR
    finals = []
    for seed, form_id in enumerate(("civil_party", "complaint")):
        form = records.form_definition(form_id)
        answers = demo_answers(
            form,
            random.Random(seed),
            overrides={
                "applicant_status": "indirect_victim",
                "victim_name": FATHER,
                "victim_fate": "killed",
                "signature_mark": "thumbprint",
            },
        )
        application_id = records.start_application(ctx, form_id)
        records.finalize_application(ctx, application_id, answers)
        finals.append(application_id)
    draft = records.start_application(ctx, "complaint")
    records.save_draft(ctx, draft, {"applicant_status": "indirect_victim", "victim_name": FATHER})
    untouched = records.start_application(ctx, "complaint")
    records.save_draft(ctx, untouched, {"applicant_status": "direct_victim"})

    # Back to the schema before 0007, and the answers as the previous release stored them: the
    # other victims as one free text (digests made from that content, as that release did).
    engine = ctx.store.engine
    _downgrade(engine, "0006")
    assert current_revision(engine) == "0006"
    assert "position" not in {c["name"] for c in inspect(engine).get_columns("person_links")}
    with ctx.store.transaction() as session:
        for version in session.scalars(select(ApplicationVersion)):
            application = session.get(Application, version.application_id)
            assert application is not None
            version.answers = {**version.answers, "other_victims": OLD_TEXT}
            version.content_sha256 = record_digest(version_payload(application, version))
        application = session.get(Application, draft)
        assert application is not None
        application.draft_answers = {**(application.draft_answers or {}), "other_victims": OLD_TEXT}
    with ctx.store.transaction() as session:
        before = {
            v.id: {k: a for k, a in v.answers.items() if k != "other_victims"}
            for v in session.scalars(select(ApplicationVersion))
        }
        old_links = {
            tuple(row)
            for row in session.execute(select(PersonLink.application_id, PersonLink.person_id))
        }
        outbox = sorted((o.version_id, o.state) for o in session.scalars(select(OutboxItem)))
        untouched_before = session.get(Application, untouched).draft_answers  # type: ignore[union-attr]
    ctx.close()

    ctx = open_app(home)
    ctx.officer = SUPERVISOR
    try:
        assert current_revision(ctx.store.engine) == head_revision()
        assert ctx.store.pre_migration_backup is not None
        with ctx.store.transaction() as session:
            for version in session.scalars(select(ApplicationVersion)):
                application = session.get(Application, version.application_id)
                assert application is not None
                assert version.answers["other_victims"] == [{"other_victim_notes": OLD_TEXT}]
                rest = {k: a for k, a in version.answers.items() if k != "other_victims"}
                assert rest == before[version.id]
                assert version.content_sha256 == record_digest(
                    version_payload(application, version)
                )
            links = session.execute(
                select(PersonLink.application_id, PersonLink.person_id, PersonLink.position)
            ).all()
            assert {(a, p) for a, p, _ in links} == old_links
            assert {position for _, _, position in links} == {0}
            assert (
                sorted((o.version_id, o.state) for o in session.scalars(select(OutboxItem)))
                == outbox
            )
        moved = records.get_application(ctx, draft, audit=False).answers
        assert moved["other_victims"] == [{"other_victim_notes": OLD_TEXT}]
        assert moved["victim_name"] == FATHER
        assert records.get_application(ctx, untouched, audit=False).answers == untouched_before
        # The officer finishes the moved draft: the old text is kept while the people it names
        # are recorded one by one, each becoming a person of their own.
        form = records.form_definition("complaint")
        answers = demo_answers(
            form,
            random.Random(11),
            overrides={
                **moved,
                "signature_mark": "thumbprint",
                "victim_fate": "killed",
                "other_victims": [
                    {
                        "other_victim_notes": OLD_TEXT,
                        "other_victim_relationship": "sibling",
                        "other_victim_name": {"km": "ហេង ធារី", "latin": "Heng Theary"},
                        "other_victim_fate": "disappeared",
                    }
                ],
            },
        )
        records.finalize_application(ctx, draft, answers)
        stored = records.get_application(ctx, draft, audit=False).answers
        assert stored["other_victims"][0]["other_victim_notes"] == OLD_TEXT
        assert stored["other_victims"][0][people.ITEM_PERSON_KEY]
        with ctx.store.transaction() as session:
            positions = sorted(
                session.scalars(
                    select(PersonLink.position).where(PersonLink.application_id == draft)
                )
            )
        assert positions == [0, 1]
    finally:
        ctx.close()
