"""Migration 0006 on a store made by the previous schema: the old yes/no protection (and the
levels an older form let the officer tick several of) becomes one level, the nearest that hides
no less, without changing any stored version; old drafts open with their level."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, select, text, update

from app.core.demo_answers import demo_answers
from app.core.forms import FieldRole
from app.core.protection import ProtectionLevel
from app.services import printing, records
from app.services.context import AppContext, open_app
from app.services.index_version import SEARCH_INDEX_VERSION_KEY
from app.store.db import MIGRATIONS_DIR, current_revision, head_revision
from app.store.models import Application, ApplicationVersion, Setting
from tests.officers import SUPERVISOR, add_officers

NAME = {"km": "ហេង សុវណ្ណ", "latin": "Heng Sovann"}


def _config(ctx: AppContext) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = ctx.store.engine
    return config


def _levels(ctx: AppContext) -> dict[str, str]:
    with ctx.store.engine.connect() as connection:
        rows = connection.execute(text("SELECT id, protection_level FROM applications"))
        return {row[0]: row[1] for row in rows}


def _versions(ctx: AppContext) -> dict[str, tuple[Any, str]]:
    with ctx.store.transaction() as session:
        return {
            v.application_id: (v.answers, v.content_sha256)
            for v in session.scalars(select(ApplicationVersion))
        }


def test_old_protection_answers_migrate_to_the_nearest_level(home: Path, tmp_path: Path) -> None:
    ctx = open_app(home)
    add_officers(ctx, (SUPERVISOR,))
    ctx.officer = SUPERVISOR
    form = records.form_definition("civil_party")
    gate = form.field_with_role(FieldRole.IDENTITY_PROTECTION)
    level = form.field_with_role(FieldRole.PROTECTION_LEVEL)
    name = form.field_with_role(FieldRole.APPLICANT_NAME)
    assert gate is not None and level is not None and name is not None

    def final(seed: int, protected: bool, chosen: str | None = None) -> str:
        overrides: dict[str, Any] = {name.id: NAME, gate.id: protected}
        if chosen:
            overrides[level.id] = chosen
        answers = demo_answers(form, random.Random(seed), overrides=overrides)
        application_id = records.start_application(ctx, form.id)
        records.finalize_application(ctx, application_id, answers)
        return application_id

    chosen_now = final(1, True, "family_danger")
    ticked = final(2, True, "from_public")
    yes_only = final(3, True, "from_public")
    unprotected = final(4, False)
    draft = records.start_application(ctx, form.id)
    records.save_draft(ctx, draft, {name.id: NAME, gate.id: True, level.id: "from_parties"})
    # What the previous release stored: several levels ticked, or only the yes/no.
    with ctx.store.transaction() as session:
        for application_id, change in (
            (ticked, {level.id: ["from_public", "family_danger"]}),
            (yes_only, {level.id: None}),
        ):
            version = session.scalars(
                select(ApplicationVersion).where(
                    ApplicationVersion.application_id == application_id
                )
            ).one()
            answers = {**version.answers, **change}
            version.answers = {k: v for k, v in answers.items() if v is not None}
        session.execute(
            update(Application)
            .where(Application.id == draft)
            .values(draft_answers={name.id: NAME, gate.id: True, level.id: ["from_parties"]})
        )
    before = _versions(ctx)

    # Back to the schema before 0006, with the derived columns of the previous release.
    command.downgrade(_config(ctx), "0005")
    assert "protection_level" not in {
        c["name"] for c in inspect(ctx.store.engine).get_columns("applications")
    }
    # Migration alone: the yes/no becomes the level that hides at least what "yes" hid.
    command.upgrade(_config(ctx), "0006")
    assert _levels(ctx) == {
        chosen_now: "from_public",
        ticked: "from_public",
        yes_only: "from_public",
        unprotected: "none",
        draft: "from_public",
    }
    command.downgrade(_config(ctx), "0005")
    with ctx.store.transaction() as session:
        session.merge(Setting(key=SEARCH_INDEX_VERSION_KEY, value=2))
    ctx.close()

    ctx = open_app(home)  # the new release opens the store: migrates, then re-derives
    ctx.officer = SUPERVISOR
    try:
        assert current_revision(ctx.store.engine) == head_revision()
        assert ctx.store.pre_migration_backup is not None
        assert _versions(ctx) == before  # no stored version was rewritten
        assert _levels(ctx) == {
            chosen_now: "family_danger",
            ticked: "family_danger",  # the strongest of those ticked
            yes_only: "from_public",  # the nearest to a plain yes
            unprotected: "none",
            draft: "from_parties",
        }
        opened = records.get_application(ctx, ticked, audit=False)
        assert opened.answers[level.id] == "family_danger"
        assert opened.protection_level is ProtectionLevel.FAMILY_DANGER
        assert records.get_application(ctx, yes_only, audit=False).answers[level.id] == (
            "from_public"
        )
        assert records.get_application(ctx, draft, audit=False).answers == {
            name.id: NAME,
            gate.id: True,
            level.id: "from_parties",
        }
        # The papers follow the migrated level.
        document = printing.application_pdf(ctx, ticked)
        assert (document.redacted, document.protection_level) == (
            True,
            ProtectionLevel.FAMILY_DANGER,
        )
        receipt = printing.receipt_pdf(ctx, unprotected)
        assert (receipt.redacted, receipt.protection_level) == (False, ProtectionLevel.NONE)
    finally:
        ctx.close()
