"""Migration 0009 on a store of the previous schema: forums and their invitations survive, the
table of listed people's invitations appears empty, and a forum can invite the list right after."""

from __future__ import annotations

import random
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from app.core.demo_answers import demo_answers
from app.core.forms import FieldRole
from app.services import civil_parties, forums, records
from app.services.context import open_app
from app.store.db import MIGRATIONS_DIR, current_revision, head_revision
from tests.civil_party_data import synthetic_people
from tests.officers import SUPERVISOR, add_officers


def test_a_store_of_schema_0008_keeps_its_forums_and_gains_listed_invitations(home: Path) -> None:
    ctx = open_app(home)
    add_officers(ctx, (SUPERVISOR,))
    ctx.officer = SUPERVISOR
    people = synthetic_people(40)
    person = next(p for p in people if p.protection == "none" and not p.deceased)
    form = records.form_definition("complaint")
    address = form.field_with_role(FieldRole.APPLICANT_ADDRESS)
    assert address is not None
    where = {
        "province": person.province,
        "district": person.district,
        "commune": person.commune,
        "village": person.village,
    }
    answers = demo_answers(
        form, random.Random(3), overrides={address.id: where, "protection_requested": False}
    )
    application_id = records.start_application(ctx, "complaint")
    records.finalize_application(ctx, application_id, answers)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = ctx.store.engine
    command.downgrade(config, "0008")
    assert "forum_listed_invitations" not in inspect(ctx.store.engine).get_table_names()
    # A forum planned under schema 0008 (its record invited, written as that schema's rows).
    with ctx.store.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO forums (id, name, commune_code, held_on, place, created_by, created_at)"
            " VALUES ('f-old', 'Old forum', ?, '2026-11-01 00:00:00.000000', '', ?,"
            " '2026-10-01 00:00:00.000000')",
            (person.commune, SUPERVISOR.id),
        )
        connection.exec_driver_sql(
            "INSERT INTO forum_invitations (forum_id, application_id, invited_at, attended)"
            " VALUES ('f-old', ?, '2026-10-01 00:00:00.000000', 1)",
            (application_id,),
        )
    ctx.close()

    ctx = open_app(home)
    ctx.officer = SUPERVISOR
    try:
        assert current_revision(ctx.store.engine) == head_revision()
        [old] = forums.forums(ctx)
        assert (old.name, old.invited, old.attended) == ("Old forum", 1, 1)
        with ctx.store.transaction() as session:
            civil_parties.store_list(session, [person], {"provinces": [person.province]})
        assert forums.invite_newcomers(ctx, "f-old") == 1  # the listed person, right after
        invited = forums.forum_invitees(ctx, "f-old")
        assert [(p.application_id, p.listed_number) for p in invited] == [
            (application_id, ""),
            ("", person.number),
        ]
        forums.record_listed_attendance(ctx, "f-old", person.number, True)
        assert forums.forum_counts(ctx) == forums.ForumCounts(forums=1, invited=2, attended=2)
    finally:
        ctx.close()
